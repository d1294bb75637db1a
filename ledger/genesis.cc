#include "ledger/genesis.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <map>

namespace shulian::ledger {
namespace {

constexpr size_t kAuthorityIdBytes = 6;
constexpr size_t kPresetNameBytesMax = 64;
constexpr size_t kRoleNameBytesMax = 32;
constexpr size_t kPublicKeyHexBytes = 64;

constexpr size_t kRolesMax = EnumInfo<Role>::kNames.size();

// Bounds on chain parameters: wide enough for any real network, tight enough that
// a typo (seconds for milliseconds, a missing digit) is caught.
constexpr int64_t kSkewMsMin = 1, kSkewMsMax = 3'600'000;
constexpr int64_t kClientWindowMsMin = 1'000, kClientWindowMsMax = 7 * 86'400'000LL;
constexpr uint64_t kBlockTransactionsMin = 1, kBlockTransactionsMax = 1'000'000;
constexpr uint64_t kBlockBytesMin = 1024, kBlockBytesMax = 1ULL << 30;

std::string At(std::string_view list, size_t index) {
  return std::string(list) + "[" + std::to_string(index) + "]";
}

Status Invalid(const std::string& path, const std::string& message) {
  return Status::InvalidArgument(path + ": " + message);
}

// Administrative division codes: two digits of province, two of prefecture, two
// of county; a province ends in 0000 and a prefecture-level city in 00.
Status ValidateAuthorityId(const std::string& path, const std::string& id, AuthorityLevel level) {
  bool digits = id.size() == kAuthorityIdBytes &&
                std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || id[0] == '0') {
    return Invalid(path, "\"" + id + "\" is not a six-digit administrative division code");
  }
  bool ends_0000 = id.compare(2, 4, "0000") == 0;
  bool ends_00 = id.compare(4, 2, "00") == 0;
  if (level == AuthorityLevel::kProvince && !ends_0000) {
    return Invalid(path, "a province's code ends in 0000, got \"" + id + "\"");
  }
  if (level == AuthorityLevel::kMunicipality && (!ends_00 || ends_0000)) {
    return Invalid(path, "a municipality's code ends in 00 but not 0000, got \"" + id + "\"");
  }
  if (level == AuthorityLevel::kCounty && ends_00) {
    return Invalid(path, "a county's code does not end in 00, got \"" + id + "\"");
  }
  return Status::Ok();
}

// A child's code lies within its parent's: same province digits, and under a
// municipality the same prefecture digits too.
bool CodeWithin(const std::string& child, const Authority& parent) {
  size_t prefix = parent.level == AuthorityLevel::kProvince ? 2 : 4;
  return child.compare(0, prefix, parent.id, 0, prefix) == 0;
}

Status ValidateAuthorities(const Genesis& g, const GenesisLimits& limits,
                           std::map<std::string, const Authority*>* by_id) {
  if (g.authorities.empty()) return Invalid("authorities", "at least one authority is required");
  if (g.authorities.size() > limits.authorities_max) {
    return Invalid("authorities", "more than " + std::to_string(limits.authorities_max) + " entries");
  }
  for (size_t i = 0; i < g.authorities.size(); ++i) {
    const Authority& a = g.authorities[i];
    std::string path = At("authorities", i);
    if (!EnumFromValue<AuthorityLevel>(static_cast<uint8_t>(a.level))) return Invalid(path + ".level", "unknown level");
    RETURN_IF_ERROR(ValidateAuthorityId(path + ".id", a.id, a.level));
    RETURN_IF_ERROR(ValidateName(path + ".name", a.name, limits.name_bytes_max));
    if (!by_id->emplace(a.id, &a).second) return Invalid(path + ".id", "duplicate authority \"" + a.id + "\"");
  }
  size_t roots = 0;
  for (size_t i = 0; i < g.authorities.size(); ++i) {
    const Authority& a = g.authorities[i];
    std::string path = At("authorities", i);
    if (a.parent_id.empty()) {
      if (a.level != AuthorityLevel::kProvince) {
        return Invalid(path + ".parent", "only the root province may have no parent");
      }
      ++roots;
      continue;
    }
    auto parent = by_id->find(a.parent_id);
    if (parent == by_id->end()) {
      return Invalid(path + ".parent", "unknown authority \"" + a.parent_id + "\"");
    }
    // Levels strictly rise towards the root, so the tree can have no cycle.
    if (parent->second->level >= a.level) {
      return Invalid(path + ".parent", "\"" + a.parent_id + "\" is a " +
                                           std::string(EnumName(parent->second->level)) +
                                           ", not a higher level than this " +
                                           std::string(EnumName(a.level)));
    }
    if (!CodeWithin(a.id, *parent->second)) {
      return Invalid(path + ".id", "\"" + a.id + "\" is not within its parent's code \"" + a.parent_id + "\"");
    }
  }
  if (roots != 1) {
    return Invalid("authorities", "exactly one root province is required, found " + std::to_string(roots));
  }
  return Status::Ok();
}

Status ValidateAccounts(const Genesis& g, const GenesisLimits& limits,
                        const std::map<std::string, const Authority*>& authorities) {
  if (g.accounts.size() > limits.accounts_max) {
    return Invalid("accounts", "more than " + std::to_string(limits.accounts_max) + " entries");
  }
  std::map<std::string, size_t> ids;
  std::map<crypto::PublicKey, size_t> keys;
  for (size_t i = 0; i < g.accounts.size(); ++i) {
    const Account& a = g.accounts[i];
    std::string path = At("accounts", i);
    RETURN_IF_ERROR(ValidateRulesId(path + ".id", a.id, limits.account_id_bytes_max));
    if (!ids.emplace(a.id, i).second) return Invalid(path + ".id", "duplicate account \"" + a.id + "\"");
    RETURN_IF_ERROR(ValidateName(path + ".name", a.name, limits.name_bytes_max));
    if (a.roles.empty()) return Invalid(path + ".roles", "at least one role is required");
    for (size_t r = 0; r < a.roles.size(); ++r) {
      if (!EnumFromValue<Role>(static_cast<uint8_t>(a.roles[r]))) return Invalid(At(path + ".roles", r), "unknown role");
      for (size_t s = 0; s < r; ++s) {
        if (a.roles[s] == a.roles[r]) {
          return Invalid(At(path + ".roles", r), "duplicate role \"" + std::string(EnumName(a.roles[r])) + "\"");
        }
      }
    }
    bool needs_authority = a.HasRole(Role::kProvider) || a.HasRole(Role::kUser) ||
                           a.HasRole(Role::kSupervisor) || a.HasRole(Role::kOperator);
    if (a.authority_id.empty()) {
      if (needs_authority) {
        return Invalid(path + ".authority", "required for the provider, user, supervisor and operator roles");
      }
    } else if (authorities.count(a.authority_id) == 0) {
      return Invalid(path + ".authority", "unknown authority \"" + a.authority_id + "\"");
    }
    auto [it, inserted] = keys.emplace(a.public_key, i);
    if (!inserted) {
      return Invalid(path + ".public_key", "already the key of " + At("accounts", it->second));
    }
  }
  return Status::Ok();
}

Status ValidateValidators(const Genesis& g, const GenesisLimits& limits,
                          const std::map<std::string, const Authority*>& authorities) {
  if (g.validators.empty()) return Invalid("validators", "at least one validator is required");
  if (g.validators.size() > limits.validators_max) {
    return Invalid("validators", "more than " + std::to_string(limits.validators_max) + " entries");
  }
  std::map<uint64_t, size_t> ids;
  std::map<crypto::PublicKey, size_t> keys;
  for (size_t i = 0; i < g.validators.size(); ++i) {
    const Validator& v = g.validators[i];
    std::string path = At("validators", i);
    if (v.node_id == 0) return Invalid(path + ".node_id", "must be nonzero");
    if (!ids.emplace(v.node_id, i).second) {
      return Invalid(path + ".node_id", "duplicate node id " + std::to_string(v.node_id));
    }
    RETURN_IF_ERROR(ValidateName(path + ".name", v.name, limits.name_bytes_max));
    if (authorities.count(v.authority_id) == 0) {
      return Invalid(path + ".authority", "unknown authority \"" + v.authority_id + "\"");
    }
    auto [it, inserted] = keys.emplace(v.public_key, i);
    if (!inserted) {
      return Invalid(path + ".public_key", "already the key of " + At("validators", it->second));
    }
  }
  return Status::Ok();
}

Status ValidateCalendarsAndPolicies(const Genesis& g, const GenesisLimits& limits,
                                    const std::map<std::string, const Authority*>& authorities) {
  if (g.calendars.size() > limits.calendars_max) {
    return Invalid("calendars", "more than " + std::to_string(limits.calendars_max) + " entries");
  }
  std::map<std::string, size_t> calendar_ids;
  for (size_t i = 0; i < g.calendars.size(); ++i) {
    std::string path = At("calendars", i);
    RETURN_IF_ERROR(g.calendars[i].Validate(limits.calendar, path));
    if (!calendar_ids.emplace(g.calendars[i].id, i).second) {
      return Invalid(path + ".id", "duplicate calendar \"" + g.calendars[i].id + "\"");
    }
  }
  if (g.policies.size() > limits.policies_max) {
    return Invalid("policies", "more than " + std::to_string(limits.policies_max) + " entries");
  }
  std::map<std::string, size_t> policy_authorities;
  for (size_t i = 0; i < g.policies.size(); ++i) {
    const PolicyEntry& p = g.policies[i];
    std::string path = At("policies", i);
    if (authorities.count(p.authority_id) == 0) {
      return Invalid(path + ".authority", "unknown authority \"" + p.authority_id + "\"");
    }
    if (!policy_authorities.emplace(p.authority_id, i).second) {
      return Invalid(path + ".authority", "a second policy for \"" + p.authority_id + "\"");
    }
    if (!p.preset.empty() && !Preset(p.preset).ok()) {
      return Invalid(path + ".preset", "unknown preset \"" + p.preset + "\"");
    }
    RETURN_IF_ERROR(p.layer.Validate(limits.policy, path + ".overrides"));
    if (p.layer.calendar_id && calendar_ids.count(*p.layer.calendar_id) == 0) {
      return Invalid(path + ".overrides.calendar", "unknown calendar \"" + *p.layer.calendar_id + "\"");
    }
  }
  return Status::Ok();
}

template <typename T, typename Key>
Status CheckSorted(const std::vector<T>& items, std::string_view list, Key key) {
  for (size_t i = 1; i < items.size(); ++i) {
    if (!(key(items[i - 1]) < key(items[i]))) {
      return Invalid(At(list, i), "not in canonical order");
    }
  }
  return Status::Ok();
}

Result<crypto::PublicKey> PublicKeyFromHex(const std::string& hex, const std::string& path) {
  Result<std::array<uint8_t, 32>> bytes = FixedFromHex<32>(hex);
  if (!bytes.ok()) return Invalid(path, bytes.status().message());
  return crypto::PublicKey{*bytes};
}

// ---- JSON ----

Status ChainFromJson(const nlohmann::json& json, ChainParameters* chain) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader o, rules_json::ObjectReader::Open(json, "chain"));
  if (o.Has("block_time_skew_ms_max")) {
    ASSIGN_OR_RETURN(chain->block_time_skew_ms_max, o.Int("block_time_skew_ms_max", kSkewMsMin, kSkewMsMax));
  }
  if (o.Has("client_time_window_ms")) {
    ASSIGN_OR_RETURN(chain->client_time_window_ms,
                     o.Int("client_time_window_ms", kClientWindowMsMin, kClientWindowMsMax));
  }
  if (o.Has("block_transactions_max")) {
    ASSIGN_OR_RETURN(uint64_t v, o.Unsigned("block_transactions_max", kBlockTransactionsMin,
                                            kBlockTransactionsMax));
    chain->block_transactions_max = static_cast<uint32_t>(v);
  }
  if (o.Has("block_bytes_max")) {
    ASSIGN_OR_RETURN(chain->block_bytes_max, o.Unsigned("block_bytes_max", kBlockBytesMin, kBlockBytesMax));
  }
  return o.Finish();
}

