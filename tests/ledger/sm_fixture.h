// Test fixture for the state machine: a real LevelDB under a mkdtemp directory, a
// StateStore over it, a genesis for a Jiangsu network (province 320000 with the
// jiangsu-2024 preset; Taizhou 321200 with taizhou-2023 and its county Xinghua
// 321281; Nanjing 320100 inheriting Jiangsu) on the cn-2025-2026 holiday calendar,
// and accounts with deterministic Ed25519 keys. Blocks are applied through
// StateMachine::ApplyBlock and their writes flushed as the block store would; the
// transaction index the state machine looks references up in is the set of
// transactions of the blocks applied so far (what BlockStore's "t/" would hold;
// sm_rules_test.cc also runs the real BlockStore index).
#pragma once

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "ledger/apply_context.h"
#include "ledger/block.h"
#include "ledger/bodies.h"
#include "ledger/calendar.h"
#include "ledger/genesis.h"
#include "ledger/outcome.h"
#include "ledger/policy.h"
#include "ledger/state_keys.h"
#include "ledger/state_machine.h"
#include "ledger/state_store.h"
#include "ledger/transaction.h"

namespace shulian::ledger::testing {

inline constexpr char kNetworkId[] = "js-test";
// Monday 2025-03-03 10:00 CST.
inline constexpr int64_t kMonday20250303 = 1740967200000;
inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kDayMs = 86'400'000;

inline crypto::KeyPair KeyFor(std::string_view name) {
  crypto::Digest seed = crypto::Sha256(AsBytes(std::string("sm-test-key/") + std::string(name)));
  return std::move(crypto::KeyPair::FromSeed(seed.bytes)).value();
}

struct AccountSpec {
  std::string id;
  std::string authority;
  std::vector<Role> roles;
};

inline std::vector<AccountSpec> TestAccounts() {
  return {
      {"js.sup", "320000", {Role::kSupervisor}},
      {"tz.sup", "321200", {Role::kSupervisor}},
      {"xh.sup", "321281", {Role::kSupervisor}},
      {"nj.sup", "320100", {Role::kSupervisor}},
      {"tz.prov", "321200", {Role::kProvider}},
      {"xh.prov", "321281", {Role::kProvider}},
      {"nj.prov", "320100", {Role::kProvider}},
      {"js.prov", "320000", {Role::kProvider}},
      {"nj.user", "320100", {Role::kUser}},
      {"tz.user", "321200", {Role::kUser}},
      {"xh.user", "321281", {Role::kUser}},
      {"citizen", "", {Role::kPublic}},
      {"court", "", {Role::kCourt}},
      {"auditor", "", {Role::kAuditor}},
      {"op", "320000", {Role::kOperator}},
  };
}

inline Calendar LoadTestCalendar() {
  Result<nlohmann::json> json = rules_json::ParseFile("network-configs/calendars/cn-2025-2026.json", 1 << 20);
  if (!json.ok()) json = rules_json::ParseFile("../network-configs/calendars/cn-2025-2026.json", 1 << 20);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  Result<Calendar> calendar = Calendar::FromJson(*json);
  EXPECT_TRUE(calendar.ok()) << calendar.status().ToString();
  return *calendar;
}

inline Genesis TestGenesis() {
  Genesis g;
  g.network_id = kNetworkId;
  g.genesis_time_ms = kMonday20250303 - kDayMs;
  g.authorities = {{"320000", "江苏省大数据管理中心", AuthorityLevel::kProvince, ""},
                   {"321200", "泰州市数据局", AuthorityLevel::kMunicipality, "320000"},
                   {"321281", "兴化市数据局", AuthorityLevel::kCounty, "321200"},
                   {"320100", "南京市数据局", AuthorityLevel::kMunicipality, "320000"}};
  for (const AccountSpec& spec : TestAccounts()) {
    g.accounts.push_back({spec.id, spec.authority, spec.roles, KeyFor(spec.id).public_key(), spec.id});
  }
  g.validators = {{1, "js-node", "320000", KeyFor("node-1").public_key()}};
  Calendar calendar = LoadTestCalendar();
  g.calendars = {calendar};
  Policy jiangsu = std::move(Preset("jiangsu-2024")).value();
  jiangsu.calendar_id = calendar.id;
  g.policies = {{"320000", "jiangsu-2024", jiangsu},
                {"321200", "taizhou-2023", std::move(Preset("taizhou-2023")).value()}};
  g.Canonicalize();
  Status valid = g.Validate();
  EXPECT_TRUE(valid.ok()) << valid.ToString();
  return g;
}

class SmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Initialize().ok());
    char tmpl[] = "/tmp/sm_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = OpenDb(dir_ + "/db");
    state_ = std::make_unique<StateStore>(db_.get(), "s/");
    genesis_hash_ = TestGenesis().Hash();
    Status applied = machine_.ApplyGenesis(TestGenesis(), *state_);
    ASSERT_TRUE(applied.ok()) << applied.ToString();
    Flush(*db_, *state_);
    for (const AccountSpec& spec : TestAccounts()) keys_.emplace(spec.id, KeyFor(spec.id));
  }
  void TearDown() override {
    state_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static std::unique_ptr<leveldb::DB> OpenDb(const std::string& path) {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, path, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::unique_ptr<leveldb::DB>(db);
  }

  static void Flush(leveldb::DB& db, StateStore& state) {
    leveldb::WriteBatch batch;
    state.MoveToBatch(&batch);
    leveldb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(db.Write(sync, &batch).ok());
  }

  template <typename B>
  Transaction MakeTx(const std::string& sender, const B& body) {
    Transaction tx;
    tx.type = B::kType;
    tx.network_id = kNetworkId;
    tx.sender = sender;
    tx.client_time_ms = now_ms_;
    tx.nonce = ++nonce_;
    tx.body = body.Encode();
    auto it = keys_.find(sender);
    if (it != keys_.end()) tx.Sign(it->second, genesis_hash_);
    return tx;
  }

  std::vector<TxOutcome> ApplyTxs(std::vector<Transaction> txs) {
    Block block;
    block.header.height = ++height_;
    block.header.time_ms = now_ms_;
    block.header.tx_count = static_cast<uint32_t>(txs.size());
    block.transactions = std::move(txs);
    blocks_.push_back(block);
    StoredTxLookup stored = [this](const crypto::Digest& hash) -> Result<bool> {
      return stored_tx_hashes_.contains(hash);
    };
    Result<std::vector<TxOutcome>> outcomes = machine_.ApplyBlock(block, *state_, stored);
    EXPECT_TRUE(outcomes.ok()) << outcomes.status().ToString();
    Flush(*db_, *state_);
    for (const Transaction& tx : block.transactions) stored_tx_hashes_.insert(tx.Hash());
    return outcomes.ok() ? *outcomes : std::vector<TxOutcome>{};
  }

  template <typename B>
  TxOutcome Apply(const std::string& sender, const B& body) {
    std::vector<TxOutcome> outcomes = ApplyTxs({MakeTx(sender, body)});
    return outcomes.empty() ? TxOutcome{} : outcomes[0];
  }

  // Nanjing's (320100) policy layer, set by the Jiangsu supervisor.
  TxOutcome SetNanjingPolicy(const Policy& layer) {
    return Apply("js.sup", SetPolicyBody{{}, "320100", layer.Encode()});
  }
  static Policy PresetPolicy(std::string_view name) { return std::move(Preset(name)).value(); }

  // An empty block at `time_ms`: processes the deadlines due by then.
  void AdvanceTo(int64_t time_ms) {
    now_ms_ = time_ms;
    ApplyTxs({});
  }

  crypto::Digest StateDigest() const { return std::move(state_->Digest()).value(); }

  template <typename T>
  T Load(std::string_view head, std::string_view id) {
    Result<T> record = LoadRecord<T>(*state_, Key(head).Id(id));
    EXPECT_TRUE(record.ok()) << record.status().ToString();
    return record.ok() ? *record : T{};
  }
  AssetRecord Asset(std::string_view id) { return Load<AssetRecord>("as", id); }
  RequestRecord Request(std::string_view id) { return Load<RequestRecord>("rq", id); }
  GrantRecord Grant(std::string_view id) { return Load<GrantRecord>("gr", id); }
  ObjectionRecord Objection(std::string_view id) { return Load<ObjectionRecord>("ob", id); }

  // Flags for an authority's supervisor, in order.
  std::vector<FlagRecord> Flags(std::string_view authority) {
    std::vector<FlagRecord> flags;
    Status s = state_->Scan(Key("fl").Id(authority).Prefix(), "", 10'000, [&](std::string_view, std::string_view v) {
      ByteReader r(AsBytes(v));
      flags.push_back(std::move(FlagRecord::DecodeFrom(r)).value());
      return true;
    });
    EXPECT_TRUE(s.ok());
    return flags;
  }
  std::vector<FlagRecord> FlagsOfKind(std::string_view authority, FlagKind kind) {
    std::vector<FlagRecord> out;
    for (const FlagRecord& flag : Flags(authority)) {
      if (flag.kind == kind) out.push_back(flag);
    }
    return out;
  }
  uint64_t CounterOf(std::string_view authority, Counter counter) {
    return std::move(LoadU64(*state_, Key("su").Id(authority).U8(static_cast<uint8_t>(counter)))).value();
  }

  // ---- body builders ----

  static RegisterAssetBody AssetBody(std::string id, std::string authority, ShareType share = ShareType::kUnconditional,
                                     ResourceType resource = ResourceType::kThematic) {
    RegisterAssetBody b;
    b.asset_id = id;
    b.provider_authority = std::move(authority);
    b.source_department = "市场监管局";
    b.dataset_code = "ds-" + id;
    b.name = "企业登记信息 " + id;
    b.description = "registered enterprises";
    b.resource_type = resource;
    b.fields = {"name", "credit_code", "address", "legal_person"};
    b.format = "api/json";
    b.share_type = share;
    if (share != ShareType::kUnconditional) {
      b.share_reason = "contains personal information";
      b.share_legal_basis = "个人信息保护法 第13条";
    }
    b.open_type = OpenType::kNotOpen;
    b.open_reason = "personal information";
    b.open_legal_basis = "个人信息保护法";
    b.content_hash = crypto::Sha256(AsBytes(id));
    b.size_bytes = 1024;
    return b;
  }

  static RequestShareBody ShareBody(std::string request_id, std::string asset_id,
                                    AccessMode mode = AccessMode::kRequestResponse) {
    RequestShareBody b;
    b.request_id = std::move(request_id);
    b.asset_id = std::move(asset_id);
    b.purpose = "企业开办审批核验";
    b.business_scenario = "business-licensing";
    b.fields = {"name", "credit_code"};
    b.mode = mode;
    b.duration_days = 30;
    return b;
  }

  static GrantTerms TermsFor(const RequestShareBody& request) {
    return GrantTerms{request.fields, request.business_scenario, request.duration_days, request.mode, false};
  }

  static RecordAccessBody AccessBody(std::string asset_id, std::optional<std::string> grant_id) {
    RecordAccessBody b;
    b.grant_id = std::move(grant_id);
    b.asset_id = std::move(asset_id);
    b.purpose = "企业开办审批核验";
    b.business_scenario = "business-licensing";
    b.fields = {"name"};
    b.row_count = 1;
    b.result_digest = crypto::Sha256(AsBytes("result"));
    return b;
  }

  std::string dir_;
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<StateStore> state_;
  StateMachine machine_;
  std::map<std::string, crypto::KeyPair> keys_;
  // What a transaction's signature binds: the hash of the genesis the test applied
  // (a derived fixture that opens another genesis sets it).
  crypto::Digest genesis_hash_;
  std::vector<Block> blocks_;
  std::set<crypto::Digest> stored_tx_hashes_;  // of blocks_, like the block store's index
  int64_t now_ms_ = kMonday20250303;
  uint64_t height_ = 0;
  uint64_t nonce_ = 0;
};

}  // namespace shulian::ledger::testing
