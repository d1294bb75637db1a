#include "ledger/chain_verifier.h"

#include <string>

#include "crypto/merkle.h"

namespace shulian::ledger {
namespace {

Status Fault(uint64_t height, const std::string& what) {
  return Status::Corruption("height " + std::to_string(height) + ": " + what);
}

// Walk state: what the previous block promised and the log rebuilt so far.
struct Walk {
  crypto::Digest previous_hash;
  int64_t previous_time_ms = 0;
  crypto::MemoryMerkleTree tree;
  ChainReport report;
};

Result<Block> LoadBlock(const BlockStore& store, uint64_t height) {
  auto block = store.GetBlock(height);
  if (block.ok()) return block;
  if (block.status().code() == ErrorCode::kCorruption) return block.status();
  return Fault(height, "block unreadable: " + block.status().ToString());
}

Status CheckHeader(const Block& block, const Walk& walk, const BlockStore& store) {
  const BlockHeader& header = block.header;
  const uint64_t height = header.height;
  if (header.previous_hash != walk.previous_hash) {
    return Fault(height, "previous_hash " + header.previous_hash.ToHex() + " does not link to " +
                             (height == 1 ? std::string("the genesis hash ")
                                          : "block " + std::to_string(height - 1) + " ") +
                             walk.previous_hash.ToHex());
  }
  if (height > 1 && header.time_ms < walk.previous_time_ms) {
    return Fault(height, "time_ms " + std::to_string(header.time_ms) + " is before the previous block's " +
                             std::to_string(walk.previous_time_ms));
  }
  if (header.tx_count != block.transactions.size()) {
    return Fault(height, "tx_count " + std::to_string(header.tx_count) + " but the block carries " +
                             std::to_string(block.transactions.size()));
  }
  auto indexed_height = store.FindBlockHeight(header.Hash());
  if (!indexed_height.ok() || *indexed_height != height) {
    return Fault(height, "the block-hash index does not point at this block");
  }
  return Status::Ok();
}

Status CheckSignatures(const Block& block, const crypto::Digest& genesis_hash, const ChainVerifierOptions& options,
                       Walk& walk) {
  SignatureCheckCounts counts;
  Status verified = VerifyBlockSignatures(block, genesis_hash, options.node_keys, options.account_keys, &counts);
  if (!verified.ok()) {
    // The message already starts with the height.
    return Status::Corruption(verified.message());
  }
  walk.report.transaction_signatures_verified += counts.transactions_verified;
  walk.report.transaction_signatures_skipped += counts.transactions_skipped;
  return Status::Ok();
}

// Appends the block's transactions to the rebuilt tree and checks each one's
// index entry: (height, position, log index).
Status AppendAndCheckIndexes(const Block& block, const BlockStore& store, Walk& walk) {
  const uint64_t height = block.header.height;
  for (size_t i = 0; i < block.transactions.size(); ++i) {
    const Bytes encoded = block.transactions[i].Encode();
    const TxLocation expected{height, static_cast<uint32_t>(i), walk.tree.size()};
    auto found = store.FindTransaction(crypto::Sha256(encoded));
    if (!found.ok()) {
      return Fault(height, "transaction " + std::to_string(i) + " index: " + found.status().ToString());
    }
    if (*found != expected) {
      return Fault(height, "transaction " + std::to_string(i) + " is indexed at height " +
                               std::to_string(found->height) + " position " +
                               std::to_string(found->position) + " log index " +
                               std::to_string(found->log_index) + ", expected log index " +
                               std::to_string(expected.log_index));
    }
    walk.tree.AppendLeaf(encoded);
  }
  return Status::Ok();
}

// Every perfect subtree completed by the leaves [first, size) — each leaf, and
// each ancestor whose last leaf is among them — must equal the stored log's.
Status CheckStoredNodes(uint64_t height, uint64_t first, uint64_t size, const BlockStore& store,
                        const Walk& walk) {
  for (uint64_t leaf = first; leaf < size; ++leaf) {
    for (uint32_t level = 0; level < 64 && ((leaf + 1) % (uint64_t{1} << level)) == 0; ++level) {
      const uint64_t index = leaf >> level;
      auto expected = walk.tree.PerfectSubtree(level, index);
      auto stored = store.tx_log().PerfectSubtree(level, index);
      if (!expected.ok()) return Fault(height, "rebuilding the log: " + expected.status().ToString());
      if (!stored.ok() || *stored != *expected) {
        return Fault(height, "stored log node (level " + std::to_string(level) + ", index " +
                                 std::to_string(index) + ") " +
                                 (stored.ok() ? stored->ToHex() : stored.status().ToString()) +
                                 " differs from the rebuilt " + expected->ToHex());
      }
    }
  }
  return Status::Ok();
}

Status CheckLog(const Block& block, const BlockStore& store, Walk& walk) {
  const uint64_t height = block.header.height;
  const uint64_t size = walk.tree.size();
  if (block.header.tx_log_size != size) {
    return Fault(height, "tx_log_size " + std::to_string(block.header.tx_log_size) +
                             " but the transactions so far number " + std::to_string(size));
  }
  auto rebuilt_root = walk.tree.Root();
  if (!rebuilt_root.ok()) return Fault(height, "rebuilding the log: " + rebuilt_root.status().ToString());
  if (*rebuilt_root != block.header.tx_log_root) {
    return Fault(height, "tx_log_root " + block.header.tx_log_root.ToHex() +
                             " is not the root of the transactions so far " + rebuilt_root->ToHex());
  }
  if (size > store.tx_log().size()) {
    return Fault(height, "the stored log holds only " + std::to_string(store.tx_log().size()) + " leaves");
  }
  auto stored_root = store.tx_log().Root(size);
  if (!stored_root.ok() || *stored_root != *rebuilt_root) {
    return Fault(height, "the stored log's root at size " + std::to_string(size) + " is " +
                             (stored_root.ok() ? stored_root->ToHex() : stored_root.status().ToString()) +
                             ", expected " + rebuilt_root->ToHex());
  }
  return CheckStoredNodes(height, size - block.transactions.size(), size, store, walk);
}

Status CheckHeadMatches(const BlockStore& store, const Walk& walk) {
  const uint64_t height = store.height();
  if (walk.previous_hash != store.head_hash()) {
    return Fault(height, "the store's head hash " + store.head_hash().ToHex() + " is not the last block's " +
                             walk.previous_hash.ToHex());
  }
  if (store.tx_log().size() != walk.tree.size()) {
    return Fault(height, "the stored log holds " + std::to_string(store.tx_log().size()) +
                             " leaves, the blocks carry " + std::to_string(walk.tree.size()));
  }
  return Status::Ok();
}

}  // namespace

Result<ChainReport> VerifyChain(const BlockStore& store, const ChainVerifierOptions& options) {
  if (!options.node_keys) return Status::InvalidArgument("chain verifier: node_keys lookup is required");
  Walk walk;
  walk.previous_hash = store.genesis_hash();
  for (uint64_t height = 1; height <= store.height(); ++height) {
    ASSIGN_OR_RETURN(Block block, LoadBlock(store, height));
    RETURN_IF_ERROR(CheckHeader(block, walk, store));
    RETURN_IF_ERROR(CheckSignatures(block, store.genesis_hash(), options, walk));
    RETURN_IF_ERROR(AppendAndCheckIndexes(block, store, walk));
    RETURN_IF_ERROR(CheckLog(block, store, walk));
    walk.previous_hash = block.header.Hash();
    walk.previous_time_ms = block.header.time_ms;
    walk.report.transactions += block.transactions.size();
  }
  RETURN_IF_ERROR(CheckHeadMatches(store, walk));
  walk.report.height = store.height();
  walk.report.head_hash = walk.previous_hash;
  walk.report.tx_log_size = walk.tree.size();
  ASSIGN_OR_RETURN(walk.report.tx_log_root, walk.tree.Root());
  return walk.report;
}

}  // namespace shulian::ledger
