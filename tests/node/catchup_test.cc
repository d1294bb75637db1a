// Tests of node/catchup.h: snapshot data, compaction bounds, the block catch-up
// codec (bounded, malformed refused) and a client fetching from real servers.
#include "node/catchup.h"

#include <gtest/gtest.h>

#include <algorithm>
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

  // The header kinds: the same bodies under kinds 0x03 and 0x04.
  BlockRequest header_request{9, 100, 4, /*headers_only=*/true};
  encoded = EncodeCatchupMessage(header_request);
  EXPECT_EQ(encoded[1], kHeaderRequestKind);
  back = DecodeCatchupMessage(encoded, limits);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(std::get<BlockRequest>(*back), header_request);
  BlockResponse header_response{9, 100, {BlockBytes(100)}, /*headers_only=*/true};
  encoded = EncodeCatchupMessage(header_response);
  EXPECT_EQ(encoded[1], kHeaderResponseKind);
  EXPECT_TRUE(IsCatchupPayload(encoded));
  back = DecodeCatchupMessage(encoded, limits);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(std::get<BlockResponse>(*back), header_response);

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
  limits = CatchupLimits{};
  limits.chain_heights_max = 0;
  s = limits.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("chain_heights_max"), std::string::npos);
}

// A stand-in block format with the properties catch-up relies on, so these tests
// need no ledger: header = u64 height ‖ 32 previous hash ‖ 32 body hash; a block is
// its header ‖ body; a block's hash is the SHA-256 of its header.
constexpr size_t kHeaderBytes = 8 + 32 + 32;

crypto::Digest HeaderHash(ByteView block) {
  return crypto::Sha256(block.first(kHeaderBytes));
}

Bytes MakeBlock(uint64_t height, const crypto::Digest& previous, const Bytes& body) {
  ByteWriter w;
  w.PutU64(height);
  w.PutFixed(previous.view());
  w.PutFixed(crypto::Sha256(body).view());
  w.PutFixed(body);
  return w.Take();
}

// Blocks 1..height from the genesis hash, each with a 100-byte body; `salt` makes another chain.
std::vector<Bytes> MakeChain(uint64_t height, uint8_t salt = 0) {
  std::vector<Bytes> chain;
  crypto::Digest previous = crypto::Sha256(AsBytes("genesis"));
  for (uint64_t h = 1; h <= height; ++h) {
    Bytes body = BlockBytes(h, 100);
    body[1] ^= salt;
    chain.push_back(MakeBlock(h, previous, body));
    previous = HeaderHash(chain.back());
  }
  return chain;
}

ChainFns FakeChainFns() {
  ChainFns fns;
  fns.parse_header = [](ByteView header) -> Result<HeaderLink> {
    if (header.size() != kHeaderBytes) return Status::InvalidArgument("header: wrong size");
    ByteReader r(header);
    HeaderLink link;
    link.height = r.GetU64().value();
    link.previous_hash.bytes = r.GetArray<32>().value();
    link.hash = crypto::Sha256(header);
    return link;
  };
  fns.block_hash = [](ByteView block) -> Result<crypto::Digest> {
    if (block.size() < kHeaderBytes) return Status::InvalidArgument("block: too short");
    crypto::Digest body_hash;
    std::copy(block.begin() + 40, block.begin() + 72, body_hash.bytes.begin());
    if (crypto::Sha256(block.subspan(kHeaderBytes)) != body_hash) {
      return Status::InvalidArgument("block: body does not match its header");
    }
    return HeaderHash(block);
  };
  return fns;
}

// The local tip of a "ledger" holding `blocks`.
ChainPoint TipOf(const std::vector<Bytes>& blocks) {
  if (blocks.empty()) return ChainPoint{0, crypto::Sha256(AsBytes("genesis"))};
  return ChainPoint{blocks.size(), HeaderHash(blocks.back())};
}

