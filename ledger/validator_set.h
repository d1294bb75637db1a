// ValidatorSet: the nodes whose signatures count — on blocks (the proposer) and on
// checkpoints (a quorum of them makes a checkpoint cosigned).
//
// The set is a pure function of the genesis and the ledger's ACCEPTED membership
// changes (add_validator / remove_validator / rotate_validator_key), folded in log order
// with Apply(). The ledger (ledger/ledger.h) and the offline verifier use this one
// function, so they cannot disagree about who was a validator at a log size.
//
// Identity. Members are kept sorted by node_id, unique. The set's id is
//   SHA-256("shulian/validator-set/v1" (24 raw bytes) ‖ u32 n ‖ n × (u64 node_id ‖ 32-byte key))
// so two sets with the same members and keys have the same id, whatever their history.
// A checkpoint names the id of the set that signs it.
//
// Thread-safety: a value; const methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/bodies.h"
#include "ledger/transaction.h"

namespace shulian::ledger {

struct ImportedGenesis;

inline constexpr std::string_view kValidatorSetDomainTag = "shulian/validator-set/v1";

// True for the transaction types that change the validator set.
bool IsValidatorChange(TxType type);

struct ValidatorSet {
  struct Member {
    uint64_t node_id = 0;
    crypto::PublicKey key;
    friend bool operator==(const Member&, const Member&) = default;
  };

  std::vector<Member> members;  // sorted by node_id, unique

  // The genesis validators. InvalidArgument naming the entry if two share a node id.
  static Result<ValidatorSet> FromGenesis(const ImportedGenesis& genesis);

  // Signers needed for a cosigned checkpoint: a strict majority.
  size_t Quorum() const { return members.size() / 2 + 1; }
  crypto::Digest Id() const;
  // nullptr if `node_id` is not a member.
  const Member* Find(uint64_t node_id) const;
  bool Contains(uint64_t node_id) const { return Find(node_id) != nullptr; }

  // Folds one ACCEPTED membership change (the caller knows its outcome). Errors,
  // changing nothing: InvalidArgument if `tx` is not add_validator/remove_validator/
  // rotate_validator_key or its body does not decode; FailedPrecondition if it adds a
  // member already present or removes or rotates one that is absent (the state machine never accepts either,
  // so for the ledger this is a bug or corruption). `limits` are those the state
  // machine decoded the body with (the ledger passes its own).
  Status Apply(const Transaction& tx, const BodyLimits& limits = {});

  // {"id": hex, "quorum": n, "members": [{"node_id": n, "public_key": hex}]}
  nlohmann::json ToJson() const;

  friend bool operator==(const ValidatorSet&, const ValidatorSet&) = default;
};

}  // namespace shulian::ledger
