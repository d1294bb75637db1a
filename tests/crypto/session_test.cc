#include "crypto/session.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "crypto/keys.h"

namespace shulian::crypto {
namespace {

// A client and a server channel that share one freshly negotiated session.
struct ChannelPair {
  SecureChannel client;
  SecureChannel server;
};

ChannelPair MakePair() {
  KxKeyPair client_kx = KxKeyPair::Generate();
  KxKeyPair server_kx = KxKeyPair::Generate();
  Result<SessionKeys> client_keys = client_kx.ClientSessionKeys(server_kx.public_key());
  Result<SessionKeys> server_keys = server_kx.ServerSessionKeys(client_kx.public_key());
  EXPECT_TRUE(client_keys.ok());
  EXPECT_TRUE(server_keys.ok());
  return {SecureChannel(std::move(client_keys).value()), SecureChannel(std::move(server_keys).value())};
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Initialize().ok()); }
};

// Client and server derive mirrored keys: the client's tx is the server's rx and vice versa.
TEST_F(SessionTest, ClientAndServerDeriveMirroredKeys) {
  KxKeyPair client_kx = KxKeyPair::Generate();
  KxKeyPair server_kx = KxKeyPair::Generate();
  ASSERT_NE(client_kx.public_key(), server_kx.public_key());
  Result<SessionKeys> c = client_kx.ClientSessionKeys(server_kx.public_key());
  Result<SessionKeys> s = server_kx.ServerSessionKeys(client_kx.public_key());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(c->tx, s->rx);
  EXPECT_EQ(c->rx, s->tx);
  EXPECT_NE(c->tx, c->rx);
}

// Seeded key pairs are deterministic, and a wrong-sized seed is refused.
TEST_F(SessionTest, SeededKeyPairIsDeterministicAndSeedSizeChecked) {
  Bytes seed(32, 7);
  Result<KxKeyPair> a = KxKeyPair::FromSeed(seed);
  Result<KxKeyPair> b = KxKeyPair::FromSeed(seed);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->public_key(), b->public_key());
  EXPECT_EQ(KxKeyPair::FromSeed(Bytes(31, 7)).status().code(), ErrorCode::kInvalidArgument);
}

