#include "crypto/signature_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace shulian::crypto {
namespace {

class SignatureCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Initialize().ok()); }

  KeyPair key_ = KeyPair::Generate();
  KeyPair other_ = KeyPair::Generate();
  const std::string message_ = "record_access a1 by nj.user";
  const Signature signature_ = key_.Sign(AsBytes(message_));
};

TEST_F(SignatureCacheTest, AVerifiedSignatureIsAnsweredFromMemoryTheSecondTime) {
  // Proves the second check of the same (key, message, signature) does not verify again.
  SignatureCache cache(16);
  EXPECT_TRUE(cache.Verify(key_.public_key(), AsBytes(message_), signature_));
  EXPECT_TRUE(cache.Verify(key_.public_key(), AsBytes(message_), signature_));
  SignatureCache::Counts counts = cache.counts();
  EXPECT_EQ(counts.misses, 1u);
  EXPECT_EQ(counts.hits, 1u);
  EXPECT_EQ(counts.entries, 1u);
}

TEST_F(SignatureCacheTest, ABadSignatureIsRefusedEveryTimeAndNeverRemembered) {
  // Proves a failed verification is not cached: each later check verifies again and refuses.
  SignatureCache cache(16);
  Signature bad = signature_;
  bad.bytes[5] ^= 0x01;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(cache.Verify(key_.public_key(), AsBytes(message_), bad));
  EXPECT_EQ(cache.counts().misses, 3u);
  EXPECT_EQ(cache.counts().hits, 0u);
  EXPECT_EQ(cache.counts().entries, 0u);
}

TEST_F(SignatureCacheTest, AnEntryAnswersOnlyForTheSameKeyMessageAndSignature) {
  // Proves a remembered verification says nothing about another key, another message or another signature.
  SignatureCache cache(16);
  ASSERT_TRUE(cache.Verify(key_.public_key(), AsBytes(message_), signature_));
  EXPECT_FALSE(cache.Verify(other_.public_key(), AsBytes(message_), signature_));
  EXPECT_FALSE(cache.Verify(key_.public_key(), AsBytes(message_ + "!"), signature_));
  EXPECT_FALSE(cache.Verify(key_.public_key(), AsBytes(message_), other_.Sign(AsBytes(message_))));
  EXPECT_EQ(cache.counts().hits, 0u);
}

TEST_F(SignatureCacheTest, TheOldestEntryIsForgottenWhenTheCacheIsFull) {
  // Proves the cache holds at most its capacity, dropping the oldest entry first.
  SignatureCache cache(2);
  std::string messages[] = {"m0", "m1", "m2"};
  for (const std::string& m : messages)
    ASSERT_TRUE(cache.Verify(key_.public_key(), AsBytes(m), key_.Sign(AsBytes(m))));
  EXPECT_EQ(cache.counts().entries, 2u);
  EXPECT_TRUE(cache.Verify(key_.public_key(), AsBytes("m2"), key_.Sign(AsBytes("m2"))));
  EXPECT_EQ(cache.counts().hits, 1u);
  EXPECT_TRUE(cache.Verify(key_.public_key(), AsBytes("m0"), key_.Sign(AsBytes("m0"))));
  EXPECT_EQ(cache.counts().hits, 1u);  // m0 was forgotten: verified again
  EXPECT_EQ(cache.counts().entries, 2u);
}

TEST_F(SignatureCacheTest, CapacityZeroVerifiesEveryTimeAndRemembersNothing) {
  // Proves a cache of capacity 0 is off: the same answers as crypto::Verify, no entries.
  SignatureCache cache(0);
  EXPECT_TRUE(cache.Verify(key_.public_key(), AsBytes(message_), signature_));
  EXPECT_TRUE(cache.Verify(key_.public_key(), AsBytes(message_), signature_));
  EXPECT_FALSE(cache.Verify(other_.public_key(), AsBytes(message_), signature_));
  EXPECT_EQ(cache.counts().entries, 0u);
  EXPECT_EQ(cache.counts().hits, 0u);
}

}  // namespace
}  // namespace shulian::crypto
