// RFC 9162 (Certificate Transparency v2) Merkle trees: hashing, roots,
// inclusion and consistency proofs, and their verification (§2.1.3.2, §2.1.4.2).
//
//   leaf hash  = SHA-256(0x00 ‖ data)
//   node hash  = SHA-256(0x01 ‖ left ‖ right)
//   empty tree = SHA-256("")
//
// Proof generation is written against SubtreeSource, which yields the hash of
// any *perfect, aligned* subtree (2^level leaves starting at index·2^level).
// An in-memory tree and the persistent ledger log (ledger/merkle_log.h) both
// implement it, so a proof against any past size costs O(log n) lookups and never
// rebuilds a tree.
//
// Thread-safety: free functions are reentrant; a SubtreeSource says its own.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "crypto/sha256.h"

namespace shulian::crypto {

Digest MerkleLeafHash(ByteView leaf_data);
Digest MerkleNodeHash(const Digest& left, const Digest& right);
Digest MerkleEmptyRoot();

class SubtreeSource {
 public:
  virtual ~SubtreeSource() = default;
  // Hash of leaves [index << level, (index + 1) << level). Level 0 is a leaf hash.
  // The caller only asks for subtrees wholly inside the current tree.
  virtual Result<Digest> PerfectSubtree(uint32_t level, uint64_t index) const = 0;
  virtual uint64_t size() const = 0;  // number of leaves
};

// Root of the first `tree_size` leaves. REQUIRES: tree_size <= source.size().
Result<Digest> MerkleRoot(const SubtreeSource& source, uint64_t tree_size);
// RFC 9162 §2.1.3.1 PATH(leaf_index, D[0:tree_size]).
Result<std::vector<Digest>> MerkleInclusionProof(const SubtreeSource& source, uint64_t leaf_index,
                                                 uint64_t tree_size);
// RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]).
Result<std::vector<Digest>> MerkleConsistencyProof(const SubtreeSource& source, uint64_t old_size,
                                                   uint64_t new_size);

// §2.1.3.2. OK iff the proof shows `leaf_hash` at `leaf_index` in the tree of
// `tree_size` leaves with root `root`; otherwise says which check failed.
Status VerifyMerkleInclusion(uint64_t leaf_index, uint64_t tree_size, const Digest& leaf_hash,
                             const std::vector<Digest>& proof, const Digest& root);
// §2.1.4.2. OK iff the tree of `old_size` with `old_root` is a prefix of the tree
// of `new_size` with `new_root`.
Status VerifyMerkleConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                               const Digest& new_root, const std::vector<Digest>& proof);

// An in-memory tree over leaf hashes, for tests, small trees and the verifier.
// Keeps every level, so appends are amortised O(1) and lookups O(1).
class MemoryMerkleTree : public SubtreeSource {
 public:
  void AppendLeafHash(const Digest& leaf_hash);
  void AppendLeaf(ByteView leaf_data) { AppendLeafHash(MerkleLeafHash(leaf_data)); }
  Result<Digest> PerfectSubtree(uint32_t level, uint64_t index) const override;
  uint64_t size() const override;
  Result<Digest> Root() const { return MerkleRoot(*this, size()); }

 private:
  std::vector<std::vector<Digest>> levels_;  // levels_[l][i]: perfect subtree (l, i)
};

}  // namespace shulian::crypto
