// The checkpointer against a real Ledger on LevelDB with three genesis
// validators: it signs applied heights and sends votes, stores verified peer
// votes, cosigns on a quorum, buffers early votes within bounds, drops bad ones,
// and asks peers for votes when its head stays uncosigned.
#include "node/checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "ledger/genesis.h"
#include "tests/ledger/sm_fixture.h"

namespace shulian::node {
namespace {

using ledger::testing::KeyFor;

struct Sent {
  uint64_t to = 0;
  CheckpointMessage message;
};

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Initialize().ok());
    char tmpl[] = "/tmp/checkpointer_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ledger::Genesis genesis = ledger::testing::TestGenesis();
    genesis.validators = {{1, "node-1", "320000", KeyFor("node-1").public_key()},
                          {2, "node-2", "321200", KeyFor("node-2").public_key()},
                          {3, "node-3", "320100", KeyFor("node-3").public_key()}};
    genesis.Canonicalize();
    auto opened = ledger::Ledger::Open(std::filesystem::path(dir_) / "db", genesis);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }

  void TearDown() override {
    checkpointer_.reset();
    ledger_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Most tests here are about votes, not about which heights are signed.
  static CheckpointerOptions EveryHeight() {
    CheckpointerOptions options;
    options.sign_every_heights = 1;
    return options;
  }

  void StartCheckpointer(CheckpointerOptions options = EveryHeight()) {
    options.self_id = 1;
    options.peers = {2, 3};
    auto send = [this](uint64_t to, Bytes body) {
      Result<CheckpointMessage> decoded = DecodeCheckpointMessage(body);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      std::lock_guard<std::mutex> lock(sent_mutex_);
      sent_.push_back({to, *decoded});
    };
    auto made = Checkpointer::Create(*ledger_, ledger_mutex_, std::make_shared<const crypto::KeyPair>(KeyFor("node-1")),
                                     options, send);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    checkpointer_ = std::move(made).value();
    checkpointer_->Start();
  }

  // Applies one empty block proposed by node 1; does not tell the checkpointer.
  void ApplyBlock() {
    std::unique_lock<std::shared_mutex> lock(ledger_mutex_);
    time_ms_ += 1000;
    auto block = ledger_->BuildBlock({}, time_ms_, 1, KeyFor("node-1"));
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    auto applied = ledger_->ApplyBlock(*block);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  CheckpointVote VoteBy(uint64_t node, uint64_t height) {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex_);
    auto checkpoint = ledger_->CheckpointAt(height);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    return {height, checkpoint->block_hash, node, checkpoint->Sign(KeyFor("node-" + std::to_string(node)))};
  }

  void Deliver(uint64_t from, const CheckpointMessage& message) {
    checkpointer_->Deliver(from, EncodeCheckpointMessage(message));
  }

  template <typename Predicate>
  bool WaitFor(Predicate done, int timeout_ms = 5000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done();
  }

  std::optional<ledger::CosignedCheckpoint> Cosigned(uint64_t height) {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex_);
    auto found = checkpointer_->Cosigned(height);
    if (!found.ok()) return std::nullopt;
    return *found;
  }

  size_t CountSent(bool votes, uint64_t height) {
    std::lock_guard<std::mutex> lock(sent_mutex_);
    size_t count = 0;
    for (const Sent& sent : sent_) {
      if (votes) {
        const auto* vote = std::get_if<CheckpointVote>(&sent.message);
        if (vote != nullptr && vote->height == height) ++count;
      } else {
        const auto* request = std::get_if<CheckpointRequest>(&sent.message);
        if (request != nullptr && request->height == height) ++count;
      }
    }
    return count;
  }

  std::string dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::shared_mutex ledger_mutex_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::mutex sent_mutex_;
  std::vector<Sent> sent_;
  int64_t time_ms_ = ledger::testing::kMonday20250303;
};

TEST_F(CheckpointerTest, SignsEveryAppliedHeightAndCosignsWhenAQuorumVotes) {
  // Proves each applied height is signed and voted to both peers, and one peer's
  // valid vote (2 of 3) makes a cosigned checkpoint that verifies.
  ApplyBlock();
  StartCheckpointer();
  ApplyBlock();
  checkpointer_->BlockApplied(2);
  ASSERT_TRUE(WaitFor([&] { return CountSent(true, 1) == 2 && CountSent(true, 2) == 2; }));
  EXPECT_FALSE(Cosigned(2).has_value());  // only its own signature so far

  Deliver(2, VoteBy(2, 2));
  ASSERT_TRUE(WaitFor([&] { return Cosigned(2).has_value(); }));
  ledger::CosignedCheckpoint cosigned = *Cosigned(2);
  ASSERT_EQ(cosigned.signatures.size(), 2u);
  EXPECT_EQ(cosigned.signatures[0].node_id, 1u);
  EXPECT_EQ(cosigned.signatures[1].node_id, 2u);
  std::shared_lock<std::shared_mutex> lock(ledger_mutex_);
  EXPECT_TRUE(ledger::VerifyCosigned(cosigned, ledger_->validator_set()).ok());
  EXPECT_EQ(checkpointer_->LatestCosigned()->value().checkpoint.height, 2u);
}

