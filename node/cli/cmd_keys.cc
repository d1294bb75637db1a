// Offline commands: keygen, pubkey, network init, genesis check.
#include <filesystem>

#include "ledger/genesis.h"
#include "node/cli/commands.h"
#include "node/cli/network_init.h"
#include "node/cli/network_plan.h"
#include "node/cli/render.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

Result<uint32_t> U32Option(const Context& ctx, std::string_view name, uint32_t fallback) {
  std::optional<std::string> value = ctx.args().Get(name);
  if (!value) return fallback;
  ASSIGN_OR_RETURN(uint64_t parsed, ParseUnsigned(OptionForDisplay(name), *value));
  if (parsed > 0xFFFFFFFFull) return Status::InvalidArgument(OptionForDisplay(name) + ": too large");
  return static_cast<uint32_t>(parsed);
}

Status NoPositionals(const Context& ctx) {
  if (!ctx.args().positionals.empty()) {
    return Status::InvalidArgument("unexpected argument '" + ctx.args().positionals.front() + "'");
  }
  return Status::Ok();
}

}  // namespace

Status RunKeygen(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string path, RequireOption(ctx.args(), "out"));
  crypto::KeyPair key = crypto::KeyPair::Generate();
  RETURN_IF_ERROR(key.SaveToFile(path).WithContext("--out " + path));
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"key_file", path}, {"public_key", key.public_key().ToHex()}});
  } else {
    ctx.out() << key.public_key().ToHex() << "\n";
    ctx.err() << "wrote " << path << " (mode 0600); the line above is its public key\n";
  }
  return Status::Ok();
}

Status RunPubkey(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::KeyPair> key, ctx.Key());
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"public_key", key->public_key().ToHex()}});
  } else {
    ctx.out() << key->public_key().ToHex() << "\n";
  }
  return Status::Ok();
}

// `network init --plan PLAN --public-keys DIR --out OUT`: a real network from public keys.
Status RunNetworkInitFromPlan(Context& ctx, const std::string& out_dir) {
  for (std::string_view preset_only : {"preset", "nodes", "network_id", "seed", "calendar", "genesis_time",
                                       "peer_port_base", "api_port_base"}) {
    if (ctx.args().Has(preset_only)) {
      return Status::InvalidArgument(OptionForDisplay(preset_only) +
                                     ": a preset option; with --plan the plan file says it");
    }
  }
  ASSIGN_OR_RETURN(std::string plan_file, RequireOption(ctx.args(), "plan"));
  ASSIGN_OR_RETURN(std::string keys_dir, RequireOption(ctx.args(), "public_keys"));
  ASSIGN_OR_RETURN(PublicNetworkPlan plan, PlanNetworkFromPublicKeys(plan_file, keys_dir, out_dir));
  RETURN_IF_ERROR(WriteNetwork(plan.network, out_dir));
  if (ctx.json()) {
    json nodes = json::array();
    for (const PlannedNode& node : plan.nodes) {
      nodes.push_back({{"id", node.id},
                       {"authority", node.authority},
                       {"peer_address", node.peer_address},
                       {"api_address", node.api_address},
                       {"config", node.config_file},
                       {"key_file", node.key_file}});
    }
    PrintJson(ctx.out(), json{{"network_id", plan.network.network_id},
                              {"genesis_hash", plan.network.genesis_hash_hex},
                              {"directory", out_dir},
                              {"private_keys", 0},
                              {"accounts", plan.accounts},
                              {"nodes", nodes}});
    return Status::Ok();
  }
  ctx.out() << "network " << plan.network.network_id << " written to " << out_dir
            << " from public keys only: it holds no private key\n"
            << "genesis hash " << plan.network.genesis_hash_hex << "\n"
            << plan.nodes.size() << " nodes, " << plan.accounts << " accounts\n";
  for (const PlannedNode& node : plan.nodes) {
    ctx.out() << "  node " << node.id << " (" << node.authority << "): peers " << node.peer_address
              << ", API http://" << node.api_address << ", config " << node.config_file << ", key file "
              << node.key_file << " beside it\n";
  }
  ctx.out()
      << "on each node's host: genesis.json and node-<id>.json in one folder, with that node's own key\n"
         "(from shulian keygen on that host) beside them under the key file name above, mode 0600;\n"
         "then shulian-node --config node-<id>.json (see "
      << out_dir << "/README.md)\n";
  return Status::Ok();
}

