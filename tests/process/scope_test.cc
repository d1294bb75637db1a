// Scope before work, on three real shulian-node processes with the sample
// scenario loaded: for every read route of the API (taken from the route table and
// the node's query list, so a new route or query cannot be forgotten), an account
// outside a subject's scope gets exactly the same answer — status and body — whether
// the subject and its records exist or not. A court sees the difference, so each
// probe really asks about records that are there.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/handler.h"
#include "crypto/sha256.h"
#include "node/node_impl.h"  // LedgerQueryInfos: the node's query list
#include "tests/process/cli_network.h"

namespace shulian::cli {
namespace {

using nlohmann::json;
using e2e::CliRun;
using e2e::Shulian;

constexpr char kCourt[] = "court.tz-intermediate";
// A Nanjing agency, Nanjing's supervisor and a citizen: none of them may read
// Taizhou's access records, grants, disputes or transactions.
const std::vector<std::string> kOutsiders = {"nj.ybj.user", "nj.sjj.supervisor", "public.citizen-zhang"};

// GET routes whose answers are public data, the same for every caller: roots,
// sizes and signatures, node health, the open catalog, the list of queries.
const std::set<std::string> kPublicRoutes = {"/v1/status", "/v1/queries", "/v1/catalog", "/v1/checkpoints/latest",
                                             "/v1/checkpoints/{height}", "/v1/proofs/consistency", "/healthz",
                                             "/readyz", "/metrics", "/", "/console/{file}"};

// Two targets of one route: one about records that exist outside the callers'
// scope, one about none. The second answer, with `without_token` replaced by
// `with_token`, must equal the first.
struct Probe {
  std::string key;  // the route pattern, or "query:<name>"
  std::string with_records;
  std::string without_records;
  std::string with_token;
  std::string without_token;
  std::vector<std::string> callers = kOutsiders;
  bool court_sees_difference = true;  // false when both targets hold no records
};

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class ScopeProcessTest : public e2e::CliNetworkTest {
 protected:
  // Five ports above the evidence fixture's, so the two never share a port.
  ScopeProcessTest() : CliNetworkTest("scope-e2e", 26005) {}

  api::ApiResponse Ask(const std::string& account, const std::string& target) const {
    api::ClientOptions options;
    options.base_url = "http://" + Server(1);
    options.account = account;
    Result<crypto::KeyPair> key = crypto::KeyPair::LoadFromFile(Key(account));
    EXPECT_TRUE(key.ok()) << account;
    options.key = std::make_shared<const crypto::KeyPair>(std::move(*key));
    Result<std::unique_ptr<api::ApiClient>> client = api::ApiClient::Create(options);
    EXPECT_TRUE(client.ok());
    Result<api::ApiResponse> answer = (*client)->Send("GET", target);
    EXPECT_TRUE(answer.ok()) << target << ": " << answer.status().ToString();
    return answer.ok() ? *answer : api::ApiResponse{};
  }
};

TEST_F(ScopeProcessTest, AnOutOfScopeCallerGetsTheSameAnswerWhetherOrNotRecordsExist) {
  const std::string server = WaitForLeader();
  ASSERT_FALSE(server.empty()) << "no leader; logs in " << dir_;
  CliRun load = Shulian({"scenario", "load", "network-configs/scenario/jiangsu-taizhou.json", "--keys", net(),
                         "--server", server, "--json"});
  ASSERT_EQ(load.code, kExitOk) << load.err;
  std::string access_hash;  // tz.swj.user's use of Taizhou's enterprise registry
  const json report = json::parse(load.out);
  for (const json& line : report["transactions"]) {
    if (line.value("type", "") == "record_access" && line["outcome"].value("accepted", false)) {
      access_hash = line.value("tx_hash", "");
      break;
    }
  }
  ASSERT_FALSE(access_hash.empty());
  // Evidence needs a cosigned checkpoint that covers the scenario.
  for (int tries = 0; tries < 150 && Ask(kCourt, "/v1/evidence/transactions/" + access_hash).http_status != 200;
       ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const json block = json::parse(Ask(kCourt, "/v1/blocks/2").body);
  const std::string block_hash = block.value("hash", "");
  ASSERT_EQ(block_hash.size(), 64u) << block.dump();
  const json first_page = json::parse(Ask(kCourt, "/v1/query/access_by_authority?authority_id=321200&limit=1").body);
  const std::string cursor = first_page.value("next_cursor", "");
  ASSERT_FALSE(cursor.empty()) << first_page.dump();

  const std::string ghost_hash = crypto::Sha256(AsBytes("no such record")).ToHex();
  const std::string asset = "tz.scjgj.enterprise-registry", ghost_asset = "tz.scjgj.no-such-asset";
  const std::string account = "tz.swj.user", ghost_account = "tz.nobody.user";
  const std::string authority = "321200", ghost_authority = "329999";
  const std::string dispute = "dsp-2026-0001", ghost_dispute = "dsp-2026-9999";
  const std::string all_time = "from_ms=0&to_ms=9000000000000", no_time = "from_ms=0&to_ms=1";
  const std::string year = "from_day=2026-01-01&to_day=2027-01-01";  // CST days of the sample's block times
  // Agencies read every asset record (the catalog is shared among agencies).
  const std::vector<std::string> no_agency = {"nj.sjj.supervisor", "public.citizen-zhang"};
  auto query = [](const std::string& name, const std::string& params) { return "/v1/query/" + name + "?" + params; };

  std::vector<Probe> probes = {
      {"/v1/transactions/{hash}", "/v1/transactions/" + access_hash, "/v1/transactions/" + ghost_hash, access_hash,
       ghost_hash},
      {"/v1/blocks/{height}", "/v1/blocks/2", "/v1/blocks/987654321", "2", "987654321"},
      {"/v1/blocks/by-hash/{hash}", "/v1/blocks/by-hash/" + block_hash, "/v1/blocks/by-hash/" + ghost_hash,
       block_hash, ghost_hash},
      {"/v1/evidence/transactions/{hash}", "/v1/evidence/transactions/" + access_hash,
       "/v1/evidence/transactions/" + ghost_hash, access_hash, ghost_hash},
      {"/v1/evidence/assets/{asset}/access", "/v1/evidence/assets/" + asset + "/access?" + all_time,
       "/v1/evidence/assets/" + ghost_asset + "/access?" + all_time, asset, ghost_asset},
      // Narrowing the time range must not tell records from none.
      {"/v1/evidence/assets/{asset}/access", "/v1/evidence/assets/" + asset + "/access?" + all_time,
       "/v1/evidence/assets/" + asset + "/access?" + no_time, "", ""},
      {"/v1/evidence/disputes/{case}", "/v1/evidence/disputes/" + dispute, "/v1/evidence/disputes/" + ghost_dispute,
       dispute, ghost_dispute},
      {"/v1/ledger/export", "/v1/ledger/export?from=1&to=2", "/v1/ledger/export?from=987654320&to=987654321", "",
       ""},
      {"query:asset", query("asset", "asset_id=" + asset), query("asset", "asset_id=" + ghost_asset), asset,
       ghost_asset, no_agency},
      {"query:asset_history", query("asset_history", "asset_id=" + asset),
       query("asset_history", "asset_id=" + ghost_asset), asset, ghost_asset, no_agency},
      {"query:assets_by_authority", query("assets_by_authority", "authority_id=" + authority),
       query("assets_by_authority", "authority_id=" + ghost_authority), authority, ghost_authority},
      {"query:account", query("account", "account_id=" + account),
       query("account", "account_id=" + ghost_account), account, ghost_account},
      {"query:calendar", query("calendar", "authority_id=" + authority + "&" + year),
       query("calendar", "authority_id=" + ghost_authority + "&" + year), authority, ghost_authority},
      {"query:access_by_asset", query("access_by_asset", "asset_id=" + asset),
       query("access_by_asset", "asset_id=" + ghost_asset), asset, ghost_asset},
      {"query:access_by_asset", query("access_by_asset", "asset_id=" + asset + "&" + all_time),
       query("access_by_asset", "asset_id=" + asset + "&" + no_time), "", ""},
      {"query:access_by_account", query("access_by_account", "account_id=" + account),
       query("access_by_account", "account_id=" + ghost_account), account, ghost_account},
      {"query:access_by_authority", query("access_by_authority", "authority_id=" + authority),
       query("access_by_authority", "authority_id=" + ghost_authority), authority, ghost_authority},
      // A cursor into Taizhou's records is refused like a made-up one.
      {"query:access_by_authority", query("access_by_authority", "authority_id=" + authority + "&cursor=" + cursor),
       query("access_by_authority", "authority_id=" + authority + "&cursor=abcdef0123"), cursor, "abcdef0123"},
      {"query:violations", query("violations", "authority_id=" + authority),
       query("violations", "authority_id=" + ghost_authority), authority, ghost_authority},
      {"query:grants_by_asset", query("grants_by_asset", "asset_id=" + asset),
       query("grants_by_asset", "asset_id=" + ghost_asset), asset, ghost_asset},
      {"query:grants_by_user", query("grants_by_user", "account_id=" + account),
       query("grants_by_user", "account_id=" + ghost_account), account, ghost_account},
      {"query:requests_by_status", query("requests_by_status", "authority_id=" + authority + "&status=granted"),
       query("requests_by_status", "authority_id=" + ghost_authority + "&status=granted"), authority,
       ghost_authority},
      {"query:objections_by_status",
       query("objections_by_status", "authority_id=" + authority + "&status=escalated"),
       query("objections_by_status", "authority_id=" + ghost_authority + "&status=escalated"), authority,
       ghost_authority},
      {"query:overdue", query("overdue", "authority_id=" + authority),
       query("overdue", "authority_id=" + ghost_authority), authority, ghost_authority},
      {"query:supervisor_summary", query("supervisor_summary", "authority_id=" + authority),
       query("supervisor_summary", "authority_id=" + ghost_authority), authority, ghost_authority},
      {"query:rollup_access", query("rollup_access", "authority_id=" + authority),
       query("rollup_access", "authority_id=" + ghost_authority), authority, ghost_authority},
      {"query:rollup_violations", query("rollup_violations", "authority_id=" + authority + "&" + all_time),
       query("rollup_violations", "authority_id=" + ghost_authority + "&" + all_time), authority, ghost_authority},
      {"query:rollup_flags", query("rollup_flags", "authority_id=" + authority + "&kind=access_violation"),
       query("rollup_flags", "authority_id=" + ghost_authority + "&kind=access_violation"), authority,
       ghost_authority},
      {"query:rollup_counts", query("rollup_counts", "authority_id=" + authority + "&" + year),
       query("rollup_counts", "authority_id=" + ghost_authority + "&" + year), authority, ghost_authority},
      {"query:access_all", query("access_all", all_time), query("access_all", no_time), "", ""},
      {"query:violations_all", query("violations_all", all_time), query("violations_all", no_time), "", ""},
      {"query:overdue_all", query("overdue_all", ""), query("overdue_all", "limit=1"), "", "", kOutsiders, false},
      {"query:flags_by_kind", query("flags_by_kind", "kind=access_violation"),
       query("flags_by_kind", "kind=catalog_update_overdue"), "", ""},
      {"query:requests_by_status_all", query("requests_by_status_all", "status=granted"),
       query("requests_by_status_all", "status=awaiting_consent"), "", ""},
      {"query:objections_by_status_all", query("objections_by_status_all", "status=escalated"),
       query("objections_by_status_all", "status=open"), "", "", kOutsiders, false},
      {"query:disputes_by_status", query("disputes_by_status", "status=closed"),
       query("disputes_by_status", "status=open"), "", ""},
      {"query:dispute", query("dispute", "dispute_id=" + dispute), query("dispute", "dispute_id=" + ghost_dispute),
       dispute, ghost_dispute},
  };

  // Every GET route and every non-public query has a probe.
  std::set<std::string> probed;
  for (const Probe& probe : probes) probed.insert(probe.key);
  for (const api::RouteInfo& route : api::ApiHandler::Routes()) {
    if (route.method != "GET" || kPublicRoutes.contains(route.pattern) || route.pattern == "/v1/query/{name}") continue;
    EXPECT_TRUE(probed.contains(route.pattern)) << "read route " << route.pattern << " has no scope probe";
  }
  for (const api::QueryInfo& info : node::LedgerQueryInfos()) {
    if (info.public_access) continue;
    EXPECT_TRUE(probed.contains("query:" + info.name)) << "query " << info.name << " has no scope probe";
  }

  for (const Probe& probe : probes) {
    for (const std::string& caller : probe.callers) {
      const api::ApiResponse with = Ask(caller, probe.with_records);
      const api::ApiResponse without = Ask(caller, probe.without_records);
      EXPECT_GE(with.http_status, 400) << caller << " read " << probe.with_records << ": " << with.body;
      EXPECT_EQ(with.http_status, without.http_status) << caller << ": " << probe.with_records << " vs "
                                                       << probe.without_records;
      EXPECT_EQ(with.body, Replace(without.body, probe.without_token, probe.with_token))
          << caller << ": " << probe.with_records << " vs " << probe.without_records;
    }
    const api::ApiResponse court_with = Ask(kCourt, probe.with_records);
    EXPECT_EQ(court_with.http_status, 200) << probe.with_records << ": " << court_with.body;
    if (probe.court_sees_difference) {
      const api::ApiResponse court_without = Ask(kCourt, probe.without_records);
      EXPECT_NE(court_with.body, Replace(court_without.body, probe.without_token, probe.with_token))
          << "the court sees no records behind " << probe.with_records;
    }
  }

  // The province supervisor's dashboard over the sample: its five out-of-scope uses and its deadlines,
  // from the roll-ups over its whole subtree, the same as the court's count over every authority.
  const api::ApiResponse counts = Ask("js.sjj.supervisor", query("rollup_counts", "authority_id=320000&" + year));
  ASSERT_EQ(counts.http_status, 200) << counts.body;
  const json result = json::parse(counts.body)["result"];
  std::printf("sample scenario, province roll-up: totals %s, flags %s, violations by code %s\n",
              result["totals"].dump().c_str(), result["flags_by_kind"].dump().c_str(),
              result["violations_by_code"].dump().c_str());
  EXPECT_EQ(result["totals"]["violating_uses"], 5) << result["totals"].dump();
  const json violating = json::parse(
      Ask("js.sjj.supervisor", query("rollup_violations", "authority_id=320000&limit=1000")).body)["result"];
  const json court_violating = json::parse(Ask(kCourt, query("violations_all", "limit=1000")).body)["result"];
  EXPECT_EQ(violating.size(), 5u);
  EXPECT_EQ(violating, court_violating);
  // The sample runs at wall-clock time, so no working-day deadline has passed yet: every deadline
  // answered so far was met, and none is missed until days later.
  EXPECT_EQ(result["totals"]["deadlines_met"], 9) << result["totals"].dump();
  EXPECT_EQ(result["totals"]["deadlines_missed"], 0) << result["totals"].dump();
}

}  // namespace
}  // namespace shulian::cli
