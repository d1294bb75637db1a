// Tests of the `shulian` CLI that need no running node: parsing, settings
// precedence, body building for every type, network generation, the sample
// scenario (built and signed offline) and exit codes.
#include "node/cli/cli.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/bodies.h"
#include "ledger/genesis.h"
#include "ledger/tx_json.h"
#include "node/cli/args.h"
#include "node/cli/body_builder.h"
#include "node/cli/network_init.h"
#include "node/cli/render.h"
#include "node/cli/scenario.h"
#include "node/cli/settings.h"
#include "node/config.h"

namespace shulian::cli {
namespace {

namespace fs = std::filesystem;
using ledger::TxType;
using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "shulian-cli-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  std::string operator/(const std::string& name) const { return (fs::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun RunShulian(const std::vector<std::string>& args, Environment env = {}) {
  std::ostringstream out, err;
  CliRun run;
  run.code = RunCli(args, out, err, env);
  run.out = out.str();
  run.err = err.str();
  return run;
}

ParsedArgs Parse(const std::vector<std::string>& args) {
  Result<ParsedArgs> parsed = ParseArgs(args, {"json", "wait"});
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : ParsedArgs{};
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
}

// ------------------------------- arguments -------------------------------

TEST(CliArgsTest, ValuesEqualsFormsBooleansAndRepeatsAreParsed) {
  // Proves --a b, --a=b, boolean flags, bare flags and repeats parse as documented.
  ParsedArgs args = Parse({"tx", "request_share", "--fields", "a,b", "--fields=c", "--json", "pos",
                           "--third-party", "--asset-id", "x"});
  EXPECT_EQ(args.positionals, (std::vector<std::string>{"tx", "request_share", "pos"}));
  EXPECT_EQ(args.GetAll("fields"), (std::vector<std::string>{"a,b", "c"}));
  EXPECT_TRUE(args.Has("json"));
  EXPECT_EQ(args.Get("third_party"), "");
  EXPECT_EQ(args.Get("asset_id"), "x");
}

TEST(CliArgsTest, DashesAndUnderscoresNameTheSameOption) {
  // Proves --asset-id and --asset_id are one option and display with dashes.
  ParsedArgs args = Parse({"--asset-id", "a", "--asset_id", "b"});
  EXPECT_EQ(args.GetAll("asset-id"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(OptionForDisplay("asset_id"), "--asset-id");
}

TEST(CliArgsTest, DoubleDashEndsOptions) {
  // Proves that after "--" everything is positional, even "--json".
  ParsedArgs args = Parse({"query", "--", "--json"});
  EXPECT_EQ(args.positionals, (std::vector<std::string>{"query", "--json"}));
  EXPECT_FALSE(args.Has("json"));
}

TEST(CliArgsTest, TimesParseAsCstDatesOrMilliseconds) {
  // Proves --from/--to accept CST dates (start or end of day), date-times and raw ms, and refuse junk.
  EXPECT_EQ(*ParseTimeMs("t", "2026-01-01", false), 1'767'196'800'000);
  EXPECT_EQ(*ParseTimeMs("t", "2026-01-01", true), 1'767'196'800'000 + 86'400'000);
  EXPECT_EQ(*ParseTimeMs("t", "2026-01-01T09:30", false), 1'767'196'800'000 + 9 * 3'600'000 + 30 * 60'000);
  EXPECT_EQ(*ParseTimeMs("t", "1767196800000", false), 1'767'196'800'000);
  EXPECT_EQ(ParseTimeMs("--from", "yesterday", false).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseTimeMs("--from", "2026-02-30", false).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(FormatCstTime(1'767'196'800'000 + 9 * 3'600'000), "2026-01-01 09:00:00 CST");
}

// ------------------------------- settings -------------------------------

TEST(CliSettingsTest, FlagBeatsEnvironmentBeatsConfigFileBeatsDefault) {
  // Proves the documented precedence for server, key, account and network.
  TempDir dir;
  WriteFile(dir / "cli.json",
            R"({"server": "config:1", "key": "k.key", "account": "from.config", "network": "net-config"})");
  Environment env;
  env.variables = {{"SHULIAN_SERVER", "env:2"}, {"SHULIAN_ACCOUNT", "from.env"}};
  Result<Settings> s = ResolveSettings(Parse({"--cli-config", dir / "cli.json", "--server", "flag:3"}), env);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->server, "http://flag:3");
  EXPECT_EQ(s->server_source, "flag");
  EXPECT_EQ(s->account, "from.env");
  EXPECT_EQ(s->account_source, "environment");
  EXPECT_EQ(s->key_file, (fs::path(dir.path()) / "k.key").string());  // relative to the config file
  EXPECT_EQ(s->network_id, "net-config");

  s = ResolveSettings(Parse({}), Environment{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->server, kDefaultServer);
  EXPECT_EQ(s->server_source, "default");
  EXPECT_FALSE(s->account.has_value());
}

TEST(CliSettingsTest, TlsSettingsFollowTheSamePrecedenceAndConfigPathsAreRelative) {
  // --ca-file / --cert-sha256, then SHULIAN_CA_FILE / SHULIAN_CERT_SHA256, then the
  // config file's ca_file (relative to its folder) and cert_sha256.
  TempDir dir;
  WriteFile(dir / "cli.json",
            R"({"server": "https://node-1:8101", "ca_file": "tls/ca.crt", "cert_sha256": "ab"})");
  Result<Settings> s = ResolveSettings(Parse({"--cli-config", dir / "cli.json"}), Environment{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->server, "https://node-1:8101");
  EXPECT_EQ(s->ca_file, (fs::path(dir.path()) / "tls/ca.crt").string());
  EXPECT_EQ(s->ca_file_source, "config");
  EXPECT_EQ(s->cert_sha256, "ab");
  Environment env;
  env.variables = {{"SHULIAN_CA_FILE", "/env/ca.crt"}, {"SHULIAN_CERT_SHA256", "cd"}};
  s = ResolveSettings(Parse({"--cli-config", dir / "cli.json", "--cert-sha256", "ef"}), env);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ca_file, "/env/ca.crt");
  EXPECT_EQ(s->ca_file_source, "environment");
  EXPECT_EQ(s->cert_sha256, "ef");
  EXPECT_EQ(s->cert_sha256_source, "flag");
  WriteFile(dir / "cli.json", R"({"ca_file": 7})");
  s = ResolveSettings(Parse({"--cli-config", dir / "cli.json"}), Environment{});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("\"ca_file\" must be a string"), std::string::npos);
}

TEST(CliSettingsTest, HomeConfigIsReadAndABadOneIsRefusedByName) {
  // Proves ~/.config/shulian/cli.json is the default file and an unknown key in it is an error naming it.
  TempDir home;
  fs::create_directories(home / ".config/shulian");
  WriteFile(home / ".config/shulian/cli.json", R"({"server": "127.0.0.1:9000"})");
  Environment env;
  env.home = home.path();
  Result<Settings> s = ResolveSettings(Parse({}), env);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->server, "http://127.0.0.1:9000");
  WriteFile(home / ".config/shulian/cli.json", R"({"servr": "x"})");
  s = ResolveSettings(Parse({}), env);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("servr"), std::string::npos);
  EXPECT_EQ(RunShulian({"status"}, env).code, kExitUsage);
}

// ------------------------------- bodies -------------------------------

TEST(CliBodyTest, EveryOptionalBodyFieldHasAKnownKind) {
  // Proves the skeleton of every type has no null left, so every optional flag converts by kind.
  for (TxType type : AllTxTypes()) {
    const json skeleton = BodySkeleton(type);
    for (const auto& [key, value] : skeleton.items()) {
      EXPECT_FALSE(value.is_null()) << ledger::TxTypeName(type) << "." << key;
    }
  }
  EXPECT_EQ(AllTxTypes().size(), std::variant_size_v<ledger::Body>);
}

// A plausible flag value for a body field, by its name and kind.
std::string SampleValue(const std::string& key, const json& kind) {
  static const std::map<std::string, std::string> kByName = {
      {"division_code", "321281"},
      {"parent_code", "321200"},
      {"authority", "321200"},
      {"provider_authority", "321200"},
      {"level", "county"},
      {"roles", "provider,user"},
      {"resource_type", "thematic"},
      {"grade", "important"},
      {"update_frequency", "daily"},
      {"share_type", "conditional"},
      {"open_type", "not_open"},
      {"mode", "request_response"},
      {"decision", "approve"},
      {"kind", "error"},
      {"answer", "corrected"},
      {"fields", "name, credit_code"},
      {"record_refs", std::string(64, 'a')},
      {"policy", "00"},
      {"calendar", "00"},
      {"node_id", "4"},
      {"new_version", "2"},
      {"duration_days", "30"},
      {"dataset_code", "321200-x-1"},
      {"target_id", "t-1"},
      {"orders", R"([{"kind":"sanction","target_kind":"account","target_id":"tz.user","detail":"通报"}])"}};
  if (auto it = kByName.find(key); it != kByName.end()) return it->second;
  if (kind.is_number()) return "7";
  if (kind.is_boolean()) return "true";
  if (kind.is_string() && kind.get<std::string>() == std::string(64, '0')) return "sha256:" + key;
  if (key.size() > 3 && key.substr(key.size() - 3) == "_id") return "id-" + std::to_string(key.size());
  if (key == "public_key" || key == "new_public_key") return std::string(64, 'b');
  if (key == "proof") return std::string(128, 'c');  // rotate_validator_key: a signature's 64 bytes
  return "文本 " + key;
}

TEST(CliBodyTest, EveryTransactionTypeBuildsFromFlags) {
  // Proves a body of every type can be given entirely as flags and passes the ledger's decoder,
  // with the flag values in the fields they name.
  for (TxType type : AllTxTypes()) {
    ParsedArgs args;
    const json skeleton = BodySkeleton(type);
    for (const auto& [key, kind] : skeleton.items()) {
      if (kind.is_object()) {
        for (const auto& [sub, sub_kind] : kind.items())
          args.Add(key + "." + sub, SampleValue(sub, sub_kind));
      } else {
        args.Add(key, SampleValue(key, kind));
      }
    }
    Result<json> body = BodyJsonFromFlags(type, args, {});
    ASSERT_TRUE(body.ok()) << ledger::TxTypeName(type) << ": " << body.status().ToString();
    ASSERT_TRUE(ledger::BodyFromJson(type, *body).ok());
    if (body->contains("fields")) {
      EXPECT_EQ((*body)["fields"], json::array({"name", "credit_code"}));
    }
  }
}

TEST(CliBodyTest, NestedTermsDigestsBooleansAndJsonListsConvertByKind) {
  // Proves dotted flags fill nested terms, sha256: hashes text, a bare boolean is true and an absent one
  // false.
  ParsedArgs args =
      Parse({"--request-id", "req-1", "--terms.fields", "a,b", "--terms.business-scenario", "核验",
             "--terms.duration-days", "90", "--terms.mode", "copy", "--conditions", ""});
  Result<json> body = BodyJsonFromFlags(TxType::kApproveShare, args, {});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["terms"]["duration_days"], 90);
  EXPECT_EQ((*body)["terms"]["desensitised"], false);
  EXPECT_EQ((*body)["terms"]["fields"], json::array({"a", "b"}));

  args =
      Parse({"--asset-id", "a", "--purpose", "p", "--business-scenario", "s", "--fields", "x", "--row-count",
             "3", "--result-digest", "sha256:hello", "--mode", "request_response", "--third-party"});
  body = BodyJsonFromFlags(TxType::kRecordAccess, args, {});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["result_digest"], crypto::Sha256(AsBytes("hello")).ToHex());
  EXPECT_EQ((*body)["third_party"], true);
  EXPECT_FALSE(body->contains("grant_id"));  // optional, left out
}

TEST(CliBodyTest, MissingUnknownAndMalformedFlagsAreRefusedByName) {
  // Proves every missing required flag is named at once, an unknown flag lists the valid ones, and bad values
  // name the flag.
  Result<json> body = BodyJsonFromFlags(TxType::kRefuseShare, Parse({"--request-id", "r"}), {});
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("--legal-basis"), std::string::npos);
  EXPECT_NE(body.status().message().find("--reason"), std::string::npos);

