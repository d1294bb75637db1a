// Tests of node/catchup.h: snapshot data, compaction bounds, the block catch-up
// codec (bounded, malformed refused) and a client fetching from real servers.
#include "node/catchup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace shulian::node {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Bytes BlockBytes(uint64_t height, size_t size = 16) {
  Bytes b(size, static_cast<uint8_t>(height));
  b[0] = static_cast<uint8_t>(height >> 8);
  return b;
}

CatchupLimits SmallLimits() {
  CatchupLimits l;
  l.blocks_per_response_max = 4;
  l.response_bytes_max = 1024;
  l.block_bytes_max = 512;
  l.requests_in_flight_max = 2;
  l.request_timeout_ms = 200;
  l.server_queue_max = 8;
  return l;
}

// Proves snapshot data round-trips and any other length is refused naming the field.
TEST(LedgerSnapshotDataTest, RoundTripsAndRefusesWrongLength) {
  LedgerSnapshotData data{42, {}};
  data.head_hash.bytes[0] = 7;
  data.head_hash.bytes[31] = 9;
  Bytes encoded = EncodeLedgerSnapshotData(data);
  ASSERT_EQ(encoded.size(), 40u);
  Result<LedgerSnapshotData> back = DecodeLedgerSnapshotData(encoded);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, data);
  encoded.push_back(0);
  Result<LedgerSnapshotData> long_one = DecodeLedgerSnapshotData(encoded);
  ASSERT_FALSE(long_one.ok());
  EXPECT_NE(long_one.status().message().find("snapshot.data"), std::string::npos);
  EXPECT_FALSE(DecodeLedgerSnapshotData(Bytes{}).ok());
}

// Proves compaction waits for retain + compact_min applied entries, then keeps exactly retain of them.
TEST(CompactionTest, TargetKeepsRetainEntriesAndWaitsForABatch) {
  CompactionLimits limits;
  limits.retain_entries = 10;
  limits.compact_entries_min = 5;
  ASSERT_TRUE(limits.Validate().ok());
  // Log [1, 14] applied: 14 entries < 15.
  EXPECT_FALSE(CompactionTarget(14, 1, limits).has_value());
  // 15 applied entries: compact up to 5, leaving [6, 15] = 10 entries.
  ASSERT_TRUE(CompactionTarget(15, 1, limits).has_value());
  EXPECT_EQ(*CompactionTarget(15, 1, limits), 5u);
  // After compaction the first index is 6: the next batch needs 15 applied entries again.
  EXPECT_FALSE(CompactionTarget(19, 6, limits).has_value());
  EXPECT_EQ(*CompactionTarget(20, 6, limits), 10u);
  // Nothing applied in the log yet (applied below first index - 1).
  EXPECT_FALSE(CompactionTarget(3, 10, limits).has_value());
}

// Proves the compaction limits refuse zero values naming the field.
TEST(CompactionTest, LimitsRefuseZero) {
  CompactionLimits limits;
  limits.retain_entries = 0;
  Status s = limits.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("retain_entries"), std::string::npos);
  limits.retain_entries = 1;
  limits.compact_entries_min = 0;
  s = limits.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("compact_entries_min"), std::string::npos);
}

// Proves snapshot points are bounded and answer the newest point at or below an index.
TEST(SnapshotPointsTest, BoundedAndFindsNewestAtOrBelow) {
  SnapshotPoints points(3);
  for (consensus::Index i = 1; i <= 5; ++i) points.Record({i * 10, {i, {}}, {}});
  EXPECT_EQ(points.size(), 3u);  // 30, 40, 50
  EXPECT_FALSE(points.NewestAtOrBelow(29).has_value());
  EXPECT_EQ(points.NewestAtOrBelow(30)->index, 30u);
  EXPECT_EQ(points.NewestAtOrBelow(45)->ledger.height, 4u);
  EXPECT_EQ(points.NewestAtOrBelow(1000)->index, 50u);
  points.Record({40, {99, {}}, {}});  // replayed: ignored
  EXPECT_EQ(points.NewestAtOrBelow(1000)->ledger.height, 5u);
}

