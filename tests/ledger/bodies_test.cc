#include "ledger/bodies.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>

#include "tests/ledger/body_samples.h"

namespace shulian::ledger {
namespace {

using testing::SampleBodies;
using testing::SampleOf;
using testing::SampleRegisterAsset;
using testing::SampleRequestShare;

std::vector<TxType> KnownTypes() {
  std::vector<TxType> out;
  for (uint32_t v = 0; v <= 0xFFFF; ++v) {
    if (IsKnownTxType(static_cast<uint16_t>(v))) out.push_back(static_cast<TxType>(v));
  }
  return out;
}

// The bytes of a request_share body written field by field, so single fields can be
// made malformed.
struct RequestShareWire {
  std::string request_id = "req-1";
  std::string asset_id = "asset-1";
  std::string purpose = "核验";
  std::string scenario = "企业开办";
  std::vector<std::string> fields = {"name"};
  uint32_t field_count_override = 0;  // when non-zero, written instead of fields.size()
  uint8_t mode = 1;
  uint32_t duration_days = 30;

  Bytes Encode() const {
    ByteWriter w;
    w.PutString(request_id);
    w.PutString(asset_id);
    w.PutString(purpose);
    w.PutString(scenario);
    w.PutU32(field_count_override != 0 ? field_count_override : static_cast<uint32_t>(fields.size()));
    for (const auto& f : fields) w.PutString(f);
    w.PutU8(mode);
    w.PutU32(duration_days);
    return w.Take();
  }
};

void ExpectRejected(const Bytes& bytes, std::string_view field) {
  Result<RequestShareBody> decoded = RequestShareBody::Decode(bytes);
  ASSERT_FALSE(decoded.ok()) << "accepted a body with a bad " << field;
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find(field), std::string::npos) << decoded.status().message();
}

// Every transaction type has exactly one body struct, and the samples cover them all.
TEST(BodiesTest, EveryTransactionTypeHasOneBody) {
  std::set<TxType> sampled;
  for (const Body& body : SampleBodies()) EXPECT_TRUE(sampled.insert(BodyType(body)).second);
  std::vector<TxType> known = KnownTypes();
  EXPECT_EQ(sampled, std::set<TxType>(known.begin(), known.end()));
  EXPECT_EQ(known.size(), std::variant_size_v<Body>);
}

// Encode then Decode gives back an equal body, and re-encoding gives the same bytes.
TEST(BodiesTest, EveryTypeRoundTripsThroughItsBinaryEncoding) {
  for (const Body& body : SampleBodies()) {
    SCOPED_TRACE(TxTypeName(BodyType(body)));
    Bytes encoded = EncodeBody(body);
    Result<Body> decoded = DecodeBody(BodyType(body), encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, body);
    EXPECT_EQ(EncodeBody(*decoded), encoded);
    EXPECT_TRUE(ValidateBody(BodyType(body), encoded).ok());
    EXPECT_TRUE(std::visit([](const auto& b) { return b.Validate(); }, body).ok());
  }
}

// A body with nothing optional set (absent optionals, empty optional lists) round-trips too.
TEST(BodiesTest, AbsentOptionalFieldsRoundTrip) {
  PublishAssetVersionBody version;
  version.asset_id = "a";
  version.change_note = "x";
  DecideOverdueShareBody overdue;
  overdue.request_id = "r";
  overdue.decision = Decision::kRefuse;
  overdue.reason = "no basis";
  RecordAccessBody open_access;
  open_access.asset_id = "bus-routes";
  open_access.purpose = "p";
  open_access.business_scenario = "s";
  open_access.fields = {"route"};
  for (const Body& body : std::vector<Body>{version, overdue, open_access}) {
    Bytes encoded = EncodeBody(body);
    Result<Body> decoded = DecodeBody(BodyType(body), encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, body);
  }
}

// The layout is the documented one: fields in order, big-endian, u32 lengths.
TEST(BodiesTest, RequestShareLayoutIsTheDocumentedOne) {
  RequestShareWire wire;
  RequestShareBody body;
  body.request_id = wire.request_id;
  body.asset_id = wire.asset_id;
  body.purpose = wire.purpose;
  body.business_scenario = wire.scenario;
  body.fields = wire.fields;
  body.mode = AccessMode::kRequestResponse;
  body.duration_days = wire.duration_days;
  EXPECT_EQ(body.Encode(), wire.Encode());
}

// A trailing byte after a valid body is rejected, for every type.
TEST(BodiesTest, TrailingBytesAreRejected) {
  for (const Body& body : SampleBodies()) {
    Bytes encoded = EncodeBody(body);
    encoded.push_back(0);
    Status status = ValidateBody(BodyType(body), encoded);
    EXPECT_FALSE(status.ok()) << TxTypeName(BodyType(body));
    EXPECT_NE(status.message().find("trailing"), std::string::npos) << status.message();
  }
}

// Every strict prefix of a valid body is rejected, for every type.
TEST(BodiesTest, EveryTruncationIsRejected) {
  for (const Body& body : SampleBodies()) {
    Bytes encoded = EncodeBody(body);
    for (size_t size = 0; size < encoded.size(); ++size) {
      ByteView prefix(encoded.data(), size);
      EXPECT_FALSE(ValidateBody(BodyType(body), prefix).ok())
          << TxTypeName(BodyType(body)) << " accepted a prefix of " << size << " bytes";
    }
  }
}

// Canonical form: any single-byte change either is rejected or decodes to a body
// whose encoding is exactly the changed bytes (no two encodings of one value).
TEST(BodiesTest, EveryAcceptedMutationReencodesToItself) {
  for (const Body& body : SampleBodies()) {
    Bytes encoded = EncodeBody(body);
    for (size_t i = 0; i < encoded.size(); ++i) {
      for (uint8_t delta : {uint8_t{1}, uint8_t{0x80}}) {
        Bytes mutated = encoded;
        mutated[i] = static_cast<uint8_t>(mutated[i] ^ delta);
        Result<Body> decoded = DecodeBody(BodyType(body), mutated);
        if (decoded.ok()) {
          EXPECT_EQ(EncodeBody(*decoded), mutated) << TxTypeName(BodyType(body)) << " byte " << i;
        }
      }
    }
  }
}

// A length prefix over its limit is rejected from the prefix alone, naming the field.
TEST(BodiesTest, OversizedFieldIsRejectedByItsLengthPrefix) {
  ByteWriter w;
  w.PutString("req-1");
  w.PutString("asset-1");
  w.PutU32(0xFFFFFFFFu);  // purpose claims 4 GiB; nothing follows
  ExpectRejected(w.Take(), "body.purpose");

  RequestShareWire wire;
  wire.purpose = std::string(4097, 'x');
  ExpectRejected(wire.Encode(), "body.purpose");
}

// A list count over list_items_max is rejected before any item is read.
TEST(BodiesTest, ListOverItsLimitIsRejected) {
  RequestShareWire wire;
  wire.field_count_override = 1'000'000;
  ExpectRejected(wire.Encode(), "body.fields");
  wire.field_count_override = 0;
  wire.fields.clear();
  for (int i = 0; i < 257; ++i) wire.fields.push_back("f" + std::to_string(i));
  ExpectRejected(wire.Encode(), "body.fields");
}

// An enum byte outside the enum is rejected, naming the field and the enum.
TEST(BodiesTest, UnknownEnumValueIsRejected) {
  for (uint8_t bad : {uint8_t{0}, uint8_t{3}, uint8_t{255}}) {
    RequestShareWire wire;
    wire.mode = bad;
    ExpectRejected(wire.Encode(), "body.mode");
    ExpectRejected(wire.Encode(), "access mode");
  }
}

// Booleans and optional-presence flags are exactly 0 or 1.
TEST(BodiesTest, NonCanonicalBooleanIsRejected) {
  RecordAccessBody access = SampleOf<RecordAccessBody>();
  Bytes encoded = access.Encode();
  Bytes bad_flag = encoded;
  bad_flag.back() = 2;  // third_party is the last byte
  EXPECT_FALSE(RecordAccessBody::Decode(bad_flag).ok());
  Bytes bad_presence = encoded;
  bad_presence.front() = 2;  // grant_id's presence flag is the first byte
  Result<RecordAccessBody> decoded = RecordAccessBody::Decode(bad_presence);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("body.grant_id"), std::string::npos) << decoded.status().message();
}

