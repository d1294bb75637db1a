// Roll-ups over the authority subtree (Queries::Rollup*): scope, counts against a
// brute-force count over the same records, pagination, and the index rebuilt by
// replaying the blocks.
#include "ledger/queries.h"
#include "tests/ledger/sm_fixture.h"

namespace shulian::ledger::testing {
namespace {

// The test genesis' tree: Jiangsu 320000 > Taizhou 321200 > Xinghua 321281, Jiangsu > Nanjing 320100.
bool InSubtree(const std::string& authority, const std::string& root) {
  static const std::map<std::string, std::string> kParent = {
      {"321200", "320000"}, {"321281", "321200"}, {"320100", "320000"}};
  for (std::string at = authority; !at.empty();) {
    if (at == root) return true;
    auto it = kParent.find(at);
    at = it == kParent.end() ? "" : it->second;
  }
  return false;
}

class RollupTest : public SmTest {
 protected:
  Viewer ViewerOf(std::string_view account) { return Queries(*state_).ViewerFor(account).value(); }

  // Accesses at all three levels over four CST days, some beyond their grant,
  // plus requests answered in time, overdue and deemed approved.
  void LoadScenario() {
    ASSERT_TRUE(Apply("tz.prov", AssetBody("t1", "321200")).accepted());
    ASSERT_TRUE(Apply("xh.prov", AssetBody("x1", "321281")).accepted());
    ASSERT_TRUE(Apply("nj.prov", AssetBody("n1", "320100")).accepted());
    ASSERT_TRUE(Apply("tz.prov", AssetBody("t2", "321200", ShareType::kConditional)).accepted());
    ASSERT_TRUE(Apply("xh.prov", AssetBody("x2", "321281", ShareType::kConditional)).accepted());
    ASSERT_TRUE(Apply("nj.prov", AssetBody("n2", "320100", ShareType::kConditional)).accepted());
    ASSERT_TRUE(Apply("nj.prov", AssetBody("n3", "320100", ShareType::kConditional)).accepted());
    ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "t1")).accepted());
    ASSERT_TRUE(Apply("tz.user", ShareBody("r2", "x1")).accepted());
    ASSERT_TRUE(Apply("xh.user", ShareBody("r3", "n1")).accepted());
    ASSERT_TRUE(Apply("nj.user", ShareBody("r5", "t2")).accepted());
    ASSERT_TRUE(Apply("nj.user", ShareBody("r6", "x2")).accepted());
    ASSERT_TRUE(Apply("tz.user", ShareBody("r7", "n2")).accepted());
    ASSERT_TRUE(Apply("tz.user", ShareBody("r8", "n3")).accepted());
    ASSERT_TRUE(Apply("nj.prov", ApproveShareBody{{}, "r8", TermsFor(ShareBody("r8", "n3")), ""}).accepted());
    RecordAccessBody off = AccessBody("t1", "r1");
    off.business_scenario = "marketing";
    const std::vector<std::pair<std::string, RecordAccessBody>> uses = {
        {"nj.user", AccessBody("t1", "r1")},         {"nj.user", off},
        {"tz.user", AccessBody("x1", "r2")},         {"tz.user", AccessBody("n1", std::nullopt)},
        {"xh.user", AccessBody("n1", "r3")},         {"xh.user", AccessBody("t1", std::nullopt)},
        {"nj.user", AccessBody("n1", std::nullopt)}, {"tz.user", AccessBody("x1", "r2")},
    };
    for (int round = 0; round < 2; ++round) {
      for (const auto& [account, body] : uses) {
        now_ms_ += 5 * kHourMs;  // crosses CST midnights
        ASSERT_TRUE(Apply(account, body).accepted());
      }
    }
    AdvanceTo(now_ms_ + 10 * kDayMs);  // r5, r6 overdue or deemed by their policies
  }

  template <typename Fetch>
  auto AllPages(Fetch fetch, size_t limit) {
    std::vector<std::decay_t<decltype(fetch(PageRequest{}).value().items[0])>> items;
    PageRequest page{"", limit};
    for (int pages = 0; pages < 1000; ++pages) {
      auto result = fetch(page);
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (!result.ok()) break;
      EXPECT_LE(result->items.size(), limit);
      for (auto& item : result->items) items.push_back(item);
      if (result->next_cursor.empty()) break;
      page.cursor = result->next_cursor;
    }
    return items;
  }

  std::vector<AccessRecord> EveryAccess() {
    Queries queries(*state_);
    return AllPages([&](const PageRequest& p) { return queries.AllAccess(ViewerOf("court"), {}, p); }, 1000);
  }
  std::vector<FlagRecord> EveryFlag() {
    std::vector<FlagRecord> all;
    for (const char* authority : {"320000", "321200", "321281", "320100"}) {
      for (const FlagRecord& flag : Flags(authority)) all.push_back(flag);
    }
    return all;
  }

  // Every key under `prefix` with its value, in order.
  static std::vector<std::pair<std::string, std::string>> Entries(const StateStore& state,
                                                                  const std::string& prefix) {
    std::vector<std::pair<std::string, std::string>> out;
    EXPECT_TRUE(state
                    .Scan(prefix, "", 1'000'000,
                          [&](std::string_view k, std::string_view v) {
                            out.emplace_back(k, v);
                            return true;
                          })
                    .ok());
    return out;
  }
};

