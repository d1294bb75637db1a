#include "common/bytes.h"

#include <limits>

namespace shulian {

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string ToHex(ByteView bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0x0f]);
  }
  return out;
}

Result<Bytes> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status::InvalidArgument("hex string has an odd length");
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("not a hex digit at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

void ByteWriter::PutU16(uint16_t v) {
  PutU8(static_cast<uint8_t>(v >> 8));
  PutU8(static_cast<uint8_t>(v));
}

void ByteWriter::PutU32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) PutU8(static_cast<uint8_t>(v >> shift));
}

void ByteWriter::PutU64(uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) PutU8(static_cast<uint8_t>(v >> shift));
}

void ByteWriter::PutBytes(ByteView bytes) {
  assert(bytes.size() <= std::numeric_limits<uint32_t>::max());
  PutU32(static_cast<uint32_t>(bytes.size()));
  PutFixed(bytes);
}

Status ByteReader::Need(size_t size) const {
  if (remaining() < size) {
    return Status::InvalidArgument("truncated input: need " + std::to_string(size) + " bytes at offset " +
                                   std::to_string(offset_) + ", have " + std::to_string(remaining()));
  }
  return Status::Ok();
}

Result<uint8_t> ByteReader::GetU8() {
  RETURN_IF_ERROR(Need(1));
  return input_[offset_++];
}

Result<uint16_t> ByteReader::GetU16() {
  RETURN_IF_ERROR(Need(2));
  uint16_t v = static_cast<uint16_t>((input_[offset_] << 8) | input_[offset_ + 1]);
  offset_ += 2;
  return v;
}

Result<uint32_t> ByteReader::GetU32() {
  RETURN_IF_ERROR(Need(4));
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | input_[offset_ + i];
  offset_ += 4;
  return v;
}

Result<uint64_t> ByteReader::GetU64() {
  RETURN_IF_ERROR(Need(8));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | input_[offset_ + i];
  offset_ += 8;
  return v;
}

Result<int64_t> ByteReader::GetI64() {
  ASSIGN_OR_RETURN(uint64_t v, GetU64());
  return static_cast<int64_t>(v);
}

Result<bool> ByteReader::GetBool() {
  size_t at = offset_;
  ASSIGN_OR_RETURN(uint8_t v, GetU8());
  if (v > 1) return Status::InvalidArgument("non-canonical boolean at offset " + std::to_string(at));
  return v == 1;
}

Result<ByteView> ByteReader::GetFixed(size_t size) {
  RETURN_IF_ERROR(Need(size));
  ByteView out = input_.subspan(offset_, size);
  offset_ += size;
  return out;
}

Result<ByteView> ByteReader::GetBytes(size_t max_size) {
  size_t at = offset_;
  ASSIGN_OR_RETURN(uint32_t size, GetU32());
  if (size > max_size) {
    return Status::InvalidArgument("field at offset " + std::to_string(at) + " is " + std::to_string(size) +
                                   " bytes, limit is " + std::to_string(max_size));
  }
  return GetFixed(size);
}

Result<std::string> ByteReader::GetString(size_t max_size) {
  ASSIGN_OR_RETURN(ByteView view, GetBytes(max_size));
  return std::string(AsStringView(view));
}

Status ByteReader::Finish() const {
  if (remaining() != 0) {
    return Status::InvalidArgument(std::to_string(remaining()) + " trailing bytes at offset " +
                                   std::to_string(offset_));
  }
  return Status::Ok();
}

}  // namespace shulian
