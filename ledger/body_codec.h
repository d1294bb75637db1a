// Internal to the bodies library (bodies*.cc, body_json.cc, tx_json.cc): the one
// description of every body's fields from which its binary encoding, its
// validation and its JSON form are all derived, so the three cannot disagree.
//
// A field codec knows how one field's value is written, read, checked and
// converted to and from JSON:
//   void   Write(ByteWriter&, const Value&) const
//   Status Read(ByteReader&, const BodyLimits&, std::string_view path, Value&) const
//   Status Check(const BodyLimits&, std::string_view path, const Value&) const
//   Json   ToJson(const Value&) const
//   Status FromJson(const Json&, const BodyLimits&, std::string_view path, Value&) const
// Read and FromJson check what they produce. `path` names the field in errors
// ("body.terms.fields[2]").
//
// VisitFields(visitor, body) calls visitor(name, field, codec) for each field in
// encoding order; it is written once per body struct, below.
//
// Thread-safety: stateless codecs; a visitor belongs to one call.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "ledger/bodies.h"

namespace shulian::ledger::body_codec {

using Json = nlohmann::json;

Status FieldError(std::string_view path, std::string_view message);
Status ExpectJsonType(const Json& json, Json::value_t type, std::string_view path);

// ---------- scalar codecs ----------

// Shared by the string-valued codecs: reading is bounded by `max_bytes` before
// allocating; Check does the rest.
template <typename Codec>
Status ReadStringField(const Codec& codec, ByteReader& reader, const BodyLimits& limits,
                       std::string_view path, size_t max_bytes, std::string& value) {
  Result<std::string> read = reader.GetString(max_bytes);
  if (!read.ok()) return read.status().WithContext(path);
  value = std::move(read).value();
  return codec.Check(limits, path, value);
}

template <typename Codec>
Status StringFromJson(const Codec& codec, const Json& json, const BodyLimits& limits,
                      std::string_view path, std::string& value) {
  RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::string, path));
  value = json.get<std::string>();
  return codec.Check(limits, path, value);
}

// An entity id: [a-z0-9._-], 1..id_bytes_max.
struct IdCodec {
  using Value = std::string;
  void Write(ByteWriter& writer, const Value& value) const { writer.PutString(value); }
  Status Check(const BodyLimits& limits, std::string_view path, const Value& value) const {
    return ValidateEntityId(path, value, limits.id_bytes_max);
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    return ReadStringField(*this, reader, limits, path, limits.id_bytes_max, value);
  }
  Json ToJson(const Value& value) const { return value; }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    return StringFromJson(*this, json, limits, path, value);
  }
};

// An administrative division code: six digits.
struct DivisionCodec {
  using Value = std::string;
  static constexpr size_t kBytes = 6;
  void Write(ByteWriter& writer, const Value& value) const { writer.PutString(value); }
  Status Check(const BodyLimits&, std::string_view path, const Value& value) const {
    return ValidateDivisionCode(path, value);
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    return ReadStringField(*this, reader, limits, path, kBytes, value);
  }
  Json ToJson(const Value& value) const { return value; }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    return StringFromJson(*this, json, limits, path, value);
  }
};

// Human text bounded by one of the limits; `required` forbids the empty string.
struct TextCodec {
  using Value = std::string;
  size_t BodyLimits::*max_bytes;
  bool required;
  void Write(ByteWriter& writer, const Value& value) const { writer.PutString(value); }
  Status Check(const BodyLimits& limits, std::string_view path, const Value& value) const {
    return ValidateText(path, value, limits.*max_bytes, required);
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    return ReadStringField(*this, reader, limits, path, limits.*max_bytes, value);
  }
  Json ToJson(const Value& value) const { return value; }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    return StringFromJson(*this, json, limits, path, value);
  }
};

template <typename E>
std::string EnumChoices() {
  std::string out;
  for (const auto& [value, name] : EnumInfo<E>::kNames) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// One byte on the wire, its wire name in JSON.
template <typename E>
struct EnumCodec {
  using Value = E;
  void Write(ByteWriter& writer, Value value) const { writer.PutU8(static_cast<uint8_t>(value)); }
  Status Check(const BodyLimits&, std::string_view path, Value value) const {
    if (EnumFromValue<E>(static_cast<uint8_t>(value))) return Status::Ok();
    return FieldError(path, "unknown " + std::string(EnumInfo<E>::kWhat) + " value " +
                                std::to_string(static_cast<unsigned>(value)));
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    Result<uint8_t> raw = reader.GetU8();
    if (!raw.ok()) return raw.status().WithContext(path);
    value = static_cast<E>(*raw);
    return Check(limits, path, value);
  }
  Json ToJson(Value value) const { return std::string(EnumName(value)); }
  Status FromJson(const Json& json, const BodyLimits&, std::string_view path, Value& value) const {
    RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::string, path));
    std::optional<E> parsed = EnumFromName<E>(json.get<std::string>());
    if (!parsed) {
      return FieldError(path, "unknown " + std::string(EnumInfo<E>::kWhat) + " '" + json.get<std::string>() +
                                  "' (expected one of: " + EnumChoices<E>() + ")");
    }
    value = *parsed;
    return Status::Ok();
  }
};

