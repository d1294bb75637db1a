// Whole-ledger properties: a seeded random scenario of thousands of mixed valid and
// invalid transactions checked against invariants, replay determinism, and the
// Ledger facade's all-or-nothing block application.
#include <algorithm>
#include <set>

#include "ledger/ledger.h"
#include "tests/ledger/sm_fixture.h"

namespace shulian::ledger::testing {
namespace {

// SplitMix64: a tiny generator whose sequence is the same on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(size_t percent) { return Below(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

// Produces blocks of mixed transactions from a seed alone (no feedback from state),
// so the same seed gives the same blocks for every store.
class ScenarioGenerator {
 public:
  ScenarioGenerator(uint64_t seed, std::map<std::string, crypto::KeyPair>* keys, const crypto::Digest& genesis_hash)
      : rng_(seed), keys_(keys), genesis_hash_(genesis_hash) {}

  Block NextBlock(uint64_t height, int64_t time_ms, size_t txs) {
    Block block;
    block.header.height = height;
    block.header.time_ms = time_ms;
    for (size_t i = 0; i < txs; ++i) block.transactions.push_back(NextTx(time_ms));
    block.header.tx_count = static_cast<uint32_t>(block.transactions.size());
    return block;
  }

 private:
  const std::vector<std::string> kProviders = {"tz.prov", "xh.prov", "nj.prov", "js.prov"};
  const std::vector<std::string> kUsers = {"nj.user", "tz.user", "xh.user"};
  const std::vector<std::string> kSupervisors = {"js.sup", "tz.sup", "xh.sup", "nj.sup"};
  const std::vector<std::string> kAuthorities = {"320000", "321200", "321281", "320100"};
  const std::vector<std::string> kFields = {"name", "credit_code", "address", "legal_person", "phone"};
  const std::vector<std::string> kScenarios = {"business-licensing", "tax-audit", "marketing"};

  std::string AnyAccount() {
    size_t r = rng_.Below(10);
    if (r < 3) return rng_.Pick(kProviders);
    if (r < 6) return rng_.Pick(kUsers);
    if (r < 8) return rng_.Pick(kSupervisors);
    return r == 8 ? "citizen" : "court";
  }
  std::string Existing(const std::vector<std::string>& ids, std::string_view fallback) {
    if (ids.empty() || rng_.Chance(5)) return std::string(fallback);
    return rng_.Pick(ids);
  }
  std::vector<std::string> SomeFields() {
    std::vector<std::string> fields;
    for (const auto& f : kFields) {
      if (rng_.Chance(40)) fields.push_back(f);
    }
    if (fields.empty()) fields.push_back("name");
    return fields;
  }

  template <typename B>
  Transaction Sign(const std::string& sender, const B& body, int64_t time_ms) {
    Transaction tx;
    tx.type = B::kType;
    tx.network_id = kNetworkId;
    tx.sender = sender;
    tx.client_time_ms = time_ms;
    tx.nonce = ++nonce_;
    tx.body = body.Encode();
    // 2% carry a signature by the wrong key.
    const std::string& signer = rng_.Chance(2) ? std::string("court") : sender;
    tx.Sign(keys_->at(signer == sender ? sender : signer), genesis_hash_);
    return tx;
  }

  Transaction NextTx(int64_t time_ms) {
    size_t kind = rng_.Below(100);
    if (kind < 10 || assets_.empty()) return RegisterAsset(time_ms);
    if (kind < 25) return RequestShare(time_ms);
    if (kind < 35) return Approve(time_ms);
    if (kind < 39) return Refuse(time_ms);
    if (kind < 42) return Consent(time_ms);
    if (kind < 45) return DecideOverdue(time_ms);
    if (kind < 48) return GrantChange(time_ms);
    if (kind < 50) return Deliver(time_ms);
    if (kind < 85) return Access(time_ms);
    if (kind < 92) return Objection(time_ms);
    return Answer(time_ms);
  }

