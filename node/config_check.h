// The checks a node makes on its files before it opens its database: the genesis
// file, the node key (a regular file of mode 0600 or stricter, crypto/keys.h), the
// key against the genesis validators and the peers' keys, and the data folder.
// `shulian-node --check-config FILE` runs exactly these and starts nothing, so an
// operator (or a service unit's ExecStartPre) learns of a bad config before a start.
//
// Thread-safety: a free function over values.
#pragma once

#include <memory>

#include "common/status.h"
#include "crypto/keys.h"
#include "ledger/genesis.h"
#include "node/config.h"

namespace shulian::node {

struct CheckedFiles {
  ledger::Genesis genesis;
  std::shared_ptr<const crypto::KeyPair> node_key;
  bool joining = false;  // not a genesis validator: joins through add_validator
  // node_key is not the genesis key, allowed because a database exists: its ledger
  // may hold a rotate_validator_key to it (the node checks once it is open).
  bool key_differs_from_genesis = false;
};

// InvalidArgument naming the config field and the file for anything wrong; IoError
// when a file cannot be read or the data folder cannot be written.
[[nodiscard]] Result<CheckedFiles> CheckNodeFiles(const NodeConfig& config);

}  // namespace shulian::node
