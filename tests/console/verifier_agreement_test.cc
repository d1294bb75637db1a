// The browser verifier (console/verifier.js) and the C++ verifier behind
// `shulian verify` (VerifyBundleText) agree on a corpus: good bundles of each kind
// from a real ledger cosigned by real keys, and hundreds of mutations of them. The
// page runs in a real headless Chromium opened from the source tree over file://,
// the way a court opens a saved copy: no server at all.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/evidence.h"
#include "tests/console/chromium.h"
#include "tests/ledger/evidence_fixture.h"

namespace shulian::ledger::testing {
namespace {

using json = nlohmann::json;
using console_test::Chromium;
using std::chrono::milliseconds;

constexpr milliseconds kStep{30'000};  // any one browser step
constexpr char kPayload[] = "<img src=x onerror=alert(1)>";

std::string VerifierUrl() {
  return "file://" + std::string(SHULIAN_SOURCE_DIR) + "/console/verify.html";
}

// The C++ verdict: "ok" or the failed check's name.
std::string CppVerdict(const std::string& text, const ImportedGenesis& genesis) {
  Result<VerifiedBundle> verified = VerifyBundleText(text, genesis);
  return verified.ok() ? "ok" : CheckOf(verified.status());
}

// The C++ verdict on consistency proofs in JSON: "ok", "format" when they do not
// parse, or VerifyCheckpointConsistency's message.
std::string CppConsistency(const json& proofs) {
  Result<CheckpointConsistency> parsed = CheckpointConsistency::FromJson(proofs);
  if (!parsed.ok()) return "format";
  Status verified = VerifyCheckpointConsistency(*parsed);
  return verified.ok() ? "ok" : verified.message();
}

// One mutation of consistency proofs that keeps them well-formed: a hex digit of a
// proof hash, root or block hash changed; a proof shortened, lengthened or two of
// its hashes swapped; a size or height shifted; the checkpoints swapped; another
// network; one log's proof given for another's.
json MutateConsistency(const json& proofs, std::mt19937_64& rng) {
  json out = proofs;
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const char* logs[] = {"tx_proof", "outcome_proof", "block_proof"};
  const char* ends[] = {"from", "to"};
  json& proof = out[logs[pick(3)]];
  json& end = out[ends[pick(2)]];
  auto change_digit = [&](json& hex) {
    std::string text = hex.get<std::string>();
    const size_t i = pick(text.size());
    text[i] = text[i] == '0' ? '1' : '0';
    hex = text;
  };
  switch (pick(8)) {
    case 0:
      if (!proof.empty()) {
        change_digit(proof[pick(proof.size())]);
        break;
      }
      [[fallthrough]];
    case 1: {
      const char* fields[] = {"tx_log_root", "outcome_log_root", "block_log_root", "block_hash"};
      change_digit(end[fields[pick(4)]]);
      break;
    }
    case 2:
      if (!proof.empty()) {
        proof.erase(proof.size() - 1);
      } else {
        proof.push_back(std::string(64, 'c'));
      }
      break;
    case 3:
      proof.push_back(crypto::Sha256(AsBytes(std::to_string(rng()))).ToHex());
      break;
    case 4:
      if (proof.size() >= 2) {
        std::swap(proof[0], proof[proof.size() - 1]);
      } else {
        out["tx_proof"].swap(out["block_proof"]);
      }
      break;
    case 5: {
      const char* sizes[] = {"tx_log_size", "outcome_log_size", "height"};
      json& n = end[sizes[pick(3)]];
      const uint64_t v = n.get<uint64_t>();
      n = v == 0 || pick(2) == 0 ? v + 1 : v - 1;
      break;
    }
    case 6:
      std::swap(out["from"], out["to"]);
      break;
    default:
      out["to"]["network_id"] = "other-net";
      break;
  }
  return out;
}

AddValidatorBody AddNode4() {
  AddValidatorBody body;
  body.node_id = 4;
  body.name = "xh-node";
  body.authority = "321281";
  body.public_key = KeyFor("node-4").public_key();
  return body;
}

// Every string leaf of `value` that is hex (the byte fields of a bundle), as JSON pointers.
void HexLeaves(const json& value, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) HexLeaves(child, at / key, out);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) HexLeaves(value[i], at / i, out);
  } else if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (!s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos) out.push_back(at);
  }
}

