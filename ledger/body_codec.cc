#include "ledger/body_codec.h"

#include <algorithm>

namespace shulian::ledger::body_codec {

Status FieldError(std::string_view path, std::string_view message) {
  return Status::InvalidArgument(std::string(path) + ": " + std::string(message));
}

Status ExpectJsonType(const Json& json, Json::value_t type, std::string_view path) {
  if (json.type() == type) return Status::Ok();
  // Name the expected type the way JSON itself names it.
  static constexpr std::pair<Json::value_t, std::string_view> kTypeNames[] = {
      {Json::value_t::string, "string"},   {Json::value_t::boolean, "boolean"},
      {Json::value_t::array, "array"},     {Json::value_t::object, "object"},
      {Json::value_t::number_unsigned, "number"},
  };
  std::string_view expected = "value";
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) expected = name;
  }
  return FieldError(path, "expected " + std::string(expected) + ", got " + std::string(json.type_name()));
}

Status IntegerFromJson(const Json& json, std::string_view path, uint64_t& value) {
  if (json.is_number_unsigned()) {
    value = json.get<uint64_t>();
    return Status::Ok();
  }
  if (json.is_number_integer()) {
    int64_t signed_value = json.get<int64_t>();
    if (signed_value < 0) return FieldError(path, "must not be negative");
    value = static_cast<uint64_t>(signed_value);
    return Status::Ok();
  }
  return FieldError(path, "expected an integer, got " + std::string(json.is_number() ? "a fraction" : json.type_name()));
}

Status JsonReader::Finish() const {
  RETURN_IF_ERROR(status_);
  for (const auto& [key, unused] : object_.items()) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
      return Status::InvalidArgument("unknown key '" + prefix_ + key + "'");
    }
  }
  return Status::Ok();
}

}  // namespace shulian::ledger::body_codec
