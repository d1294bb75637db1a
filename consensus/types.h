// Value types of the Raft core: log entries, persistent state, configurations,
// snapshots and the messages nodes exchange, with their canonical wire encoding.
//
// Everything here is a plain value: the caller owns what it builds. Messages are
// encoded with common/bytes.h (big-endian integers, u32 length prefixes) and one
// value has exactly one byte form. DecodeMessage is meant for bytes from the
// network: it bounds every count and size by MessageLimits before allocating and
// rejects unknown enum values, non-canonical booleans, unsorted id lists and
// trailing bytes with an error naming the field.
//
// Thread-safety: values; no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace shulian::consensus {

// A node's identity in the cluster. 0 means "none"; ids are never reused.
using NodeId = uint64_t;
// A Raft term; monotonically increasing on every node.
using Term = uint64_t;
// A position in the replicated log; the first entry has index 1.
using Index = uint64_t;

inline constexpr NodeId kNoNode = 0;

enum class EntryType : uint8_t {
  kNormal = 0,      // application data (for the ledger: one block); may be empty
  kConfChange = 1,  // data is an encoded ConfChange
};

struct Entry {
  Term term = 0;
  Index index = 0;
  EntryType type = EntryType::kNormal;
  Bytes data;

  // Bytes this entry counts against the size limits: its data plus a fixed
  // overhead, so that empty entries are not free.
  uint64_t SizeBytes() const { return data.size() + kOverheadBytes; }
  static constexpr uint64_t kOverheadBytes = 24;

  friend bool operator==(const Entry&, const Entry&) = default;
};

// The state each node must persist (and fsync) before sending messages that
// depend on it. term and commit never decrease; vote is kNoNode or the node
// voted for in `term`.
struct HardState {
  Term term = 0;
  NodeId vote = kNoNode;
  Index commit = 0;

  bool IsEmpty() const { return term == 0 && vote == kNoNode && commit == 0; }
  friend bool operator==(const HardState&, const HardState&) = default;
};

// The cluster membership. Each list is sorted ascending without duplicates.
// `removed` remembers every id ever removed so that it is never admitted again.
struct ConfState {
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;
  std::vector<NodeId> removed;

  bool IsVoter(NodeId id) const;
  bool IsLearner(NodeId id) const;
  bool IsRemoved(NodeId id) const;
  bool IsMember(NodeId id) const { return IsVoter(id) || IsLearner(id); }
  friend bool operator==(const ConfState&, const ConfState&) = default;
};

enum class ConfChangeType : uint8_t {
  kAddVoter = 0,    // add a new voter, or promote a learner to voter
  kAddLearner = 1,  // add a new non-voting member that receives the log
  kRemoveNode = 2,  // remove a voter or learner; its id is retired forever
};

// A single-server membership change. Proposed with RawNode::ProposeConfChange,
// carried in a kConfChange entry, and applied with RawNode::ApplyConfChange when
// the application applies that committed entry.
struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddVoter;
  NodeId node_id = kNoNode;
  Bytes context;  // opaque to Raft (e.g. the new node's address)

  friend bool operator==(const ConfChange&, const ConfChange&) = default;
};

struct SnapshotMetadata {
  Index index = 0;  // last log index the snapshot covers
  Term term = 0;    // term of that entry
  ConfState conf_state;  // membership as of `index`

  friend bool operator==(const SnapshotMetadata&, const SnapshotMetadata&) = default;
};

// A compacted prefix of the log. `data` is opaque to Raft: the application's
// state as of metadata.index (for the ledger: a height and a state reference).
struct Snapshot {
  SnapshotMetadata metadata;
  Bytes data;

  bool IsEmpty() const { return metadata.index == 0; }
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

enum class MessageType : uint8_t {
  kPreVote = 0,            // "would you vote for me at term+1?"; changes no state
  kPreVoteResponse = 1,    // reject, or grant at the asked term
  kVote = 2,               // request vote: term, index/log_term = candidate's last entry
  kVoteResponse = 3,       // reject
  kAppend = 4,             // index/log_term = entry preceding `entries`; commit
  kAppendResponse = 5,     // index = last matching index, or (reject) the rejected index + reject_hint
  kHeartbeat = 6,          // commit, context (read-index round)
  kHeartbeatResponse = 7,  // context echoed
  kSnapshot = 8,           // snapshot
  kReadIndex = 9,          // follower asks the leader for a read index; context identifies it
  kReadIndexResponse = 10, // index = read index, context echoed
  kTimeoutNow = 11,        // leader transfer: "campaign now, skipping pre-vote"
  kTransferLeader = 12,    // ask the leader to transfer leadership to `transferee`
};
inline constexpr uint8_t kMaxMessageType = 12;

std::string_view MessageTypeName(MessageType type);

// One Raft message. Fields not used by a type are zero/empty; every field is
// always encoded so the byte form is unique.
struct Message {
  MessageType type = MessageType::kAppend;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term = 0;
  Term log_term = 0;
  Index index = 0;
  std::vector<Entry> entries;
  Index commit = 0;
  bool reject = false;
  Index reject_hint = 0;
  NodeId transferee = kNoNode;  // kTransferLeader only
  bool has_snapshot = false;    // kSnapshot only
  Snapshot snapshot;
  Bytes context;

  friend bool operator==(const Message&, const Message&) = default;
};

// Context of a kVote/kPreVote sent by a leader-transfer campaign: voters grant it
// even while they still believe in a live leader.
inline constexpr std::string_view kCampaignTransferContext = "campaign-transfer";

// Context of a kAppendResponse rejection from a node restored from a backup
// (still fenced, Config::vote_fence_term): it may have lost entries it had
// acknowledged, so the leader's match for it may be above its log and must come
// down to its hint, or every later append would be refused as stale.
inline constexpr std::string_view kRestoredLogContext = "restored-log";

// Bounds DecodeMessage enforces before allocating.
struct MessageLimits {
  uint32_t max_entries = 10'000;
  uint64_t max_entry_bytes = 64ull << 20;
  uint64_t max_snapshot_bytes = 1ull << 30;
  uint32_t max_conf_ids = 10'000;  // per list in a ConfState
  uint64_t max_context_bytes = 64 << 10;
  uint64_t max_message_bytes = 1ull << 31;  // whole encoded message
};

Bytes EncodeMessage(const Message& message);
Result<Message> DecodeMessage(ByteView bytes, const MessageLimits& limits = MessageLimits{});

Bytes EncodeConfChange(const ConfChange& change);
Result<ConfChange> DecodeConfChange(ByteView bytes, uint64_t max_context_bytes = 64 << 10);

// Encodings used inside snapshots and by storage implementations.
Bytes EncodeHardState(const HardState& state);
Result<HardState> DecodeHardState(ByteView bytes);
Bytes EncodeEntry(const Entry& entry);
Result<Entry> DecodeEntry(ByteView bytes, uint64_t max_entry_bytes);
Bytes EncodeConfState(const ConfState& state);
Result<ConfState> DecodeConfState(ByteView bytes, uint32_t max_conf_ids);

// One-line human-readable forms for logs and scenario traces.
std::string DescribeEntry(const Entry& entry);
std::string DescribeMessage(const Message& message);
std::string DescribeConfState(const ConfState& state);
std::string DescribeHardState(const HardState& state);

}  // namespace shulian::consensus