struct BoolCodec {
  using Value = bool;
  void Write(ByteWriter& writer, Value value) const { writer.PutBool(value); }
  Status Check(const BodyLimits&, std::string_view, Value) const { return Status::Ok(); }
  Status Read(ByteReader& reader, const BodyLimits&, std::string_view path, Value& value) const {
    Result<bool> read = reader.GetBool();
    if (!read.ok()) return read.status().WithContext(path);
    value = *read;
    return Status::Ok();
  }
  Json ToJson(Value value) const { return value; }
  Status FromJson(const Json& json, const BodyLimits&, std::string_view path, Value& value) const {
    RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::boolean, path));
    value = json.get<bool>();
    return Status::Ok();
  }
};

Status IntegerFromJson(const Json& json, std::string_view path, uint64_t& value);

// A fixed-width unsigned integer in [min, max]; when `limit_max` is set, the
// network's limit replaces `max`. JSON: a number.
template <typename T>
struct IntCodec {
  using Value = T;
  T min;
  T max;
  uint32_t BodyLimits::*limit_max = nullptr;

  T Max(const BodyLimits& limits) const {
    return limit_max == nullptr ? max : static_cast<T>(std::min<uint64_t>(max, limits.*limit_max));
  }
  void Write(ByteWriter& writer, Value value) const {
    if constexpr (sizeof(T) == 4) {
      writer.PutU32(value);
    } else {
      writer.PutU64(value);
    }
  }
  Status Check(const BodyLimits& limits, std::string_view path, Value value) const {
    if (value < min || value > Max(limits)) {
      return FieldError(path, std::to_string(value) + " is outside [" + std::to_string(min) + ", " +
                                  std::to_string(Max(limits)) + "]");
    }
    return Status::Ok();
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    if constexpr (sizeof(T) == 4) {
      Result<uint32_t> read = reader.GetU32();
      if (!read.ok()) return read.status().WithContext(path);
      value = *read;
    } else {
      Result<uint64_t> read = reader.GetU64();
      if (!read.ok()) return read.status().WithContext(path);
      value = *read;
    }
    return Check(limits, path, value);
  }
  Json ToJson(Value value) const { return value; }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    uint64_t parsed = 0;
    RETURN_IF_ERROR(IntegerFromJson(json, path, parsed));
    if (parsed > Max(limits)) {
      return FieldError(path, std::to_string(parsed) + " is above " + std::to_string(Max(limits)));
    }
    value = static_cast<T>(parsed);
    return Check(limits, path, value);
  }
};

// A fixed-size value with an N-byte `bytes` array (Digest, PublicKey, Signature):
// raw on the wire, 2N hex characters in JSON.
template <typename T, size_t N>
struct FixedBytesCodec {
  using Value = T;
  void Write(ByteWriter& writer, const Value& value) const { writer.PutFixed(value.bytes); }
  Status Check(const BodyLimits&, std::string_view, const Value&) const { return Status::Ok(); }
  Status Read(ByteReader& reader, const BodyLimits&, std::string_view path, Value& value) const {
    Result<std::array<uint8_t, N>> read = reader.GetArray<N>();
    if (!read.ok()) return read.status().WithContext(path);
    value.bytes = *read;
    return Status::Ok();
  }
  Json ToJson(const Value& value) const { return ToHex(value.bytes); }
  Status FromJson(const Json& json, const BodyLimits&, std::string_view path, Value& value) const {
    RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::string, path));
    Result<std::array<uint8_t, N>> parsed = FixedFromHex<N>(json.get<std::string>());
    if (!parsed.ok()) return parsed.status().WithContext(path);
    value.bytes = *parsed;
    return Status::Ok();
  }
};
template <typename T>
using Fixed32Codec = FixedBytesCodec<T, 32>;
// An Ed25519 signature (a rotation's proof of the new key).
using SignatureCodec = FixedBytesCodec<crypto::Signature, 64>;

