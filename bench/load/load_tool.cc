#include "bench/load/load_tool.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/client.h"
#include "bench/load/compare.h"
#include "bench/load/driver.h"
#include "bench/load/report.h"
#include "bench/load/workload.h"
#include "common/bytes.h"
#include "crypto/keys.h"
#include "ledger/genesis.h"

namespace shulian::load {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kTransactionsMax = 10'000'000;
constexpr uint64_t kPresignMaxLimit = 1'000'000;
constexpr uint32_t kShulianBatchMax = 1'000;  // the API's default batch_transactions_max
constexpr uint32_t kEtcdBatchMax = 128;       // etcd's default --max-txn-ops
constexpr uint64_t kWaitTimeoutMsMax = 60'000;
constexpr size_t kSetupBatchMax = 200;        // within one account's default burst
constexpr int kSetupAttemptsMax = 120;
constexpr int kLeaderWaitMs = 30'000;
constexpr size_t kConfigFileBytesMax = 1u << 20;

constexpr char kUsage[] =
    "usage: shulian-load shulian --network DIR [--servers URL,...] [options]\n"
    "       shulian-load etcd [--endpoints URL,...] [--network-id ID] [options]\n"
    "       shulian-load compare DIR   (the table of a bench-vs-etcd run's reports)\n"
    "options: --transactions N --concurrency C --batch B --warmup N --presign-max N\n"
    "         --wait-timeout-ms MS --target leader|all --users N --providers N\n"
    "         --assets-per-provider N --grants-per-user N --mix ACCESS,REGISTER,REQUEST\n"
    "         --authorities CODE,... --tag T --seed S --operator ACCOUNT\n"
    "         --pids PID,... --pid-files FILE,... --pid-dir DIR --json\n";

struct ToolOptions {
  std::string system;
  std::string network_dir;
  std::vector<std::string> servers;
  std::string target = "leader";
  std::string operator_account;
  uint64_t transactions = 10'000;
  uint32_t concurrency = 16;
  uint32_t batch = 1;
  uint64_t warmup = 0;
  uint64_t presign_max = 20'000;
  uint64_t wait_timeout_ms = 10'000;
  bool json = false;
  std::vector<std::pair<std::string, pid_t>> pids;  // label, pid
  WorkloadOptions workload;
};

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string_view::npos ? text.size() : comma;
    if (end > start) out.emplace_back(text.substr(start, end - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<uint64_t> ParseCount(std::string_view flag, std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 19) {
    return Status::InvalidArgument(std::string(flag) + ": expected a number, got '" + std::string(text) + "'");
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument(std::string(flag) + ": expected a number, got '" + std::string(text) + "'");
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value < min || value > max) {
    return Status::InvalidArgument(std::string(flag) + ": " + std::to_string(min) + ".." + std::to_string(max) +
                                   ", got " + std::string(text));
  }
  return value;
}

std::string NormalizeUrl(std::string url) {
  if (url.find("://") == std::string::npos) url = "http://" + url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Result<std::string> ReadSmallFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::NotFound(path.string() + ": cannot open");
  std::string text(kConfigFileBytesMax + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  if (text.size() > kConfigFileBytesMax) return Status::InvalidArgument(path.string() + ": larger than 1 MiB");
  return text;
}

Result<json> ReadJsonFile(const fs::path& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return Status::InvalidArgument(path.string() + ": not a JSON object");
  return parsed;
}

Result<pid_t> ParsePid(std::string_view flag, std::string_view text) {
  std::string trimmed(text);
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  ASSIGN_OR_RETURN(uint64_t pid, ParseCount(flag, trimmed, 1, 4'194'304));
  return static_cast<pid_t>(pid);
}

Status AddPidFile(ToolOptions& options, std::string_view flag, const fs::path& path) {
  Result<std::string> text = ReadSmallFile(path);
  if (!text.ok()) return Status::InvalidArgument(std::string(flag) + ": " + text.status().message());
  ASSIGN_OR_RETURN(pid_t pid, ParsePid(std::string(flag) + " " + path.string(), *text));
  options.pids.emplace_back(path.stem().string(), pid);
  return Status::Ok();
}

Status ParseMix(std::string_view text, Mix& mix) {
  std::vector<std::string> parts = SplitList(text);
  if (parts.size() != 3) return Status::InvalidArgument("--mix: expected ACCESS,REGISTER,REQUEST percentages");
  ASSIGN_OR_RETURN(uint64_t access, ParseCount("--mix", parts[0], 0, 100));
  ASSIGN_OR_RETURN(uint64_t reg, ParseCount("--mix", parts[1], 0, 100));
  ASSIGN_OR_RETURN(uint64_t request, ParseCount("--mix", parts[2], 0, 100));
  mix = {static_cast<uint32_t>(access), static_cast<uint32_t>(reg), static_cast<uint32_t>(request)};
  return Status::Ok();
}

std::string RandomTag() {
  std::random_device device;
  constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string tag;
  for (int i = 0; i < 6; ++i) tag += kDigits[device() % 36];
  return tag;
}

// One flag and its value (or "" for --json).
Status ApplyFlag(ToolOptions& o, const std::string& flag, const std::string& value) {
  auto count = [&](uint64_t min, uint64_t max) { return ParseCount(flag, value, min, max); };
  auto u32 = [&](uint32_t& field, uint64_t min, uint64_t max) -> Status {
    ASSIGN_OR_RETURN(uint64_t parsed, count(min, max));
    field = static_cast<uint32_t>(parsed);
    return Status::Ok();
  };
  auto u64 = [&](uint64_t& field, uint64_t min, uint64_t max) -> Status {
    ASSIGN_OR_RETURN(field, count(min, max));
    return Status::Ok();
  };
  if (flag == "--network") o.network_dir = value;
  else if (flag == "--servers" || flag == "--endpoints") {
    o.servers.clear();
    for (std::string& url : SplitList(value)) o.servers.push_back(NormalizeUrl(url));
  } else if (flag == "--target") {
    if (value != "leader" && value != "all") return Status::InvalidArgument("--target: leader or all, got " + value);
    o.target = value;
  } else if (flag == "--operator") o.operator_account = value;
  else if (flag == "--network-id") o.workload.network_id = value;
  else if (flag == "--transactions") return u64(o.transactions, 1, kTransactionsMax);
  else if (flag == "--concurrency") return u32(o.concurrency, 1, kConcurrencyMax);
  else if (flag == "--batch") return u32(o.batch, 1, kShulianBatchMax);
  else if (flag == "--warmup") return u64(o.warmup, 0, kTransactionsMax);
  else if (flag == "--presign-max") return u64(o.presign_max, 1, kPresignMaxLimit);
  else if (flag == "--wait-timeout-ms") return u64(o.wait_timeout_ms, 1, kWaitTimeoutMsMax);
  else if (flag == "--users") return u32(o.workload.users, 1, kUsersMax);
  else if (flag == "--providers") return u32(o.workload.providers, 1, kProvidersMax);
  else if (flag == "--assets-per-provider") return u32(o.workload.assets_per_provider, 1, kAssetsPerProviderMax);
  else if (flag == "--grants-per-user") return u32(o.workload.grants_per_user, 1, kGrantsPerUserMax);
  else if (flag == "--mix") return ParseMix(value, o.workload.mix);
  else if (flag == "--authorities") o.workload.authorities = SplitList(value);
  else if (flag == "--tag") o.workload.tag = value;
  else if (flag == "--seed") o.workload.seed = value;
  else if (flag == "--pids") {
    for (const std::string& text : SplitList(value)) {
      ASSIGN_OR_RETURN(pid_t pid, ParsePid(flag, text));
      o.pids.emplace_back("pid " + text, pid);
    }
  } else if (flag == "--pid-files") {
    for (const std::string& path : SplitList(value)) RETURN_IF_ERROR(AddPidFile(o, flag, path));
  } else if (flag == "--pid-dir") {
    std::error_code error;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(value, error)) {
      if (entry.path().extension() == ".pid") files.push_back(entry.path());
    }
    if (error) return Status::InvalidArgument("--pid-dir " + value + ": " + error.message());
    if (files.empty()) return Status::InvalidArgument("--pid-dir " + value + ": no *.pid files");
    std::sort(files.begin(), files.end());
    for (const fs::path& path : files) RETURN_IF_ERROR(AddPidFile(o, flag, path));
  } else {
    return Status::InvalidArgument("unknown option " + flag);
  }
  return Status::Ok();
}

Result<ToolOptions> ParseArgs(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "shulian" && args[0] != "etcd")) {
    return Status::InvalidArgument("the first argument is the system to drive: shulian or etcd");
  }
  ToolOptions o;
  o.system = args[0];
  o.workload.seed = "shulian-load";
  for (size_t i = 1; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    if (flag.rfind("--", 0) != 0) return Status::InvalidArgument("unexpected argument '" + flag + "'");
    std::string value;
    if (const size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::InvalidArgument(flag + ": needs a value");
    }
    RETURN_IF_ERROR(ApplyFlag(o, flag, value));
  }
  if (o.workload.tag.empty()) o.workload.tag = RandomTag();
  if (o.system == "etcd") {
    if (o.servers.empty()) o.servers = {"http://127.0.0.1:2379"};
    if (o.workload.network_id.empty()) o.workload.network_id = "local-3";
    if (o.batch > kEtcdBatchMax) {
      return Status::InvalidArgument("--batch: at most " + std::to_string(kEtcdBatchMax) +
                                     " for etcd (its default --max-txn-ops)");
    }
  } else if (o.network_dir.empty()) {
    return Status::InvalidArgument("--network: required (a directory written by `shulian network init`)");
  }
  return o;
}

