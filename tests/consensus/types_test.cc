#include "consensus/types.h"

#include <gtest/gtest.h>

#include "consensus/config.h"

namespace shulian::consensus {
namespace {

Message FullMessage() {
  Message m;
  m.type = MessageType::kSnapshot;
  m.from = 1;
  m.to = 2;
  m.term = 7;
  m.log_term = 6;
  m.index = 40;
  m.commit = 39;
  m.reject = true;
  m.reject_hint = 12;
  m.transferee = 3;
  m.has_snapshot = true;
  m.snapshot.metadata.index = 40;
  m.snapshot.metadata.term = 6;
  m.snapshot.metadata.conf_state.voters = {1, 2, 3};
  m.snapshot.metadata.conf_state.learners = {4};
  m.snapshot.metadata.conf_state.removed = {5};
  m.snapshot.data = ToBytes("state");
  m.context = ToBytes("ctx");
  return m;
}

// Proves every field of a message survives encode/decode, and the encoding is stable.
TEST(MessageCodecTest, RoundTripsEveryField) {
  Message m = FullMessage();
  Result<Message> decoded = DecodeMessage(EncodeMessage(m));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, m);
  EXPECT_EQ(EncodeMessage(*decoded), EncodeMessage(m));

  Message append;
  append.type = MessageType::kAppend;
  append.from = 1;
  append.to = 3;
  append.term = 2;
  append.entries = {Entry{2, 5, EntryType::kNormal, ToBytes("a")},
                    Entry{2, 6, EntryType::kConfChange, EncodeConfChange({ConfChangeType::kAddLearner, 9, {}})}};
  Result<Message> decoded_append = DecodeMessage(EncodeMessage(append));
  ASSERT_TRUE(decoded_append.ok());
  EXPECT_EQ(*decoded_append, append);
}

// Proves that truncating a valid encoding anywhere yields an error, never a message.
TEST(MessageCodecTest, RejectsEveryTruncation) {
  Bytes bytes = EncodeMessage(FullMessage());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(DecodeMessage(cut).ok()) << "prefix of " << n << " bytes decoded";
  }
}

// Proves malformed fields are rejected with an error naming them.
TEST(MessageCodecTest, RejectsMalformedFieldsByName) {
  Bytes bytes = EncodeMessage(FullMessage());
  Bytes bad_type = bytes;
  bad_type[0] = 200;
  Result<Message> r = DecodeMessage(bad_type);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("message.type"), std::string::npos);

  Bytes trailing = bytes;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeMessage(trailing).ok());

  Message unsorted = FullMessage();
  unsorted.snapshot.metadata.conf_state.voters = {3, 1};
  r = DecodeMessage(EncodeMessage(unsorted));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("conf_state.voters"), std::string::npos);

  Message snapshot_on_append = FullMessage();
  snapshot_on_append.type = MessageType::kAppend;
  EXPECT_FALSE(DecodeMessage(EncodeMessage(snapshot_on_append)).ok());
}

// Proves decoding enforces the limits before allocating: entry count, entry and context sizes.
TEST(MessageCodecTest, EnforcesLimits) {
  Message m;
  m.type = MessageType::kAppend;
  m.from = 1;
  m.to = 2;
  m.term = 1;
  for (Index i = 1; i <= 5; ++i) m.entries.push_back(Entry{1, i, EntryType::kNormal, Bytes(100, 'x')});
  m.context = Bytes(50, 'c');
  Bytes bytes = EncodeMessage(m);
  MessageLimits limits;
  limits.max_entries = 4;
  EXPECT_FALSE(DecodeMessage(bytes, limits).ok());
  limits = MessageLimits{};
  limits.max_entry_bytes = 99;
  EXPECT_FALSE(DecodeMessage(bytes, limits).ok());
  limits = MessageLimits{};
  limits.max_context_bytes = 49;
  EXPECT_FALSE(DecodeMessage(bytes, limits).ok());
  limits = MessageLimits{};
  limits.max_message_bytes = bytes.size() - 1;
  EXPECT_FALSE(DecodeMessage(bytes, limits).ok());
  EXPECT_TRUE(DecodeMessage(bytes).ok());

  // A huge claimed entry count in a tiny message is refused without allocating.
  Bytes forged = EncodeMessage(Message{});
  // entries count sits after type(1) + 5 u64 fields.
  forged[41] = 0xff;
  forged[42] = 0xff;
  EXPECT_FALSE(DecodeMessage(forged, MessageLimits{.max_entries = UINT32_MAX}).ok());
}

// Proves conf changes, hard states and entries round-trip and reject bad input.
TEST(MessageCodecTest, AuxiliaryEncodingsRoundTrip) {
  ConfChange c{ConfChangeType::kRemoveNode, 4, ToBytes("addr")};
  Result<ConfChange> rc = DecodeConfChange(EncodeConfChange(c));
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, c);
  Bytes bad = EncodeConfChange(c);
  bad[0] = 3;
  EXPECT_FALSE(DecodeConfChange(bad).ok());
  EXPECT_FALSE(DecodeConfChange(EncodeConfChange({ConfChangeType::kAddVoter, 0, {}})).ok());

  HardState hs{5, 2, 9};
  Result<HardState> rh = DecodeHardState(EncodeHardState(hs));
  ASSERT_TRUE(rh.ok());
  EXPECT_EQ(*rh, hs);

  Entry e{3, 4, EntryType::kNormal, ToBytes("block")};
  Result<Entry> re = DecodeEntry(EncodeEntry(e), 1024);
  ASSERT_TRUE(re.ok());
  EXPECT_EQ(*re, e);
  EXPECT_FALSE(DecodeEntry(EncodeEntry(e), 4).ok());

  ConfState overlapping;
  overlapping.voters = {1, 2};
  overlapping.learners = {2};
  EXPECT_FALSE(DecodeConfState(EncodeConfState(overlapping), 100).ok());
}

// Proves Config::Validate refuses each inconsistent limit, naming the field.
TEST(RaftConfigTest, ValidateNamesTheBadField) {
  Config ok;
  ok.id = 1;
  EXPECT_TRUE(ok.Validate().ok());
  auto expect_bad = [](Config c, const std::string& field) {
    Status s = c.Validate();
    EXPECT_FALSE(s.ok()) << field;
    EXPECT_NE(s.message().find(field), std::string::npos) << s.ToString();
  };
  Config c = ok;
  c.id = 0;
  expect_bad(c, "config.id");
  c = ok;
  c.heartbeat_ticks = 10;
  expect_bad(c, "config.election_timeout_ticks");
  c = ok;
  c.max_inflight_messages = 0;
  expect_bad(c, "config.max_inflight_messages");
  c = ok;
  c.max_inflight_bytes = 1;
  expect_bad(c, "config.max_inflight_bytes");
  c = ok;
  c.max_uncommitted_entries_bytes = 0;
  expect_bad(c, "config.max_uncommitted_entries_bytes");
  c = ok;
  c.check_quorum = false;
  c.read_only = ReadOnlyOption::kLeaseBased;
  expect_bad(c, "config.read_only");
}

}  // namespace
}  // namespace shulian::consensus
