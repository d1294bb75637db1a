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
  ASSERT_TRUE(Apply("citizen", RaiseObjectionBody{{}, "o1", "a1", ObjectionKind::kError, {}, crypto::Sha256(AsBytes("d")), std::nullopt})
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

TEST_F(QueriesTest, CourtWideQueriesSpanEveryAuthorityPageByPageAndOnlyForCourts) {
  // Proves a court lists accesses, violations, missed deadlines, flags by kind, requests by status and dispute
  // cases across all authorities from one index each, page by page, while a supervisor is refused them.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("t1", "321200")).accepted());
  ASSERT_TRUE(Apply("nj.prov", AssetBody("n1", "320100")).accepted());
  ASSERT_TRUE(Apply("tz.prov", AssetBody("t2", "321200", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("xh.prov", AssetBody("x1", "321281", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("nj.prov", AssetBody("n2", "320100", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "t1")).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r2", "n1")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r5", "t2")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r3", "x1")).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r4", "n2")).accepted());
  RecordAccessBody off_scenario = AccessBody("t1", "r1");
  off_scenario.business_scenario = "marketing";
  std::vector<std::pair<std::string, RecordAccessBody>> accesses = {
      {"nj.user", AccessBody("t1", "r1")},          // within its grant
      {"nj.user", off_scenario},                   // violation at Taizhou's asset
      {"tz.user", AccessBody("n1", std::nullopt)}, // violation at Nanjing's: no grant named
      {"nj.user", AccessBody("n1", std::nullopt)}, // violation
  };
  std::vector<crypto::Digest> access_hashes;
  for (const auto& [account, body] : accesses) {
    now_ms_ += kHourMs;
    TxOutcome outcome = Apply(account, body);
    ASSERT_TRUE(outcome.accepted()) << outcome.message;
    access_hashes.push_back(outcome.tx_hash);
  }
  AdvanceTo(now_ms_ + 10 * kDayMs);  // r3 (Xinghua) and r5 (Taizhou) overdue; r4 (Nanjing) deemed approved
  ASSERT_TRUE(Apply("court", OpenDisputeBody{{}, "d1", "use beyond scope", {access_hashes[1]}}).accepted());

  Queries queries(*state_);
  Viewer court = ViewerOf("court");
  auto all_pages = [](auto fetch) {
    std::vector<std::decay_t<decltype(fetch(PageRequest{}).value().items[0])>> items;
    PageRequest page{"", 1};
    for (int pages = 0; pages < 20; ++pages) {
      auto result = fetch(page);
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (!result.ok()) break;
      for (auto& item : result->items) items.push_back(item);
      if (result->next_cursor.empty()) break;
      page.cursor = result->next_cursor;
    }
    return items;
  };
  auto access = all_pages([&](const PageRequest& p) { return queries.AllAccess(court, {}, p); });
  ASSERT_EQ(access.size(), 4u);
  for (size_t i = 0; i < access.size(); ++i) EXPECT_EQ(access[i].tx_hash, access_hashes[i]);
  auto violations = all_pages([&](const PageRequest& p) { return queries.AllViolations(court, {}, p); });
  ASSERT_EQ(violations.size(), 3u);
  EXPECT_EQ(violations[0].provider_authority, "321200");
  EXPECT_EQ(violations[1].provider_authority, "320100");
  Result<Page<AccessRecord>> ranged = queries.AllViolations(court, {access[2].time_ms, access[3].time_ms}, {"", 50});
  ASSERT_TRUE(ranged.ok());
  ASSERT_EQ(ranged->items.size(), 1u);
  EXPECT_EQ(ranged->items[0].tx_hash, access_hashes[2]);

  auto overdue = all_pages([&](const PageRequest& p) { return queries.AllOverdue(court, p); });
  ASSERT_EQ(overdue.size(), 2u);
  std::set<std::string> overdue_authorities;
  for (const FlagRecord& flag : overdue) {
    EXPECT_EQ(flag.kind, FlagKind::kShareReviewOverdue);
    overdue_authorities.insert(flag.authority_id);
  }
  EXPECT_EQ(overdue_authorities, (std::set<std::string>{"321200", "321281"}));
  Result<Page<FlagRecord>> deemed = queries.FlagsByKind(court, FlagKind::kShareDeemedApproved, {"", 10});
  ASSERT_TRUE(deemed.ok());
  ASSERT_EQ(deemed->items.size(), 1u);
  EXPECT_EQ(deemed->items[0].authority_id, "320100");
  EXPECT_EQ(queries.FlagsByKind(court, FlagKind::kAccessViolation, {"", 50})->items.size(), 5u);  // 2 sides of one

  Result<Page<RequestRecord>> overdue_requests = queries.AllRequestsByStatus(court, RequestStatus::kOverdue, {"", 10});
  ASSERT_TRUE(overdue_requests.ok());
  ASSERT_EQ(overdue_requests->items.size(), 2u);
  EXPECT_EQ(overdue_requests->items[0].id, "r3");
  EXPECT_EQ(overdue_requests->items[1].id, "r5");
  EXPECT_TRUE(queries.AllObjectionsByStatus(court, ObjectionStatus::kOpen, {"", 10})->items.empty());
  Result<Page<DisputeRecord>> disputes = queries.DisputesByStatus(court, DisputeStatus::kOpen, {"", 10});
  ASSERT_TRUE(disputes.ok());
  ASSERT_EQ(disputes->items.size(), 1u);
  EXPECT_EQ(disputes->items[0].record_refs, (std::vector<crypto::Digest>{access_hashes[1]}));
  EXPECT_TRUE(queries.Dispute(court, "d1").ok());
  EXPECT_EQ(queries.Dispute(ViewerOf("tz.sup"), "d1").status().code(), ErrorCode::kPermissionDenied);

  // An account's history already spans every provider authority.
  Result<Page<AccessRecord>> by_account = queries.AccessByAccount(court, "nj.user", {}, {"", 10});
  ASSERT_TRUE(by_account.ok());
  ASSERT_EQ(by_account->items.size(), 3u);
  EXPECT_EQ(by_account->items[0].provider_authority, "321200");
  EXPECT_EQ(by_account->items[2].provider_authority, "320100");

  Viewer sup = ViewerOf("js.sup");
  EXPECT_EQ(queries.AllAccess(sup, {}, {"", 10}).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(queries.AllViolations(sup, {}, {"", 10}).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(queries.AllOverdue(sup, {"", 10}).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(queries.FlagsByKind(sup, FlagKind::kSanction, {"", 10}).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(queries.AllRequestsByStatus(ViewerOf("nj.user"), RequestStatus::kOverdue, {"", 10}).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(queries.DisputesByStatus(ViewerOf("citizen"), DisputeStatus::kOpen, {"", 10}).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(queries.AllAccess(ViewerOf("auditor"), {}, {"", 10}).ok());
}

}  // namespace
}  // namespace shulian::ledger::testing