  body = BodyJsonFromFlags(TxType::kRefuseShare, Parse({"--colour", "red"}), {});
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("--colour"), std::string::npos);
  EXPECT_NE(body.status().message().find("--legal-basis"), std::string::npos);

  body = BodyJsonFromFlags(TxType::kRemoveValidator, Parse({"--node-id", "four", "--reason", "x"}), {});
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("--node-id"), std::string::npos);

  body = BodyJsonFromFlags(TxType::kRegisterAuthority,
                           Parse({"--division-code", "32120", "--name", "x", "--level", "county"}), {});
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("division_code"), std::string::npos);
}

TEST(CliBodyTest, RecordAccessTakesTheSubjectAuthorisationHashAsADigestFlag) {
  // Proves 001 §27's subject_authorisation_hash is a digest flag of `tx record_access` (listed by
  // `tx template`; 64 hex, sha256:TEXT or file:PATH; sent as lower-case hex) and a bad value exits 2
  // naming the flag, with nothing written.
  CliRun listed = RunShulian({"tx", "template", "record_access"});
  ASSERT_EQ(listed.code, kExitOk) << listed.err;
  EXPECT_NE(listed.out.find("--subject-authorisation-hash HEX|sha256:TEXT|file:PATH   (optional)"),
            std::string::npos)
      << listed.out;

  const std::vector<std::string> access = {"--asset-id", "a", "--purpose", "p", "--business-scenario", "s",
                                           "--fields", "x", "--row-count", "3", "--result-digest",
                                           "sha256:rows", "--mode", "request_response", "--third-party"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = access;
    all.insert(all.end(), extra.begin(), extra.end());
    return Parse(all);
  };
  Result<json> body =
      BodyJsonFromFlags(TxType::kRecordAccess, with({"--subject-authorisation-hash", "sha256:consent form"}), {});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["subject_authorisation_hash"], crypto::Sha256(AsBytes("consent form")).ToHex());
  Result<ledger::Body> decoded = ledger::BodyFromJson(TxType::kRecordAccess, *body);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<ledger::RecordAccessBody>(*decoded).subject_authorisation_hash,
            crypto::Sha256(AsBytes("consent form")));

  const std::string upper(64, 'A');
  body = BodyJsonFromFlags(TxType::kRecordAccess, with({"--subject_authorisation_hash", upper}), {});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["subject_authorisation_hash"], std::string(64, 'a'));

  body = BodyJsonFromFlags(TxType::kRecordAccess, with({}), {});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_FALSE(body->contains("subject_authorisation_hash"));  // optional, left out

  for (const std::string& bad : {std::string(63, 'a'), std::string(64, 'g'), std::string("consent")}) {
    body = BodyJsonFromFlags(TxType::kRecordAccess, with({"--subject-authorisation-hash", bad}), {});
    ASSERT_FALSE(body.ok()) << bad;
    EXPECT_NE(body.status().message().find("--subject-authorisation-hash"), std::string::npos)
        << body.status().message();
  }

  TempDir dir;
  ASSERT_EQ(RunShulian({"keygen", "--out", dir / "u.key"}).code, kExitOk);
  std::vector<std::string> command = {"tx", "record_access", "--key", dir / "u.key", "--account", "tz.swj.user",
                                      "--network", "local-3", "--genesis-hash", std::string(64, 'a'),
                                      "--out", dir / "tx.json"};
  command.insert(command.end(), access.begin(), access.end());
  std::vector<std::string> bad_command = command;
  bad_command.insert(bad_command.end(), {"--subject-authorisation-hash", "12ab"});
  CliRun refused = RunShulian(bad_command);
  EXPECT_EQ(refused.code, kExitUsage);
  EXPECT_NE(refused.err.find("--subject-authorisation-hash"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(dir / "tx.json"));

  command.insert(command.end(), {"--subject-authorisation-hash", "file:" + (dir / "u.key")});
  CliRun made = RunShulian(command);
  ASSERT_EQ(made.code, kExitOk) << made.err;
  Result<json> parsed = ledger::rules_json::ParseFile(dir / "tx.json", 1 << 20);
  ASSERT_TRUE(parsed.ok());
  Result<ledger::Transaction> tx = ledger::TransactionFromJson(*parsed);
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  Result<ledger::RecordAccessBody> signed_body = ledger::RecordAccessBody::Decode(tx->body);
  ASSERT_TRUE(signed_body.ok()) << signed_body.status().ToString();
  EXPECT_EQ(signed_body->subject_authorisation_hash, crypto::Sha256(AsBytes(ReadFile(dir / "u.key"))));
}