TEST_F(RollupTest, ProvinceSeesItsCitiesAndCountiesAndACityNotItsSibling) {
  // Proves a province's roll-up holds the accesses of its cities and county, a city's holds its own and its
  // county's but none of its sibling city's, and a city asking for its sibling, or an agency for its own
  // roll-up, gets the same refusal as for an authority that does not exist.
  LoadScenario();
  Queries queries(*state_);
  const std::vector<AccessRecord> every = EveryAccess();
  for (const auto& [account, root] : std::vector<std::pair<std::string, std::string>>{
           {"js.sup", "320000"}, {"tz.sup", "321200"}, {"tz.sup", "321281"}, {"nj.sup", "320100"}}) {
    auto got = AllPages(
        [&](const PageRequest& p) { return queries.RollupAccess(ViewerOf(account), root, false, {}, p); },
        50);
    std::vector<crypto::Digest> expected, seen;
    for (const AccessRecord& r : every) {
      if (InSubtree(r.provider_authority, root) || InSubtree(r.accessor_authority, root))
        expected.push_back(r.tx_hash);
    }
    for (const AccessRecord& r : got) seen.push_back(r.tx_hash);
    EXPECT_EQ(seen, expected) << account << " over " << root;
  }
  auto province = queries.RollupAccess(ViewerOf("js.sup"), "320000", false, {}, {"", 1000});
  ASSERT_TRUE(province.ok());
  EXPECT_EQ(province->items.size(), every.size());
  std::set<std::string> providers;
  for (const AccessRecord& r : province->items) providers.insert(r.provider_authority);
  EXPECT_EQ(providers, (std::set<std::string>{"320100", "321200", "321281"}));
  // Taizhou's roll-up holds nothing that touches only Nanjing.
  auto city = queries.RollupAccess(ViewerOf("tz.sup"), "321200", false, {}, {"", 1000});
  ASSERT_TRUE(city.ok());
  for (const AccessRecord& r : city->items) {
    EXPECT_TRUE(InSubtree(r.provider_authority, "321200") || InSubtree(r.accessor_authority, "321200"));
  }
  Status sibling = queries.RollupAccess(ViewerOf("tz.sup"), "320100", false, {}, {"", 10}).status();
  Status missing = queries.RollupAccess(ViewerOf("tz.sup"), "329999", false, {}, {"", 10}).status();
  EXPECT_EQ(sibling.code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(missing.code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(sibling.message().find("320100"), missing.message().find("329999"));
  EXPECT_EQ(queries.RollupAccess(ViewerOf("tz.sup"), "320000", false, {}, {"", 10}).status().code(),
            ErrorCode::kPermissionDenied);  // a city does not see its province
  EXPECT_EQ(queries.RollupFlags(ViewerOf("tz.prov"), "321200", FlagKind::kAccessViolation, {}, {"", 10})
                .status()
                .code(),
            ErrorCode::kPermissionDenied);  // an agency sees its own authority only, not a roll-up
  EXPECT_EQ(queries.RollupCountsOf(ViewerOf("nj.sup"), "321200", 0, 30).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(queries.RollupCountsOf(ViewerOf("court"), "321200", 0, 30).ok());
}

TEST_F(RollupTest, CountsMatchABruteForceCountOverTheSameRecords) {
  // Proves the per-day counts (uses, violating uses, deadlines missed and met), the flags by kind and by
  // authority and the violations by code equal a count made here from every access and flag record.
  LoadScenario();
  Queries queries(*state_);
  const uint32_t first = CstDay(kMonday20250303) - 1, last = CstDay(now_ms_) + 1;
  for (const std::string root : {"320000", "321200", "321281", "320100"}) {
    Result<RollupCounts> counts = queries.RollupCountsOf(ViewerOf("court"), root, first, last);
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    ASSERT_EQ(counts->days.size(), last - first);
    std::map<uint32_t, uint64_t> uses, violating, missed;
    std::map<std::string, uint64_t> codes, kinds;
    std::map<std::string, std::map<std::string, uint64_t>> by_authority;
    for (const AccessRecord& r : EveryAccess()) {
      if (!InSubtree(r.provider_authority, root) && !InSubtree(r.accessor_authority, root)) continue;
      ++uses[CstDay(r.time_ms)];
      if (!r.violations.empty()) ++violating[CstDay(r.time_ms)];
      for (const std::string& code : std::set<std::string>(r.violations.begin(), r.violations.end()))
        ++codes[code];
    }
    for (const FlagRecord& f : EveryFlag()) {
      if (!InSubtree(f.authority_id, root)) continue;
      ++kinds[std::string(FlagKindName(f.kind))];
      ++by_authority[f.authority_id][std::string(FlagKindName(f.kind))];
      if (IsDeadlineMiss(f.kind)) ++missed[CstDay(f.time_ms)];
    }
    uint64_t met = 0;
    for (const RollupDay& day : counts->days) {
      EXPECT_EQ(day.uses, uses[day.day]) << root << " day " << day.day;
      EXPECT_EQ(day.violating_uses, violating[day.day]) << root << " day " << day.day;
      EXPECT_EQ(day.deadlines_missed, missed[day.day]) << root << " day " << day.day;
      met += day.deadlines_met;
    }
    EXPECT_EQ(counts->violations_by_code, codes) << root;
    EXPECT_EQ(counts->flags_by_kind, kinds) << root;
    for (auto& [authority, by_kind] : counts->by_authority) by_kind.erase("deadlines_met");
    std::erase_if(counts->by_authority, [](const auto& entry) { return entry.second.empty(); });
    EXPECT_EQ(counts->by_authority, by_authority) << root;
    // r8 was approved by Nanjing in time: the one deadline met, seen by Nanjing and Jiangsu only.
    EXPECT_EQ(met, InSubtree("320100", root) ? 1u : 0u) << root;
  }
  Result<RollupCounts> province = queries.RollupCountsOf(ViewerOf("js.sup"), "320000", first, last);
  ASSERT_TRUE(province.ok());
  EXPECT_GT(province->flags_by_kind["access_violation"], 0u);
  EXPECT_EQ(queries.RollupCountsOf(ViewerOf("js.sup"), "320000", 10, 10).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(queries.RollupCountsOf(ViewerOf("js.sup"), "320000", 0, 367).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(RollupTest, DrillDownPagesAreCompleteAndDoNotOverlap) {
  // Proves the drill-downs (violations and flags of one kind over a subtree, in a time range) come back page
  // by page with every record exactly once, the same as one large page and as a brute-force filter.
  LoadScenario();
  Queries queries(*state_);
  Viewer province = ViewerOf("js.sup");
  const std::vector<AccessRecord> every = EveryAccess();
  const TimeRange range{every[3].time_ms, every[12].time_ms};
  std::vector<crypto::Digest> expected;
  for (const AccessRecord& r : every) {
    if (!r.violations.empty() && r.time_ms >= range.from_ms && r.time_ms < range.to_ms)
      expected.push_back(r.tx_hash);
  }
  ASSERT_GE(expected.size(), 3u);
  for (size_t limit : {1u, 2u, 3u, 1000u}) {
    auto pages = AllPages(
        [&](const PageRequest& p) { return queries.RollupAccess(province, "320000", true, range, p); },
        limit);
    std::vector<crypto::Digest> seen;
    for (const AccessRecord& r : pages) seen.push_back(r.tx_hash);
    EXPECT_EQ(seen, expected) << "limit " << limit;
  }
  std::vector<uint64_t> expected_flags;
  for (const FlagRecord& f : EveryFlag()) {
    if (f.kind == FlagKind::kAccessViolation && InSubtree(f.authority_id, "321200"))
      expected_flags.push_back(f.seq);
  }
  std::sort(expected_flags.begin(), expected_flags.end());  // seq order = time order within one chain
  ASSERT_GE(expected_flags.size(), 2u);
  auto flags = AllPages(
      [&](const PageRequest& p) {
        return queries.RollupFlags(ViewerOf("tz.sup"), "321200", FlagKind::kAccessViolation, {}, p);
      },
      1);
  std::vector<uint64_t> seen_flags;
  for (const FlagRecord& f : flags) seen_flags.push_back(f.seq);
  EXPECT_EQ(seen_flags, expected_flags);
  // A cursor of another query is refused.
  auto first = queries.RollupAccess(province, "320000", true, range, {"", 1});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(queries.RollupAccess(ViewerOf("tz.sup"), "321200", true, range, {first->next_cursor, 1})
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(RollupTest, IndexRebuiltFromTheBlocksEqualsTheIndexWrittenOnApply) {
  // Proves a replay of the same blocks into an empty state writes the same roll-up indexes and counts,
  // entry for entry, as the apply that first wrote them (and the same state as a whole).
  LoadScenario();
  std::unique_ptr<leveldb::DB> db = OpenDb(dir_ + "/replay");
  StateStore replay(db.get(), "s/");
  ASSERT_TRUE(machine_.ApplyGenesis(TestGenesis(), replay).ok());
  Flush(*db, replay);
  std::set<crypto::Digest> stored;
  for (const Block& block : blocks_) {
    StoredTxLookup lookup = [&](const crypto::Digest& hash) -> Result<bool> { return stored.contains(hash); };
    ASSERT_TRUE(machine_.ApplyBlock(block, replay, lookup).ok());
    Flush(*db, replay);
    for (const Transaction& tx : block.transactions) stored.insert(tx.Hash());
  }
  for (const std::string prefix : {"ix/x-sub/", "ix/xv-sub/", "ix/fl-sub/", "ru/"}) {
    auto written = Entries(*state_, prefix);
    EXPECT_FALSE(written.empty()) << prefix;
    EXPECT_EQ(Entries(replay, prefix), written) << prefix;
  }
  EXPECT_EQ(std::move(replay.Digest()).value(), StateDigest());
}

}  // namespace
}  // namespace shulian::ledger::testing
