// Byte strings and the canonical binary encoding every signed or hashed
// structure in Shulian uses.
//
// Encoding rules (documented in docs/encoding.md):
//   - integers are fixed-width big-endian (u8, u16, u32, u64; i64 as two's complement);
//   - a variable-length field is a u32 big-endian length followed by that many bytes;
//   - a fixed-size field (hash, key, signature) is its bytes with no length;
//   - there are no optional encodings: one value has exactly one byte form.
// ByteReader enforces the same rules on input: every read is bounds-checked, lengths
// are checked against a caller-supplied maximum before allocating, and Finish()
// rejects trailing bytes.
//
// Thread-safety: values; a reader or writer belongs to one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shulian {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsStringView(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lower-case hex, two characters per byte.
std::string ToHex(ByteView bytes);
// Accepts upper or lower case; rejects odd lengths and non-hex characters.
Result<Bytes> FromHex(std::string_view hex);

// Parses hex that must decode to exactly N bytes.
template <size_t N>
Result<std::array<uint8_t, N>> FixedFromHex(std::string_view hex) {
  ASSIGN_OR_RETURN(Bytes bytes, FromHex(hex));
  if (bytes.size() != N) {
    return Status::InvalidArgument("expected " + std::to_string(N) + " bytes of hex, got " +
                                   std::to_string(bytes.size()));
  }
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = bytes[i];
  return out;
}

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(size_t reserve_bytes) { buffer_.reserve(reserve_bytes); }

  void PutU8(uint8_t v) { buffer_.push_back(v); }
  void PutU16(uint16_t v);
  void PutU32(uint32_t v);
  void PutU64(uint64_t v);
  void PutI64(int64_t v) { PutU64(static_cast<uint64_t>(v)); }
  void PutBool(bool v) { PutU8(v ? 1 : 0); }
  // Fixed-size field: raw bytes, no length prefix.
  void PutFixed(ByteView bytes) { buffer_.insert(buffer_.end(), bytes.begin(), bytes.end()); }
  // Variable-length field: u32 length then bytes. REQUIRES: size fits in u32.
  void PutBytes(ByteView bytes);
  void PutString(std::string_view s) { PutBytes(AsBytes(s)); }

  const Bytes& bytes() const { return buffer_; }
  Bytes Take() { return std::move(buffer_); }
  size_t size() const { return buffer_.size(); }

 private:
  Bytes buffer_;
};

class ByteReader {
 public:
  explicit ByteReader(ByteView input) : input_(input) {}

  Result<uint8_t> GetU8();
  Result<uint16_t> GetU16();
  Result<uint32_t> GetU32();
  Result<uint64_t> GetU64();
  Result<int64_t> GetI64();
  // Only 0 and 1 are canonical.
  Result<bool> GetBool();
  // Exactly `size` raw bytes.
  Result<ByteView> GetFixed(size_t size);
  template <size_t N>
  Result<std::array<uint8_t, N>> GetArray() {
    ASSIGN_OR_RETURN(ByteView view, GetFixed(N));
    std::array<uint8_t, N> out{};
    for (size_t i = 0; i < N; ++i) out[i] = view[i];
    return out;
  }
  // A length-prefixed field of at most `max_size` bytes.
  Result<ByteView> GetBytes(size_t max_size);
  Result<std::string> GetString(size_t max_size);

  size_t remaining() const { return input_.size() - offset_; }
  size_t offset() const { return offset_; }
  // OK only if every byte was consumed.
  Status Finish() const;

 private:
  Status Need(size_t size) const;

  ByteView input_;
  size_t offset_ = 0;
};

}  // namespace shulian
