#include "tests/consensus/cluster.h"

#include <algorithm>

#include "common/bytes.h"

namespace shulian::consensus::testing {

namespace {

constexpr size_t kStabilizeRoundsMax = 10'000;

Bytes EncodeAppState(const std::map<Index, std::string>& data, Index up_to) {
  ByteWriter w;
  std::vector<std::pair<Index, std::string>> items;
  for (const auto& [index, value] : data) {
    if (index <= up_to) items.emplace_back(index, value);
  }
  w.PutU32(static_cast<uint32_t>(items.size()));
  for (const auto& [index, value] : items) {
    w.PutU64(index);
    w.PutString(value);
  }
  return w.Take();
}

Result<std::map<Index, std::string>> DecodeAppState(ByteView bytes) {
  std::map<Index, std::string> out;
  if (bytes.empty()) return out;
  ByteReader r(bytes);
  ASSIGN_OR_RETURN(uint32_t count, r.GetU32());
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(Index index, r.GetU64());
    ASSIGN_OR_RETURN(std::string value, r.GetString(1 << 20));
    out[index] = value;
  }
  RETURN_IF_ERROR(r.Finish());
  return out;
}

std::string Entries(const std::vector<Entry>& entries) {
  std::string out = "[";
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? ", " : "") + DescribeEntry(entries[i]);
  return out + "]";
}

}  // namespace

std::vector<NodeId> Cluster::ids() const {
  std::vector<NodeId> out;
  for (const auto& [id, n] : nodes_) out.push_back(id);
  return out;
}

Status Cluster::AddNodes(size_t count, const std::vector<NodeId>& voters, const std::vector<NodeId>& learners,
                         Index index, const NodeOptions& options) {
  for (size_t i = 0; i < count; ++i) {
    NodeId id = next_id_++;
    TestNode n;
    n.config.id = id;
    n.config.pre_vote = options.pre_vote;
    n.config.check_quorum = options.check_quorum;
    n.config.read_only = options.read_only;
    n.config.election_timeout_ticks = options.election_timeout_ticks;
    n.config.heartbeat_ticks = options.heartbeat_ticks;
    n.config.max_inflight_messages = options.max_inflight_messages;
    n.config.max_size_per_append_bytes = options.max_size_per_append_bytes;
    n.config.max_uncommitted_entries_bytes = options.max_uncommitted_entries_bytes;
    n.config.random_seed = id;
    n.storage = std::make_unique<MemoryStorage>();
    if (!voters.empty()) {
      Snapshot boot;
      boot.metadata.index = index;
      boot.metadata.term = 1;
      boot.metadata.conf_state.voters = voters;
      boot.metadata.conf_state.learners = learners;
      std::sort(boot.metadata.conf_state.voters.begin(), boot.metadata.conf_state.voters.end());
      std::sort(boot.metadata.conf_state.learners.begin(), boot.metadata.conf_state.learners.end());
      RETURN_IF_ERROR(n.storage->ApplySnapshot(boot));
      n.conf_history[index] = boot.metadata.conf_state;
      n.applied_index = index;
    }
    ASSIGN_OR_RETURN(n.raw, RawNode::Create(n.config, n.storage.get()));
    nodes_.emplace(id, std::move(n));
    RETURN_IF_ERROR(Observe(id));
  }
  return Status::Ok();
}

Status Cluster::Observe(NodeId id) {
  Status s = checker_.Observe(*nodes_.at(id).raw);
  if (!s.ok() && violation_.ok()) violation_ = s;
  return s;
}

Status Cluster::CheckInvariants(NodeId id) { return Observe(id); }

Status Cluster::ApplyCommitted(TestNode& n, const std::vector<Entry>& entries, std::vector<std::string>* out) {
  const std::string who = std::to_string(n.config.id) + ": ";
  std::vector<Entry> normal;
  auto flush = [&] {
    if (!normal.empty() && out) out->push_back(who + "apply " + Entries(normal));
    normal.clear();
  };
  for (const Entry& e : entries) {
    if (e.type == EntryType::kConfChange) {
      flush();
      ASSIGN_OR_RETURN(ConfChange change, DecodeConfChange(e.data));
      Result<ConfState> conf = n.raw->ApplyConfChange(change);
      if (conf.ok()) {
        n.storage->SetConfState(*conf);
        n.conf_history[e.index] = *conf;
        if (out) out->push_back(who + "apply " + DescribeEntry(e) + " -> " + DescribeConfState(*conf));
      } else if (out) {
        out->push_back(who + "apply " + DescribeEntry(e) + " refused: " + conf.status().ToString());
      }
    } else {
      normal.push_back(e);
      n.applied_data[e.index] = std::string(AsStringView(e.data));
    }
    n.applied_index = e.index;
  }
  flush();
  return Status::Ok();
}