  Transaction RegisterAsset(int64_t time_ms) {
    std::string sender = rng_.Pick(kProviders);
    RegisterAssetBody b;
    b.asset_id = "a" + std::to_string(++asset_seq_);
    // Mostly its own authority; sometimes another (rejected).
    size_t own = static_cast<size_t>(std::find(kProviders.begin(), kProviders.end(), sender) - kProviders.begin());
    const std::vector<std::string> own_authority = {"321200", "321281", "320100", "320000"};
    b.provider_authority = rng_.Chance(90) ? own_authority[own] : rng_.Pick(kAuthorities);
    b.source_department = "dept";
    b.dataset_code = "ds-" + b.asset_id;
    b.name = "asset " + b.asset_id;
    b.resource_type = rng_.Chance(20) ? ResourceType::kBasic : ResourceType::kThematic;
    b.fields = {"name", "credit_code", "address", "legal_person"};
    b.format = "csv";
    size_t share = rng_.Below(3);
    b.share_type = share == 0 ? ShareType::kUnconditional : share == 1 ? ShareType::kConditional : ShareType::kNotShared;
    if (b.share_type != ShareType::kUnconditional && rng_.Chance(85)) {
      b.share_reason = "reason";
      b.share_legal_basis = "basis";
    }
    b.open_type = rng_.Chance(30) ? OpenType::kUnconditional : OpenType::kNotOpen;
    if (b.open_type == OpenType::kNotOpen) {
      b.open_reason = "r";
      b.open_legal_basis = "b";
    }
    b.content_hash = crypto::Sha256(AsBytes(b.asset_id));
    assets_.push_back(b.asset_id);
    return Sign(sender, b, time_ms);
  }

  Transaction RequestShare(int64_t time_ms) {
    RequestShareBody b;
    b.request_id = "r" + std::to_string(++request_seq_);
    b.asset_id = Existing(assets_, "missing");
    b.purpose = "p";
    b.business_scenario = rng_.Pick(kScenarios);
    b.fields = SomeFields();
    b.mode = rng_.Chance(15) ? AccessMode::kCopy : AccessMode::kRequestResponse;
    b.duration_days = static_cast<uint32_t>(1 + rng_.Below(20));
    requests_.push_back(b.request_id);
    return Sign(rng_.Chance(90) ? rng_.Pick(kUsers) : AnyAccount(), b, time_ms);
  }

  GrantTerms RandomTerms() {
    GrantTerms t;
    t.fields = SomeFields();
    t.business_scenario = rng_.Pick(kScenarios);
    t.duration_days = static_cast<uint32_t>(1 + rng_.Below(25));
    t.mode = rng_.Chance(10) ? AccessMode::kCopy : AccessMode::kRequestResponse;
    t.desensitised = rng_.Chance(50);
    return t;
  }

