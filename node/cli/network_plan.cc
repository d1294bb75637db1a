#include "node/cli/network_plan.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "crypto/keys.h"
#include "ledger/calendar.h"
#include "ledger/genesis.h"
#include "node/config.h"

namespace shulian::cli {
namespace {

namespace fs = std::filesystem;
using ledger::rules_json::ObjectReader;
using nlohmann::json;

constexpr size_t kAuthoritiesMax = 4096;
constexpr size_t kAccountsMax = 100'000;
constexpr size_t kCalendarsMax = 64;
constexpr size_t kPoliciesMax = 4096;
constexpr size_t kTextBytesMax = 256;
constexpr size_t kCalendarFileBytesMax = 1024 * 1024;

struct PlanNode {
  std::string where;  // "nodes[0] (node 1)"
  uint64_t id = 0;
  std::string authority;
  std::string name;
  node::HostPort peer, api, listen, api_listen;
  crypto::PublicKey key;
};

struct PlanAccount {
  std::string where;  // "accounts[0] (tz.gaj.registrar)"
  json entry;         // the genesis entry without its public key
  crypto::PublicKey key;
};

struct Plan {
  json genesis;                                    // everything but accounts and validators
  std::map<std::string, std::string> authorities;  // id -> name
  std::vector<PlanNode> nodes;
  std::vector<PlanAccount> accounts;
};

std::string Indexed(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

Result<ObjectReader> OpenAt(const json& array, const std::string& path, size_t i) {
  return ObjectReader::Open(array[i], Indexed(path, i));
}

Result<std::optional<std::string>> OptionalString(ObjectReader& reader, const std::string& key) {
  if (!reader.Has(key)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string value, reader.String(key, kTextBytesMax));
  return std::optional<std::string>(std::move(value));
}

Status ReadAuthorities(ObjectReader& top, Plan* plan) {
  std::string path;
  ASSIGN_OR_RETURN(const json* list, top.Array("authorities", &path, kAuthoritiesMax));
  json entries = json::array();
  for (size_t i = 0; i < list->size(); ++i) {
    ASSIGN_OR_RETURN(ObjectReader reader, OpenAt(*list, path, i));
    ASSIGN_OR_RETURN(std::string id, reader.String("id", kTextBytesMax));
    ASSIGN_OR_RETURN(std::string name, reader.String("name", kTextBytesMax));
    ASSIGN_OR_RETURN(std::string level, reader.String("level", kTextBytesMax));
    ASSIGN_OR_RETURN(std::optional<std::string> parent, OptionalString(reader, "parent"));
    RETURN_IF_ERROR(reader.Finish());
    if (!plan->authorities.emplace(id, name).second) {
      return Status::InvalidArgument(Indexed(path, i) + ".id: authority \"" + id + "\" listed twice");
    }
    json entry = {{"id", id}, {"name", name}, {"level", level}};
    if (parent) entry["parent"] = *parent;
    entries.push_back(std::move(entry));
  }
  plan->genesis["authorities"] = std::move(entries);
  return Status::Ok();
}

Status CheckAuthority(const Plan& plan, const std::string& field, const std::string& authority) {
  if (plan.authorities.contains(authority)) return Status::Ok();
  return Status::InvalidArgument(field + ": unknown authority \"" + authority +
                                 "\" (not in the plan's authorities)");
}

bool IsIpAddress(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// The address this node binds: given, or the one it is reached at when that is an IP.
Result<node::HostPort> ListenAddress(ObjectReader& reader, const std::string& where, const std::string& key,
                                     const std::string& reached_key, const node::HostPort& reached) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalString(reader, key));
  if (!text) {
    if (IsIpAddress(reached.host)) return reached;
    return Status::InvalidArgument(where + " " + reached_key + ": host \"" + reached.host +
                                   "\" is a name, and a node listens on an IP address: add " + key +
                                   " (e.g. \"0.0.0.0:" + std::to_string(reached.port) + "\")");
  }
  ASSIGN_OR_RETURN(node::HostPort listen, node::ParseHostPort(where + " " + key, *text));
  if (!IsIpAddress(listen.host)) {
    return Status::InvalidArgument(where + " " + key + ": \"" + listen.host + "\" is not an IP address");
  }
  return listen;
}

Result<PlanNode> ReadNode(const json& list, const std::string& path, size_t i, const Plan& plan) {
  ASSIGN_OR_RETURN(ObjectReader reader, OpenAt(list, path, i));
  PlanNode node;
  ASSIGN_OR_RETURN(node.id, reader.Unsigned("id", 1, UINT64_MAX));
  node.where = Indexed(path, i) + " (node " + std::to_string(node.id) + ")";
  ASSIGN_OR_RETURN(node.authority, reader.String("authority", kTextBytesMax));
  RETURN_IF_ERROR(CheckAuthority(plan, node.where + " authority", node.authority));
  ASSIGN_OR_RETURN(std::optional<std::string> name, OptionalString(reader, "name"));
  node.name = name.value_or(plan.authorities.at(node.authority) + " 节点 " + std::to_string(node.id));
  RETURN_IF_ERROR(ledger::ValidateName(node.where + " name", node.name, kTextBytesMax));
  ASSIGN_OR_RETURN(std::string peer, reader.String("peer_address", kTextBytesMax));
  ASSIGN_OR_RETURN(node.peer, node::ParseHostPort(node.where + " peer_address", peer));
  ASSIGN_OR_RETURN(std::string api, reader.String("api_address", kTextBytesMax));
  ASSIGN_OR_RETURN(node.api, node::ParseHostPort(node.where + " api_address", api));
  ASSIGN_OR_RETURN(node.listen,
                   ListenAddress(reader, node.where, "listen_address", "peer_address", node.peer));
  ASSIGN_OR_RETURN(node.api_listen,
                   ListenAddress(reader, node.where, "api_listen_address", "api_address", node.api));
  RETURN_IF_ERROR(reader.Finish());
  if (node.listen.ToString() == node.api_listen.ToString()) {
    return Status::InvalidArgument(node.where + ": peer and API listen on the same address " +
                                   node.listen.ToString());
  }
  return node;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

Status ReadNodes(ObjectReader& top, Plan* plan) {
  std::string path;
  ASSIGN_OR_RETURN(const json* list, top.Array("nodes", &path, kPlanNodesMax));
  if (list->empty()) return Status::InvalidArgument("nodes: at least one node");
  std::map<uint64_t, std::string> ids;
  std::map<std::string, std::string> addresses;  // every address a node is reached at -> whose
  for (size_t i = 0; i < list->size(); ++i) {
    ASSIGN_OR_RETURN(PlanNode node, ReadNode(*list, path, i, *plan));
    if (auto [it, added] = ids.emplace(node.id, node.where); !added) {
      return Status::InvalidArgument(node.where + ": node id " + std::to_string(node.id) + " is also " +
                                     it->second);
    }
    for (const auto& [key, address] : {std::pair{"peer_address", &node.peer}, {"api_address", &node.api}}) {
      std::string owner = node.where + " " + key;
      if (auto [it, added] = addresses.emplace(Lower(address->ToString()), owner); !added) {
        return Status::InvalidArgument(owner + ": " + address->ToString() + " is already " + it->second);
      }
    }
    plan->nodes.push_back(std::move(node));
  }
  return Status::Ok();
}

Status ReadAccounts(ObjectReader& top, Plan* plan) {
  if (!top.Has("accounts")) return Status::Ok();
  std::string path;
  ASSIGN_OR_RETURN(const json* list, top.Array("accounts", &path, kAccountsMax));
  std::map<std::string, std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    ASSIGN_OR_RETURN(ObjectReader reader, OpenAt(*list, path, i));
    ASSIGN_OR_RETURN(std::string id, reader.String("id", kTextBytesMax));
    // Checked here, before it names a key file.
    RETURN_IF_ERROR(ledger::ValidateRulesId(Indexed(path, i) + ".id", id, 64));
    PlanAccount account;
    account.where = Indexed(path, i) + " (" + id + ")";
    if (auto [it, added] = ids.emplace(id, account.where); !added) {
      return Status::InvalidArgument(account.where + ": account id \"" + id + "\" is also " + it->second);
    }
    account.entry = {{"id", id}};
    ASSIGN_OR_RETURN(std::optional<std::string> authority, OptionalString(reader, "authority"));
    if (authority) {
      RETURN_IF_ERROR(CheckAuthority(*plan, account.where + " authority", *authority));
      account.entry["authority"] = *authority;
    }
    std::string roles_path;
    ASSIGN_OR_RETURN(const json* roles, reader.Array("roles", &roles_path, 16));
    account.entry["roles"] = *roles;  // the genesis checks each
    ASSIGN_OR_RETURN(account.entry["name"], reader.String("name", kTextBytesMax));
    RETURN_IF_ERROR(reader.Finish());
    plan->accounts.push_back(std::move(account));
  }
  return Status::Ok();
}

Status ReadCalendars(ObjectReader& top, const fs::path& plan_dir, Plan* plan) {
  if (!top.Has("calendars")) return Status::Ok();
  std::string path;
  ASSIGN_OR_RETURN(const json* list, top.Array("calendars", &path, kCalendarsMax));
  json calendars = json::array();
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = Indexed(path, i);
    ASSIGN_OR_RETURN(std::string file, ledger::rules_json::StringAt((*list)[i], where, 4096));
    const fs::path resolved = fs::path(file).is_absolute() ? fs::path(file) : plan_dir / file;
    Result<json> calendar = ledger::rules_json::ParseFile(resolved.string(), kCalendarFileBytesMax);
    if (!calendar.ok()) return Status::InvalidArgument(where + ": " + calendar.status().message());
    Result<ledger::Calendar> parsed = ledger::Calendar::FromJson(*calendar, "calendar");
    if (!parsed.ok()) return Status::InvalidArgument(where + " " + file + ": " + parsed.status().message());
    calendars.push_back(std::move(*calendar));
  }
  plan->genesis["calendars"] = std::move(calendars);
  return Status::Ok();
}

Result<Plan> ReadPlan(const std::string& plan_file) {
  std::error_code error;
  if (!fs::is_regular_file(plan_file, error)) return Status::InvalidArgument("no such file");
  ASSIGN_OR_RETURN(json root, ledger::rules_json::ParseFile(plan_file, kPlanFileBytesMax));
  ASSIGN_OR_RETURN(ObjectReader top, ObjectReader::Open(root, ""));
  Plan plan;
  ASSIGN_OR_RETURN(std::string network_id, top.String("network_id", kTextBytesMax));
  ASSIGN_OR_RETURN(int64_t time_ms, top.Int("genesis_time_ms", 0, INT64_MAX));
  plan.genesis = {{"network_id", network_id}, {"genesis_time_ms", time_ms}};
  std::string path;
  if (top.Has("chain")) {
    ASSIGN_OR_RETURN(const json* chain, top.Member("chain", &path));
    plan.genesis["chain"] = *chain;  // the genesis checks it
  }
  RETURN_IF_ERROR(ReadAuthorities(top, &plan));
  RETURN_IF_ERROR(ReadNodes(top, &plan));
  RETURN_IF_ERROR(ReadAccounts(top, &plan));
  RETURN_IF_ERROR(ReadCalendars(top, fs::absolute(plan_file, error).parent_path(), &plan));
  if (top.Has("policies")) {
    ASSIGN_OR_RETURN(const json* policies, top.Array("policies", &path, kPoliciesMax));
    plan.genesis["policies"] = *policies;  // the genesis checks them
  }
  RETURN_IF_ERROR(top.Finish());
  return plan;
}

// ------------------------------- public keys -------------------------------

std::string NodeKeyName(uint64_t id) {
  return "node-" + std::to_string(id) + ".pub";
}

std::string Beginning(const fs::path& path, size_t bytes) {
  std::ifstream file(path, std::ios::binary);
  std::string text(bytes, '\0');
  file.read(text.data(), static_cast<std::streamsize>(bytes));
  text.resize(static_cast<size_t>(std::max<std::streamsize>(file.gcount(), 0)));
  return text;
}

bool IsPrivateKeyFile(const fs::path& path) {
  return Beginning(path, crypto::kSecretKeyFileHeader.size()) == crypto::kSecretKeyFileHeader;
}

Status PrivateKeyRefused(const fs::path& path) {
  return Status::InvalidArgument(path.string() +
                                 ": is a private key file; only public keys may be sent (the line "
                                 "`shulian pubkey --key FILE` prints, in a .pub file)");
}

// One line of 64 hex characters, as `shulian keygen` and `shulian pubkey` print it.
Result<crypto::PublicKey> ReadPublicKeyFile(const fs::path& path, const std::string& owner,
                                            const std::string& keygen_hint) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    return Status::InvalidArgument("public key of " + owner + " missing: no " + path.string() + " (" +
                                   keygen_hint + ")");
  }
  if (!fs::is_regular_file(path, error))
    return Status::InvalidArgument(path.string() + ": not a regular file");
  if (IsPrivateKeyFile(path)) return PrivateKeyRefused(path);
  const uintmax_t size = fs::file_size(path, error);
  if (error || size > kPublicKeyFileBytesMax) {
    return Status::InvalidArgument(path.string() + ": not a public key file (larger than " +
                                   std::to_string(kPublicKeyFileBytesMax) + " bytes)");
  }
  std::string text = Beginning(path, kPublicKeyFileBytesMax);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  Result<crypto::PublicKey> key = crypto::PublicKey::FromHex(text);
  if (text.size() != 64 || !key.ok()) {
    return Status::InvalidArgument(path.string() + ": malformed public key of " + owner +
                                   ": expected one line of 64 hex characters (what `shulian pubkey` prints)");
  }
  return key;
}

