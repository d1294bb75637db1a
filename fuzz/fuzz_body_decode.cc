// Fuzzes the body decoder of every transaction type. The first input byte picks the
// type; the rest is the body. Whatever decodes must re-encode to exactly the input
// (one value, one encoding) and survive a JSON round trip unchanged.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/bodies.h"
#include "ledger/tx_json.h"

namespace {

using shulian::ledger::TxType;

const std::vector<TxType>& AllTypes() {
  static const std::vector<TxType> types = [] {
    std::vector<TxType> out;
    for (uint32_t v = 0; v <= 0xFFFF; ++v) {
      if (shulian::ledger::IsKnownTxType(static_cast<uint16_t>(v))) out.push_back(static_cast<TxType>(v));
    }
    return out;
  }();
  return types;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  TxType type = AllTypes()[data[0] % AllTypes().size()];
  shulian::ByteView body(data + 1, size - 1);
  shulian::Result<shulian::ledger::Body> decoded = shulian::ledger::DecodeBody(type, body);
  if (!decoded.ok()) return 0;
  shulian::Bytes reencoded = shulian::ledger::EncodeBody(*decoded);
  if (!std::equal(reencoded.begin(), reencoded.end(), body.begin(), body.end())) std::abort();
  nlohmann::json json = nlohmann::json::parse(shulian::ledger::BodyToJson(*decoded).dump());
  shulian::Result<shulian::ledger::Body> from_json = shulian::ledger::BodyFromJson(type, json);
  if (!from_json.ok() || !(*from_json == *decoded)) std::abort();
  return 0;
}