  Transaction Approve(int64_t time_ms) {
    ApproveShareBody b;
    b.request_id = Existing(requests_, "missing");
    b.terms = RandomTerms();
    return Sign(rng_.Pick(kProviders), b, time_ms);
  }
  Transaction Refuse(int64_t time_ms) {
    RefuseShareBody b{{}, Existing(requests_, "missing"), "basis", "reason"};
    return Sign(rng_.Pick(kProviders), b, time_ms);
  }
  Transaction Consent(int64_t time_ms) {
    ConsentCopyBody b{{}, Existing(requests_, "missing"), rng_.Chance(70) ? Decision::kApprove : Decision::kRefuse, "r"};
    return Sign(rng_.Pick(kSupervisors), b, time_ms);
  }
  Transaction DecideOverdue(int64_t time_ms) {
    DecideOverdueShareBody b;
    b.request_id = Existing(requests_, "missing");
    b.decision = rng_.Chance(70) ? Decision::kApprove : Decision::kRefuse;
    if (b.decision == Decision::kApprove) b.terms = RandomTerms();
    b.reason = "r";
    b.legal_basis = rng_.Chance(80) ? "basis" : "";
    return Sign(rng_.Pick(kSupervisors), b, time_ms);
  }
  Transaction GrantChange(int64_t time_ms) {
    std::string grant = Existing(requests_, "missing");
    std::string sender = rng_.Chance(50) ? rng_.Pick(kProviders) : rng_.Pick(kSupervisors);
    switch (rng_.Below(3)) {
      case 0: return Sign(sender, SuspendGrantBody{{}, grant, "r", ""}, time_ms);
      case 1: return Sign(sender, ResumeGrantBody{{}, grant, "r"}, time_ms);
      default: return Sign(sender, RevokeGrantBody{{}, grant, "r", ""}, time_ms);
    }
  }
  Transaction Deliver(int64_t time_ms) {
    DeliverShareBody b{{}, Existing(requests_, "missing"), std::nullopt, "r"};
    if (rng_.Chance(50)) b.delivery_digest = crypto::Sha256(AsBytes(b.grant_id));
    return Sign(rng_.Chance(80) ? rng_.Pick(kProviders) : AnyAccount(), b, time_ms);
  }
  Transaction Access(int64_t time_ms) {
    RecordAccessBody b;
    if (!rng_.Chance(10)) b.grant_id = Existing(requests_, "missing");
    b.asset_id = Existing(assets_, "missing");
    b.purpose = "p";
    b.business_scenario = rng_.Pick(kScenarios);
    b.fields = {rng_.Pick(kFields)};
    b.row_count = rng_.Below(1000);
    b.result_digest = crypto::Sha256(AsBytes(std::to_string(rng_.Next())));
    b.mode = rng_.Chance(5) ? AccessMode::kCopy : AccessMode::kRequestResponse;
    b.third_party = rng_.Chance(3);
    return Sign(rng_.Chance(85) ? rng_.Pick(kUsers) : AnyAccount(), b, time_ms);
  }
  Transaction Objection(int64_t time_ms) {
    RaiseObjectionBody b;
    b.objection_id = "o" + std::to_string(++objection_seq_);
    b.asset_id = Existing(assets_, "missing");
    b.kind = rng_.Chance(20) ? ObjectionKind::kQuality : ObjectionKind::kError;
    b.description_hash = crypto::Sha256(AsBytes(b.objection_id));
    // Some declare when the problem was found: mostly days ago, sometimes (refused) in the future.
    if (rng_.Chance(30)) {
      b.discovered_ms = static_cast<uint64_t>(time_ms + kDayMs - static_cast<int64_t>(rng_.Below(12)) * kDayMs);
    }
    objections_.push_back(b.objection_id);
    return Sign(AnyAccount(), b, time_ms);
  }
  Transaction Answer(int64_t time_ms) {
    AnswerObjectionBody b{{}, Existing(objections_, "missing"), ObjectionAnswer::kRejected, "reasons", std::nullopt};
    return Sign(rng_.Pick(kProviders), b, time_ms);
  }

  Rng rng_;
  std::map<std::string, crypto::KeyPair>* keys_;
  crypto::Digest genesis_hash_;
  uint64_t nonce_ = 0;
  uint64_t asset_seq_ = 0, request_seq_ = 0, objection_seq_ = 0;
  std::vector<std::string> assets_, requests_, objections_;
};

class ScenarioTest : public SmTest {
 protected:
  // A second store starting from the same genesis.
  struct Replica {
    std::string dir;
    std::unique_ptr<leveldb::DB> db;
    std::unique_ptr<StateStore> state;
  };
  Replica MakeReplica(const std::string& name) {
    Replica r;
    r.dir = dir_ + "/" + name;
    r.db = OpenDb(r.dir);
    r.state = std::make_unique<StateStore>(r.db.get(), "s/");
    Status applied = machine_.ApplyGenesis(TestGenesis(), *r.state);
    EXPECT_TRUE(applied.ok()) << applied.ToString();
    Flush(*r.db, *r.state);
    return r;
  }

