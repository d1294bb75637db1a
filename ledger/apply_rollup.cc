// Roll-up indexes and counts over the authority subtree (ledger/state_keys.h).
// Written in the block's batch like every other index, from the record alone:
// no clock (the day is the block time's CST day), ordered sets only.
#include <set>

#include "ledger/apply_context.h"

namespace shulian::ledger {
namespace {

Status AddCount(ApplyEnv& env, const std::string& key) {
  ASSIGN_OR_RETURN(uint64_t value, LoadU64(env.state, key));
  StoreU64(env.state, key, value + 1);
  return Status::Ok();
}

// Every ancestor of either authority, each once, in key order.
Result<std::set<std::string>> AncestorsOfEither(const ApplyEnv& env, std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(std::vector<std::string> of_a, AncestorsOf(env, a));
  ASSIGN_OR_RETURN(std::vector<std::string> of_b, AncestorsOf(env, b));
  std::set<std::string> all(of_a.begin(), of_a.end());
  all.insert(of_b.begin(), of_b.end());
  return all;
}

Key CountKey(std::string_view ancestor, int64_t time_ms, RollupMetric metric) {
  Key key("ru");
  key.Id(ancestor).U32(CstDay(time_ms)).U8(static_cast<uint8_t>(metric));
  return key;
}

}  // namespace

Result<std::vector<std::string>> AncestorsOf(const ApplyEnv& env, std::string_view authority_id) {
  std::vector<std::string> out;
  std::string current(authority_id);
  while (!current.empty()) {
    if (out.size() > env.options.authority_depth_max) {
      return Status::Corruption("authority tree deeper than authority_depth_max at " +
                                std::string(authority_id));
    }
    out.push_back(current);
    Result<AuthorityRecord> authority = LoadAuthority(env.state, current);
    if (!authority.ok() && authority.status().code() == ErrorCode::kNotFound) break;
    if (!authority.ok()) return authority.status();
    current = authority->parent_id;
  }
  return out;
}

Status RollUpAccess(ApplyEnv& env, const AccessRecord& record) {
  ASSIGN_OR_RETURN(std::set<std::string> ancestors,
                   AncestorsOfEither(env, record.provider_authority, record.accessor_authority));
  std::string hash(reinterpret_cast<const char*>(record.tx_hash.bytes.data()), record.tx_hash.bytes.size());
  const bool violates = !record.violations.empty();
  for (const std::string& ancestor : ancestors) {
    Key tail("");
    tail.Time(record.time_ms).U64(record.seq);
    std::string suffix = tail.str().substr(1);  // "<time>/<seq>" without the leading '/'
    env.state.Put(RollupAccessPrefix(ancestor, false) + suffix, hash);
    RETURN_IF_ERROR(AddCount(env, CountKey(ancestor, record.time_ms, RollupMetric::kUses).str()));
    if (!violates) continue;
    env.state.Put(RollupAccessPrefix(ancestor, true) + suffix, hash);
    RETURN_IF_ERROR(AddCount(env, CountKey(ancestor, record.time_ms, RollupMetric::kViolatingUses).str()));
    std::set<std::string> codes(record.violations.begin(), record.violations.end());
    for (const std::string& code : codes) {
      RETURN_IF_ERROR(
          AddCount(env, CountKey(ancestor, record.time_ms, RollupMetric::kViolationCode).Id(code).str()));
    }
  }
  return Status::Ok();
}

Status RollUpFlag(ApplyEnv& env, const FlagRecord& flag) {
  ASSIGN_OR_RETURN(std::vector<std::string> ancestors, AncestorsOf(env, flag.authority_id));
  for (const std::string& ancestor : ancestors) {
    Key tail("");
    tail.Time(flag.time_ms).U64(flag.seq);
    env.state.Put(RollupFlagPrefix(ancestor, flag.kind) + tail.str().substr(1), flag.authority_id);
    Key count = CountKey(ancestor, flag.time_ms, RollupMetric::kFlags);
    count.Id(flag.authority_id).U8(static_cast<uint8_t>(flag.kind));
    RETURN_IF_ERROR(AddCount(env, count.str()));
  }
  return Status::Ok();
}

Status RollUpDeadlineMet(ApplyEnv& env, std::string_view authority_id) {
  ASSIGN_OR_RETURN(std::vector<std::string> ancestors, AncestorsOf(env, authority_id));
  for (const std::string& ancestor : ancestors) {
    RETURN_IF_ERROR(
        AddCount(env, CountKey(ancestor, env.time_ms, RollupMetric::kDeadlinesMet).Id(authority_id).str()));
  }
  return Status::Ok();
}

}  // namespace shulian::ledger