// Ids outside [a-z0-9._-], empty or too long are rejected, naming the field.
TEST(BodiesTest, BadIdsAreRejected) {
  for (const std::string& bad : std::vector<std::string>{"Req-1", "req 1", "", "req/1", "请求", std::string(65, 'a')}) {
    RequestShareWire wire;
    wire.request_id = bad;
    ExpectRejected(wire.Encode(), "body.request_id");
  }
  EXPECT_TRUE(ValidateEntityId("x", "a.b_c-0", 64).ok());
}

// Text must be well-formed UTF-8 without control characters other than tab and newline.
TEST(BodiesTest, InvalidUtf8AndControlCharactersAreRejected) {
  const std::string bad_texts[] = {
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong, 3 bytes
      "\xED\xA0\x80",      // surrogate U+D800
      "\xF4\x90\x80\x80",  // past U+10FFFF
      "\xE6\xA0",          // truncated sequence
      "\x80",              // lone continuation byte
      "ok\xFF",            // never valid
      std::string("nul\0here", 8),
      "bell\x07",
      "del\x7F",
  };
  for (const std::string& bad : bad_texts) {
    RequestShareWire wire;
    wire.purpose = bad;
    ExpectRejected(wire.Encode(), "body.purpose");
  }
  EXPECT_TRUE(ValidateText("x", "泰州\t市\n😀", 64, true).ok());
}