// Appends a block that extends `ledger` (height and previous hash), else refuses it.
Status AppendTo(std::vector<Bytes>& ledger, ByteView block, uint64_t height) {
  if (height != ledger.size() + 1) return Status::InvalidArgument("out of order");
  ByteReader r(block);
  if (r.GetU64().value() != height) return Status::InvalidArgument("wrong height");
  crypto::Digest previous;
  previous.bytes = r.GetArray<32>().value();
  if (previous != TipOf(ledger).hash) return Status::InvalidArgument("does not extend the head");
  ledger.emplace_back(block.begin(), block.end());
  return Status::Ok();
}

// Peers' CatchupServers, each serving its own chain; the client is peer 100.
class CatchupNetwork {
 public:
  explicit CatchupNetwork(const CatchupLimits& limits) : limits_(limits) {}

  // Adds a server for peer `id` serving `chain` (silent: answers nothing at all).
  void AddServer(uint64_t id, std::vector<Bytes> chain, bool silent = false) {
    chains_[id] = std::move(chain);
    silent_[id] = silent;
    const std::vector<Bytes>* served = &chains_[id];
    servers_[id] = std::make_unique<CatchupServer>(
        limits_,
        [served](uint64_t from, uint64_t blocks_max, uint64_t bytes_max,
                 bool headers_only) -> Result<std::vector<Bytes>> {
          std::vector<Bytes> out;
          uint64_t bytes = 0;
          for (uint64_t h = from; h <= served->size() && out.size() < blocks_max; ++h) {
            const Bytes& block = (*served)[h - 1];
            Bytes item = headers_only ? Bytes(block.begin(), block.begin() + kHeaderBytes) : block;
            if (!out.empty() && bytes + item.size() > bytes_max) break;
            bytes += item.size();
            out.push_back(std::move(item));
          }
          if (out.empty()) return Status::NotFound("no block at " + std::to_string(from));
          return out;
        },
        [this, id](uint64_t, Bytes payload) { Deliver(id, std::move(payload)); });
  }

  // The client's send: a request goes to the server of `to`.
  SendFn ClientSend() {
    return [this](uint64_t to, Bytes payload) {
      ++requests_sent_;
      Result<CatchupMessage> m = DecodeCatchupMessage(payload, limits_);
      ASSERT_TRUE(m.ok());
      const BlockRequest& request = std::get<BlockRequest>(*m);
      (request.headers_only ? header_requests_ : block_requests_)[to]++;
      if (silent_.at(to)) return;
      servers_.at(to)->Enqueue(100, request);
    };
  }

  void set_client(CatchupClient* client) { client_ = client; }
  uint64_t requests_sent() const { return requests_sent_; }
  uint64_t block_requests_to(uint64_t id) const {
    return block_requests_.contains(id) ? block_requests_.at(id) : 0;
  }
  uint64_t header_requests_to(uint64_t id) const {
    return header_requests_.contains(id) ? header_requests_.at(id) : 0;
  }

