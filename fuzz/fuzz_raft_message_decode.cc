// Feeds arbitrary bytes to the Raft message and conf-change decoders. Whatever
// decodes must re-encode to exactly the input: one message, one byte form.
#include <cstdint>
#include <algorithm>
#include <cstdlib>

#include "consensus/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shulian::ByteView input(data, size);
  shulian::consensus::MessageLimits limits;
  limits.max_entry_bytes = 1 << 16;
  limits.max_snapshot_bytes = 1 << 16;
  auto message = shulian::consensus::DecodeMessage(input, limits);
  if (message.ok()) {
    shulian::Bytes again = shulian::consensus::EncodeMessage(*message);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  }
  auto change = shulian::consensus::DecodeConfChange(input);
  if (change.ok()) {
    shulian::Bytes again = shulian::consensus::EncodeConfChange(*change);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  }
  return 0;
}
