#include "ledger/block.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/ledger/chain_test_util.h"

namespace shulian::ledger {
namespace {

using testing::MakeTx;
using testing::TestKey;

Block SampleBlock(size_t tx_count) {
  const crypto::KeyPair account = TestKey(1);
  Block block;
  block.header.height = 7;
  block.header.previous_hash = crypto::Sha256(AsBytes("previous"));
  block.header.time_ms = 1'700'000'123'456;
  block.header.proposer = 3;
  block.header.tx_count = static_cast<uint32_t>(tx_count);
  block.header.tx_log_size = 100 + tx_count;
  block.header.tx_log_root = crypto::Sha256(AsBytes("root"));
  for (size_t i = 0; i < tx_count; ++i) block.transactions.push_back(MakeTx("acct-1", i, account));
  block.Sign(TestKey(9));
  return block;
}

void ExpectRejected(const Bytes& encoded, std::string_view what, const BlockLimits& limits = {}) {
  auto decoded = Block::Decode(encoded, limits);
  ASSERT_FALSE(decoded.ok()) << "expected a rejection naming " << what;
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find(what), std::string::npos) << decoded.status().ToString();
}

TEST(BlockTest, RoundTripPreservesHeaderSignatureAndTransactions) {
  // Proves decode(encode(block)) == block for empty and non-empty blocks, canonically.
  for (size_t count : {0u, 1u, 5u}) {
    const Block block = SampleBlock(count);
    const Bytes encoded = block.Encode();
    auto decoded = Block::Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, block);
    EXPECT_EQ(decoded->Encode(), encoded);
  }
}

TEST(BlockTest, DecodeHeaderReadsOnlyTheHeaderAtTheFront) {
  // Proves the header comes back without the transactions being read (a body
  // that does not decode is not looked at), and a cut header is refused.
  const Block block = SampleBlock(3);
  Bytes encoded = block.Encode();
  encoded.resize(encoded.size() - 5);
  ASSERT_FALSE(Block::Decode(encoded).ok());
  auto header = Block::DecodeHeader(encoded);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(*header, block.header);
  auto cut = Block::DecodeHeader(ByteView(encoded).first(8 + 32 + 4));  // inside time_ms
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("block.time_ms"), std::string::npos) << cut.status().ToString();
}

TEST(BlockTest, HeaderFieldsOpenTheEncodedBlockAndDecodeOnlyAtTheirExactSize) {
  // Proves EncodeFields() is the header as it opens an encoded block (what catch-up sends as a header),
  // round-trips, and DecodeFields refuses one byte fewer or more.
  const Block block = SampleBlock(2);
  const Bytes fields = block.header.EncodeFields();
  const Bytes encoded = block.Encode();
  ASSERT_LT(fields.size(), encoded.size());
  EXPECT_EQ(Bytes(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(fields.size())), fields);
  auto back = BlockHeader::DecodeFields(fields);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, block.header);
  EXPECT_EQ(back->Hash(), block.header.Hash());
  Bytes longer = fields;
  longer.push_back(0);
  auto too_long = BlockHeader::DecodeFields(longer);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("block header"), std::string::npos);
  EXPECT_FALSE(BlockHeader::DecodeFields(ByteView(fields).first(fields.size() - 1)).ok());
}

TEST(BlockTest, HeaderEncodingFollowsTheDocumentedLayout) {
  // Proves the header bytes: tag, u64 height, previous hash, i64 time, u64 proposer, u32 count, u64 size,
  // root.
  BlockHeader header;
  header.height = 1;
  header.previous_hash.bytes.fill(0xaa);
  header.time_ms = 2;
  header.proposer = 3;
  header.tx_count = 4;
  header.tx_log_size = 5;
  header.tx_log_root.bytes.fill(0xbb);
  Bytes expected(kBlockDomainTag.begin(), kBlockDomainTag.end());
  auto put_u64 = [&](uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) expected.push_back(static_cast<uint8_t>(v >> shift));
  };
  put_u64(1);
  expected.insert(expected.end(), 32, 0xaa);
  put_u64(2);
  put_u64(3);
  expected.insert(expected.end(), {0, 0, 0, 4});
  put_u64(5);
  expected.insert(expected.end(), 32, 0xbb);
  EXPECT_EQ(header.Encode(), expected);
  EXPECT_EQ(header.Hash(), crypto::Sha256(expected));
  // The stored block starts with the same fields, without the tag.
  Block block;
  block.header = header;
  block.header.tx_count = 0;
  const Bytes stored = block.Encode();
  EXPECT_EQ(stored.size(), expected.size() - kBlockDomainTag.size() + 64 + 4);
}

