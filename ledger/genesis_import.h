// The state machine's input from a Genesis: the same content in plain fields, with
// authorities ordered parents first so they can be written in one pass. Tools and
// benchmarks may also build one directly. Roles and levels travel as their stable
// numeric values (ledger/domain_types.h).
//
// Thread-safety: values and a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/calendar.h"
#include "ledger/policy.h"

namespace shulian::ledger {

struct Genesis;

struct ImportedGenesis {
  struct AuthorityEntry {
    std::string id, name, parent_id;
    uint8_t level = 0;
  };
  struct AccountEntry {
    std::string id, authority_id, name;
    std::vector<uint8_t> roles;
    crypto::PublicKey public_key;
  };
  struct ValidatorEntry {
    uint64_t node_id = 0;
    std::string name, authority_id;
    crypto::PublicKey public_key;
  };

  std::string network_id;
  int64_t genesis_time_ms = 0;
  int64_t client_time_window_ms = 0;
  crypto::Digest hash;
  std::vector<AuthorityEntry> authorities;  // canonical order: parents before children
  std::vector<AccountEntry> accounts;
  std::vector<ValidatorEntry> validators;
  std::vector<Calendar> calendars;
  std::vector<std::pair<std::string, Policy>> policies;  // authority id, effective layer
};

// Validates `genesis` and copies it out. Authorities are ordered so that every
// parent precedes its children.
Result<ImportedGenesis> ImportGenesis(const Genesis& genesis);

}  // namespace shulian::ledger