// A required field left empty is rejected.
TEST(BodiesTest, EmptyRequiredFieldIsRejected) {
  RequestShareWire wire;
  wire.scenario = "";
  ExpectRejected(wire.Encode(), "body.business_scenario");
  RefuseShareBody refuse = SampleOf<RefuseShareBody>();
  refuse.legal_basis = "";
  Status status = refuse.Validate();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("body.legal_basis"), std::string::npos) << status.message();
  EXPECT_FALSE(RefuseShareBody::Decode(refuse.Encode()).ok());
}

// Lists that are sets refuse duplicates and name the duplicate's position.
TEST(BodiesTest, DuplicateInASetIsRejected) {
  RequestShareWire wire;
  wire.fields = {"name", "credit_code", "name"};
  ExpectRejected(wire.Encode(), "body.fields[2]");
  RegisterAccountBody account = SampleOf<RegisterAccountBody>();
  account.roles = {Role::kUser, Role::kUser};
  EXPECT_FALSE(RegisterAccountBody::Decode(account.Encode()).ok());
  account.roles = {};
  EXPECT_FALSE(RegisterAccountBody::Decode(account.Encode()).ok());
}

// Division codes are six digits not starting with 00.
TEST(BodiesTest, DivisionCodesAreSixDigits) {
  EXPECT_TRUE(ValidateDivisionCode("a", "320000").ok());
  EXPECT_TRUE(ValidateDivisionCode("a", "321281").ok());
  for (std::string_view bad : {"32000", "3200000", "32000a", "000000", "", "３２００００"}) {
    EXPECT_FALSE(ValidateDivisionCode("a", bad).ok()) << bad;
  }
  RegisterAssetBody asset = SampleRegisterAsset();
  asset.provider_authority = "jiangsu";
  Status status = asset.Validate();
  EXPECT_NE(status.message().find("body.provider_authority"), std::string::npos) << status.message();
}

