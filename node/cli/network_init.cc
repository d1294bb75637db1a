#include "node/cli/network_init.h"

#include <filesystem>
#include <fstream>

#include "common/bytes.h"
#include "crypto/sha256.h"
#include "ledger/calendar.h"
#include "ledger/genesis.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

constexpr std::string_view kKeyDerivationTag = "shulian/network-init/v1";
constexpr size_t kCalendarFileBytesMax = 1024 * 1024;

struct AuthoritySpec {
  const char* id;
  const char* name;
  const char* level;
  const char* parent;  // "" for the root
  const char* short_name;
};

struct AccountSpec {
  const char* id;
  const char* authority;  // "" for accounts outside the tree
  std::vector<const char*> roles;
  const char* name;
};

const std::vector<AuthoritySpec>& Authorities(std::string_view preset) {
  static const std::vector<AuthoritySpec> kLocal3 = {
      {"320000", "江苏省数据局", "province", "", "jiangsu"},
      {"321200", "泰州市数据局", "municipality", "320000", "taizhou"},
      {"320100", "南京市数据局", "municipality", "320000", "nanjing"},
  };
  static const std::vector<AuthoritySpec> kJiangsu5 = {
      {"320000", "江苏省数据局", "province", "", "jiangsu"},
      {"321200", "泰州市数据局", "municipality", "320000", "taizhou"},
      {"320100", "南京市数据局", "municipality", "320000", "nanjing"},
      {"321281", "兴化市数据局", "county", "321200", "xinghua"},
      {"321282", "靖江市数据局", "county", "321200", "jingjiang"},
  };
  return preset == "jiangsu-5" ? kJiangsu5 : kLocal3;
}

// Every account of the sample story; those whose authority the preset lacks are left out.
const std::vector<AccountSpec>& AllAccounts() {
  static const std::vector<AccountSpec> kAccounts = {
      {"js.sjj.supervisor", "320000", {"supervisor"}, "江苏省数据局 监督管理处"},
      {"js.sjj.operator", "320000", {"operator"}, "江苏省大数据管理中心（运行管理机构）"},
      {"js.gat.registrar", "320000", {"provider", "user"}, "江苏省公安厅 数据专员"},
      {"js.tjj.registrar", "320000", {"provider", "user"}, "江苏省统计局 数据专员"},
      {"js.auditor", "320000", {"auditor"}, "江苏省审计厅 审计员"},
      {"tz.sjj.supervisor", "321200", {"supervisor"}, "泰州市数据局 监督管理科"},
      {"tz.scjgj.registrar", "321200", {"provider", "user"}, "泰州市市场监督管理局 数据专员"},
      {"tz.gaj.registrar", "321200", {"provider", "user"}, "泰州市公安局 数据专员"},
      {"tz.rsj.registrar", "321200", {"provider", "user"}, "泰州市人力资源和社会保障局 数据专员"},
      {"tz.wjw.registrar", "321200", {"provider", "user"}, "泰州市卫生健康委员会 数据专员"},
      {"tz.zjj.registrar", "321200", {"provider", "user"}, "泰州市住房和城乡建设局 数据专员"},
      {"tz.mzj.user", "321200", {"provider", "user"}, "泰州市民政局 数据专员"},
      {"tz.swj.user", "321200", {"user"}, "国家税务总局泰州市税务局 数据专员"},
      {"nj.sjj.supervisor", "320100", {"supervisor"}, "南京市数据局 监督管理处"},
      {"nj.gaj.registrar", "320100", {"provider", "user"}, "南京市公安局 数据专员"},
      {"nj.jtj.registrar", "320100", {"provider", "user"}, "南京市交通运输局 数据专员"},
      {"nj.ybj.user", "320100", {"user"}, "南京市医疗保障局 数据专员"},
      {"xh.sjj.supervisor", "321281", {"supervisor"}, "兴化市数据局 监督管理股"},
      {"xh.nyncj.registrar", "321281", {"provider", "user"}, "兴化市农业农村局 数据专员"},
      {"jj.sjj.supervisor", "321282", {"supervisor"}, "靖江市数据局 监督管理股"},
      {"jj.zrzyj.registrar", "321282", {"provider", "user"}, "靖江市自然资源和规划局 数据专员"},
      {"court.tz-intermediate", "", {"court"}, "泰州市中级人民法院"},
      {"arbitration.taizhou", "", {"arbitrator"}, "泰州仲裁委员会"},
      {"public.citizen-zhang", "", {"public"}, "市民张某（测试账户）"},
      {"public.xinghe-tech", "", {"public"}, "泰州星河科技有限公司（测试账户）"},
  };
  return kAccounts;
}

Result<crypto::KeyPair> MakeKey(const NetworkInitOptions& options, std::string_view label) {
  if (!options.seed) return crypto::KeyPair::Generate();
  // Reserved up front: GCC 12 misreads an insert into an empty vector as an overflow.
  ByteWriter writer(256);
  writer.PutFixed(AsBytes(kKeyDerivationTag));
  writer.PutString(*options.seed);
  writer.PutString(label);
  crypto::Digest seed = crypto::Sha256(writer.bytes());
  return crypto::KeyPair::FromSeed(seed.view());
}

