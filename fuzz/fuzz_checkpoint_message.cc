// Feeds arbitrary bytes to the peer payload splitter and the checkpoint message
// decoder (node/checkpoint_messages.h). Whatever decodes must re-encode to
// exactly the input: one message, one byte form.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "node/checkpoint_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shulian::ByteView input(data, size);
  auto split = shulian::node::SplitChannel(input);
  if (split.ok() && split->body.size() + 1 != size) std::abort();
  auto message = shulian::node::DecodeCheckpointMessage(input);
  if (message.ok()) {
    shulian::Bytes again = shulian::node::EncodeCheckpointMessage(*message);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  }
  return 0;
}