TEST_F(CheckpointerTest, VotesAheadOfTheHeadWaitUntilTheBlockIsApplied) {
  // Proves a vote for a height the checkpointer has not been told about is held,
  // then counted once the height is applied.
  ApplyBlock();
  StartCheckpointer();
  ApplyBlock();  // the ledger is at 2; the checkpointer knows only 1
  const CheckpointVote early = VoteBy(3, 2);
  Deliver(3, early);
  ASSERT_TRUE(WaitFor([&] { return checkpointer_->stats().votes_buffered == 1; }));
  EXPECT_FALSE(Cosigned(2).has_value());
  checkpointer_->BlockApplied(2);
  ASSERT_TRUE(WaitFor([&] { return Cosigned(2).has_value(); }));
  EXPECT_EQ(checkpointer_->stats().votes_buffered, 0u);
  EXPECT_EQ(Cosigned(2)->signatures.back().node_id, 3u);
}

TEST_F(CheckpointerTest, BadVotesAreNotCounted) {
  // Proves a vote relayed for another node, one for another block and one with a
  // forged signature never make a checkpoint cosigned.
  ApplyBlock();
  StartCheckpointer();
  ASSERT_TRUE(WaitFor([&] { return CountSent(true, 1) == 2; }));

  Deliver(2, VoteBy(3, 1));  // node 2 relays node 3's vote
  CheckpointVote other_block = VoteBy(2, 1);
  other_block.block_hash.bytes[0] ^= 1;
  Deliver(2, other_block);
  CheckpointVote forged = VoteBy(2, 1);
  forged.signature.bytes[5] ^= 1;
  Deliver(2, forged);
  CheckpointVote stranger = VoteBy(2, 1);
  stranger.node_id = 9;
  Deliver(9, stranger);
  ASSERT_TRUE(WaitFor([&] {
    CheckpointerStats stats = checkpointer_->stats();
    return stats.votes_dropped == 2 && stats.votes_refused == 2;
  }));
  EXPECT_FALSE(Cosigned(1).has_value());
  EXPECT_EQ(checkpointer_->stats().votes_stored, 0u);
}

TEST_F(CheckpointerTest, EarlyVotesAreBoundedInHeightAndCount) {
  // Proves votes too far above the head, duplicates and votes past the buffer's
  // capacity are dropped, and undecodable messages are counted.
  ApplyBlock();
  CheckpointerOptions options = EveryHeight();
  options.heights_ahead_max = 3;
  options.votes_buffered_max = 2;
  StartCheckpointer(options);
  CheckpointVote far{10, {}, 2, {}};
  Deliver(2, far);
  CheckpointVote near{3, {}, 2, {}};
  Deliver(2, near);
  Deliver(2, near);  // duplicate
  CheckpointVote other{4, {}, 3, {}};
  Deliver(3, other);
  CheckpointVote over{2, {}, 3, {}};
  Deliver(3, over);  // the buffer holds two
  checkpointer_->Deliver(2, Bytes{0x09});
  ASSERT_TRUE(WaitFor([&] {
    CheckpointerStats stats = checkpointer_->stats();
    return stats.votes_dropped == 3 && stats.messages_dropped == 1;
  }));
  EXPECT_EQ(checkpointer_->stats().votes_buffered, 2u);
}