TEST(CliBodyTest, EveryTrailingOptionalFieldInTheDocsIsAFlag) {
  // Proves each field docs/transactions.md lists as a trailing optional (left out of a body's JSON when absent,
  // so invisible in the default body) is an optional flag of its type with a known kind.
  std::ifstream in(std::string(SHULIAN_SOURCE_DIR) + "/docs/transactions.md");
  ASSERT_TRUE(in.good());
  std::string line;
  std::optional<TxType> type;
  size_t found = 0;
  while (std::getline(in, line)) {
    if (line.rfind("### `", 0) == 0) {
      type = ledger::TxTypeFromName(line.substr(5, line.find('`', 5) - 5));
      continue;
    }
    if (line.find("| trailing opt") == std::string::npos || line.rfind("| `", 0) != 0) continue;
    const std::string key = line.substr(3, line.find('`', 3) - 3);
    ASSERT_TRUE(type.has_value()) << key << " is not under a transaction type's heading";
    SCOPED_TRACE(std::string(ledger::TxTypeName(*type)) + "." + key);
    ++found;
    const json skeleton = BodySkeleton(*type);
    ASSERT_TRUE(skeleton.contains(key));
    EXPECT_FALSE(skeleton[key].is_null());
    EXPECT_EQ(OptionalBodyKeys(*type).count(key), 1u);
  }
  EXPECT_GE(found, 1u);
}

