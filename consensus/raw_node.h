// RawNode: the Raft consensus core — a pure, deterministic state machine.
//
// Inputs: Tick() (the passage of time, in ticks), Step(message) (a message from
// a peer), Propose / ProposeConfChange (client writes), Campaign, ReadIndex
// (linearizable reads), TransferLeadership, ApplyConfChange, ReportUnreachable,
// ReportSnapshot. Output: a Ready batch of work for the application, which
// acknowledges it with Advance(). The core does no I/O: no threads, clocks,
// sockets or files. Randomness comes from Config::random_seed.
//
// The algorithm is Raft (Ongaro & Ousterhout) with the extensions of Ongaro's
// thesis: pre-vote (§9.6), check-quorum and leader leases (§6.4, §9.6),
// ReadIndex (§6.4), leader transfer (§3.10), single-server membership changes
// (§4.1) with learners (§4.2.1), and log compaction with snapshots (§5). Each
// follower is replicated in one of three states: probe (one append per heartbeat
// until the match index is found), replicate (pipelined appends bounded by
// max_inflight_messages and max_inflight_bytes), snapshot (waiting for an
// install). Proposals are batched: those made since the last Ready are sent
// together when the next Ready is built. A leader commits only entries of its own term by counting replicas
// (§3.6.2, figure 8); earlier entries commit with them.
//
// Ownership: the application owns the Storage and must keep it alive while the
// RawNode exists. Errors: invalid input (a malformed message, a bad proposal)
// returns an error and changes nothing. An unexpected storage error is fatal:
// the node stops and every later call returns that error.
//
// Thread-safety: none. One thread owns a RawNode; the node layer wraps it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "common/status.h"
#include "consensus/config.h"
#include "consensus/storage.h"
#include "consensus/types.h"

namespace shulian::consensus {

enum class Role : uint8_t { kFollower = 0, kPreCandidate = 1, kCandidate = 2, kLeader = 3 };
std::string_view RoleName(Role role);

// Volatile state worth reporting; not persisted.
struct SoftState {
  NodeId leader = kNoNode;
  Role role = Role::kFollower;
  friend bool operator==(const SoftState&, const SoftState&) = default;
};

// A confirmed read: once the application has applied `index`, a read for
// `request_context` observes every write acknowledged before ReadIndex was called.
struct ReadState {
  Index index = 0;
  Bytes request_context;
  friend bool operator==(const ReadState&, const ReadState&) = default;
};

// Work the application must do, in this order:
//   1. If `snapshot` is not empty, install it in storage (atomically, replacing
//      the log) and restore the application state from its data.
//   2. Append `entries` to storage (truncating any conflicting suffix) and write
//      `hard_state` if present — in one atomic write, fsynced if `must_sync`.
//   3. Only then send `messages` (they may vote for a term or acknowledge entries
//      that step 2 made durable). Messages may be lost; Raft retransmits.
//   4. Apply `committed_entries` in order; for a kConfChange entry decode its
//      ConfChange and call RawNode::ApplyConfChange. Serve `read_states` once
//      their index is applied.
//   5. Call RawNode::Advance(ready) with this Ready. Do not call GetReady again
//      before Advance.
// Steps 1-2 must complete before 3: sending first can lose acknowledged writes
// or double-vote after a crash. One exception (Raft thesis §10.2.1): a leader
// whose Ready changes neither term nor vote and installs no snapshot may send its
// kAppend and kHeartbeat messages before step 2, so followers persist in parallel
// with it — provided the application steps no message (and calls no Tick or
// Propose) until step 2 is done. The core counts the leader's own entries as
// replicated when they are appended, so that rule is what keeps an entry from
// committing on an acknowledgement before the leader's own copy is durable.
struct Ready {
  std::optional<SoftState> soft_state;  // set when leader or role changed
  std::optional<HardState> hard_state;  // set when it changed; persist it
  std::vector<Entry> entries;           // to persist
  bool must_sync = false;               // true if term, vote or entries changed
  Snapshot snapshot;                    // to install; empty if none
  std::vector<Entry> committed_entries; // to apply
  std::vector<Message> messages;        // to send after persisting
  std::vector<ReadState> read_states;   // confirmed reads
};

enum class ProgressState : uint8_t { kProbe = 0, kReplicate = 1, kSnapshot = 2 };
std::string_view ProgressStateName(ProgressState state);

// The leader's view of one member's replication.
struct PeerProgress {
  NodeId id = kNoNode;
  bool is_learner = false;
  Index match = 0;  // highest index known to be replicated on the peer
  Index next = 0;   // next index to send
  ProgressState state = ProgressState::kProbe;
  bool recent_active = false;
  uint32_t inflight_messages = 0;
  uint64_t inflight_bytes = 0;
  Index pending_snapshot = 0;  // kSnapshot: index of the snapshot sent
};

struct NodeStatus {
  NodeId id = kNoNode;
  HardState hard_state;
  SoftState soft_state;
  Index applied = 0;
  Index last_index = 0;
  ConfState conf_state;
  NodeId lead_transferee = kNoNode;
  // Only on the leader: one entry per member (including itself), by id.
  // Peer lag = last_index - match.
  std::vector<PeerProgress> progress;
};

class RawNode {
 public:
  // Validates `config`, reads the initial state from `storage` and starts as a
  // follower. A fresh cluster is bootstrapped by giving every initial member a
  // storage holding a snapshot whose ConfState lists the initial voters.
  static Result<std::unique_ptr<RawNode>> Create(const Config& config, Storage* storage);
  ~RawNode();
  RawNode(const RawNode&) = delete;
  RawNode& operator=(const RawNode&) = delete;

