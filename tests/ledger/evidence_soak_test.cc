// The exhaustive single-byte tamper test over ALL byte values (255 replacements
// at every position of a small bundle). Slow (minutes): runs only with SHULIAN_SOAK=1.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/ledger/evidence_fixture.h"

namespace shulian::ledger::testing {
namespace {

class BundleSoakTest : public EvidenceTest {};

TEST_F(BundleSoakTest, EveryByteValueAtEveryPositionOfASmallBundleIsRejected) {
  // Proves that replacing any byte of a small serialized bundle by any of the 255 other byte values never verifies.
  const char* soak = std::getenv("SHULIAN_SOAK");
  if (soak == nullptr || std::string(soak) != "1") GTEST_SKIP() << "set SHULIAN_SOAK=1";
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  ExpectEverySingleByteChangeRejected(SmallTransactionBundle().dump(), every_byte);
}

}  // namespace
}  // namespace shulian::ledger::testing
