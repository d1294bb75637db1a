// What a running node shows about itself: GET /v1/status with the Raft
// membership and, on the leader, each peer's match index and lag; `shulian
// status`. Three real nodes
// (LevelDB, Ed25519, the peer transport, the HTTP API) run in this process on
// 127.0.0.1. Also: the node's query list is the one docs/api.md and
// api/openapi.json describe.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"
#include "crypto/sha256.h"
#include "ledger/bodies.h"
#include "ledger/genesis.h"
#include "node/cli/cli.h"
#include "node/log.h"
#include "node/node.h"
#include "node/node_impl.h"  // LedgerQueryInfos: the node's query list
#include "tests/process/test_ports.h"

namespace shulian::node {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kNetworkId[] = "observe-test";
constexpr auto kWaitMax = 20s;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

crypto::KeyPair KeyFor(const std::string& name) {
  crypto::Digest seed = crypto::Sha256(AsBytes("observability-test-key/" + name));
  return std::move(crypto::KeyPair::FromSeed(seed.bytes)).value();
}

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(SHULIAN_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Three validators of one network, each a Node in this process, with their
// genesis, keys and data under a fresh temporary directory.
class InProcessNetwork {
 public:
  // `edit` may change each node's config before it starts.
  explicit InProcessNetwork(const std::function<void(NodeConfig&)>& edit = {}) {
    EXPECT_TRUE(crypto::Initialize().ok());
    std::string pattern = (fs::temp_directory_path() / "shulian-observe-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    WriteGenesis();
    std::vector<PeerEntry> peers;
    for (uint64_t id = 1; id <= kNodes; ++id) {
      const std::string name = "node-" + std::to_string(id);
      EXPECT_TRUE(KeyFor(name).SaveToFile(dir_ / (name + ".key")).ok());
      peers.push_back({id,
                       {"127.0.0.1", test_ports::UnusedTestPort()},
                       {"127.0.0.1", test_ports::UnusedTestPort()},
                       KeyFor(name).public_key()});
    }
    for (uint64_t id = 1; id <= kNodes; ++id) {
      NodeConfig c;
      c.config_dir = dir_;
      c.network_id = kNetworkId;
      c.genesis_path = dir_ / "genesis.json";
      c.node_id = id;
      c.node_key_path = dir_ / ("node-" + std::to_string(id) + ".key");
      c.data_dir = dir_ / ("data-" + std::to_string(id));
      c.listen_address = peers[id - 1].address;
      c.api_address = peers[id - 1].api_address;
      c.peers = peers;
      c.log_level = "warn";
      c.limits.tick_ms = 20;
      c.limits.election_ticks = 10;
      c.limits.heartbeat_ticks = 1;
      c.limits.api_handler_threads = 8;
      c.limits.api_io_threads = 1;
      if (edit) edit(c);
      Result<std::unique_ptr<Node>> started = Node::Start(c);
      EXPECT_TRUE(started.ok()) << started.status().ToString();
      if (started.ok()) nodes_.push_back(std::move(started).value());
    }
  }
  ~InProcessNetwork() {
    for (auto& node : nodes_) node->Stop();
    nodes_.clear();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static constexpr uint64_t kNodes = 3;
  bool started() const { return nodes_.size() == kNodes; }
  Node& node(uint64_t id) { return *nodes_.at(id - 1); }
  std::string Server(uint64_t id) { return "127.0.0.1:" + std::to_string(node(id).api_port()); }

  // The leader every node names, once they agree and each knows its membership; 0 on timeout.
  uint64_t WaitForLeaderAndMembership() {
    const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
    while (std::chrono::steady_clock::now() < deadline) {
      std::set<uint64_t> leaders;
      bool all_known = true;
      for (auto& n : nodes_) {
        Result<api::NodeStatus> s = n->GetStatus();
        if (!s.ok() || !s->leader_id || !s->membership) {
          all_known = false;
          break;
        }
        leaders.insert(*s->leader_id);
      }
      if (all_known && leaders.size() == 1) return *leaders.begin();
      std::this_thread::sleep_for(50ms);
    }
    return 0;
  }

  const crypto::Digest& genesis_hash() const { return genesis_hash_; }

 private:
  void WriteGenesis() {
    ledger::Genesis g;
    g.network_id = kNetworkId;
    g.genesis_time_ms = NowMs() - 86'400'000;
    g.authorities = {{"320000", "江苏省大数据管理中心", ledger::AuthorityLevel::kProvince, ""},
                     {"321200", "泰州市数据局", ledger::AuthorityLevel::kMunicipality, "320000"}};
    g.accounts.push_back(
        {"tz.prov", "321200", {ledger::Role::kProvider}, KeyFor("tz.prov").public_key(), "tz.prov"});
    for (uint64_t id = 1; id <= kNodes; ++id) {
      const std::string name = "node-" + std::to_string(id);
      g.validators.push_back({id, name, id == 1 ? "320000" : "321200", KeyFor(name).public_key()});
    }
    g.Canonicalize();
    Status valid = g.Validate();
    EXPECT_TRUE(valid.ok()) << valid.ToString();
    std::ofstream(dir_ / "genesis.json") << g.ToJson().dump(2);
    genesis_hash_ = g.Hash();
  }

  fs::path dir_;
  crypto::Digest genesis_hash_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

std::unique_ptr<api::ApiClient> ClientFor(const std::string& server) {
  api::ClientOptions options;
  options.base_url = "http://" + server;
  Result<std::unique_ptr<api::ApiClient>> client = api::ApiClient::Create(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

TEST(NodeObservabilityTest, StatusShowsRaftMembershipAndTheLeadersViewOfEachPeer) {
  // Proves /v1/status on every node lists the voters (and no learners or removed ids), each peer as a voter,
  // and on the leader only each peer's match index and lag; `shulian status` prints the same.
  InProcessNetwork net;
  ASSERT_TRUE(net.started());
  const uint64_t leader = net.WaitForLeaderAndMembership();
  ASSERT_NE(leader, 0u) << "no leader, or a node without a known membership";
  for (uint64_t id = 1; id <= InProcessNetwork::kNodes; ++id) {
    Result<api::NodeStatus> s = net.node(id).GetStatus();
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s->membership.has_value());
    EXPECT_EQ(s->membership->voters, (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_TRUE(s->membership->learners.empty());
    EXPECT_TRUE(s->membership->removed.empty());
    ASSERT_EQ(s->peers.size(), 2u);
    for (const api::PeerStatus& peer : s->peers) {
      EXPECT_EQ(peer.member, std::optional<std::string>("voter"))
          << "node " << id << " peer " << peer.node_id;
      EXPECT_EQ(peer.match_index.has_value(), id == leader) << "node " << id << " peer " << peer.node_id;
      EXPECT_EQ(peer.lag_entries.has_value(), id == leader);
    }
  }

  std::unique_ptr<api::ApiClient> client = ClientFor(net.Server(leader));
  ASSERT_NE(client, nullptr);
  Result<json> status = client->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ((*status)["membership"], json::parse(R"({"voters": [1, 2, 3], "learners": [], "removed": []})"));
  for (const json& peer : (*status)["peers"]) {
    EXPECT_EQ(peer["member"], "voter");
    EXPECT_TRUE(peer["match_index"].is_number_unsigned()) << peer.dump();
  }

  std::ostringstream out, err;
  ASSERT_EQ(cli::RunCli({"status", "--server", net.Server(leader)}, out, err, {}), cli::kExitOk) << err.str();
  const std::string text = out.str();
  EXPECT_NE(text.find("voters: 1, 2, 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("learners: (none)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("peers: 2\n"), std::string::npos) << text;
  const uint64_t peer = leader == 1 ? 2 : 1;
  EXPECT_NE(text.find("  " + std::to_string(peer) +
                      " 127.0.0.1:" + std::to_string(net.node(peer).peer_port()) + " voter, "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(", match "), std::string::npos) << text;

  // The checkpointer's metrics are exactly those docs/node.md names.
  std::set<std::string> exported;
  for (const api::MetricFamily& family : net.node(leader).Metrics()) {
    if (family.name.rfind("shulian_checkpoint_", 0) == 0) exported.insert(family.name);
  }
  const std::string node_docs = ReadSourceFile("docs/node.md");
  std::set<std::string> documented;
  const std::string prefix = "shulian_checkpoint_";
  for (size_t at = node_docs.find(prefix); at != std::string::npos; at = node_docs.find(prefix, at + 1)) {
    size_t end = at + prefix.size();
    while (end < node_docs.size() &&
           (std::islower(static_cast<unsigned char>(node_docs[end])) || node_docs[end] == '_')) {
      ++end;
    }
    documented.insert(node_docs.substr(at, end - at));
  }
  EXPECT_EQ(exported.size(), 11u);
  EXPECT_EQ(exported, documented);
}

// Proves the leader runs Ed25519 once per submitted transaction although three
// layers check it (the API, the admission under the ledger lock, the apply), and a
// follower once (at apply); outcomes are those of a full verification.
TEST(NodeObservabilityTest, TheLeaderVerifiesEachSubmittedSignatureOnce) {
  InProcessNetwork net;
  ASSERT_TRUE(net.started());
  const uint64_t leader = net.WaitForLeaderAndMembership();
  ASSERT_NE(leader, 0u);
  std::unique_ptr<api::ApiClient> client = ClientFor(net.Server(leader));
  ASSERT_NE(client, nullptr);
  constexpr uint64_t kSubmitted = 4;
  const crypto::Digest genesis_hash = net.genesis_hash();
  for (uint64_t i = 0; i < kSubmitted; ++i) {
    ledger::Transaction tx;
    tx.type = ledger::TxType::kRaiseObjection;
    tx.network_id = kNetworkId;
    tx.sender = "tz.prov";
    tx.client_time_ms = NowMs();
    tx.nonce = i;
    tx.body = ledger::RaiseObjectionBody{{}, "o" + std::to_string(i), "no-such-asset", ledger::ObjectionKind::kError,
                                         {}, crypto::Sha256(AsBytes("d")), std::nullopt}
                  .Encode();
    tx.Sign(KeyFor("tz.prov"), genesis_hash);
    Result<json> submitted = client->Submit(tx, /*wait_for_commit=*/true);
    ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
    EXPECT_EQ((*submitted)["state"], "committed") << submitted->dump();
  }
  ledger::Transaction forged;
  forged.type = ledger::TxType::kRaiseObjection;
  forged.network_id = kNetworkId;
  forged.sender = "tz.prov";
  forged.client_time_ms = NowMs();
  forged.body = ledger::RaiseObjectionBody{}.Encode();
  forged.Sign(KeyFor("someone else"), genesis_hash);
  EXPECT_FALSE(client->Submit(forged, true).ok());
  auto metric = [&](uint64_t id, const std::string& name) {
    for (const api::MetricFamily& family : net.node(id).Metrics()) {
      if (family.name == name) return family.samples.at(0).value;
    }
    ADD_FAILURE() << name << " missing on node " << id;
    return -1.0;
  };
  // The forged one is verified (and refused) by the API only.
  EXPECT_EQ(metric(leader, "shulian_signature_cache_misses_total"), kSubmitted + 1);
  EXPECT_EQ(metric(leader, "shulian_signature_cache_hits_total"), 2 * kSubmitted);
  EXPECT_EQ(metric(leader, "shulian_signature_cache_entries"), kSubmitted);
  const uint64_t follower = leader == 1 ? 2 : 1;
  for (int i = 0; i < 200 && metric(follower, "shulian_signature_cache_misses_total") < kSubmitted; ++i) {
    std::this_thread::sleep_for(25ms);
  }
  EXPECT_EQ(metric(follower, "shulian_signature_cache_misses_total"), kSubmitted);
  EXPECT_EQ(metric(follower, "shulian_signature_cache_hits_total"), 0);
}

// A TCP connection from `source` (a loopback address other than the nodes' own
// 127.0.0.1) to 127.0.0.1:`port` that never sends a byte.
class SilentConnection {
 public:
  SilentConnection(const char* source, uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) == 0;
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    remote.sin_port = htons(port);
    connected_ = bound_ && ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) == 0;
    timeval timeout{3, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~SilentConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  // True once the node has closed the connection, within the 3 s receive timeout.
  bool ClosedByNode() {
    char byte;
    while (true) {
      const ssize_t got = ::recv(fd_, &byte, 1, 0);
      if (got == 0 || (got < 0 && errno == ECONNRESET)) return true;
      if (got < 0) return false;  // timed out
    }
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
  bool connected_ = false;
};

// Asks node 1 of a network configured by `configure`, as the Taizhou provider,
// for the query `name` over one week of Taizhou (321200).
Result<api::QueryPage> AskForAWeek(const std::function<void(NodeConfig&)>& configure, const std::string& name) {
  InProcessNetwork net(configure);
  if (!net.started()) return Status::Internal("the network did not start");
  api::QueryRequest request;
  request.name = name;
  request.params = {{"authority_id", "321200"}, {"from_day", "2026-03-02"}, {"to_day", "2026-03-09"}};
  request.consistency = api::ReadConsistency::kStale;
  request.caller.account = "tz.prov";
  return net.node(1).Query(request);
}

TEST(NodeObservabilityTest, TheRollupLimitsFromTheConfigReachTheQueries) {
  // Proves limits.rollup_days_max bounds the node's rollup_counts query: a week is
  // answered at the default and refused naming the configured bound of 6 days.
  for (const uint64_t days_max : {uint64_t{366}, uint64_t{6}}) {
    Result<api::QueryPage> answer =
        AskForAWeek([&](NodeConfig& c) { c.limits.rollup_days_max = days_max; }, "rollup_counts");
    if (days_max == 6) {
      EXPECT_EQ(answer.status().code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(answer.status().message().find("1..6 days"), std::string::npos) << answer.status().ToString();
    } else {
      // In range: past the limit, on to scope (a provider sees no subtree).
      EXPECT_EQ(answer.status().code(), ErrorCode::kPermissionDenied) << answer.status().ToString();
    }
  }
}

TEST(NodeObservabilityTest, TheCalendarLimitFromTheConfigReachesTheCalendarQuery) {
  // Proves limits.calendar_days_max bounds the node's calendar query: a week is
  // answered at the default (its seven days marked) and refused naming the
  // configured bound of 6 days.
  for (const uint64_t days_max : {uint64_t{366}, uint64_t{6}}) {
    Result<api::QueryPage> answer =
        AskForAWeek([&](NodeConfig& c) { c.limits.calendar_days_max = days_max; }, "calendar");
    if (days_max == 6) {
      EXPECT_EQ(answer.status().code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(answer.status().message().find("1..6 days"), std::string::npos) << answer.status().ToString();
    } else {
      ASSERT_TRUE(answer.ok()) << answer.status().ToString();
      EXPECT_EQ(answer->result["days"].size(), 7u) << answer->result.dump();
    }
  }
}

TEST(NodeObservabilityTest, UnauthenticatedLoadLimitsFromTheConfigReachThePortsAndMetrics) {
  // Proves the node feeds its config's limits into the transport and the API: a
  // stranger's silent connections to the peer port are cut to
  // pending_handshakes_per_address_max and closed by inbound_handshake_timeout_ms,
  // counted on the node's metrics, and a silent API connection is closed by
  // api_first_request_timeout_ms (each far shorter than the defaults, which would
  // outlast the 3 s waits, and whose value the timeout's log line names); the
  // network meanwhile elects a leader as usual.
  std::mutex log_mutex;
  std::vector<std::string> log_lines;
  SetLogSink([&](const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log_lines.push_back(line);
  });
  struct SinkReset {
    ~SinkReset() { SetLogSink({}); }  // after the nodes stop, before the lines go
  } sink_reset;
  InProcessNetwork net([](NodeConfig& c) {
    c.limits.pending_handshakes_per_address_max = 2;
    c.limits.inbound_handshake_timeout_ms = 300;
    c.limits.api_first_request_timeout_ms = 300;
  });
  ASSERT_TRUE(net.started());
  auto metric = [&](const std::string& name) {
    for (const api::MetricFamily& family : net.node(1).Metrics()) {
      if (family.name == name) return family.samples.at(0).value;
    }
    ADD_FAILURE() << name << " missing";
    return -1.0;
  };
  std::vector<std::unique_ptr<SilentConnection>> strangers;
  for (int i = 0; i < 4; ++i) {
    strangers.push_back(std::make_unique<SilentConnection>("127.0.0.2", net.node(1).peer_port()));
    ASSERT_TRUE(strangers.back()->connected());
  }
  for (auto& stranger : strangers) EXPECT_TRUE(stranger->ClosedByNode());
  const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
  while (std::chrono::steady_clock::now() < deadline &&
         (metric("shulian_transport_inbound_refused_per_address_max_total") < 2 ||
          metric("shulian_transport_inbound_handshakes_timed_out_total") < 2)) {
    std::this_thread::sleep_for(25ms);
  }
  EXPECT_EQ(metric("shulian_transport_inbound_refused_per_address_max_total"), 2);
  EXPECT_EQ(metric("shulian_transport_inbound_handshakes_timed_out_total"), 2);
  EXPECT_EQ(metric("shulian_transport_inbound_refused_pending_max_total"), 0);
  {
    std::lock_guard<std::mutex> lock(log_mutex);
    EXPECT_TRUE(std::any_of(log_lines.begin(), log_lines.end(), [](const std::string& line) {
      return line.find("remote=127.0.0.2") != std::string::npos &&
             line.find("handshake timed out after 300 ms") != std::string::npos;
    }));
  }
  SilentConnection api_stranger("127.0.0.2", net.node(1).api_port());
  ASSERT_TRUE(api_stranger.connected());
  EXPECT_TRUE(api_stranger.ClosedByNode());
  EXPECT_NE(net.WaitForLeaderAndMembership(), 0u);
}

// The cells of the docs/api.md query table row for `name`, or empty.
std::vector<std::string> DocsRow(const std::string& docs, const std::string& name) {
  const std::string start = "\n| `" + name + "` |";
  size_t at = docs.find(start);
  if (at == std::string::npos) return {};
  std::string line = docs.substr(at + 1, docs.find('\n', at + 1) - at - 1);
  std::vector<std::string> cells;
  std::stringstream stream(line);
  std::string cell;
  while (std::getline(stream, cell, '|')) cells.push_back(cell);
  return cells;  // "", name, parameters, paginated, scope, what, method
}

TEST(NodeQueryDocsTest, EveryQueryTheNodeOffersIsDocumentedWithItsParametersAndAnExample) {
  // Proves docs/api.md's query table and api/openapi.json's x-shulian-queries list exactly the node's
  // queries, each with its required and optional parameters and pagination, and docs/api.md shows an example
  // of each.
  const std::string docs = ReadSourceFile("docs/api.md");
  const json spec = json::parse(ReadSourceFile("api/openapi.json"), nullptr, false);
  ASSERT_FALSE(spec.is_discarded());
  const json& operation = spec["paths"]["/v1/query/{name}"]["get"];
  ASSERT_TRUE(operation.contains("x-shulian-queries"));
  std::set<std::string> offered;
  for (const api::QueryInfo& info : LedgerQueryInfos()) {
    SCOPED_TRACE(info.name);
    offered.insert(info.name);
    const std::vector<std::string> row = DocsRow(docs, info.name);
    ASSERT_GE(row.size(), 7u) << "no row in the docs/api.md query table";
    for (const std::string& param : info.required_params) {
      EXPECT_NE(row[2].find("`" + param + "`"), std::string::npos) << param;
      EXPECT_EQ(row[2].find("`" + param + "` (optional)"), std::string::npos) << param;
    }
    for (const std::string& param : info.optional_params) {
      EXPECT_NE(row[2].find("`" + param + "` (optional)"), std::string::npos) << param;
    }
    if (info.required_params.empty() && info.optional_params.empty()) {
      EXPECT_EQ(row[2], " none ");
    }
    EXPECT_EQ(row[3].find("yes") != std::string::npos, info.paginated) << row[3];
    EXPECT_EQ(row[4].find("anyone") != std::string::npos, info.public_access) << row[4];
    EXPECT_NE(docs.find("GET /v1/query/" + info.name + (info.required_params.empty() ? "" : "?")),
              std::string::npos)
        << "no example";

    bool described = false;
    for (const json& q : operation["x-shulian-queries"]) {
      if (q["name"] != info.name) continue;
      described = true;
      EXPECT_EQ(q["required_params"], json(info.required_params));
      EXPECT_EQ(q["optional_params"], json(info.optional_params));
      EXPECT_EQ(q["paginated"], info.paginated);
      EXPECT_EQ(q["public"], info.public_access);
      EXPECT_TRUE(q["scope"].is_string() && !q["scope"].get<std::string>().empty());
    }
    EXPECT_TRUE(described) << "not in openapi.json x-shulian-queries";
  }
  // Nothing documented that the node does not offer.
  std::set<std::string> described;
  for (const json& q : operation["x-shulian-queries"]) described.insert(q["name"].get<std::string>());
  EXPECT_EQ(described, offered);
  std::set<std::string> enumerated;
  for (const json& name : operation["parameters"][0]["schema"]["enum"])
    enumerated.insert(name.get<std::string>());
  EXPECT_EQ(enumerated, offered);
  const size_t table = docs.find("| name | parameters | paginated |");
  ASSERT_NE(table, std::string::npos);
  size_t rows = 0;
  for (size_t at = docs.find("\n| `", table); at != std::string::npos && at < docs.find("\n\n", table);
       at = docs.find("\n| `", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, offered.size())
      << "the docs/api.md query table has rows for queries the node does not offer";
}

}  // namespace
}  // namespace shulian::node
