#include "ledger/genesis.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace shulian::ledger {
namespace {

using nlohmann::json;

std::string Key(char c) { return std::string(64, c); }

json NationalCalendarJson() {
  Result<json> j = rules_json::ParseFile("network-configs/calendars/cn-2025-2026.json", 1 << 20);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return *j;
}

// A Jiangsu network: the province, Taizhou and two of its counties.
json SampleGenesisJson() {
  return json{
      {"network_id", "jiangsu-demo"},
      {"genesis_time_ms", 1767225600000},
      {"chain", {{"block_time_skew_ms_max", 5000}, {"client_time_window_ms", 600000}}},
      {"authorities",
       json::array({
           {{"id", "320000"}, {"name", "江苏省数据局"}, {"level", "province"}},
           {{"id", "321200"}, {"name", "泰州市数据局"}, {"level", "municipality"}, {"parent", "320000"}},
           {{"id", "321281"}, {"name", "兴化市数据局"}, {"level", "county"}, {"parent", "321200"}},
           {{"id", "321282"}, {"name", "靖江市数据局"}, {"level", "county"}, {"parent", "321200"}},
       })},
      {"accounts",
       json::array({
           {{"id", "js.supervisor"}, {"authority", "320000"}, {"roles", {"supervisor"}},
            {"public_key", Key('1')}, {"name", "江苏省数据局监管"}},
           {{"id", "tz.gongan"}, {"authority", "321200"}, {"roles", {"user", "provider"}},
            {"public_key", Key('2')}, {"name", "泰州市公安局"}},
           {{"id", "court.taizhou"}, {"roles", {"court"}}, {"public_key", Key('3')}, {"name", "泰州市中级人民法院"}},
       })},
      {"validators",
       json::array({
           {{"node_id", 2}, {"name", "tz-node"}, {"authority", "321200"}, {"public_key", Key('b')}},
           {{"node_id", 1}, {"name", "js-node"}, {"authority", "320000"}, {"public_key", Key('a')}},
       })},
      {"calendars", json::array({NationalCalendarJson()})},
      {"policies",
       json::array({
           {{"authority", "320000"}, {"preset", "jiangsu-2024"}, {"overrides", {{"calendar", "cn-2025-2026"}}}},
           {{"authority", "321200"}, {"overrides", {{"share_review", {{"working_days", 3}}}}}},
       })},
  };
}

Genesis Sample() {
  Result<Genesis> g = Genesis::FromJson(SampleGenesisJson());
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return *g;
}

// The same JSON value with every object's keys inserted in reverse order.
nlohmann::ordered_json ReverseKeys(const json& j) {
  if (j.is_object()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    std::vector<std::string> keys;
    for (const auto& item : j.items()) keys.push_back(item.key());
    for (auto it = keys.rbegin(); it != keys.rend(); ++it) out[*it] = ReverseKeys(j.at(*it));
    return out;
  }
  if (j.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& item : j) out.push_back(ReverseKeys(item));
    return out;
  }
  return nlohmann::ordered_json::parse(j.dump());
}

TEST(GenesisTest, SampleNetworkLoadsAndTaizhouCountiesInheritItsPolicy) {
  // Xinghua has no policy of its own: it gets Taizhou's 3-day review and Jiangsu's other rules.
  Genesis g = Sample();
  Result<Policy> xinghua = g.ResolvedPolicy("321281");
  ASSERT_TRUE(xinghua.ok()) << xinghua.status().ToString();
  EXPECT_EQ(xinghua->period(Step::kShareReview), (Period{3, DayCount::kWorking}));
  EXPECT_EQ(xinghua->period(Step::kOpenAnswer), (Period{15, DayCount::kWorking}));
  EXPECT_EQ(xinghua->ShareReviewOnExpiry(), ExpiryAction::kDeemedApproved);
  Result<Calendar> calendar = g.CalendarOf(*xinghua);
  ASSERT_TRUE(calendar.ok());
  EXPECT_EQ(calendar->id, "cn-2025-2026");
  Result<std::vector<const Authority*>> chain = g.ChainOf("321281");
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0]->id, "320000");
  EXPECT_EQ(g.ChainOf("329999").status().code(), ErrorCode::kNotFound);
  // Lists are canonical: validators by node id, accounts by id, roles by value.
  EXPECT_EQ(g.validators[0].node_id, 1u);
  EXPECT_EQ(g.accounts[0].id, "court.taizhou");
  ASSERT_NE(g.FindAccount("tz.gongan"), nullptr);
  EXPECT_EQ(g.FindAccount("tz.gongan")->roles, (std::vector<Role>{Role::kProvider, Role::kUser}));
}

