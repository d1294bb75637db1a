#include "ledger/validator_set.h"

#include <algorithm>
#include <string>

#include "ledger/bodies.h"
#include "ledger/genesis_import.h"

namespace shulian::ledger {
namespace {

auto ByNodeId(const ValidatorSet::Member& member, uint64_t node_id) { return member.node_id < node_id; }

std::string Node(uint64_t node_id) { return "validator node " + std::to_string(node_id); }

}  // namespace

bool IsValidatorChange(TxType type) {
  return type == TxType::kAddValidator || type == TxType::kRemoveValidator ||
         type == TxType::kRotateValidatorKey;
}

Result<ValidatorSet> ValidatorSet::FromGenesis(const ImportedGenesis& genesis) {
  ValidatorSet set;
  set.members.reserve(genesis.validators.size());
  for (const ImportedGenesis::ValidatorEntry& validator : genesis.validators) {
    set.members.push_back({validator.node_id, validator.public_key});
  }
  std::sort(set.members.begin(), set.members.end(),
            [](const Member& a, const Member& b) { return a.node_id < b.node_id; });
  auto repeated = std::adjacent_find(set.members.begin(), set.members.end(),
                                     [](const Member& a, const Member& b) { return a.node_id == b.node_id; });
  if (repeated != set.members.end()) {
    return Status::InvalidArgument("genesis.validators: node id " + std::to_string(repeated->node_id) +
                                   " appears more than once");
  }
  return set;
}

crypto::Digest ValidatorSet::Id() const {
  ByteWriter w(kValidatorSetDomainTag.size() + 4 + members.size() * 40);
  w.PutFixed(AsBytes(kValidatorSetDomainTag));
  w.PutU32(static_cast<uint32_t>(members.size()));
  for (const Member& member : members) {
    w.PutU64(member.node_id);
    w.PutFixed(member.key.bytes);
  }
  return crypto::Sha256(w.bytes());
}

const ValidatorSet::Member* ValidatorSet::Find(uint64_t node_id) const {
  auto it = std::lower_bound(members.begin(), members.end(), node_id, ByNodeId);
  if (it == members.end() || it->node_id != node_id) return nullptr;
  return &*it;
}

Status ValidatorSet::Apply(const Transaction& tx, const BodyLimits& limits) {
  if (tx.type == TxType::kAddValidator) {
    Result<AddValidatorBody> body = AddValidatorBody::Decode(tx.body, limits);
    if (!body.ok()) return body.status().WithContext("add_validator body");
    auto it = std::lower_bound(members.begin(), members.end(), body->node_id, ByNodeId);
    if (it != members.end() && it->node_id == body->node_id) {
      return Status::FailedPrecondition("add_validator: " + Node(body->node_id) + " is already a member");
    }
    members.insert(it, Member{body->node_id, body->public_key});
    return Status::Ok();
  }
  if (tx.type == TxType::kRemoveValidator) {
    Result<RemoveValidatorBody> body = RemoveValidatorBody::Decode(tx.body, limits);
    if (!body.ok()) return body.status().WithContext("remove_validator body");
    auto it = std::lower_bound(members.begin(), members.end(), body->node_id, ByNodeId);
    if (it == members.end() || it->node_id != body->node_id) {
      return Status::FailedPrecondition("remove_validator: " + Node(body->node_id) + " is not a member");
    }
    members.erase(it);
    return Status::Ok();
  }
  if (tx.type == TxType::kRotateValidatorKey) {
    Result<RotateValidatorKeyBody> body = RotateValidatorKeyBody::Decode(tx.body, limits);
    if (!body.ok()) return body.status().WithContext("rotate_validator_key body");
    auto it = std::lower_bound(members.begin(), members.end(), body->node_id, ByNodeId);
    if (it == members.end() || it->node_id != body->node_id) {
      return Status::FailedPrecondition("rotate_validator_key: " + Node(body->node_id) + " is not a member");
    }
    it->key = body->new_public_key;
    return Status::Ok();
  }
  return Status::InvalidArgument("transaction type " + std::string(TxTypeName(tx.type)) +
                                 " does not change the validator set");
}

nlohmann::json ValidatorSet::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const Member& member : members) {
    list.push_back({{"node_id", member.node_id}, {"public_key", member.key.ToHex()}});
  }
  return nlohmann::json{{"id", Id().ToHex()}, {"quorum", Quorum()}, {"members", std::move(list)}};
}

}  // namespace shulian::ledger
