// Cluster: a test harness running several RawNodes over MemoryStorage in one
// thread, with a hand-driven network (messages wait in a queue until delivered
// or dropped) and partitions. It plays the application's part of the Ready
// contract (persist, send, apply, Advance) and runs the InvariantChecker after
// every step, recording the first violation. Used by the scenario interpreter
// and the unit tests.
//
// Thread-safety: none.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "consensus/config.h"
#include "consensus/invariants.h"
#include "consensus/memory_storage.h"
#include "consensus/raw_node.h"

namespace shulian::consensus::testing {

struct TestNode {
  Config config;
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<RawNode> raw;
  // The application's state: applied normal entries' data by index, and the
  // membership history by index. Both count as persisted with applied_index.
  std::map<Index, std::string> applied_data;
  std::map<Index, ConfState> conf_history;
  Index applied_index = 0;
  std::vector<ReadState> read_states;
};

struct NodeOptions {
  bool pre_vote = true;
  bool check_quorum = true;
  ReadOnlyOption read_only = ReadOnlyOption::kSafe;
  uint32_t election_timeout_ticks = 10;
  uint32_t heartbeat_ticks = 1;
  uint32_t max_inflight_messages = 256;
  uint64_t max_size_per_append_bytes = 1 << 20;
  uint64_t max_uncommitted_entries_bytes = 64ull << 20;
};

class Cluster {
 public:
  using Filter = std::function<bool(const Message&)>;

  // Adds `count` nodes with the next free ids. If `voters` is not empty the new
  // nodes are bootstrapped with a snapshot at (index, term 1) holding
  // voters/learners; otherwise they start empty (to join by conf change).
  Status AddNodes(size_t count, const std::vector<NodeId>& voters, const std::vector<NodeId>& learners, Index index,
                  const NodeOptions& options);

  TestNode& node(NodeId id) { return nodes_.at(id); }
  bool HasNode(NodeId id) const { return nodes_.count(id) != 0; }
  std::vector<NodeId> ids() const;

  // Handles one Ready of `id` if it has one; appends a trace to `out`.
  Status ProcessReady(NodeId id, std::vector<std::string>* out);
  // Steps queued messages that match `filter` into their recipients (dropping
  // those crossing a partition, which are traced); traces delivered ones too
  // if `trace_delivered`.
  Status Deliver(const Filter& filter, std::vector<std::string>* out, bool trace_delivered);
  // Delivers (or, if `drop`, discards) the queued message at `position`.
  Status DeliverOne(size_t position, bool drop);
  // Removes queued messages matching `filter`; returns them.
  std::vector<Message> Drop(const Filter& filter);
  // Processes Readies and delivers messages until nothing is left (bounded).
  Status Stabilize(std::vector<std::string>* out);
  Status Tick(NodeId id, size_t ticks);
  // Restarts `id` from what its storage and application persisted.
  Status Restart(NodeId id);
  // Snapshot at `index` (<= applied) then compaction of the log up to it.
  Status Compact(NodeId id, Index index);

  // Puts each listed group in its own partition; nodes not listed stay together.
  void Partition(const std::vector<std::vector<NodeId>>& groups);
  void Heal() { group_.clear(); }

  const std::vector<Message>& in_flight() const { return in_flight_; }
  // The first invariant violation seen, or OK.
  const Status& violation() const { return violation_; }
  Status CheckInvariants(NodeId id);

 private:
  bool Partitioned(NodeId a, NodeId b) const;
  Status ApplyCommitted(TestNode& n, const std::vector<Entry>& entries, std::vector<std::string>* out);
  Status Observe(NodeId id);

  std::map<NodeId, TestNode> nodes_;
  std::vector<Message> in_flight_;
  std::map<NodeId, int> group_;
  InvariantChecker checker_;
  Status violation_;
  NodeId next_id_ = 1;
};

// Formats a node's one-line state ("1: leader term=2 lead=1 commit=3 ...").
std::string DescribeNode(TestNode& node);

}  // namespace shulian::consensus::testing