// Opaque bytes (an encoded policy or calendar): hex in JSON.
struct BlobCodec {
  using Value = Bytes;
  size_t BodyLimits::*max_bytes;
  bool required;
  void Write(ByteWriter& writer, const Value& value) const { writer.PutBytes(value); }
  Status Check(const BodyLimits& limits, std::string_view path, const Value& value) const {
    if (value.size() > limits.*max_bytes) {
      return FieldError(path, std::to_string(value.size()) + " bytes, limit is " +
                                  std::to_string(limits.*max_bytes));
    }
    if (required && value.empty()) return FieldError(path, "must not be empty");
    return Status::Ok();
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    Result<ByteView> read = reader.GetBytes(limits.*max_bytes);
    if (!read.ok()) return read.status().WithContext(path);
    value.assign(read->begin(), read->end());
    return Check(limits, path, value);
  }
  Json ToJson(const Value& value) const { return ToHex(value); }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::string, path));
    Result<Bytes> parsed = FromHex(json.get<std::string>());
    if (!parsed.ok()) return parsed.status().WithContext(path);
    value = std::move(parsed).value();
    return Check(limits, path, value);
  }
};

// ---------- composite codecs ----------

// u8 0 (absent) or u8 1 ‖ value; JSON null (or the key left out) when absent.
template <typename Inner>
struct OptionalCodec {
  using Value = std::optional<typename Inner::Value>;
  Inner inner;
  void Write(ByteWriter& writer, const Value& value) const {
    writer.PutBool(value.has_value());
    if (value) inner.Write(writer, *value);
  }
  Status Check(const BodyLimits& limits, std::string_view path, const Value& value) const {
    return value ? inner.Check(limits, path, *value) : Status::Ok();
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    Result<bool> present = reader.GetBool();
    if (!present.ok()) return present.status().WithContext(path);
    if (!*present) {
      value.reset();
      return Status::Ok();
    }
    value.emplace();
    return inner.Read(reader, limits, path, *value);
  }
  Json ToJson(const Value& value) const { return value ? inner.ToJson(*value) : Json(nullptr); }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    if (json.is_null()) {
      value.reset();
      return Status::Ok();
    }
    value.emplace();
    return inner.FromJson(json, limits, path, *value);
  }
};

// An optional field added to a body after the body was first defined. It must be
// the body's last field: absent, it is encoded as nothing (so encodings made before
// it existed still decode, and mean the same); present, as u8 1 ‖ value. A
// trailing 0 byte is refused, so absence keeps exactly one encoding. Its JSON key
// is omitted when absent, as before the field existed.
template <typename Inner>
struct TrailingOptionalCodec {
  using Value = std::optional<typename Inner::Value>;
  Inner inner;
  void Write(ByteWriter& writer, const Value& value) const {
    if (!value) return;
    writer.PutBool(true);
    inner.Write(writer, *value);
  }
  Status Check(const BodyLimits& limits, std::string_view path, const Value& value) const {
    return value ? inner.Check(limits, path, *value) : Status::Ok();
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    value.reset();
    if (reader.remaining() == 0) return Status::Ok();
    Result<uint8_t> present = reader.GetU8();
    if (!present.ok()) return present.status().WithContext(path);
    if (*present != 1) return FieldError(path, "present flag must be 1 (an absent trailing field is no bytes)");
    value.emplace();
    return inner.Read(reader, limits, path, *value);
  }
  Json ToJson(const Value& value) const { return value ? inner.ToJson(*value) : Json(nullptr); }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    if (json.is_null()) {
      value.reset();
      return Status::Ok();
    }
    value.emplace();
    return inner.FromJson(json, limits, path, *value);
  }
};

template <typename C>
inline constexpr bool kIsOptionalCodec = false;
template <typename Inner>
inline constexpr bool kIsOptionalCodec<OptionalCodec<Inner>> = true;
template <typename Inner>
inline constexpr bool kIsOptionalCodec<TrailingOptionalCodec<Inner>> = true;
template <typename C>
inline constexpr bool kIsTrailingCodec = false;
template <typename Inner>
inline constexpr bool kIsTrailingCodec<TrailingOptionalCodec<Inner>> = true;

