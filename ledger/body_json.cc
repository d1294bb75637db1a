// The Body half of ledger/tx_json.h (library shulian_bodies).
#include <string>
#include <utility>
#include <variant>

#include "ledger/body_codec.h"
#include "ledger/tx_json.h"

namespace shulian::ledger {
namespace {

using body_codec::Json;

constexpr std::string_view kBodyPath = "body";

template <typename B>
Result<Body> BodyFromJsonAs(const Json& json, const BodyLimits& limits) {
  RETURN_IF_ERROR(body_codec::ExpectJsonType(json, Json::value_t::object, kBodyPath));
  B body;
  body_codec::JsonReader reader(json, limits, std::string(kBodyPath) + ".");
  body_codec::VisitFields(reader, body);
  RETURN_IF_ERROR(reader.Finish());
  return Body(std::move(body));
}

template <size_t I = 0>
Result<Body> BodyFromJsonAt(TxType type, const Json& json, const BodyLimits& limits) {
  if constexpr (I == std::variant_size_v<Body>) {
    return Status::InvalidArgument("no body is defined for transaction type " +
                                   std::to_string(static_cast<unsigned>(type)));
  } else {
    using B = std::variant_alternative_t<I, Body>;
    if (B::kType != type) return BodyFromJsonAt<I + 1>(type, json, limits);
    return BodyFromJsonAs<B>(json, limits);
  }
}

}  // namespace

nlohmann::json BodyToJson(const Body& body) {
  return std::visit(
      [](const auto& b) {
        Json out = Json::object();
        body_codec::JsonWriter writer(out);
        body_codec::VisitFields(writer, b);
        return out;
      },
      body);
}

Result<nlohmann::json> BodyBytesToJson(TxType type, ByteView encoded, const BodyLimits& limits) {
  ASSIGN_OR_RETURN(Body body, DecodeBody(type, encoded, limits));
  return BodyToJson(body);
}

Result<Body> BodyFromJson(TxType type, const nlohmann::json& json, const BodyLimits& limits) {
  return BodyFromJsonAt(type, json, limits);
}

}  // namespace shulian::ledger
