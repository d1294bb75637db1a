// libFuzzer target for Block::Decode: an input either fails to decode or is the
// canonical encoding of the block it decodes to; a mismatch aborts. Limits are
// kept small so the fuzzer explores structure rather than size.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ledger/block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shulian::ledger::BlockLimits limits;
  limits.transactions_max = 64;
  limits.block_bytes_max = 64 * 1024;
  const shulian::ByteView input(data, size);
  auto block = shulian::ledger::Block::Decode(input, limits);
  if (!block.ok()) return 0;
  const shulian::Bytes encoded = block->Encode();
  if (encoded.size() != size || !std::equal(encoded.begin(), encoded.end(), input.begin())) std::abort();
  if (block->header.tx_count != block->transactions.size()) std::abort();
  (void)block->header.Hash();
  return 0;
}