void Objects(const json& value, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  if (value.is_object()) {
    out.push_back(at);
    for (const auto& [key, child] : value.items()) Objects(child, at / key, out);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) Objects(value[i], at / i, out);
  }
}

// One mutation of `bundle`, chosen by `rng`: a hex digit changed (or upper-cased),
// a key removed, records swapped or moved, a number shifted, an unknown key added.
std::string Mutate(const json& bundle, std::mt19937_64& rng) {
  json out = bundle;
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const size_t kind = pick(10);
  if (kind <= 4) {
    std::vector<json::json_pointer> leaves;
    HexLeaves(out, json::json_pointer(), leaves);
    const json::json_pointer leaf = leaves[pick(leaves.size())];
    std::string s = out[leaf].get<std::string>();
    const size_t i = pick(s.size());
    const char* digits = "0123456789abcdef";
    char c = kind == 4 ? static_cast<char>(std::toupper(s[i])) : digits[pick(16)];
    if (c == s[i]) c = s[i] == '0' ? '1' : '0';
    s[i] = c;
    out[leaf] = s;
  } else if (kind == 5) {
    std::vector<json::json_pointer> objects;
    Objects(out, json::json_pointer(), objects);
    json& object = out[objects[pick(objects.size())]];
    if (!object.empty()) {
      auto it = object.begin();
      std::advance(it, static_cast<long>(pick(object.size())));
      object.erase(it);
    }
  } else if (kind == 6) {
    json& records = out["records"];
    json& history = out["validator_history"];
    if (records.size() >= 2) {
      std::swap(records[0], records[records.size() - 1]);
    } else if (!history.empty()) {
      std::swap(records[0], history[0]);
    } else {
      records.push_back(records[0]);
    }
  } else if (kind == 7) {
    std::vector<std::string> numbers = {"/checkpoint/checkpoint/height", "/checkpoint/checkpoint/tx_log_size",
                                        "/checkpoint/checkpoint/block_time_ms", "/records/0/log_index"};
    json& n = out[json::json_pointer(numbers[pick(numbers.size())])];
    n = n.get<int64_t>() + (pick(2) == 0 ? 1 : -1);
  } else if (kind == 8) {
    json& records = out["records"];
    json& proof = records[pick(records.size())][pick(2) == 0 ? "tx_proof" : "block_proof"];
    if (!proof.empty())
      proof.erase(proof.size() - 1);
    else
      proof.push_back(std::string(64, 'a'));
  } else {
    std::vector<json::json_pointer> objects;
    Objects(out, json::json_pointer(), objects);
    out[objects[pick(objects.size())]]["extra"] = 1;
  }
  return out.dump();
}

class VerifierAgreementTest : public EvidenceTest {
 protected:
  void SetUp() override {
    EvidenceTest::SetUp();
    if (console_test::FindChromium().empty()) {
      GTEST_SKIP()
          << "chromium is not installed, so the browser verifier cannot run (scripts/install-deps.sh "
             "installs it)";
    }
    // A genesis account whose name is an HTML payload: the page must show it as text.
    ledger_.reset();
    for (Account& account : genesis_.accounts) {
      if (account.id == "nj.user") account.name = kPayload;
    }
    genesis_hash_ = genesis_.Hash();
    imported_ = ImportGenesis(genesis_).value();
    std::filesystem::remove_all(ledger_path());
    OpenLedger();
    genesis_hex_ = ToHex(genesis_.Encode());
    BuildLedger();
    Result<std::unique_ptr<Chromium>> browser = Chromium::Start(kStep);
    ASSERT_TRUE(browser.ok()) << browser.status().ToString();
    browser_ = std::move(browser).value();
    ASSERT_TRUE(browser_->Navigate(VerifierUrl(), kStep).ok());
  }
  void TearDown() override {
    browser_.reset();  // kills the browser and removes its directory, even after a failure
    EvidenceTest::TearDown();
  }

