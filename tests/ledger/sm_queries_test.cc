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

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST_F(QueriesTest, AssetsByAuthorityListsEveryStatusByIdPageByPageForItsScopeOnly) {
  // Proves assets_by_authority reads the authority's assets from its index in id order, retired and destroyed
  // ones included, none of another authority (a county below it either), page by page; that it answers the
  // authority's own agencies, supervisors above it and courts; and that everyone else gets one refusal,
  // worded the same for an authority that does not exist.
  for (const char* id : {"tz.c", "tz.a", "tz.d", "tz.b"})
    ASSERT_TRUE(Apply("tz.prov", AssetBody(id, "321200")).accepted());
  ASSERT_TRUE(Apply("xh.prov", AssetBody("xh.a", "321281")).accepted());
  ASSERT_TRUE(Apply("tz.prov", RetireAssetBody{{}, "tz.b", "superseded", ""}).accepted());
  ASSERT_TRUE(
      Apply("tz.sup", DestroyAssetBody{{}, "tz.d", "retention ended", "", crypto::Sha256(AsBytes("r"))})
          .accepted());
  Queries queries(*state_);
  std::vector<std::pair<std::string, AssetStatus>> seen;
  PageRequest page{"", 3};
  int pages = 0;
  for (; pages < 5; ++pages) {
    Result<Page<AssetRecord>> result = queries.AssetsByAuthority(ViewerOf("tz.prov"), "321200", page);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    for (const AssetRecord& asset : result->items) seen.emplace_back(asset.id, asset.status);
    if (result->next_cursor.empty()) break;
    page.cursor = result->next_cursor;
  }
  EXPECT_EQ(pages, 1);  // two pages: 3 + 1
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, AssetStatus>>{{"tz.a", AssetStatus::kActive},
                                                                    {"tz.b", AssetStatus::kRetired},
                                                                    {"tz.c", AssetStatus::kActive},
                                                                    {"tz.d", AssetStatus::kDestroyed}}));
  for (const char* reader : {"tz.user", "tz.sup", "js.sup", "court", "auditor"}) {
    Result<Page<AssetRecord>> result = queries.AssetsByAuthority(ViewerOf(reader), "321200", {"", 50});
    ASSERT_TRUE(result.ok()) << reader << ": " << result.status().ToString();
    EXPECT_EQ(result->items.size(), 4u) << reader;
  }
  Result<Page<AssetRecord>> county = queries.AssetsByAuthority(ViewerOf("tz.sup"), "321281", {"", 50});
  ASSERT_TRUE(county.ok());
  ASSERT_EQ(county->items.size(), 1u);
  EXPECT_EQ(county->items[0].id, "xh.a");
  EXPECT_TRUE(queries.AssetsByAuthority(ViewerOf("court"), "329999", {"", 50})->items.empty());
  for (const char* outsider : {"nj.prov", "nj.sup", "xh.prov", "xh.sup", "citizen"}) {
    Status with = queries.AssetsByAuthority(ViewerOf(outsider), "321200", {"", 50}).status();
    Status without = queries.AssetsByAuthority(ViewerOf(outsider), "329999", {"", 50}).status();
    EXPECT_EQ(with.code(), ErrorCode::kPermissionDenied) << outsider;
    EXPECT_EQ(without.code(), ErrorCode::kPermissionDenied) << outsider;
    EXPECT_EQ(with.message(), Replace(without.message(), "329999", "321200")) << outsider;
  }
  EXPECT_FALSE(queries.AssetsByAuthority(ViewerOf("tz.prov"), "321200", {"", 0}).ok());
  EXPECT_EQ(queries.AssetsByAuthority(ViewerOf("tz.prov"), "321200", {"00ff", 5}).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(QueriesTest,
       AnAccountIsReadByItselfItsSupervisorsAndCourtsAndRefusedAlikeToOthersWhetherOrNotItExists) {
  // Proves the account query: an account reads its own record (authority, roles, status), a supervisor the
  // accounts of its subtree, a court any (a missing one is plainly missing to it); a colleague, another
  // subtree's supervisor or the public are refused, with the same words for an account that does not exist.
  Queries queries(*state_);
  Result<AccountRecord> own = queries.Account(ViewerOf("tz.prov"), "tz.prov");
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(own->authority_id, "321200");
  EXPECT_EQ(own->roles, (std::vector<Role>{Role::kProvider}));
  EXPECT_EQ(own->status, AccountStatus::kActive);
  EXPECT_EQ(own->public_key, KeyFor("tz.prov").public_key());
  EXPECT_TRUE(queries.Account(ViewerOf("citizen"), "citizen").ok());
  EXPECT_EQ(queries.Account(ViewerOf("tz.sup"), "xh.prov")->authority_id, "321281");
  EXPECT_EQ(queries.Account(ViewerOf("js.sup"), "tz.user")->authority_id, "321200");
  EXPECT_EQ(queries.Account(ViewerOf("court"), "nj.prov")->authority_id, "320100");
  EXPECT_EQ(queries.Account(ViewerOf("court"), "tz.ghost").status().code(), ErrorCode::kNotFound);
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"tz.user", "tz.prov"}, {"nj.sup", "tz.prov"},  {"xh.sup", "tz.sup"},
      {"tz.sup", "court"},    {"citizen", "tz.prov"}, {"tz.prov", "tz.sup"}};
  for (const auto& [reader, subject] : refused) {
    Status with = queries.Account(ViewerOf(reader), subject).status();
    Status without = queries.Account(ViewerOf(reader), "tz.ghost").status();
    EXPECT_EQ(with.code(), ErrorCode::kPermissionDenied) << reader << " read " << subject;
    EXPECT_EQ(with.message(), Replace(without.message(), "tz.ghost", subject)) << reader;
  }
}