inline std::string ItemPath(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

// u32 count ‖ items; count in [min_items, list_items_max]; `unique` makes it a set.
template <typename Item>
struct ListCodec {
  using Value = std::vector<typename Item::Value>;
  Item item;
  size_t min_items;
  bool unique;

  void Write(ByteWriter& writer, const Value& value) const {
    writer.PutU32(static_cast<uint32_t>(value.size()));
    for (const auto& element : value) item.Write(writer, element);
  }
  Status CheckShape(const BodyLimits& limits, std::string_view path, const Value& value) const {
    if (value.size() > limits.list_items_max) {
      return FieldError(path, std::to_string(value.size()) + " items, limit is " +
                                  std::to_string(limits.list_items_max));
    }
    if (value.size() < min_items) {
      return FieldError(path, "needs at least " + std::to_string(min_items) + " item(s)");
    }
    if (!unique) return Status::Ok();
    // Lists are at most list_items_max long, so the quadratic scan is bounded.
    for (size_t i = 1; i < value.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (value[i] == value[j]) {
          return FieldError(ItemPath(path, i), "duplicates item " + std::to_string(j));
        }
      }
    }
    return Status::Ok();
  }
  Status Check(const BodyLimits& limits, std::string_view path, const Value& value) const {
    for (size_t i = 0; i < value.size(); ++i) RETURN_IF_ERROR(item.Check(limits, ItemPath(path, i), value[i]));
    return CheckShape(limits, path, value);
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    Result<uint32_t> count = reader.GetU32();
    if (!count.ok()) return count.status().WithContext(path);
    if (*count > limits.list_items_max) {
      return FieldError(path, std::to_string(*count) + " items, limit is " + std::to_string(limits.list_items_max));
    }
    value.assign(*count, typename Item::Value{});
    for (size_t i = 0; i < value.size(); ++i) RETURN_IF_ERROR(item.Read(reader, limits, ItemPath(path, i), value[i]));
    return CheckShape(limits, path, value);
  }
  Json ToJson(const Value& value) const {
    Json out = Json::array();
    for (const auto& element : value) out.push_back(item.ToJson(element));
    return out;
  }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::array, path));
    if (json.size() > limits.list_items_max) {
      return FieldError(path, std::to_string(json.size()) + " items, limit is " +
                                  std::to_string(limits.list_items_max));
    }
    value.assign(json.size(), typename Item::Value{});
    for (size_t i = 0; i < value.size(); ++i) {
      RETURN_IF_ERROR(item.FromJson(json[i], limits, ItemPath(path, i), value[i]));
    }
    return CheckShape(limits, path, value);
  }
};

// ---------- visitors ----------

class Encoder {
 public:
  explicit Encoder(ByteWriter& writer) : writer_(writer) {}
  template <typename T, typename C>
  void operator()(std::string_view, const T& value, const C& codec) {
    codec.Write(writer_, value);
  }

 private:
  ByteWriter& writer_;
};

class Decoder {
 public:
  Decoder(ByteReader& reader, const BodyLimits& limits, std::string prefix)
      : reader_(reader), limits_(limits), prefix_(std::move(prefix)) {}
  template <typename T, typename C>
  void operator()(std::string_view name, T& value, const C& codec) {
    if (status_.ok()) status_ = codec.Read(reader_, limits_, prefix_ + std::string(name), value);
  }
  const Status& status() const { return status_; }

 private:
  ByteReader& reader_;
  const BodyLimits& limits_;
  std::string prefix_;
  Status status_;
};

class Checker {
 public:
  Checker(const BodyLimits& limits, std::string prefix) : limits_(limits), prefix_(std::move(prefix)) {}
  template <typename T, typename C>
  void operator()(std::string_view name, const T& value, const C& codec) {
    if (status_.ok()) status_ = codec.Check(limits_, prefix_ + std::string(name), value);
  }
  const Status& status() const { return status_; }

 private:
  const BodyLimits& limits_;
  std::string prefix_;
  Status status_;
};

class JsonWriter {
 public:
  explicit JsonWriter(Json& object) : object_(object) {}
  template <typename T, typename C>
  void operator()(std::string_view name, const T& value, const C& codec) {
    if constexpr (kIsTrailingCodec<C>) {
      if (!value) return;  // the JSON form a body had before the field existed
    }
    object_[std::string(name)] = codec.ToJson(value);
  }

 private:
  Json& object_;
};

// Reads the fields of one JSON object. A key the struct does not have is an error,
// as is a missing key unless the field is optional.
class JsonReader {
 public:
  JsonReader(const Json& object, const BodyLimits& limits, std::string prefix)
      : object_(object), limits_(limits), prefix_(std::move(prefix)) {}
  template <typename T, typename C>
  void operator()(std::string_view name, T& value, const C& codec) {
    known_.push_back(name);
    if (!status_.ok()) return;
    std::string path = prefix_ + std::string(name);
    auto it = object_.find(std::string(name));
    if (it == object_.end()) {
      if constexpr (kIsOptionalCodec<C>) {
        value.reset();
      } else {
        status_ = FieldError(path, "missing required key");
      }
      return;
    }
    status_ = codec.FromJson(*it, limits_, path, value);
  }
  // The first field error, else an error naming the first unknown key.
  Status Finish() const;