// Every file in `dir` must be one of `expected`: a stray file is a typo in a name or
// something that does not belong among public keys.
Status CheckFolder(const fs::path& dir, const std::set<std::string>& expected, const std::string& what) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return Status::Ok();  // each key is then reported missing
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (expected.contains(name)) continue;
    if (entry.is_regular_file(error) && IsPrivateKeyFile(entry.path()))
      return PrivateKeyRefused(entry.path());
    return Status::InvalidArgument(entry.path().string() + ": not the public key of any " + what +
                                   " in the plan (expected only " + what +
                                   " .pub files named as in docs/cli.md)");
  }
  if (error) return Status::IoError(dir.string() + ": " + error.message());
  return Status::Ok();
}

Status ReadPublicKeys(const fs::path& dir, Plan* plan) {
  std::error_code error;
  if (!fs::is_directory(dir, error))
    return Status::InvalidArgument("--public-keys " + dir.string() + ": not a directory");
  std::set<std::string> node_files, account_files;
  for (const PlanNode& node : plan->nodes) node_files.insert(NodeKeyName(node.id));
  for (const PlanAccount& account : plan->accounts)
    account_files.insert(account.entry["id"].get<std::string>() + ".pub");
  RETURN_IF_ERROR(CheckFolder(dir / "nodes", node_files, "node"));
  RETURN_IF_ERROR(CheckFolder(dir / "accounts", account_files, "account"));

  std::map<crypto::PublicKey, std::string> owners;  // a key used twice is a copying mistake
  auto claim = [&](const crypto::PublicKey& key, const std::string& owner, const fs::path& path) -> Status {
    if (auto [it, added] = owners.emplace(key, owner); !added) {
      return Status::InvalidArgument(path.string() + ": " + owner + " has the same public key as " +
                                     it->second + "; every node and account needs its own key");
    }
    return Status::Ok();
  };
  for (PlanNode& node : plan->nodes) {
    const std::string owner = "node " + std::to_string(node.id);
    const fs::path path = dir / "nodes" / NodeKeyName(node.id);
    const std::string hint = "on its host: shulian keygen --out node-" + std::to_string(node.id) + ".key > " +
                             NodeKeyName(node.id);
    ASSIGN_OR_RETURN(node.key, ReadPublicKeyFile(path, owner, hint));
    RETURN_IF_ERROR(claim(node.key, owner, path));
  }
  for (PlanAccount& account : plan->accounts) {
    const std::string id = account.entry["id"].get<std::string>();
    const fs::path path = dir / "accounts" / (id + ".pub");
    const std::string hint = "its authority: shulian keygen --out " + id + ".key > " + id + ".pub";
    ASSIGN_OR_RETURN(account.key, ReadPublicKeyFile(path, "account " + id, hint));
    RETURN_IF_ERROR(claim(account.key, "account " + id, path));
  }
  return Status::Ok();
}

