// The load tool's workload: the accounts, assets and grants a run needs (its
// untimed setup) and the realistic mix of signed transactions it then submits —
// mostly access records under those grants, some asset registrations and share
// requests — from many accounts, so no one account's rate limit sets the pace.
//
// Everything a run creates carries the run's tag in its id ("ld-<tag>-u0042"),
// so runs against one network never collide. Account keys are derived from the
// seed and the account id, so the same seed and tag give the same keys.
//
// Setup phases, each of which must commit (accepted) before the next starts:
//   1. the operator registers the provider and user accounts;
//   2. each provider registers its assets (one in four conditional);
//   3. each user requests shares (granted at once for unconditional assets);
//   4. the providers approve the requests on conditional assets.
//
// Ownership: a Workload owns its account keys. Thread-safety: not thread-safe;
// Generate advances the workload's random state and id counters.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "ledger/transaction.h"

namespace shulian::load {

inline constexpr uint32_t kProvidersMax = 10'000;
inline constexpr uint32_t kUsersMax = 50'000;
inline constexpr uint32_t kAssetsPerProviderMax = 100;
inline constexpr uint32_t kGrantsPerUserMax = 100;
inline constexpr size_t kTagBytesMax = 16;

// Percentages of the timed mix; they add up to 100.
struct Mix {
  uint32_t access_percent = 90;
  uint32_t register_percent = 5;
  uint32_t request_percent = 5;
};

struct WorkloadOptions {
  std::string network_id;
  crypto::Digest genesis_hash;  // the network's; every transaction's signature binds it
  std::string tag;   // [a-z0-9], 1..kTagBytesMax; part of every id
  std::string seed;  // key derivation; any text
  // Division codes the load accounts belong to, round robin; each must exist.
  std::vector<std::string> authorities = {"321200", "320100", "320000"};
  uint32_t providers = 16;
  uint32_t users = 256;
  uint32_t assets_per_provider = 4;
  uint32_t grants_per_user = 2;
  Mix mix;
};

// InvalidArgument naming the option for anything out of range.
Status ValidateWorkloadOptions(const WorkloadOptions& options);

struct LoadAccount {
  std::string id;
  std::string authority;
  bool provider = false;  // provider and user; otherwise user only
  crypto::KeyPair key;
};

struct LoadAsset {
  std::string id;
  size_t provider = 0;  // index into providers()
  bool conditional = false;
  std::vector<std::string> fields;
};

struct LoadGrant {
  std::string request_id;  // the grant's id is its request's
  size_t user = 0;         // index into users()
  size_t asset = 0;        // index into assets()
  std::string business_scenario;
  std::vector<std::string> fields;
};

class Workload {
 public:
  static Result<Workload> Create(const WorkloadOptions& options);

  // The setup's phases in order, signed now. The operator registers the accounts.
  std::vector<std::vector<ledger::Transaction>> SetupPhases(const std::string& operator_id,
                                                            const crypto::KeyPair& operator_key, int64_t now_ms) const;

  // The next `count` transactions of the timed mix, each signed with client time
  // `now_ms` and a fresh nonce. Ids of new assets and requests never repeat.
  std::vector<ledger::Transaction> Generate(size_t count, int64_t now_ms);

  const std::vector<LoadAccount>& providers() const { return providers_; }
  const std::vector<LoadAccount>& users() const { return users_; }
  const std::vector<LoadAsset>& assets() const { return assets_; }
  const std::vector<LoadGrant>& grants() const { return grants_; }

 private:
  explicit Workload(WorkloadOptions options);

  ledger::Transaction Sign(ledger::TxType type, Bytes body, const std::string& sender, const crypto::KeyPair& key,
                           int64_t now_ms, uint64_t nonce) const;
  ledger::Transaction AccessTx(int64_t now_ms);
  ledger::Transaction RegisterTx(int64_t now_ms);
  ledger::Transaction RequestTx(int64_t now_ms);

  WorkloadOptions options_;
  std::vector<LoadAccount> providers_;
  std::vector<LoadAccount> users_;
  std::vector<LoadAsset> assets_;
  std::vector<LoadGrant> grants_;
  std::mt19937_64 random_;
  uint64_t next_serial_ = 0;  // ids of new assets and requests, and nonces
};

}  // namespace shulian::load