 private:
  const Json& object_;
  const BodyLimits& limits_;
  std::string prefix_;
  std::vector<std::string_view> known_;
  Status status_;
};

// ---------- nested structs ----------

template <typename S, typename T>
concept BodyStruct = std::same_as<std::remove_const_t<S>, T>;

// A struct nested in a body: its fields in order on the wire, an object in JSON.
template <typename T>
struct StructCodec {
  using Value = T;
  void Write(ByteWriter& writer, const Value& value) const {
    Encoder encoder(writer);
    VisitFields(encoder, value);
  }
  Status Check(const BodyLimits& limits, std::string_view path, const Value& value) const {
    Checker checker(limits, std::string(path) + ".");
    VisitFields(checker, value);
    return checker.status();
  }
  Status Read(ByteReader& reader, const BodyLimits& limits, std::string_view path, Value& value) const {
    Decoder decoder(reader, limits, std::string(path) + ".");
    VisitFields(decoder, value);
    return decoder.status();
  }
  Json ToJson(const Value& value) const {
    Json out = Json::object();
    JsonWriter writer(out);
    VisitFields(writer, value);
    return out;
  }
  Status FromJson(const Json& json, const BodyLimits& limits, std::string_view path, Value& value) const {
    RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::object, path));
    JsonReader reader(json, limits, std::string(path) + ".");
    VisitFields(reader, value);
    return reader.Finish();
  }
};

// ---------- the codecs fields use ----------

inline constexpr IdCodec kId{};
inline constexpr OptionalCodec<IdCodec> kOptionalId{};
inline constexpr DivisionCodec kDivision{};
inline constexpr OptionalCodec<DivisionCodec> kOptionalDivision{};
inline constexpr TextCodec kName{&BodyLimits::name_bytes_max, true};
inline constexpr OptionalCodec<TextCodec> kOptionalName{kName};
inline constexpr TextCodec kRequiredText{&BodyLimits::text_bytes_max, true};
inline constexpr TextCodec kText{&BodyLimits::text_bytes_max, false};
inline constexpr OptionalCodec<TextCodec> kOptionalText{kText};
inline constexpr TextCodec kNameOrEmpty{&BodyLimits::name_bytes_max, false};
inline constexpr Fixed32Codec<crypto::Digest> kDigest{};
inline constexpr OptionalCodec<Fixed32Codec<crypto::Digest>> kOptionalDigest{};
inline constexpr TrailingOptionalCodec<Fixed32Codec<crypto::Digest>> kTrailingDigest{};
inline constexpr Fixed32Codec<crypto::PublicKey> kPublicKey{};
inline constexpr SignatureCodec kSignature{};
inline constexpr BoolCodec kBool{};
inline constexpr IntCodec<uint64_t> kSizeBytes{0, kJsonIntegerMax};
inline constexpr IntCodec<uint64_t> kNodeId{1, kJsonIntegerMax};
inline constexpr TrailingOptionalCodec<IntCodec<uint64_t>> kTrailingTimeMs{{0, kJsonIntegerMax}};
inline constexpr IntCodec<uint32_t> kDays{1, UINT32_MAX, &BodyLimits::duration_days_max};
inline constexpr OptionalCodec<IntCodec<uint32_t>> kOptionalVersion{{1, UINT32_MAX}};
inline constexpr BlobCodec kOpaque{&BodyLimits::opaque_bytes_max, true};
// Field names: a non-empty set; or possibly empty where "none named" makes sense.
inline constexpr ListCodec<TextCodec> kFieldSet{kName, 1, true};
inline constexpr ListCodec<TextCodec> kFieldSetOrEmpty{kName, 0, true};
inline constexpr OptionalCodec<ListCodec<TextCodec>> kOptionalFieldSet{kFieldSet};
inline constexpr ListCodec<EnumCodec<Role>> kRoles{{}, 1, true};
inline constexpr ListCodec<Fixed32Codec<crypto::Digest>> kDigestSet{{}, 1, true};
template <typename E>
inline constexpr EnumCodec<E> kEnum{};
template <typename E>
inline constexpr OptionalCodec<EnumCodec<E>> kOptionalEnum{};

// ---------- the fields of every body, in encoding order ----------

template <typename V, BodyStruct<RegisterAuthorityBody> S>
void VisitFields(V& v, S& s) {
  v("division_code", s.division_code, kDivision);
  v("name", s.name, kName);
  v("level", s.level, kEnum<AuthorityLevel>);
  v("parent_code", s.parent_code, kOptionalDivision);
}

