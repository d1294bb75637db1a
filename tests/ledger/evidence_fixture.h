// Fixture for the evidence tests: a real Ledger (LevelDB under the test's mkdtemp
// directory) opened from the state-machine tests' Jiangsu genesis with THREE
// validators (node keys KeyFor("node-1".."node-3")), blocks built and signed by a
// real proposer, and checkpoints cosigned by real validator keys.
#pragma once

#include <gtest/gtest.h>

#include <iostream>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/evidence.h"
#include "ledger/genesis.h"
#include "ledger/genesis_import.h"
#include "ledger/ledger.h"
#include "tests/ledger/sm_fixture.h"
#include "tests/ledger/three_validators.h"

namespace shulian::ledger::testing {

// The failure's check name: the text before the first ':'.
inline std::string CheckOf(const Status& status) {
  return status.message().substr(0, status.message().find(':'));
}

class EvidenceTest : public SmTest {
 protected:
  void SetUp() override {
    SmTest::SetUp();
    genesis_ = ThreeValidatorGenesis();
    genesis_hash_ = genesis_.Hash();
    Result<ImportedGenesis> imported = ImportGenesis(genesis_);
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    imported_ = *imported;
    OpenLedger();
  }
  void TearDown() override {
    ledger_.reset();
    SmTest::TearDown();
  }

  void OpenLedger() {
    Result<std::unique_ptr<Ledger>> opened = Ledger::Open(ledger_path(), genesis_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }
  std::string ledger_path() const { return dir_ + "/ledger"; }

  // Builds, signs (as node 1) and applies one block of `txs` at now_ms_.
  std::vector<TxOutcome> Commit(std::vector<Transaction> txs) {
    Result<Block> block = ledger_->BuildBlock(std::move(txs), now_ms_, 1, KeyFor("node-1"));
    EXPECT_TRUE(block.ok()) << block.status().ToString();
    if (!block.ok()) return {};
    Result<BlockOutcome> applied = ledger_->ApplyBlock(*block);
    EXPECT_TRUE(applied.ok()) << applied.status().ToString();
    if (!applied.ok()) return {};
    blocks_.push_back(*block);
    return applied->outcomes;
  }
  template <typename B>
  Transaction CommitOne(const std::string& sender, const B& body, bool must_accept = true) {
    Transaction tx = MakeTx(sender, body);
    std::vector<TxOutcome> outcomes = Commit({tx});
    EXPECT_EQ(outcomes.size(), 1u);
    if (must_accept && !outcomes.empty()) {
      EXPECT_TRUE(outcomes[0].accepted()) << outcomes[0].message;
    }
    return tx;
  }

  // The checkpoint of `height` signed by each node in `signers` (real keys).
  CosignedCheckpoint Cosign(uint64_t height, std::vector<uint64_t> signers = {1, 2, 3}) {
    Result<Checkpoint> checkpoint = ledger_->CheckpointAt(height);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    CosignedCheckpoint cosigned;
    cosigned.checkpoint = *checkpoint;
    for (uint64_t node : signers) {
      cosigned.signatures.push_back({node, checkpoint->Sign(KeyFor("node-" + std::to_string(node)))});
    }
    return cosigned;
  }
  CosignedCheckpoint CosignHead() { return Cosign(ledger_->height()); }

  // A small ledger (three transactions in two blocks) and a bundle for its last one.
  nlohmann::json SmallTransactionBundle() {
    Commit({MakeTx("tz.prov", AssetBody("a1", "321200")), MakeTx("tz.prov", AssetBody("a2", "321200"))});
    now_ms_ += 1000;
    SuspendAccountBody body;
    body.account_id = "xh.prov";
    body.reason = "audit";
    Transaction tx = CommitOne("op", body, /*must_accept=*/false);
    Result<nlohmann::json> bundle = BuildTransactionBundle(*ledger_, CosignHead(), tx.Hash());
    EXPECT_TRUE(bundle.ok()) << bundle.status().ToString();
    return bundle.ok() ? *bundle : nlohmann::json();
  }

  // Replaces each byte of `text` in turn by each byte of `replacements` (other
  // than itself) and requires that the result never verifies. Prints how each
  // mutation was refused.
  void ExpectEverySingleByteChangeRejected(const std::string& text, const std::string& replacements) {
    ASSERT_TRUE(VerifyBundleText(text, imported_).ok());
    size_t unparsable = 0, refused = 0, expected = 0;
    std::map<std::string, size_t> by_check;
    std::string mutated = text;
    for (size_t i = 0; i < text.size(); ++i) {
      for (char b : replacements) {
        if (b == text[i]) continue;
        ++expected;
        mutated[i] = b;
        // Text that is not JSON fails VerifyBundleText's parse (the same parser);
        // the cheaper syntax-only pass keeps this exhaustive loop fast.
        if (!nlohmann::json::accept(mutated)) {
          ++unparsable;
          continue;
        }
        Result<VerifiedBundle> verified = VerifyBundleText(mutated, imported_);
        ASSERT_FALSE(verified.ok()) << "byte " << i << " set to " << static_cast<int>(static_cast<uint8_t>(b))
                                    << " still verifies";
        ++by_check[CheckOf(verified.status())];
        ++refused;
      }
      mutated[i] = text[i];
    }
    std::string summary = " not-JSON=" + std::to_string(unparsable);
    for (const auto& [check, count] : by_check) summary += " " + check + "=" + std::to_string(count);
    std::cout << "bundle of " << text.size() << " bytes, " << expected << " mutations refused:" << summary << "\n";
    EXPECT_EQ(unparsable + refused, expected);
    EXPECT_GT(refused, text.size());  // many still parse and reach the verifier's checks
  }

  Result<VerifiedBundle> Verify(const nlohmann::json& bundle) { return VerifyBundle(bundle, imported_); }
  Result<VerifiedBundle> Verify(const EvidenceBundle& bundle) { return VerifyBundle(bundle.ToJson(), imported_); }
  EvidenceBundle Parse(const nlohmann::json& json) {
    Result<EvidenceBundle> bundle = ParseBundle(json);
    EXPECT_TRUE(bundle.ok()) << bundle.status().ToString();
    return bundle.ok() ? *bundle : EvidenceBundle{};
  }

  Genesis genesis_;
  ImportedGenesis imported_;
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace shulian::ledger::testing