Result<Authority> AuthorityFromJson(const nlohmann::json& json, const std::string& path,
                                    const GenesisLimits& limits) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader o, rules_json::ObjectReader::Open(json, path));
  Authority a;
  ASSIGN_OR_RETURN(a.id, o.String("id", kAuthorityIdBytes + 16));
  ASSIGN_OR_RETURN(a.name, o.String("name", limits.name_bytes_max));
  ASSIGN_OR_RETURN(std::string level, o.String("level", 32));
  std::optional<AuthorityLevel> parsed = EnumFromName<AuthorityLevel>(level);
  if (!parsed) {
    return Invalid(o.PathOf("level"), "\"" + level + "\" is not one of province, municipality, county");
  }
  a.level = *parsed;
  if (o.Has("parent")) {
    ASSIGN_OR_RETURN(a.parent_id, o.String("parent", kAuthorityIdBytes + 16));
    if (a.parent_id.empty()) return Invalid(o.PathOf("parent"), "must not be empty (omit it for the root)");
  }
  RETURN_IF_ERROR(o.Finish());
  return a;
}

Result<Account> AccountFromJson(const nlohmann::json& json, const std::string& path,
                                const GenesisLimits& limits) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader o, rules_json::ObjectReader::Open(json, path));
  Account a;
  ASSIGN_OR_RETURN(a.id, o.String("id", limits.account_id_bytes_max));
  if (o.Has("authority")) {
    ASSIGN_OR_RETURN(a.authority_id, o.String("authority", kAuthorityIdBytes + 16));
    if (a.authority_id.empty()) return Invalid(o.PathOf("authority"), "must not be empty (omit it instead)");
  }
  std::string roles_path;
  ASSIGN_OR_RETURN(const nlohmann::json* roles, o.Array("roles", &roles_path, kRolesMax));
  for (size_t r = 0; r < roles->size(); ++r) {
    ASSIGN_OR_RETURN(std::string name, rules_json::StringAt((*roles)[r], At(roles_path, r), kRoleNameBytesMax));
    std::optional<Role> role = EnumFromName<Role>(name);
    if (!role) {
      return Invalid(At(roles_path, r), "\"" + name +
                                            "\" is not one of provider, user, supervisor, court, "
                                            "arbitrator, auditor, public, operator");
    }
    a.roles.push_back(*role);
  }
  ASSIGN_OR_RETURN(std::string key_hex, o.String("public_key", kPublicKeyHexBytes + 2));
  ASSIGN_OR_RETURN(a.public_key, PublicKeyFromHex(key_hex, o.PathOf("public_key")));
  ASSIGN_OR_RETURN(a.name, o.String("name", limits.name_bytes_max));
  RETURN_IF_ERROR(o.Finish());
  return a;
}

