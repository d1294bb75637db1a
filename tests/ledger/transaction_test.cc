#include "ledger/transaction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/ledger/chain_test_util.h"

namespace shulian::ledger {
namespace {

using testing::MakeTx;
using testing::TestGenesis;
using testing::TestKey;

// The encoding of a transaction with arbitrary raw field values, so a test can
// build inputs the encoder would never produce.
struct RawTx {
  uint16_t type = static_cast<uint16_t>(TxType::kRegisterAsset);
  uint16_t version = kTxVersion;
  std::string network_id = "test-net";
  std::string sender = "acct-0";
  int64_t client_time_ms = 1'700'000'000'000;
  uint64_t nonce = 7;
  Bytes body = ToBytes("body");
  Bytes Encode() const {
    ByteWriter writer;
    writer.PutU16(type);
    writer.PutU16(version);
    writer.PutString(network_id);
    writer.PutString(sender);
    writer.PutI64(client_time_ms);
    writer.PutU64(nonce);
    writer.PutBytes(body);
    writer.PutFixed(Bytes(64, 0xab));
    return writer.Take();
  }
};

void ExpectRejected(const Bytes& encoded, std::string_view field, const TxLimits& limits = {}) {
  auto decoded = Transaction::Decode(encoded, limits);
  ASSERT_FALSE(decoded.ok()) << "expected a rejection naming " << field;
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find(field), std::string::npos) << decoded.status().ToString();
}

TEST(TransactionTest, RoundTripPreservesEveryField) {
  // Proves decode(encode(tx)) == tx and that re-encoding gives the same bytes.
  const crypto::KeyPair key = TestKey(1);
  Transaction tx = MakeTx("acct-1", 42, key);
  tx.client_time_ms = -5;  // any i64 survives
  const Bytes encoded = tx.Encode();
  auto decoded = Transaction::Decode(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, tx);
  EXPECT_EQ(decoded->Encode(), encoded);
  EXPECT_EQ(decoded->Hash(), crypto::Sha256(encoded));
}

TEST(TransactionTest, EncodingFollowsTheDocumentedLayout) {
  // Proves the byte layout: u16 type, u16 version, str network, str sender, i64, u64, bytes body, signature.
  Transaction tx;
  tx.type = TxType::kRegisterAccount;  // 101
  tx.network_id = "n";
  tx.sender = "ab";
  tx.client_time_ms = 0x0102030405060708;
  tx.nonce = 9;
  tx.body = {0xee};
  tx.signature.bytes.fill(0x11);
  Bytes expected = {0x00, 101, 0x00, 0x02, 0, 0, 0, 1, 'n', 0, 0, 0, 2, 'a', 'b', 1, 2, 3,
                    4,    5,   6,    7,    8, 0, 0, 0, 0,   0, 0, 0, 9, 0,   0,   0, 1, 0xee};
  expected.insert(expected.end(), 64, 0x11);
  EXPECT_EQ(tx.Encode(), expected);

  // Version 2 signs: tag ‖ genesis hash ‖ the encoding without its signature.
  const crypto::Digest genesis = TestGenesis();
  ByteWriter signing_expected;
  signing_expected.PutFixed(AsBytes(kTxDomainTagV2));
  signing_expected.PutFixed(genesis.view());
  signing_expected.PutFixed(ByteView(expected).first(expected.size() - 64));
  EXPECT_EQ(tx.SigningBytes(genesis), signing_expected.Take());
}

TEST(TransactionTest, AVersionOneTransactionStillVerifiesWithItsOriginalSigningBytes) {
  // Proves ledgers written before version 2 replay: version 1 signs "shulian/tx/v1" ‖ the
  // encoding without its signature (no genesis hash), decodes, and verifies for any genesis.
  const crypto::KeyPair key = TestKey(1);
  Transaction tx = MakeTx("acct-1", 4, key);
  tx.version = kTxVersionLegacy;
  const Bytes encoded = tx.Encode();
  ByteWriter v1_signing;
  v1_signing.PutFixed(AsBytes(kTxDomainTagV1));
  v1_signing.PutFixed(ByteView(encoded).first(encoded.size() - 64));
  tx.signature = key.Sign(v1_signing.Take());
  auto decoded = Transaction::Decode(tx.Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->version, kTxVersionLegacy);
  EXPECT_TRUE(decoded->VerifySignature(key.public_key(), TestGenesis()));
  EXPECT_TRUE(decoded->VerifySignature(key.public_key(), crypto::Sha256(AsBytes("any other genesis"))));
}

TEST(TransactionTest, ATransactionSignedForOneGenesisDoesNotVerifyForAnotherWithTheSameNetworkId) {
  // Proves two networks that share a network id cannot replay each other's transactions.
  const crypto::KeyPair key = TestKey(1);
  const Transaction tx = MakeTx("acct-1", 1, key);
  ASSERT_TRUE(tx.VerifySignature(key.public_key(), TestGenesis()));
  EXPECT_FALSE(tx.VerifySignature(key.public_key(), crypto::Sha256(AsBytes("another genesis, same network id"))));
  Transaction relabelled = tx;  // claiming version 1 changes the encoding, so the hash, and breaks the signature
  relabelled.version = kTxVersionLegacy;
  EXPECT_FALSE(relabelled.VerifySignature(key.public_key(), TestGenesis()));
}


TEST(TransactionTest, SignatureVerifiesOnlyUnderTheSignersKey) {
  // Proves Sign/VerifySignature use the sender's key and nothing else passes.
  const crypto::KeyPair key = TestKey(1);
  const crypto::KeyPair other = TestKey(2);
  const Transaction tx = MakeTx("acct-1", 1, key);
  EXPECT_TRUE(tx.VerifySignature(key.public_key(), TestGenesis()));
  EXPECT_FALSE(tx.VerifySignature(other.public_key(), TestGenesis()));
  Transaction unsigned_tx = tx;
  unsigned_tx.signature = {};
  EXPECT_FALSE(unsigned_tx.VerifySignature(key.public_key(), TestGenesis()));
}

TEST(TransactionTest, SignatureDoesNotVerifyUnderAnotherNetworkId) {
  // Proves the network id is signed: a transaction replayed on another network fails.
  const crypto::KeyPair key = TestKey(1);
  Transaction tx = MakeTx("acct-1", 1, key, "jiangsu-prod");
  ASSERT_TRUE(tx.VerifySignature(key.public_key(), TestGenesis()));
  tx.network_id = "jiangsu-test";
  EXPECT_FALSE(tx.VerifySignature(key.public_key(), TestGenesis()));
}

TEST(TransactionTest, SigningBytesCarryTheDomainTag) {
  // Proves a signature over the bare encoding (no tag) is not accepted.
  const crypto::KeyPair key = TestKey(1);
  Transaction tx = MakeTx("acct-1", 1, key);
  const Bytes signing = tx.SigningBytes(TestGenesis());
  ASSERT_GE(signing.size(), kTxDomainTagV2.size());
  EXPECT_EQ(AsStringView(ByteView(signing).first(kTxDomainTagV2.size())), kTxDomainTagV2);
  tx.signature = key.Sign(ByteView(signing).subspan(kTxDomainTagV2.size()));
  EXPECT_FALSE(tx.VerifySignature(key.public_key(), TestGenesis()));
}

TEST(TransactionTest, EverySingleBitFlipFailsDecodingOrSignature) {
  // Proves no single-bit change of a signed encoding yields a transaction that still verifies.
  const crypto::KeyPair key = TestKey(1);
  const Bytes encoded = MakeTx("acct-1", 3, key).Encode();
  size_t decoded_count = 0;
  for (size_t bit = 0; bit < encoded.size() * 8; ++bit) {
    Bytes flipped = encoded;
    flipped[bit / 8] = static_cast<uint8_t>(flipped[bit / 8] ^ (1u << (bit % 8)));
    auto decoded = Transaction::Decode(flipped);
    if (!decoded.ok()) continue;
    ++decoded_count;
    EXPECT_FALSE(decoded->VerifySignature(key.public_key(), TestGenesis())) << "bit " << bit;
  }
  EXPECT_GT(decoded_count, 0u);  // some flips decode, so the signature check was exercised
}

TEST(TransactionTest, DecodeRejectsTrailingBytes) {
  // Proves a valid encoding followed by anything is not a transaction.
  Bytes encoded = RawTx{}.Encode();
  ASSERT_TRUE(Transaction::Decode(encoded).ok());
  encoded.push_back(0);
  ExpectRejected(encoded, "trailing");
}

TEST(TransactionTest, DecodeRejectsEveryTruncation) {
  // Proves every strict prefix of a valid encoding is rejected.
  const Bytes encoded = RawTx{}.Encode();
  for (size_t size = 0; size < encoded.size(); ++size) {
    EXPECT_FALSE(Transaction::Decode(ByteView(encoded).first(size)).ok()) << size;
  }
}

TEST(TransactionTest, DecodeRejectsUnknownTypeAndVersion) {
  // Proves types outside tx_types.h and versions other than 1 and 2 are refused, naming the field.
  RawTx raw;
  raw.type = 999;
  ExpectRejected(raw.Encode(), "transaction.type");
  raw.type = 0;
  ExpectRejected(raw.Encode(), "transaction.type");
  raw = RawTx{};
  raw.version = 3;
  ExpectRejected(raw.Encode(), "transaction.version");
  raw.version = 0;
  ExpectRejected(raw.Encode(), "transaction.version");
}

TEST(TransactionTest, DecodeRejectsFieldsOverTheirLimits) {
  // Proves each variable-length field is bounded by TxLimits and the error names it.
  TxLimits limits;
  limits.network_id_bytes_max = 8;
  limits.account_id_bytes_max = 6;
  limits.body_bytes_max = 4;
  RawTx raw;
  raw.network_id = "test-net";
  raw.sender = "acct-0";
  raw.body = Bytes(4, 1);
  ASSERT_TRUE(Transaction::Decode(raw.Encode(), limits).ok());
  raw.network_id = "test-net9";
  ExpectRejected(raw.Encode(), "transaction.network_id", limits);
  raw = RawTx{};
  raw.sender = "acct-00";
  ExpectRejected(raw.Encode(), "transaction.sender", limits);
  raw = RawTx{};
  raw.body = Bytes(5, 1);
  ExpectRejected(raw.Encode(), "transaction.body", limits);
}

TEST(TransactionTest, DecodeRejectsIdsOutsideTheAlphabet) {
  // Proves ids must be 1.. bytes of [a-z0-9._-]: upper case, spaces, '/', empty all fail.
  for (std::string bad : {"Acct", "a b", "a/b", "", "acct\n"}) {
    RawTx raw;
    raw.sender = bad;
    ExpectRejected(raw.Encode(), "transaction.sender");
    raw = RawTx{};
    raw.network_id = bad;
    ExpectRejected(raw.Encode(), "transaction.network_id");
  }
}

TEST(TransactionTest, DecodeRejectsInvalidUtf8) {
  // Proves malformed UTF-8 (bad continuation, overlong, surrogate, past U+10FFFF) is named as such.
  for (std::string bad : {std::string("a\xc3\x28"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                          std::string("\xf4\x90\x80\x80"), std::string("\xe4\xb8")}) {
    RawTx raw;
    raw.sender = bad;
    ExpectRejected(raw.Encode(), "invalid UTF-8");
  }
  // Valid UTF-8 that is not in the id alphabet is refused for the alphabet instead.
  RawTx raw;
  raw.sender = "\xe6\x95\xb0";  // 数
  ExpectRejected(raw.Encode(), "not in [a-z0-9._-]");
}

TEST(TransactionTest, ValidateIdAcceptsTheAlphabetOnly) {
  // Proves ValidateId's accepted set and that its error names what was checked.
  EXPECT_TRUE(ValidateId("id", "a-z_0.9", 64).ok());
  EXPECT_TRUE(ValidateId("id", std::string(64, 'a'), 64).ok());
  Status too_long = ValidateId("account", std::string(65, 'a'), 64);
  EXPECT_FALSE(too_long.ok());
  EXPECT_NE(too_long.message().find("account"), std::string::npos);
  EXPECT_FALSE(ValidateId("id", "A", 64).ok());
  EXPECT_FALSE(ValidateId("id", "", 64).ok());
}

}  // namespace
}  // namespace shulian::ledger
