#include "crypto/merkle.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <string>

namespace shulian::crypto {

namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// Largest power of two strictly less than n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) {
  assert(n >= 2);
  return std::bit_floor(n - 1);
}

std::string Num(uint64_t value) { return std::to_string(value); }

// Hash of D[begin:end] shaped as RFC 9162's MTH: the range is cut into perfect,
// aligned subtrees of decreasing size (the binary decomposition of its length)
// and folded from the right. This costs popcount(end - begin) <= log2(n) lookups.
//
// REQUIRES: begin < end, and begin is a multiple of bit_ceil(end - begin). Every
// range the RFC's recursion visits qualifies: it is either perfect or a suffix
// D[k:n] of the tree whose start k is a multiple of a power of two >= n - k, so
// its pieces are exactly the tail of n's own decomposition (the frontier).
Result<Digest> RangeHash(const SubtreeSource& source, uint64_t begin, uint64_t end) {
  assert(begin < end);
  assert(begin % std::bit_ceil(end - begin) == 0);
  // Pieces from left to right: the set bits of (end - begin), highest first.
  Digest pieces[64];
  int count = 0;
  uint64_t position = begin;
  for (int level = 63; level >= 0; --level) {
    uint64_t width = uint64_t{1} << level;
    if (((end - begin) & width) == 0) continue;
    ASSIGN_OR_RETURN(pieces[count], source.PerfectSubtree(static_cast<uint32_t>(level), position >> level));
    ++count;
    position += width;
  }
  Digest hash = pieces[count - 1];
  for (int i = count - 2; i >= 0; --i) hash = MerkleNodeHash(pieces[i], hash);
  return hash;
}

Status CheckTreeSize(const SubtreeSource& source, uint64_t tree_size) {
  if (tree_size > source.size()) {
    return Status::OutOfRange("tree_size " + Num(tree_size) + " exceeds the log's size " +
                              Num(source.size()));
  }
  return Status::Ok();
}

// Applies one step of the RFC's "right-shift both fn and sn equally until ..." rule.
void ShiftUntilLsbSetOrZero(uint64_t* fn, uint64_t* sn) {
  while ((*fn & 1) == 0 && *fn != 0) {
    *fn >>= 1;
    *sn >>= 1;
  }
}

std::string HashMismatch(const char* what, const Digest& computed, const Digest& expected) {
  return std::string(what) + ": computed " + computed.ToHex() + ", expected " + expected.ToHex();
}

}  // namespace

Digest MerkleLeafHash(ByteView leaf_data) {
  Sha256Hasher hasher;
  const uint8_t prefix = kLeafPrefix;
  hasher.Update(ByteView(&prefix, 1));
  hasher.Update(leaf_data);
  return hasher.Finish();
}

Digest MerkleNodeHash(const Digest& left, const Digest& right) {
  std::array<uint8_t, 65> input;
  input[0] = kNodePrefix;
  std::copy(left.bytes.begin(), left.bytes.end(), input.begin() + 1);
  std::copy(right.bytes.begin(), right.bytes.end(), input.begin() + 33);
  return Sha256(input);
}

Digest MerkleEmptyRoot() { return Sha256(ByteView()); }

Result<Digest> MerkleRoot(const SubtreeSource& source, uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  if (tree_size == 0) return MerkleEmptyRoot();
  return RangeHash(source, 0, tree_size);
}

