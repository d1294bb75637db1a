// Checkpoint messages: what validators exchange over the peer transport to
// cosign checkpoints (docs/node.md, "Checkpoint cosigning"), and the one-byte
// channel prefix that separates them from Raft messages on the same connection.
//
// Wire form (common/bytes.h rules, big-endian):
//   payload  = u8 channel ‖ body            channel 0x01 Raft, 0x02 checkpoint
//   Vote     = u8 0x01 ‖ u64 height ‖ 32 block_hash ‖ u64 node_id ‖ 64 signature
//   Request  = u8 0x02 ‖ u64 height
// A Vote carries one validator's Ed25519 signature over the checkpoint of
// `height` (ledger/checkpoint.h); `block_hash` lets a receiver drop a vote for a
// block it does not have without recomputing the checkpoint. A Request asks the
// peer to answer with its Vote for `height`. Every message has one byte form:
// unknown kinds, short or trailing bytes and a zero height are refused.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <variant>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"

namespace shulian::node {

enum class PeerChannel : uint8_t {
  kRaft = 0x01,
  kCheckpoint = 0x02,
};

// `body` behind its channel byte.
Bytes WithChannel(PeerChannel channel, ByteView body);

struct ChannelPayload {
  PeerChannel channel = PeerChannel::kRaft;
  ByteView body;  // points into the input
};
// InvalidArgument for an empty payload or an unknown channel byte.
Result<ChannelPayload> SplitChannel(ByteView payload);

struct CheckpointVote {
  uint64_t height = 0;
  crypto::Digest block_hash;
  uint64_t node_id = 0;
  crypto::Signature signature;
  friend bool operator==(const CheckpointVote&, const CheckpointVote&) = default;
};

struct CheckpointRequest {
  uint64_t height = 0;
  friend bool operator==(const CheckpointRequest&, const CheckpointRequest&) = default;
};

using CheckpointMessage = std::variant<CheckpointVote, CheckpointRequest>;

inline constexpr uint8_t kCheckpointVoteKind = 0x01;
inline constexpr uint8_t kCheckpointRequestKind = 0x02;
// The largest checkpoint message (a Vote); anything longer is refused unread.
inline constexpr size_t kCheckpointMessageBytesMax = 1 + 8 + 32 + 8 + 64;

// The body without its channel byte.
Bytes EncodeCheckpointMessage(const CheckpointMessage& message);
// InvalidArgument naming the field for anything but one canonical message.
Result<CheckpointMessage> DecodeCheckpointMessage(ByteView body);

}  // namespace shulian::node
