// libFuzzer target for the evidence bundle parser and offline verifier
// (ledger/evidence.h). At start it builds one VALID bundle in memory — three
// signed transactions in two blocks, the three Merkle logs, a checkpoint cosigned
// by the three validators of a fixed genesis — and checks that it verifies.
// Each input is then used in one of two ways:
//   - starting with '{': the input is the bundle text itself (arbitrary JSON);
//   - otherwise: 3-byte edits (u16 position, u8 xor mask) applied to the valid
//     bundle's text, which reaches deep into the verifier's checks.
// Nothing may crash or throw; and an edited text that differs from the valid one
// must never verify (that would be a forgery), so that aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "ledger/bodies.h"
#include "ledger/checkpoint.h"
#include "ledger/evidence.h"
#include "ledger/outcome.h"
#include "ledger/validator_set.h"

namespace {

using namespace shulian;
using namespace shulian::ledger;

constexpr char kNetwork[] = "fuzz-net";

crypto::KeyPair Key(std::string_view name) {
  crypto::Digest seed = crypto::Sha256(AsBytes(std::string("fuzz-bundle/") + std::string(name)));
  return std::move(crypto::KeyPair::FromSeed(seed.bytes)).value();
}

struct Fixture {
  ImportedGenesis genesis;
  std::string valid_text;
};

// Signed as version 2, binding the fixture's genesis hash like a real network's.
Transaction SignedTx(const crypto::KeyPair& key, const crypto::Digest& genesis_hash, uint64_t nonce) {
  SuspendAccountBody body;
  body.account_id = "bob";
  body.reason = "fuzz";
  Transaction tx;
  tx.type = TxType::kSuspendAccount;
  tx.network_id = kNetwork;
  tx.sender = "alice";
  tx.client_time_ms = 1'700'000'000'000;
  tx.nonce = nonce;
  tx.body = body.Encode();
  tx.Sign(key, genesis_hash);
  return tx;
}

Fixture Build() {
  if (!crypto::Initialize().ok()) std::abort();
  Fixture f;
  f.genesis.network_id = kNetwork;
  f.genesis.hash = crypto::Sha256(AsBytes("fuzz genesis"));
  crypto::KeyPair alice = Key("alice");
  f.genesis.accounts.push_back({"alice", "320000", "Alice", {1}, alice.public_key()});
  std::vector<crypto::KeyPair> nodes;
  for (uint64_t id = 1; id <= 3; ++id) {
    nodes.push_back(Key("node-" + std::to_string(id)));
    f.genesis.validators.push_back({id, "node", "320000", nodes.back().public_key()});
  }

  std::vector<Bytes> txs, outcomes, headers;
  crypto::MemoryMerkleTree tx_tree, outcome_tree, block_tree;
  for (uint64_t i = 0; i < 3; ++i) {
    txs.push_back(SignedTx(alice, f.genesis.hash, i).Encode());
    TxOutcome outcome;
    outcome.tx_hash = crypto::Sha256(txs.back());
    outcomes.push_back(outcome.Encode());
    tx_tree.AppendLeaf(txs.back());
    outcome_tree.AppendLeaf(outcomes.back());
    if (i == 1 || i == 2) {  // block 1 holds transactions 0 and 1, block 2 holds 2
      BlockHeader header;
      header.height = i == 1 ? 1 : 2;
      header.previous_hash = i == 1 ? f.genesis.hash : crypto::Sha256(headers.back());
      header.time_ms = 1'700'000'000'000 + static_cast<int64_t>(header.height);
      header.proposer = 1;
      header.tx_count = i == 1 ? 2 : 1;
      header.tx_log_size = i + 1;
      header.tx_log_root = tx_tree.Root().value();
      headers.push_back(header.Encode());
      block_tree.AppendLeaf(headers.back());
    }
  }
  CosignedCheckpoint cosigned;
  Checkpoint& cp = cosigned.checkpoint;
  cp.network_id = kNetwork;
  cp.height = 2;
  cp.block_hash = crypto::Sha256(headers.back());
  cp.block_time_ms = 1'700'000'000'002;
  cp.tx_log_size = 3;
  cp.tx_log_root = tx_tree.Root().value();
  cp.outcome_log_size = 3;
  cp.outcome_log_root = outcome_tree.Root().value();
  cp.block_log_root = block_tree.Root().value();
  cp.validator_set_id = ValidatorSet::FromGenesis(f.genesis).value().Id();
  for (uint64_t id = 1; id <= 3; ++id) cosigned.signatures.push_back({id, cp.Sign(nodes[id - 1])});

  EvidenceBundle bundle;
  bundle.network_id = kNetwork;
  bundle.genesis_hash = f.genesis.hash;
  bundle.subject.kind = SubjectKind::kTransaction;
  bundle.subject.tx_hash = crypto::Sha256(txs[2]);
  bundle.checkpoint = cosigned;
  EvidenceRecord record;
  record.log_index = 2;
  record.transaction = txs[2];
  record.outcome = outcomes[2];
  record.tx_proof = crypto::MerkleInclusionProof(tx_tree, 2, 3).value();
  record.outcome_proof = crypto::MerkleInclusionProof(outcome_tree, 2, 3).value();
  record.block_header = headers[1];
  record.block_proof = crypto::MerkleInclusionProof(block_tree, 1, 2).value();
  bundle.records.push_back(record);
  f.valid_text = bundle.ToJson().dump();
  if (!VerifyBundleText(f.valid_text, f.genesis).ok()) std::abort();  // the fixture itself is wrong
  return f;
}

const Fixture& TheFixture() {
  static const Fixture fixture = Build();
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = TheFixture();
  if (size > 0 && data[0] == '{') {
    Result<VerifiedBundle> verified = VerifyBundleText(AsStringView(ByteView(data, size)), f.genesis);
    if (verified.ok()) (void)verified->Describe();
    return 0;
  }
  std::string text = f.valid_text;
  for (size_t i = 0; i + 3 <= size; i += 3) {
    size_t position = (static_cast<size_t>(data[i]) << 8 | data[i + 1]) % text.size();
    text[position] = static_cast<char>(text[position] ^ data[i + 2]);
  }
  Result<VerifiedBundle> verified = VerifyBundleText(text, f.genesis);
  if (verified.ok() && text != f.valid_text) std::abort();  // an edited bundle verified: a forgery
  return 0;
}
