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
  const shulian::Bytes signing = tx->SigningBytes();
  if (signing.size() != shulian::ledger::kTxDomainTag.size() + size - 64) std::abort();
  (void)tx->Hash();
  return 0;
}
