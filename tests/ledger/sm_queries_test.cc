// Queries over the state machine's indexes: pagination, time ranges and scoping.
#include "ledger/queries.h"
#include "tests/ledger/sm_fixture.h"

namespace shulian::ledger::testing {
namespace {

class QueriesTest : public SmTest {
 protected:
  Viewer ViewerOf(std::string_view account) { return Queries(*state_).ViewerFor(account).value(); }
};

TEST_F(QueriesTest, AccessHistoryByAssetIsPaginatedAndTimeRanged) {
  // Proves the access history of an asset comes back in time order, page by page, within a time range.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  std::vector<int64_t> times;
  for (int i = 0; i < 5; ++i) {
    now_ms_ += kHourMs;
    times.push_back(now_ms_);
    ASSERT_TRUE(Apply("nj.user", AccessBody("a1", "r1")).accepted());
  }
  Queries queries(*state_);
  Viewer sup = ViewerOf("tz.sup");
  std::vector<int64_t> seen;
  PageRequest page{"", 2};
  for (int pages = 0; pages < 10; ++pages) {
    Result<Page<AccessRecord>> result = queries.AccessByAsset(sup, "a1", {}, page);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    for (const auto& record : result->items) seen.push_back(record.time_ms);
    if (result->next_cursor.empty()) break;
    page.cursor = result->next_cursor;
  }
  EXPECT_EQ(seen, times);
  Result<Page<AccessRecord>> ranged = queries.AccessByAsset(sup, "a1", {times[1], times[3]}, {"", 50});
  ASSERT_TRUE(ranged.ok());
  ASSERT_EQ(ranged->items.size(), 2u);
  EXPECT_EQ(ranged->items[0].time_ms, times[1]);
  Result<Page<AccessRecord>> by_account = queries.AccessByAccount(ViewerOf("nj.user"), "nj.user", {}, {"", 50});
  ASSERT_TRUE(by_account.ok());
  EXPECT_EQ(by_account->items.size(), 5u);
  Result<Page<GrantRecord>> grants = queries.GrantsByAsset(sup, "a1", {"", 10});
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ(grants->items.size(), 1u);
  EXPECT_EQ(grants->items[0].grantee, "nj.user");
  EXPECT_EQ(queries.GrantsByUser(ViewerOf("nj.user"), "nj.user", {"", 10})->items.size(), 1u);
  EXPECT_EQ(queries.GrantsByUser(ViewerOf("tz.user"), "nj.user", {"", 10}).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_FALSE(queries.AccessByAsset(sup, "a1", {}, {"zz", 5}).ok());
  EXPECT_FALSE(queries.AccessByAsset(sup, "a1", {}, {"", 0}).ok());
}

TEST_F(QueriesTest, SupervisorSeesItsSubtreeCourtEverythingPublicTheOpenCatalog) {
  // Proves scoping: a supervisor reads its subtree only, a court reads all, the public only the open catalog.
  RegisterAssetBody open = AssetBody("open1", "321281");
  open.open_type = OpenType::kUnconditional;
  open.open_reason.clear();
  open.open_legal_basis.clear();
  ASSERT_TRUE(Apply("xh.prov", open).accepted());
  ASSERT_TRUE(Apply("nj.prov", AssetBody("closed1", "320100")).accepted());
  Queries queries(*state_);
  EXPECT_TRUE(queries.AccessByAuthority(ViewerOf("tz.sup"), "321281", {}, {"", 10}).ok());
  EXPECT_EQ(queries.AccessByAuthority(ViewerOf("tz.sup"), "320100", {}, {"", 10}).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(queries.AccessByAuthority(ViewerOf("js.sup"), "320100", {}, {"", 10}).ok());
  EXPECT_TRUE(queries.AccessByAuthority(ViewerOf("court"), "320100", {}, {"", 10}).ok());
  EXPECT_TRUE(queries.Asset(ViewerOf("citizen"), "open1").ok());
  EXPECT_EQ(queries.Asset(ViewerOf("citizen"), "closed1").status().code(), ErrorCode::kPermissionDenied);
  Result<Page<AssetRecord>> catalog = queries.OpenCatalog({"", 10});
  ASSERT_TRUE(catalog.ok());
  ASSERT_EQ(catalog->items.size(), 1u);
  EXPECT_EQ(catalog->items[0].id, "open1");
}

TEST_F(QueriesTest, RequestsObjectionsFlagsAndSummaryByAuthority) {
  // Proves the supervisor's views: requests and objections by status, flagged items, and the summary counters.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r2", "a1")).accepted());
  ASSERT_TRUE(Apply("tz.prov", RefuseShareBody{{}, "r2", "统计法", "secret"}).accepted());
  ASSERT_TRUE(Apply("citizen", RaiseObjectionBody{{}, "o1", "a1", ObjectionKind::kError, {}, crypto::Sha256(AsBytes("d"))})
                  .accepted());
  AdvanceTo(Request("r1").due_ms);
  Queries queries(*state_);
  Viewer sup = ViewerOf("tz.sup");
  Result<Page<RequestRecord>> overdue = queries.RequestsByStatus(sup, "321200", RequestStatus::kOverdue, {"", 10});
  ASSERT_TRUE(overdue.ok()) << overdue.status().ToString();
  ASSERT_EQ(overdue->items.size(), 1u);
  EXPECT_EQ(overdue->items[0].id, "r1");
  EXPECT_TRUE(queries.RequestsByStatus(sup, "321200", RequestStatus::kPending, {"", 10})->items.empty());
  EXPECT_EQ(queries.RequestsByStatus(sup, "321200", RequestStatus::kRefused, {"", 10})->items.size(), 1u);
  EXPECT_EQ(queries.ObjectionsByStatus(sup, "321200", ObjectionStatus::kOpen, {"", 10})->items.size(), 1u);
  Result<Page<FlagRecord>> flags = queries.FlagsForAuthority(sup, "321200", {"", 10});
  ASSERT_TRUE(flags.ok());
  ASSERT_EQ(flags->items.size(), 1u);
  EXPECT_EQ(flags->items[0].kind, FlagKind::kShareReviewOverdue);
  Result<AuthoritySummary> summary = queries.Summary(sup, "321200");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->counters.at("requests"), 2u);
  EXPECT_EQ(summary->counters.at("refusals"), 1u);
  EXPECT_EQ(summary->counters.at("overdue_reviews"), 1u);
  EXPECT_EQ(summary->counters.at("open_objections"), 1u);
  EXPECT_EQ(queries.Summary(ViewerOf("nj.sup"), "321200").status().code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace shulian::ledger::testing