// ----------------------------------------------------------------------------
// Shulian: the network directory, the leader, the setup.

struct Network {
  std::string network_id;
  crypto::Digest genesis_hash;
  std::string operator_id;
  std::optional<crypto::KeyPair> operator_key;
  std::vector<std::string> api_urls;
};

Result<Network> LoadNetwork(const ToolOptions& options) {
  const fs::path dir = options.network_dir;
  Result<json> accounts = ReadJsonFile(dir / "accounts.json");
  if (!accounts.ok()) return Status::InvalidArgument("--network: " + accounts.status().message());
  Network network;
  if (!accounts->contains("network_id") || !(*accounts)["network_id"].is_string() ||
      !accounts->contains("accounts") || !(*accounts)["accounts"].is_array()) {
    return Status::InvalidArgument("--network: accounts.json lacks network_id or accounts");
  }
  network.network_id = (*accounts)["network_id"].get<std::string>();
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile((dir / "genesis.json").string());
  if (!genesis.ok()) return Status::InvalidArgument("--network: genesis.json: " + genesis.status().message());
  network.genesis_hash = genesis->Hash();
  std::string key_file;
  for (const json& account : (*accounts)["accounts"]) {
    const std::string id = account.value("id", "");
    const json roles = account.value("roles", json::array());
    const bool is_operator = std::find(roles.begin(), roles.end(), json("operator")) != roles.end();
    if ((options.operator_account.empty() && is_operator) || id == options.operator_account) {
      network.operator_id = id;
      key_file = account.value("key_file", "");
      break;
    }
  }
  if (network.operator_id.empty()) {
    return Status::InvalidArgument("--network: no operator account in accounts.json (or --operator " +
                                   options.operator_account + " not found)");
  }
  Result<crypto::KeyPair> key = crypto::KeyPair::LoadFromFile(dir / key_file);
  if (!key.ok()) return Status::InvalidArgument("--network: operator key: " + key.status().message());
  network.operator_key.emplace(std::move(key).value());
  std::vector<fs::path> configs;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("node-", 0) == 0 && entry.path().extension() == ".json") configs.push_back(entry.path());
  }
  std::sort(configs.begin(), configs.end());
  for (const fs::path& path : configs) {
    ASSIGN_OR_RETURN(json config, ReadJsonFile(path));
    if (!config.contains("api_address") || !config["api_address"].is_string()) {
      return Status::InvalidArgument(path.string() + ": no api_address");
    }
    network.api_urls.push_back(NormalizeUrl(config["api_address"].get<std::string>()));
  }
  if (!options.servers.empty()) network.api_urls = options.servers;
  if (network.api_urls.empty()) return Status::InvalidArgument("--network: no node-<id>.json and no --servers");
  return network;
}