TEST_F(QueriesTest, TheCalendarMarksTheDaysOfTheResolvedPolicysCalendarIncludingMakeUpWeekends) {
  // Proves the calendar query marks each CST day with the calendar the authority's resolved policy names
  // (Taizhou's own layer names none, so Jiangsu's cn-2025-2026 counts): the National Day week off, the
  // make-up Sunday 2025-09-28 and Saturday 2025-10-11 working, an ordinary weekend not; that a deadline the
  // ledger fixed is the n-th working day the answer marks; that the range is bounded; and its scope.
  Queries queries(*state_);
  const uint32_t from = static_cast<uint32_t>(Date{2025, 9, 26}.ToDays());
  const uint32_t to = static_cast<uint32_t>(Date{2025, 10, 14}.ToDays());
  Result<CalendarDays> days = queries.WorkingDays(ViewerOf("tz.prov"), "321200", from, to);
  ASSERT_TRUE(days.ok()) << days.status().ToString();
  EXPECT_EQ(days->calendar_id, "cn-2025-2026");
  EXPECT_EQ(days->first_year, 2025);
  EXPECT_EQ(days->last_year, 2026);
  std::string marks;  // W working, . not
  for (const CalendarDay& day : days->days) {
    marks += day.working ? 'W' : '.';
    EXPECT_TRUE(day.covered);
  }
  //        09-26 Fri, 27 Sat, 28 Sun (make-up), 29, 30, 10-01..10-08 off, 09 Thu, 10 Fri, 11 Sat (make-up),
  //        12 Sun, 13
  EXPECT_EQ(marks, "W.WWW........WWW.W");
  ASSERT_EQ(days->days.size(), to - from);
  EXPECT_EQ(days->days.front().day, from);

  // A share request made on Friday 2025-09-26: its deadline is the n-th working day the answer marks after
  // it.
  now_ms_ = EndOfDayMs(Date{2025, 9, 26}) - 14 * kHourMs;
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  const RequestRecord request = Request("r1");
  Result<Policy> policy = LoadResolvedPolicy(*state_, "321200", 16);
  ASSERT_TRUE(policy.ok() && policy->period(Step::kShareReview));
  ASSERT_EQ(policy->period(Step::kShareReview)->count, DayCount::kWorking);
  const int32_t n = policy->period(Step::kShareReview)->days;
  Result<CalendarDays> ahead = queries.WorkingDays(ViewerOf("tz.prov"), "321200", from + 1, from + 1 + 60);
  ASSERT_TRUE(ahead.ok());
  int32_t counted = 0;
  int64_t due_ms = 0;
  for (const CalendarDay& day : ahead->days) {
    if (day.working && ++counted == n) {
      due_ms = EndOfDayMs(Date::FromDays(day.day));
      break;
    }
  }
  EXPECT_EQ(due_ms, request.due_ms) << n << " working days";

  // Outside the calendar's years only weekends are known, and the answer says so.
  const uint32_t y2027 = static_cast<uint32_t>(Date{2027, 1, 1}.ToDays());
  Result<CalendarDays> later = queries.WorkingDays(ViewerOf("court"), "320100", y2027, y2027 + 3);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->days[0].covered);
  EXPECT_TRUE(later->days[0].working);   // a Friday: no holiday schedule for 2027
  EXPECT_FALSE(later->days[1].working);  // Saturday

  // Bounded by calendar_days_max, checked before scope.
  QueryLimits limits;
  limits.calendar_days_max = 10;
  Queries small(*state_, limits);
  EXPECT_TRUE(small.WorkingDays(ViewerOf("tz.prov"), "321200", from, from + 10).ok());
  Status too_long = small.WorkingDays(ViewerOf("tz.prov"), "321200", from, from + 11).status();
  EXPECT_EQ(too_long.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(too_long.message().find("1..10 days"), std::string::npos) << too_long.ToString();
  EXPECT_EQ(queries.WorkingDays(ViewerOf("tz.prov"), "321200", from, from).status().code(),
            ErrorCode::kInvalidArgument);

  // Scope like requests_by_status; a court asking for an authority that does not exist is told so.
  EXPECT_TRUE(queries.WorkingDays(ViewerOf("tz.sup"), "321281", from, to).ok());
  EXPECT_TRUE(queries.WorkingDays(ViewerOf("js.sup"), "321200", from, to).ok());
  EXPECT_EQ(queries.WorkingDays(ViewerOf("court"), "329999", from, to).status().code(), ErrorCode::kNotFound);
  for (const char* outsider : {"nj.prov", "nj.sup", "xh.sup", "citizen"}) {
    Status with = queries.WorkingDays(ViewerOf(outsider), "321200", from, to).status();
    Status without = queries.WorkingDays(ViewerOf(outsider), "329999", from, to).status();
    EXPECT_EQ(with.code(), ErrorCode::kPermissionDenied) << outsider;
    EXPECT_EQ(with.message(), Replace(without.message(), "329999", "321200")) << outsider;
  }
}

