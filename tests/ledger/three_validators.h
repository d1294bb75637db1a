// The state-machine tests' Jiangsu genesis with three validators (node ids 1, 2,
// 3; keys KeyFor("node-N")), shared by the evidence fixtures.
#pragma once

#include <gtest/gtest.h>

#include "ledger/genesis.h"
#include "tests/ledger/sm_fixture.h"

namespace shulian::ledger::testing {

inline Genesis ThreeValidatorGenesis() {
  Genesis g = TestGenesis();
  g.validators = {{1, "js-node", "320000", KeyFor("node-1").public_key()},
                  {2, "tz-node", "321200", KeyFor("node-2").public_key()},
                  {3, "nj-node", "320100", KeyFor("node-3").public_key()}};
  g.Canonicalize();
  Status valid = g.Validate();
  EXPECT_TRUE(valid.ok()) << valid.ToString();
  return g;
}

}  // namespace shulian::ledger::testing
