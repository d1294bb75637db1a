#include "common/bytes.h"

#include <gtest/gtest.h>

namespace shulian {
namespace {

TEST(BytesTest, IntegersAreBigEndianAndRoundTrip) {
  ByteWriter w;
  w.PutU8(0x01);
  w.PutU16(0x0203);
  w.PutU32(0x04050607);
  w.PutU64(0x08090a0b0c0d0e0fULL);
  w.PutI64(-2);
  EXPECT_EQ(ToHex(w.bytes()), "010203040506070809" "0a0b0c0d0e0f" "fffffffffffffffe");
  ByteReader r(w.bytes());
  EXPECT_EQ(*r.GetU8(), 0x01);
  EXPECT_EQ(*r.GetU16(), 0x0203);
  EXPECT_EQ(*r.GetU32(), 0x04050607u);
  EXPECT_EQ(*r.GetU64(), 0x08090a0b0c0d0e0fULL);
  EXPECT_EQ(*r.GetI64(), -2);
  EXPECT_TRUE(r.Finish().ok());
}

TEST(BytesTest, LengthPrefixedFieldRespectsLimit) {
  ByteWriter w;
  w.PutString("hello");
  ByteReader ok_reader(w.bytes());
  EXPECT_EQ(*ok_reader.GetString(5), "hello");
  ByteReader small_reader(w.bytes());
  Status s = small_reader.GetString(4).status();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("limit is 4"), std::string::npos);
}

TEST(BytesTest, TruncatedInputIsRejected) {
  Bytes three = {0, 0, 0};
  ByteReader r(three);
  EXPECT_FALSE(r.GetU32().ok());
  Bytes claims_more = {0, 0, 0, 9, 'a'};
  ByteReader r2(claims_more);
  EXPECT_FALSE(r2.GetBytes(100).ok());
}

TEST(BytesTest, TrailingBytesFailFinish) {
  Bytes data = {1, 2};
  ByteReader r(data);
  ASSERT_TRUE(r.GetU8().ok());
  EXPECT_FALSE(r.Finish().ok());
}

TEST(BytesTest, NonCanonicalBooleanIsRejected) {
  Bytes data = {2};
  ByteReader r(data);
  EXPECT_FALSE(r.GetBool().ok());
}

TEST(BytesTest, HexRoundTripAndErrors) {
  Bytes data = {0x00, 0xab, 0xff};
  EXPECT_EQ(ToHex(data), "00abff");
  EXPECT_EQ(*FromHex("00ABff"), data);
  EXPECT_FALSE(FromHex("abc").ok());
  EXPECT_FALSE(FromHex("zz").ok());
  EXPECT_FALSE(FixedFromHex<4>("00ab").ok());
}

}  // namespace
}  // namespace shulian
