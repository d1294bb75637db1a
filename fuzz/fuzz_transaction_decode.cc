// libFuzzer target for Transaction::Decode. Any input either fails to decode or
// decodes to a transaction whose encoding is exactly the input (one value, one
// byte form); a mismatch aborts. Hashing and signing bytes must not crash either.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ledger/transaction.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const shulian::ByteView input(data, size);
  auto tx = shulian::ledger::Transaction::Decode(input);
  if (!tx.ok()) return 0;
  const shulian::Bytes encoded = tx->Encode();
  if (encoded.size() != size || !std::equal(encoded.begin(), encoded.end(), input.begin())) std::abort();
  // The signing bytes: the version's tag, the genesis hash (version 2 only), then
  // every field but the signature.
  const shulian::crypto::Digest genesis_hash{};
  const bool legacy = tx->version == shulian::ledger::kTxVersionLegacy;
  const size_t tag = legacy ? shulian::ledger::kTxDomainTagV1.size() : shulian::ledger::kTxDomainTagV2.size();
  const shulian::Bytes signing = tx->SigningBytes(genesis_hash);
  if (signing.size() != tag + (legacy ? 0 : genesis_hash.bytes.size()) + size - 64) std::abort();
  (void)tx->Hash();
  return 0;
}
