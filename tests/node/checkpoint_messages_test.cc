#include "node/checkpoint_messages.h"

#include <gtest/gtest.h>

namespace shulian::node {
namespace {

CheckpointVote SampleVote() {
  CheckpointVote vote;
  vote.height = 42;
  for (size_t i = 0; i < 32; ++i) vote.block_hash.bytes[i] = static_cast<uint8_t>(i);
  vote.node_id = 3;
  for (size_t i = 0; i < 64; ++i) vote.signature.bytes[i] = static_cast<uint8_t>(200 - i);
  return vote;
}

TEST(CheckpointMessagesTest, VoteAndRequestRoundTripInOneByteForm) {
  // Proves both messages decode to what was encoded and have the documented sizes.
  const CheckpointVote vote = SampleVote();
  Bytes encoded = EncodeCheckpointMessage(vote);
  ASSERT_EQ(encoded.size(), kCheckpointMessageBytesMax);
  Result<CheckpointMessage> decoded = DecodeCheckpointMessage(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_TRUE(std::holds_alternative<CheckpointVote>(*decoded));
  EXPECT_EQ(std::get<CheckpointVote>(*decoded), vote);

  Bytes request = EncodeCheckpointMessage(CheckpointRequest{7});
  ASSERT_EQ(request.size(), 9u);
  Result<CheckpointMessage> decoded_request = DecodeCheckpointMessage(request);
  ASSERT_TRUE(decoded_request.ok());
  EXPECT_EQ(std::get<CheckpointRequest>(*decoded_request).height, 7u);
}

TEST(CheckpointMessagesTest, EveryTruncationAndTrailingByteIsRefused) {
  // Proves a short or padded message never decodes.
  const Bytes encoded = EncodeCheckpointMessage(SampleVote());
  for (size_t size = 0; size < encoded.size(); ++size) {
    EXPECT_FALSE(DecodeCheckpointMessage(ByteView(encoded.data(), size)).ok()) << size;
  }
  Bytes padded = EncodeCheckpointMessage(CheckpointRequest{5});
  padded.push_back(0);
  Result<CheckpointMessage> trailing = DecodeCheckpointMessage(padded);
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("checkpoint message"), std::string::npos);
}

TEST(CheckpointMessagesTest, UnknownKindZeroHeightAndZeroNodeAreRefusedByName) {
  // Proves each malformed field is refused with an error naming it.
  Bytes unknown = {0x07};
  Result<CheckpointMessage> kind = DecodeCheckpointMessage(unknown);
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.status().message().find("kind"), std::string::npos);

  Result<CheckpointMessage> zero = DecodeCheckpointMessage(EncodeCheckpointMessage(CheckpointRequest{0}));
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("request.height"), std::string::npos);

  CheckpointVote vote = SampleVote();
  vote.node_id = 0;
  Result<CheckpointMessage> node = DecodeCheckpointMessage(EncodeCheckpointMessage(vote));
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.status().message().find("vote.node_id"), std::string::npos);

  Bytes oversized(kCheckpointMessageBytesMax + 1, 0x01);
  EXPECT_FALSE(DecodeCheckpointMessage(oversized).ok());
}

TEST(CheckpointMessagesTest, ChannelByteSeparatesRaftFromCheckpointTraffic) {
  // Proves the channel prefix round-trips and unknown or missing channels are refused.
  const Bytes body = {9, 8, 7};
  Bytes raft = WithChannel(PeerChannel::kRaft, body);
  ASSERT_EQ(raft.size(), 4u);
  EXPECT_EQ(raft[0], 0x01);
  Result<ChannelPayload> split = SplitChannel(raft);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->channel, PeerChannel::kRaft);
  EXPECT_EQ(Bytes(split->body.begin(), split->body.end()), body);

  Bytes checkpoint = WithChannel(PeerChannel::kCheckpoint, {});
  Result<ChannelPayload> empty_body = SplitChannel(checkpoint);
  ASSERT_TRUE(empty_body.ok());
  EXPECT_EQ(empty_body->channel, PeerChannel::kCheckpoint);
  EXPECT_TRUE(empty_body->body.empty());

  EXPECT_FALSE(SplitChannel(Bytes{}).ok());
  EXPECT_FALSE(SplitChannel(Bytes{0x00, 1}).ok());
  EXPECT_FALSE(SplitChannel(Bytes{0x03}).ok());
}

}  // namespace
}  // namespace shulian::node
