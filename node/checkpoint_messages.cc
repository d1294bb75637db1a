#include "node/checkpoint_messages.h"

#include <string>
#include <type_traits>

namespace shulian::node {

Bytes WithChannel(PeerChannel channel, ByteView body) {
  Bytes out;
  out.reserve(body.size() + 1);
  out.push_back(static_cast<uint8_t>(channel));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<ChannelPayload> SplitChannel(ByteView payload) {
  if (payload.empty()) return Status::InvalidArgument("peer payload: empty, no channel byte");
  const uint8_t channel = payload[0];
  if (channel != static_cast<uint8_t>(PeerChannel::kRaft) &&
      channel != static_cast<uint8_t>(PeerChannel::kCheckpoint)) {
    return Status::InvalidArgument("peer payload: unknown channel byte " + std::to_string(channel));
  }
  return ChannelPayload{static_cast<PeerChannel>(channel), payload.subspan(1)};
}

Bytes EncodeCheckpointMessage(const CheckpointMessage& message) {
  ByteWriter w(kCheckpointMessageBytesMax);
  if (const auto* vote = std::get_if<CheckpointVote>(&message)) {
    w.PutU8(kCheckpointVoteKind);
    w.PutU64(vote->height);
    w.PutFixed(vote->block_hash.view());
    w.PutU64(vote->node_id);
    w.PutFixed(vote->signature.view());
  } else {
    w.PutU8(kCheckpointRequestKind);
    w.PutU64(std::get<CheckpointRequest>(message).height);
  }
  return w.Take();
}

namespace {

Result<uint64_t> GetHeight(ByteReader& r, std::string_view what) {
  Result<uint64_t> height = r.GetU64();
  if (!height.ok()) return height.status().WithContext(std::string(what) + ".height");
  if (*height == 0) return Status::InvalidArgument(std::string(what) + ".height: 0 (genesis has no checkpoint)");
  return *height;
}

Result<CheckpointMessage> DecodeVote(ByteReader& r) {
  CheckpointVote vote;
  ASSIGN_OR_RETURN(vote.height, GetHeight(r, "vote"));
  Result<std::array<uint8_t, 32>> hash = r.GetArray<32>();
  if (!hash.ok()) return hash.status().WithContext("vote.block_hash");
  vote.block_hash.bytes = *hash;
  Result<uint64_t> node_id = r.GetU64();
  if (!node_id.ok()) return node_id.status().WithContext("vote.node_id");
  if (*node_id == 0) return Status::InvalidArgument("vote.node_id: 0 is not a node id");
  vote.node_id = *node_id;
  Result<std::array<uint8_t, 64>> signature = r.GetArray<64>();
  if (!signature.ok()) return signature.status().WithContext("vote.signature");
  vote.signature.bytes = *signature;
  return CheckpointMessage(vote);
}

}  // namespace

Result<CheckpointMessage> DecodeCheckpointMessage(ByteView body) {
  if (body.size() > kCheckpointMessageBytesMax) {
    return Status::InvalidArgument("checkpoint message: " + std::to_string(body.size()) + " bytes, at most " +
                                   std::to_string(kCheckpointMessageBytesMax));
  }
  ByteReader r(body);
  Result<uint8_t> kind = r.GetU8();
  if (!kind.ok()) return kind.status().WithContext("checkpoint message.kind");
  Result<CheckpointMessage> message = Status::InvalidArgument("checkpoint message.kind: unknown kind " +
                                                              std::to_string(*kind));
  if (*kind == kCheckpointVoteKind) {
    message = DecodeVote(r);
  } else if (*kind == kCheckpointRequestKind) {
    Result<uint64_t> height = GetHeight(r, "request");
    message = height.ok() ? Result<CheckpointMessage>(CheckpointRequest{*height}) : height.status();
  }
  if (!message.ok()) return message;
  if (Status done = r.Finish(); !done.ok()) return done.WithContext("checkpoint message");
  return message;
}

}  // namespace shulian::node