TEST_F(QueriesTest, AnAuthorityWhosePolicyNamesNoCalendarCountsWeekendsOnlyAndTheAnswerNamesIt) {
  // Proves the calendar query names the default calendar when no policy layer names one: on a network whose
  // genesis carries no calendar, a national holiday (2025-10-01) is a working day and nothing is covered.
  Genesis genesis = TestGenesis();
  genesis.calendars.clear();
  for (PolicyEntry& entry : genesis.policies) entry.layer.calendar_id.reset();
  genesis.Canonicalize();
  ASSERT_TRUE(genesis.Validate().ok()) << genesis.Validate().ToString();
  std::unique_ptr<leveldb::DB> db = OpenDb(dir_ + "/no-calendar");
  StateStore state(db.get(), "s/");
  ASSERT_TRUE(machine_.ApplyGenesis(genesis, state).ok());
  Flush(*db, state);
  Queries queries(state);
  const uint32_t day = static_cast<uint32_t>(Date{2025, 10, 1}.ToDays());
  Result<CalendarDays> days =
      queries.WorkingDays(queries.ViewerFor("tz.prov").value(), "321200", day, day + 4);
  ASSERT_TRUE(days.ok()) << days.status().ToString();
  EXPECT_EQ(days->calendar_id, "weekends-only");
  EXPECT_EQ(days->first_year, 0);
  std::string marks;
  for (const CalendarDay& d : days->days) {
    marks += d.working ? 'W' : '.';
    EXPECT_FALSE(d.covered);
  }
  EXPECT_EQ(marks, "WWW.");  // Wed..Sat 2025-10-01..04
}

}  // namespace
}  // namespace shulian::ledger::testing