Result<Validator> ValidatorFromJson(const nlohmann::json& json, const std::string& path,
                                    const GenesisLimits& limits) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader o, rules_json::ObjectReader::Open(json, path));
  Validator v;
  ASSIGN_OR_RETURN(v.node_id, o.Unsigned("node_id", 1, UINT64_MAX));
  ASSIGN_OR_RETURN(v.name, o.String("name", limits.name_bytes_max));
  ASSIGN_OR_RETURN(v.authority_id, o.String("authority", kAuthorityIdBytes + 16));
  ASSIGN_OR_RETURN(std::string key_hex, o.String("public_key", kPublicKeyHexBytes + 2));
  ASSIGN_OR_RETURN(v.public_key, PublicKeyFromHex(key_hex, o.PathOf("public_key")));
  RETURN_IF_ERROR(o.Finish());
  return v;
}

Result<PolicyEntry> PolicyEntryFromJson(const nlohmann::json& json, const std::string& path,
                                        const GenesisLimits& limits) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader o, rules_json::ObjectReader::Open(json, path));
  PolicyEntry p;
  ASSIGN_OR_RETURN(p.authority_id, o.String("authority", kAuthorityIdBytes + 16));
  Policy base;
  if (o.Has("preset")) {
    ASSIGN_OR_RETURN(p.preset, o.String("preset", kPresetNameBytesMax));
    Result<Policy> preset = Preset(p.preset);
    if (!preset.ok()) return Invalid(o.PathOf("preset"), preset.status().message());
    base = *preset;
  }
  Policy overrides;
  if (o.Has("overrides")) {
    std::string overrides_path;
    ASSIGN_OR_RETURN(const nlohmann::json* member, o.Member("overrides", &overrides_path));
    ASSIGN_OR_RETURN(overrides, Policy::FromJson(*member, overrides_path, limits.policy));
  }
  if (p.preset.empty() && !o.Has("overrides")) {
    return Invalid(path, "a policy needs a preset, overrides or both");
  }
  RETURN_IF_ERROR(o.Finish());
  p.layer = Merge(base, overrides);
  return p;
}

