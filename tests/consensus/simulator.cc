#include "tests/consensus/simulator.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace shulian::consensus::sim {

namespace {

constexpr uint64_t kFnvPrime = 0x100000001b3ull;
constexpr size_t kPendingProposalsMax = 10'000;  // client queue bound
constexpr uint32_t kReadiesPerNodePerRoundMax = 8;

std::string N(uint64_t v) { return std::to_string(v); }

uint64_t HashU64(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= kFnvPrime;
  }
  return h;
}

uint64_t HashBytes(uint64_t h, ByteView bytes) {
  h = HashU64(h, bytes.size());
  for (uint8_t b : bytes) {
    h ^= b;
    h *= kFnvPrime;
  }
  return h;
}

uint64_t EntryHash(const Entry& e) {
  uint64_t h = HashU64(0xcbf29ce484222325ull, e.term);
  h = HashU64(h, e.index);
  h = HashU64(h, static_cast<uint64_t>(e.type));
  return HashBytes(h, e.data);
}

// Running digest of an applied history: one step per applied entry.
uint64_t Chain(uint64_t digest, uint64_t entry_hash) {
  uint64_t z = digest ^ (entry_hash + 0x9e3779b97f4a7c15ull + (digest << 6) + (digest >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Bytes EncodeAppSnapshot(Index applied, uint64_t digest) {
  ByteWriter w;
  w.PutU64(applied);
  w.PutU64(digest);
  return w.Take();
}

Status ProbabilityValid(double p, std::string_view field) {
  if (!(p >= 0 && p <= 1)) return Status::InvalidArgument(std::string(field) + ": must be in [0, 1]");
  return Status::Ok();
}

}  // namespace

FaultMix FaultMix::None() { return FaultMix{}; }

FaultMix FaultMix::Network() {
  FaultMix f;
  f.drop_probability = 0.05;
  f.duplicate_probability = 0.03;
  f.delay_ticks_max = 3;
  f.partition_probability_per_tick = 0.02;
  f.partition_ticks_max = 60;
  return f;
}

FaultMix FaultMix::Crashes() {
  FaultMix f;
  f.drop_probability = 0.01;
  f.duplicate_probability = 0.01;
  f.delay_ticks_max = 2;
  f.crash_probability_per_tick = 0.02;
  f.restart_after_ticks_max = 40;
  f.torn_sync_probability = 0.003;
  return f;
}

FaultMix FaultMix::Everything() {
  FaultMix f = Network();
  f.crash_probability_per_tick = 0.01;
  f.restart_after_ticks_max = 40;
  f.torn_sync_probability = 0.002;
  f.membership_change_probability_per_tick = 0.02;
  f.transfer_probability_per_tick = 0.01;
  return f;
}

Status SimOptions::Validate() const {
  if (nodes < 1 || nodes > 9) return Status::InvalidArgument("nodes: must be in [1, 9]");
  if (liveness_bound_ticks == 0) return Status::InvalidArgument("liveness_bound_ticks: must be positive");
  if (rounds_per_tick_max == 0) return Status::InvalidArgument("rounds_per_tick_max: must be positive");
  if (compact_keep_entries >= compact_threshold_entries) {
    return Status::InvalidArgument("compact_keep_entries: must be below compact_threshold_entries");
  }
  RETURN_IF_ERROR(ProbabilityValid(faults.drop_probability, "faults.drop_probability"));
  RETURN_IF_ERROR(ProbabilityValid(faults.duplicate_probability, "faults.duplicate_probability"));
  RETURN_IF_ERROR(ProbabilityValid(faults.crash_probability_per_tick, "faults.crash_probability_per_tick"));
  RETURN_IF_ERROR(ProbabilityValid(faults.torn_sync_probability, "faults.torn_sync_probability"));
  RETURN_IF_ERROR(ProbabilityValid(faults.partition_probability_per_tick, "faults.partition_probability_per_tick"));
  RETURN_IF_ERROR(ProbabilityValid(faults.membership_change_probability_per_tick,
                                   "faults.membership_change_probability_per_tick"));
  RETURN_IF_ERROR(ProbabilityValid(faults.transfer_probability_per_tick, "faults.transfer_probability_per_tick"));
  Config c = raft;
  c.id = 1;
  return c.Validate().WithContext("raft");
}

// --- The simulated disk ----------------------------------------------------------

// The application's durable state: what it applied, a digest of it, membership.
struct Simulator::AppState {
  Index applied = 0;
  uint64_t digest = 0;
  ConfState conf;
};

struct Simulator::DiskImage {
  MemoryStorage storage;
  AppState app;
};

// One atomic write.
struct Simulator::DiskOp {
  enum class Kind : uint8_t { kAppend, kHardState, kInstall, kApply, kCompact };
  Kind kind = Kind::kAppend;
  std::vector<Entry> entries;  // kAppend
  HardState hard_state;        // kHardState
  Snapshot snapshot;           // kInstall; kCompact: index, conf and data of the new snapshot
  AppState app;                // kInstall, kApply
  bool conf_changed = false;   // kApply
  Index compact_index = 0;     // kCompact
};

// A node's disk: a durable image plus the writes not yet fsynced. The RawNode
// reads the current image (durable + unsynced), as it would read the OS cache.
class Simulator::SimDisk {
 public:
  DiskImage& current() { return current_; }
  const DiskImage& durable() const { return durable_; }
  size_t pending() const { return pending_.size(); }

  Status Write(DiskOp op) {
    RETURN_IF_ERROR(Apply(current_, op));
    pending_.push_back(std::move(op));
    return Status::Ok();
  }

  Status Sync() {
    for (const DiskOp& op : pending_) RETURN_IF_ERROR(Apply(durable_, op));
    pending_.clear();
    return Status::Ok();
  }

  // The first `kept` unsynced writes reach the disk; the rest are lost.
  Status Crash(size_t kept) {
    for (size_t i = 0; i < kept && i < pending_.size(); ++i) RETURN_IF_ERROR(Apply(durable_, pending_[i]));
    pending_.clear();
    current_ = durable_;
    return Status::Ok();
  }

 private:
  static Status Apply(DiskImage& image, const DiskOp& op) {
    switch (op.kind) {
      case DiskOp::Kind::kAppend:
        return image.storage.Append(op.entries);
      case DiskOp::Kind::kHardState:
        image.storage.SetHardState(op.hard_state);
        return Status::Ok();
      case DiskOp::Kind::kInstall:
        RETURN_IF_ERROR(image.storage.ApplySnapshot(op.snapshot));
        image.app = op.app;
        return Status::Ok();
      case DiskOp::Kind::kApply:
        image.app = op.app;
        if (op.conf_changed) image.storage.SetConfState(op.app.conf);
        return Status::Ok();
      case DiskOp::Kind::kCompact: {
        Result<Snapshot> made = image.storage.CreateSnapshot(
            op.snapshot.metadata.index, op.snapshot.metadata.conf_state, op.snapshot.data);
        if (!made.ok()) return made.status();
        return image.storage.Compact(op.compact_index);
      }
    }
    return Status::Internal("unknown disk op");
  }

  DiskImage current_;
  DiskImage durable_;
  std::vector<DiskOp> pending_;
};

struct Simulator::SimNode {
  NodeId id = kNoNode;
  SimDisk disk;
  std::unique_ptr<RawNode> raft;  // null while down
  bool retired = false;           // removed from the cluster and stopped for good
  uint64_t restart_at_tick = 0;
  uint32_t incarnation = 0;
  Index commit_seen = 0;
  Term leader_term_checked = 0;
  bool up() const { return raft != nullptr; }
};

struct Simulator::InFlight {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Message message;  // when not encoding
  Bytes encoded;    // when encoding
};

// --- Simulator -------------------------------------------------------------------

Simulator::Simulator(SimOptions options) : options_(std::move(options)), rng_state_(options_.seed) {}
Simulator::~Simulator() = default;

uint64_t Simulator::Uniform(uint64_t bound) {
  rng_state_ += 0x9e3779b97f4a7c15ull;
  uint64_t z = rng_state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return bound == 0 ? z : z % bound;
}

bool Simulator::Chance(double probability) {
  if (probability <= 0) return false;
  return static_cast<double>(Uniform(1ull << 53)) < probability * static_cast<double>(1ull << 53);
}

void Simulator::Trace(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  trace_hash_ = HashU64(HashU64(HashU64(HashU64(trace_hash_, a), b), c), d);
}

Status Simulator::Fail(const std::string& what) const {
  return Status::Internal("simulation failed: seed " + N(options_.seed) + " step " + N(stats_.steps) + " tick " +
                          N(now_ticks_) + ": " + what);
}

Status Simulator::Run() {
  RETURN_IF_ERROR(Bootstrap());
  RETURN_IF_ERROR(RunTicks(options_.fault_ticks));
  RETURN_IF_ERROR(Heal());
  return CheckLiveness();
}

Status Simulator::Bootstrap() {
  RETURN_IF_ERROR(options_.Validate());
  ConfState conf;
  for (NodeId id = 1; id <= options_.nodes; ++id) conf.voters.push_back(id);
  const uint64_t boot_digest = Chain(0, HashBytes(0, AsBytes("shulian simulation bootstrap")));
  history_digest_ = {0, boot_digest};
  history_terms_ = {0, 1};
  committed_terms_ = {0, 1};
  for (NodeId id = 1; id <= options_.nodes; ++id) {
    auto node = std::make_unique<SimNode>();
    node->id = id;
    DiskOp boot;
    boot.kind = DiskOp::Kind::kInstall;
    boot.snapshot.metadata = {1, 1, conf};
    boot.snapshot.data = EncodeAppSnapshot(1, boot_digest);
    boot.app = AppState{1, boot_digest, conf};
    RETURN_IF_ERROR(node->disk.Write(std::move(boot)));
    RETURN_IF_ERROR(node->disk.Sync());
    SimNode& ref = *node;
    nodes_.emplace(id, std::move(node));
    RETURN_IF_ERROR(StartNode(ref));
  }
  next_node_id_ = options_.nodes + 1;
  return Status::Ok();
}

Status Simulator::RunTicks(uint64_t ticks) {
  for (uint64_t i = 0; i < ticks; ++i) RETURN_IF_ERROR(Step());
  return Status::Ok();
}

Status Simulator::StartNode(SimNode& node) {
  Config config = options_.raft;
  config.id = node.id;
  config.random_seed = Chain(options_.seed, HashU64(node.id, node.incarnation));
  config.applied_index = node.disk.current().app.applied;
  Result<std::unique_ptr<RawNode>> made = RawNode::Create(config, &node.disk.current().storage);
  if (!made.ok()) return Fail("start node " + N(node.id) + ": " + made.status().ToString());
  node.raft = std::move(made).value();
  ++node.incarnation;
  node.commit_seen = node.raft->committed();
  invariants_.Restarted(node.id, node.disk.current().storage.hard_state());
  Trace(10, node.id, node.incarnation);
  return Observe(node);
}

void Simulator::CrashNode(SimNode& node, bool torn) {
  size_t kept = static_cast<size_t>(Uniform(node.disk.pending() + 1));
  Status s = node.disk.Crash(kept);
  assert(s.ok() && "replaying a prefix of writes that succeeded cannot fail");
  s.IgnoreError();
  node.raft.reset();
  node.restart_at_tick = now_ticks_ + 1 + Uniform(options_.faults.restart_after_ticks_max);
  ++stats_.crashes;
  if (torn) ++stats_.torn_syncs;
  Trace(11, node.id, kept, torn ? 1 : 0);
}

Simulator::SimNode* Simulator::PickLeader() {
  SimNode* best = nullptr;
  for (auto& [id, node] : nodes_) {
    if (!node->up() || node->raft->role() != Role::kLeader) continue;
    if (best == nullptr || node->raft->term() > best->raft->term()) best = node.get();
  }
  return best;
}

Status Simulator::Step() {
  ++now_ticks_;
  ++stats_.ticks;
  Trace(1, now_ticks_);
  for (auto& [id, node] : nodes_) {
    if (!node->up() && !node->retired && node->restart_at_tick <= now_ticks_) RETURN_IF_ERROR(StartNode(*node));
  }
  if (faults_on_) InjectFaults();
  RETURN_IF_ERROR(ProposeFromClients());
  if (faults_on_) {
    RETURN_IF_ERROR(MaybeChangeMembership());
    RETURN_IF_ERROR(MaybeTransfer());
  }
  for (auto& [id, node] : nodes_) {
    if (!node->up()) continue;
    ++stats_.steps;
    Status s = node->raft->Tick();
    if (!s.ok()) return Fail("tick node " + N(id) + ": " + s.ToString());
    RETURN_IF_ERROR(Observe(*node));
  }
  return Settle();
}

void Simulator::InjectFaults() {
  const FaultMix& f = options_.faults;
  if (Chance(f.crash_probability_per_tick)) {
    std::vector<SimNode*> up;
    for (auto& [id, node] : nodes_) {
      if (node->up()) up.push_back(node.get());
    }
    if (!up.empty()) CrashNode(*up[Uniform(up.size())], /*torn=*/false);
  }
  if (!blocked_links_.empty() && now_ticks_ >= heal_at_tick_) {
    blocked_links_.clear();
    Trace(12, 0);
  } else if (blocked_links_.empty() && Chance(f.partition_probability_per_tick)) {
    std::vector<NodeId> ids;
    for (auto& [id, node] : nodes_) {
      if (!node->retired) ids.push_back(id);
    }
    if (ids.size() < 2) return;
    uint64_t kind = Uniform(3);
    if (kind == 0) {  // symmetric: a minority group cut off both ways
      for (size_t i = ids.size() - 1; i > 0; --i) std::swap(ids[i], ids[Uniform(i + 1)]);
      size_t group = 1 + static_cast<size_t>(Uniform(ids.size() / 2));
      for (size_t i = 0; i < group; ++i) {
        for (size_t j = group; j < ids.size(); ++j) {
          blocked_links_.insert({ids[i], ids[j]});
          blocked_links_.insert({ids[j], ids[i]});
        }
      }
    } else {  // asymmetric: one node can send but not receive, or receive but not send
      NodeId x = ids[Uniform(ids.size())];
      for (NodeId other : ids) {
        if (other == x) continue;
        if (kind == 1) blocked_links_.insert({x, other});
        if (kind == 2) blocked_links_.insert({other, x});
      }
    }
    heal_at_tick_ = now_ticks_ + 1 + Uniform(f.partition_ticks_max);
    ++stats_.partitions;
    Trace(13, kind, blocked_links_.size());
  }
}

Status Simulator::ProposeFromClients() {
  uint64_t fresh = Uniform(options_.proposals_per_tick_max + 1);
  for (uint64_t i = 0; i < fresh && pending_proposals_.size() < kPendingProposalsMax; ++i) {
    pending_proposals_.push_back(ToBytes("client proposal " + N(next_proposal_++)));
  }
  if (pending_proposals_.empty()) return Status::Ok();
  SimNode* leader = PickLeader();
  if (leader == nullptr) return Status::Ok();
  size_t accepted = 0;
  for (; accepted < pending_proposals_.size(); ++accepted) {
    ++stats_.steps;
    Status s = leader->raft->Propose(pending_proposals_[accepted]);
    Trace(20, leader->id, s.ok() ? 0 : static_cast<uint64_t>(s.code()));
    if (!s.ok()) {
      // Refused (not leader any more, transfer in progress, log full): retry later.
      if (!leader->raft->fatal_error().ok()) return Fail("propose: " + s.ToString());
      break;
    }
    ++stats_.proposals_accepted;
    if (!options_.batching) {
      // One proposal per Ready: persist, send and apply before the next one.
      bool crashed = false;
      while (leader->up() && leader->raft->HasReady() && !crashed) RETURN_IF_ERROR(HandleReady(*leader, &crashed));
      if (!leader->up() || leader->raft->role() != Role::kLeader) {
        ++accepted;
        break;
      }
    }
  }
  pending_proposals_.erase(pending_proposals_.begin(), pending_proposals_.begin() + static_cast<std::ptrdiff_t>(accepted));
  if (leader->up()) return Observe(*leader);
  return Status::Ok();
}

Status Simulator::MaybeChangeMembership() {
  if (!Chance(options_.faults.membership_change_probability_per_tick)) return Status::Ok();
  SimNode* leader = PickLeader();
  if (leader == nullptr) return Status::Ok();
  NodeStatus status = leader->raft->GetStatus();
  const ConfState& conf = status.conf_state;
  ConfChange change;
  if (!conf.learners.empty()) {
    // Promote a learner once it has caught up with the leader's commit.
    for (const PeerProgress& p : status.progress) {
      if (p.is_learner && p.match >= status.hard_state.commit) {
        change.type = ConfChangeType::kAddVoter;
        change.node_id = p.id;
        break;
      }
    }
    if (change.node_id == kNoNode) return Status::Ok();
  } else {
    bool add = conf.voters.size() < options_.nodes ||
               (conf.voters.size() == options_.nodes && Chance(0.5));
    if (conf.voters.size() <= 2 && conf.voters.size() < options_.nodes) add = true;
    if (add && added_nodes_ >= options_.added_nodes_max) return Status::Ok();
    if (add) {
      change.type = ConfChangeType::kAddLearner;
      change.node_id = next_node_id_;
    } else {
      change.type = ConfChangeType::kRemoveNode;
      change.node_id = conf.voters[Uniform(conf.voters.size())];
    }
  }
  ++stats_.steps;
  Status s = leader->raft->ProposeConfChange(change);
  Trace(30, leader->id, static_cast<uint64_t>(change.type), change.node_id * 2 + (s.ok() ? 1 : 0));
  if (!s.ok()) return leader->raft->fatal_error().ok() ? Status::Ok() : Fail("propose conf change: " + s.ToString());
  if (change.type == ConfChangeType::kAddLearner) {
    // The new node's process starts empty and waits for the leader to reach it.
    ++next_node_id_;
    ++added_nodes_;
    auto node = std::make_unique<SimNode>();
    node->id = change.node_id;
    SimNode& ref = *node;
    nodes_.emplace(ref.id, std::move(node));
    RETURN_IF_ERROR(StartNode(ref));
  }
  return Observe(*leader);
}

Status Simulator::MaybeTransfer() {
  if (!Chance(options_.faults.transfer_probability_per_tick)) return Status::Ok();
  SimNode* leader = PickLeader();
  if (leader == nullptr) return Status::Ok();
  NodeStatus status = leader->raft->GetStatus();
  std::vector<NodeId> others;
  for (NodeId v : status.conf_state.voters) {
    if (v != leader->id) others.push_back(v);
  }
  if (others.empty()) return Status::Ok();
  NodeId target = others[Uniform(others.size())];
  ++stats_.steps;
  ++stats_.transfers_requested;
  Status s = leader->raft->TransferLeadership(target);
  Trace(31, leader->id, target, s.ok() ? 0 : static_cast<uint64_t>(s.code()));
  if (!s.ok() && !leader->raft->fatal_error().ok()) return Fail("transfer: " + s.ToString());
  return Observe(*leader);
}

void Simulator::Send(const Message& message) {
  ++stats_.messages_sent;
  Trace(40, message.from * 64 + message.to, static_cast<uint64_t>(message.type), message.term * 1'000'003 + message.index);
  if (faults_on_ && Chance(options_.faults.drop_probability)) {
    Trace(41);
    return;
  }
  int copies = (faults_on_ && Chance(options_.faults.duplicate_probability)) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    auto flight = std::make_unique<InFlight>();
    flight->from = message.from;
    flight->to = message.to;
    if (options_.encode_messages) {
      flight->encoded = EncodeMessage(message);
    } else {
      flight->message = message;
    }
    uint64_t deliver = now_ticks_ + Uniform(uint64_t{options_.faults.delay_ticks_max} + 1);
    // Random order among messages due in the same tick: that is the reordering.
    uint64_t order = (Uniform(1ull << 32) << 32) | (++message_sequence_ & 0xffffffffull);
    in_flight_.emplace(std::make_pair(deliver, order), std::move(flight));
  }
}

Status Simulator::Deliver(const InFlight& flight) {
  auto it = nodes_.find(flight.to);
  if (it == nodes_.end() || !it->second->up()) return Status::Ok();
  if (blocked_links_.count({flight.from, flight.to}) != 0) return Status::Ok();
  SimNode& node = *it->second;
  Message decoded;
  const Message* message = &flight.message;
  if (options_.encode_messages) {
    Result<Message> m = DecodeMessage(flight.encoded);
    if (!m.ok()) return Fail("decode message to " + N(flight.to) + ": " + m.status().ToString());
    decoded = std::move(m).value();
    message = &decoded;
  }
  ++stats_.messages_delivered;
  ++stats_.steps;
  Trace(42, flight.from * 64 + flight.to, static_cast<uint64_t>(message->type));
  Status s = node.raft->Step(*message);
  if (!s.ok()) return Fail("step node " + N(node.id) + " with " + DescribeMessage(*message) + ": " + s.ToString());
  return Observe(node);
}

Status Simulator::Settle() {
  for (uint32_t round = 0; round < options_.rounds_per_tick_max; ++round) {
    bool progress = false;
    std::vector<std::unique_ptr<InFlight>> due;
    while (!in_flight_.empty() && in_flight_.begin()->first.first <= now_ticks_) {
      due.push_back(std::move(in_flight_.begin()->second));
      in_flight_.erase(in_flight_.begin());
    }
    for (const auto& flight : due) RETURN_IF_ERROR(Deliver(*flight));
    progress = !due.empty();
    for (auto& [id, node] : nodes_) {
      bool crashed = false;
      for (uint32_t i = 0; i < kReadiesPerNodePerRoundMax && node->up() && node->raft->HasReady() && !crashed; ++i) {
        RETURN_IF_ERROR(HandleReady(*node, &crashed));
        progress = true;
      }
    }
    for (auto& [id, node] : nodes_) {
      if (node->retired && node->up()) {
        node->raft.reset();
        Trace(14, id);
      }
    }
    if (!progress) break;
  }
  return Status::Ok();
}

Status Simulator::HandleReady(SimNode& node, bool* crashed) {
  Ready rd = node.raft->GetReady();
  ++stats_.readies;
  if (rd.must_sync) ++stats_.fsyncs;
  Trace(50, node.id, rd.entries.size() * 1'000'003 + rd.committed_entries.size(),
        rd.hard_state ? HashU64(HashU64(rd.hard_state->term, rd.hard_state->vote), rd.hard_state->commit) : 0);
  if (!rd.snapshot.IsEmpty()) RETURN_IF_ERROR(InstallSnapshot(node, rd.snapshot));
  if (!rd.entries.empty()) {
    DiskOp op;
    op.kind = DiskOp::Kind::kAppend;
    op.entries = rd.entries;
    Status s = node.disk.Write(std::move(op));
    if (!s.ok()) return Fail("node " + N(node.id) + " persists entries: " + s.ToString());
    RETURN_IF_ERROR(RecordPersisted(node, rd.entries));
  }
  if (rd.hard_state) {
    DiskOp op;
    op.kind = DiskOp::Kind::kHardState;
    op.hard_state = *rd.hard_state;
    RETURN_IF_ERROR(node.disk.Write(std::move(op)));
  }
  if (rd.must_sync) {
    if (faults_on_ && Chance(options_.faults.torn_sync_probability)) {
      CrashNode(node, /*torn=*/true);  // dies between the write and the fsync
      *crashed = true;
      return Status::Ok();
    }
    if (!options_.unsafe_skip_fsync) RETURN_IF_ERROR(node.disk.Sync());
  }
  for (const Message& m : rd.messages) Send(m);
  for (const Entry& e : rd.committed_entries) RETURN_IF_ERROR(ApplyEntry(node, e));
  Status s = node.raft->Advance(rd);
  if (!s.ok()) return Fail("advance node " + N(node.id) + ": " + s.ToString());
  ++stats_.steps;
  RETURN_IF_ERROR(Observe(node));
  return MaybeCompact(node);
}

Status Simulator::InstallSnapshot(SimNode& node, const Snapshot& snapshot) {
  ByteReader r(snapshot.data);
  Result<uint64_t> index = r.GetU64();
  Result<uint64_t> digest = index.ok() ? r.GetU64() : Result<uint64_t>(index.status());
  if (!digest.ok() || *index != snapshot.metadata.index) {
    return Fail("node " + N(node.id) + " got a snapshot whose data does not match its index " +
                N(snapshot.metadata.index));
  }
  if (*index >= history_digest_.size() || history_digest_[*index] != *digest) {
    return Fail("state-machine safety: node " + N(node.id) + " installs a snapshot at " + N(*index) +
                " whose state is not the agreed history");
  }
  DiskOp op;
  op.kind = DiskOp::Kind::kInstall;
  op.snapshot = snapshot;
  op.app = AppState{*index, *digest, snapshot.metadata.conf_state};
  Status s = node.disk.Write(std::move(op));
  if (!s.ok()) return Fail("node " + N(node.id) + " installs snapshot: " + s.ToString());
  ++stats_.snapshots_installed;
  Trace(51, node.id, *index);
  return Status::Ok();
}

Status Simulator::ApplyEntry(SimNode& node, const Entry& entry) {
  AppState app = node.disk.current().app;
  if (entry.index != app.applied + 1) {
    return Fail("node " + N(node.id) + " was handed entry " + N(entry.index) + " to apply after applying " +
                N(app.applied));
  }
  uint64_t digest = Chain(app.digest, EntryHash(entry));
  if (entry.index < history_digest_.size()) {
    if (history_digest_[entry.index] != digest) {
      return Fail("state-machine safety: node " + N(node.id) + " applied " + DescribeEntry(entry) +
                  " which diverges from the history applied elsewhere (term there " +
                  N(history_terms_[entry.index]) + ")");
    }
  } else if (entry.index == history_digest_.size()) {
    history_digest_.push_back(digest);
    history_terms_.push_back(entry.term);
    stats_.entries_committed = entry.index;
  } else {
    return Fail("node " + N(node.id) + " applied " + N(entry.index) + " past the history's end " +
                N(history_digest_.size() - 1));
  }
  bool conf_changed = false;
  if (entry.type == EntryType::kConfChange) {
    Result<ConfChange> change = DecodeConfChange(entry.data);
    if (!change.ok()) return Fail("node " + N(node.id) + " applies an undecodable conf change");
    Result<ConfState> conf = node.raft->ApplyConfChange(*change);
    Trace(52, node.id, change->node_id, conf.ok() ? 1 : 0);
    if (conf.ok()) {
      app.conf = *conf;
      conf_changed = true;
      ++stats_.conf_changes_applied;
      if (change->type == ConfChangeType::kRemoveNode) {
        auto removed = nodes_.find(change->node_id);
        // Committed: the operator stops the removed node's process.
        if (removed != nodes_.end()) removed->second->retired = true;
      }
    } else if (!node.raft->fatal_error().ok()) {
      return Fail("apply conf change: " + conf.status().ToString());
    }
  }
  app.applied = entry.index;
  app.digest = digest;
  DiskOp op;
  op.kind = DiskOp::Kind::kApply;
  op.app = app;
  op.conf_changed = conf_changed;
  return node.disk.Write(std::move(op));
}

Status Simulator::MaybeCompact(SimNode& node) {
  if (!options_.faults.compaction || !node.up()) return Status::Ok();
  const AppState& app = node.disk.current().app;
  Index first = node.disk.current().storage.FirstIndex().value();
  if (app.applied < first + options_.compact_threshold_entries) return Status::Ok();
  DiskOp op;
  op.kind = DiskOp::Kind::kCompact;
  op.snapshot.metadata.index = app.applied;
  op.snapshot.metadata.conf_state = app.conf;
  op.snapshot.data = EncodeAppSnapshot(app.applied, app.digest);
  op.compact_index = app.applied - options_.compact_keep_entries;
  Status s = node.disk.Write(std::move(op));
  if (!s.ok()) return Fail("node " + N(node.id) + " compacts: " + s.ToString());
  ++stats_.compactions;
  Trace(53, node.id, app.applied);
  return Status::Ok();
}

Status Simulator::Heal() {
  faults_on_ = false;
  blocked_links_.clear();
  for (auto& [id, node] : nodes_) {
    if (!node->up() && !node->retired) RETURN_IF_ERROR(StartNode(*node));
  }
  Trace(60, now_ticks_);
  return Status::Ok();
}

Status Simulator::CheckLiveness() {
  const uint64_t healed_at = now_ticks_;
  const Bytes marker = ToBytes("liveness marker of seed " + N(options_.seed));
  Index marker_index = 0;
  Term marker_term = 0;
  while (now_ticks_ - healed_at < options_.liveness_bound_ticks) {
    RETURN_IF_ERROR(Step());
    SimNode* leader = PickLeader();
    if (marker_index != 0 && marker_index < history_terms_.size() && history_terms_[marker_index] != marker_term) {
      marker_index = 0;  // lost to a later leader: propose again
    }
    if (marker_index == 0) {
      if (leader != nullptr && leader->raft->Propose(marker).ok()) {
        marker_index = leader->raft->last_index();
        marker_term = leader->raft->term();
        Trace(61, leader->id, marker_index);
      }
      continue;
    }
    if (marker_index >= history_terms_.size() || leader == nullptr) continue;
    // Committed; now every member must have applied it.
    NodeStatus status = leader->raft->GetStatus();
    bool all = true;
    for (const auto* ids : {&status.conf_state.voters, &status.conf_state.learners}) {
      for (NodeId id : *ids) {
        auto it = nodes_.find(id);
        if (it == nodes_.end() || !it->second->up() || it->second->disk.current().app.applied < marker_index) {
          all = false;
        }
      }
    }
    if (all) {
      stats_.liveness_ticks = now_ticks_ - healed_at;
      return Status::Ok();
    }
  }
  std::string detail = marker_index == 0 ? "no leader accepted the proposal"
                       : marker_index >= history_terms_.size() ? "the proposal at " + N(marker_index) + " never committed"
                                                               : "not every member applied " + N(marker_index);
  for (auto& [id, node] : nodes_) {
    detail += "; node " + N(id) + (node->retired ? " retired" : node->up() ? "" : " down");
    if (node->up()) {
      detail += " " + std::string(RoleName(node->raft->role())) + " term " + N(node->raft->term()) + " commit " +
                N(node->raft->committed()) + " applied " + N(node->disk.current().app.applied) + " conf " +
                DescribeConfState(node->raft->GetStatus().conf_state);
    }
  }
  return Fail("liveness: " + N(options_.liveness_bound_ticks) + " ticks after healing: " + detail);
}

// --- Checks ----------------------------------------------------------------------

Status Simulator::Observe(SimNode& node) {
  if (!options_.check || !node.up()) return Status::Ok();
  // A term or vote the node has not persisted yet may be lost by a crash; the
  // checker sees the node once its state is durable (after the Ready's fsync).
  const HardState& stored = node.disk.current().storage.hard_state();
  if (node.raft->term() != stored.term || node.raft->vote() != stored.vote) return Status::Ok();
  Status s = invariants_.Observe(*node.raft);
  if (!s.ok()) return Fail("invariant: " + s.message());
  RETURN_IF_ERROR(CheckCommitted(node));
  if (node.raft->role() == Role::kLeader && node.leader_term_checked != node.raft->term()) {
    node.leader_term_checked = node.raft->term();
    ++stats_.leaders_elected;
    Trace(70, node.id, node.raft->term());
    RETURN_IF_ERROR(CheckNewLeader(node));
  }
  return Status::Ok();
}

Status Simulator::CheckCommitted(SimNode& node) {
  const Index commit = node.raft->committed();
  if (commit <= node.commit_seen) {
    node.commit_seen = commit;
    return Status::Ok();
  }
  for (Index i = node.commit_seen + 1; i <= commit; ++i) {
    Term t = node.raft->TermAtOrZero(i);
    if (i < committed_terms_.size()) {
      if (t != 0 && t != committed_terms_[i]) {
        return Fail("committed-prefix agreement: node " + N(node.id) + " commits index " + N(i) + " at term " + N(t) +
                    " but it was committed at term " + N(committed_terms_[i]));
      }
      continue;
    }
    if (t == 0 && i < history_terms_.size()) t = history_terms_[i];
    if (t == 0 || i != committed_terms_.size()) {
      return Fail("node " + N(node.id) + " commits index " + N(i) + " whose term nobody can tell");
    }
    committed_terms_.push_back(t);
  }
  node.commit_seen = commit;
  if (node.raft->role() == Role::kLeader) return CheckDurableQuorum(node, commit);
  return Status::Ok();
}

Status Simulator::CheckDurableQuorum(SimNode& leader, Index index) {
  const Term term = leader.raft->TermAtOrZero(index);
  NodeStatus status = leader.raft->GetStatus();
  size_t durable = 0;
  for (NodeId v : status.conf_state.voters) {
    auto it = nodes_.find(v);
    if (it == nodes_.end()) continue;
    Result<Term> t = it->second->disk.durable().storage.TermAt(index);
    if ((t.ok() && *t == term) || (!t.ok() && IsCompacted(t.status()))) ++durable;
  }
  if (durable < status.conf_state.voters.size() / 2 + 1) {
    return Fail("durability: leader " + N(leader.id) + " committed index " + N(index) + " (term " + N(term) +
                ") durable on only " + N(durable) + " of " + N(status.conf_state.voters.size()) + " voters");
  }
  return Status::Ok();
}

Status Simulator::CheckNewLeader(SimNode& node) {
  const Index known = committed_terms_.size() - 1;
  if (node.raft->last_index() < known) {
    return Fail("leader completeness: leader " + N(node.id) + " of term " + N(node.raft->term()) + " ends at " +
                N(node.raft->last_index()) + " but index " + N(known) + " is committed");
  }
  Index first = node.disk.current().storage.FirstIndex().value();
  for (Index i = first > 1 ? first - 1 : 1; i <= known; ++i) {
    Term t = node.raft->TermAtOrZero(i);
    if (t != 0 && t != committed_terms_[i]) {
      return Fail("leader completeness: leader " + N(node.id) + " of term " + N(node.raft->term()) + " has term " +
                  N(t) + " at committed index " + N(i) + " (committed at term " + N(committed_terms_[i]) + ")");
    }
  }
  return Status::Ok();
}

Status Simulator::RecordPersisted(SimNode& node, const std::vector<Entry>& entries) {
  if (!options_.check) return Status::Ok();
  constexpr Term kUnknown = ~Term{0};
  Result<Term> before = node.disk.current().storage.TermAt(entries.front().index - 1);
  Term previous = before.ok() ? *before : kUnknown;
  for (const Entry& e : entries) {
    uint64_t hash = EntryHash(e);
    auto [it, inserted] = persisted_.emplace(std::make_pair(e.index, e.term), std::make_pair(hash, previous));
    if (!inserted) {
      if (it->second.first != hash) {
        return Fail("log matching: two different entries at index " + N(e.index) + " term " + N(e.term) +
                    " (node " + N(node.id) + ")");
      }
      if (previous != kUnknown && it->second.second != kUnknown && it->second.second != previous) {
        return Fail("log matching: entry " + N(e.index) + "/" + N(e.term) + " follows term " + N(previous) +
                    " on node " + N(node.id) + " but term " + N(it->second.second) + " elsewhere");
      }
      if (it->second.second == kUnknown) it->second.second = previous;
    }
    previous = e.term;
  }
  return Status::Ok();
}

SimOptions OptionsForSeed(uint64_t seed) {
  static constexpr uint32_t kSizes[] = {3, 5, 7};
  SimOptions options;
  options.seed = seed;
  options.nodes = kSizes[seed % 3];
  if (seed >= kSoakSeedsFrom) options.fault_ticks = kSoakFaultTicks;
  switch ((seed % kSeedClasses) / 3) {
    case 0:
      options.faults = FaultMix::Network();
      break;
    case 1:
      options.faults = FaultMix::Crashes();
      break;
    default:
      options.faults = FaultMix::Everything();
      break;
  }
  return options;
}

Status RunSeed(SimOptions options, uint64_t* trace_hash, SimStats* stats) {
  Simulator sim(options);
  Status s = sim.Run();
  if (trace_hash != nullptr) *trace_hash = sim.trace_hash();
  if (stats != nullptr) *stats = sim.stats();
  if (!s.ok()) {
    return Status(s.code(), s.message() + " (replay: SHULIAN_SIM_SEED=" + std::to_string(options.seed) + ")");
  }
  return s;
}

}  // namespace shulian::consensus::sim
