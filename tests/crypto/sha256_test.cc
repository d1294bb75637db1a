#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace shulian::crypto {
namespace {

// FIPS 180-2 appendix B example digests.
constexpr char kEmptyDigest[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbcDigest[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char k448BitMessage[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr char k448BitDigest[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr char kMillionAsDigest[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

// One-shot hashing reproduces the FIPS 180 example digests.
TEST(Sha256Test, MatchesFips180Vectors) {
  EXPECT_EQ(Sha256(AsBytes("")).ToHex(), kEmptyDigest);
  EXPECT_EQ(Sha256(AsBytes("abc")).ToHex(), kAbcDigest);
  EXPECT_EQ(Sha256(AsBytes(k448BitMessage)).ToHex(), k448BitDigest);
}

// Feeding a message in uneven pieces gives the same digest as hashing it at once.
TEST(Sha256Test, IncrementalHashingEqualsOneShot) {
  const std::string message = k448BitMessage;
  for (size_t cut = 0; cut <= message.size(); ++cut) {
    Sha256Hasher hasher;
    hasher.Update(AsBytes(std::string_view(message).substr(0, cut)));
    hasher.Update(AsBytes(std::string_view(message).substr(cut)));
    EXPECT_EQ(hasher.Finish().ToHex(), k448BitDigest) << "cut at " << cut;
  }
}

// The FIPS long-message vector (one million 'a') through many small updates.
TEST(Sha256Test, MillionAsInChunks) {
  const std::string chunk(1000, 'a');
  Sha256Hasher hasher;
  for (int i = 0; i < 1000; ++i) hasher.Update(AsBytes(chunk));
  EXPECT_EQ(hasher.Finish().ToHex(), kMillionAsDigest);
}

// Digest hex parsing round-trips and refuses wrong lengths and non-hex text.
TEST(Sha256Test, DigestFromHexRoundTripsAndRejectsBadInput) {
  Result<Digest> parsed = Digest::FromHex(kAbcDigest);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, Sha256(AsBytes("abc")));
  EXPECT_FALSE(Digest::FromHex(std::string(kAbcDigest).substr(2)).ok());
  EXPECT_FALSE(Digest::FromHex(std::string(kAbcDigest) + "00").ok());
  std::string bad = kAbcDigest;
  bad[5] = 'g';
  EXPECT_FALSE(Digest::FromHex(bad).ok());
}

}  // namespace
}  // namespace shulian::crypto