  // A validator added by the operator, a shared asset, three accesses, a dispute
  // opened over one access and closed; one bundle of each kind, cosigned by 3 of 4.
  void BuildLedger() {
    CommitOne("op", AddNode4());
    CommitOne("tz.prov", AssetBody("a1", "321200"));
    CommitOne("nj.user", ShareBody("r1", "a1"));
    std::vector<Transaction> accesses;
    for (int i = 0; i < 3; ++i) {
      now_ms_ += kHourMs;
      accesses.push_back(CommitOne("nj.user", AccessBody("a1", "r1")));
    }
    OpenDisputeBody open;
    open.dispute_id = "d1";
    open.subject = "access beyond purpose";
    open.record_refs = {accesses[1].Hash()};
    now_ms_ += kHourMs;
    CommitOne("court", open);
    CloseDisputeBody close;
    close.dispute_id = "d1";
    close.ruling_hash = crypto::Sha256(AsBytes("ruling"));
    close.summary = "no violation";
    now_ms_ += kHourMs;
    CommitOne("court", close);
    const CosignedCheckpoint checkpoint = CosignHead();
    good_["transaction"] = BuildTransactionBundle(*ledger_, checkpoint, accesses[0].Hash()).value();
    good_["asset_access"] = BuildAssetAccessBundle(*ledger_, checkpoint, "a1", 0, INT64_MAX).value();
    good_["dispute"] = BuildDisputeBundle(*ledger_, checkpoint, "d1").value();
    good_["quorum_only"] = BuildTransactionBundle(*ledger_, Cosign(ledger_->height(), {2, 4}),
                                                  accesses[2].Hash())
                               .value();  // 2 of 4: below quorum
    BuildRotation();
  }

  // After the bundles above, nj.user makes an access ("before_rotation", cosigned
  // by 2, 3 and 4 with node 4's first key); the operator rotates node 4's key; nj.user
  // makes another access, and the head is cosigned by 2, 3 and 4 with its new key.
  // "rotated" and "rotation_subject" hold the addition and the rotation in their
  // validator history; "rotated_stale" is that head signed with node 4's old key;
  // "rotation_without_addition" drops the addition, so the history rotates a non-member.
  void BuildRotation() {
    now_ms_ += kHourMs;
    const Transaction before = CommitOne("nj.user", AccessBody("a1", "r1"));
    good_["before_rotation"] =
        BuildTransactionBundle(*ledger_, Cosign(ledger_->height(), {2, 3, 4}), before.Hash()).value();
    const crypto::KeyPair new_key = KeyFor("node-4-rotated");
    RotateValidatorKeyBody rotate;
    rotate.node_id = 4;
    rotate.new_public_key = new_key.public_key();
    rotate.proof = new_key.Sign(ValidatorKeyProofMessage(kNetworkId, 4, rotate.new_public_key));
    now_ms_ += kHourMs;
    const Transaction rotation = CommitOne("op", rotate);
    now_ms_ += kHourMs;
    const Transaction after = CommitOne("nj.user", AccessBody("a1", "r1"));
    const Checkpoint head = ledger_->CheckpointAt(ledger_->height()).value();
    CosignedCheckpoint rotated{
        head, {{2, head.Sign(KeyFor("node-2"))}, {3, head.Sign(KeyFor("node-3"))}, {4, head.Sign(new_key)}}};
    good_["rotated"] = BuildTransactionBundle(*ledger_, rotated, after.Hash()).value();
    good_["rotation_subject"] = BuildTransactionBundle(*ledger_, rotated, rotation.Hash()).value();
    CosignedCheckpoint stale = rotated;
    stale.signatures[2] = {4, head.Sign(KeyFor("node-4"))};  // the rotated-away key
    good_["rotated_stale"] = BuildTransactionBundle(*ledger_, stale, after.Hash()).value();
    json without_addition = good_.at("rotated");
    without_addition["validator_history"].erase(0);
    good_["rotation_without_addition"] = without_addition;
  }

  // The page's verdicts for `texts`, in order: "ok" or the check name.
  std::vector<std::string> BrowserVerdicts(const std::vector<std::string>& texts) {
    const std::string expression = "(async () => { const g = ShulianVerifier.bytesOfHex('" + genesis_hex_ +
                                   "'); const out = [];"
                                   " for (const t of " +
                                   json(texts).dump() +
                                   ") { const r = await ShulianVerifier.verify(t, g);"
                                   " out.push(r.ok ? 'ok' : r.check); } return out; })()";
    Result<json> verdicts = browser_->Evaluate(expression, kStep);
    EXPECT_TRUE(verdicts.ok()) << verdicts.status().ToString();
    if (!verdicts.ok()) return {};
    return verdicts->get<std::vector<std::string>>();
  }

