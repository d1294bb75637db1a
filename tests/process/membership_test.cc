// Process-level tests of Raft log compaction with block catch-up, and of Raft
// membership driven by remove_validator transactions: real shulian-node
// processes on 127.0.0.1 (tests/process/network.h).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ledger/bodies.h"
#include "ledger/genesis.h"
#include "tests/process/network.h"

namespace shulian::process_test {
namespace {

using namespace std::chrono_literals;

constexpr int kLeaderTimeoutMs = 15'000;
constexpr int kAgreementTimeoutMs = 30'000;

std::string ReadLog(const TestNetwork& net, uint64_t id) {
  std::ifstream in(net.LogPath(id));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Waits until node `id`'s log contains every one of `needles`.
bool WaitForLog(const TestNetwork& net, uint64_t id, const std::vector<std::string>& needles,
                int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = ReadLog(net, id);
    bool all = true;
    for (const std::string& n : needles) all = all && log.find(n) != std::string::npos;
    if (all) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

bool SubmitCommitted(api::ApiClient& client, const ledger::Transaction& tx) {
  Result<nlohmann::json> answer = client.Submit(tx, /*wait_for_commit=*/true, 10'000);
  return answer.ok() && (*answer)["state"] == "committed" && (*answer)["outcome"]["accepted"] == true;
}

// Small compaction bounds so a few dozen blocks compact the log several times.
void UseSmallCompaction(TestNetwork& net) {
  for (uint64_t id = 1; id <= net.size(); ++id) {
    net.config(id).limits.raft_log_retain_entries = 4;
    net.config(id).limits.raft_log_compact_entries_min = 4;
    net.config(id).limits.catchup_blocks_per_response_max = 3;
    net.config(id).limits.catchup_requests_in_flight_max = 2;
    // Frames queued for a dead peer are delivered when it returns: a short queue
    // makes sure the returning follower cannot catch up from queued appends.
    net.config(id).limits.send_queue_frames_max = 4;
    net.WriteConfig(id);
  }
}

// Makes node `joiner` of a TestNetwork a node the genesis does not list: removes
// it from the genesis validators and from every other node's peers.
void LeaveOutOfGenesis(TestNetwork& net, uint64_t joiner) {
  const std::string path = (net.dir() / "genesis.json").string();
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(path);
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  std::erase_if(genesis->validators, [&](const ledger::Validator& v) { return v.node_id == joiner; });
  ASSERT_TRUE(genesis->Validate().ok()) << genesis->Validate().ToString();
  std::ofstream(path, std::ios::trunc) << genesis->ToJson().dump(2);
  for (uint64_t id = 1; id <= net.size(); ++id) {
    if (id == joiner) continue;
    std::erase_if(net.config(id).peers, [&](const node::PeerEntry& p) { return p.id == joiner; });
    net.WriteConfig(id);
  }
}

ledger::Transaction AddValidatorTx(const TestNetwork& net, uint64_t node_id) {
  ledger::AddValidatorBody b;
  b.node_id = node_id;
  b.name = "node-" + std::to_string(node_id);
  b.authority = "321200";
  b.public_key = KeyFor("node-" + std::to_string(node_id)).public_key();
  ledger::Transaction tx;
  tx.type = ledger::TxType::kAddValidator;
  tx.network_id = kNetworkId;
  tx.sender = kOperator;
  tx.client_time_ms = NowMs();
  tx.nonce = 8'000 + node_id;
  tx.body = b.Encode();
  tx.Sign(KeyFor(kOperator), net.GenesisHash());
  return tx;
}

ledger::Transaction RemoveValidatorTx(const TestNetwork& net, uint64_t node_id) {
  ledger::RemoveValidatorBody b;
  b.node_id = node_id;
  b.reason = "authority merged";
  ledger::Transaction tx;
  tx.type = ledger::TxType::kRemoveValidator;
  tx.network_id = kNetworkId;
  tx.sender = kOperator;
  tx.client_time_ms = NowMs();
  tx.nonce = 7'000 + node_id;
  tx.body = b.Encode();
  tx.Sign(KeyFor(kOperator), net.GenesisHash());
  return tx;
}

ledger::Transaction RotateValidatorKeyTx(const TestNetwork& net, uint64_t node_id,
                                         const crypto::KeyPair& new_key) {
  ledger::RotateValidatorKeyBody b;
  b.node_id = node_id;
  b.new_public_key = new_key.public_key();
  b.proof = new_key.Sign(ledger::ValidatorKeyProofMessage(kNetworkId, node_id, b.new_public_key));
  ledger::Transaction tx;
  tx.type = ledger::TxType::kRotateValidatorKey;
  tx.network_id = kNetworkId;
  tx.sender = kOperator;
  tx.client_time_ms = NowMs();
  tx.nonce = 6'000 + node_id;
  tx.body = b.Encode();
  tx.Sign(KeyFor(kOperator), net.GenesisHash());
  return tx;
}

// shulian_transport_peer_handshakes_refused_total{peer="<peer>"} on node `id`'s /metrics.
double RefusedHandshakesFrom(const TestNetwork& net, uint64_t id, uint64_t peer) {
  Result<std::string> text = net.Client(id)->Metrics();
  if (!text.ok()) return -1;
  const std::string name =
      "shulian_transport_peer_handshakes_refused_total{peer=\"" + std::to_string(peer) + "\"} ";
  const size_t at = text->find(name);
  if (at == std::string::npos) return -1;
  return std::stod(text->substr(at + name.size()));
}

bool WaitForRefusals(const TestNetwork& net, uint64_t id, uint64_t peer, double above, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (RefusedHandshakesFrom(net, id, peer) > above) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// match_index of `peer` in node `id`'s status: set only for Raft members, on the leader.
std::optional<uint64_t> MatchIndexOf(const TestNetwork& net, uint64_t id, uint64_t peer) {
  Result<nlohmann::json> s = net.StatusOf(id);
  if (!s.ok()) return std::nullopt;
  for (const nlohmann::json& p : (*s)["peers"]) {
    if (p["node_id"] == peer && p["match_index"].is_number()) return p["match_index"].get<uint64_t>();
  }
  return std::nullopt;
}

uint64_t HeightOf(const TestNetwork& net, uint64_t id) {
  Result<nlohmann::json> s = net.StatusOf(id);
  return s.ok() ? (*s)["height"].get<uint64_t>() : 0;
}

TEST(ProcessMembershipTest, FollowerBehindACompactedLogCatchesUpFromPeers) {
  // A follower that was down while the leader compacted its Raft log past the
  // follower's last entry receives a snapshot, fetches the missing blocks from its
  // peers over the catch-up channel, and ends with the same head hash; killed with
  // SIGKILL during a second catch-up, it restarts and catches up again.
  TestNetwork net(3);
  UseSmallCompaction(net);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  const uint64_t follower = leader % 3 + 1;
  auto client = net.Client(leader);
  ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("catchup-0")));
  ASSERT_TRUE(net.WaitForAgreement(1, kAgreementTimeoutMs).has_value());

  net.Kill(follower);
  for (int i = 1; i <= 30; ++i)
    ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("catchup-" + std::to_string(i))));
  ASSERT_TRUE(WaitForLog(net, leader, {"compacted the raft log"}, 5'000)) << "the leader never compacted";
  net.Start(follower);
  ASSERT_TRUE(
      WaitForLog(net, follower, {"catching up to a snapshot", "installed a snapshot"}, kAgreementTimeoutMs))
      << ReadLog(net, follower);
  std::optional<uint64_t> height = net.WaitForAgreement(31, kAgreementTimeoutMs);
  ASSERT_TRUE(height.has_value()) << "heads never agreed";

  // Again, and kill -9 the follower as soon as it starts catching up.
  net.Kill(follower);
  for (int i = 31; i <= 70; ++i)
    ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("catchup-" + std::to_string(i))));
  const size_t log_before = ReadLog(net, follower).size();
  net.Start(follower);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline &&
         ReadLog(net, follower).find("catching up to a snapshot", log_before) == std::string::npos) {
    std::this_thread::sleep_for(1ms);
  }
  net.Kill(follower);
  net.Start(follower);
  height = net.WaitForAgreement(71, kAgreementTimeoutMs);
  ASSERT_TRUE(height.has_value()) << ReadLog(net, follower);
  EXPECT_EQ(ReadLog(net, follower).find("stopping on a fatal error"), std::string::npos)
      << ReadLog(net, follower);
}

TEST(ProcessMembershipTest, RemoveValidatorTakesFollowerAndThenLeaderOutOfRaft) {
  // remove_validator of a follower takes it out of the Raft configuration (the
  // leader stops tracking it and commits with the two that stay);
  // remove_validator of the leader makes it hand leadership over first, after
  // which the new leader removes it and keeps committing alone.
  TestNetwork net(3);
  AddOperator(net);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  const uint64_t follower = leader % 3 + 1;
  const uint64_t stays = follower % 3 + 1;
  ASSERT_NE(stays, leader);
  auto client = net.Client(leader);
  ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("member-0")));
  ASSERT_TRUE(MatchIndexOf(net, leader, follower).has_value());

  ASSERT_TRUE(SubmitCommitted(*client, RemoveValidatorTx(net, follower)));
  const std::string removed = "change=remove node=" + std::to_string(follower);
  ASSERT_TRUE(WaitForLog(net, leader, {removed}, 10'000)) << ReadLog(net, leader);
  ASSERT_TRUE(WaitForLog(net, stays, {removed}, 10'000)) << ReadLog(net, stays);
  EXPECT_FALSE(MatchIndexOf(net, leader, follower).has_value())
      << "the leader still replicates to the removed node";
  EXPECT_TRUE(MatchIndexOf(net, leader, stays).has_value());

  // The two voters that stay commit without it; it no longer receives blocks.
  std::this_thread::sleep_for(500ms);  // let anything already sent to it arrive
  const uint64_t removed_height = HeightOf(net, follower);
  for (int i = 1; i <= 3; ++i)
    ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("member-" + std::to_string(i))));
  EXPECT_GE(HeightOf(net, leader), removed_height + 3);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(HeightOf(net, follower), removed_height);

  // Now the leader itself: it transfers leadership, and the new leader removes it.
  ASSERT_TRUE(SubmitCommitted(*client, RemoveValidatorTx(net, leader)));
  const std::string leader_removed = "change=remove node=" + std::to_string(leader);
  ASSERT_TRUE(WaitForLog(net, stays, {"membership step proposed", leader_removed}, 15'000))
      << ReadLog(net, stays);
  EXPECT_NE(ReadLog(net, leader).find("step=transfer_leadership node=" + std::to_string(stays)),
            std::string::npos)
      << ReadLog(net, leader);
  Result<nlohmann::json> st = net.StatusOf(stays);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ((*st)["role"], "leader");
  EXPECT_FALSE(MatchIndexOf(net, stays, leader).has_value());
  // The sole remaining voter commits alone.
  ASSERT_TRUE(SubmitCommitted(*net.Client(stays), net.AssetTx("member-alone")));
}

TEST(ProcessMembershipTest, ARemovedValidatorIsRefusedOnThePeerPortByEveryRemainingNode) {
  // After remove_validator of a follower (and Raft's removal of it), both remaining
  // nodes close its sessions and refuse its handshakes, though every config still
  // lists it with its key: the refusals show on their /metrics and in their logs.
  TestNetwork net(3);
  AddOperator(net);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  const uint64_t removed = leader % 3 + 1;
  const uint64_t stays = removed % 3 + 1;
  auto client = net.Client(leader);
  ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("trust-0")));
  const double before_leader = RefusedHandshakesFrom(net, leader, removed);
  const double before_stays = RefusedHandshakesFrom(net, stays, removed);
  ASSERT_GE(before_leader, 0) << "no per-peer refusal counter on /metrics";

  ASSERT_TRUE(SubmitCommitted(*client, RemoveValidatorTx(net, removed)));
  const std::string change = "change=remove node=" + std::to_string(removed);
  for (uint64_t id : {leader, stays}) {
    ASSERT_TRUE(WaitForLog(net, id, {change, "peer trust follows the ledger"}, 10'000)) << ReadLog(net, id);
  }
  // The removed node keeps dialling with its (valid) key and is refused by both.
  EXPECT_TRUE(WaitForRefusals(net, leader, removed, before_leader, 10'000)) << ReadLog(net, leader);
  EXPECT_TRUE(WaitForRefusals(net, stays, removed, before_stays, 10'000)) << ReadLog(net, stays);
  const std::string refused = "unknown node id " + std::to_string(removed);
  EXPECT_TRUE(WaitForLog(net, leader, {refused}, 5'000)) << ReadLog(net, leader);
  EXPECT_TRUE(WaitForLog(net, stays, {refused}, 5'000)) << ReadLog(net, stays);
  // The two that stay still commit.
  ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("trust-1")));
}

TEST(ProcessMembershipTest, ARotatedNodeKeyIsAcceptedAfterARestartWithItAndTheOldKeyIsRefused) {
  // rotate_validator_key of a follower: once it applies, the other nodes refuse the
  // old key (the follower, still running with it, is cut off); restarted with the
  // new key file and no other change, it is accepted again and catches up.
  TestNetwork net(3);
  AddOperator(net);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  const uint64_t rotated = leader % 3 + 1;
  const uint64_t other = rotated % 3 + 1;
  auto client = net.Client(leader);
  ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("rotate-0")));
  const crypto::KeyPair new_key = KeyFor("node-" + std::to_string(rotated) + "-rotated");
  const std::filesystem::path new_key_path =
      net.dir() / "keys" / ("node-" + std::to_string(rotated) + "-new.key");
  ASSERT_TRUE(new_key.SaveToFile(new_key_path).ok());
  const double before = RefusedHandshakesFrom(net, leader, rotated);

  ASSERT_TRUE(SubmitCommitted(*client, RotateValidatorKeyTx(net, rotated, new_key)));
  for (uint64_t id : {leader, other}) {
    ASSERT_TRUE(WaitForLog(net, id, {"peer trust follows the ledger", "key was rotated"}, 10'000))
        << ReadLog(net, id);
  }
  EXPECT_TRUE(WaitForRefusals(net, leader, rotated, before, 10'000)) << ReadLog(net, leader);
  EXPECT_TRUE(WaitForLog(net, leader, {"failed to prove its node key"}, 5'000)) << ReadLog(net, leader);
  ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("rotate-1")));  // committed without it

  ASSERT_EQ(net.Terminate(rotated), 0);
  net.config(rotated).node_key_path = new_key_path;
  net.WriteConfig(rotated);
  net.Start(rotated);
  ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("rotate-2")));
  const uint64_t head = HeightOf(net, leader);
  std::optional<uint64_t> agreed = net.WaitForAgreement(head, kAgreementTimeoutMs);
  ASSERT_TRUE(agreed.has_value()) << ReadLog(net, rotated);
  EXPECT_GE(*agreed, head);
}

TEST(ProcessMembershipTest, ANodeOutsideTheGenesisJoinsAfterAddValidator) {
  // After an operator's add_validator and a rolling restart that gives the other
  // nodes its address, a fourth node that the genesis does not list starts with an
  // empty Raft log and waits; the leader adds it as a learner, sends it a snapshot
  // of its compacted log (the joiner fetches the blocks from peers), and promotes
  // it to voter; it then applies new blocks with the same head hash as everyone.
  TestNetwork net(4);
  AddOperator(net);
  LeaveOutOfGenesis(net, 4);
  UseSmallCompaction(net);  // so the joiner gets a snapshot and fetches the blocks from peers
  for (uint64_t id = 1; id <= 3; ++id) net.Start(id);
  uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  ASSERT_TRUE(SubmitCommitted(*net.Client(leader), net.AssetTx("join-0")));
  ASSERT_TRUE(SubmitCommitted(*net.Client(leader), AddValidatorTx(net, 4)));

  // Rolling restart of the others with the joiner among their peers.
  const node::PeerEntry joiner = net.config(4).peers[3];
  ASSERT_EQ(joiner.id, 4u);
  for (uint64_t id = 1; id <= 3; ++id) {
    net.config(id).peers.push_back(joiner);
    net.WriteConfig(id);
    ASSERT_EQ(net.Terminate(id), 0) << ReadLog(net, id);
    net.Start(id);
    ASSERT_NE(net.WaitForLeader(kLeaderTimeoutMs), 0u) << "after restarting " << id << "\n1:\n"
                                                       << ReadLog(net, 1) << "\n2:\n"
                                                       << ReadLog(net, 2) << "\n3:\n"
                                                       << ReadLog(net, 3);
  }
  leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  for (int i = 1; i <= 12; ++i)
    ASSERT_TRUE(SubmitCommitted(*net.Client(leader), net.AssetTx("join-" + std::to_string(i))));

  net.Start(4);
  ASSERT_TRUE(WaitForLog(net, 4, {"waiting to be added to Raft"}, 10'000)) << ReadLog(net, 4);
  ASSERT_TRUE(WaitForLog(net, 4, {"installed a snapshot"}, kAgreementTimeoutMs)) << ReadLog(net, 4);
  // Promoted only once it has answered: the change comes after its snapshot.
  ASSERT_TRUE(
      WaitForLog(net, 1, {"change=add_learner node=4", "change=add_voter node=4"}, kAgreementTimeoutMs))
      << ReadLog(net, 1);
  ASSERT_TRUE(SubmitCommitted(*net.Client(net.WaitForLeader(kLeaderTimeoutMs)), net.AssetTx("join-13")));
  std::optional<uint64_t> height = net.WaitForAgreement(15, kAgreementTimeoutMs);
  ASSERT_TRUE(height.has_value()) << ReadLog(net, 4);
}

TEST(ProcessMembershipTest, AnOperatorHandsLeadershipToANamedNodeUnderLoadAndNoAcknowledgedWriteIsLost) {
  // Proves `POST /v1/admin/leadership` makes the named voter the leader while writes keep arriving, every
  // write acknowledged as committed before, during or after is in every node's ledger, and only an operator
  // may ask (a provider is refused 403; a node that is not a voter is refused 400; a follower names the leader).
  TestNetwork net(3);
  AddOperator(net);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  const uint64_t target = leader % 3 + 1;
  const uint64_t other = target % 3 + 1;

  AcknowledgedWriter writer(net, "transfer");
  std::this_thread::sleep_for(500ms);

  Result<nlohmann::json> not_operator = net.Client(leader, "tz.prov")->TransferLeadership(target);
  EXPECT_EQ(not_operator.status().code(), ErrorCode::kPermissionDenied) << not_operator.status().ToString();
  Result<nlohmann::json> no_voter = net.Client(leader, kOperator)->TransferLeadership(9);
  EXPECT_EQ(no_voter.status().code(), ErrorCode::kInvalidArgument) << no_voter.status().ToString();
  Result<nlohmann::json> at_follower = net.Client(other, kOperator)->TransferLeadership(target);
  EXPECT_NE(at_follower.status().message().find("the leader is node " + std::to_string(leader)), std::string::npos)
      << at_follower.status().ToString();

  const uint64_t term_before = (*net.StatusOf(leader))["term"].get<uint64_t>();
  Result<nlohmann::json> moved = net.Client(leader, kOperator)->TransferLeadership(target, 10'000);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ((*moved)["leader_id"], target);
  EXPECT_GT((*moved)["term"].get<uint64_t>(), term_before);
  std::this_thread::sleep_for(500ms);
  writer.Stop();

  const std::optional<uint64_t> height = net.WaitForAgreement(1, kAgreementTimeoutMs);
  ASSERT_TRUE(height.has_value());
  EXPECT_EQ(net.WaitForLeader(kLeaderTimeoutMs), target);
  ASSERT_GT(writer.acknowledged().size(), 3u);
  ExpectOnEveryNode(net, writer.acknowledged());
}

TEST(ProcessMembershipTest, ARollingRestartUnderLoadLosesNoAcknowledgedWrite) {
  // Proves the rolling restart of docs/deployment.md: nodes one by one, each
  // stopped with SIGTERM (the leader only after an operator handed its leadership
  // to the next node), started again from its data and caught up before the next
  // goes, while a writer keeps submitting to every node. Writes keep being
  // acknowledged while each node is down, and every acknowledged write is in every
  // node's ledger at the end.
  TestNetwork net(3);
  AddOperator(net);
  net.StartAll();
  ASSERT_NE(net.WaitForLeader(kLeaderTimeoutMs), 0u);

  AcknowledgedWriter writer(net, "rolling");

  ASSERT_TRUE(writer.WaitForMore(5, kAgreementTimeoutMs));
  for (uint64_t id = 1; id <= 3; ++id) {
    // Hand leadership away if `id` holds it (asked again if it moved meanwhile).
    std::string handed = "not the leader";
    for (int attempt = 0; attempt < 5; ++attempt) {
      const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
      ASSERT_NE(leader, 0u);
      if (leader != id) break;
      Result<nlohmann::json> moved = net.Client(id, kOperator)->TransferLeadership(id % 3 + 1, 10'000);
      handed = moved.ok() ? moved->dump() : moved.status().ToString();
      if (moved.ok() && (*moved)["leader_id"] != id) break;
      std::this_thread::sleep_for(200ms);
    }
    ASSERT_NE(net.WaitForLeader(kLeaderTimeoutMs), id) << "node " << id << " kept the leadership: " << handed;
    EXPECT_EQ(net.Terminate(id), 0) << "node " << id << " did not stop cleanly on SIGTERM";
    ASSERT_TRUE(writer.WaitForMore(3, kAgreementTimeoutMs)) << "no writes acknowledged while node " << id
                                                           << " was down";
    const uint64_t others = HeightOf(net, id % 3 + 1);
    net.Start(id);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kAgreementTimeoutMs);
    bool caught_up = false;
    while (!caught_up && std::chrono::steady_clock::now() < deadline) {
      caught_up = HeightOf(net, id) >= others;
      if (!caught_up) std::this_thread::sleep_for(25ms);
    }
    ASSERT_TRUE(caught_up) << "node " << id << " did not catch up after its restart";
  }
  ASSERT_TRUE(writer.WaitForMore(3, kAgreementTimeoutMs));
  writer.Stop();

  ASSERT_TRUE(net.WaitForAgreement(1, kAgreementTimeoutMs).has_value());
  ExpectOnEveryNode(net, writer.acknowledged());
  std::printf("[ figures  ] rolling restart: %zu writes acknowledged\n", writer.acknowledged().size());
}

}  // namespace
}  // namespace shulian::process_test
