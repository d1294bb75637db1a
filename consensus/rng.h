// Rng (internal to consensus/): a small deterministic PRNG (xoshiro256**,
// seeded by splitmix64) for election-timeout jitter. Same seed, same sequence,
// on every platform; not for cryptography.
//
// Thread-safety: none; a value owned by one RawNode.
#pragma once

#include <cstdint>

namespace shulian::consensus {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, bound); REQUIRES bound > 0.
  uint64_t Uniform(uint64_t bound);

 private:
  uint64_t s_[4];
};

}  // namespace shulian::consensus
