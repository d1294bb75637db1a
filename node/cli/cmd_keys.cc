// Offline commands: keygen, pubkey, network init, genesis check.
#include <filesystem>

#include "ledger/genesis.h"
#include "node/cli/commands.h"
#include "node/cli/network_init.h"
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

Status RunNetworkInit(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string out_dir, RequireOption(ctx.args(), "out"));
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
                              {"api_addresses", plan.api_addresses}});
    return Status::Ok();
  }
  ctx.out() << "network " << plan.network_id << " written to " << out_dir << "\n"
            << "genesis hash " << plan.genesis_hash_hex << "\n"
            << plan.api_addresses.size() << " nodes; API at";
  for (const std::string& address : plan.api_addresses) ctx.out() << " http://" << address;
  ctx.out() << "\nkeys are for testing only (see " << out_dir << "/README.md)\n";
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
