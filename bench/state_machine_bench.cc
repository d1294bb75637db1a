// Benchmark of the state machine: applied transactions per second for a realistic
// mix (mostly access records, every signature verified, writes synced to LevelDB
// per block), then the latency of one page of an asset's access history once
// `accesses` access records are stored, and of a province supervisor's dashboard
// roll-ups over its subtree (rollup_counts over 30 days, a page of violations, a
// page of violation flags) against the target: each under 50 ms with 10^5 records
// stored. Prints figures and met / not met; asserts nothing.
//
// Usage: state_machine_bench [accesses=1000000] [block_txs=2000]
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "ledger/genesis_import.h"
#include "ledger/queries.h"
#include "ledger/state_machine.h"

namespace shulian::ledger {
namespace {

using Clock = std::chrono::steady_clock;

crypto::KeyPair KeyFor(std::string_view name) {
  crypto::Digest seed = crypto::Sha256(AsBytes(std::string("bench/") + std::string(name)));
  return std::move(crypto::KeyPair::FromSeed(seed.bytes)).value();
}

const crypto::Digest kGenesisHash = crypto::Sha256(AsBytes("state machine bench genesis"));

ImportedGenesis BenchGenesis() {
  ImportedGenesis g;
  g.network_id = "bench";
  g.hash = kGenesisHash;
  g.client_time_window_ms = 300'000;
  g.authorities = {{"320000", "江苏省", "", 1}, {"321200", "泰州市", "320000", 2}, {"320100", "南京市", "320000", 2}};
  g.accounts = {{"tz.prov", "321200", "tz.prov", {1}, KeyFor("tz.prov").public_key()},
                {"nj.user", "320100", "nj.user", {2}, KeyFor("nj.user").public_key()},
                {"tz.sup", "321200", "tz.sup", {3}, KeyFor("tz.sup").public_key()},
                {"js.sup", "320000", "js.sup", {3}, KeyFor("js.sup").public_key()}};
  g.validators = {{1, "node", "320000", KeyFor("node").public_key()}};
  g.policies.emplace_back("320000", std::move(Preset("jiangsu-2024")).value());
  return g;
}

template <typename B>
Transaction Signed(const std::string& sender, const crypto::KeyPair& key, const B& body, int64_t time_ms,
                   uint64_t nonce) {
  Transaction tx;
  tx.type = B::kType;
  tx.network_id = "bench";
  tx.sender = sender;
  tx.client_time_ms = time_ms;
  tx.nonce = nonce;
  tx.body = body.Encode();
  tx.Sign(key, kGenesisHash);
  return tx;
}

RegisterAssetBody Asset(int i) {
  RegisterAssetBody b;
  b.asset_id = "a" + std::to_string(i);
  b.provider_authority = "321200";
  b.source_department = "dept";
  b.dataset_code = "ds" + std::to_string(i);
  b.name = "asset";
  b.resource_type = ResourceType::kThematic;
  b.fields = {"name", "credit_code", "address"};
  b.format = "csv";
  b.open_type = OpenType::kNotOpen;
  b.open_reason = "r";
  b.open_legal_basis = "b";
  return b;
}

// Times `query` over `rounds` calls; prints it against the dashboard target.
template <typename Query>
bool TimeDashboardQuery(const char* what, size_t stored, Query query) {
  constexpr int kRounds = 50;
  constexpr double kTargetMs = 50;
  auto start = Clock::now();
  size_t items = 0;
  for (int i = 0; i < kRounds; ++i) {
    Result<size_t> n = query();
    if (!n.ok()) {
      std::fprintf(stderr, "%s: %s\n", what, n.status().ToString().c_str());
      return false;
    }
    items += *n;
  }
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / kRounds;
  std::printf("dashboard %s, ~%zu access records stored: %.2f ms per query (%zu items in %d queries); "
              "target < %.0f ms: %s\n",
              what, stored, ms, items, kRounds, kTargetMs, ms < kTargetMs ? "met" : "NOT met");
  return true;
}

// The province supervisor's dashboard over its whole subtree (both cities).
bool BenchRollups(const StateStore& state, int64_t now, size_t applied) {
  Queries queries(state);
  Viewer province = queries.ViewerFor("js.sup").value();
  const uint32_t today = CstDay(now);
  const size_t stored = applied * 9 / 10;
  return TimeDashboardQuery("rollup_counts, 30 CST days", stored,
                            [&]() -> Result<size_t> {
                              ASSIGN_OR_RETURN(RollupCounts c, queries.RollupCountsOf(province, "320000", today - 29,
                                                                                      today + 1));
                              return c.days.size();
                            }) &&
         TimeDashboardQuery("rollup_violations, 50-item page", stored,
                            [&]() -> Result<size_t> {
                              ASSIGN_OR_RETURN(auto page, queries.RollupAccess(province, "320000", true, {}, {"", 50}));
                              return page.items.size();
                            }) &&
         TimeDashboardQuery("rollup_flags access_violation, 50-item page", stored, [&]() -> Result<size_t> {
           ASSIGN_OR_RETURN(auto page,
                            queries.RollupFlags(province, "320000", FlagKind::kAccessViolation, {}, {"", 50}));
           return page.items.size();
         });
}

int Run(size_t accesses, size_t block_txs) {
  if (!crypto::Initialize().ok()) return 1;
  char tmpl[] = "/tmp/sm_bench.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  std::string dir = tmpl;
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* raw = nullptr;
  if (!leveldb::DB::Open(options, dir + "/db", &raw).ok()) return 1;
  std::unique_ptr<leveldb::DB> db(raw);
  StateStore state(db.get(), "s/");
  StateMachine machine;
  auto flush = [&] {
    leveldb::WriteBatch batch;
    state.MoveToBatch(&batch);
    leveldb::WriteOptions sync;
    sync.sync = true;
    return db->Write(sync, &batch).ok();
  };
  if (!machine.ApplyImportedGenesis(BenchGenesis(), state).ok() || !flush()) return 1;

  crypto::KeyPair prov = KeyFor("tz.prov"), user = KeyFor("nj.user");
  int64_t now = 1'740'967'200'000;
  uint64_t nonce = 0, height = 0;
  // Ten assets, each granted to the user.
  Block setup;
  setup.header.height = ++height;
  setup.header.time_ms = now;
  for (int i = 0; i < 10; ++i) {
    setup.transactions.push_back(Signed("tz.prov", prov, Asset(i), now, ++nonce));
    RequestShareBody request;
    request.request_id = "r" + std::to_string(i);
    request.asset_id = "a" + std::to_string(i);
    request.purpose = "p";
    request.business_scenario = "licensing";
    request.fields = {"name", "credit_code"};
    request.duration_days = 3650;
    setup.transactions.push_back(Signed("nj.user", user, request, now, ++nonce));
  }
  if (!machine.ApplyBlock(setup, state).ok() || !flush()) return 1;

  // The mix: 90% access records (2% of them outside scope), 10% share requests.
  size_t applied = 0;
  double apply_seconds = 0;
  double apply_cpu_seconds = 0;  // this process's CPU time: meaningful on a shared machine
  uint64_t request_seq = 100;
  while (applied < accesses) {
    Block block;
    block.header.height = ++height;
    now += 1000;
    block.header.time_ms = now;
    for (size_t i = 0; i < block_txs && applied + block.transactions.size() < accesses; ++i) {
      if (i % 10 == 9) {
        RequestShareBody request;
        request.request_id = "q" + std::to_string(++request_seq);
        request.asset_id = "a" + std::to_string(request_seq % 10);
        request.purpose = "p";
        request.business_scenario = "licensing";
        request.fields = {"name"};
        request.duration_days = 30;
        block.transactions.push_back(Signed("nj.user", user, request, now, ++nonce));
        continue;
      }
      RecordAccessBody access;
      int asset = static_cast<int>(nonce % 10);
      access.grant_id = "r" + std::to_string(asset);
      access.asset_id = "a" + std::to_string(asset);
      access.purpose = "p";
      access.business_scenario = nonce % 50 == 0 ? "marketing" : "licensing";
      access.fields = {"name"};
      access.row_count = nonce % 100;
      access.result_digest = crypto::Sha256(AsBytes(std::to_string(nonce)));
      block.transactions.push_back(Signed("nj.user", user, access, now, ++nonce));
    }
    auto start = Clock::now();
    std::clock_t cpu_start = std::clock();
    Result<std::vector<TxOutcome>> outcomes = machine.ApplyBlock(block, state);
    if (!outcomes.ok() || !flush()) return 1;
    apply_cpu_seconds += static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    apply_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    applied += block.transactions.size();
  }
  std::printf("applied %zu transactions (90%% access records) in %.2f s wall, %.2f s CPU: %.0f tx/s wall, "
              "%.0f tx/s per CPU-second, including signature checks and one synced LevelDB batch per %zu-tx block\n",
              applied, apply_seconds, apply_cpu_seconds, static_cast<double>(applied) / apply_seconds,
              static_cast<double>(applied) / apply_cpu_seconds, block_txs);

  Queries queries(state);
  Viewer sup = queries.ViewerFor("tz.sup").value();
  constexpr int kRounds = 200;
  auto start = Clock::now();
  std::clock_t cpu_start = std::clock();
  size_t items = 0;
  for (int i = 0; i < kRounds; ++i) {
    TimeRange range{now - (i + 1) * 5'000, now};
    Result<Page<AccessRecord>> page = queries.AccessByAsset(sup, "a" + std::to_string(i % 10), range, {"", 50});
    if (!page.ok()) return 1;
    items += page->items.size();
  }
  double per_query_us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / kRounds;
  double per_query_cpu_us = static_cast<double>(std::clock() - cpu_start) * 1e6 / CLOCKS_PER_SEC / kRounds;
  std::printf("access history of one asset, 50-item page, with ~%zu access records stored: %.1f us wall, "
              "%.1f us CPU per query (%zu items returned in %d queries)\n",
              applied * 9 / 10, per_query_us, per_query_cpu_us, items, kRounds);
  if (!BenchRollups(state, now, applied)) return 1;
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace shulian::ledger

int main(int argc, char** argv) {
  size_t accesses = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  size_t block_txs = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 2000;
  if (accesses == 0 || block_txs == 0) {
    std::fprintf(stderr, "usage: %s [accesses>0] [block_txs>0]\n", argv[0]);
    return 2;
  }
  return shulian::ledger::Run(accesses, block_txs);
}
