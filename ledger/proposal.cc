#include "ledger/proposal.h"

#include <algorithm>
#include <bit>
#include <string>

#include "crypto/merkle.h"

namespace shulian::ledger {
namespace {

constexpr uint32_t kLevelsMax = 64;
// Header fields, signature and count around the transactions (ledger/block.h).
constexpr size_t kBlockOverheadBytes = 8 + 32 + 8 + 8 + 4 + 8 + 32 + 64 + 4;
constexpr size_t kLengthPrefixBytes = 4;

bool HasNode(uint64_t size, uint32_t level) { return ((size >> level) & 1) == 1; }

}  // namespace

ChainTip AppliedTip(const BlockStore& store) {
  return ChainTip{store.height(), store.head_hash(), store.head_time_ms(), store.tx_log().frontier()};
}

crypto::Digest FrontierRoot(const MerkleLog::Frontier& frontier) {
  if (frontier.size == 0) return crypto::MerkleEmptyRoot();
  // The smallest (rightmost) perfect subtree is folded into each larger one on its left.
  uint32_t level = static_cast<uint32_t>(std::countr_zero(frontier.size));
  crypto::Digest root = frontier.hashes[level];
  for (++level; level < kLevelsMax; ++level) {
    if (HasNode(frontier.size, level)) root = crypto::MerkleNodeHash(frontier.hashes[level], root);
  }
  return root;
}

void AppendLeaves(MerkleLog::Frontier& frontier, const std::vector<crypto::Digest>& leaf_hashes) {
  for (const crypto::Digest& leaf : leaf_hashes) {
    // A waiting subtree at the same level completes its parent with the carry.
    crypto::Digest carry = leaf;
    uint32_t level = 0;
    while (HasNode(frontier.size, level)) {
      carry = crypto::MerkleNodeHash(frontier.hashes[level], carry);
      ++level;
    }
    frontier.hashes[level] = carry;
    ++frontier.size;
  }
}

Result<Block> BuildBlockOn(const ChainTip& tip, std::vector<Transaction> transactions, int64_t time_ms,
                           uint64_t proposer_id, const crypto::KeyPair& node_key, const BlockLimits& limits,
                           ChainTip* after) {
  if (transactions.empty()) return Status::InvalidArgument("transactions: a block needs at least one");
  if (transactions.size() > limits.transactions_max) {
    return Status::InvalidArgument("transactions: " + std::to_string(transactions.size()) +
                                   " exceed the block limit of " + std::to_string(limits.transactions_max));
  }
  std::vector<crypto::Digest> leaves;
  leaves.reserve(transactions.size());
  size_t bytes = kBlockOverheadBytes;
  for (const Transaction& tx : transactions) {
    const Bytes encoded = tx.Encode();
    bytes += kLengthPrefixBytes + encoded.size();
    leaves.push_back(crypto::MerkleLeafHash(encoded));
  }
  if (bytes > limits.block_bytes_max) {
    return Status::InvalidArgument("transactions: the block would be " + std::to_string(bytes) +
                                   " bytes, over the limit of " + std::to_string(limits.block_bytes_max));
  }
  ChainTip next{tip.height + 1, {}, std::max(time_ms, tip.time_ms), tip.tx_log};
  AppendLeaves(next.tx_log, leaves);

  Block block;
  block.header.height = next.height;
  block.header.previous_hash = tip.hash;
  block.header.time_ms = next.time_ms;
  block.header.proposer = proposer_id;
  block.header.tx_count = static_cast<uint32_t>(transactions.size());
  block.header.tx_log_size = next.tx_log.size;
  block.header.tx_log_root = FrontierRoot(next.tx_log);
  block.transactions = std::move(transactions);
  block.Sign(node_key);
  next.hash = block.header.Hash();
  *after = std::move(next);
  return block;
}

}  // namespace shulian::ledger
