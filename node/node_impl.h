// Node::Impl: the node's state shared between its event loop (node/node.cc) and
// the API-facing service methods (node/service.cc). Internal to node/.
//
// Threads and locks:
//   - loop thread: owns `raw`, `storage`, `proposals`; the only writer of `ledger`.
//   - API threads: read the ledger under `ledger_mutex` (shared); the loop takes it
//     exclusively while applying a block or building one.
//   - `inbox_mutex` guards `inbox`; `pending_mutex` guards the proposal queue;
//     `reads_mutex` guards read-index waits; `applied_mutex` pairs with
//     `applied_cv`, signalled after every applied entry.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/server.h"
#include "api/service.h"
#include "common/status.h"
#include "consensus/raw_node.h"
#include "crypto/keys.h"
#include "ledger/genesis.h"
#include "ledger/ledger.h"
#include "ledger/proposal.h"
#include "ledger/queries.h"
#include "node/applied_index.h"
#include "node/catchup.h"
#include "node/checkpointer.h"
#include "node/config.h"
#include "node/forward.h"
#include "node/membership.h"
#include "node/node.h"
#include "node/raft_storage.h"
#include "node/transport.h"

namespace shulian::node {

using Clock = std::chrono::steady_clock;

// A fixed-bucket histogram for Prometheus (upper bounds in seconds or units).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {}
  void Observe(double value);
  api::MetricFamily Family(std::string name, std::string help) const;

 private:
  mutable std::mutex mutex_;
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // GUARDED_BY(mutex_); last is +Inf
  double sum_ = 0;                // GUARDED_BY(mutex_)
  uint64_t count_ = 0;            // GUARDED_BY(mutex_)
};

struct InboxEvent {
  enum class Kind : uint8_t { kMessage, kReadIndex, kTransferLeadership } kind = Kind::kMessage;
  uint64_t from = 0;     // kMessage: the peer; kTransferLeadership: the target
  Bytes payload;         // kMessage: an encoded consensus::Message
  uint64_t read_id = 0;  // kReadIndex
};

struct PendingTx {
  ledger::Transaction tx;
  crypto::Digest hash;
  uint64_t bytes = 0;
  Clock::time_point admitted;
};

// The transactions of a block the leader proposed and has not yet seen applied
// or skipped (the block itself is tracked by the ProposalChain).
struct Inflight {
  std::vector<PendingTx> txs;
  Clock::time_point proposed;
};

// One submit-and-wait caller. The loop fills `results` as the blocks holding its
// transactions apply and wakes only this caller when the last one did.
struct CommitWait {
  std::vector<api::SubmitResult>* results = nullptr;  // GUARDED_BY(commit_waits_mutex)
  size_t outstanding = 0;                             // GUARDED_BY(commit_waits_mutex)
  std::condition_variable cv;
};

struct ReadWait {
  std::optional<uint64_t> index;
  std::optional<Status> error;
};

struct Node::Impl {
  NodeConfig config;
  ledger::Genesis genesis;
  std::shared_ptr<const crypto::KeyPair> node_key;
  int64_t block_time_skew_ms_max = 5'000;
  bool joining = false;  // not a genesis validator: starts with an empty Raft log (Open)

  // Storage and consensus. Destroyed in reverse: raw, storage, then ledger (which owns the DB).
  // Shared by the API's, the admission's and the apply's signature checks; made in
  // Open, before the ledger that points to it.
  std::unique_ptr<crypto::SignatureCache> signature_cache;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<LevelDbRaftStorage> storage;
  std::unique_ptr<consensus::RawNode> raw;
  std::unique_ptr<PeerTransport> transport;
  std::unique_ptr<api::HttpServer> server;
  // Checkpoint cosigning (node/checkpointer.h): made at the end of Open, started
  // once the transport is up, stopped before the transport and the ledger.
  std::unique_ptr<Checkpointer> checkpointer;
  mutable std::shared_mutex ledger_mutex;

  // Loop.
  std::thread loop;
  std::mutex inbox_mutex;
  std::condition_variable inbox_cv;
  std::deque<InboxEvent> inbox;  // GUARDED_BY(inbox_mutex)
  bool wake = false;             // GUARDED_BY(inbox_mutex): pending work was added
  std::atomic<bool> stopping{false};
  std::atomic<bool> stopped{false};
  mutable std::mutex fatal_mutex;
  Status fatal;  // GUARDED_BY(fatal_mutex)

