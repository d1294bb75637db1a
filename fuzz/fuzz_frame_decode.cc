// Fuzzes what a peer controls before and after the handshake: the hello parser, the
// responder's checks of a hello, the auth step and the frame reader.
//
// Input layout: byte 0 picks the frame limit (a small one, so oversized lengths are
// common), byte 1 the size of the pieces the stream arrives in; the rest is the byte
// stream. Properties checked (abort on failure):
//   - a hello that parses re-encodes to exactly its input (one value, one encoding);
//   - the frame reader never returns a body over its limit, never buffers more than
//     one maximal frame plus one append, and once it fails it stays failed;
//   - no frame of random bytes opens a session (the auth step must fail).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>

#include "crypto/keys.h"
#include "crypto/session.h"
#include "node/frame.h"
#include "node/handshake.h"

namespace {

using shulian::Bytes;
using shulian::ByteView;
namespace node = shulian::node;
namespace crypto = shulian::crypto;

const crypto::KeyPair& NodeKey() {
  static const crypto::KeyPair key = crypto::KeyPair::FromSeed(Bytes(32, 1)).value();
  return key;
}

const std::map<uint64_t, crypto::PublicKey>& PeerKeys() {
  static const std::map<uint64_t, crypto::PublicKey> keys = {
      {2, crypto::KeyPair::FromSeed(Bytes(32, 2)).value().public_key()}};
  return keys;
}

void CheckHello(ByteView bytes) {
  shulian::Result<node::Hello> hello = node::ParseHello(bytes);
  if (!hello.ok()) return;
  Bytes reencoded = node::EncodeHello(*hello);
  if (!std::equal(reencoded.begin(), reencoded.end(), bytes.begin(), bytes.end())) std::abort();
}

// Runs the responder's handshake over the frames of the stream, as the transport does.
void RunResponder(ByteView stream, size_t frame_bytes_max, size_t piece_bytes) {
  node::Handshake handshake(node::HandshakeRole::kResponder, "fuzz-net", 1, NodeKey(), PeerKeys(), 0,
                            crypto::KxKeyPair::FromSeed(Bytes(32, 3)).value());
  node::FrameDecoder decoder(node::kHelloBytesMax);
  int phase = 0;  // 0 hello, 1 auth, 2 open
  size_t capacity_bytes_max = node::kFrameHeaderBytes + frame_bytes_max + node::kFrameAppendBytesMax;
  for (size_t offset = 0; offset < stream.size(); offset += piece_bytes) {
    ByteView piece = stream.subspan(offset, std::min(piece_bytes, stream.size() - offset));
    if (!decoder.Append(piece).ok()) {
      if (decoder.Next().ok()) std::abort();  // a failed decoder stays failed
      return;
    }
    if (decoder.buffered_bytes() > capacity_bytes_max) std::abort();
    while (true) {
      decoder.set_body_bytes_max(phase == 0   ? node::kHelloBytesMax
                                 : phase == 1 ? node::kAuthFrameBytes
                                              : frame_bytes_max);
      shulian::Result<std::optional<Bytes>> frame = decoder.Next();
      if (!frame.ok()) {
        if (decoder.Next().ok()) std::abort();
        return;
      }
      if (!frame->has_value()) break;
      if ((*frame)->size() > decoder.body_bytes_max()) std::abort();
      if (phase == 0) {
        CheckHello(**frame);
        if (!handshake.OnPeerHello(**frame).ok()) return;
        phase = 1;
      } else if (phase == 1) {
        // Random bytes cannot carry a valid sealed signature by node 2.
        if (handshake.OnPeerAuth(**frame).ok()) std::abort();
        return;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const bool initialized = crypto::Initialize().ok();
  if (!initialized) std::abort();
  size_t frame_bytes_max = 1 + data[0] * 16u;
  size_t piece_bytes = 1 + data[1] * 8u;
  ByteView stream(data + 2, size - 2);
  CheckHello(stream);
  RunResponder(stream, frame_bytes_max, piece_bytes);
  return 0;
}
