// The chain verifier: walks a BlockStore from height 1 to its head and checks
// everything a block promises, trusting nothing the store has cached:
//   - each block decodes and sits at its own height;
//   - previous_hash links to the block before (the genesis hash for block 1);
//   - time_ms never decreases; tx_count matches the transactions carried;
//   - the block-hash index and every transaction's index entry point back here;
//   - the proposer's signature (NodeKeyLookup: proposer id -> public key);
//   - every transaction's signature (AccountKeyLookup: account id at height ->
//     public key; answering NotFound skips that signature and is counted, so a
//     verifier without the account registry can still check links and roots;
//     leaving the lookup empty skips them all);
//   - tx_log_size and tx_log_root, against a Merkle tree it rebuilds in memory from
//     the blocks' own transactions, and against the stored log's Root(size);
//   - every node the stored log holds, against the rebuilt tree, at the height
//     where that node was completed;
//   - at the end, that the store's head, height and log size are the last block's.
// The first fault is reported as Status::Corruption whose message starts with
// "height N:". Memory: the rebuilt tree keeps two hashes per transaction.
//
// Thread-safety: a call reads the store only; it must not run concurrently with
// AppendBlock on the same store.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "crypto/sha256.h"
#include "ledger/store.h"

namespace shulian::ledger {

struct ChainVerifierOptions {
  NodeKeyLookup node_keys;        // required
  AccountKeyLookup account_keys;  // optional; see the file comment
};

struct ChainReport {
  uint64_t height = 0;
  crypto::Digest head_hash;
  uint64_t transactions = 0;
  uint64_t transaction_signatures_verified = 0;
  uint64_t transaction_signatures_skipped = 0;
  uint64_t tx_log_size = 0;
  crypto::Digest tx_log_root;
};

Result<ChainReport> VerifyChain(const BlockStore& store, const ChainVerifierOptions& options);

}  // namespace shulian::ledger