Result<json> LoadCalendar(const std::string& path) {
  Result<json> calendar = ledger::rules_json::ParseFile(path, kCalendarFileBytesMax);
  if (!calendar.ok()) {
    return Status::InvalidArgument("--calendar " + path + ": " + calendar.status().message() +
                                   " (run from the repository root or give --calendar FILE)");
  }
  Result<ledger::Calendar> parsed = ledger::Calendar::FromJson(*calendar, "calendar");
  if (!parsed.ok()) return Status::InvalidArgument("--calendar " + path + ": " + parsed.status().message());
  return calendar;
}

std::string Address(const std::string& host, uint32_t port) {
  return host + ":" + std::to_string(port);
}

Status CheckOptions(const NetworkInitOptions& options) {
  std::vector<std::string> presets = NetworkPresetNames();
  if (std::find(presets.begin(), presets.end(), options.preset) == presets.end()) {
    return Status::InvalidArgument("--preset: unknown preset '" + options.preset +
                                   "' (expected local-3 or jiangsu-5)");
  }
  if (options.nodes > kNetworkNodesMax) {
    return Status::InvalidArgument("--nodes: at most " + std::to_string(kNetworkNodesMax));
  }
  uint32_t nodes =
      options.nodes == 0 ? static_cast<uint32_t>(Authorities(options.preset).size()) : options.nodes;
  if (options.peer_port_base + nodes > 65535 || options.api_port_base + nodes > 65535) {
    return Status::InvalidArgument("--peer-port-base/--api-port-base: ports past 65535");
  }
  if (options.seed && options.seed->empty()) return Status::InvalidArgument("--seed: empty");
  return Status::Ok();
}

std::string NetworkReadme(const NetworkPlan& plan, const NetworkInitOptions& options, uint32_t nodes) {
  std::string text = "# Sample network `" + plan.network_id + "`\n\n";
  text +=
      "**The keys in this folder are test keys for local use only. Never use them in production:**\n"
      "they are published with the source code";
  text +=
      options.seed ? std::string(" and derived from the public seed `") + *options.seed + "`" : std::string();
  text +=
      ".\nA real network is built from public keys, each private key staying on its own host:\n"
      "`shulian network init --plan` (docs/cli.md).\n\nGenerated by:\n\n```sh\nshulian network init "
      "--preset " +
      options.preset + " --nodes " + std::to_string(nodes) + " --network-id " + plan.network_id +
      (options.seed ? " --seed " + *options.seed : std::string()) + " --out DIR\n```\n\n";
  text += "Genesis hash: `" + plan.genesis_hash_hex + "`\n\n";
  text +=
      "| file | what |\n|---|---|\n"
      "| `genesis.json` | authority tree, accounts, validators, policies, calendar |\n"
      "| `node-<id>.json` | node configs (paths relative to this folder) |\n"
      "| `accounts.json` | accounts, roles and their key files, for the CLI |\n"
      "| `keys/nodes/` | node keys (test only) |\n"
      "| `keys/accounts/` | account keys (test only) |\n\n"
      "Git does not keep file modes: key files must be mode 0600 before use\n"
      "(`chmod 600 keys/*/*.key`; `scripts/run-local.sh` does this in its run directory).\n\n"
      "API addresses:\n\n";
  for (size_t i = 0; i < plan.api_addresses.size(); ++i) {
    text += "- node " + std::to_string(i + 1) + ": http://" + plan.api_addresses[i] + "\n";
  }
  return text;
}

}  // namespace

std::vector<std::string> NetworkPresetNames() {
  return {"local-3", "jiangsu-5"};
}

