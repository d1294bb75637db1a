#include "ledger/genesis_import.h"

#include <algorithm>

#include "ledger/genesis.h"

namespace shulian::ledger {

Result<ImportedGenesis> ImportGenesis(const Genesis& genesis) {
  RETURN_IF_ERROR(genesis.Validate().WithContext("genesis"));
  ImportedGenesis out;
  out.network_id = genesis.network_id;
  out.genesis_time_ms = genesis.genesis_time_ms;
  out.client_time_window_ms = genesis.chain.client_time_window_ms;
  out.hash = genesis.Hash();
  for (const Authority& a : genesis.authorities) {
    out.authorities.push_back({a.id, a.name, a.parent_id, static_cast<uint8_t>(a.level)});
  }
  // Parents before children: order by depth in the tree (bounded by the tree's
  // size, which Validate() checked is acyclic), then by the canonical id order.
  std::vector<std::pair<size_t, ImportedGenesis::AuthorityEntry>> by_depth;
  for (const auto& entry : out.authorities) {
    size_t depth = 0;
    for (const Authority* a = genesis.FindAuthority(entry.id);
         a != nullptr && !a->parent_id.empty() && depth <= genesis.authorities.size();
         a = genesis.FindAuthority(a->parent_id)) {
      ++depth;
    }
    by_depth.emplace_back(depth, entry);
  }
  std::stable_sort(by_depth.begin(), by_depth.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  out.authorities.clear();
  for (auto& [depth, entry] : by_depth) out.authorities.push_back(std::move(entry));
  for (const Account& a : genesis.accounts) {
    ImportedGenesis::AccountEntry entry{a.id, a.authority_id, a.name, {}, a.public_key};
    for (Role role : a.roles) entry.roles.push_back(static_cast<uint8_t>(role));
    out.accounts.push_back(std::move(entry));
  }
  for (const Validator& v : genesis.validators) {
    out.validators.push_back({v.node_id, v.name, v.authority_id, v.public_key});
  }
  out.calendars = genesis.calendars;
  for (const PolicyEntry& p : genesis.policies) out.policies.emplace_back(p.authority_id, p.layer);
  return out;
}

}  // namespace shulian::ledger