  // The page's answers for consistency proofs in JSON, in order: "ok", "format" or the message.
  std::vector<std::string> BrowserConsistency(const std::vector<std::string>& texts) {
    const std::string expression = "(async () => { const out = []; for (const t of " + json(texts).dump() +
                                   ") { const e = await ShulianVerifier.checkpointConsistencyOfJson(t);"
                                   " out.push(e === null ? 'ok' : e.startsWith('format: ') ? 'format' : e); }"
                                   " return out; })()";
    Result<json> answers = browser_->Evaluate(expression, kStep);
    EXPECT_TRUE(answers.ok()) << answers.status().ToString();
    if (!answers.ok()) return {};
    return answers->get<std::vector<std::string>>();
  }

  std::string genesis_hex_;
  std::map<std::string, json> good_;
  std::unique_ptr<Chromium> browser_;
};

TEST_F(VerifierAgreementTest, TheBrowserAndTheCliVerifierGiveTheSameVerdictAndCheckOnEveryBundle) {
  // Proves agreement on good bundles of each kind and on 400 mutations; the corpus
  // must exercise many different checks, so agreement is not a vacuous "both fail".
  std::vector<std::string> texts;
  for (const auto& [name, bundle] : good_) texts.push_back(bundle.dump(2));
  std::mt19937_64 rng(19);
  const std::vector<std::string> kinds = {"transaction", "asset_access", "dispute"};
  for (int i = 0; i < 400; ++i) texts.push_back(Mutate(good_.at(kinds[static_cast<size_t>(i) % 3]), rng));
  std::mt19937_64 rotation_rng(109);  // a separate stream, so the mutations above stay as they were
  for (int i = 0; i < 150; ++i) {
    texts.push_back(Mutate(good_.at(i % 2 == 0 ? "rotated" : "rotation_subject"), rotation_rng));
  }
  std::map<std::string, int> by_check;
  for (size_t start = 0; start < texts.size(); start += 25) {
    std::vector<std::string> chunk(texts.begin() + static_cast<long>(start),
                                   texts.begin() + static_cast<long>(std::min(texts.size(), start + 25)));
    const std::vector<std::string> page = BrowserVerdicts(chunk);
    ASSERT_EQ(page.size(), chunk.size());
    for (size_t i = 0; i < chunk.size(); ++i) {
      const std::string cpp = CppVerdict(chunk[i], imported_);
      EXPECT_EQ(page[i], cpp) << "bundle " << start + i << ":\n" << chunk[i].substr(0, 4000);
      ++by_check[cpp];
    }
  }
  std::string summary;
  for (const auto& [check, count] : by_check) summary += " " + check + "=" + std::to_string(count);
  std::cout << "verdicts:" << summary << "\n";
  EXPECT_EQ(CppVerdict(good_.at("transaction").dump(), imported_), "ok");
  EXPECT_EQ(CppVerdict(good_.at("asset_access").dump(), imported_), "ok");
  EXPECT_EQ(CppVerdict(good_.at("dispute").dump(), imported_), "ok");
  EXPECT_EQ(CppVerdict(good_.at("quorum_only").dump(), imported_), "checkpoint_signatures");
  EXPECT_EQ(CppVerdict(good_.at("before_rotation").dump(), imported_), "ok");
  EXPECT_EQ(CppVerdict(good_.at("rotated").dump(), imported_), "ok");
  EXPECT_EQ(CppVerdict(good_.at("rotation_subject").dump(), imported_), "ok");
  EXPECT_EQ(CppVerdict(good_.at("rotated_stale").dump(), imported_), "checkpoint_signatures");
  EXPECT_EQ(CppVerdict(good_.at("rotation_without_addition").dump(), imported_), "validator_history");
  EXPECT_GE(by_check.size(), 8u) << summary;
}