template <typename T, typename Parse>
Status ListFromJson(rules_json::ObjectReader& o, const std::string& key, size_t items_max, bool required,
                    std::vector<T>* out, Parse parse) {
  if (!required && !o.Has(key)) return Status::Ok();
  std::string path;
  ASSIGN_OR_RETURN(const nlohmann::json* array, o.Array(key, &path, items_max));
  for (size_t i = 0; i < array->size(); ++i) {
    ASSIGN_OR_RETURN(T item, parse((*array)[i], At(path, i)));
    out->push_back(std::move(item));
  }
  return Status::Ok();
}

// ---- binary ----

void PutKey(ByteWriter& w, const crypto::PublicKey& key) { w.PutFixed(key.bytes); }

Result<uint32_t> GetCount(ByteReader& r, size_t max, std::string_view list) {
  ASSIGN_OR_RETURN(uint32_t count, r.GetU32());
  if (count > max) {
    return Invalid(std::string(list), std::to_string(count) + " entries exceed the limit " + std::to_string(max));
  }
  return count;
}

Result<Authority> DecodeAuthority(ByteReader& r, const GenesisLimits& limits) {
  Authority a;
  ASSIGN_OR_RETURN(a.id, r.GetString(kAuthorityIdBytes));
  ASSIGN_OR_RETURN(a.name, r.GetString(limits.name_bytes_max));
  ASSIGN_OR_RETURN(uint8_t level, r.GetU8());
  std::optional<AuthorityLevel> parsed = EnumFromValue<AuthorityLevel>(level);
  if (!parsed) return Status::InvalidArgument("authority level " + std::to_string(level) + " unknown");
  a.level = *parsed;
  ASSIGN_OR_RETURN(a.parent_id, r.GetString(kAuthorityIdBytes));
  return a;
}