Result<NetworkPlan> PlanNetwork(const NetworkInitOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options));
  ASSIGN_OR_RETURN(json calendar, LoadCalendar(options.calendar_file));
  const std::vector<AuthoritySpec>& authorities = Authorities(options.preset);
  const uint32_t nodes = options.nodes == 0 ? static_cast<uint32_t>(authorities.size()) : options.nodes;

  NetworkPlan plan;
  plan.network_id = options.network_id.empty() ? options.preset : options.network_id;
  json genesis = {{"network_id", plan.network_id}, {"genesis_time_ms", options.genesis_time_ms}};
  json authority_list = json::array();
  for (const AuthoritySpec& a : authorities) {
    json entry = {{"id", a.id}, {"name", a.name}, {"level", a.level}};
    if (*a.parent != '\0') entry["parent"] = a.parent;
    authority_list.push_back(entry);
  }
  genesis["authorities"] = authority_list;

  json accounts = json::array();
  json account_index = json::array();
  for (const AccountSpec& spec : AllAccounts()) {
    bool present = *spec.authority == '\0' ||
                   std::any_of(authorities.begin(), authorities.end(), [&](const AuthoritySpec& a) {
                     return std::string_view(a.id) == spec.authority;
                   });
    if (!present) continue;
    ASSIGN_OR_RETURN(crypto::KeyPair key, MakeKey(options, std::string("account/") + spec.id));
    json entry = {{"id", spec.id},
                  {"roles", spec.roles},
                  {"public_key", key.public_key().ToHex()},
                  {"name", spec.name}};
    if (*spec.authority != '\0') entry["authority"] = spec.authority;
    accounts.push_back(entry);
    std::string key_path = std::string("keys/accounts/") + spec.id + ".key";
    json indexed = entry;
    indexed["key_file"] = key_path;
    account_index.push_back(indexed);
    plan.keys.push_back({key_path, std::move(key)});
  }
  genesis["accounts"] = accounts;

  json validators = json::array();
  std::vector<std::string> node_keys_hex;
  for (uint32_t id = 1; id <= nodes; ++id) {
    const AuthoritySpec& a = authorities[(id - 1) % authorities.size()];
    ASSIGN_OR_RETURN(crypto::KeyPair key, MakeKey(options, "node/" + std::to_string(id)));
    node_keys_hex.push_back(key.public_key().ToHex());
    validators.push_back({{"node_id", id},
                          {"name", std::string(a.name) + " 节点 " + std::to_string(id)},
                          {"authority", a.id},
                          {"public_key", key.public_key().ToHex()}});
    plan.keys.push_back({"keys/nodes/node-" + std::to_string(id) + ".key", std::move(key)});
  }
  genesis["validators"] = validators;
  const std::string calendar_id = calendar["id"].get<std::string>();
  genesis["calendars"] = json::array({calendar});
  genesis["policies"] = json::array({
      {{"authority", "320000"}, {"preset", "jiangsu-2024"}, {"overrides", {{"calendar", calendar_id}}}},
      {{"authority", "321200"}, {"preset", "taizhou-2023"}},
  });

  Result<ledger::Genesis> checked = ledger::Genesis::FromJson(genesis);
  if (!checked.ok()) return Status::Internal("generated genesis is invalid: " + checked.status().message());
  plan.genesis_hash_hex = checked->Hash().ToHex();
  plan.genesis = genesis;
  plan.files.emplace_back("genesis.json", genesis);
  plan.files.emplace_back("accounts.json", json{{"network_id", plan.network_id},
                                                {"test_only", true},
                                                {"note", "keys for testing only; never use in production"},
                                                {"accounts", account_index}});

  for (uint32_t id = 1; id <= nodes; ++id) {
    plan.api_addresses.push_back(Address(options.host, options.api_port_base + id));
  }
  // The node config format of node/config.h; relative paths resolve against the
  // config file's directory.
  for (uint32_t id = 1; id <= nodes; ++id) {
    json peers = json::array();
    for (uint32_t other = 1; other <= nodes; ++other) {
      if (other == id) continue;
      peers.push_back({{"id", other},
                       {"address", Address(options.host, options.peer_port_base + other)},
                       {"api_address", plan.api_addresses[other - 1]},
                       {"public_key", node_keys_hex[other - 1]}});
    }
    plan.files.emplace_back("node-" + std::to_string(id) + ".json",
                            json{{"network_id", plan.network_id},
                                 {"node_id", id},
                                 {"genesis", "genesis.json"},
                                 {"node_key", "keys/nodes/node-" + std::to_string(id) + ".key"},
                                 {"data_dir", "data/node-" + std::to_string(id)},
                                 {"listen_address", Address(options.host, options.peer_port_base + id)},
                                 {"api_address", plan.api_addresses[id - 1]},
                                 {"peers", peers}});
  }
  plan.texts.emplace_back("README.md", NetworkReadme(plan, options, nodes));
  plan.texts.emplace_back(
      "keys/README.md",
      "# Test keys\n\nThese are test keys for local use only and must never be used in production: "
      "they are public.\n");
  return plan;
}

Status WriteNetwork(const NetworkPlan& plan, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::exists(dir, error) && !fs::is_empty(dir, error)) {
    return Status::FailedPrecondition("--out " + dir + ": not empty; choose a new or empty directory");
  }
  fs::create_directories(dir, error);
  if (error) return Status::IoError("--out " + dir + ": " + error.message());
  // Only the folders something is written to: a network of public keys has no keys/.
  auto make_parent = [&](const std::string& relative) -> Status {
    fs::create_directories((fs::path(dir) / relative).parent_path(), error);
    if (error) return Status::IoError("--out " + dir + ": " + error.message());
    return Status::Ok();
  };
  auto write_text = [&](const std::string& relative, const std::string& text) -> Status {
    RETURN_IF_ERROR(make_parent(relative));
    std::ofstream file(fs::path(dir) / relative, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) return Status::IoError("cannot write " + (fs::path(dir) / relative).string());
    return Status::Ok();
  };
  for (const auto& [relative, content] : plan.files)
    RETURN_IF_ERROR(write_text(relative, content.dump(2) + "\n"));
  for (const auto& [relative, text] : plan.texts) RETURN_IF_ERROR(write_text(relative, text));
  for (const GeneratedKey& key : plan.keys) {
    RETURN_IF_ERROR(make_parent(key.path));
    RETURN_IF_ERROR(key.key.SaveToFile(fs::path(dir) / key.path));
  }
  return Status::Ok();
}

}  // namespace shulian::cli