  // Raft state published by the loop for the API threads.
  std::atomic<uint64_t> term{0};
  std::atomic<uint64_t> leader{0};
  std::atomic<uint8_t> role{0};
  std::atomic<uint64_t> commit_index{0};
  std::atomic<uint64_t> applied_index{0};
  std::atomic<uint64_t> commit_index_at_start{0};
  std::mutex status_mutex;
  std::vector<consensus::PeerProgress> progress;  // GUARDED_BY(status_mutex); leader only
  uint64_t last_index = 0;                         // GUARDED_BY(status_mutex)

  std::mutex applied_mutex;
  std::condition_variable applied_cv;

  // Proposals (leader).
  std::mutex pending_mutex;
  std::deque<PendingTx> pending;          // GUARDED_BY(pending_mutex)
  std::set<crypto::Digest> pending_hashes;  // GUARDED_BY(pending_mutex): queued or in flight
  uint64_t pending_bytes = 0;             // GUARDED_BY(pending_mutex)
  // Blocks proposed ahead of the applied head, at most proposals_in_flight_max;
  // loop thread only (built in StartRaft).
  std::optional<ledger::ProposalChain<Inflight>> proposals;

  // Reads.
  std::mutex reads_mutex;
  std::condition_variable reads_cv;
  std::map<uint64_t, ReadWait> reads;  // GUARDED_BY(reads_mutex)
  std::atomic<uint64_t> next_read_id{1};
  // Read contexts carry this node's id and a per-start random value, so the
  // leader never confuses two nodes' reads, nor an answer meant for this node's
  // previous run with a read of this one.
  const uint64_t read_boot_nonce = std::random_device{}() * 0x100000000ull + std::random_device{}();

  // Forwarding over the peer session (node/forward.h): the follower's client and
  // the leader's server, both made before the loop starts; the server is stopped
  // after the loop and before the transport.
  std::atomic<uint64_t> forwards_in_flight{0};
  std::unique_ptr<ForwardClient> forward_client;
  std::unique_ptr<ForwardServer> forward_server;
  // What both send with: set once the transport is running, cleared before it stops.
  std::atomic<PeerTransport*> forward_transport{nullptr};
  // What the transport's trust was last computed from (applying thread only),
  // and the trust computed before the transport started.
  std::optional<crypto::Digest> trusted_set_id;
  consensus::ConfState trusted_conf_state;
  std::map<uint64_t, crypto::PublicKey> initial_trust;
  std::atomic<uint64_t> forward_messages_dropped{0};  // undecodable forwarding payloads

  // Submit-and-wait callers by transaction hash (the index into their results).
  std::mutex commit_waits_mutex;
  std::multimap<crypto::Digest, std::pair<CommitWait*, size_t>> commit_waits;  // GUARDED_BY(commit_waits_mutex)

  // Metrics.
  Histogram commit_latency{{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}};
  Histogram block_transactions{{1, 10, 50, 100, 500, 1000, 5000, 10000}};
  std::atomic<uint64_t> blocks_applied{0};
  std::atomic<uint64_t> blocks_skipped{0};
  std::atomic<uint64_t> transactions_applied{0};
  std::atomic<uint64_t> inbox_dropped{0};
  std::atomic<uint64_t> appends_refused_clock{0};
  std::atomic<uint64_t> forwarded{0};

  // Log compaction, snapshot install with block catch-up, and validator-driven
  // membership (node/catchup.h, node/membership.h, docs/raft.md).
  std::mutex snapshot_points_mutex;
  SnapshotPoints snapshot_points{0};             // GUARDED_BY(snapshot_points_mutex)
  consensus::ConfState conf_state;               // applying thread: membership as of the applied index
  std::unique_ptr<CatchupServer> catchup_server;  // its own thread; fed by the transport thread
  std::unique_ptr<CatchupClient> catchup_client;  // loop thread; OnResponse from the transport thread
  Clock::time_point membership_checked;           // loop thread
  std::atomic<uint64_t> raft_compactions{0};
  // Backup and restore (node/backup.h): the stored restored fence, cleared once
  // the Raft core lifted it (loop thread); one backup at a time (API threads).
  bool vote_fence_stored = false;
  std::atomic<bool> backup_running{false};
  std::atomic<uint64_t> catchup_blocks{0};