template <typename V, BodyStruct<RegisterAccountBody> S>
void VisitFields(V& v, S& s) {
  v("account_id", s.account_id, kId);
  v("authority", s.authority, kDivision);
  v("roles", s.roles, kRoles);
  v("public_key", s.public_key, kPublicKey);
  v("display_name", s.display_name, kName);
  v("organisation", s.organisation, kNameOrEmpty);
}

template <typename V, BodyStruct<SuspendAccountBody> S>
void VisitFields(V& v, S& s) {
  v("account_id", s.account_id, kId);
  v("reason", s.reason, kRequiredText);
  v("legal_basis", s.legal_basis, kText);
}

template <typename V, BodyStruct<ReinstateAccountBody> S>
void VisitFields(V& v, S& s) {
  v("account_id", s.account_id, kId);
  v("reason", s.reason, kRequiredText);
}

template <typename V, BodyStruct<RotateValidatorKeyBody> S>
void VisitFields(V& v, S& s) {
  v("node_id", s.node_id, kNodeId);
  v("new_public_key", s.new_public_key, kPublicKey);
  v("proof", s.proof, kSignature);
}

template <typename V, BodyStruct<RotateKeyBody> S>
void VisitFields(V& v, S& s) {
  v("account_id", s.account_id, kId);
  v("new_public_key", s.new_public_key, kPublicKey);
}

template <typename V, BodyStruct<SetPolicyBody> S>
void VisitFields(V& v, S& s) {
  v("authority", s.authority, kDivision);
  v("policy", s.policy, kOpaque);
}

template <typename V, BodyStruct<SetCalendarBody> S>
void VisitFields(V& v, S& s) {
  v("calendar_id", s.calendar_id, kId);
  v("calendar", s.calendar, kOpaque);
}

template <typename V, BodyStruct<AddValidatorBody> S>
void VisitFields(V& v, S& s) {
  v("node_id", s.node_id, kNodeId);
  v("name", s.name, kName);
  v("authority", s.authority, kDivision);
  v("public_key", s.public_key, kPublicKey);
}

template <typename V, BodyStruct<RemoveValidatorBody> S>
void VisitFields(V& v, S& s) {
  v("node_id", s.node_id, kNodeId);
  v("reason", s.reason, kRequiredText);
}

template <typename V, BodyStruct<RegisterAssetBody> S>
void VisitFields(V& v, S& s) {
  v("asset_id", s.asset_id, kId);
  v("provider_authority", s.provider_authority, kDivision);
  v("source_department", s.source_department, kName);
  v("dataset_code", s.dataset_code, kId);
  v("name", s.name, kName);
  v("description", s.description, kText);
  v("resource_type", s.resource_type, kEnum<ResourceType>);
  v("grade", s.grade, kEnum<ClassificationGrade>);
  v("contains_personal_data", s.contains_personal_data, kBool);
  v("fields", s.fields, kFieldSet);
  v("format", s.format, kName);
  v("update_frequency", s.update_frequency, kEnum<UpdateFrequency>);
  v("share_type", s.share_type, kEnum<ShareType>);
  v("share_reason", s.share_reason, kText);
  v("share_legal_basis", s.share_legal_basis, kText);
  v("open_type", s.open_type, kEnum<OpenType>);
  v("open_reason", s.open_reason, kText);
  v("open_legal_basis", s.open_legal_basis, kText);
  v("content_hash", s.content_hash, kDigest);
  v("size_bytes", s.size_bytes, kSizeBytes);
}

template <typename V, BodyStruct<PublishAssetVersionBody> S>
void VisitFields(V& v, S& s) {
  v("asset_id", s.asset_id, kId);
  v("content_hash", s.content_hash, kDigest);
  v("size_bytes", s.size_bytes, kSizeBytes);
  v("change_note", s.change_note, kRequiredText);
  v("name", s.name, kOptionalName);
  v("description", s.description, kOptionalText);
  v("fields", s.fields, kOptionalFieldSet);
  v("format", s.format, kOptionalName);
  v("update_frequency", s.update_frequency, kOptionalEnum<UpdateFrequency>);
  v("grade", s.grade, kOptionalEnum<ClassificationGrade>);
}