// A small-order peer key (all zeros) is refused instead of yielding a predictable secret.
TEST_F(SessionTest, SmallOrderPeerKeyRefused) {
  KxKeyPair kx = KxKeyPair::Generate();
  KxPublicKey zero{};
  EXPECT_EQ(kx.ClientSessionKeys(zero).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(kx.ServerSessionKeys(zero).status().code(), ErrorCode::kPermissionDenied);
}

// Frames sealed by either side open on the other, in both directions, including empty ones.
TEST_F(SessionTest, RoundTripBothDirections) {
  ChannelPair pair = MakePair();
  for (int i = 0; i < 5; ++i) {
    std::string text = "raft message " + std::to_string(i);
    Result<Bytes> sealed = pair.client.Seal(AsBytes(text));
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(sealed->size(), text.size() + kSealOverheadBytes);
    EXPECT_EQ(std::string(AsStringView(*sealed)).find("raft"), std::string::npos);
    Result<Bytes> opened = pair.server.Open(*sealed);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(AsStringView(*opened), text);

    Result<Bytes> reply = pair.server.Seal(Bytes{});
    ASSERT_TRUE(reply.ok());
    Result<Bytes> reply_opened = pair.client.Open(*reply);
    ASSERT_TRUE(reply_opened.ok());
    EXPECT_TRUE(reply_opened->empty());
  }
  EXPECT_EQ(pair.client.frames_sealed(), 5u);
  EXPECT_EQ(pair.server.frames_opened(), 5u);
}

// The same plaintext sealed twice gives different ciphertexts (the nonce advances).
TEST_F(SessionTest, NonceAdvancesBetweenFrames) {
  ChannelPair pair = MakePair();
  Result<Bytes> a = pair.client.Seal(AsBytes("same"));
  Result<Bytes> b = pair.client.Seal(AsBytes("same"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

// Flipping any single byte of a frame (body or tag) makes Open fail, and the channel stays broken.
TEST_F(SessionTest, TamperedCiphertextRejected) {
  Bytes plaintext = ToBytes("append entries term 7");
  for (size_t position = 0; position < plaintext.size() + kSealOverheadBytes; ++position) {
    ChannelPair pair = MakePair();
    Result<Bytes> sealed = pair.client.Seal(plaintext);
    ASSERT_TRUE(sealed.ok());
    Bytes tampered = *sealed;
    tampered[position] ^= 0x01;
    Result<Bytes> opened = pair.server.Open(tampered);
    ASSERT_FALSE(opened.ok()) << "flip at " << position << " went unnoticed";
    EXPECT_EQ(opened.status().code(), ErrorCode::kPermissionDenied);
    // Even the genuine frame is refused afterwards: the stream cannot be trusted.
    EXPECT_FALSE(pair.server.Open(*sealed).ok());
  }
}

// Truncated frames, including ones shorter than the tag, are rejected.
TEST_F(SessionTest, TruncatedFrameRejected) {
  ChannelPair pair = MakePair();
  Result<Bytes> sealed = pair.client.Seal(AsBytes("hello"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(pair.server.Open(ByteView(*sealed).first(sealed->size() - 1)).ok());
  ChannelPair pair2 = MakePair();
  EXPECT_FALSE(pair2.server.Open(Bytes(kSealOverheadBytes - 1, 0)).ok());
}

// A frame delivered twice is rejected the second time.
TEST_F(SessionTest, ReplayedFrameRejected) {
  ChannelPair pair = MakePair();
  Result<Bytes> first = pair.client.Seal(AsBytes("vote for 2"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(pair.server.Open(*first).ok());
  Result<Bytes> replay = pair.server.Open(*first);
  EXPECT_FALSE(replay.ok());
  EXPECT_EQ(replay.status().code(), ErrorCode::kPermissionDenied);
}

// Frames delivered out of order are rejected (the receiver expects exactly the next counter).
TEST_F(SessionTest, ReorderedFrameRejected) {
  ChannelPair pair = MakePair();
  Result<Bytes> first = pair.client.Seal(AsBytes("one"));
  Result<Bytes> second = pair.client.Seal(AsBytes("two"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(pair.server.Open(*second).ok());
}

// A frame sealed in one direction cannot be reflected back to its sender.
TEST_F(SessionTest, ReflectedFrameRejected) {
  ChannelPair pair = MakePair();
  Result<Bytes> sealed = pair.client.Seal(AsBytes("reflect me"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(pair.client.Open(*sealed).ok());
}

// A channel of another session (other keys) cannot open the frame.
TEST_F(SessionTest, WrongKeyRejected) {
  ChannelPair pair = MakePair();
  ChannelPair other = MakePair();
  Result<Bytes> sealed = pair.client.Seal(AsBytes("for the server only"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(other.server.Open(*sealed).ok());
  EXPECT_TRUE(pair.server.Open(*sealed).ok());
}

// A counter about to wrap is refused rather than reusing a nonce.
TEST_F(SessionTest, CounterWrapRefused) {
  ChannelPair pair = MakePair();
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  pair.client.SetCountersForTesting(kMax - 1, 0);
  pair.server.SetCountersForTesting(0, kMax - 1);
  Result<Bytes> last = pair.client.Seal(AsBytes("last"));
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(pair.server.Open(*last).ok());
  Result<Bytes> wrapped = pair.client.Seal(AsBytes("wrap"));
  EXPECT_EQ(wrapped.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(pair.server.Open(*last).status().code(), ErrorCode::kResourceExhausted);
}

// A moved-from channel cannot seal (it holds no keys any more); the moved-to one works.
TEST_F(SessionTest, MovedFromChannelRefusesToSeal) {
  ChannelPair pair = MakePair();
  SecureChannel moved(std::move(pair.client));
  EXPECT_FALSE(pair.client.Seal(AsBytes("x")).ok());  // NOLINT(bugprone-use-after-move)
  Result<Bytes> sealed = moved.Seal(AsBytes("x"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(pair.server.Open(*sealed).ok());
}

}  // namespace
}  // namespace shulian::crypto