TEST_F(VerifierAgreementTest, ThePageChecksConsistencyBetweenCheckpointsAsTheCppDoesOnGoodAndMutatedProofs) {
  // Proves the page's RFC 9162 consistency check (verifier.js) is the C++ one
  // (VerifyCheckpointConsistency over crypto::VerifyMerkleConsistency): every pair
  // of heights of a real ledger is consistent in both, and 400 seeded mutations get
  // the same verdict with the same message, word for word; the corpus must reach at
  // least 6 different messages, so agreement is not a vacuous "both fail".
  std::vector<json> corpus;
  const uint64_t head = ledger_->height();
  for (uint64_t from = 0; from <= head; ++from) {
    for (uint64_t to = from; to <= head; ++to)
      corpus.push_back(ledger_->ConsistencyProofs(from, to).value().ToJson());
  }
  const size_t good = corpus.size();
  std::mt19937_64 rng(9162);
  for (int i = 0; i < 400; ++i) corpus.push_back(MutateConsistency(corpus[rng() % good], rng));
  std::map<std::string, int> by_message;
  for (size_t start = 0; start < corpus.size(); start += 50) {
    std::vector<std::string> chunk;
    for (size_t i = start; i < std::min(corpus.size(), start + 50); ++i) chunk.push_back(corpus[i].dump());
    const std::vector<std::string> page = BrowserConsistency(chunk);
    ASSERT_EQ(page.size(), chunk.size());
    for (size_t i = 0; i < chunk.size(); ++i) {
      const std::string cpp = CppConsistency(corpus[start + i]);
      EXPECT_EQ(page[i], cpp) << "proofs " << start + i << ":\n" << chunk[i].substr(0, 3000);
      if (start + i < good) {
        EXPECT_EQ(cpp, "ok") << start + i;
      }
      // Messages differ in their hashes and counts; group them by their words.
      const size_t computed = cpp.find(": computed");
      ++by_message[cpp.substr(0,
                              computed != std::string::npos ? computed : cpp.find_first_of("0123456789("))];
    }
  }
  std::string summary;
  for (const auto& [message, count] : by_message) summary += "\n  " + message + " = " + std::to_string(count);
  std::cout << "consistency verdicts:" << summary << "\n";
  EXPECT_GE(by_message.size(), 7u) << summary;  // "ok" and at least 6 failures
}

TEST_F(VerifierAgreementTest, ForAVerifiedBundleThePageEstablishesWhatTheCliEstablishes) {
  // Proves that, beyond the verdict, the page finds the same records (hash, type,
  // sender, block, outcome, whether the sender's own signature verified), the same
  // signers, set and quorum as VerifiedBundle::ToJson, for each good bundle.
  for (const char* name :
       {"transaction", "asset_access", "dispute", "before_rotation", "rotated", "rotation_subject"}) {
    SCOPED_TRACE(name);
    const std::string text = good_.at(name).dump();
    const json cpp = VerifyBundleText(text, imported_).value().ToJson();
    json expected_members = json::array();
    for (const json& member : cpp["validator_set"]["members"]) {
      expected_members.push_back({member["node_id"], member["public_key"]});
    }
    json expected_records = json::array();
    for (const json& record : cpp["records"]) {
      expected_records.push_back({record["tx_hash"], record["type"], record["sender"], record["block_height"],
                                  record["outcome"]["accepted"], record["sender_signature_verified"]});
    }
    const std::string expression =
        "ShulianVerifier.verify(" + json(text).dump() + ", ShulianVerifier.bytesOfHex('" + genesis_hex_ +
        "')).then(r => ({records: r.verified.records.map(x => [ShulianVerifier.hexOf(x.txHash), "
        "x.tx.typeName,"
        " x.tx.sender, Number(x.block.height), x.outcome.accepted, x.senderSignatureVerified]),"
        " signers: r.verified.signers.map(Number),"
        " members: r.verified.members.map(m => [Number(m.nodeId), ShulianVerifier.hexOf(m.key)]),"
        " quorum: r.verified.quorum,"
        " changes: r.verified.validatorChanges}))";
    Result<json> page = browser_->Evaluate(expression, kStep);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ((*page)["records"], expected_records);
    EXPECT_EQ((*page)["signers"], cpp["signers"]);
    EXPECT_EQ((*page)["members"], expected_members);  // node 2's key as of the checkpoint
    EXPECT_EQ((*page)["quorum"], cpp["validator_set"]["quorum"]);
    EXPECT_EQ((*page)["changes"], cpp["validator_changes"]);
    EXPECT_FALSE(expected_records.empty());
  }
}