TEST(CliRenderTest, StatusShowsMembershipAndEachPeersReplication) {
  // Proves `shulian status` prints the Raft voters, learners and removed ids, and per peer its member kind,
  // connection and (on the leader) match index and lag; a node that cannot tell its membership says so.
  const json status = json::parse(R"({
      "network_id": "local-3", "node_id": 1, "role": "leader", "term": 3, "leader_id": 1,
      "commit_index": 120, "applied_index": 120, "height": 42, "head_hash": "9a0e", "proposal_queue_depth": 0,
      "membership": {"voters": [1, 2], "learners": [4], "removed": [3]},
      "peers": [{"node_id": 2, "address": "127.0.0.1:7102", "connected": true, "member": "voter",
                 "match_index": 120, "lag_entries": 0},
                {"node_id": 4, "address": "127.0.0.1:7104", "connected": false, "member": "learner",
                 "match_index": 100, "lag_entries": 20},
                {"node_id": 3, "address": "127.0.0.1:7103", "connected": false, "member": null,
                 "match_index": null, "lag_entries": null}]})");
  std::ostringstream out;
  PrintNodeStatus(out, status);
  const std::string text = out.str();
  for (const std::string line :
       {"role: leader\n", "applied_index: 120\n", "voters: 1, 2\n", "learners: 4\n", "removed: 3\n", "peers: 3\n",
        "  2 127.0.0.1:7102 voter, connected, match 120, lag 0\n",
        "  4 127.0.0.1:7104 learner, not connected, match 100, lag 20\n",
        "  3 127.0.0.1:7103 not a member, not connected\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
  }
  json unknown = status;
  unknown["membership"] = nullptr;
  std::ostringstream again;
  PrintNodeStatus(again, unknown);
  EXPECT_NE(again.str().find("membership: not known yet"), std::string::npos) << again.str();
}

// ------------------------------- network init -------------------------------

void CheckNetwork(const std::string& dir, size_t nodes, size_t authorities) {
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(dir + "/genesis.json");
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  EXPECT_EQ(genesis->authorities.size(), authorities);
  EXPECT_EQ(genesis->validators.size(), nodes);
  Result<ledger::Policy> taizhou = genesis->ResolvedPolicy("321200");
  ASSERT_TRUE(taizhou.ok());
  EXPECT_EQ(taizhou->ShareReviewOnExpiry(), ledger::ExpiryAction::kOverdueToSupervisor);
  EXPECT_EQ(taizhou->calendar_id, "cn-2025-2026");  // inherited from Jiangsu
  EXPECT_EQ(genesis->ResolvedPolicy("320100")->ShareReviewOnExpiry(), ledger::ExpiryAction::kDeemedApproved);
  for (size_t id = 1; id <= nodes; ++id) {
    std::string config_path = dir + "/node-" + std::to_string(id) + ".json";
    Result<node::NodeConfig> config = node::LoadNodeConfigFile(config_path);
    ASSERT_TRUE(config.ok()) << config_path << ": " << config.status().ToString();
    EXPECT_EQ(config->node_id, id);
    EXPECT_EQ(config->peers.size(), nodes - 1);
    Result<crypto::KeyPair> key = crypto::KeyPair::LoadFromFile(config->node_key_path);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->public_key(), genesis->validators[id - 1].public_key);
  }
  for (const ledger::Account& account : genesis->accounts) {
    Result<crypto::KeyPair> key =
        crypto::KeyPair::LoadFromFile(dir + "/keys/accounts/" + account.id + ".key");
    ASSERT_TRUE(key.ok()) << account.id;
    EXPECT_EQ(key->public_key(), account.public_key);
  }
}