// Proves requests and responses round-trip through the codec with the channel byte first.
TEST(CatchupCodecTest, RoundTrips) {
  const CatchupLimits limits = SmallLimits();
  BlockRequest request{7, 100, 4};
  Bytes encoded = EncodeCatchupMessage(request);
  ASSERT_EQ(encoded[0], kCatchupChannel);
  Result<CatchupMessage> back = DecodeCatchupMessage(encoded, limits);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(std::get<BlockRequest>(*back), request);

  BlockResponse response{7, 100, {BlockBytes(100), BlockBytes(101), BlockBytes(102)}};
  back = DecodeCatchupMessage(EncodeCatchupMessage(response), limits);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(std::get<BlockResponse>(*back), response);

  BlockResponse empty{8, 5, {}};
  back = DecodeCatchupMessage(EncodeCatchupMessage(empty), limits);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(std::get<BlockResponse>(*back).blocks.empty());
}

// Proves every truncation and any trailing byte of a response is refused.
TEST(CatchupCodecTest, TruncationsAndTrailingBytesAreRefused) {
  const CatchupLimits limits = SmallLimits();
  Bytes encoded = EncodeCatchupMessage(BlockResponse{3, 9, {BlockBytes(9), BlockBytes(10)}});
  for (size_t n = 0; n < encoded.size(); ++n) {
    Bytes cut(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(DecodeCatchupMessage(cut, limits).ok()) << "prefix of " << n << " bytes";
  }
  encoded.push_back(0);
  EXPECT_FALSE(DecodeCatchupMessage(encoded, limits).ok());
  Bytes request = EncodeCatchupMessage(BlockRequest{1, 1, 1});
  request.push_back(0);
  EXPECT_FALSE(DecodeCatchupMessage(request, limits).ok());
}

// Proves malformed fields are refused with the field named: channel, kind, zero ids, heights and counts.
TEST(CatchupCodecTest, MalformedFieldsAreRefusedNamingTheField) {
  const CatchupLimits limits = SmallLimits();
  auto message_of = [&](const Bytes& payload) {
    Result<CatchupMessage> m = DecodeCatchupMessage(payload, limits);
    return m.ok() ? std::string("ok") : m.status().message();
  };
  Bytes wrong_channel = EncodeCatchupMessage(BlockRequest{1, 1, 1});
  wrong_channel[0] = 0x01;
  EXPECT_NE(message_of(wrong_channel).find("catchup.channel"), std::string::npos);
  Bytes unknown_kind = EncodeCatchupMessage(BlockRequest{1, 1, 1});
  unknown_kind[1] = 0x09;
  EXPECT_NE(message_of(unknown_kind).find("catchup.kind"), std::string::npos);
  EXPECT_NE(message_of(EncodeCatchupMessage(BlockRequest{0, 1, 1})).find("request_id"), std::string::npos);
  EXPECT_NE(message_of(EncodeCatchupMessage(BlockRequest{1, 0, 1})).find("from_height"), std::string::npos);
  EXPECT_NE(message_of(EncodeCatchupMessage(BlockRequest{1, 1, 0})).find("blocks_max"), std::string::npos);
  EXPECT_NE(message_of(EncodeCatchupMessage(BlockResponse{1, 1, {Bytes{}}})).find("blocks[0]"), std::string::npos);
}

// Proves the decoder enforces the bounds: blocks per response, bytes per block, whole message, and a
// count the bytes cannot hold (no allocation from a forged count).
TEST(CatchupCodecTest, BoundsAreEnforcedBeforeAllocating) {
  const CatchupLimits limits = SmallLimits();
  BlockResponse too_many{1, 1, {}};
  for (uint64_t h = 1; h <= limits.blocks_per_response_max + 1; ++h) too_many.blocks.push_back(BlockBytes(h));
  Result<CatchupMessage> m = DecodeCatchupMessage(EncodeCatchupMessage(too_many), limits);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("exceed"), std::string::npos);

  BlockResponse big_block{1, 1, {Bytes(limits.block_bytes_max + 1, 1)}};
  EXPECT_FALSE(DecodeCatchupMessage(EncodeCatchupMessage(big_block), limits).ok());

  Bytes huge(limits.ResponsePayloadBytesMax() + 1, 0);
  huge[0] = kCatchupChannel;
  huge[1] = kBlockResponseKind;
  EXPECT_FALSE(DecodeCatchupMessage(huge, limits).ok());

  // A count of 4 with no bytes behind it.
  ByteWriter w;
  w.PutU8(kCatchupChannel);
  w.PutU8(kBlockResponseKind);
  w.PutU64(1);
  w.PutU64(1);
  w.PutU32(4);
  m = DecodeCatchupMessage(w.bytes(), limits);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("do not fit"), std::string::npos);
}