  // ---- loop side (node.cc) ----
  Status Open();
  Status StartRaft();
  Status StartTransport();
  Status CheckOwnKeyAgainstLedger(bool differs_from_genesis);
  void Run();
  void DrainInbox();
  void StepMessage(uint64_t from, const Bytes& payload);
  bool AppendFitsClock(const consensus::Message& message) const;
  Status HandleReady();
  Status ApplyEntry(const consensus::Entry& entry);
  Status ApplyBlockEntry(const consensus::Entry& entry);
  // After the block (height, hash) applied (`applied`) or was skipped.
  void ResolveProposals(uint64_t height, const crypto::Digest& hash, bool applied);
  // REQUIRES: pending_mutex held. Puts dead proposals' transactions back at the
  // front of the queue, oldest first.
  void RequeueLocked(std::vector<Inflight> dead);
  void MaybePropose();
  bool ProposeOne();
  // Takes the next block's transactions off the queue, or none if a partial batch
  // should wait (`idle`: nothing is in flight, so nothing waits).
  std::vector<PendingTx> TakeBatch(bool idle);
  void DropLeaderState(const std::string& why);
  void PublishStatus();
  // Publishes the known leader and tells the forwarding client when it changed.
  void SetLeader(uint64_t id);
  // Resolves the callers waiting for this block's transactions (any thread).
  void NotifyCommitted(const ledger::BlockOutcome& outcome);
  // The `decided` hook of every apply, Raft or catch-up: a committed block's
  // waiters are answered once it passed every check, before the ledger's fsync.
  ledger::Ledger::Decided AnswerWaiters() {
    return [this](const ledger::BlockOutcome& outcome) { NotifyCommitted(outcome); };
  }
  void WakeCommitWaits();
  void Fail(const Status& status);
  void Wake();
  Status SaveAppliedIndex(uint64_t index);
  // Deletes the stored restored fence once the Raft core lifted it.
  Status MaybeClearVoteFence();
  // Compaction, snapshots, catch-up, membership (node.cc, last section).
  CatchupLimits MakeCatchupLimits() const;
  void StartCatchup();
  void OnCatchupMessage(uint64_t from, ByteView payload);  // transport thread
  Result<std::vector<Bytes>> ReadBlocksForPeer(uint64_t from_height, uint64_t blocks_max, uint64_t bytes_max,
                                               bool headers_only);
  Status CatchUpToSnapshot(const consensus::Snapshot& snapshot);
  ChainFns LedgerChainFns() const;
  Status ApplyCaughtUpBlock(ByteView bytes, uint64_t height);
  Status SnapshotInstalled(const consensus::Snapshot& snapshot);
  void RecordSnapshotPoint(uint64_t index);
  Status MaybeCompact();
  void MaybeReconcileMembership();
  Result<std::vector<uint64_t>> ActiveValidators() const;
  // Every validator record of the applied ledger (active and removed), by id.
  Result<std::vector<LedgerValidatorKey>> LedgerValidatorKeys() const;
  // The peer keys to trust now (TrustedPeerKeys over the config and the ledger).
  // A removed validator still in `members` (Raft has not removed it yet) stays
  // trusted: Raft may still need its vote, or a leadership transfer to leave it.
  Result<std::map<uint64_t, crypto::PublicKey>> CurrentPeerTrust(const consensus::ConfState& members) const;
  // Loop thread: hands the transport the ledger's validator keys when the set
  // changed since it last did (after an apply; first once the transport runs).
  void MaybeRefreshPeerTrust();