Status Cluster::ProcessReady(NodeId id, std::vector<std::string>* out) {
  TestNode& n = nodes_.at(id);
  if (!n.raw->HasReady()) return Status::Ok();
  Ready rd = n.raw->GetReady();
  const std::string who = std::to_string(id) + ": ";
  if (rd.soft_state && out) {
    out->push_back(who + std::string(RoleName(rd.soft_state->role)) + " term=" + std::to_string(n.raw->term()) +
                   " lead=" + std::to_string(rd.soft_state->leader));
  }
  // 1. Install the snapshot.
  if (!rd.snapshot.IsEmpty()) {
    RETURN_IF_ERROR(n.storage->ApplySnapshot(rd.snapshot));
    ASSIGN_OR_RETURN(n.applied_data, DecodeAppState(rd.snapshot.data));
    n.applied_index = rd.snapshot.metadata.index;
    n.conf_history = {{rd.snapshot.metadata.index, rd.snapshot.metadata.conf_state}};
    if (out) {
      out->push_back(who + "install snapshot " + std::to_string(rd.snapshot.metadata.term) + "/" +
                     std::to_string(rd.snapshot.metadata.index) + " " +
                     DescribeConfState(rd.snapshot.metadata.conf_state));
    }
  }
  // 2. Persist entries and hard state.
  RETURN_IF_ERROR(n.storage->Append(rd.entries));
  if (rd.hard_state) n.storage->SetHardState(*rd.hard_state);
  if (out && (rd.hard_state || !rd.entries.empty())) {
    std::string line = who + "persist";
    if (rd.hard_state) line += " hs(" + DescribeHardState(*rd.hard_state) + ")";
    if (!rd.entries.empty()) line += " entries " + Entries(rd.entries);
    if (rd.must_sync) line += " sync";
    out->push_back(line);
  }
  // 3. Send.
  for (Message& m : rd.messages) {
    if (out) out->push_back("  " + DescribeMessage(m));
    in_flight_.push_back(std::move(m));
  }
  // 4. Apply and serve reads.
  RETURN_IF_ERROR(ApplyCommitted(n, rd.committed_entries, out));
  for (const ReadState& r : rd.read_states) {
    if (out) {
      out->push_back(who + "read state index=" + std::to_string(r.index) + " ctx=" +
                     std::string(AsStringView(r.request_context)));
    }
    n.read_states.push_back(r);
  }
  // 5. Advance.
  RETURN_IF_ERROR(n.raw->Advance(rd));
  return Observe(id);
}

bool Cluster::Partitioned(NodeId a, NodeId b) const {
  auto ga = group_.find(a);
  auto gb = group_.find(b);
  int group_a = ga == group_.end() ? 0 : ga->second;
  int group_b = gb == group_.end() ? 0 : gb->second;
  return group_a != group_b;
}

void Cluster::Partition(const std::vector<std::vector<NodeId>>& groups) {
  group_.clear();
  for (size_t i = 0; i < groups.size(); ++i) {
    for (NodeId id : groups[i]) group_[id] = static_cast<int>(i) + 1;
  }
}

Status Cluster::Deliver(const Filter& filter, std::vector<std::string>* out, bool trace_delivered) {
  std::vector<Message> selected;
  std::vector<Message> rest;
  for (Message& m : in_flight_) (filter(m) ? selected : rest).push_back(std::move(m));
  in_flight_ = std::move(rest);
  for (const Message& m : selected) {
    if (!HasNode(m.to) || Partitioned(m.from, m.to)) {
      if (out) out->push_back("  dropped " + DescribeMessage(m));
      continue;
    }
    if (out && trace_delivered) out->push_back("  " + DescribeMessage(m));
    Status s = nodes_.at(m.to).raw->Step(m);
    if (!s.ok() && out) out->push_back(std::to_string(m.to) + ": step error: " + s.ToString());
    RETURN_IF_ERROR(Observe(m.to));
  }
  return Status::Ok();
}

