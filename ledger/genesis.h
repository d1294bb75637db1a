// The genesis of a network: everything the ledger holds before block 1 — the
// network id, chain parameters, the authority tree, the initial accounts and
// validators, the working-day calendars and the per-authority policy layers.
//
// Identity: Hash() = SHA-256("shulian/genesis/v1" ‖ Encode()). Block 1's previous
// hash is this digest, and an evidence bundle's offline verifier starts from the
// genesis file alone, so the digest depends only on the content: lists are kept
// in canonical order (authorities, accounts and calendars by id, validators by node
// id, policies by authority, roles by value), never on JSON formatting, key order
// or the order entries were listed in. A policy entry is hashed with its effective
// layer (preset values merged with its overrides), so a later change to a preset in
// code can never change what an existing network agreed on.
//
// The JSON file form is described in docs/genesis.md. Parsing is strict: unknown
// keys, duplicate keys, wrong types and out-of-range values are rejected, and every
// error names its JSON path ("authorities[2].parent: ...").
//
// Thread-safety: values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/calendar.h"
#include "ledger/domain_types.h"
#include "ledger/policy.h"

namespace shulian::ledger {

inline constexpr std::string_view kGenesisDomainTag = "shulian/genesis/v1";

// Role and AuthorityLevel, with their wire names, come from ledger/domain_types.h.

struct Authority {
  std::string id;         // administrative division code: six digits, e.g. "321200"
  std::string name;       // "泰州市数据局"
  AuthorityLevel level = AuthorityLevel::kProvince;
  std::string parent_id;  // empty only for the root (the province)
  friend bool operator==(const Authority&, const Authority&) = default;
};

struct Account {
  std::string id;            // [a-z0-9._-]
  std::string authority_id;  // empty for accounts outside the tree (public, court, ...)
  std::vector<Role> roles;   // non-empty, sorted by value, unique
  crypto::PublicKey public_key;
  std::string name;
  bool HasRole(Role role) const;
  friend bool operator==(const Account&, const Account&) = default;
};

struct Validator {
  uint64_t node_id = 0;  // nonzero, never reused
  std::string name;
  std::string authority_id;
  crypto::PublicKey public_key;
  friend bool operator==(const Validator&, const Validator&) = default;
};

struct PolicyEntry {
  std::string authority_id;
  std::string preset;  // a preset name, or empty
  Policy layer;        // effective layer: Merge(Preset(preset), overrides)
  friend bool operator==(const PolicyEntry&, const PolicyEntry&) = default;
};

struct ChainParameters {
  int64_t block_time_skew_ms_max = 5'000;     // followers reject blocks further from their clock
  int64_t client_time_window_ms = 300'000;    // a transaction's client time vs. block time
  uint32_t block_transactions_max = 10'000;
  uint64_t block_bytes_max = 16 * 1024 * 1024;
  friend bool operator==(const ChainParameters&, const ChainParameters&) = default;
};

struct GenesisLimits {
  size_t network_id_bytes_max = 64;
  size_t account_id_bytes_max = 64;
  size_t name_bytes_max = 256;
  size_t authorities_max = 4096;
  size_t accounts_max = 100'000;
  size_t validators_max = 256;
  size_t calendars_max = 64;
  size_t policies_max = 4096;
  size_t file_bytes_max = 64 * 1024 * 1024;
  CalendarLimits calendar;
  PolicyLimits policy;
};

struct Genesis {
  std::string network_id;
  int64_t genesis_time_ms = 0;
  ChainParameters chain;
  std::vector<Authority> authorities;
  std::vector<Account> accounts;
  std::vector<Validator> validators;
  std::vector<Calendar> calendars;
  std::vector<PolicyEntry> policies;

  // Every rule of docs/genesis.md, in any list order; errors name the entry by its
  // position ("accounts[3].authority: ...").
  Status ValidateContent(const GenesisLimits& limits = {}) const;
  // Sorts every list into canonical order.
  void Canonicalize();
  // ValidateContent plus canonical order.
  Status Validate(const GenesisLimits& limits = {}) const;

  // Canonical binary form (see docs/genesis.md). REQUIRES: Validate() is OK.
  Bytes Encode() const;
  // Rejects anything Validate() rejects, and trailing bytes.
  static Result<Genesis> Decode(ByteView encoded, const GenesisLimits& limits = {});
  crypto::Digest Hash() const;

  // Parses, validates and canonicalizes the JSON form.
  static Result<Genesis> FromJson(const nlohmann::json& json, const GenesisLimits& limits = {});
  static Result<Genesis> FromJsonText(std::string_view text, const GenesisLimits& limits = {});
  nlohmann::json ToJson() const;

  // Lookups on a canonical genesis (binary search): nullptr if absent.
  const Authority* FindAuthority(std::string_view id) const;
  const Account* FindAccount(std::string_view id) const;
  const Calendar* FindCalendar(std::string_view id) const;
  const PolicyEntry* FindPolicy(std::string_view authority_id) const;
  // The authority's ancestors and itself, root first. NotFound for an unknown id.
  Result<std::vector<const Authority*>> ChainOf(std::string_view authority_id) const;
  // The policy in force at an authority: its chain's layers merged root first.
  Result<Policy> ResolvedPolicy(std::string_view authority_id) const;
  // The calendar the resolved policy names, or Calendar::WeekendsOnly() if none.
  Result<Calendar> CalendarOf(const Policy& resolved) const;

  friend bool operator==(const Genesis&, const Genesis&) = default;
};

// Reads, parses and validates a genesis file.
Result<Genesis> LoadGenesisFile(const std::string& path, const GenesisLimits& limits = {});

}  // namespace shulian::ledger