// Proves the catch-up limits refuse zero values naming the field.
TEST(CatchupCodecTest, LimitsRefuseZero) {
  CatchupLimits limits;
  ASSERT_TRUE(limits.Validate().ok());
  limits.requests_in_flight_max = 0;
  Status s = limits.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("requests_in_flight_max"), std::string::npos);
}

// A chain of encoded blocks served by CatchupServers; the client's "ledger" appends them in order.
class CatchupNetwork {
 public:
  CatchupNetwork(const CatchupLimits& limits, uint64_t chain_height) : limits_(limits) {
    for (uint64_t h = 1; h <= chain_height; ++h) chain_.push_back(BlockBytes(h, 100));
  }

  // Adds a server for peer `id` holding the chain up to `height` (0: answers nothing at all).
  void AddServer(uint64_t id, uint64_t height, bool silent = false) {
    heights_[id] = height;
    silent_[id] = silent;
    servers_[id] = std::make_unique<CatchupServer>(
        limits_,
        [this, height](uint64_t from, uint64_t blocks_max, uint64_t bytes_max) -> Result<std::vector<Bytes>> {
          std::vector<Bytes> out;
          uint64_t bytes = 0;
          for (uint64_t h = from; h <= height && out.size() < blocks_max; ++h) {
            if (!out.empty() && bytes + chain_[h - 1].size() > bytes_max) break;
            bytes += chain_[h - 1].size();
            out.push_back(chain_[h - 1]);
          }
          if (out.empty()) return Status::NotFound("no block at " + std::to_string(from));
          return out;
        },
        [this](uint64_t to, Bytes payload) { Deliver(to, std::move(payload)); });
  }

  // The client's send: a request goes to the server of `to` (from client id 100).
  SendFn ClientSend() {
    return [this](uint64_t to, Bytes payload) {
      ++requests_sent_;
      Result<CatchupMessage> m = DecodeCatchupMessage(payload, limits_);
      ASSERT_TRUE(m.ok());
      if (silent_.at(to)) return;
      servers_.at(to)->Enqueue(100, std::get<BlockRequest>(*m));
    };
  }

