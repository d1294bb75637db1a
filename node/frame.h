// Framing of the peer byte stream: every message between nodes, from the first
// hello on, is `u32 big-endian length ‖ body`. FrameDecoder turns the bytes a
// socket delivers, in whatever pieces, back into bodies, refusing a length over
// the limit as soon as its four bytes arrive — before reading or allocating the body.
//
// The limit changes with the connection's phase (small for the plaintext hello,
// max_frame_bytes plus the AEAD tag once the session is open), so the caller sets
// it before asking for each frame.
//
// Thread-safety: a FrameDecoder belongs to one connection; no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "common/status.h"

namespace shulian::node {

inline constexpr size_t kFrameHeaderBytes = 4;
// The most bytes one Append may hand over: the transport reads the socket in
// pieces of at most this size.
inline constexpr size_t kFrameAppendBytesMax = 64 * 1024;
// The largest body a u32 length can describe.
inline constexpr size_t kFrameBodyBytesLimit = 0xffffffffu;

// u32 length ‖ body. REQUIRES: body.size() <= kFrameBodyBytesLimit.
Bytes EncodeFrame(ByteView body);

class FrameDecoder {
 public:
  explicit FrameDecoder(size_t body_bytes_max) : body_bytes_max_(body_bytes_max) {}

  // The largest body Next accepts from now on.
  void set_body_bytes_max(size_t body_bytes_max) { body_bytes_max_ = body_bytes_max; }
  size_t body_bytes_max() const { return body_bytes_max_; }

  // Buffers received bytes. Fails, buffering nothing, if `data` is larger than
  // kFrameAppendBytesMax or would make the buffer exceed one maximal frame plus
  // one append — a caller that drains Next between appends never sees this.
  Status Append(ByteView data);

  // The next complete body; nullopt if more bytes are needed; an error
  // (InvalidArgument, naming the length and the limit) for a length over
  // body_bytes_max. After an error the stream is unusable: drop the connection.
  Result<std::optional<Bytes>> Next();

  size_t buffered_bytes() const { return buffer_.size() - consumed_; }

 private:
  void Compact();

  size_t body_bytes_max_;
  Bytes buffer_;
  size_t consumed_ = 0;  // bytes at the front of buffer_ already returned
  bool failed_ = false;
};

}  // namespace shulian::node
