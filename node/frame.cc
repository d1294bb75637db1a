#include "node/frame.h"

#include <string>

namespace shulian::node {

Bytes EncodeFrame(ByteView body) {
  ByteWriter writer(kFrameHeaderBytes + body.size());
  writer.PutBytes(body);  // u32 length ‖ bytes: exactly the frame layout
  return writer.Take();
}

Status FrameDecoder::Append(ByteView data) {
  if (failed_) return Status::FailedPrecondition("frame stream already failed");
  if (data.size() > kFrameAppendBytesMax) {
    return Status::InvalidArgument("append of " + std::to_string(data.size()) + " bytes exceeds " +
                                   std::to_string(kFrameAppendBytesMax));
  }
  size_t capacity = kFrameHeaderBytes + body_bytes_max_ + kFrameAppendBytesMax;
  if (buffered_bytes() + data.size() > capacity) {
    failed_ = true;
    return Status::ResourceExhausted("frame buffer would hold " +
                                     std::to_string(buffered_bytes() + data.size()) + " bytes, more than " +
                                     std::to_string(capacity));
  }
  Compact();
  buffer_.insert(buffer_.end(), data.begin(), data.end());
  return Status::Ok();
}

Result<std::optional<Bytes>> FrameDecoder::Next() {
  if (failed_) return Status::FailedPrecondition("frame stream already failed");
  ByteView pending = ByteView(buffer_).subspan(consumed_);
  if (pending.size() < kFrameHeaderBytes) return std::optional<Bytes>();
  ByteReader reader(pending);
  Result<uint32_t> length = reader.GetU32();
  assert(length.ok());  // four bytes are there
  if (*length > body_bytes_max_) {
    failed_ = true;
    return Status::InvalidArgument("frame length " + std::to_string(*length) + " exceeds the limit of " +
                                   std::to_string(body_bytes_max_) + " bytes");
  }
  if (pending.size() < kFrameHeaderBytes + *length) return std::optional<Bytes>();
  ByteView body = pending.subspan(kFrameHeaderBytes, *length);
  std::optional<Bytes> out(Bytes(body.begin(), body.end()));
  consumed_ += kFrameHeaderBytes + *length;
  return out;
}

// Drops consumed bytes, so the buffer never grows past one frame plus one append.
void FrameDecoder::Compact() {
  if (consumed_ == 0) return;
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
  consumed_ = 0;
}

}  // namespace shulian::node