TEST(GenesisTest, HashIsStableAcrossKeyOrderWhitespaceAndListOrder) {
  // The digest depends on content only, not on how the JSON file was written.
  crypto::Digest reference = Sample().Hash();
  json base = SampleGenesisJson();
  std::string compact = base.dump();
  std::string pretty = base.dump(4);
  std::string reversed = ReverseKeys(base).dump(1, '\t');
  ASSERT_NE(compact.find("\"accounts\""), std::string::npos);
  ASSERT_LT(reversed.find("\"validators\""), reversed.find("\"accounts\""));  // really reordered
  for (const std::string& text : {compact, pretty, reversed}) {
    Result<Genesis> g = Genesis::FromJsonText(text);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(g->Hash(), reference);
  }
  json shuffled = base;
  std::reverse(shuffled["authorities"].begin(), shuffled["authorities"].end());
  std::reverse(shuffled["accounts"].begin(), shuffled["accounts"].end());
  shuffled["accounts"][1]["roles"] = {"provider", "user"};  // tz.gongan, roles reordered
  Result<Genesis> g = Genesis::FromJson(shuffled);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->Hash(), reference);
}

TEST(GenesisTest, HashChangesWithAnyContent) {
  // A different name, deadline or key is a different network.
  crypto::Digest reference = Sample().Hash();
  std::vector<std::function<void(json&)>> edits = {
      [](json& j) { j["authorities"][1]["name"] = "泰州市大数据局"; },
      [](json& j) { j["policies"][1]["overrides"]["share_review"]["working_days"] = 4; },
      [](json& j) { j["validators"][0]["public_key"] = Key('c'); },
      [](json& j) { j["genesis_time_ms"] = 1767225600001; },
      [](json& j) { j["chain"]["client_time_window_ms"] = 600001; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    json edited = SampleGenesisJson();
    edits[i](edited);
    Result<Genesis> g = Genesis::FromJson(edited);
    ASSERT_TRUE(g.ok()) << i << ": " << g.status().ToString();
    EXPECT_NE(g->Hash(), reference) << i;
  }
}

TEST(GenesisTest, HashIsSha256OfTagAndEncoding) {
  // Hash() = SHA-256("shulian/genesis/v1" ‖ Encode()), so other tools can recompute it.
  Genesis g = Sample();
  Bytes input = ToBytes(kGenesisDomainTag);
  Bytes encoded = g.Encode();
  input.insert(input.end(), encoded.begin(), encoded.end());
  EXPECT_EQ(g.Hash(), crypto::Sha256(input));
}

TEST(GenesisTest, BinaryAndJsonFormsRoundTrip) {
  // Decode(Encode(g)) == g and FromJson(ToJson(g)) == g, with the same hash.
  Genesis g = Sample();
  Result<Genesis> binary = Genesis::Decode(g.Encode());
  ASSERT_TRUE(binary.ok()) << binary.status().ToString();
  EXPECT_EQ(*binary, g);
  Result<Genesis> from_json = Genesis::FromJson(g.ToJson());
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  EXPECT_EQ(*from_json, g);
  EXPECT_EQ(from_json->Hash(), g.Hash());
}

TEST(GenesisTest, DecodeRejectsTrailingBytesAndNonCanonicalOrder) {
  // One genesis has exactly one byte form.
  Genesis g = Sample();
  Bytes trailing = g.Encode();
  trailing.push_back(0);
  EXPECT_FALSE(Genesis::Decode(trailing).ok());
  Genesis unsorted = g;
  std::swap(unsorted.authorities[0], unsorted.authorities[1]);
  Status s = Genesis::Decode(unsorted.Encode()).status();
  EXPECT_NE(s.message().find("authorities[1]: not in canonical order"), std::string::npos) << s.message();
  Bytes truncated = g.Encode();
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(Genesis::Decode(truncated).ok());
}

TEST(GenesisTest, PolicyEntryIsHashedWithItsEffectiveValues) {
  // The encoded layer holds the preset's values, so the hash pins the deadlines themselves.
  Genesis g = Sample();
  const PolicyEntry* jiangsu = g.FindPolicy("320000");
  ASSERT_NE(jiangsu, nullptr);
  EXPECT_EQ(jiangsu->preset, "jiangsu-2024");
  EXPECT_EQ(jiangsu->layer.period(Step::kShareReview), (Period{5, DayCount::kWorking}));
  EXPECT_EQ(jiangsu->layer.calendar_id, std::optional<std::string>("cn-2025-2026"));
}

struct ErrorCase {
  std::string name;
  std::function<void(json&)> edit;
  std::string expected;  // a substring of the error message: the path and the rule
};

TEST(GenesisTest, EachValidationErrorNamesItsJsonPath) {
  // Every rule of the genesis format rejects bad input with the path of the offending value.
  const std::vector<ErrorCase> cases = {
      {"unknown top-level key", [](json& j) { j["extra"] = 1; }, "extra: unknown key"},
      {"unknown account key", [](json& j) { j["accounts"][0]["nickname"] = "x"; }, "accounts[0].nickname: unknown key"},
      {"missing network id", [](json& j) { j.erase("network_id"); }, "network_id: missing"},
      {"bad network id", [](json& j) { j["network_id"] = "Jiangsu Demo"; }, "network_id: \"Jiangsu Demo\""},
      {"time as string", [](json& j) { j["genesis_time_ms"] = "1767225600000"; }, "genesis_time_ms: must be an integer"},
      {"time as float", [](json& j) { j["genesis_time_ms"] = 1.5; }, "genesis_time_ms: must be an integer"},
      {"negative time", [](json& j) { j["genesis_time_ms"] = -1; }, "genesis_time_ms: -1 is out of range"},
      {"skew out of range", [](json& j) { j["chain"]["block_time_skew_ms_max"] = 0; }, "chain.block_time_skew_ms_max"},
      {"unknown chain key", [](json& j) { j["chain"]["tick_ms"] = 10; }, "chain.tick_ms: unknown key"},
      {"no authorities", [](json& j) { j["authorities"] = json::array(); }, "authorities: at least one"},
      {"unknown parent", [](json& j) { j["authorities"][2]["parent"] = "321299"; }, "authorities[2].parent: unknown authority \"321299\""},
      {"two roots",
       [](json& j) { j["authorities"].push_back({{"id", "440000"}, {"name", "广东省"}, {"level", "province"}}); },
       "exactly one root province is required, found 2"},
      {"rootless county", [](json& j) { j["authorities"][3].erase("parent"); }, "authorities[3].parent: only the root province"},
      {"parent not higher",
       [](json& j) { j["authorities"].push_back({{"id", "321283"}, {"name", "泰兴市"}, {"level", "county"}, {"parent", "321281"}}); },
       "authorities[4].parent: \"321281\" is a county, not a higher level"},
      {"code outside parent",
       [](json& j) { j["authorities"][3]["id"] = "321182"; }, "authorities[3].id: \"321182\" is not within its parent's code"},
      {"duplicate authority", [](json& j) { j["authorities"][3]["id"] = "321281"; }, "authorities[3].id: duplicate authority"},
      {"bad code", [](json& j) { j["authorities"][1]["id"] = "32120"; }, "authorities[1].id: \"32120\" is not a six-digit"},
      {"level suffix", [](json& j) { j["authorities"][1]["id"] = "321000"; j["authorities"][1]["level"] = "county"; },
       "authorities[1].id: a county's code does not end in 00"},
      {"unknown level", [](json& j) { j["authorities"][1]["level"] = "city"; }, "authorities[1].level: \"city\""},
      {"account authority", [](json& j) { j["accounts"][1]["authority"] = "329900"; }, "accounts[1].authority: unknown authority"},
      {"unknown role", [](json& j) { j["accounts"][1]["roles"][1] = "admin"; }, "accounts[1].roles[1]: \"admin\""},
      {"duplicate role", [](json& j) { j["accounts"][1]["roles"] = {"user", "user"}; }, "accounts[1].roles[1]: duplicate role"},
      {"no roles", [](json& j) { j["accounts"][1]["roles"] = json::array(); }, "accounts[1].roles: at least one role"},
      {"provider without authority", [](json& j) { j["accounts"][1].erase("authority"); },
       "accounts[1].authority: required for the provider"},
      {"duplicate account", [](json& j) { j["accounts"][2]["id"] = "tz.gongan"; }, "accounts[2].id: duplicate account"},
      {"bad key hex", [](json& j) { j["accounts"][0]["public_key"] = "xyz"; }, "accounts[0].public_key"},
      {"short key", [](json& j) { j["accounts"][0]["public_key"] = std::string(62, '1'); }, "accounts[0].public_key: expected 32 bytes"},
      {"shared key", [](json& j) { j["accounts"][2]["public_key"] = Key('1'); }, "accounts[2].public_key: already the key of accounts[0]"},
      {"bad name", [](json& j) { j["accounts"][0]["name"] = "a\nb"; }, "accounts[0].name: must be printable UTF-8"},
      {"no validators", [](json& j) { j["validators"] = json::array(); }, "validators: at least one validator"},
      {"missing validators", [](json& j) { j.erase("validators"); }, "validators: missing"},
      {"zero node id", [](json& j) { j["validators"][0]["node_id"] = 0; }, "validators[0].node_id: 0 is out of range"},
      {"negative node id", [](json& j) { j["validators"][0]["node_id"] = -3; }, "validators[0].node_id: must be a non-negative integer"},
      {"duplicate node id", [](json& j) { j["validators"][1]["node_id"] = 2; }, "validators[1].node_id: duplicate node id 2"},
      {"validator authority", [](json& j) { j["validators"][1]["authority"] = "320500"; }, "validators[1].authority: unknown authority"},
      {"validator shared key", [](json& j) { j["validators"][1]["public_key"] = Key('b'); }, "validators[1].public_key: already the key of validators[0]"},
      {"bad calendar", [](json& j) { j["calendars"][0]["working_days"][0] = "2025-01-27"; }, "calendars[0].working_days[0]"},
      {"duplicate calendar", [](json& j) { j["calendars"].push_back(j["calendars"][0]); }, "calendars[1].id: duplicate calendar"},
      {"unknown calendar", [](json& j) { j["policies"][0]["overrides"]["calendar"] = "cn-2027"; },
       "policies[0].overrides.calendar: unknown calendar \"cn-2027\""},
      {"unknown preset", [](json& j) { j["policies"][1]["preset"] = "taizhou-2099"; }, "policies[1].preset: unknown policy preset"},
      {"policy authority", [](json& j) { j["policies"][1]["authority"] = "321300"; }, "policies[1].authority: unknown authority"},
      {"second policy", [](json& j) { j["policies"][1]["authority"] = "320000"; }, "policies[1].authority: a second policy"},
      {"empty policy", [](json& j) { j["policies"][1].erase("overrides"); }, "policies[1]: a policy needs a preset"},
      {"bad override", [](json& j) { j["policies"][1]["overrides"]["share_review"]["working_days"] = 400; },
       "policies[1].overrides.share_review.working_days: 400 is out of range"},
  };
  for (const ErrorCase& tc : cases) {
    json j = SampleGenesisJson();
    tc.edit(j);
    Result<Genesis> g = Genesis::FromJson(j);
    EXPECT_EQ(g.status().code(), ErrorCode::kInvalidArgument) << tc.name;
    EXPECT_NE(g.status().message().find(tc.expected), std::string::npos)
        << tc.name << ": got \"" << g.status().message() << "\"";
  }
}

TEST(GenesisTest, DuplicateJsonKeysAndSyntaxErrorsAreRejected) {
  // "Last key wins" would let two readers see different genesis files: both are errors.
  std::string text = SampleGenesisJson().dump();
  std::string duplicated = "{\"network_id\": \"other\", " + text.substr(1);
  EXPECT_NE(Genesis::FromJsonText(duplicated).status().message().find("more than once"), std::string::npos);
  EXPECT_NE(Genesis::FromJsonText(text.substr(0, text.size() - 1)).status().message().find("JSON syntax"),
            std::string::npos);
  GenesisLimits small;
  small.file_bytes_max = 100;
  EXPECT_FALSE(Genesis::FromJsonText(text, small).ok());
}

class GenesisFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "genesis_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(GenesisFileTest, LoadGenesisFileReadsValidatesAndNamesTheFile) {
  // A file on disk loads to the same genesis; a bad one is an error naming the file.
  std::filesystem::path good = dir_ / "genesis.json";
  std::ofstream(good) << SampleGenesisJson().dump(2);
  Result<Genesis> loaded = LoadGenesisFile(good.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->Hash(), Sample().Hash());
  std::filesystem::path bad = dir_ / "bad.json";
  json j = SampleGenesisJson();
  j["validators"][0]["node_id"] = 0;
  std::ofstream(bad) << j.dump();
  Status s = LoadGenesisFile(bad.string()).status();
  EXPECT_NE(s.message().find(bad.string()), std::string::npos);
  EXPECT_NE(s.message().find("validators[0].node_id"), std::string::npos) << s.message();
  EXPECT_EQ(LoadGenesisFile((dir_ / "missing.json").string()).status().code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace shulian::ledger