Result<std::unique_ptr<api::ApiClient>> MakeClient(const std::string& url, uint64_t read_timeout_ms) {
  api::ClientOptions options;
  options.base_url = url;
  options.connect_timeout_ms = 2'000;
  options.read_timeout_ms = read_timeout_ms;
  return api::ApiClient::Create(options);
}

// The server whose /v1/status says it leads, once every server that answers
// names that same leader (not in the middle of an election); waits for it.
Result<std::string> FindShulianLeader(const std::vector<std::string>& urls) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kLeaderWaitMs);
  std::string last_error = "no server answered";
  while (std::chrono::steady_clock::now() < deadline) {
    std::string leader;
    std::set<std::string> named;  // leader_id as each answering server reports it
    for (const std::string& url : urls) {
      ASSIGN_OR_RETURN(auto client, MakeClient(url, 5'000));
      Result<json> status = client->GetStatus();
      if (!status.ok()) {
        last_error = url + ": " + status.status().message();
        continue;
      }
      named.insert(status->value("leader_id", json()).dump());
      if (status->value("role", "") == "leader") leader = url;
    }
    if (!leader.empty() && named.size() == 1) return leader;
    if (named.size() > 1) last_error = "servers name different leaders";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Status::Unavailable("no leader all servers agree on among " + std::to_string(urls.size()) + " servers in " +
                             std::to_string(kLeaderWaitMs / 1000) + " s (" + last_error + ")");
}

std::string HexList(const std::vector<const ledger::Transaction*>& txs) {
  std::string list = "[";
  for (size_t i = 0; i < txs.size(); ++i) list += (i ? ",\"" : "\"") + ToHex(txs[i]->Encode()) + "\"";
  return list + "]";
}

// The body of POST /v1/transactions (one) or /v1/transactions/batch (several).
std::string SubmitBody(const std::vector<const ledger::Transaction*>& txs, uint64_t wait_timeout_ms) {
  const std::string head = txs.size() == 1 ? "{\"transaction_hex\":\"" + ToHex(txs[0]->Encode()) + "\""
                                           : "{\"transactions\":" + HexList(txs);
  return head + ",\"wait_for_commit\":true,\"wait_timeout_ms\":" + std::to_string(wait_timeout_ms) + "}";
}

// Submits one setup batch until every transaction committed; a rejection fails.
Status SubmitSetupBatch(api::ApiClient& client, const std::vector<const ledger::Transaction*>& txs,
                        const std::string& phase) {
  const std::string body = "{\"transactions\":" + HexList(txs) + ",\"wait_for_commit\":true,\"wait_timeout_ms\":30000}";
  std::string last = "no answer";
  for (int attempt = 0; attempt < kSetupAttemptsMax; ++attempt) {
    Result<api::ApiResponse> response = client.Send("POST", "/v1/transactions/batch", body);
    if (!response.ok()) return response.status().WithContext("setup " + phase);
    if (response->http_status == 429 || response->http_status == 503) {
      last = response->body.substr(0, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    ASSIGN_OR_RETURN(json answer, api::ApiClient::ToJsonResult(*response));
    if (!answer.contains("results") || !answer["results"].is_array() || answer["results"].size() != txs.size()) {
      return Status::Internal("setup " + phase + ": the answer does not list one result per transaction");
    }
    bool all_committed = true;
    const json& results = answer["results"];
    for (size_t i = 0; i < txs.size(); ++i) {
      const json& result = results[i];
      if (result.value("state", "") != "committed") {
        all_committed = false;
        continue;
      }
      const json& outcome = result["outcome"];
      if (!outcome.is_object() || !outcome.value("accepted", false)) {
        return Status::FailedPrecondition("setup " + phase + ": the ledger rejected a transaction from " +
                                          txs[i]->sender + ": " + (outcome.is_object() ? outcome.dump() : "?"));
      }
    }
    if (all_committed) return Status::Ok();
    last = "not committed within the wait";  // resubmitting returns the committed ones' status
  }
  return Status::Unavailable("setup " + phase + ": gave up after " + std::to_string(kSetupAttemptsMax) +
                             " attempts: " + last);
}

Status RunSetup(const std::string& leader, const Network& network, const Workload& workload) {
  static const char* kPhaseNames[] = {"register accounts", "register assets", "request shares", "approve shares"};
  ASSIGN_OR_RETURN(auto client, MakeClient(leader, 75'000));
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto phases = workload.SetupPhases(network.operator_id, *network.operator_key, now_ms);
  for (size_t p = 0; p < phases.size(); ++p) {
    for (size_t start = 0; start < phases[p].size(); start += kSetupBatchMax) {
      std::vector<const ledger::Transaction*> batch;
      for (size_t i = start; i < std::min(phases[p].size(), start + kSetupBatchMax); ++i) {
        batch.push_back(&phases[p][i]);
      }
      RETURN_IF_ERROR(SubmitSetupBatch(*client, batch, kPhaseNames[p]));
    }
  }
  return Status::Ok();
}

// ----------------------------------------------------------------------------
// etcd: the leader and the request bodies.

std::string Base64(ByteView bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint32_t{bytes[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// The endpoint whose member id is the leader's (POST /v3/maintenance/status).
Result<std::string> FindEtcdLeader(const std::vector<std::string>& urls) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kLeaderWaitMs);
  std::string last_error = "no endpoint answered";
  while (std::chrono::steady_clock::now() < deadline) {
    for (const std::string& url : urls) {
      ASSIGN_OR_RETURN(auto client, MakeClient(url, 5'000));
      Result<api::ApiResponse> response = client->Send("POST", "/v3/maintenance/status", "{}");
      if (!response.ok()) {
        last_error = url + ": " + response.status().message();
        continue;
      }
      const json status = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
      if (status.is_discarded() || !status.is_object() || !status.contains("header")) {
        last_error = url + ": unexpected status answer (HTTP " + std::to_string(response->http_status) + ")";
        continue;
      }
      const std::string member = status["header"].value("member_id", "");
      if (!member.empty() && member == status.value("leader", "")) return url;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Status::Unavailable("no etcd leader among " + std::to_string(urls.size()) + " endpoints (" + last_error +
                             ")");
}

std::string EtcdPut(const std::string& key, const Bytes& value) {
  return "{\"key\":\"" + Base64(AsBytes(key)) + "\",\"value\":\"" + Base64(value) + "\"}";
}

// ----------------------------------------------------------------------------
// The run.

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Prepared {
  std::vector<HttpRequest> requests;
  uint64_t tx_bytes = 0;
  uint64_t request_bytes = 0;
};

Prepared PrepareRequests(const ToolOptions& options, Workload& workload, uint64_t count, uint64_t& serial) {
  Prepared prepared;
  const std::vector<ledger::Transaction> txs = workload.Generate(count, NowMs());
  for (size_t start = 0; start < txs.size(); start += options.batch) {
    const size_t end = std::min(txs.size(), start + options.batch);
    HttpRequest request;
    request.transactions = static_cast<uint32_t>(end - start);
    if (options.system == "shulian") {
      std::vector<const ledger::Transaction*> batch;
      for (size_t i = start; i < end; ++i) batch.push_back(&txs[i]);
      request.target = batch.size() == 1 ? "/v1/transactions" : "/v1/transactions/batch";
      request.body = SubmitBody(batch, options.wait_timeout_ms);
      for (const auto* tx : batch) prepared.tx_bytes += tx->Encode().size();
    } else {
      std::vector<std::string> puts;
      for (size_t i = start; i < end; ++i) {
        const Bytes value = txs[i].Encode();
        prepared.tx_bytes += value.size();
        puts.push_back(EtcdPut("shulian-load/" + options.workload.tag + "/" + std::to_string(++serial), value));
      }
      if (puts.size() == 1) {
        request.target = "/v3/kv/put";
        request.body = puts[0];
      } else {
        request.target = "/v3/kv/txn";
        request.body = "{\"success\":[";
        for (size_t i = 0; i < puts.size(); ++i) request.body += (i ? ",{\"request_put\":" : "{\"request_put\":") + puts[i] + "}";
        request.body += "]}";
      }
    }
    prepared.request_bytes += request.body.size();
    prepared.requests.push_back(std::move(request));
  }
  return prepared;
}

// CPU time of the watched processes and of this tool, summed over the timed
// chunks only: signing between chunks and the warm-up are not counted.
class CpuMeter {
 public:
  explicit CpuMeter(const std::vector<std::pair<std::string, pid_t>>& pids)
      : pids_(pids), spent_us_(pids.size(), 0), readable_(pids.size(), true) {}

  void Start() { start_ = Sample(); }
  void Stop() {
    const Snapshot end = Sample();
    client_us_ += end.client_us - start_.client_us;
    for (size_t i = 0; i < pids_.size(); ++i) {
      if (!start_.servers_us[i] || !end.servers_us[i]) {
        readable_[i] = false;
      } else {
        spent_us_[i] += *end.servers_us[i] - *start_.servers_us[i];
      }
    }
  }

  // The CPU time of each watched process into `report`; a process that could
  // not be read at every chunk gets a note instead of a partial figure.
  void Fill(Report& report) const {
    report.client_cpu_us = client_us_;
    for (ProcessFigures& p : report.processes) {
      for (size_t i = 0; i < pids_.size(); ++i) {
        if (pids_[i].second != p.pid) continue;
        if (readable_[i]) {
          p.cpu_us = spent_us_[i];
          p.cpu_measured = true;
        } else {
          report.notes.push_back(p.label + ": CPU time could not be read during the run");
        }
      }
    }
  }

 private:
  struct Snapshot {
    std::vector<std::optional<uint64_t>> servers_us;
    uint64_t client_us = 0;
  };

  Snapshot Sample() const {
    Snapshot snapshot;
    for (const auto& [label, pid] : pids_) {
      Result<uint64_t> cpu = ReadProcessCpuMicros(pid);
      snapshot.servers_us.push_back(cpu.ok() ? std::optional<uint64_t>(*cpu) : std::nullopt);
    }
    rusage self{};
    if (getrusage(RUSAGE_SELF, &self) == 0) {
      auto micros = [](const timeval& t) {
        return static_cast<uint64_t>(t.tv_sec) * 1'000'000 + static_cast<uint64_t>(t.tv_usec);
      };
      snapshot.client_us = micros(self.ru_utime) + micros(self.ru_stime);
    }
    return snapshot;
  }

  std::vector<std::pair<std::string, pid_t>> pids_;
  std::vector<uint64_t> spent_us_;
  std::vector<bool> readable_;
  uint64_t client_us_ = 0;
  Snapshot start_;
};

Result<Report> Run(const ToolOptions& options_in) {
  ToolOptions options = options_in;
  Report report;
  report.system = options.system;
  report.concurrency = options.concurrency;
  report.batch = options.batch;
  DriveOptions drive;
  drive.concurrency = options.concurrency;
  drive.read_timeout_ms = options.wait_timeout_ms + 15'000;
  std::string leader;
  std::optional<Network> network;
  if (options.system == "shulian") {
    ASSIGN_OR_RETURN(network, LoadNetwork(options));
    options.workload.network_id = network->network_id;
    options.workload.genesis_hash = network->genesis_hash;
  }
  ASSIGN_OR_RETURN(Workload workload, Workload::Create(options.workload));
  if (network) {
    ASSIGN_OR_RETURN(leader, FindShulianLeader(network->api_urls));
    const auto setup_start = std::chrono::steady_clock::now();
    RETURN_IF_ERROR(RunSetup(leader, *network, workload));
    report.setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
    drive.base_urls = options.target == "leader" ? std::vector<std::string>{leader} : network->api_urls;
    drive.probe_target = "/healthz";
  } else {
    ASSIGN_OR_RETURN(leader, FindEtcdLeader(options.servers));
    drive.base_urls = options.target == "leader" ? std::vector<std::string>{leader} : options.servers;
    drive.probe_target = "/health";
  }
  report.target = drive.base_urls.size() == 1 ? drive.base_urls[0] : std::to_string(drive.base_urls.size()) + " servers";
  const Judge judge = options.system == "shulian" ? Judge(JudgeShulian) : Judge(JudgeEtcd);
  uint64_t serial = 0;
  if (options.warmup > 0) {
    Prepared warm = PrepareRequests(options, workload, options.warmup, serial);
    ASSIGN_OR_RETURN(DriveResult ignored, Drive(warm.requests, drive, judge));
    (void)ignored;
  }
  // Signed in chunks so that no transaction's client time leaves the ledger's
  // window (5 minutes by default) before it is submitted.
  uint64_t tx_bytes = 0, request_bytes = 0;
  CpuMeter cpu(options.pids);
  for (uint64_t done = 0; done < options.transactions;) {
    const uint64_t count = std::min(options.presign_max, options.transactions - done);
    const auto sign_start = std::chrono::steady_clock::now();
    Prepared chunk = PrepareRequests(options, workload, count, serial);
    report.sign_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - sign_start).count();
    cpu.Start();
    ASSIGN_OR_RETURN(DriveResult result, Drive(chunk.requests, drive, judge));
    cpu.Stop();
    report.elapsed_s += result.elapsed_s;
    report.tally.Merge(std::move(result.tally));
    report.requests += chunk.requests.size();
    tx_bytes += chunk.tx_bytes;
    request_bytes += chunk.request_bytes;
    done += count;
  }
  report.transactions = options.transactions;
  report.tx_bytes_mean = static_cast<double>(tx_bytes) / static_cast<double>(options.transactions);
  report.request_bytes_mean = static_cast<double>(request_bytes) / static_cast<double>(report.requests);
  report.latency = SummarizeLatencies(report.tally.latencies_us);
  for (const auto& [label, pid] : options.pids) {
    Result<ProcessFigures> memory = ReadProcessMemory(pid, label);
    if (memory.ok()) {
      report.processes.push_back(*memory);
    } else {
      report.notes.push_back(memory.status().message());
    }
  }
  cpu.Fill(report);
  return report;
}

}  // namespace

int RunLoadTool(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] == "compare") {
    if (args.size() != 2) {
      err << "shulian-load: compare takes one directory\n" << kUsage;
      return kExitUsage;
    }
    Result<Comparison> comparison = LoadComparison(args[1]);
    if (!comparison.ok()) {
      err << "shulian-load: " << comparison.status().message() << "\n";
      return kExitFailed;
    }
    out << ComparisonToText(*comparison);
    return kExitOk;
  }
  Result<ToolOptions> options = ParseArgs(args);
  if (!options.ok()) {
    err << "shulian-load: " << options.status().message() << "\n" << kUsage;
    return kExitUsage;
  }
  Status init = crypto::Initialize();
  if (!init.ok()) {
    err << "shulian-load: " << init.message() << "\n";
    return kExitFailed;
  }
  Status valid = ValidateWorkloadOptions([&] {
    WorkloadOptions w = options->workload;
    if (w.network_id.empty()) w.network_id = "unchecked";
    return w;
  }());
  if (!valid.ok()) {
    err << "shulian-load: " << valid.message() << "\n" << kUsage;
    return kExitUsage;
  }
  Result<Report> report = Run(*options);
  if (!report.ok()) {
    err << "shulian-load: " << report.status().message() << "\n";
    return report.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  if (options->json) {
    out << ReportToJson(*report).dump() << "\n";
  } else {
    out << ReportToText(*report);
  }
  return kExitOk;
}

}  // namespace shulian::load
