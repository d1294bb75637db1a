#include "tests/process/network.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "crypto/sha256.h"
#include "ledger/bodies.h"
#include "tests/process/test_ports.h"

#ifndef SHULIAN_NODE_BINARY
#error "SHULIAN_NODE_BINARY must name the shulian-node program"
#endif

namespace shulian::process_test {
namespace {

using namespace std::chrono_literals;

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

crypto::KeyPair KeyFor(const std::string& name) {
  crypto::Digest seed = crypto::Sha256(AsBytes("process-test-key/" + name));
  return std::move(crypto::KeyPair::FromSeed(seed.bytes)).value();
}

TestNetwork::TestNetwork(size_t nodes) {
  EXPECT_TRUE(crypto::Initialize().ok());
  char tmpl[] = "/tmp/shulian_process.XXXXXX";
  EXPECT_NE(mkdtemp(tmpl), nullptr);
  dir_ = tmpl;

  using ledger::AuthorityLevel;
  using ledger::Role;
  genesis_.network_id = kNetworkId;
  genesis_.genesis_time_ms = NowMs() - 86'400'000;
  genesis_.authorities = {{"320000", "江苏省大数据管理中心", AuthorityLevel::kProvince, ""},
                          {"321200", "泰州市数据局", AuthorityLevel::kMunicipality, "320000"},
                          {"320100", "南京市数据局", AuthorityLevel::kMunicipality, "320000"}};
  auto account = [&](std::string id, std::string authority, Role role) {
    genesis_.accounts.push_back({id, std::move(authority), {role}, KeyFor(id).public_key(), id});
  };
  account("tz.prov", "321200", Role::kProvider);
  account("nj.user", "320100", Role::kUser);
  account("court", "", Role::kCourt);
  const char* authorities[] = {"320000", "321200", "320100"};
  for (uint64_t id = 1; id <= nodes; ++id) {
    genesis_.validators.push_back({id, "node-" + std::to_string(id), authorities[(id - 1) % 3],
                                   KeyFor("node-" + std::to_string(id)).public_key()});
  }
  genesis_.Canonicalize();
  Status valid = genesis_.Validate();
  EXPECT_TRUE(valid.ok()) << valid.ToString();
  WriteFile(dir_ / "genesis.json", genesis_.ToJson().dump(2));

  std::filesystem::create_directories(dir_ / "keys");
  std::vector<node::PeerEntry> peers;
  for (uint64_t id = 1; id <= nodes; ++id) {
    const std::string name = "node-" + std::to_string(id);
    EXPECT_TRUE(KeyFor(name).SaveToFile(dir_ / "keys" / (name + ".key")).ok());
    node::PeerEntry peer;
    peer.id = id;
    peer.address = {"127.0.0.1", test_ports::UnusedTestPort()};
    peer.api_address = {"127.0.0.1", test_ports::UnusedTestPort()};
    peer.public_key = KeyFor(name).public_key();
    peers.push_back(peer);
  }
  for (uint64_t id = 1; id <= nodes; ++id) {
    node::NodeConfig c;
    c.config_dir = dir_;
    c.network_id = kNetworkId;
    c.genesis_path = dir_ / "genesis.json";
    c.node_id = id;
    c.node_key_path = dir_ / "keys" / ("node-" + std::to_string(id) + ".key");
    c.data_dir = dir_ / ("data-" + std::to_string(id));
    c.listen_address = peers[id - 1].address;
    c.api_address = peers[id - 1].api_address;
    c.peers = peers;  // the shared list, including this node
    c.limits.tick_ms = 20;
    c.limits.election_ticks = 10;
    c.limits.heartbeat_ticks = 1;
    c.limits.account_requests_per_second = 0;  // load tests drive one account hard
    c.limits.api_address_requests_per_second = 0;  // and every client connects from 127.0.0.1
    c.limits.read_timeout_ms = 3'000;
    configs_.push_back(std::move(c));
  }
  for (uint64_t id = 1; id <= nodes; ++id) WriteConfig(id);
}

TestNetwork::~TestNetwork() {
  for (auto& [id, pid] : pids_) {
    ::kill(pid, SIGCONT);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  if (std::getenv("SHULIAN_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::filesystem::path TestNetwork::ConfigPath(uint64_t id) const {
  return dir_ / ("node-" + std::to_string(id) + ".json");
}
std::filesystem::path TestNetwork::LogPath(uint64_t id) const {
  return dir_ / ("node-" + std::to_string(id) + ".log");
}

void TestNetwork::WriteConfig(uint64_t id) {
  WriteFile(ConfigPath(id), node::NodeConfigToJson(config(id)).dump(2));
}

void TestNetwork::Start(uint64_t id) {
  ASSERT_FALSE(Running(id));
  const std::string config = ConfigPath(id).string();
  const std::string log = LogPath(id).string();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 2);
      ::dup2(fd, 1);
    }
    ::execl(SHULIAN_NODE_BINARY, "shulian-node", "--config", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pids_[id] = pid;
}

void TestNetwork::StartAll() {
  for (uint64_t id = 1; id <= size(); ++id) Start(id);
}

void TestNetwork::Kill(uint64_t id) {
  auto it = pids_.find(id);
  ASSERT_NE(it, pids_.end());
  ::kill(it->second, SIGKILL);
  ::waitpid(it->second, nullptr, 0);
  pids_.erase(it);
}

int TestNetwork::Terminate(uint64_t id) {
  auto it = pids_.find(id);
  if (it == pids_.end()) return -1;
  pid_t pid = it->second;
  pids_.erase(it);
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    std::this_thread::sleep_for(50ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

void TestNetwork::Pause(uint64_t id) {
  ::kill(pids_.at(id), SIGSTOP);
}
void TestNetwork::Resume(uint64_t id) {
  ::kill(pids_.at(id), SIGCONT);
}

std::unique_ptr<api::ApiClient> TestNetwork::Client(uint64_t id, const std::string& account) const {
  api::ClientOptions options;
  options.base_url = "http://" + configs_.at(id - 1).api_address.ToString();
  options.connect_timeout_ms = 1'000;
  options.read_timeout_ms = 20'000;
  if (!account.empty()) {
    options.account = account;
    options.key = std::make_shared<const crypto::KeyPair>(KeyFor(account));
  }
  Result<std::unique_ptr<api::ApiClient>> client = api::ApiClient::Create(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

Result<nlohmann::json> TestNetwork::StatusOf(uint64_t id) const {
  api::ClientOptions options;
  options.base_url = "http://" + configs_.at(id - 1).api_address.ToString();
  options.connect_timeout_ms = 500;
  options.read_timeout_ms = 2'000;
  ASSIGN_OR_RETURN(std::unique_ptr<api::ApiClient> client, api::ApiClient::Create(options));
  return client->GetStatus();
}

uint64_t TestNetwork::WaitForLeader(int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    uint64_t agreed = 0;
    bool all = true;
    for (const auto& [id, pid] : pids_) {
      Result<nlohmann::json> s = StatusOf(id);
      if (!s.ok() || !(*s)["leader_id"].is_number()) {
        all = false;
        break;
      }
      uint64_t leader = (*s)["leader_id"].get<uint64_t>();
      if (agreed != 0 && leader != agreed) all = false;
      agreed = leader;
    }
    if (all && agreed != 0 && pids_.contains(agreed)) return agreed;
    std::this_thread::sleep_for(100ms);
  }
  return 0;
}

std::optional<uint64_t> TestNetwork::WaitForAgreement(uint64_t min_height, int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<std::pair<uint64_t, std::string>> head;
    bool agree = true;
    for (const auto& [id, pid] : pids_) {
      Result<nlohmann::json> s = StatusOf(id);
      if (!s.ok()) {
        agree = false;
        break;
      }
      std::pair<uint64_t, std::string> mine{(*s)["height"].get<uint64_t>(),
                                            (*s)["head_hash"].get<std::string>()};
      if (head && *head != mine) agree = false;
      head = mine;
    }
    if (agree && head && head->first >= min_height) return head->first;
    std::this_thread::sleep_for(100ms);
  }
  return std::nullopt;
}

ledger::Transaction TestNetwork::AssetTx(const std::string& asset_id) const {
  ledger::RegisterAssetBody b;
  b.asset_id = asset_id;
  b.provider_authority = "321200";
  b.source_department = "市场监管局";
  b.dataset_code = "ds-" + asset_id;
  b.name = "企业登记信息 " + asset_id;
  b.description = "registered enterprises";
  b.resource_type = ledger::ResourceType::kThematic;
  b.fields = {"name", "credit_code"};
  b.format = "api/json";
  b.share_type = ledger::ShareType::kUnconditional;
  b.open_type = ledger::OpenType::kNotOpen;
  b.open_reason = "personal information";
  b.open_legal_basis = "个人信息保护法";
  b.content_hash = crypto::Sha256(AsBytes(asset_id));
  b.size_bytes = 1024;
  ledger::Transaction tx;
  tx.type = ledger::TxType::kRegisterAsset;
  tx.network_id = kNetworkId;
  tx.sender = "tz.prov";
  tx.client_time_ms = NowMs();
  tx.nonce = std::hash<std::string>{}(asset_id);
  tx.body = b.Encode();
  tx.Sign(KeyFor("tz.prov"), GenesisHash());
  return tx;
}

crypto::Digest TestNetwork::GenesisHash() const {
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile((dir_ / "genesis.json").string());
  EXPECT_TRUE(genesis.ok()) << genesis.status().ToString();
  return genesis.ok() ? genesis->Hash() : crypto::Digest{};
}

RunResult RunNodeToExit(const std::filesystem::path& config, int timeout_ms, const char* flag) {
  return RunNodeCommand({flag, config.string()}, config, timeout_ms);
}

RunResult RunNodeCommand(const std::vector<std::string>& args, const std::filesystem::path& capture,
                         int timeout_ms) {
  RunResult result;
  std::filesystem::path err = capture, out = capture;
  err += ".stderr";
  out += ".stdout";
  std::vector<char*> argv;
  std::string program = "shulian-node";
  argv.push_back(program.data());
  std::vector<std::string> copies = args;
  for (std::string& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) ::dup2(fd, 2);
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out_fd >= 0) ::dup2(out_fd, 1);
    ::execv(SHULIAN_NODE_BINARY, argv.data());
    ::_exit(127);
  }
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (result.exit_code < 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  auto read = [](const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  result.stderr_text = read(err);
  result.stdout_text = read(out);
  return result;
}

void AddOperator(const TestNetwork& net) {
  const std::string path = (net.dir() / "genesis.json").string();
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(path);
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  genesis->accounts.push_back(
      {kOperator, "320000", {ledger::Role::kOperator}, KeyFor(kOperator).public_key(), "运维"});
  genesis->Canonicalize();
  ASSERT_TRUE(genesis->Validate().ok()) << genesis->Validate().ToString();
  std::ofstream(path, std::ios::trunc) << genesis->ToJson().dump(2);
}

AcknowledgedWriter::AcknowledgedWriter(const TestNetwork& net, std::string prefix)
    : net_(net), prefix_(std::move(prefix)), thread_([this] { Run(); }) {}

void AcknowledgedWriter::Run() {
  for (int i = 0; !stop_; ++i) {
    for (uint64_t id = 1; id <= net_.size() && !stop_; ++id) {
      const ledger::Transaction tx = net_.AssetTx(prefix_ + "-" + std::to_string(i) + "-" + std::to_string(id));
      Result<nlohmann::json> answer = net_.Client(id)->Submit(tx, /*wait_for_commit=*/true, 10'000);
      if (answer.ok() && (*answer)["state"] == "committed") {
        std::lock_guard<std::mutex> lock(mutex_);
        acknowledged_.push_back(tx.Hash().ToHex());
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a node that is down: on to the next
      }
    }
  }
}

void AcknowledgedWriter::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> AcknowledgedWriter::acknowledged() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return acknowledged_;
}

bool AcknowledgedWriter::WaitForMore(size_t more, int timeout_ms) const {
  const size_t target = acknowledged().size() + more;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (acknowledged().size() < target) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return true;
}

void ExpectOnEveryNode(const TestNetwork& net, const std::vector<std::string>& hashes) {
  for (uint64_t id = 1; id <= net.size(); ++id) {
    auto court = net.Client(id, "court");
    for (const std::string& hash : hashes) {
      EXPECT_TRUE(court->GetTransaction(hash, api::ReadConsistency::kStale).ok()) << "node " << id << " lost " << hash;
    }
  }
}

}  // namespace shulian::process_test
