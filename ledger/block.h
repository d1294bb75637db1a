// A block: one Raft entry carrying a batch of transactions and a signed header.
//
// Header encoding (canonical, big-endian):
//   "shulian/block/v1" ‖ u64 height ‖ 32 previous_hash ‖ i64 time_ms ‖ u64 proposer
//   ‖ u32 tx_count ‖ u64 tx_log_size ‖ 32 tx_log_root
// The block hash is SHA-256 of that encoding; the proposer signs the block hash.
// The header commits to its transactions through tx_log_root: the root of the
// ledger's transaction Merkle log after this block's transactions were appended.
// Block 1's previous_hash is the genesis hash; there is no block 0 on disk.
//
// Block encoding: header fields ‖ 64-byte signature ‖ u32 count ‖ count × bytes(tx).
//
// Thread-safety: values.
#pragma once

#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/transaction.h"

namespace shulian::ledger {

inline constexpr std::string_view kBlockDomainTag = "shulian/block/v1";

struct BlockLimits {
  uint32_t transactions_max = 10'000;
  size_t block_bytes_max = 16 * 1024 * 1024;
  TxLimits tx;
};

struct BlockHeader {
  uint64_t height = 0;
  crypto::Digest previous_hash;
  int64_t time_ms = 0;    // leader-stamped, never decreases
  uint64_t proposer = 0;  // validator node id
  uint32_t tx_count = 0;
  uint64_t tx_log_size = 0;
  crypto::Digest tx_log_root;

  Bytes Encode() const;
  crypto::Digest Hash() const;
  // The header fields alone, as they open an encoded block (no domain tag): what
  // block catch-up sends to check a chain of headers before fetching bodies.
  Bytes EncodeFields() const;
  // Exactly EncodeFields() bytes; anything else is InvalidArgument naming the field.
  static Result<BlockHeader> DecodeFields(ByteView encoded);
  friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

struct Block {
  BlockHeader header;
  crypto::Signature signature;  // by the proposer's node key over header.Hash()
  std::vector<Transaction> transactions;

  Bytes Encode() const;
  static Result<Block> Decode(ByteView encoded, const BlockLimits& limits = {});
  // The header at the front of an encoded block; the rest is not read. For a
  // check that needs only a block's height or time before its apply decodes it.
  static Result<BlockHeader> DecodeHeader(ByteView encoded);

  void Sign(const crypto::KeyPair& node_key);
  [[nodiscard]] bool VerifySignature(const crypto::PublicKey& node_key) const;

  friend bool operator==(const Block&, const Block&) = default;
};

}  // namespace shulian::ledger