// Durations are 1..duration_days_max days; node ids and sizes stay JSON-exact.
TEST(BodiesTest, IntegersOutsideTheirRangeAreRejected) {
  for (uint32_t bad : {0u, 3651u, 0xFFFFFFFFu}) {
    RequestShareWire wire;
    wire.duration_days = bad;
    ExpectRejected(wire.Encode(), "body.duration_days");
  }
  AddValidatorBody validator = SampleOf<AddValidatorBody>();
  validator.node_id = 0;
  EXPECT_FALSE(AddValidatorBody::Decode(validator.Encode()).ok());
  RegisterAssetBody asset = SampleRegisterAsset();
  asset.size_bytes = kJsonIntegerMax + 1;
  EXPECT_FALSE(RegisterAssetBody::Decode(asset.Encode()).ok());
  asset.size_bytes = kJsonIntegerMax;
  EXPECT_TRUE(RegisterAssetBody::Decode(asset.Encode()).ok());
}

// A nested struct's errors carry its path.
TEST(BodiesTest, NestedFieldErrorsNameTheFullPath) {
  ApproveShareBody approve = SampleOf<ApproveShareBody>();
  approve.terms.fields = {"name", "name"};
  Result<ApproveShareBody> decoded = ApproveShareBody::Decode(approve.Encode());
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("body.terms.fields[1]"), std::string::npos)
      << decoded.status().message();
  CloseDisputeBody close = SampleOf<CloseDisputeBody>();
  close.orders[1].target_id = "Bad Id";
  Status status = close.Validate();
  EXPECT_NE(status.message().find("body.orders[1].target_id"), std::string::npos) << status.message();
}

// Limits are the network's: tighter limits reject what the defaults accept.
TEST(BodiesTest, LimitsAreConfigurable) {
  Bytes encoded = SampleRequestShare().Encode();
  EXPECT_TRUE(RequestShareBody::Decode(encoded).ok());
  BodyLimits few_items;
  few_items.list_items_max = 2;
  EXPECT_FALSE(RequestShareBody::Decode(encoded, few_items).ok());
  BodyLimits short_ids;
  short_ids.id_bytes_max = 4;
  EXPECT_FALSE(RequestShareBody::Decode(encoded, short_ids).ok());
  BodyLimits short_grants;
  short_grants.duration_days_max = 30;
  EXPECT_FALSE(RequestShareBody::Decode(encoded, short_grants).ok());
  BodyLimits short_text;
  short_text.text_bytes_max = 8;
  EXPECT_FALSE(RequestShareBody::Decode(encoded, short_text).ok());
  SetPolicyBody policy = SampleOf<SetPolicyBody>();
  BodyLimits small_opaque;
  small_opaque.opaque_bytes_max = 3;
  EXPECT_FALSE(SetPolicyBody::Decode(policy.Encode(), small_opaque).ok());
}

// ValidateBody decodes as the given type; a type without a body is an error.
TEST(BodiesTest, ValidateBodyDispatchesOnTheType) {
  Bytes request = SampleRequestShare().Encode();
  EXPECT_TRUE(ValidateBody(TxType::kRequestShare, request).ok());
  EXPECT_FALSE(ValidateBody(TxType::kRecordAccess, request).ok());
  EXPECT_FALSE(ValidateBody(TxType::kRegisterAsset, request).ok());
  Status unknown = ValidateBody(static_cast<TxType>(999), request);
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("999"), std::string::npos);
  EXPECT_FALSE(ValidateBody(TxType::kRequestShare, {}).ok());
}

// Wire names of domain enums round-trip and unknown names are refused.
TEST(DomainTypesTest, EnumWireNamesRoundTrip) {
  for (const auto& [value, name] : EnumInfo<Role>::kNames) {
    EXPECT_EQ(EnumFromName<Role>(name), value);
    EXPECT_EQ(EnumName(value), name);
    EXPECT_EQ(EnumFromValue<Role>(static_cast<uint8_t>(value)), value);
  }
  EXPECT_EQ(EnumName(ShareType::kNotShared), "not_shared");
  EXPECT_EQ(EnumFromName<ObjectionKind>("trade_secret"), ObjectionKind::kTradeSecret);
  EXPECT_FALSE(EnumFromName<AccessMode>("Copy").has_value());
  EXPECT_FALSE(EnumFromValue<ClassificationGrade>(0).has_value());
  EXPECT_EQ(EnumName(static_cast<Decision>(7)), "unknown");
}

}  // namespace
}  // namespace shulian::ledger
