// Simulator: a deterministic, single-threaded simulation of a Raft cluster of
// RawNodes, reproducible from one uint64 seed (in the manner of TigerBeetle's VOPR).
//
// What is simulated:
//   - time: a tick counter; every live node is ticked once per simulated tick;
//   - disk: each node writes through SimDisk, which keeps a durable image and a
//     queue of unsynced writes (one Ready's persist step is one atomic write;
//     applying an entry is one atomic write of the application state). An fsync
//     moves the queue into the durable image; a crash keeps a random prefix of
//     the queue (as a write-ahead log torn at a write boundary) and loses the rest;
//   - network: per-message drop, duplication, delay in ticks (and so reordering),
//     symmetric and asymmetric partitions that heal;
//   - clients: unique proposals throughout, sent to a node that believes it is
//     leader and retried later when refused;
//   - operators: membership changes (fresh id as learner, promotion, removal),
//     leader transfers and snapshots/compaction, all during faults.
//
// What is checked (a violation stops the run with an error naming seed, step and
// tick): the consensus/invariants.h checker on every node after every input once
// its Ready is persisted; log matching (an (index, term) pair always names the same
// entry and the same predecessor term); committed-prefix agreement (a committed
// index never changes term on any node); leader completeness (a new leader holds
// every committed entry); durability (an index a leader commits is durable on a
// quorum of its voters); state-machine safety (every node's applied sequence,
// including snapshot installs, is a prefix of one history, compared by a running
// digest); and liveness: once faults stop and the network heals, within
// liveness_bound_ticks a leader commits a fresh proposal and every member applies it.
//
// Determinism: all randomness comes from one Rng seeded by SimOptions::seed, nodes
// iterate in id order, and messages in a seeded order; trace_hash() digests every
// event so two runs of a seed can be compared.
//
// Thread-safety: none; a Simulator belongs to one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "consensus/config.h"
#include "consensus/invariants.h"
#include "consensus/memory_storage.h"
#include "consensus/raw_node.h"
#include "consensus/types.h"

namespace shulian::consensus::sim {

// Probabilities are per opportunity (per message, per tick, per Ready).
struct FaultMix {
  double drop_probability = 0;
  double duplicate_probability = 0;
  uint32_t delay_ticks_max = 0;  // each message is delayed uniformly in [0, max] ticks
  double crash_probability_per_tick = 0;
  uint32_t restart_after_ticks_max = 30;
  // Probability that a node dies inside a Ready after its write, before the fsync.
  double torn_sync_probability = 0;
  double partition_probability_per_tick = 0;
  uint32_t partition_ticks_max = 60;
  double membership_change_probability_per_tick = 0;
  double transfer_probability_per_tick = 0;
  bool compaction = true;

  // Named mixes used by the tests and the soak.
  static FaultMix None();
  static FaultMix Network();      // loss, duplication, delay, partitions
  static FaultMix Crashes();      // crashes and torn syncs over a mildly lossy network
  static FaultMix Everything();   // all of the above plus membership changes and transfers
};

struct SimOptions {
  uint64_t seed = 1;
  uint32_t nodes = 3;
  // Ticks with faults injected, then the heal phase.
  uint32_t fault_ticks = 400;
  // After healing: a leader must commit a fresh proposal and every member apply it
  // within this many ticks. Election timeouts are randomised in [10, 20) ticks;
  // 30 timeouts leaves room for stale leaders to step down (check-quorum), several
  // split votes, snapshot catch-up of lagging members and membership in flight.
  uint32_t liveness_bound_ticks = 600;
  FaultMix faults;
  // New client proposals per tick: uniform in [0, max].
  uint32_t proposals_per_tick_max = 3;
  // Proposals handed to the leader per attempt: true = all queued ones (many per
  // Ready), false = one, then the Ready is processed (one proposal per round).
  bool batching = true;
  // A node snapshots its applied state once this many applied entries are in its log.
  uint32_t compact_threshold_entries = 64;
  uint32_t compact_keep_entries = 8;
  // Encode and decode every message, as the real transport does.
  bool encode_messages = true;
  // Run every safety check after every step (the benchmark turns it off).
  bool check = true;
  // Bound on fresh node ids handed out by membership changes.
  uint32_t added_nodes_max = 8;
  // Message delivery rounds within one tick (messages with zero delay arrive in a
  // later round of the same tick).
  uint32_t rounds_per_tick_max = 32;
  // Self-test of the checks only: skip every fsync, as a buggy application
  // would. The durability check must then fail.
  bool unsafe_skip_fsync = false;
  Config raft;  // template; id and random_seed are set per node