TEST(BlockTest, SignatureCoversTheHeaderHash) {
  // Proves the proposer's signature verifies and breaks when any header field changes.
  const crypto::KeyPair node = TestKey(9);
  Block block = SampleBlock(2);
  EXPECT_TRUE(block.VerifySignature(node.public_key()));
  EXPECT_FALSE(block.VerifySignature(TestKey(8).public_key()));
  Block changed = block;
  changed.header.time_ms += 1;
  EXPECT_FALSE(changed.VerifySignature(node.public_key()));
  changed = block;
  changed.header.tx_log_root.bytes[0] ^= 1;
  EXPECT_FALSE(changed.VerifySignature(node.public_key()));
  changed = block;
  changed.header.proposer = 4;
  EXPECT_FALSE(changed.VerifySignature(node.public_key()));
}

TEST(BlockTest, EveryHeaderBitFlipFailsDecodingOrSignature) {
  // Proves no single-bit change in the stored header or signature leaves a verifying block.
  const crypto::KeyPair node = TestKey(9);
  const Bytes encoded = SampleBlock(1).Encode();
  const size_t header_and_signature_bytes = 8 + 32 + 8 + 8 + 4 + 8 + 32 + 64;
  for (size_t bit = 0; bit < header_and_signature_bytes * 8; ++bit) {
    Bytes flipped = encoded;
    flipped[bit / 8] = static_cast<uint8_t>(flipped[bit / 8] ^ (1u << (bit % 8)));
    auto decoded = Block::Decode(flipped);
    if (decoded.ok()) {
      EXPECT_FALSE(decoded->VerifySignature(node.public_key())) << "bit " << bit;
    }
  }
}

TEST(BlockTest, DecodeRejectsTrailingBytesAndTruncation) {
  // Proves the encoding must be consumed exactly.
  Bytes encoded = SampleBlock(2).Encode();
  for (size_t size = 0; size < encoded.size(); ++size) {
    EXPECT_FALSE(Block::Decode(ByteView(encoded).first(size)).ok()) << size;
  }
  encoded.push_back(0);
  ExpectRejected(encoded, "trailing");
}

TEST(BlockTest, DecodeRejectsTooManyTransactions) {
  // Proves BlockLimits::transactions_max is enforced before decoding them.
  BlockLimits limits;
  limits.transactions_max = 2;
  ASSERT_TRUE(Block::Decode(SampleBlock(2).Encode(), limits).ok());
  ExpectRejected(SampleBlock(3).Encode(), "block.transactions", limits);
}

TEST(BlockTest, DecodeRejectsBlocksOverTheByteLimit) {
  // Proves BlockLimits::block_bytes_max bounds the whole encoding.
  const Bytes encoded = SampleBlock(3).Encode();
  BlockLimits limits;
  limits.block_bytes_max = encoded.size();
  ASSERT_TRUE(Block::Decode(encoded, limits).ok());
  limits.block_bytes_max = encoded.size() - 1;
  ExpectRejected(encoded, "limit", limits);
}

TEST(BlockTest, DecodeRejectsCountMismatchHeightZeroAndBadTransactions) {
  // Proves tx_count must equal the carried count, height 0 is not a block, and a bad tx is named.
  Block block = SampleBlock(2);
  block.header.tx_count = 3;
  ExpectRejected(block.Encode(), "block.tx_count");
  block = SampleBlock(0);
  block.header.height = 0;
  ExpectRejected(block.Encode(), "block.height");
  block = SampleBlock(2);
  block.transactions[1].sender = "Bad";
  ExpectRejected(block.Encode(), "block.transactions[1]: transaction.sender");
}

}  // namespace
}  // namespace shulian::ledger