TEST(CliNetworkInitTest, GeneratedNetworksLoadAndTheirConfigsParse) {
  // Proves network init writes a genesis LoadGenesisFile accepts, node configs the node parses, and matching
  // keys.
  ASSERT_TRUE(crypto::Initialize().ok());
  TempDir dir;
  CliRun run = RunShulian({"network", "init", "--out", dir / "local", "--seed", "t"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  CheckNetwork(dir / "local", 3, 3);
  run = RunShulian({"network", "init", "--preset", "jiangsu-5", "--out", dir / "js5", "--nodes", "5"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  CheckNetwork(dir / "js5", 5, 5);
  struct stat info {};
  ASSERT_EQ(stat((dir / "js5/keys/nodes/node-1.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(CliNetworkInitTest, ASeedRegeneratesIdenticalFilesAndAnotherSeedDoesNot) {
  // Proves deterministic generation from --seed.
  TempDir dir;
  ASSERT_EQ(RunShulian({"network", "init", "--out", dir / "a", "--seed", "s1"}).code, kExitOk);
  ASSERT_EQ(RunShulian({"network", "init", "--out", dir / "b", "--seed", "s1"}).code, kExitOk);
  ASSERT_EQ(RunShulian({"network", "init", "--out", dir / "c", "--seed", "s2"}).code, kExitOk);
  EXPECT_EQ(ReadFile(dir / "a/genesis.json"), ReadFile(dir / "b/genesis.json"));
  EXPECT_EQ(ReadFile(dir / "a/keys/nodes/node-2.key"), ReadFile(dir / "b/keys/nodes/node-2.key"));
  EXPECT_NE(ReadFile(dir / "a/genesis.json"), ReadFile(dir / "c/genesis.json"));
}

TEST(CliNetworkInitTest, ANonEmptyDirectoryOrBadPresetChangesNothing) {
  // Proves network init never overwrites and names bad options.
  TempDir dir;
  WriteFile(dir / "keep.txt", "x");
  CliRun run = RunShulian({"network", "init", "--out", dir.path()});
  EXPECT_EQ(run.code, kExitFailed);
  EXPECT_FALSE(fs::exists(dir / "genesis.json"));
  run = RunShulian({"network", "init", "--out", dir / "n", "--preset", "beijing-9"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_NE(run.err.find("--preset"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "n"));
}

TEST(CliNetworkInitTest, CommittedSampleNetworksAreValid) {
  // Proves network-configs/local-3 and jiangsu-5 in the repository pass genesis validation.
  for (const char* name : {"local-3", "jiangsu-5"}) {
    std::string path = std::string("network-configs/") + name + "/genesis.json";
    if (!fs::exists(path)) GTEST_SKIP() << path << " not generated yet";
    CliRun run = RunShulian({"genesis", "check", path});
    EXPECT_EQ(run.code, kExitOk) << run.err;
  }
}

TEST(CliGenesisTest, CheckWritesTheCanonicalEncodingWhoseHashIsTheGenesisHashAndNeverOverwrites) {
  // Proves `genesis check FILE --out BIN` writes the bytes the console's verifier
  // hashes: SHA-256 of the domain tag and them is the printed genesis hash, they
  // decode as a genesis, and an existing file is refused and left unchanged.
  TempDir dir;
  ASSERT_EQ(RunShulian({"network", "init", "--out", dir / "net", "--seed", "encoded"}).code, kExitOk);
  CliRun run =
      RunShulian({"genesis", "check", dir / "net/genesis.json", "--out", dir / "genesis.bin", "--json"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  const std::string bytes = ReadFile(dir / "genesis.bin");
  const std::string hash = nlohmann::json::parse(run.out).value("genesis_hash", "");
  EXPECT_EQ(crypto::Sha256(AsBytes(std::string(ledger::kGenesisDomainTag) + bytes)).ToHex(), hash);
  EXPECT_TRUE(ledger::Genesis::Decode(AsBytes(bytes)).ok());
  CliRun again = RunShulian({"genesis", "check", dir / "net/genesis.json", "--out", dir / "genesis.bin"});
  EXPECT_NE(again.code, kExitOk);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(dir / "genesis.bin"), bytes);
}

// ------------------------------- network init from a plan and public keys -------------------------------

// Three "hosts", each with its own folder where `shulian keygen` writes its node key and
// its authority's account keys; only the printed public keys reach the shared folder.
class CliNetworkPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Initialize().ok());
    fs::create_directories(dir / "pub/nodes");
    fs::create_directories(dir / "pub/accounts");
    for (int host = 1; host <= 3; ++host) {
      fs::create_directories(Host(host));
      Keygen(host, "node-" + std::to_string(host), "nodes");
    }
    Keygen(1, "js.sjj.supervisor", "accounts");
    Keygen(2, "tz.gaj.registrar", "accounts");
    plan = json::parse(R"({
      "network_id": "js-plan", "genesis_time_ms": 1767196800000,
      "authorities": [{"id": "320000", "name": "江苏省数据局", "level": "province"},
                      {"id": "321200", "name": "泰州市数据局", "level": "municipality", "parent": "320000"},
                      {"id": "320100", "name": "南京市数据局", "level": "municipality", "parent": "320000"}],
      "nodes": [{"id": 1, "authority": "320000", "peer_address": "10.0.1.1:7100", "api_address": "10.0.1.1:8100"},
                {"id": 2, "authority": "321200", "peer_address": "node.tz.example:7100",
                 "api_address": "node.tz.example:8100", "listen_address": "0.0.0.0:7100",
                 "api_listen_address": "0.0.0.0:8100"},
                {"id": 3, "authority": "320100", "peer_address": "10.0.3.1:7100", "api_address": "10.0.3.1:8100"}],
      "accounts": [{"id": "js.sjj.supervisor", "authority": "320000", "roles": ["supervisor"],
                    "name": "江苏省数据局 监督管理处"},
                   {"id": "tz.gaj.registrar", "authority": "321200", "roles": ["provider", "user"],
                    "name": "泰州市公安局 数据专员"}]})");
  }

  std::string Host(int host) const { return dir / ("host-" + std::to_string(host)); }
  void Keygen(int host, const std::string& name, const std::string& kind) {
    CliRun made = RunShulian({"keygen", "--out", Host(host) + "/" + name + ".key"});
    ASSERT_EQ(made.code, kExitOk) << made.err;
    WriteFile(dir / ("pub/" + kind + "/" + name + ".pub"), made.out);
  }
  CliRun Init(const json& with_plan, const std::string& out) {
    WriteFile(dir / "plan.json", with_plan.dump(2));
    return RunShulian(
        {"network", "init", "--plan", dir / "plan.json", "--public-keys", dir / "pub", "--out", out});
  }
  // Proves the plan is refused with exit 2, an error containing every one of `needles`, and no output.
  void ExpectRefused(const json& with_plan, const std::vector<std::string>& needles) {
    const std::string out = dir / ("out-" + std::to_string(++refusals_));
    CliRun run = Init(with_plan, out);
    EXPECT_EQ(run.code, kExitUsage) << run.out << run.err;
    for (const std::string& needle : needles) EXPECT_NE(run.err.find(needle), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(out)) << run.err;
  }

  TempDir dir;
  json plan;

 private:
  int refusals_ = 0;
};

TEST_F(CliNetworkPlanTest, APlanAndPublicKeysMakeAValidNetworkWithNoPrivateKeyInIt) {
  // Proves the plan flow writes a genesis that `genesis check` accepts and one config per node with its
  // listen addresses and every peer's address and key, that the output holds no private key material, and
  // that each config loads and its key matches the genesis once the host's own key is put beside it.
  CliRun run = Init(plan, dir / "out");
  ASSERT_EQ(run.code, kExitOk) << run.err;
  EXPECT_NE(run.out.find("holds no private key"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("key file node-2.key beside it"), std::string::npos) << run.out;
  EXPECT_EQ(RunShulian({"genesis", "check", dir / "out/genesis.json"}).code, kExitOk);
  EXPECT_FALSE(fs::exists(dir / "out/keys"));

  std::vector<std::string> seeds;  // the second line of each host's key file
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (entry.path().extension() != ".key") continue;
    std::string text = ReadFile(entry.path().string());
    ASSERT_NE(text.find('\n'), std::string::npos);
    seeds.push_back(text.substr(text.find('\n') + 1, 64));
  }
  ASSERT_EQ(seeds.size(), 5u);
  for (const auto& entry : fs::recursive_directory_iterator(dir / "out")) {
    std::string text = ReadFile(entry.path().string());
    EXPECT_EQ(text.find("shulian-ed25519-secret"), std::string::npos) << entry.path();
    for (const std::string& seed : seeds) EXPECT_EQ(text.find(seed), std::string::npos) << entry.path();
  }

  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(dir / "out/genesis.json");
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  ASSERT_EQ(genesis->validators.size(), 3u);
  EXPECT_EQ(genesis->accounts.size(), 2u);
  const std::vector<std::string> listens = {"10.0.1.1:7100", "0.0.0.0:7100", "10.0.3.1:7100"};
  for (uint64_t id = 1; id <= 3; ++id) {
    const std::string name = "node-" + std::to_string(id);
    fs::copy_file(Host(static_cast<int>(id)) + "/" + name + ".key", dir / ("out/" + name + ".key"));
    fs::permissions(dir / ("out/" + name + ".key"), fs::perms::owner_read | fs::perms::owner_write);
    Result<node::NodeConfig> config = node::LoadNodeConfigFile(dir / ("out/" + name + ".json"));
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    EXPECT_EQ(config->listen_address.ToString(), listens[id - 1]);
    EXPECT_EQ(config->node_key_path, fs::path(dir / ("out/" + name + ".key")));
    Result<crypto::KeyPair> key = crypto::KeyPair::LoadFromFile(config->node_key_path);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->public_key(), genesis->validators[id - 1].public_key);
    ASSERT_EQ(config->peers.size(), 2u);
    for (const node::PeerEntry& peer : config->peers) {
      EXPECT_EQ(peer.public_key, genesis->validators[peer.id - 1].public_key);
    }
  }
  EXPECT_EQ(node::LoadNodeConfigFile(dir / "out/node-1.json")->FindPeer(2)->address.ToString(),
            "node.tz.example:7100");
}

TEST_F(CliNetworkPlanTest, DuplicateNodeIdsAndAddressesAreRefusedNamingBothEntries) {
  // Proves a repeated node id, a peer or API address used twice, and a repeated account id are refused.
  json twice = plan;
  twice["nodes"][2]["id"] = 1;
  ExpectRefused(twice, {"nodes[2] (node 1)", "is also nodes[0] (node 1)"});
  json same_address = plan;
  same_address["nodes"][2]["peer_address"] = "10.0.1.1:7100";
  ExpectRefused(same_address,
                {"nodes[2] (node 3) peer_address", "is already nodes[0] (node 1) peer_address"});
  json api_on_peer = plan;
  api_on_peer["nodes"][2]["api_address"] = "10.0.1.1:7100";
  ExpectRefused(api_on_peer, {"nodes[2] (node 3) api_address"});
  json account_twice = plan;
  account_twice["accounts"][1]["id"] = "js.sjj.supervisor";
  ExpectRefused(account_twice, {"accounts[1] (js.sjj.supervisor)", "is also accounts[0]"});
}

TEST_F(CliNetworkPlanTest, UnknownAuthoritiesBadAddressesAndUnknownKeysAreRefusedNamingTheEntry) {
  // Proves each malformed plan entry is refused naming it, and nothing is written.
  json unknown = plan;
  unknown["nodes"][1]["authority"] = "321299";
  ExpectRefused(unknown, {"nodes[1] (node 2) authority", "unknown authority \"321299\""});
  json account_authority = plan;
  account_authority["accounts"][0]["authority"] = "330000";
  ExpectRefused(account_authority, {"accounts[0] (js.sjj.supervisor) authority", "unknown authority"});
  json no_port = plan;
  no_port["nodes"][0]["peer_address"] = "10.0.1.1";
  ExpectRefused(no_port, {"nodes[0] (node 1) peer_address", "expected host:port"});
  json bad_port = plan;
  bad_port["nodes"][0]["api_address"] = "10.0.1.1:70000";
  ExpectRefused(bad_port, {"nodes[0] (node 1) api_address", "port"});
  json name_only = plan;
  name_only["nodes"][1].erase("listen_address");
  ExpectRefused(name_only, {"nodes[1] (node 2) peer_address", "add listen_address"});
  json extra = plan;
  extra["nodes"][0]["public_key"] = std::string(64, 'a');
  ExpectRefused(extra, {"nodes[0].public_key"});
  json bad_role = plan;
  bad_role["accounts"][1]["roles"] = json::array({"mayor"});
  ExpectRefused(bad_role, {"accounts[1].roles"});
  json bad_tree = plan;
  bad_tree["authorities"][2]["parent"] = "321200";
  ExpectRefused(bad_tree, {"authorities[2]"});
  json no_nodes = plan;
  no_nodes["nodes"] = json::array();
  ExpectRefused(no_nodes, {"nodes: at least one node"});
}

TEST_F(CliNetworkPlanTest, MissingMalformedPrivateStrayOrSharedKeyFilesAreRefusedNamingTheFile) {
  // Proves the public key folder is checked: each problem names the file (and its node or account), and
  // a private key file is refused, never read as a key.
  const std::string node_3 = dir / "pub/nodes/node-3.pub";
  const std::string good = ReadFile(node_3);
  fs::remove(node_3);
  ExpectRefused(plan, {"public key of node 3 missing", "node-3.pub"});
  WriteFile(node_3, "not hex\n");
  ExpectRefused(plan, {"node-3.pub: malformed public key of node 3"});
  WriteFile(node_3, good.substr(0, 60) + "\n");
  ExpectRefused(plan, {"node-3.pub: malformed public key of node 3"});
  fs::copy_file(Host(3) + "/node-3.key", node_3, fs::copy_options::overwrite_existing);
  ExpectRefused(plan, {"node-3.pub: is a private key file"});
  WriteFile(node_3, good);

  fs::remove(dir / "pub/accounts/tz.gaj.registrar.pub");
  ExpectRefused(plan, {"public key of account tz.gaj.registrar missing"});
  WriteFile(dir / "pub/accounts/tz.gaj.registrar.pub", ReadFile(dir / "pub/accounts/js.sjj.supervisor.pub"));
  ExpectRefused(plan, {"tz.gaj.registrar.pub: account tz.gaj.registrar has the same public key as account "
                       "js.sjj.supervisor"});
  WriteFile(dir / "pub/accounts/tz.gaj.registrar.pub", ReadFile(dir / "pub/nodes/node-2.pub"));
  ExpectRefused(plan, {"has the same public key as node 2"});
  fs::remove(dir / "pub/accounts/tz.gaj.registrar.pub");
  fs::copy_file(Host(2) + "/tz.gaj.registrar.key", dir / "pub/accounts/tz.gaj.registrar.key");
  ExpectRefused(plan, {"tz.gaj.registrar.key: is a private key file"});
  fs::remove(dir / "pub/accounts/tz.gaj.registrar.key");
  WriteFile(dir / "pub/accounts/tz.gaj.registar.pub", good);
  ExpectRefused(plan, {"tz.gaj.registar.pub: not the public key of any account in the plan"});
}

TEST_F(CliNetworkPlanTest, PresetOptionsDoNotMixWithAPlanAndBothFoldersAreRequired) {
  // Proves --plan refuses preset options and needs --public-keys, and a missing plan file is named.
  WriteFile(dir / "plan.json", plan.dump());
  CliRun seeded = RunShulian({"network", "init", "--plan", dir / "plan.json", "--public-keys", dir / "pub",
                              "--seed", "s", "--out", dir / "o1"});
  EXPECT_EQ(seeded.code, kExitUsage);
  EXPECT_NE(seeded.err.find("--seed"), std::string::npos) << seeded.err;
  CliRun no_keys = RunShulian({"network", "init", "--plan", dir / "plan.json", "--out", dir / "o2"});
  EXPECT_EQ(no_keys.code, kExitUsage);
  EXPECT_NE(no_keys.err.find("--public-keys"), std::string::npos) << no_keys.err;
  CliRun no_plan = RunShulian(
      {"network", "init", "--plan", dir / "nope.json", "--public-keys", dir / "pub", "--out", dir / "o3"});
  EXPECT_EQ(no_plan.code, kExitUsage);
  EXPECT_NE(no_plan.err.find("nope.json: no such file"), std::string::npos) << no_plan.err;
  for (const char* out : {"o1", "o2", "o3"}) EXPECT_FALSE(fs::exists(dir / out));
}

TEST(CliNetworkInitTest, PresetOutputSaysItsKeysAreTestKeysForLocalUseOnly) {
  // Proves the preset flow's summary and README say its keys are test keys for local use only.
  TempDir dir;
  CliRun run = RunShulian({"network", "init", "--out", dir / "net", "--seed", "t"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  EXPECT_NE(run.out.find("test keys for local use only"), std::string::npos) << run.out;
  EXPECT_NE(ReadFile(dir / "net/README.md").find("test keys for local use only"), std::string::npos);
  EXPECT_NE(ReadFile(dir / "net/keys/README.md").find("test keys for local use only"), std::string::npos);
}

// ------------------------------- scenario -------------------------------

TEST(CliScenarioTest, TheSampleScenarioBuildsAndSignsForLocal3) {
  // Proves every template of the sample scenario names a known account and type and passes the ledger's
  // decoders.
  TempDir dir;
  ASSERT_EQ(RunShulian({"network", "init", "--out", dir / "net", "--seed", "scenario"}).code, kExitOk);
  CliRun run = RunShulian({"scenario", "load", "network-configs/scenario/jiangsu-taizhou.json", "--keys",
                           dir / "net", "--network", "local-3", "--dry-run"});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_NE(run.out.find("transactions built and signed"), std::string::npos);
}

TEST(CliScenarioTest, TemplatesSubstituteEarlierHashesAndRefuseUnknownNames) {
  // Proves ${tx:NAME} and ${sha256:TEXT} substitution, and an error for an unknown name.
  Result<json> out = SubstituteTemplates(json{{"a", "${tx:x}"}, {"b", json::array({"${sha256:t}", "plain"})}},
                                         {{"x", "abc"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)["a"], "abc");
  EXPECT_EQ((*out)["b"][0], crypto::Sha256(AsBytes("t")).ToHex());
  EXPECT_EQ((*out)["b"][1], "plain");
  EXPECT_FALSE(SubstituteTemplates(json("${tx:missing}"), {}).ok());
}

// ------------------------------- whole commands and exit codes -------------------------------

TEST(CliExitCodeTest, UsageErrorsExitTwo) {
  // Proves usage errors exit 2 with a message on stderr.
  EXPECT_EQ(RunShulian({}).code, kExitUsage);
  EXPECT_EQ(RunShulian({"frobnicate"}).code, kExitUsage);
  EXPECT_EQ(RunShulian({"status", "--colour", "red"}).code, kExitUsage);
  EXPECT_EQ(RunShulian({"keygen"}).code, kExitUsage);
  EXPECT_EQ(RunShulian({"tx", "no_such_type"}).code, kExitUsage);
  CliRun run = RunShulian({"tx", "refuse_share", "--request-id", "r", "--network", "n", "--account", "a"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_NE(run.err.find("--legal-basis"), std::string::npos);
  EXPECT_EQ(RunShulian({"access", "list"}).code, kExitUsage);
  EXPECT_EQ(RunShulian({"help"}).code, kExitOk);
}

TEST(CliExitCodeTest, AnUnreachableServerExitsThree) {
  // Proves a refused connection is exit 3 (port 1 on loopback has no listener).
  CliRun run = RunShulian({"status", "--server", "127.0.0.1:1"});
  EXPECT_EQ(run.code, kExitUnreachable) << run.err;
  EXPECT_NE(run.err.find("cannot reach"), std::string::npos);
}

TEST(CliExitCodeTest, KeygenPubkeyAndOfflineSigningRoundTrip) {
  // Proves keygen/pubkey agree, a transaction signed offline verifies (0) and fails with another key (4),
  // and keygen never overwrites (1).
  TempDir dir;
  CliRun made = RunShulian({"keygen", "--out", dir / "a.key"});
  ASSERT_EQ(made.code, kExitOk) << made.err;
  CliRun pub = RunShulian({"pubkey", "--key", dir / "a.key"});
  ASSERT_EQ(pub.code, kExitOk);
  EXPECT_EQ(pub.out, made.out);
  EXPECT_EQ(RunShulian({"keygen", "--out", dir / "a.key"}).code, kExitFailed);
  ASSERT_EQ(RunShulian({"keygen", "--out", dir / "b.key"}).code, kExitOk);

  CliRun signed_tx =
      RunShulian({"tx", "register_authority", "--division-code", "321283", "--name", "泰兴市数据局",
                  "--level", "county", "--parent-code", "321200", "--key", dir / "a.key", "--account",
                  "js.sjj.supervisor", "--network", "local-3", "--genesis-hash", std::string(64, 'a'), "--out",
                  dir / "tx.json"});
  ASSERT_EQ(signed_tx.code, kExitOk) << signed_tx.err;
  Result<json> parsed = ledger::rules_json::ParseFile(dir / "tx.json", 1 << 20);
  ASSERT_TRUE(parsed.ok());
  Result<ledger::Transaction> tx = ledger::TransactionFromJson(*parsed);
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  EXPECT_EQ(tx->sender, "js.sjj.supervisor");
  const std::string genesis_a(64, 'a'), genesis_b(64, 'b');
  EXPECT_EQ(RunShulian({"tx", "verify", dir / "tx.json", "--key", dir / "a.key", "--genesis-hash", genesis_a}).code,
            kExitOk);
  EXPECT_EQ(RunShulian({"tx", "verify", dir / "tx.json", "--key", dir / "b.key", "--genesis-hash", genesis_a}).code,
            kExitVerificationFailed);
  // The signature binds the genesis: the same transaction does not verify for another network.
  EXPECT_EQ(RunShulian({"tx", "verify", dir / "tx.json", "--key", dir / "a.key", "--genesis-hash", genesis_b}).code,
            kExitVerificationFailed);

  WriteFile(dir / "template.json",
            R"({"type": "retire_asset", "body": {"asset_id": "a1", "reason": "过期", "legal_basis": ""}})");
  CliRun sign = RunShulian(
      {"tx", "sign", dir / "template.json", "--key", dir / "b.key", "--account", "x", "--network", "n",
       "--genesis-hash", std::string(64, 'c')});
  ASSERT_EQ(sign.code, kExitOk) << sign.err;
  EXPECT_NE(sign.out.find("\"signature\""), std::string::npos);
}

TEST(CliExitCodeTest, ValidatorRotateKeyBuildsASignedTransactionWhoseProofIsTheNewKeys) {
  // Proves `validator rotate-key --out` writes a rotate_validator_key signed by the operator's key whose
  // proof verifies under the new key for this network and node, and that a missing flag is a usage error.
  TempDir dir;
  ASSERT_EQ(RunShulian({"keygen", "--out", dir / "op.key"}).code, kExitOk);
  ASSERT_EQ(RunShulian({"keygen", "--out", dir / "new.key"}).code, kExitOk);
  const std::vector<std::string> common = {
      "--key",     dir / "op.key", "--account",      "ops",
      "--network", "local-3",      "--genesis-hash", std::string(64, 'a')};
  std::vector<std::string> args = {"validator", "rotate-key",    "--node-id", "2",
                                   "--new-key", dir / "new.key", "--out",     dir / "tx.json"};
  args.insert(args.end(), common.begin(), common.end());
  CliRun run = RunShulian(args);
  ASSERT_EQ(run.code, kExitOk) << run.err;
  Result<json> parsed = ledger::rules_json::ParseFile(dir / "tx.json", 1 << 20);
  ASSERT_TRUE(parsed.ok());
  Result<ledger::Transaction> tx = ledger::TransactionFromJson(*parsed);
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  ASSERT_EQ(tx->type, TxType::kRotateValidatorKey);
  Result<ledger::RotateValidatorKeyBody> body = ledger::RotateValidatorKeyBody::Decode(tx->body);
  ASSERT_TRUE(body.ok());
  Result<crypto::KeyPair> new_key = crypto::KeyPair::LoadFromFile(dir / "new.key");
  ASSERT_TRUE(new_key.ok());
  EXPECT_EQ(body->node_id, 2u);
  EXPECT_EQ(body->new_public_key, new_key->public_key());
  EXPECT_TRUE(crypto::Verify(new_key->public_key(),
                             ledger::ValidatorKeyProofMessage("local-3", 2, body->new_public_key),
                             body->proof));
  EXPECT_EQ(RunShulian({"tx", "verify", dir / "tx.json", "--key", dir / "op.key", "--genesis-hash",
                        std::string(64, 'a')})
                .code,
            kExitOk);
  // --body-out: the node's host writes the body with the proof, for the operator's `tx sign`.
  CliRun prepared = RunShulian({"validator", "rotate-key", "--node-id", "2", "--new-key", dir / "new.key",
                                "--network", "local-3", "--body-out", dir / "body.json"});
  ASSERT_EQ(prepared.code, kExitOk) << prepared.err;
  CliRun sign =
      RunShulian({"tx", "sign", dir / "body.json", "--key", dir / "op.key", "--account", "ops", "--network",
                  "local-3", "--genesis-hash", std::string(64, 'a'), "--out", dir / "signed.json"});
  ASSERT_EQ(sign.code, kExitOk) << sign.err;
  Result<json> signed_json = ledger::rules_json::ParseFile(dir / "signed.json", 1 << 20);
  ASSERT_TRUE(signed_json.ok());
  EXPECT_EQ((*signed_json)["body"], (*parsed)["body"]);  // the same proof, deterministic signature
  std::vector<std::string> missing = {"validator", "rotate-key", "--node-id", "2"};
  missing.insert(missing.end(), common.begin(), common.end());
  CliRun refused = RunShulian(missing);
  EXPECT_EQ(refused.code, kExitUsage);
  EXPECT_NE(refused.err.find("--new-key"), std::string::npos) << refused.err;
}

TEST(CliExitCodeTest, AnInvalidGenesisFailsVerificationWithFour) {
  // Proves `genesis check` exits 4 for a file that fails validation, naming the JSON path.
  TempDir dir;
  WriteFile(dir / "g.json",
            R"({"network_id": "x", "genesis_time_ms": 0, "authorities": [], "validators": []})");
  CliRun run = RunShulian({"genesis", "check", dir / "g.json"});
  EXPECT_EQ(run.code, kExitVerificationFailed);
  EXPECT_NE(run.err.find("authorities"), std::string::npos);
}

}  // namespace
}  // namespace shulian::cli