Status RunNetworkInit(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string out_dir, RequireOption(ctx.args(), "out"));
  if (ctx.args().Has("plan") || ctx.args().Has("public_keys")) return RunNetworkInitFromPlan(ctx, out_dir);
  NetworkInitOptions options;
  options.preset = ctx.args().Get("preset").value_or(options.preset);
  ASSIGN_OR_RETURN(options.nodes, U32Option(ctx, "nodes", 0));
  if (ctx.args().Has("nodes") && options.nodes == 0) return Status::InvalidArgument("--nodes: at least 1");
  options.network_id = ctx.args().Get("network_id").value_or("");
  if (ctx.args().Has("seed")) options.seed = ctx.args().Get("seed").value_or("");
  options.calendar_file = ctx.args().Get("calendar").value_or(options.calendar_file);
  if (std::optional<std::string> time = ctx.args().Get("genesis_time")) {
    ASSIGN_OR_RETURN(options.genesis_time_ms, ParseTimeMs("--genesis-time", *time, false));
  }
  ASSIGN_OR_RETURN(options.peer_port_base, U32Option(ctx, "peer_port_base", options.peer_port_base));
  ASSIGN_OR_RETURN(options.api_port_base, U32Option(ctx, "api_port_base", options.api_port_base));
  ASSIGN_OR_RETURN(NetworkPlan plan, PlanNetwork(options));
  RETURN_IF_ERROR(WriteNetwork(plan, out_dir));
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"network_id", plan.network_id},
                              {"genesis_hash", plan.genesis_hash_hex},
                              {"directory", out_dir},
                              {"api_addresses", plan.api_addresses},
                              {"test_keys", true}});
    return Status::Ok();
  }
  ctx.out() << "network " << plan.network_id << " written to " << out_dir << "\n"
            << "genesis hash " << plan.genesis_hash_hex << "\n"
            << plan.api_addresses.size() << " nodes; API at";
  for (const std::string& address : plan.api_addresses) ctx.out() << " http://" << address;
  ctx.out() << "\nthese are test keys for local use only, never for a real network (see " << out_dir
            << "/README.md; a real network: network init --plan)\n";
  return Status::Ok();
}

Status RunGenesisCheck(Context& ctx) {
  if (ctx.args().positionals.size() != 1) return Status::InvalidArgument("usage: shulian genesis check FILE");
  const std::string& path = ctx.args().positionals.front();
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return Status::InvalidArgument(path + ": no such file");
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(path);
  if (!genesis.ok()) return VerificationFailed(path + ": " + genesis.status().message());
  json summary = {{"network_id", genesis->network_id},           {"genesis_hash", genesis->Hash().ToHex()},
                  {"genesis_time_ms", genesis->genesis_time_ms}, {"authorities", genesis->authorities.size()},
                  {"accounts", genesis->accounts.size()},        {"validators", genesis->validators.size()},
                  {"calendars", genesis->calendars.size()},      {"policies", genesis->policies.size()}};
  if (std::optional<std::string> out = ctx.args().Get("out")) {
    // The canonical bytes whose hash is the genesis hash (docs/genesis.md): what the
    // browser verifier reads, since it cannot canonicalize policy presets itself.
    const Bytes encoded = genesis->Encode();
    RETURN_IF_ERROR(WriteNewFile(*out, AsStringView(encoded)));
  }
  if (ctx.json()) {
    PrintJson(ctx.out(), summary);
  } else {
    ctx.out() << "valid genesis\n";
    PrintHuman(ctx.out(), summary);
  }
  return Status::Ok();
}

}  // namespace shulian::cli