// ------------------------------- output -------------------------------

json NodeConfigJson(const json& genesis, const Plan& plan, const PlanNode& self, const PlannedNode& planned) {
  json peers = json::array();
  for (const PlanNode& other : plan.nodes) {
    if (other.id == self.id) continue;
    peers.push_back({{"id", other.id},
                     {"address", other.peer.ToString()},
                     {"api_address", other.api.ToString()},
                     {"public_key", other.key.ToHex()}});
  }
  json config = {{"network_id", genesis["network_id"]},
                 {"node_id", self.id},
                 {"genesis", "genesis.json"},
                 {"node_key", planned.key_file},
                 {"data_dir", "data/node-" + std::to_string(self.id)},
                 {"listen_address", self.listen.ToString()},
                 {"api_address", self.api_listen.ToString()},
                 {"peers", peers}};
  // An API off loopback serves TLS (node/config.h): the host makes its certificate
  // with `shulian cert` under these names beside the config.
  if (!node::IsLoopbackHost(self.api_listen.host)) {
    const std::string stem = "api-" + std::to_string(self.id);
    config["api_tls"] = {{"certificate_chain_file", stem + ".crt"}, {"private_key_file", stem + ".key"}};
  }
  return config;
}

std::string Readme(const PublicNetworkPlan& out) {
  std::string text = "# Network `" + out.network.network_id + "`\n\n";
  text +=
      "Built by `shulian network init --plan` from public keys only: **this folder holds no\n"
      "private key.** Each node's key stays on its own host.\n\n"
      "Genesis hash: `" +
      out.network.genesis_hash_hex +
      "`\n\n"
      "On each node's host, put `genesis.json` and that node's `node-<id>.json` in one folder,\n"
      "and beside them the node's own key file (the one `shulian keygen` wrote there) under the\n"
      "name the config gives (`node_key`), mode 0600. A node whose API is not on loopback\n"
      "serves TLS: make its certificate there with `shulian cert --key-out api-<id>.key\n"
      "--cert-out api-<id>.crt --host <its API host>` (the names its config gives). Then run\n"
      "`shulian-node --config node-<id>.json`; its data goes to `data/node-<id>` in that folder.\n\n"
      "| node | authority | peers reach it at | API | config | key file beside it |\n"
      "|---|---|---|---|---|---|\n";
  for (const PlannedNode& node : out.nodes) {
    text += "| " + std::to_string(node.id) + " | " + node.authority + " | " + node.peer_address + " | " +
            node.api_address + " | `" + node.config_file + "` | `" + node.key_file + "` |\n";
  }
  return text;
}

}  // namespace