Result<Account> DecodeAccount(ByteReader& r, const GenesisLimits& limits) {
  Account a;
  ASSIGN_OR_RETURN(a.id, r.GetString(limits.account_id_bytes_max));
  ASSIGN_OR_RETURN(a.authority_id, r.GetString(kAuthorityIdBytes));
  ASSIGN_OR_RETURN(uint8_t role_count, r.GetU8());
  if (role_count > kRolesMax) return Status::InvalidArgument("account roles: too many");
  for (uint8_t i = 0; i < role_count; ++i) {
    ASSIGN_OR_RETURN(uint8_t role, r.GetU8());
    std::optional<Role> parsed = EnumFromValue<Role>(role);
    if (!parsed) return Status::InvalidArgument("role " + std::to_string(role) + " unknown");
    a.roles.push_back(*parsed);
  }
  ASSIGN_OR_RETURN(a.public_key.bytes, r.GetArray<32>());
  ASSIGN_OR_RETURN(a.name, r.GetString(limits.name_bytes_max));
  return a;
}

Result<Validator> DecodeValidator(ByteReader& r, const GenesisLimits& limits) {
  Validator v;
  ASSIGN_OR_RETURN(v.node_id, r.GetU64());
  ASSIGN_OR_RETURN(v.name, r.GetString(limits.name_bytes_max));
  ASSIGN_OR_RETURN(v.authority_id, r.GetString(kAuthorityIdBytes));
  ASSIGN_OR_RETURN(v.public_key.bytes, r.GetArray<32>());
  return v;
}

Result<PolicyEntry> DecodePolicyEntry(ByteReader& r, const GenesisLimits& limits) {
  PolicyEntry p;
  ASSIGN_OR_RETURN(p.authority_id, r.GetString(kAuthorityIdBytes));
  ASSIGN_OR_RETURN(p.preset, r.GetString(kPresetNameBytesMax));
  ASSIGN_OR_RETURN(p.layer, Policy::DecodeFrom(r, limits.policy));
  return p;
}

template <typename T, typename DecodeItem>
Status DecodeList(ByteReader& r, size_t max, std::string_view list, std::vector<T>* out, DecodeItem decode) {
  ASSIGN_OR_RETURN(uint32_t count, GetCount(r, max, list));
  out->reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    Result<T> item = decode(r);
    if (!item.ok()) return item.status().WithContext(At(list, i));
    out->push_back(std::move(item).value());
  }
  return Status::Ok();
}

}  // namespace

bool Account::HasRole(Role role) const { return std::find(roles.begin(), roles.end(), role) != roles.end(); }

Status Genesis::ValidateContent(const GenesisLimits& limits) const {
  RETURN_IF_ERROR(ValidateRulesId("network_id", network_id, limits.network_id_bytes_max));
  if (genesis_time_ms < 0 || genesis_time_ms > kBlockTimeMsMax) {
    return Invalid("genesis_time_ms", "must be in 0.." + std::to_string(kBlockTimeMsMax));
  }
  if (chain.block_time_skew_ms_max < kSkewMsMin || chain.block_time_skew_ms_max > kSkewMsMax) {
    return Invalid("chain.block_time_skew_ms_max", "out of range");
  }
  if (chain.client_time_window_ms < kClientWindowMsMin || chain.client_time_window_ms > kClientWindowMsMax) {
    return Invalid("chain.client_time_window_ms", "out of range");
  }
  if (chain.block_transactions_max < kBlockTransactionsMin || chain.block_transactions_max > kBlockTransactionsMax) {
    return Invalid("chain.block_transactions_max", "out of range");
  }
  if (chain.block_bytes_max < kBlockBytesMin || chain.block_bytes_max > kBlockBytesMax) {
    return Invalid("chain.block_bytes_max", "out of range");
  }
  std::map<std::string, const Authority*> authority_by_id;
  RETURN_IF_ERROR(ValidateAuthorities(*this, limits, &authority_by_id));
  RETURN_IF_ERROR(ValidateAccounts(*this, limits, authority_by_id));
  RETURN_IF_ERROR(ValidateValidators(*this, limits, authority_by_id));
  return ValidateCalendarsAndPolicies(*this, limits, authority_by_id);
}