  Status Validate() const;
};

struct SimStats {
  uint64_t ticks = 0;
  uint64_t steps = 0;             // inputs handed to RawNodes (ticks, messages, proposals)
  uint64_t messages_sent = 0;
  uint64_t messages_delivered = 0;
  uint64_t readies = 0;
  uint64_t fsyncs = 0;             // Readies that asked for a sync
  uint64_t proposals_accepted = 0;
  uint64_t entries_committed = 0;  // length of the agreed history
  uint64_t crashes = 0;
  uint64_t torn_syncs = 0;
  uint64_t partitions = 0;
  uint64_t snapshots_installed = 0;
  uint64_t compactions = 0;
  uint64_t conf_changes_applied = 0;
  uint64_t transfers_requested = 0;
  uint64_t leaders_elected = 0;
  uint64_t liveness_ticks = 0;     // ticks from heal to the liveness proof
};

class Simulator {
 public:
  explicit Simulator(SimOptions options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // The whole run: bootstrap, fault phase, heal, liveness. The error names the
  // seed, step and tick of the first violation.
  Status Run();

  // Pieces of Run, for the benchmark.
  Status Bootstrap();
  Status RunTicks(uint64_t ticks);

  uint64_t trace_hash() const { return trace_hash_; }
  const SimStats& stats() const { return stats_; }
  const SimOptions& options() const { return options_; }

 private:
  struct AppState;
  struct DiskImage;
  struct DiskOp;
  class SimDisk;
  struct SimNode;
  struct InFlight;

  // One simulated tick: faults, clients, operators, ticks, delivery, readies.
  Status Step();
  Status Heal();
  Status CheckLiveness();

  Status StartNode(SimNode& node);
  void CrashNode(SimNode& node, bool torn);
  Status HandleReady(SimNode& node, bool* crashed);
  Status ApplyEntry(SimNode& node, const Entry& entry);
  Status InstallSnapshot(SimNode& node, const Snapshot& snapshot);
  Status MaybeCompact(SimNode& node);
  Status Settle();
  Status Deliver(const InFlight& flight);
  void Send(const Message& message);
  Status ProposeFromClients();
  Status MaybeChangeMembership();
  Status MaybeTransfer();
  void InjectFaults();
  SimNode* PickLeader();

  // Checks.
  Status Observe(SimNode& node);
  Status CheckCommitted(SimNode& node);
  Status CheckNewLeader(SimNode& node);
  Status CheckDurableQuorum(SimNode& node, Index index);
  Status RecordPersisted(SimNode& node, const std::vector<Entry>& entries);
  Status Fail(const std::string& what) const;

  bool Chance(double probability);
  uint64_t Uniform(uint64_t bound);
  void Trace(uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0);

  SimOptions options_;
  uint64_t rng_state_;  // splitmix64
  SimStats stats_;
  uint64_t now_ticks_ = 0;
  bool faults_on_ = true;
  uint64_t trace_hash_ = 0xcbf29ce484222325ull;

  std::map<NodeId, std::unique_ptr<SimNode>> nodes_;
  NodeId next_node_id_ = 1;
  uint32_t added_nodes_ = 0;

  // Network.
  std::map<std::pair<uint64_t, uint64_t>, std::unique_ptr<InFlight>> in_flight_;  // (deliver tick, order)
  uint64_t message_sequence_ = 0;
  std::set<std::pair<NodeId, NodeId>> blocked_links_;  // (from, to)
  uint64_t heal_at_tick_ = 0;

  // Clients.
  uint64_t next_proposal_ = 0;
  std::vector<Bytes> pending_proposals_;

  // Global knowledge for the checks.
  InvariantChecker invariants_;
  std::map<std::pair<Index, Term>, std::pair<uint64_t, Term>> persisted_;  // -> (entry hash, previous term)
  std::vector<Term> committed_terms_;     // [i] = term of committed index i (0 unused)
  std::vector<uint64_t> history_digest_;  // [i] = digest of the applied history up to i
  std::vector<Term> history_terms_;       // [i] = term of applied entry i
};

// The run a seed names: seed % 9 picks the cluster size (3, 5, 7 by seed % 3) and
// the fault mix (Network, Crashes, Everything by (seed % 9) / 3); the rest of the
// seed drives every random choice. Seeds from kSoakSeedsFrom on get a fault
// phase of kSoakFaultTicks. SHULIAN_SIM_SEED=<seed> replays any of them exactly.
SimOptions OptionsForSeed(uint64_t seed);
inline constexpr uint64_t kSeedClasses = 9;
inline constexpr uint64_t kSoakSeedsFrom = 1'000'000;
inline constexpr uint32_t kSoakFaultTicks = 1'500;

// Runs one seed and returns its error (with the replay hint) or OK; `trace_hash`
// receives the trace digest.
Status RunSeed(SimOptions options, uint64_t* trace_hash = nullptr, SimStats* stats = nullptr);

}  // namespace shulian::consensus::sim