Result<PublicNetworkPlan> PlanNetworkFromPublicKeys(const std::string& plan_file, const std::string& keys_dir,
                                                    const std::string& out_dir) {
  Result<Plan> read = ReadPlan(plan_file);
  if (!read.ok()) return Status::InvalidArgument("--plan " + plan_file + ": " + read.status().message());
  Plan plan = std::move(read).value();
  RETURN_IF_ERROR(ReadPublicKeys(keys_dir, &plan));

  json genesis = plan.genesis;
  json accounts = json::array();
  for (const PlanAccount& account : plan.accounts) {
    json entry = account.entry;
    entry["public_key"] = account.key.ToHex();
    accounts.push_back(std::move(entry));
  }
  genesis["accounts"] = std::move(accounts);
  json validators = json::array();
  for (const PlanNode& node : plan.nodes) {
    validators.push_back({{"node_id", node.id},
                          {"name", node.name},
                          {"authority", node.authority},
                          {"public_key", node.key.ToHex()}});
  }
  genesis["validators"] = std::move(validators);
  // Authorities, accounts (in plan order), chain and policies keep the plan's paths.
  Result<ledger::Genesis> checked = ledger::Genesis::FromJson(genesis);
  if (!checked.ok())
    return Status::InvalidArgument("--plan " + plan_file + ": " + checked.status().message());

  PublicNetworkPlan out;
  out.network.network_id = checked->network_id;
  out.network.genesis_hash_hex = checked->Hash().ToHex();
  out.network.genesis = genesis;
  out.network.files.emplace_back("genesis.json", genesis);
  out.accounts = plan.accounts.size();
  for (const PlanNode& node : plan.nodes) {
    const std::string id = std::to_string(node.id);
    PlannedNode planned{node.id,
                        node.authority,
                        node.peer.ToString(),
                        node.api.ToString(),
                        "node-" + id + ".json",
                        "node-" + id + ".key"};
    json config = NodeConfigJson(genesis, plan, node, planned);
    Result<node::NodeConfig> parsed = node::ParseNodeConfig(config, out_dir);
    if (!parsed.ok())
      return Status::Internal("node " + id + "'s config is invalid: " + parsed.status().message());
    out.network.files.emplace_back(planned.config_file, std::move(config));
    out.network.api_addresses.push_back(planned.api_address);
    out.nodes.push_back(std::move(planned));
  }
  out.network.texts.emplace_back("README.md", Readme(out));
  return out;
}

}  // namespace shulian::cli