Result<std::vector<Digest>> MerkleInclusionProof(const SubtreeSource& source, uint64_t leaf_index,
                                                 uint64_t tree_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, tree_size));
  if (leaf_index >= tree_size) {
    return Status::OutOfRange("leaf_index " + Num(leaf_index) + " is not below tree_size " +
                              Num(tree_size));
  }
  // Walk PATH's recursion from the root down; it lists siblings bottom-up, so
  // collect them top-down and reverse.
  std::vector<Digest> proof;
  uint64_t begin = 0;
  uint64_t end = tree_size;
  while (end - begin > 1) {
    uint64_t split = begin + SplitPoint(end - begin);
    if (leaf_index < split) {
      ASSIGN_OR_RETURN(Digest right, RangeHash(source, split, end));
      proof.push_back(right);
      end = split;
    } else {
      ASSIGN_OR_RETURN(Digest left, RangeHash(source, begin, split));
      proof.push_back(left);
      begin = split;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Result<std::vector<Digest>> MerkleConsistencyProof(const SubtreeSource& source, uint64_t old_size,
                                                   uint64_t new_size) {
  RETURN_IF_ERROR(CheckTreeSize(source, new_size));
  if (old_size > new_size) {
    return Status::InvalidArgument("old_size " + Num(old_size) + " exceeds new_size " +
                                   Num(new_size));
  }
  std::vector<Digest> proof;
  // The empty tree is a prefix of every tree, and a tree of itself: nothing to prove.
  if (old_size == 0 || old_size == new_size) return proof;

  // SUBPROOF(m, D[begin:end], complete), walked iteratively from the top.
  uint64_t begin = 0;
  uint64_t end = new_size;
  uint64_t m = old_size;  // relative to begin
  bool complete = true;   // the RFC's b: whether D[begin:begin+m] is a known old root
  while (m != end - begin) {
    uint64_t k = SplitPoint(end - begin);
    if (m <= k) {
      ASSIGN_OR_RETURN(Digest right, RangeHash(source, begin + k, end));
      proof.push_back(right);
      end = begin + k;
    } else {
      ASSIGN_OR_RETURN(Digest left, RangeHash(source, begin, begin + k));
      proof.push_back(left);
      begin += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) {
    ASSIGN_OR_RETURN(Digest old_subtree, RangeHash(source, begin, end));
    proof.push_back(old_subtree);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Status VerifyMerkleInclusion(uint64_t leaf_index, uint64_t tree_size, const Digest& leaf_hash,
                             const std::vector<Digest>& proof, const Digest& root) {
  // §2.1.3.2 step 1.
  if (leaf_index >= tree_size) {
    return Status::InvalidArgument("inclusion proof: leaf_index " + Num(leaf_index) +
                                   " is not below tree_size " + Num(tree_size));
  }
  // Steps 2-3.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  Digest r = leaf_hash;
  // Step 4.
  for (const Digest& p : proof) {
    if (sn == 0) {
      return Status::InvalidArgument("inclusion proof has more than the " +
                                     Num(&p - proof.data()) + " hashes this index and size need");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = MerkleNodeHash(p, r);
      ShiftUntilLsbSetOrZero(&fn, &sn);
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5.
  if (sn != 0) {
    return Status::InvalidArgument("inclusion proof has fewer hashes (" + Num(proof.size()) +
                                   ") than this index and size need");
  }
  if (r != root) return Status::InvalidArgument(HashMismatch("inclusion proof root", r, root));
  return Status::Ok();
}

Status VerifyMerkleConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                               const Digest& new_root, const std::vector<Digest>& proof) {
  if (old_size > new_size) {
    return Status::InvalidArgument("consistency proof: old_size " + Num(old_size) +
                                   " exceeds new_size " + Num(new_size));
  }
  // Sizes outside 0 < old < new, for which RFC 9162 defines no proof: PROOF
  // yields the empty list (RFC 6962 §2.1.2, SUBPROOF(m, D[m], true) = {}), so
  // accept exactly an empty proof together with the roots it implies.
  if (old_size == new_size || old_size == 0) {
    if (!proof.empty()) {
      return Status::InvalidArgument("consistency proof for old_size " + Num(old_size) +
                                     " and new_size " + Num(new_size) + " must be empty, has " +
                                     Num(proof.size()) + " hashes");
    }
    if (old_size == 0 && old_root != MerkleEmptyRoot()) {
      return Status::InvalidArgument(HashMismatch("old root of the empty tree", old_root,
                                                  MerkleEmptyRoot()));
    }
    if (old_size == new_size && old_root != new_root) {
      return Status::InvalidArgument(HashMismatch("roots of equal-size trees", new_root, old_root));
    }
    return Status::Ok();
  }
  // §2.1.4.2 step 1.
  if (proof.empty()) return Status::InvalidArgument("consistency proof is empty");
  // Step 2: a power-of-two old tree is itself a node of the new tree.
  std::vector<Digest> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  // Steps 3-4.
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5.
  Digest fr = path[0];
  Digest sr = path[0];
  // Step 6.
  for (size_t i = 1; i < path.size(); ++i) {
    const Digest& c = path[i];
    if (sn == 0) {
      return Status::InvalidArgument("consistency proof has more hashes (" + Num(proof.size()) +
                                     ") than these sizes need");
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = MerkleNodeHash(c, fr);
      sr = MerkleNodeHash(c, sr);
      ShiftUntilLsbSetOrZero(&fn, &sn);
    } else {
      sr = MerkleNodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) {
    return Status::InvalidArgument("consistency proof has fewer hashes (" + Num(proof.size()) +
                                   ") than these sizes need");
  }
  if (fr != old_root) return Status::InvalidArgument(HashMismatch("consistency proof old root", fr, old_root));
  if (sr != new_root) return Status::InvalidArgument(HashMismatch("consistency proof new root", sr, new_root));
  return Status::Ok();
}

void MemoryMerkleTree::AppendLeafHash(const Digest& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Each completed pair of subtrees completes one at the level above.
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const std::vector<Digest>& row = levels_[level];
    Digest parent = MerkleNodeHash(row[row.size() - 2], row[row.size() - 1]);
    levels_[level + 1].push_back(parent);
  }
}

Result<Digest> MemoryMerkleTree::PerfectSubtree(uint32_t level, uint64_t index) const {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return Status::OutOfRange("no complete subtree at level " + Num(level) + " index " + Num(index) +
                              " in a tree of " + Num(size()) + " leaves");
  }
  return levels_[level][index];
}

uint64_t MemoryMerkleTree::size() const { return levels_.empty() ? 0 : levels_[0].size(); }

}  // namespace shulian::crypto
