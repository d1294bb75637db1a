// MerkleLog: a persistent, append-only RFC 9162 Merkle log kept in LevelDB.
//
// What is stored. Every *completed perfect subtree* — 2^level leaves starting at
// leaf index·2^level — is written once, when its last leaf arrives, and never
// changes. Under the caller's key prefix P (docs/crypto.md):
//   P ‖ u8 level ‖ u64 index (big-endian) -> 32-byte subtree hash (level 0: leaf hash)
//   P ‖ "size"                           -> u64 big-endian number of leaves
// The two key forms differ in length, so they never collide. Prefixes of two logs
// in one database must not be prefixes of each other.
//
// Costs. The log keeps in memory the *frontier*: the perfect subtrees of its size's
// binary decomposition (at most 64 hashes). Appending n leaves writes about 2n
// nodes and hashes about n times in total. Root, inclusion and consistency proofs
// against ANY past size read O(log n) nodes (crypto/merkle.h), never rebuilding a tree.
//
// Atomicity. Appends are staged so that the caller can put the log's writes in the
// SAME LevelDB WriteBatch as its own (a block and its indexes):
//   auto staged = log->StageAppend(leaves, &batch);  // nodes + size into batch
//   Status s = db->Write(sync_options, &batch);
//   if (s.ok()) log->CommitStaged(); else log->AbortStaged();
// Reads only ever see committed state, so a staged but unwritten append is invisible.
// At most one append may be staged at a time.
//
// Ownership: the log borrows the DB, which must outlive it.
// Thread-safety: one writer. StageAppend, CommitStaged and AbortStaged must be
// serialised by the caller and must not run concurrently with any other method;
// const methods may run concurrently with each other.
#pragma once

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"

namespace shulian::ledger {

struct MerkleLogOptions {
  // Most leaves one StageAppend accepts; bounds the batch a single call builds
  // (about 2 nodes of ~50 bytes per leaf).
  uint64_t append_leaves_max = uint64_t{1} << 20;
  // Checksums on every node read, so on-disk damage surfaces as Corruption.
  bool verify_checksums = true;
};

class MerkleLog : public crypto::SubtreeSource {
 public:
  // Opens the log stored under `key_prefix` in `db` (a missing size means an
  // empty log). Reads the size and the frontier (O(log n) reads). A frontier node
  // that is missing or not 32 bytes, or a malformed size, is Status::Corruption
  // naming the node. `db` is not owned.
  static Result<std::unique_ptr<MerkleLog>> Open(leveldb::DB* db, std::string key_prefix,
                                                 MerkleLogOptions options = {});

  struct Staged {
    uint64_t size;      // leaves in the log once the batch is written
    crypto::Digest root;  // root at that size
  };

  // Adds the nodes completed by `leaf_hashes` and the new size to `batch`, and
  // keeps the resulting state pending until CommitStaged or AbortStaged. Fails,
  // changing nothing, if an append is already pending or the input is too long.
  Result<Staged> StageAppend(std::span<const crypto::Digest> leaf_hashes, leveldb::WriteBatch* batch);
  // The batch is durably written: the pending state becomes current.
  // REQUIRES: an append is pending.
  void CommitStaged();
  // The batch was not written: forget the pending state. A no-op if none.
  void AbortStaged();
  bool has_staged() const { return pending_.has_value(); }

  uint64_t size() const override { return committed_.size; }
  // Hash of a committed perfect subtree. Frontier nodes come from memory; the rest
  // from LevelDB. A stored value that is not 32 bytes is Corruption naming level
  // and index; a node the committed size says exists but is absent is Corruption too.
  Result<crypto::Digest> PerfectSubtree(uint32_t level, uint64_t index) const override;

  // Root at any committed size (0 reads at the current size, O(log n) otherwise).
  Result<crypto::Digest> Root(uint64_t tree_size) const;
  // RFC 9162 PATH and PROOF against any committed sizes, in O(log n) reads.
  Result<std::vector<crypto::Digest>> InclusionProof(uint64_t leaf_index, uint64_t tree_size) const;
  Result<std::vector<crypto::Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

  // The committed shape: `hashes[l]` holds subtree (l, (size >> l) - 1) when bit l
  // of `size` is set (other slots are unspecified). A proposer extends a copy of
  // it in memory to compute the roots of blocks not yet written
  // (ledger/proposal.h); it is a value, so it stays valid after later appends.
  struct Frontier {
    uint64_t size = 0;
    std::array<crypto::Digest, 64> hashes{};
  };
  Frontier frontier() const { return Frontier{committed_.size, committed_.frontier}; }

  // Nodes read from LevelDB since Open (for tests and metrics).
  uint64_t node_reads() const { return node_reads_.load(std::memory_order_relaxed); }

  // Key of node (level, index) / of the size, under `key_prefix` (for tools and tests).
  static std::string NodeKey(std::string_view key_prefix, uint32_t level, uint64_t index);
  static std::string SizeKey(std::string_view key_prefix);

 private:
  // The log's shape: its size and the frontier, where frontier[l] is valid iff
  // bit l of size is set and then holds subtree (l, (size >> l) - 1).
  struct State {
    uint64_t size = 0;
    std::array<crypto::Digest, 64> frontier{};
    crypto::Digest Root() const;
  };

  MerkleLog(leveldb::DB* db, std::string key_prefix, MerkleLogOptions options)
      : db_(db), key_prefix_(std::move(key_prefix)), options_(options) {}

  Result<crypto::Digest> ReadNode(uint32_t level, uint64_t index) const;
  std::string Describe() const;

  leveldb::DB* const db_;
  const std::string key_prefix_;
  const MerkleLogOptions options_;
  State committed_;              // what LevelDB holds (as far as this log knows)
  std::optional<State> pending_;  // staged into a caller's batch, not yet written
  mutable std::atomic<uint64_t> node_reads_{0};
};

}  // namespace shulian::ledger