void Genesis::Canonicalize() {
  std::sort(authorities.begin(), authorities.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::sort(accounts.begin(), accounts.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (Account& account : accounts) std::sort(account.roles.begin(), account.roles.end());
  std::sort(validators.begin(), validators.end(),
            [](const auto& a, const auto& b) { return a.node_id < b.node_id; });
  std::sort(calendars.begin(), calendars.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::sort(policies.begin(), policies.end(),
            [](const auto& a, const auto& b) { return a.authority_id < b.authority_id; });
}

Status Genesis::Validate(const GenesisLimits& limits) const {
  RETURN_IF_ERROR(ValidateContent(limits));
  RETURN_IF_ERROR(CheckSorted(authorities, "authorities", [](const Authority& a) { return a.id; }));
  RETURN_IF_ERROR(CheckSorted(accounts, "accounts", [](const Account& a) { return a.id; }));
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (!std::is_sorted(accounts[i].roles.begin(), accounts[i].roles.end())) {
      return Invalid(At("accounts", i) + ".roles", "not in canonical order");
    }
  }
  RETURN_IF_ERROR(CheckSorted(validators, "validators", [](const Validator& v) { return v.node_id; }));
  RETURN_IF_ERROR(CheckSorted(calendars, "calendars", [](const Calendar& c) { return c.id; }));
  return CheckSorted(policies, "policies", [](const PolicyEntry& p) { return p.authority_id; });
}

Bytes Genesis::Encode() const {
  ByteWriter w;
  w.PutString(network_id);
  w.PutI64(genesis_time_ms);
  w.PutI64(chain.block_time_skew_ms_max);
  w.PutI64(chain.client_time_window_ms);
  w.PutU32(chain.block_transactions_max);
  w.PutU64(chain.block_bytes_max);
  w.PutU32(static_cast<uint32_t>(authorities.size()));
  for (const Authority& a : authorities) {
    w.PutString(a.id);
    w.PutString(a.name);
    w.PutU8(static_cast<uint8_t>(a.level));
    w.PutString(a.parent_id);
  }
  w.PutU32(static_cast<uint32_t>(accounts.size()));
  for (const Account& a : accounts) {
    w.PutString(a.id);
    w.PutString(a.authority_id);
    w.PutU8(static_cast<uint8_t>(a.roles.size()));
    for (Role role : a.roles) w.PutU8(static_cast<uint8_t>(role));
    PutKey(w, a.public_key);
    w.PutString(a.name);
  }
  w.PutU32(static_cast<uint32_t>(validators.size()));
  for (const Validator& v : validators) {
    w.PutU64(v.node_id);
    w.PutString(v.name);
    w.PutString(v.authority_id);
    PutKey(w, v.public_key);
  }
  w.PutU32(static_cast<uint32_t>(calendars.size()));
  for (const Calendar& c : calendars) c.EncodeTo(w);
  w.PutU32(static_cast<uint32_t>(policies.size()));
  for (const PolicyEntry& p : policies) {
    w.PutString(p.authority_id);
    w.PutString(p.preset);
    p.layer.EncodeTo(w);
  }
  return w.Take();
}

Result<Genesis> Genesis::Decode(ByteView encoded, const GenesisLimits& limits) {
  ByteReader r(encoded);
  Genesis g;
  ASSIGN_OR_RETURN(g.network_id, r.GetString(limits.network_id_bytes_max));
  ASSIGN_OR_RETURN(g.genesis_time_ms, r.GetI64());
  ASSIGN_OR_RETURN(g.chain.block_time_skew_ms_max, r.GetI64());
  ASSIGN_OR_RETURN(g.chain.client_time_window_ms, r.GetI64());
  ASSIGN_OR_RETURN(g.chain.block_transactions_max, r.GetU32());
  ASSIGN_OR_RETURN(g.chain.block_bytes_max, r.GetU64());
  RETURN_IF_ERROR(DecodeList(r, limits.authorities_max, "authorities", &g.authorities,
                             [&](ByteReader& in) { return DecodeAuthority(in, limits); }));
  RETURN_IF_ERROR(DecodeList(r, limits.accounts_max, "accounts", &g.accounts,
                             [&](ByteReader& in) { return DecodeAccount(in, limits); }));
  RETURN_IF_ERROR(DecodeList(r, limits.validators_max, "validators", &g.validators,
                             [&](ByteReader& in) { return DecodeValidator(in, limits); }));
  RETURN_IF_ERROR(DecodeList(r, limits.calendars_max, "calendars", &g.calendars,
                             [&](ByteReader& in) { return Calendar::DecodeFrom(in, limits.calendar); }));
  RETURN_IF_ERROR(DecodeList(r, limits.policies_max, "policies", &g.policies,
                             [&](ByteReader& in) { return DecodePolicyEntry(in, limits); }));
  RETURN_IF_ERROR(r.Finish());
  RETURN_IF_ERROR(g.Validate(limits));
  return g;
}

crypto::Digest Genesis::Hash() const {
  ByteWriter w;
  w.PutFixed(AsBytes(kGenesisDomainTag));
  w.PutFixed(Encode());
  return crypto::Sha256(w.bytes());
}

Result<Genesis> Genesis::FromJson(const nlohmann::json& json, const GenesisLimits& limits) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader o, rules_json::ObjectReader::Open(json, ""));
  Genesis g;
  ASSIGN_OR_RETURN(g.network_id, o.String("network_id", limits.network_id_bytes_max));
  ASSIGN_OR_RETURN(g.genesis_time_ms, o.Int("genesis_time_ms", 0, kBlockTimeMsMax));
  if (o.Has("chain")) {
    std::string path;
    ASSIGN_OR_RETURN(const nlohmann::json* chain_json, o.Member("chain", &path));
    RETURN_IF_ERROR(ChainFromJson(*chain_json, &g.chain));
  }
  RETURN_IF_ERROR(ListFromJson(o, "authorities", limits.authorities_max, true, &g.authorities,
                               [&](const nlohmann::json& j, const std::string& p) {
                                 return AuthorityFromJson(j, p, limits);
                               }));
  RETURN_IF_ERROR(ListFromJson(o, "accounts", limits.accounts_max, false, &g.accounts,
                               [&](const nlohmann::json& j, const std::string& p) {
                                 return AccountFromJson(j, p, limits);
                               }));
  RETURN_IF_ERROR(ListFromJson(o, "validators", limits.validators_max, true, &g.validators,
                               [&](const nlohmann::json& j, const std::string& p) {
                                 return ValidatorFromJson(j, p, limits);
                               }));
  RETURN_IF_ERROR(ListFromJson(o, "calendars", limits.calendars_max, false, &g.calendars,
                               [&](const nlohmann::json& j, const std::string& p) {
                                 return Calendar::FromJson(j, p, limits.calendar);
                               }));
  RETURN_IF_ERROR(ListFromJson(o, "policies", limits.policies_max, false, &g.policies,
                               [&](const nlohmann::json& j, const std::string& p) {
                                 return PolicyEntryFromJson(j, p, limits);
                               }));
  RETURN_IF_ERROR(o.Finish());
  RETURN_IF_ERROR(g.ValidateContent(limits));
  g.Canonicalize();
  return g;
}