  void Deliver(uint64_t server_id, Bytes payload) {
    (void)server_id;
    Result<CatchupMessage> m = DecodeCatchupMessage(payload, limits_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    if (client_ != nullptr) client_->OnResponse(last_peer_for(std::get<BlockResponse>(*m)), std::get<BlockResponse>(std::move(*m)));
  }

  void set_client(CatchupClient* client) { client_ = client; }
  // Servers answer as the peer the request went to; the test client asks one peer at a time.
  uint64_t last_peer_for(const BlockResponse&) const { return current_peer_; }
  void set_current_peer(uint64_t id) { current_peer_ = id; }

  const std::vector<Bytes>& chain() const { return chain_; }
  uint64_t requests_sent() const { return requests_sent_; }

 private:
  CatchupLimits limits_;
  std::vector<Bytes> chain_;
  std::map<uint64_t, uint64_t> heights_;
  std::map<uint64_t, bool> silent_;
  std::map<uint64_t, std::unique_ptr<CatchupServer>> servers_;
  CatchupClient* client_ = nullptr;
  std::atomic<uint64_t> current_peer_{0};
  std::atomic<uint64_t> requests_sent_{0};
};

// Proves a client fetches every missing block in order from a server, in bounded responses.
TEST(CatchupClientTest, FetchesEveryMissingBlockInOrder) {
  CatchupLimits limits = SmallLimits();
  CatchupNetwork net(limits, 30);
  net.AddServer(2, 30);
  net.set_current_peer(2);
  std::vector<Bytes> ledger(net.chain().begin(), net.chain().begin() + 3);  // heights 1..3
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  Status s = client.CatchUp(
      3, 30, {2},
      [&](ByteView block, uint64_t height) {
        if (height != ledger.size() + 1) return Status::InvalidArgument("out of order");
        ledger.emplace_back(block.begin(), block.end());
        return Status::Ok();
      },
      [] { return false; }, SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ledger, net.chain());
  EXPECT_EQ(client.blocks_fetched(), 27u);
  // 100-byte blocks, 1024-byte responses, 4 blocks per response: at least 27/4 requests.
  EXPECT_GE(net.requests_sent(), 7u);
}

// Proves a silent peer times out and the client moves on to the next peer.
TEST(CatchupClientTest, SilentPeerTimesOutAndNextPeerServes) {
  CatchupLimits limits = SmallLimits();
  CatchupNetwork net(limits, 10);
  net.AddServer(2, 10, /*silent=*/true);
  net.AddServer(3, 10);
  net.set_current_peer(3);
  uint64_t height = 0;
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  const int64_t started = SteadyMs();
  Status s = client.CatchUp(
      0, 10, {2, 3},
      [&](ByteView, uint64_t h) {
        height = h;
        return Status::Ok();
      },
      [] { return false; }, SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(height, 10u);
  EXPECT_GE(SteadyMs() - started, static_cast<int64_t>(limits.request_timeout_ms));
}

// Proves an unusable block makes the client leave that peer, a fatal apply error stops the catch-up,
// and `stopping` ends it with Unavailable.
TEST(CatchupClientTest, BadBlockSwitchesPeerFatalErrorStopsAndStoppingCancels) {
  CatchupLimits limits = SmallLimits();
  CatchupNetwork net(limits, 8);
  net.AddServer(2, 8);
  net.set_current_peer(2);
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  int refusals = 0;
  uint64_t height = 0;
  Status s = client.CatchUp(
      0, 8, {2},
      [&](ByteView, uint64_t h) {
        if (h == 5 && refusals++ == 0) return Status::PermissionDenied("bad signature");
        height = h;
        return Status::Ok();
      },
      [] { return false; }, SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(height, 8u);
  EXPECT_EQ(refusals, 2);

  Status fatal = client.CatchUp(
      0, 8, {2}, [&](ByteView, uint64_t) { return Status::IoError("disk"); }, [] { return false; }, SteadyMs);
  EXPECT_EQ(fatal.code(), ErrorCode::kIoError);

  std::atomic<int> polls{0};
  Status cancelled = client.CatchUp(
      0, 8, {2}, [&](ByteView, uint64_t) { return Status::InvalidArgument("never usable"); },
      [&] { return ++polls > 20; }, SteadyMs);
  EXPECT_EQ(cancelled.code(), ErrorCode::kUnavailable);
}

// Proves a response from a peer that was not asked, or for another range, is ignored.
TEST(CatchupClientTest, UnaskedResponsesAreIgnored) {
  CatchupLimits limits = SmallLimits();
  CatchupNetwork net(limits, 4);
  net.AddServer(2, 4);
  net.set_current_peer(2);
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  // Before any request: nothing is in flight, so this is dropped.
  client.OnResponse(2, BlockResponse{1, 1, {BlockBytes(1)}});
  std::vector<uint64_t> applied;
  Status s = client.CatchUp(
      0, 4, {2},
      [&](ByteView block, uint64_t h) {
        if (Bytes(block.begin(), block.end()) != net.chain()[h - 1]) return Status::InvalidArgument("wrong block");
        applied.push_back(h);
        return Status::Ok();
      },
      [] { return false; }, SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(applied, (std::vector<uint64_t>{1, 2, 3, 4}));
}

// Proves the server answers at most blocks_per_response_max blocks, and drops requests beyond its queue.
TEST(CatchupServerTest, ClampsBlocksAndBoundsItsQueue) {
  CatchupLimits limits = SmallLimits();
  limits.server_queue_max = 1;
  std::mutex mutex;
  std::vector<BlockResponse> answers;
  std::atomic<bool> release{false};
  CatchupServer server(
      limits,
      [&](uint64_t from, uint64_t blocks_max, uint64_t) -> Result<std::vector<Bytes>> {
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::vector<Bytes> out;
        for (uint64_t h = from; h < from + blocks_max + 10; ++h) out.push_back(BlockBytes(h));
        return out;
      },
      [&](uint64_t, Bytes payload) {
        Result<CatchupMessage> m = DecodeCatchupMessage(payload, limits);
        ASSERT_TRUE(m.ok()) << m.status().ToString();
        std::lock_guard<std::mutex> lock(mutex);
        answers.push_back(std::get<BlockResponse>(*m));
      });
  EXPECT_TRUE(server.Enqueue(2, BlockRequest{1, 1, 1000}));  // taken by the thread (blocked in read)
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(server.Enqueue(2, BlockRequest{2, 1, 2}));   // queued
  EXPECT_FALSE(server.Enqueue(2, BlockRequest{3, 1, 2}));  // queue full
  EXPECT_EQ(server.dropped(), 1u);
  release = true;
  for (int i = 0; i < 500 && server.served() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  server.Stop();
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].blocks.size(), limits.blocks_per_response_max);
  EXPECT_EQ(answers[1].blocks.size(), 2u);
}

}  // namespace
}  // namespace shulian::node