  // Advances time by one tick: elections, heartbeats, check-quorum, transfer timeout.
  Status Tick();

  // Delivers a message from a peer. A message not addressed to this node or
  // malformed (non-contiguous entries, a term of 0) returns InvalidArgument.
  Status Step(const Message& message);

  // Appends `data` to the log. Errors: kUnavailable when this node is not the
  // leader (with the known leader's id in the message; the node layer forwards)
  // or there is no leader; kFailedPrecondition during a leader transfer;
  // kResourceExhausted when the uncommitted log exceeds its bound;
  // kInvalidArgument when data exceeds max_proposal_bytes.
  Status Propose(Bytes data);

  // Proposes a membership change (one at a time). Besides Propose's errors:
  // kFailedPrecondition if a change is pending or the change is invalid for the
  // current membership (re-adding a removed id, removing the last voter, ...).
  Status ProposeConfChange(const ConfChange& change);

  // Applies a committed conf change (call it while applying the entry) and
  // returns the new membership. An invalid change returns an error and leaves the
  // membership unchanged — deterministically on every node.
  Result<ConfState> ApplyConfChange(const ConfChange& change);

  // Starts an election now (pre-vote first when enabled). No-op on a leader or a
  // non-voter.
  Status Campaign();

  // Requests a linearizable read index; the answer arrives as a ReadState with the
  // same context. The context must be non-empty and unique among outstanding
  // requests (a duplicate is answered once). kUnavailable without a leader;
  // kResourceExhausted if too many reads wait; kInvalidArgument for an empty or
  // oversized context.
  Status ReadIndex(Bytes request_context);

  // Asks the leader to hand leadership to `target` (a voter). On a follower the
  // request is forwarded to the leader.
  Status TransferLeadership(NodeId target);

  // Tells the leader that the last message to `id` could not be delivered, or how
  // sending it a snapshot ended.
  void ReportUnreachable(NodeId id);
  void ReportSnapshot(NodeId id, bool succeeded);

  bool HasReady() const;
  Ready GetReady();
  // Acknowledges a Ready whose steps 1-4 are done.
  Status Advance(const Ready& ready);

  NodeStatus GetStatus() const;

  // Accessors for tests and invariant checks.
  NodeId id() const;
  Term term() const;
  NodeId vote() const;
  Role role() const;
  NodeId leader() const;
  Index committed() const;
  Index applied() const;
  Index last_index() const;
  const Status& fatal_error() const;
  // True while the restored node's vote fence holds (Config::vote_fence_term).
  bool vote_fenced() const;
  // Term of the entry at `index` (0 if unknown or compacted).
  Term TermAtOrZero(Index index) const;

 private:
  struct State;
  explicit RawNode(std::unique_ptr<State> state);

  std::unique_ptr<State> s_;
};

}  // namespace shulian::consensus