TEST_F(VerifierAgreementTest, AHistoryThatRotatesANonMemberIsRefusedByThePageWithTheCliMessage) {
  // Proves the page folds rotate_validator_key by the rule of ValidatorSet::Apply: a
  // history that rotates node 4's key without the change that added node 4 is refused
  // at that record, saying the node is not a member, in the very words of the C++
  // (a page that skipped or added the node would fail later, at the set id).
  const std::string text = good_.at("rotation_without_addition").dump();
  Result<VerifiedBundle> cpp = VerifyBundleText(text, imported_);
  ASSERT_FALSE(cpp.ok());
  EXPECT_NE(cpp.status().message().find("rotate_validator_key: validator node 4 is not a member"),
            std::string::npos)
      << cpp.status().message();
  const std::string expression = "ShulianVerifier.verify(" + json(text).dump() +
                                 ", ShulianVerifier.bytesOfHex('" + genesis_hex_ +
                                 "')).then(r => [r.ok, r.check, r.message])";
  Result<json> page = browser_->Evaluate(expression, kStep);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(*page, json::array({false, "validator_history", cpp.status().message()}));
}

TEST_F(VerifierAgreementTest, APageOpenedFromAFileVerifiesChosenFilesAndShowsAnHtmlNameAsText) {
  // Proves the page itself (file inputs, button, result) verifies a dispute bundle
  // with no server, describes it in words, names the check of a tampered bundle,
  // and inserts a genesis account name that is an HTML payload as text: no element
  // is created from it and no dialog opens.
  const std::filesystem::path dir = browser_->dir() / "files";
  std::filesystem::create_directories(dir);
  const Bytes genesis_bytes = genesis_.Encode();
  std::ofstream(dir / "genesis.bin", std::ios::binary)
      << std::string(genesis_bytes.begin(), genesis_bytes.end());
  json tampered = good_.at("dispute");
  std::string& outcome = tampered["records"][0]["outcome"].get_ref<std::string&>();
  outcome.back() = outcome.back() == '0' ? '1' : '0';
  std::ofstream(dir / "good.json") << good_.at("dispute").dump(2);
  std::ofstream(dir / "tampered.json") << tampered.dump(2);

  auto run = [&](const std::string& bundle_file) -> json {
    Result<json> document = browser_->Call("DOM.getDocument", json::object(), kStep);
    EXPECT_TRUE(document.ok());
    const json root = (*document)["root"]["nodeId"];
    for (const auto& [selector, file] : std::vector<std::pair<std::string, std::string>>{
             {"#bundle", (dir / bundle_file).string()}, {"#genesis", (dir / "genesis.bin").string()}}) {
      Result<json> node =
          browser_->Call("DOM.querySelector", {{"nodeId", root}, {"selector", selector}}, kStep);
      EXPECT_TRUE(node.ok());
      EXPECT_TRUE(
          browser_->Call("DOM.setFileInputFiles", {{"files", {file}}, {"nodeId", (*node)["nodeId"]}}, kStep)
              .ok());
    }
    EXPECT_TRUE(browser_
                    ->Evaluate("document.getElementById('verdict').dataset.done = ''; "
                               "document.getElementById('run').click(); true",
                               kStep)
                    .ok());
    EXPECT_TRUE(browser_->WaitFor("document.getElementById('verdict').dataset.done === 'true'", kStep).ok());
    return browser_
        ->Evaluate(
            "({check: document.getElementById('verdict').dataset.check,"
            " text: document.getElementById('result').textContent,"
            " images: document.querySelectorAll('img').length})",
            kStep)
        .value();
  };

  const json good = run("good.json");
  EXPECT_EQ(good["check"], "");
  const std::string text = good["text"].get<std::string>();
  EXPECT_NE(text.find(kPayload), std::string::npos) << text;  // shown, as text
  EXPECT_NE(text.find("d1"), std::string::npos) << text;
  EXPECT_EQ(good["images"], 0);
  EXPECT_TRUE(browser_->Errors().empty()) << browser_->Errors().front();

  const json bad = run("tampered.json");
  EXPECT_EQ(bad["check"], CppVerdict(tampered.dump(), imported_));
  EXPECT_NE(bad["check"], "");

  if (const char* shots = std::getenv("SHULIAN_SCREENSHOT_DIR")) {
    run("good.json");
    Result<json> shot = browser_->Call("Page.captureScreenshot", {{"format", "png"}}, kStep);
    ASSERT_TRUE(shot.ok());
    ASSERT_TRUE(console_test::WriteBase64File(std::filesystem::path(shots) / "verifier.png",
                                              (*shot)["data"].get<std::string>())
                    .ok());
  }
}

}  // namespace
}  // namespace shulian::ledger::testing