  template <typename T>
  std::map<std::string, T> ScanAll(const StateStore& state, std::string_view head) {
    std::map<std::string, T> out;
    Status s = state.Scan(std::string(head) + "/", "", 1'000'000, [&](std::string_view key, std::string_view value) {
      ByteReader r(AsBytes(value));
      out.emplace(std::string(key.substr(head.size() + 1)), std::move(T::DecodeFrom(r)).value());
      return true;
    });
    EXPECT_TRUE(s.ok());
    return out;
  }

  // Invariants over the whole state after a block.
  void CheckInvariants(std::map<std::string, RequestStatus>& terminal) {
    std::map<std::string, RequestRecord> requests = ScanAll<RequestRecord>(*state_, "rq");
    for (const auto& [id, request] : requests) {
      auto seen = terminal.find(id);
      if (seen != terminal.end()) {
        ASSERT_EQ(request.status, seen->second) << "request " << id << " left its terminal state";
      } else if (request.Terminal()) {
        terminal.emplace(id, request.status);
      }
    }
    for (const auto& [id, grant] : ScanAll<GrantRecord>(*state_, "gr")) {
      auto request = requests.find(id);
      ASSERT_NE(request, requests.end()) << "grant " << id << " without a request";
      EXPECT_TRUE(request->second.Terminal()) << id;
      EXPECT_NE(request->second.status, RequestStatus::kRefused) << id;
      EXPECT_TRUE(IsSubset(grant.terms.fields, request->second.fields)) << "grant " << id << " exceeds its fields";
      EXPECT_LE(grant.terms.duration_days, request->second.duration_days) << id;
      EXPECT_EQ(grant.terms.business_scenario, request->second.business_scenario) << id;
      if (grant.terms.mode == AccessMode::kCopy) {
        EXPECT_EQ(request->second.mode, AccessMode::kCopy) << id;
      }
    }
  }
};

TEST_F(ScenarioTest, RandomMixedTransactionsKeepTheInvariants) {
  // Proves over thousands of seeded random valid and invalid transactions: a terminal request never changes,
  // no grant exceeds its request, every accepted access has a record (and no rejected one does), and a replica
  // fed only the accepted transactions reaches the same state (state changes only through accepted ones).
  ScenarioGenerator generator(20250303, &keys_, genesis_hash_);
  Replica accepted_only = MakeReplica("accepted-only");
  std::map<std::string, RequestStatus> terminal;
  size_t total = 0, accepted = 0, accesses = 0;
  constexpr size_t kBlocks = 150;
  constexpr size_t kTxsPerBlock = 20;
  for (size_t b = 0; b < kBlocks; ++b) {
    now_ms_ += static_cast<int64_t>(1 + (b * 7919) % 30) * kHourMs;
    Block block = generator.NextBlock(++height_, now_ms_, kTxsPerBlock);
    Result<std::vector<TxOutcome>> outcomes = machine_.ApplyBlock(block, *state_);
    ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
    Flush(*db_, *state_);
    Block filtered = block;
    filtered.transactions.clear();
    for (size_t i = 0; i < block.transactions.size(); ++i) {
      const TxOutcome& out = (*outcomes)[i];
      ++total;
      bool has_record = state_->Contains(Key("xr").Fixed(out.tx_hash.bytes));
      if (block.transactions[i].type == TxType::kRecordAccess) {
        EXPECT_EQ(has_record, out.accepted()) << out.message;
        if (out.accepted()) ++accesses;
      }
      if (!out.accepted()) {
        EXPECT_FALSE(out.message.empty());
        continue;
      }
      ++accepted;
      filtered.transactions.push_back(block.transactions[i]);
    }
    Result<std::vector<TxOutcome>> replayed = machine_.ApplyBlock(filtered, *accepted_only.state);
    ASSERT_TRUE(replayed.ok());
    for (const TxOutcome& out : *replayed) ASSERT_TRUE(out.accepted()) << out.message;
    Flush(*accepted_only.db, *accepted_only.state);
    if (b % 25 == 24 || b + 1 == kBlocks) {
      CheckInvariants(terminal);
      ASSERT_EQ(StateDigest(), accepted_only.state->Digest().value()) << "after block " << b;
    }
  }
  EXPECT_EQ(total, kBlocks * kTxsPerBlock);
  // The mix really is mixed.
  EXPECT_GT(accepted, total / 5);
  EXPECT_LT(accepted, total * 9 / 10);
  EXPECT_GT(accesses, 100u);
  EXPECT_GT(terminal.size(), 20u);
}

TEST_F(ScenarioTest, ReplayingTheSameBlocksGivesByteIdenticalState) {
  // Proves determinism: the same blocks applied to two fresh stores give identical digests and outcomes.
  ScenarioGenerator generator(7, &keys_, genesis_hash_);
  Replica first = MakeReplica("first");
  Replica second = MakeReplica("second");
  for (size_t b = 0; b < 60; ++b) {
    now_ms_ += 13 * kHourMs;
    Block block = generator.NextBlock(b + 1, now_ms_, 15);
    Result<std::vector<TxOutcome>> one = machine_.ApplyBlock(block, *first.state);
    Flush(*first.db, *first.state);
    Result<std::vector<TxOutcome>> two = machine_.ApplyBlock(block, *second.state);
    Flush(*second.db, *second.state);
    ASSERT_TRUE(one.ok() && two.ok());
    for (size_t i = 0; i < one->size(); ++i) ASSERT_EQ((*one)[i].Encode(), (*two)[i].Encode());
  }
  EXPECT_EQ(first.state->Digest().value(), second.state->Digest().value());
  EXPECT_NE(first.state->Digest().value(), StateDigest());  // the fixture's own store saw no blocks
}

class LedgerFacadeTest : public SmTest {};

TEST_F(LedgerFacadeTest, AppliesBlocksAtomicallyAndReopens) {
  // Proves the facade builds and applies blocks, persists state with the chain, and a block the store refuses
  // leaves neither chain nor state changed.
  std::string path = dir_ + "/ledger";
  crypto::KeyPair node_key = KeyFor("node-1");
  crypto::Digest digest_after_block1;
  {
    Result<std::unique_ptr<Ledger>> opened = Ledger::Open(path, TestGenesis());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    Ledger& ledger = **opened;
    Result<Block> block = ledger.BuildBlock({MakeTx("tz.prov", AssetBody("a1", "321200"))}, now_ms_, 1, node_key);
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    Result<BlockOutcome> applied = ledger.ApplyBlock(*block);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    ASSERT_EQ(applied->outcomes.size(), 1u);
    EXPECT_TRUE(applied->outcomes[0].accepted()) << applied->outcomes[0].message;
    EXPECT_EQ(ledger.height(), 1u);
    digest_after_block1 = ledger.state().Digest().value();

    Result<Block> bad = ledger.BuildBlock({MakeTx("tz.prov", AssetBody("a2", "321200"))}, now_ms_ + 1000, 1, node_key);
    ASSERT_TRUE(bad.ok());
    bad->header.tx_log_root = crypto::Sha256(AsBytes("wrong"));
    bad->Sign(node_key);
    EXPECT_FALSE(ledger.ApplyBlock(*bad).ok());
    EXPECT_EQ(ledger.height(), 1u);
    EXPECT_EQ(ledger.state().Digest().value(), digest_after_block1);
    EXPECT_FALSE(ledger.state().Contains(Key("as").Id("a2")));
  }
  Result<std::unique_ptr<Ledger>> reopened = Ledger::Open(path, TestGenesis());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->height(), 1u);
  EXPECT_EQ((*reopened)->state().Digest().value(), digest_after_block1);
  EXPECT_TRUE((*reopened)->state().Contains(Key("as").Id("a1")));
}

}  // namespace
}  // namespace shulian::ledger::testing