TEST_F(CheckpointerTest, AsksPeersWhenTheHeadStaysUncosignedAndAnswersRequests) {
  // Proves an uncosigned head leads to a Request to every peer after the delay,
  // and a peer's Request is answered with this node's vote for that height.
  ApplyBlock();
  CheckpointerOptions options = EveryHeight();
  options.request_delay_ms = 50;
  options.request_interval_ms = 50;
  StartCheckpointer(options);
  ASSERT_TRUE(WaitFor([&] { return CountSent(false, 1) >= 2; }));
  const size_t votes_before = CountSent(true, 1);
  Deliver(3, CheckpointRequest{1});
  ASSERT_TRUE(WaitFor([&] { return CountSent(true, 1) == votes_before + 1; }));
  EXPECT_EQ(checkpointer_->stats().requests_answered, 1u);

  Deliver(3, VoteBy(3, 1));
  ASSERT_TRUE(WaitFor([&] { return Cosigned(1).has_value(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const size_t requests = CountSent(false, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(CountSent(false, 1), requests);  // cosigned: no more requests
}

TEST_F(CheckpointerTest, StatsCountVotesAndTheLatestCosignedHeightSurvivesARestart) {
  // Proves the stats the node exports on /metrics count signing, sending, storing and cosigning, and a new
  // checkpointer over the same store starts from the latest cosigned height it holds.
  ApplyBlock();
  StartCheckpointer();
  ApplyBlock();
  checkpointer_->BlockApplied(2);
  ASSERT_TRUE(WaitFor([&] { return CountSent(true, 2) == 2; }));
  Deliver(2, VoteBy(2, 2));
  ASSERT_TRUE(WaitFor([&] { return checkpointer_->stats().cosigned_heights == 1; }));
  CheckpointerStats stats = checkpointer_->stats();
  EXPECT_EQ(stats.signed_heights, 2u);
  EXPECT_EQ(stats.votes_sent, 4u);
  EXPECT_EQ(stats.votes_stored, 1u);
  EXPECT_EQ(stats.votes_refused, 0u);
  EXPECT_EQ(stats.latest_cosigned_height, 2u);

  checkpointer_.reset();
  StartCheckpointer();
  stats = checkpointer_->stats();
  EXPECT_EQ(stats.latest_cosigned_height, 2u);
  EXPECT_EQ(stats.cosigned_heights, 0u);  // counters are this process's
}

TEST_F(CheckpointerTest, UnderLoadOnlyMultiplesOfTheIntervalAreSignedAndAPassedOverHeightOnRequest) {
  // Proves that with sign_every_heights 4 the heights applied in a burst are passed over except the multiple
  // of 4, the head waits for the network to go quiet, and a peer's Request still gets a vote for a
  // passed-over height (signed then).
  ApplyBlock();
  CheckpointerOptions options;
  options.sign_every_heights = 4;
  options.head_quiet_ms = 60'000;
  StartCheckpointer(options);
  for (int i = 0; i < 5; ++i) ApplyBlock();  // heights 2..6
  checkpointer_->BlockApplied(6);
  ASSERT_TRUE(WaitFor([&] { return CountSent(true, 4) == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (uint64_t height : {1, 2, 3, 5, 6}) EXPECT_EQ(CountSent(true, height), 0u) << height;
  EXPECT_EQ(checkpointer_->stats().signed_heights, 1u);
  Deliver(3, CheckpointRequest{2});
  ASSERT_TRUE(WaitFor([&] { return CountSent(true, 2) == 1; }));
  EXPECT_EQ(checkpointer_->stats().signed_heights, 2u);
  Deliver(3, VoteBy(3, 4));
  ASSERT_TRUE(WaitFor([&] { return Cosigned(4).has_value(); }));
}

TEST_F(CheckpointerTest, TheHeadIsSignedOnceNoLaterBlockCameForTheQuietTime) {
  // Proves a head that is not a multiple of the interval is signed after head_quiet_ms without a new block,
  // so a quiet network still gets its latest records cosigned.
  ApplyBlock();
  CheckpointerOptions options;
  options.sign_every_heights = 1000;
  options.head_quiet_ms = 100;
  StartCheckpointer(options);
  ASSERT_TRUE(WaitFor([&] { return CountSent(true, 1) == 2; }));
  ApplyBlock();
  const auto applied = std::chrono::steady_clock::now();
  checkpointer_->BlockApplied(2);
  ASSERT_TRUE(WaitFor([&] { return CountSent(true, 2) == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - applied, std::chrono::milliseconds(100));
  Deliver(2, VoteBy(2, 2));
  ASSERT_TRUE(WaitFor([&] { return Cosigned(2).has_value(); }));
}

TEST_F(CheckpointerTest, OptionsAreValidatedByName) {
  // Proves a bad option is refused naming the field.
  CheckpointerOptions options;
  options.self_id = 1;
  options.peers = {1};
  EXPECT_NE(options.Validate().message().find("checkpointer.peers"), std::string::npos);
  options.peers = {2};
  options.votes_buffered_max = 0;
  EXPECT_NE(options.Validate().message().find("votes_buffered_max"), std::string::npos);
  options.votes_buffered_max = 1;
  options.sign_every_heights = 0;
  EXPECT_NE(options.Validate().message().find("sign_every_heights"), std::string::npos);
}

}  // namespace
}  // namespace shulian::node