Result<Genesis> Genesis::FromJsonText(std::string_view text, const GenesisLimits& limits) {
  if (text.size() > limits.file_bytes_max) {
    return Status::InvalidArgument("genesis: larger than " + std::to_string(limits.file_bytes_max) + " bytes");
  }
  ASSIGN_OR_RETURN(nlohmann::json json, rules_json::Parse(text));
  return FromJson(json, limits);
}

nlohmann::json Genesis::ToJson() const {
  nlohmann::json j;
  j["network_id"] = network_id;
  j["genesis_time_ms"] = genesis_time_ms;
  j["chain"] = {{"block_time_skew_ms_max", chain.block_time_skew_ms_max},
                {"client_time_window_ms", chain.client_time_window_ms},
                {"block_transactions_max", chain.block_transactions_max},
                {"block_bytes_max", chain.block_bytes_max}};
  j["authorities"] = nlohmann::json::array();
  for (const Authority& a : authorities) {
    nlohmann::json item{{"id", a.id}, {"name", a.name}, {"level", EnumName(a.level)}};
    if (!a.parent_id.empty()) item["parent"] = a.parent_id;
    j["authorities"].push_back(std::move(item));
  }
  j["accounts"] = nlohmann::json::array();
  for (const Account& a : accounts) {
    nlohmann::json roles = nlohmann::json::array();
    for (Role role : a.roles) roles.push_back(EnumName(role));
    nlohmann::json item{{"id", a.id}, {"roles", roles}, {"public_key", a.public_key.ToHex()}, {"name", a.name}};
    if (!a.authority_id.empty()) item["authority"] = a.authority_id;
    j["accounts"].push_back(std::move(item));
  }
  j["validators"] = nlohmann::json::array();
  for (const Validator& v : validators) {
    j["validators"].push_back({{"node_id", v.node_id},
                               {"name", v.name},
                               {"authority", v.authority_id},
                               {"public_key", v.public_key.ToHex()}});
  }
  j["calendars"] = nlohmann::json::array();
  for (const Calendar& c : calendars) j["calendars"].push_back(c.ToJson());
  j["policies"] = nlohmann::json::array();
  for (const PolicyEntry& p : policies) {
    // The layer already holds the preset's values; repeating them as overrides
    // reproduces the same layer when read back.
    nlohmann::json item{{"authority", p.authority_id}, {"overrides", p.layer.ToJson()}};
    if (!p.preset.empty()) item["preset"] = p.preset;
    j["policies"].push_back(std::move(item));
  }
  return j;
}

