// Proposals ahead of the applied head: what a leader needs to build block n+1 on
// block n before block n has committed, so that several blocks are in flight at
// once (pipelining) instead of one per replication round trip.
//
// Building a block needs no state, only the head it extends: its height, hash,
// time and the transaction log's frontier (ledger/merkle_log.h). A ChainTip holds
// exactly that; BuildBlockOn makes a signed block on a tip and returns the tip
// after it. The state machine still decides every transaction's outcome when the
// block applies, on every node alike.
//
// ProposalChain<Payload> remembers the blocks proposed and not yet applied, each
// with the tip after it and a caller's payload (the node keeps the transactions'
// admission records there). Blocks apply in log order, so the oldest proposal is
// always the next one that can apply. When the applied head moves to any other
// block, or one of ours is skipped, no proposal left can ever extend the head
// again (each links to the one before it): the chain hands back all their
// payloads, oldest first, for the caller to queue again.
//
// Ownership: values; the chain owns its payloads until it hands them back.
// Thread-safety: none; the leader's event loop owns the chain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/merkle_log.h"
#include "ledger/store.h"

namespace shulian::ledger {

// The head a block is built on.
struct ChainTip {
  uint64_t height = 0;
  crypto::Digest hash;  // the genesis hash at height 0
  int64_t time_ms = 0;
  MerkleLog::Frontier tx_log;
};

// The applied head of `store`. REQUIRES: no writer runs concurrently.
ChainTip AppliedTip(const BlockStore& store);

// The log's root at its size (RFC 9162 MTH folded from the frontier).
crypto::Digest FrontierRoot(const MerkleLog::Frontier& frontier);
// Appends leaf hashes to the frontier in memory.
void AppendLeaves(MerkleLog::Frontier& frontier, const std::vector<crypto::Digest>& leaf_hashes);

// A block of `transactions` on `tip`, stamped max(time_ms, tip.time_ms) so block
// time never decreases, signed with `node_key`; *after is the tip it leaves.
// InvalidArgument naming the field if the block would break `limits` (count, or
// an empty block), changing nothing.
Result<Block> BuildBlockOn(const ChainTip& tip, std::vector<Transaction> transactions, int64_t time_ms,
                           uint64_t proposer_id, const crypto::KeyPair& node_key, const BlockLimits& limits,
                           ChainTip* after);

template <typename Payload>
class ProposalChain {
 public:
  struct Proposal {
    uint64_t height = 0;
    crypto::Digest hash;
    ChainTip after;
    Payload payload;
  };

  // REQUIRES: blocks_max >= 1.
  explicit ProposalChain(size_t blocks_max) : blocks_max_(blocks_max) {}

  size_t size() const { return proposals_.size(); }
  bool empty() const { return proposals_.empty(); }
  bool full() const { return proposals_.size() >= blocks_max_; }
  size_t blocks_max() const { return blocks_max_; }

  // The tip the next block extends: the newest proposal's, else `applied`.
  const ChainTip& NextTip(const ChainTip& applied) const {
    return proposals_.empty() ? applied : proposals_.back().after;
  }

  // Records a block built on NextTip and handed to consensus.
  // REQUIRES: !full() and block.header.previous_hash is NextTip's hash.
  void Push(const Block& block, ChainTip after, Payload payload) {
    proposals_.push_back(Proposal{block.header.height, block.header.Hash(), std::move(after), std::move(payload)});
  }

  // The ledger applied the block (height, hash). If it is our oldest proposal its
  // payload comes back in *applied; if it is any other block at or past our
  // oldest height, every proposal is dead and their payloads go to *dead.
  void OnApplied(uint64_t height, const crypto::Digest& hash, std::optional<Payload>* applied,
                 std::vector<Payload>* dead) {
    if (proposals_.empty() || height < proposals_.front().height) return;
    if (proposals_.front().height == height && proposals_.front().hash == hash) {
      *applied = std::move(proposals_.front().payload);
      proposals_.pop_front();
      return;
    }
    TakeAll(dead);
  }

  // A committed block was skipped. If it is one of ours, it and everything built
  // on it are dead: all payloads go to *dead.
  void OnSkipped(const crypto::Digest& hash, std::vector<Payload>* dead) {
    for (const Proposal& p : proposals_) {
      if (p.hash == hash) return TakeAll(dead);
    }
  }

  // Forgets every proposal (lost leadership); their payloads go to *dropped.
  void TakeAll(std::vector<Payload>* dropped) {
    for (Proposal& p : proposals_) dropped->push_back(std::move(p.payload));
    proposals_.clear();
  }

  const std::deque<Proposal>& proposals() const { return proposals_; }

 private:
  const size_t blocks_max_;
  std::deque<Proposal> proposals_;  // oldest first; each extends the one before
};

}  // namespace shulian::ledger