template <typename V, BodyStruct<ChangeAssetTypesBody> S>
void VisitFields(V& v, S& s) {
  v("asset_id", s.asset_id, kId);
  v("share_type", s.share_type, kEnum<ShareType>);
  v("share_reason", s.share_reason, kText);
  v("share_legal_basis", s.share_legal_basis, kText);
  v("open_type", s.open_type, kEnum<OpenType>);
  v("open_reason", s.open_reason, kText);
  v("open_legal_basis", s.open_legal_basis, kText);
}

template <typename V, BodyStruct<RetireAssetBody> S>
void VisitFields(V& v, S& s) {
  v("asset_id", s.asset_id, kId);
  v("reason", s.reason, kRequiredText);
  v("legal_basis", s.legal_basis, kText);
}

template <typename V, BodyStruct<DestroyAssetBody> S>
void VisitFields(V& v, S& s) {
  v("asset_id", s.asset_id, kId);
  v("reason", s.reason, kRequiredText);
  v("legal_basis", s.legal_basis, kText);
  v("destruction_record_hash", s.destruction_record_hash, kDigest);
}

template <typename V, BodyStruct<GrantTerms> S>
void VisitFields(V& v, S& s) {
  v("fields", s.fields, kFieldSet);
  v("business_scenario", s.business_scenario, kRequiredText);
  v("duration_days", s.duration_days, kDays);
  v("mode", s.mode, kEnum<AccessMode>);
  v("desensitised", s.desensitised, kBool);
}

inline constexpr StructCodec<GrantTerms> kGrantTerms{};
inline constexpr OptionalCodec<StructCodec<GrantTerms>> kOptionalGrantTerms{};

template <typename V, BodyStruct<RequestShareBody> S>
void VisitFields(V& v, S& s) {
  v("request_id", s.request_id, kId);
  v("asset_id", s.asset_id, kId);
  v("purpose", s.purpose, kRequiredText);
  v("business_scenario", s.business_scenario, kRequiredText);
  v("fields", s.fields, kFieldSet);
  v("mode", s.mode, kEnum<AccessMode>);
  v("duration_days", s.duration_days, kDays);
}

template <typename V, BodyStruct<ApproveShareBody> S>
void VisitFields(V& v, S& s) {
  v("request_id", s.request_id, kId);
  v("terms", s.terms, kGrantTerms);
  v("conditions", s.conditions, kText);
}

template <typename V, BodyStruct<RefuseShareBody> S>
void VisitFields(V& v, S& s) {
  v("request_id", s.request_id, kId);
  v("legal_basis", s.legal_basis, kRequiredText);
  v("reason", s.reason, kRequiredText);
}

template <typename V, BodyStruct<ConsentCopyBody> S>
void VisitFields(V& v, S& s) {
  v("request_id", s.request_id, kId);
  v("decision", s.decision, kEnum<Decision>);
  v("reason", s.reason, kText);
}

template <typename V, BodyStruct<DecideOverdueShareBody> S>
void VisitFields(V& v, S& s) {
  v("request_id", s.request_id, kId);
  v("decision", s.decision, kEnum<Decision>);
  v("terms", s.terms, kOptionalGrantTerms);
  v("reason", s.reason, kRequiredText);
  v("legal_basis", s.legal_basis, kText);
}

template <typename V, BodyStruct<SuspendGrantBody> S>
void VisitFields(V& v, S& s) {
  v("grant_id", s.grant_id, kId);
  v("reason", s.reason, kRequiredText);
  v("legal_basis", s.legal_basis, kText);
}

template <typename V, BodyStruct<ResumeGrantBody> S>
void VisitFields(V& v, S& s) {
  v("grant_id", s.grant_id, kId);
  v("reason", s.reason, kRequiredText);
}

template <typename V, BodyStruct<RevokeGrantBody> S>
void VisitFields(V& v, S& s) {
  v("grant_id", s.grant_id, kId);
  v("reason", s.reason, kRequiredText);
  v("legal_basis", s.legal_basis, kText);
}

template <typename V, BodyStruct<DeliverShareBody> S>
void VisitFields(V& v, S& s) {
  v("grant_id", s.grant_id, kId);
  v("delivery_digest", s.delivery_digest, kOptionalDigest);
  v("note", s.note, kText);
}

template <typename V, BodyStruct<RequestAggregationBody> S>
void VisitFields(V& v, S& s) {
  v("demand_id", s.demand_id, kId);
  v("provider_authority", s.provider_authority, kDivision);
  v("department", s.department, kName);
  v("description", s.description, kRequiredText);
  v("fields", s.fields, kFieldSetOrEmpty);
  v("purpose", s.purpose, kRequiredText);
  v("business_scenario", s.business_scenario, kRequiredText);
}