 private:
  void Deliver(uint64_t server_id, Bytes payload) {
    Result<CatchupMessage> m = DecodeCatchupMessage(payload, limits_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    if (client_ != nullptr) client_->OnResponse(server_id, std::get<BlockResponse>(std::move(*m)));
  }

  CatchupLimits limits_;
  std::map<uint64_t, std::vector<Bytes>> chains_;
  std::map<uint64_t, bool> silent_;
  std::map<uint64_t, std::unique_ptr<CatchupServer>> servers_;
  CatchupClient* client_ = nullptr;
  std::atomic<uint64_t> requests_sent_{0};
  // Written by the client's thread only (requests are sent from CatchUp).
  std::map<uint64_t, uint64_t> header_requests_;
  std::map<uint64_t, uint64_t> block_requests_;
};

// Proves a client fetches every missing block in order from a server, in bounded responses.
TEST(CatchupClientTest, FetchesEveryMissingBlockInOrder) {
  CatchupLimits limits = SmallLimits();
  const std::vector<Bytes> chain = MakeChain(30);
  CatchupNetwork net(limits);
  net.AddServer(2, chain);
  std::vector<Bytes> ledger(chain.begin(), chain.begin() + 3);  // heights 1..3
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  Status s = client.CatchUp(
      TipOf(ledger), TipOf(chain), {2}, FakeChainFns(),
      [&](ByteView block, uint64_t height) { return AppendTo(ledger, block, height); }, [] { return false; },
      SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ledger, chain);
  EXPECT_EQ(client.blocks_fetched(), 27u);
  // 172-byte blocks, 1024-byte responses, 4 blocks per response: at least 27/4 requests for blocks.
  EXPECT_GE(net.block_requests_to(2), 7u);
  EXPECT_GE(net.header_requests_to(2), 7u);  // the header chain was fetched too
}

// Proves a silent peer times out and the client moves on to the next peer.
TEST(CatchupClientTest, SilentPeerTimesOutAndNextPeerServes) {
  CatchupLimits limits = SmallLimits();
  const std::vector<Bytes> chain = MakeChain(10);
  CatchupNetwork net(limits);
  net.AddServer(2, chain, /*silent=*/true);
  net.AddServer(3, chain);
  std::vector<Bytes> ledger;
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  const int64_t started = SteadyMs();
  Status s = client.CatchUp(
      TipOf(ledger), TipOf(chain), {2, 3}, FakeChainFns(),
      [&](ByteView block, uint64_t h) { return AppendTo(ledger, block, h); }, [] { return false; }, SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ledger, chain);
  EXPECT_GE(SteadyMs() - started, static_cast<int64_t>(limits.request_timeout_ms));
}

// Proves an unusable block makes the client leave that peer, a fatal apply error stops the catch-up,
// and `stopping` ends it with Unavailable.
TEST(CatchupClientTest, BadBlockSwitchesPeerFatalErrorStopsAndStoppingCancels) {
  CatchupLimits limits = SmallLimits();
  const std::vector<Bytes> chain = MakeChain(8);
  CatchupNetwork net(limits);
  net.AddServer(2, chain);
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  int refusals = 0;
  std::vector<Bytes> ledger;
  Status s = client.CatchUp(
      TipOf(ledger), TipOf(chain), {2}, FakeChainFns(),
      [&](ByteView block, uint64_t h) {
        if (h == 5 && refusals++ == 0) return Status::PermissionDenied("bad signature");
        return AppendTo(ledger, block, h);
      },
      [] { return false; }, SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ledger, chain);
  EXPECT_EQ(refusals, 2);

  Status fatal = client.CatchUp(
      ChainPoint{0, TipOf({}).hash}, TipOf(chain), {2}, FakeChainFns(),
      [&](ByteView, uint64_t) { return Status::IoError("disk"); }, [] { return false; }, SteadyMs);
  EXPECT_EQ(fatal.code(), ErrorCode::kIoError);

  std::atomic<int> polls{0};
  Status cancelled = client.CatchUp(
      ChainPoint{0, TipOf({}).hash}, TipOf(chain), {2}, FakeChainFns(),
      [&](ByteView, uint64_t) { return Status::InvalidArgument("never usable"); },
      [&] { return ++polls > 20; }, SteadyMs);
  EXPECT_EQ(cancelled.code(), ErrorCode::kUnavailable);
}

// Proves a response from a peer that was not asked, or for another range, is ignored.
TEST(CatchupClientTest, UnaskedResponsesAreIgnored) {
  CatchupLimits limits = SmallLimits();
  const std::vector<Bytes> chain = MakeChain(4);
  CatchupNetwork net(limits);
  net.AddServer(2, chain);
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  // Before any request: nothing is in flight, so this is dropped.
  client.OnResponse(2, BlockResponse{1, 1, {MakeChain(1, 7)[0]}});
  std::vector<Bytes> ledger;
  Status s = client.CatchUp(
      TipOf(ledger), TipOf(chain), {2}, FakeChainFns(),
      [&](ByteView block, uint64_t h) { return AppendTo(ledger, block, h); }, [] { return false; }, SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ledger, chain);
}

// A copy of `chain` with block `height` rewritten (another body, its header re-hashed); if `relink`,
// every later block is rewritten to link to it, so the forged chain is consistent up to its end.
std::vector<Bytes> Forge(const std::vector<Bytes>& chain, uint64_t height, bool relink) {
  std::vector<Bytes> forged = chain;
  crypto::Digest previous = height == 1 ? TipOf({}).hash : HeaderHash(chain[height - 2]);
  for (uint64_t h = height; h <= chain.size(); ++h) {
    if (h > height && !relink) break;
    Bytes body(chain[h - 1].begin() + kHeaderBytes, chain[h - 1].end());
    if (h == height) body[2] ^= 0x5a;
    forged[h - 1] = MakeBlock(h, previous, body);
    previous = HeaderHash(forged[h - 1]);
  }
  return forged;
}

// A bound on a catch-up that should end by itself: were it to retry forever, the test fails (Unavailable)
// instead of hanging.
std::function<bool()> GiveUpAfter(int64_t ms) {
  const int64_t until = SteadyMs() + ms;
  return [until] { return SteadyMs() > until; };
}

// Proves a peer whose chain has a rewritten block in the middle is refused, naming the height where its
// header chain breaks, before any block is applied; the local ledger is unchanged.
TEST(CatchupClientTest, AForgedBlockInTheMiddleIsRefusedBeforeAnythingIsApplied) {
  CatchupLimits limits = SmallLimits();
  const std::vector<Bytes> chain = MakeChain(20);
  CatchupNetwork net(limits);
  net.AddServer(2, Forge(chain, 9, /*relink=*/false));
  std::vector<Bytes> ledger(chain.begin(), chain.begin() + 3);
  const std::vector<Bytes> before = ledger;
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  Status s = client.CatchUp(
      TipOf(ledger), TipOf(chain), {2}, FakeChainFns(),
      [&](ByteView block, uint64_t h) { return AppendTo(ledger, block, h); }, GiveUpAfter(30'000), SteadyMs);
  ASSERT_EQ(s.code(), ErrorCode::kFailedPrecondition) << s.ToString();
  // Block 9's header is forged, so block 10's previous hash no longer matches it.
  EXPECT_NE(s.message().find("height 10: previous hash"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("nothing applied"), std::string::npos) << s.ToString();
  EXPECT_EQ(ledger, before);
  EXPECT_EQ(client.blocks_fetched(), 0u);
  EXPECT_EQ(net.block_requests_to(2), 0u) << "no block is fetched before the header chain is verified";
}

// Proves a consistently re-linked chain that does not end at the target hash is refused at the target
// height, with nothing applied, even though each of its blocks extends the one before.
TEST(CatchupClientTest, AChainThatDoesNotEndAtTheTargetHashIsRefused) {
  CatchupLimits limits = SmallLimits();
  const std::vector<Bytes> chain = MakeChain(20);
  CatchupNetwork net(limits);
  net.AddServer(2, Forge(chain, 6, /*relink=*/true));
  net.AddServer(3, MakeChain(20, /*salt=*/1));  // another chain altogether
  std::vector<Bytes> ledger(chain.begin(), chain.begin() + 3);
  const std::vector<Bytes> before = ledger;
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  Status s = client.CatchUp(
      TipOf(ledger), TipOf(chain), {2, 3}, FakeChainFns(),
      [&](ByteView block, uint64_t h) { return AppendTo(ledger, block, h); }, GiveUpAfter(30'000), SteadyMs);
  ASSERT_EQ(s.code(), ErrorCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(ledger, before);
  EXPECT_EQ(client.blocks_fetched(), 0u);
  // Peer 2's forgery links all the way up and fails only at the target; peer 3's chain (the last
  // refused) does not even start from this ledger's tip.
  EXPECT_NE(s.message().find("peer 3 at height 4: previous hash"), std::string::npos) << s.ToString();

  CatchupNetwork one(limits);
  one.AddServer(2, Forge(chain, 6, /*relink=*/true));
  CatchupClient alone(limits, one.ClientSend());
  one.set_client(&alone);
  s = alone.CatchUp(
      TipOf(ledger), TipOf(chain), {2}, FakeChainFns(),
      [&](ByteView block, uint64_t h) { return AppendTo(ledger, block, h); }, GiveUpAfter(30'000), SteadyMs);
  ASSERT_EQ(s.code(), ErrorCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("height 20: the header hashes to"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("not to the target " + TipOf(chain).hash.ToHex()), std::string::npos);
  EXPECT_EQ(ledger, before);
}

// Proves a peer that serves the true headers but a block whose body does not match its header has that
// block refused (the next peer serves it), and a forging first peer does not stop an honest second one.
TEST(CatchupClientTest, ABodyThatDoesNotMatchItsVerifiedHeaderIsNeverApplied) {
  CatchupLimits limits = SmallLimits();
  const std::vector<Bytes> chain = MakeChain(12);
  std::vector<Bytes> swapped_body = chain;
  swapped_body[6].back() ^= 0x01;  // block 7: same header, another body
  CatchupNetwork net(limits);
  net.AddServer(2, swapped_body);
  net.AddServer(3, chain);
  std::vector<Bytes> ledger;
  std::vector<Bytes> offered;  // every block handed to apply
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  Status s = client.CatchUp(
      TipOf(ledger), TipOf(chain), {2, 3}, FakeChainFns(),
      [&](ByteView block, uint64_t h) {
        offered.emplace_back(block.begin(), block.end());
        return AppendTo(ledger, block, h);
      },
      GiveUpAfter(30'000), SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ledger, chain);
  EXPECT_EQ(std::count(offered.begin(), offered.end(), swapped_body[6]), 0);
  EXPECT_GT(net.block_requests_to(3), 0u);

  // Peer 2 now forges a header: the client refuses its chain and verifies peer 3's.
  CatchupNetwork net2(limits);
  net2.AddServer(2, Forge(chain, 5, /*relink=*/false));
  net2.AddServer(3, chain);
  CatchupClient client2(limits, net2.ClientSend());
  net2.set_client(&client2);
  std::vector<Bytes> ledger2;
  s = client2.CatchUp(
      TipOf(ledger2), TipOf(chain), {2, 3}, FakeChainFns(),
      [&](ByteView block, uint64_t h) { return AppendTo(ledger2, block, h); }, GiveUpAfter(30'000), SteadyMs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ledger2, chain);
}

// Proves more heights than chain_heights_max are refused before anything is fetched.
TEST(CatchupClientTest, MoreHeightsThanTheChainBoundAreRefused) {
  CatchupLimits limits = SmallLimits();
  limits.chain_heights_max = 5;
  const std::vector<Bytes> chain = MakeChain(8);
  CatchupNetwork net(limits);
  net.AddServer(2, chain);
  CatchupClient client(limits, net.ClientSend());
  net.set_client(&client);
  Status s = client.CatchUp(
      TipOf({}), TipOf(chain), {2}, FakeChainFns(), [&](ByteView, uint64_t) { return Status::Ok(); },
      [] { return false; }, SteadyMs);
  ASSERT_EQ(s.code(), ErrorCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("chain_heights_max"), std::string::npos);
  EXPECT_EQ(net.requests_sent(), 0u);
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
      [&](uint64_t from, uint64_t blocks_max, uint64_t, bool) -> Result<std::vector<Bytes>> {
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