Status Cluster::DeliverOne(size_t position, bool drop) {
  Message m = std::move(in_flight_.at(position));
  in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(position));
  if (drop || !HasNode(m.to) || Partitioned(m.from, m.to)) return Status::Ok();
  // Step errors (e.g. a message for a removed node) are the network's problem, not ours.
  nodes_.at(m.to).raw->Step(m).IgnoreError();
  RETURN_IF_ERROR(nodes_.at(m.to).raw->fatal_error());
  return Observe(m.to);
}

std::vector<Message> Cluster::Drop(const Filter& filter) {
  std::vector<Message> dropped;
  std::vector<Message> rest;
  for (Message& m : in_flight_) (filter(m) ? dropped : rest).push_back(std::move(m));
  in_flight_ = std::move(rest);
  return dropped;
}

Status Cluster::Stabilize(std::vector<std::string>* out) {
  for (size_t round = 0; round < kStabilizeRoundsMax; ++round) {
    bool progressed = false;
    for (NodeId id : ids()) {
      if (nodes_.at(id).raw->HasReady()) {
        RETURN_IF_ERROR(ProcessReady(id, out));
        progressed = true;
      }
    }
    if (!in_flight_.empty()) {
      RETURN_IF_ERROR(Deliver([](const Message&) { return true; }, out, /*trace_delivered=*/false));
      progressed = true;
    }
    if (!progressed) return Status::Ok();
  }
  return Status::Internal("stabilize: no quiescence after " + std::to_string(kStabilizeRoundsMax) + " rounds");
}

Status Cluster::Tick(NodeId id, size_t ticks) {
  for (size_t i = 0; i < ticks; ++i) {
    RETURN_IF_ERROR(nodes_.at(id).raw->Tick());
    RETURN_IF_ERROR(Observe(id));
  }
  return Status::Ok();
}

Status Cluster::Restart(NodeId id) {
  TestNode& n = nodes_.at(id);
  n.config.applied_index = n.applied_index;
  ASSIGN_OR_RETURN(n.raw, RawNode::Create(n.config, n.storage.get()));
  checker_.Restarted(id, n.storage->hard_state());
  return Observe(id);
}

Status Cluster::Compact(NodeId id, Index index) {
  TestNode& n = nodes_.at(id);
  if (index > n.applied_index) {
    return Status::FailedPrecondition("compact: index " + std::to_string(index) + " is not applied (applied " +
                                      std::to_string(n.applied_index) + ")");
  }
  ConfState conf;
  auto it = n.conf_history.upper_bound(index);
  if (it != n.conf_history.begin()) conf = std::prev(it)->second;
  ASSIGN_OR_RETURN(Snapshot snapshot, n.storage->CreateSnapshot(index, conf, EncodeAppState(n.applied_data, index)));
  (void)snapshot;
  return n.storage->Compact(index);
}

std::string DescribeNode(TestNode& n) {
  NodeStatus st = n.raw->GetStatus();
  std::string out = std::to_string(st.id) + ": " + std::string(RoleName(st.soft_state.role)) +
                    " term=" + std::to_string(st.hard_state.term) + " lead=" + std::to_string(st.soft_state.leader) +
                    " vote=" + std::to_string(st.hard_state.vote) + " commit=" + std::to_string(st.hard_state.commit) +
                    " applied=" + std::to_string(st.applied) + " last=" + std::to_string(st.last_index) + " " +
                    DescribeConfState(st.conf_state);
  if (st.lead_transferee != kNoNode) out += " transferee=" + std::to_string(st.lead_transferee);
  for (const PeerProgress& p : st.progress) {
    out += "\n  " + std::to_string(p.id) + (p.is_learner ? " (learner)" : "") + ": match=" + std::to_string(p.match) +
           " next=" + std::to_string(p.next) + " " + std::string(ProgressStateName(p.state)) +
           " inflight=" + std::to_string(p.inflight_messages);
    if (p.state == ProgressState::kSnapshot) out += " pending_snapshot=" + std::to_string(p.pending_snapshot);
  }
  return out;
}

}  // namespace shulian::consensus::testing