template <typename V, BodyStruct<AnswerAggregationBody> S>
void VisitFields(V& v, S& s) {
  v("demand_id", s.demand_id, kId);
  v("decision", s.decision, kEnum<Decision>);
  v("reason", s.reason, kText);
  v("legal_basis", s.legal_basis, kText);
}

template <typename V, BodyStruct<DeliverAggregationBody> S>
void VisitFields(V& v, S& s) {
  v("demand_id", s.demand_id, kId);
  v("asset_id", s.asset_id, kId);
}

template <typename V, BodyStruct<ApplyOpenBody> S>
void VisitFields(V& v, S& s) {
  v("application_id", s.application_id, kId);
  v("asset_id", s.asset_id, kId);
  v("purpose", s.purpose, kRequiredText);
  v("use_scenario", s.use_scenario, kRequiredText);
  v("fields", s.fields, kFieldSetOrEmpty);
}

template <typename V, BodyStruct<DecideOpenBody> S>
void VisitFields(V& v, S& s) {
  v("application_id", s.application_id, kId);
  v("decision", s.decision, kEnum<Decision>);
  v("reason", s.reason, kText);
  v("legal_basis", s.legal_basis, kText);
  v("agreement_hash", s.agreement_hash, kOptionalDigest);
}

template <typename V, BodyStruct<RequestOpenReviewBody> S>
void VisitFields(V& v, S& s) {
  v("application_id", s.application_id, kId);
  v("reason", s.reason, kRequiredText);
}

template <typename V, BodyStruct<DecideOpenReviewBody> S>
void VisitFields(V& v, S& s) {
  v("application_id", s.application_id, kId);
  v("decision", s.decision, kEnum<Decision>);
  v("reason", s.reason, kRequiredText);
  v("legal_basis", s.legal_basis, kText);
  v("agreement_hash", s.agreement_hash, kOptionalDigest);
}

template <typename V, BodyStruct<RecordAccessBody> S>
void VisitFields(V& v, S& s) {
  v("grant_id", s.grant_id, kOptionalId);
  v("asset_id", s.asset_id, kId);
  v("purpose", s.purpose, kRequiredText);
  v("business_scenario", s.business_scenario, kRequiredText);
  v("fields", s.fields, kFieldSet);
  v("row_count", s.row_count, kSizeBytes);
  v("result_digest", s.result_digest, kDigest);
  v("mode", s.mode, kEnum<AccessMode>);
  v("third_party", s.third_party, kBool);
  v("subject_authorisation_hash", s.subject_authorisation_hash, kTrailingDigest);  // added: stays last
}

template <typename V, BodyStruct<RaiseObjectionBody> S>
void VisitFields(V& v, S& s) {
  v("objection_id", s.objection_id, kId);
  v("asset_id", s.asset_id, kId);
  v("kind", s.kind, kEnum<ObjectionKind>);
  v("fields", s.fields, kFieldSetOrEmpty);
  v("description_hash", s.description_hash, kDigest);
  v("discovered_ms", s.discovered_ms, kTrailingTimeMs);  // added: stays last
}

template <typename V, BodyStruct<AnswerObjectionBody> S>
void VisitFields(V& v, S& s) {
  v("objection_id", s.objection_id, kId);
  v("answer", s.answer, kEnum<ObjectionAnswer>);
  v("reason", s.reason, kRequiredText);
  v("new_version", s.new_version, kOptionalVersion);
}

template <typename V, BodyStruct<EscalateObjectionBody> S>
void VisitFields(V& v, S& s) {
  v("objection_id", s.objection_id, kId);
  v("reason", s.reason, kRequiredText);
}

template <typename V, BodyStruct<OpenDisputeBody> S>
void VisitFields(V& v, S& s) {
  v("dispute_id", s.dispute_id, kId);
  v("subject", s.subject, kName);
  v("record_refs", s.record_refs, kDigestSet);
}

template <typename V, BodyStruct<DisputeOrder> S>
void VisitFields(V& v, S& s) {
  v("kind", s.kind, kEnum<OrderKind>);
  v("target_kind", s.target_kind, kEnum<TargetKind>);
  v("target_id", s.target_id, kId);
  v("detail", s.detail, kText);
}

inline constexpr ListCodec<StructCodec<DisputeOrder>> kOrders{{}, 0, false};

template <typename V, BodyStruct<CloseDisputeBody> S>
void VisitFields(V& v, S& s) {
  v("dispute_id", s.dispute_id, kId);
  v("ruling_hash", s.ruling_hash, kDigest);
  v("summary", s.summary, kRequiredText);
  v("orders", s.orders, kOrders);
}

}  // namespace shulian::ledger::body_codec
