#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <string>
#include <vector>

namespace shulian::crypto {
namespace {

// ---- Published facts: the RFC 6962 reference data used across Certificate
// ---- Transparency implementations (eight leaves, roots for sizes 0..8, and
// ---- the known inclusion and consistency proofs).

const char* const kLeafDataHex[] = {
    "",         "00",       "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

const char* const kRootHex[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct InclusionVector {
  uint64_t leaf_index;
  uint64_t tree_size;
  std::vector<const char*> proof;
};

const InclusionVector kInclusionVectors[] = {
    {0, 1, {}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  uint64_t old_size;
  uint64_t new_size;
  std::vector<const char*> proof;
};

const ConsistencyVector kConsistencyVectors[] = {
    {1, 1, {}},
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

Digest D(const char* hex) {
  Result<Digest> digest = Digest::FromHex(hex);
  EXPECT_TRUE(digest.ok()) << hex;
  return digest.ok() ? *digest : Digest{};
}

std::vector<Digest> Ds(const std::vector<const char*>& hexes) {
  std::vector<Digest> out;
  for (const char* hex : hexes) out.push_back(D(hex));
  return out;
}

MemoryMerkleTree ReferenceDataTree() {
  MemoryMerkleTree tree;
  for (const char* hex : kLeafDataHex) {
    Result<Bytes> data = FromHex(hex);
    EXPECT_TRUE(data.ok());
    tree.AppendLeaf(*data);
  }
  return tree;
}

// ---- A naive reference: the RFC's recursive definitions, written out literally
// ---- over a vector of leaf hashes. Slow, obviously correct, independent code.

uint64_t LargestPowerOfTwoBelow(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Digest NaiveRoot(const std::vector<Digest>& leaves, uint64_t begin, uint64_t end) {
  if (end == begin) return MerkleEmptyRoot();
  if (end - begin == 1) return leaves[begin];
  uint64_t k = LargestPowerOfTwoBelow(end - begin);
  return MerkleNodeHash(NaiveRoot(leaves, begin, begin + k), NaiveRoot(leaves, begin + k, end));
}

std::vector<Digest> NaivePath(const std::vector<Digest>& leaves, uint64_t m, uint64_t begin,
                              uint64_t end) {
  if (end - begin <= 1) return {};
  uint64_t k = LargestPowerOfTwoBelow(end - begin);
  std::vector<Digest> path;
  if (m < k) {
    path = NaivePath(leaves, m, begin, begin + k);
    path.push_back(NaiveRoot(leaves, begin + k, end));
  } else {
    path = NaivePath(leaves, m - k, begin + k, end);
    path.push_back(NaiveRoot(leaves, begin, begin + k));
  }
  return path;
}

std::vector<Digest> NaiveSubproof(const std::vector<Digest>& leaves, uint64_t m, uint64_t begin,
                                  uint64_t end, bool complete) {
  uint64_t n = end - begin;
  if (m == n) {
    if (complete) return {};
    return {NaiveRoot(leaves, begin, end)};
  }
  uint64_t k = LargestPowerOfTwoBelow(n);
  std::vector<Digest> proof;
  if (m <= k) {
    proof = NaiveSubproof(leaves, m, begin, begin + k, complete);
    proof.push_back(NaiveRoot(leaves, begin + k, end));
  } else {
    proof = NaiveSubproof(leaves, m - k, begin + k, end, false);
    proof.push_back(NaiveRoot(leaves, begin, begin + k));
  }
  return proof;
}

std::vector<Digest> NaiveConsistency(const std::vector<Digest>& leaves, uint64_t m, uint64_t n) {
  if (m == 0) return {};
  return NaiveSubproof(leaves, m, 0, n, true);
}

// ---- Fixtures for the exhaustive tests.

constexpr uint64_t kExhaustiveSizeMax = 64;

class MerkleExhaustiveTest : public ::testing::Test {
 protected:
  // The leaves, roots and naive proofs are computed once for the whole suite.
  static void SetUpTestSuite() {
    for (uint64_t i = 0; i < kExhaustiveSizeMax; ++i) {
      std::string data = "leaf-" + std::to_string(i);
      leaves_.push_back(MerkleLeafHash(AsBytes(data)));
      tree_.AppendLeafHash(leaves_.back());
    }
    naive_paths_.resize(kExhaustiveSizeMax + 1);
    naive_consistency_.resize(kExhaustiveSizeMax + 1);
    for (uint64_t n = 0; n <= kExhaustiveSizeMax; ++n) {
      roots_.push_back(NaiveRoot(leaves_, 0, n));
      for (uint64_t i = 0; i < n; ++i) naive_paths_[n].push_back(NaivePath(leaves_, i, 0, n));
      for (uint64_t m = 0; m <= n; ++m) naive_consistency_[n].push_back(NaiveConsistency(leaves_, m, n));
    }
  }

  static std::vector<Digest> Inclusion(uint64_t index, uint64_t size) {
    Result<std::vector<Digest>> proof = MerkleInclusionProof(tree_, index, size);
    EXPECT_TRUE(proof.ok()) << proof.status().ToString();
    return proof.ok() ? *proof : std::vector<Digest>{};
  }
  static std::vector<Digest> Consistency(uint64_t m, uint64_t n) {
    Result<std::vector<Digest>> proof = MerkleConsistencyProof(tree_, m, n);
    EXPECT_TRUE(proof.ok()) << proof.status().ToString();
    return proof.ok() ? *proof : std::vector<Digest>{};
  }

  static inline std::vector<Digest> leaves_;
  static inline std::vector<Digest> roots_;  // roots_[n]: root of the first n leaves
  static inline std::vector<std::vector<std::vector<Digest>>> naive_paths_;        // [n][i]
  static inline std::vector<std::vector<std::vector<Digest>>> naive_consistency_;  // [n][m]
  static inline MemoryMerkleTree tree_;
};

// A deterministic spread of bit positions so that, across all cases, every
// bit of a hash gets flipped many times while each case flips only a few.
std::vector<size_t> SampledBits(uint64_t case_number, size_t hash_number) {
  constexpr size_t kBitsPerHash = 8;
  std::vector<size_t> bits;
  for (size_t t = 0; t < kBitsPerHash; ++t) {
    bits.push_back((case_number * 31 + hash_number * 101 + t * 32 + t) % 256);
  }
  return bits;
}

Digest FlipBit(Digest digest, size_t bit) {
  digest.bytes[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return digest;
}

// ---- Tests.

// Leaf, node and empty hashes use the RFC's domain-separation prefixes.
TEST(MerkleTest, HashesUseRfcPrefixes) {
  EXPECT_EQ(MerkleEmptyRoot().ToHex(), kRootHex[0]);
  EXPECT_EQ(MerkleLeafHash(ByteView()).ToHex(), kRootHex[1]);
  Bytes node_input = {0x01};
  Digest a = MerkleLeafHash(AsBytes("a"));
  Digest b = MerkleLeafHash(AsBytes("b"));
  node_input.insert(node_input.end(), a.bytes.begin(), a.bytes.end());
  node_input.insert(node_input.end(), b.bytes.begin(), b.bytes.end());
  EXPECT_EQ(MerkleNodeHash(a, b), Sha256(node_input));
}

// Roots of the reference data equal the published roots for sizes 0..8.
TEST(MerkleTest, RootsMatchPublishedVectors) {
  MemoryMerkleTree tree = ReferenceDataTree();
  for (uint64_t n = 0; n <= 8; ++n) {
    Result<Digest> root = MerkleRoot(tree, n);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(root->ToHex(), kRootHex[n]) << "size " << n;
  }
  EXPECT_EQ(tree.Root()->ToHex(), kRootHex[8]);
}

// Inclusion proofs of the reference data equal the published ones and verify.
TEST(MerkleTest, InclusionProofsMatchPublishedVectors) {
  MemoryMerkleTree tree = ReferenceDataTree();
  for (const InclusionVector& v : kInclusionVectors) {
    Result<std::vector<Digest>> proof = MerkleInclusionProof(tree, v.leaf_index, v.tree_size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_EQ(*proof, Ds(v.proof)) << v.leaf_index << " in " << v.tree_size;
    Digest leaf = *tree.PerfectSubtree(0, v.leaf_index);
    EXPECT_TRUE(VerifyMerkleInclusion(v.leaf_index, v.tree_size, leaf, Ds(v.proof),
                                      D(kRootHex[v.tree_size]))
                    .ok());
  }
}

// Consistency proofs of the reference data equal the published ones and verify.
TEST(MerkleTest, ConsistencyProofsMatchPublishedVectors) {
  MemoryMerkleTree tree = ReferenceDataTree();
  for (const ConsistencyVector& v : kConsistencyVectors) {
    Result<std::vector<Digest>> proof = MerkleConsistencyProof(tree, v.old_size, v.new_size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_EQ(*proof, Ds(v.proof)) << v.old_size << " -> " << v.new_size;
    Status verified = VerifyMerkleConsistency(v.old_size, v.new_size, D(kRootHex[v.old_size]),
                                              D(kRootHex[v.new_size]), Ds(v.proof));
    EXPECT_TRUE(verified.ok()) << verified.ToString();
  }
}

// The empty tree's root is SHA-256 of nothing, through the generic root function too.
TEST(MerkleTest, EmptyTreeRoot) {
  MemoryMerkleTree tree;
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_EQ(tree.Root()->ToHex(), kRootHex[0]);
}

// Sizes outside the RFC's 0 < m < n: old size 0 and equal sizes need an empty
// proof (and, for equal sizes, equal roots; for size 0, the empty root).
TEST(MerkleTest, ConsistencyEdgeSizes) {
  MemoryMerkleTree tree = ReferenceDataTree();
  EXPECT_TRUE(MerkleConsistencyProof(tree, 0, 5)->empty());
  EXPECT_TRUE(MerkleConsistencyProof(tree, 0, 0)->empty());
  EXPECT_TRUE(MerkleConsistencyProof(tree, 5, 5)->empty());
  const Digest empty = D(kRootHex[0]);
  const Digest r5 = D(kRootHex[5]);
  const Digest r8 = D(kRootHex[8]);
  EXPECT_TRUE(VerifyMerkleConsistency(0, 5, empty, r5, {}).ok());
  EXPECT_TRUE(VerifyMerkleConsistency(0, 0, empty, empty, {}).ok());
  EXPECT_TRUE(VerifyMerkleConsistency(5, 5, r5, r5, {}).ok());
  EXPECT_FALSE(VerifyMerkleConsistency(0, 5, r5, r5, {}).ok());        // old root not empty
  EXPECT_FALSE(VerifyMerkleConsistency(0, 5, empty, r5, {r8}).ok());   // proof not empty
  EXPECT_FALSE(VerifyMerkleConsistency(5, 5, r5, r8, {}).ok());        // roots differ
  EXPECT_FALSE(VerifyMerkleConsistency(5, 5, r5, r5, {r5}).ok());      // proof not empty
  EXPECT_FALSE(VerifyMerkleConsistency(6, 5, r5, r5, {}).ok());        // shrinking
  EXPECT_FALSE(VerifyMerkleConsistency(2, 5, D(kRootHex[2]), r5, {}).ok());  // empty proof
}

// Requests past the end of the tree are errors, not crashes.
TEST(MerkleTest, OutOfRangeRequestsAreRefused) {
  MemoryMerkleTree tree = ReferenceDataTree();
  EXPECT_EQ(MerkleRoot(tree, 9).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(MerkleInclusionProof(tree, 8, 8).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(MerkleInclusionProof(tree, 0, 9).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(MerkleInclusionProof(tree, 0, 0).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(MerkleConsistencyProof(tree, 3, 9).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(MerkleConsistencyProof(tree, 5, 4).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.PerfectSubtree(3, 1).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(tree.PerfectSubtree(1, 4).status().code(), ErrorCode::kOutOfRange);
  EXPECT_FALSE(VerifyMerkleInclusion(8, 8, D(kRootHex[1]), {}, D(kRootHex[8])).ok());
}

// For every size 1..64 the root equals the naive recursive definition.
TEST_F(MerkleExhaustiveTest, RootsEqualNaiveDefinition) {
  for (uint64_t n = 0; n <= kExhaustiveSizeMax; ++n) {
    Result<Digest> root = MerkleRoot(tree_, n);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, roots_[n]) << "size " << n;
  }
}

// Every inclusion proof for every index of every size 1..64 equals the naive
// PATH and verifies.
TEST_F(MerkleExhaustiveTest, EveryInclusionProofVerifies) {
  for (uint64_t n = 1; n <= kExhaustiveSizeMax; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<Digest> proof = Inclusion(i, n);
      EXPECT_EQ(proof, naive_paths_[n][i]) << i << " in " << n;
      Status verified = VerifyMerkleInclusion(i, n, leaves_[i], proof, roots_[n]);
      EXPECT_TRUE(verified.ok()) << i << " in " << n << ": " << verified.ToString();
    }
  }
}

// Every consistency proof for every 1 <= m <= n <= 64 equals the naive PROOF
// and verifies.
TEST_F(MerkleExhaustiveTest, EveryConsistencyProofVerifies) {
  for (uint64_t n = 1; n <= kExhaustiveSizeMax; ++n) {
    for (uint64_t m = 0; m <= n; ++m) {
      std::vector<Digest> proof = Consistency(m, n);
      EXPECT_EQ(proof, naive_consistency_[n][m]) << m << " -> " << n;
      Status verified = VerifyMerkleConsistency(m, n, roots_[m], roots_[n], proof);
      EXPECT_TRUE(verified.ok()) << m << " -> " << n << ": " << verified.ToString();
    }
  }
}

// Every tampered inclusion proof is rejected: a flipped bit in any proof hash,
// a dropped or an extra hash, a wrong leaf, a wrong root, a wrong index.
TEST_F(MerkleExhaustiveTest, TamperedInclusionProofsAreRejected) {
  uint64_t case_number = 0;
  for (uint64_t n = 1; n <= kExhaustiveSizeMax; ++n) {
    for (uint64_t i = 0; i < n; ++i, ++case_number) {
      const std::vector<Digest> proof = Inclusion(i, n);
      auto verify = [&](uint64_t index, uint64_t size, const Digest& leaf,
                        const std::vector<Digest>& p, const Digest& root) {
        return VerifyMerkleInclusion(index, size, leaf, p, root).ok();
      };
      for (size_t h = 0; h < proof.size(); ++h) {
        for (size_t bit : SampledBits(case_number, h)) {
          std::vector<Digest> bad = proof;
          bad[h] = FlipBit(bad[h], bit);
          EXPECT_FALSE(verify(i, n, leaves_[i], bad, roots_[n])) << i << "/" << n << " h" << h;
        }
        std::vector<Digest> dropped = proof;
        dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(h));
        EXPECT_FALSE(verify(i, n, leaves_[i], dropped, roots_[n])) << i << "/" << n;
      }
      for (size_t at = 0; at <= proof.size(); ++at) {
        std::vector<Digest> extra = proof;
        extra.insert(extra.begin() + static_cast<std::ptrdiff_t>(at), leaves_[i]);
        EXPECT_FALSE(verify(i, n, leaves_[i], extra, roots_[n])) << i << "/" << n;
      }
      for (size_t bit : SampledBits(case_number, 99)) {
        EXPECT_FALSE(verify(i, n, FlipBit(leaves_[i], bit), proof, roots_[n]));
        EXPECT_FALSE(verify(i, n, leaves_[i], proof, FlipBit(roots_[n], bit)));
      }
      for (uint64_t other = 0; other < n; ++other) {
        if (other == i) continue;
        EXPECT_FALSE(verify(i, n, leaves_[other], proof, roots_[n])) << "leaf " << other;
        EXPECT_FALSE(verify(other, n, leaves_[i], proof, roots_[n])) << "index " << other;
      }
      EXPECT_FALSE(verify(i + n, n, leaves_[i], proof, roots_[n]));
      // A wrong size, claimed with that size's true root: accepted only where the
      // genuine proof for that claim is this very proof.
      for (uint64_t other = i + 1; other <= kExhaustiveSizeMax; ++other) {
        if (other == n) continue;
        bool same_proof = proof == naive_paths_[other][i];
        EXPECT_EQ(verify(i, other, leaves_[i], proof, roots_[other]), same_proof)
            << i << " claimed in " << other << " with proof for " << n;
      }
    }
  }
}

// Every tampered consistency proof is rejected: a flipped bit in any proof
// hash, a dropped or an extra hash, wrong roots, and wrong sizes.
TEST_F(MerkleExhaustiveTest, TamperedConsistencyProofsAreRejected) {
  uint64_t case_number = 0;
  for (uint64_t n = 2; n <= kExhaustiveSizeMax; ++n) {
    for (uint64_t m = 1; m < n; ++m, ++case_number) {
      const std::vector<Digest> proof = Consistency(m, n);
      auto verify = [&](uint64_t old_size, uint64_t new_size, const Digest& old_root,
                        const Digest& new_root, const std::vector<Digest>& p) {
        return VerifyMerkleConsistency(old_size, new_size, old_root, new_root, p).ok();
      };
      for (size_t h = 0; h < proof.size(); ++h) {
        for (size_t bit : SampledBits(case_number, h)) {
          std::vector<Digest> bad = proof;
          bad[h] = FlipBit(bad[h], bit);
          EXPECT_FALSE(verify(m, n, roots_[m], roots_[n], bad)) << m << "->" << n << " h" << h;
        }
        std::vector<Digest> dropped = proof;
        dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(h));
        EXPECT_FALSE(verify(m, n, roots_[m], roots_[n], dropped)) << m << "->" << n;
      }
      for (size_t at = 0; at <= proof.size(); ++at) {
        std::vector<Digest> extra = proof;
        extra.insert(extra.begin() + static_cast<std::ptrdiff_t>(at), roots_[m]);
        EXPECT_FALSE(verify(m, n, roots_[m], roots_[n], extra)) << m << "->" << n;
      }
      for (size_t bit : SampledBits(case_number, 99)) {
        EXPECT_FALSE(verify(m, n, FlipBit(roots_[m], bit), roots_[n], proof));
        EXPECT_FALSE(verify(m, n, roots_[m], FlipBit(roots_[n], bit), proof));
      }
      EXPECT_FALSE(verify(m, n, roots_[n], roots_[m], proof));  // roots swapped
      EXPECT_FALSE(verify(n, m, roots_[m], roots_[n], proof));  // sizes swapped
      // Wrong sizes, each claimed with its true root: accepted only where the
      // genuine proof for that claim is this very proof.
      for (uint64_t m2 = 1; m2 <= kExhaustiveSizeMax; ++m2) {
        for (uint64_t n2 : {n - 1, n, n + 1}) {
          if ((m2 == m && n2 == n) || m2 >= n2 || n2 > kExhaustiveSizeMax) continue;
          bool same_proof = proof == naive_consistency_[n2][m2];
          EXPECT_EQ(verify(m2, n2, roots_[m2], roots_[n2], proof), same_proof)
              << m2 << "->" << n2 << " with proof for " << m << "->" << n;
        }
      }
    }
  }
}

// The in-memory tree stores exactly the complete subtrees and no others.
TEST_F(MerkleExhaustiveTest, MemoryTreeHoldsEveryCompleteSubtree) {
  for (uint32_t level = 0; level <= 6; ++level) {
    uint64_t width = uint64_t{1} << level;
    for (uint64_t index = 0; (index + 1) * width <= kExhaustiveSizeMax; ++index) {
      Result<Digest> node = tree_.PerfectSubtree(level, index);
      ASSERT_TRUE(node.ok());
      EXPECT_EQ(*node, NaiveRoot(leaves_, index * width, (index + 1) * width));
    }
    EXPECT_FALSE(tree_.PerfectSubtree(level, kExhaustiveSizeMax / width).ok());
  }
  EXPECT_FALSE(tree_.PerfectSubtree(7, 0).ok());
}

}  // namespace
}  // namespace shulian::crypto