  // ---- service side (service.cc) ----
  Status WaitReadable(api::ReadConsistency consistency);
  Status PreCheck(const ledger::Transaction& tx, size_t position, std::optional<api::SubmitResult>* existing);
  Result<std::vector<api::SubmitResult>> Admit(std::vector<ledger::Transaction> txs);
  Result<std::vector<api::SubmitResult>> Forward(const std::vector<ledger::Transaction>& txs,
                                                 const api::SubmitOptions& options);
  // The leader's admission, for its own API and for forwarded submissions alike:
  // NotLeader on any other node (a forward is never forwarded again).
  Result<std::vector<api::SubmitResult>> SubmitAsLeader(std::vector<ledger::Transaction> txs,
                                                        const api::SubmitOptions& options);
  ForwardLimits MakeForwardLimits() const;
  void StartForwarding();
  // A forwarding payload from the transport thread.
  void OnForwardMessage(uint64_t from, ByteView payload);
  // A forwarded request on a ForwardServer worker.
  Result<std::vector<api::SubmitResult>> ServeForward(uint64_t from, const ForwardRequest& request);
  void WaitCommitted(std::vector<api::SubmitResult>& results, uint64_t timeout_ms);
  // Fills what the ledger already holds. REQUIRES: `wait` registered, no lock held.
  void ResolveFromLedger(CommitWait& wait);
  // REQUIRES: ledger_mutex held (shared).
  std::optional<api::SubmitResult> CommittedResult(const crypto::Digest& hash) const;
  // The ledger's outcome (Ledger::OutcomeAt) of the transaction at `position` in block `height`.
  Result<ledger::TxOutcome> OutcomeAt(uint64_t height, uint32_t position) const;
  Result<api::BlockRecord> BlockRecordAt(uint64_t height, const api::Caller& caller);
  Status CheckSeesEverything(const api::Caller& caller, std::string_view what) const;
  Result<bool> SeesTransaction(const api::Caller& caller, const ledger::Transaction& tx) const;
  struct VisibleTx {
    ledger::TxLocation location;
    ledger::Block block;  // the block holding it
  };
  // REQUIRES: ledger_mutex held (shared). NotFound, worded alike, for a missing
  // transaction and for one outside the caller's scope.
  Result<VisibleTx> FindVisibleTransaction(const api::Caller& caller, const crypto::Digest& hash) const;
  Status NotLeader() const;
  // PermissionDenied unless `caller` is an active operator account (node/operations.cc).
  Status CheckOperator(const api::Caller& caller, std::string_view what) const;

  // ---- evidence side (evidence_service.cc) ----
  Status CreateCheckpointer();
  // A checkpoint message body from the transport thread.
  void DeliverCheckpointMessage(uint64_t from, ByteView body);
  // REQUIRES: ledger_mutex held (shared). The cosigned checkpoint of `height`, or the latest.
  Result<ledger::CosignedCheckpoint> CosignedFor(std::optional<uint64_t> height) const;
  // REQUIRES: ledger_mutex held (shared). Whether the caller may have the bundle
  // of this subject, decided before anything is built (docs/api.md, "Security").
  Status CheckSeesEvidenceSubject(const api::Caller& caller, const api::EvidenceRequest& request) const;
};

// Renders the ledger queries for the API (query_json.cc).
// Whether the loop may send this Ready's appends and heartbeats before it persists
// the Ready (Raft thesis §10.2.1; docs/node.md "The event loop"): only a leader
// whose Ready changes neither term nor vote (against `saved`, the persisted hard
// state) and installs no snapshot. Votes, and anything said in a new term, must
// be durable before they are sent.
bool LeaderMaySendBeforeSave(consensus::Role role, const consensus::Ready& rd, const consensus::HardState& saved);

// The first block of `append` that this node must check against its clock (not
// committed as of `committed` or the append's commit, made by the sending leader
// in its term) and whose time is more than `skew_max_ms` from `now_ms`; nullopt
// when every such block fits. Only headers are read.
struct ClockMisfit {
  uint64_t height = 0;
  int64_t skew_ms = 0;  // block time minus now
};
std::optional<ClockMisfit> FirstFreshBlockOffClock(const consensus::Message& append, uint64_t committed,
                                                   int64_t now_ms, int64_t skew_max_ms);

std::vector<api::QueryInfo> LedgerQueryInfos();
// REQUIRES: the ledger's reader lock is held.
Result<api::QueryPage> RunLedgerQuery(const ledger::StateStore& state, const ledger::QueryLimits& limits,
                                      const api::QueryRequest& request);

}  // namespace shulian::node