const Authority* Genesis::FindAuthority(std::string_view id) const {
  auto it = std::lower_bound(authorities.begin(), authorities.end(), id,
                             [](const Authority& a, std::string_view key) { return a.id < key; });
  return it != authorities.end() && it->id == id ? &*it : nullptr;
}

const Account* Genesis::FindAccount(std::string_view id) const {
  auto it = std::lower_bound(accounts.begin(), accounts.end(), id,
                             [](const Account& a, std::string_view key) { return a.id < key; });
  return it != accounts.end() && it->id == id ? &*it : nullptr;
}

const Calendar* Genesis::FindCalendar(std::string_view id) const {
  auto it = std::lower_bound(calendars.begin(), calendars.end(), id,
                             [](const Calendar& c, std::string_view key) { return c.id < key; });
  return it != calendars.end() && it->id == id ? &*it : nullptr;
}

const PolicyEntry* Genesis::FindPolicy(std::string_view authority_id) const {
  auto it = std::lower_bound(policies.begin(), policies.end(), authority_id,
                             [](const PolicyEntry& p, std::string_view key) { return p.authority_id < key; });
  return it != policies.end() && it->authority_id == authority_id ? &*it : nullptr;
}

Result<std::vector<const Authority*>> Genesis::ChainOf(std::string_view authority_id) const {
  std::vector<const Authority*> ancestry;
  const Authority* current = FindAuthority(authority_id);
  if (current == nullptr) return Status::NotFound("unknown authority \"" + std::string(authority_id) + "\"");
  // Levels rise strictly towards the root, so the walk takes at most three steps.
  while (current != nullptr) {
    ancestry.push_back(current);
    assert(ancestry.size() <= 3);
    current = current->parent_id.empty() ? nullptr : FindAuthority(current->parent_id);
  }
  std::reverse(ancestry.begin(), ancestry.end());
  return ancestry;
}

Result<Policy> Genesis::ResolvedPolicy(std::string_view authority_id) const {
  ASSIGN_OR_RETURN(std::vector<const Authority*> ancestry, ChainOf(authority_id));
  std::vector<Policy> layers;
  for (const Authority* authority : ancestry) {
    if (const PolicyEntry* entry = FindPolicy(authority->id)) layers.push_back(entry->layer);
  }
  return Resolve(layers);
}

Result<Calendar> Genesis::CalendarOf(const Policy& resolved) const {
  if (!resolved.calendar_id) return Calendar::WeekendsOnly();
  const Calendar* calendar = FindCalendar(*resolved.calendar_id);
  if (calendar == nullptr) return Status::NotFound("unknown calendar \"" + *resolved.calendar_id + "\"");
  return *calendar;
}

Result<Genesis> LoadGenesisFile(const std::string& path, const GenesisLimits& limits) {
  ASSIGN_OR_RETURN(nlohmann::json json, rules_json::ParseFile(path, limits.file_bytes_max));
  Result<Genesis> genesis = Genesis::FromJson(json, limits);
  if (!genesis.ok()) return genesis.status().WithContext(path);
  return genesis;
}

}  // namespace shulian::ledger
