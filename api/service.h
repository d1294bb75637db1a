// NodeService: what the HTTP API asks of a node. The API layer (api/handler.h,
// api/server.h) parses, authenticates, rate-limits and renders; everything it
// knows about the ledger, Raft and peers comes through this interface, which the
// node (the composition root) implements. Tests implement it in memory.
//
// Conventions for every method:
//   - errors are Status values; the API maps each ErrorCode to an HTTP status and
//     a stable JSON code in one table (api/errors.h). A method returns NotFound for
//     a miss, PermissionDenied when `caller` may not see the thing, Unavailable when
//     the node cannot answer now (no leader, ReadIndex timed out, shutting down) and
//     ResourceExhausted when a bounded queue is full;
//   - `caller` is the account whose signed request was verified (api/request_auth.h)
//     or nobody for an unsigned request; the service scopes results by the caller's
//     roles and jurisdiction as the state machine defines;
//   - ReadConsistency::kLinearizable (the default) means the answer reflects every
//     write committed before the request arrived (Raft ReadIndex); kStale means the
//     node's local applied state, possibly behind the leader.
//
// Ownership: the server holds a reference to the service and never owns it; the
// service must outlive the server. Thread-safety: every method may be called from
// several API worker threads at once, so implementations must be thread-safe.
// Methods may block (a linearizable read, a wait for commit), but never longer than
// the timeout they are given or the node's own read timeout.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/checkpoint.h"
#include "ledger/outcome.h"
#include "ledger/transaction.h"

namespace shulian::api {

enum class ReadConsistency : uint8_t {
  kLinearizable = 0,  // through Raft ReadIndex: reflects every earlier commit
  kStale = 1,         // the local applied state; may lag the leader
};

// Who is asking. An account is present only after its request signature verified.
struct Caller {
  std::optional<std::string> account;

  bool anonymous() const { return !account.has_value(); }
};

// ------------------------------- Submission -------------------------------

struct SubmitOptions {
  // Wait until every transaction is committed and applied, or until the timeout.
  bool wait_for_commit = false;
  // Already capped by the server at ServerOptions::wait_timeout_ms_max.
  uint64_t wait_timeout_ms = 0;
};

enum class SubmitState : uint8_t {
  kQueued = 0,     // accepted into the proposal queue; not waited for
  kCommitted = 1,  // in a committed, applied block: height and outcome are set
  kTimedOut = 2,   // waited and the timeout passed first; it may still commit
};
std::string_view SubmitStateName(SubmitState state);

struct SubmitResult {
  crypto::Digest tx_hash;
  SubmitState state = SubmitState::kQueued;
  std::optional<uint64_t> height;            // set when committed
  std::optional<ledger::TxOutcome> outcome;  // set when committed
};

// ------------------------------- Reads -------------------------------

// A transaction as recorded in a block, with where it sits and what was decided.
struct TransactionRecord {
  ledger::Transaction transaction;
  uint64_t height = 0;        // block height
  uint32_t index = 0;         // position in the block
  crypto::Digest block_hash;
  int64_t block_time_ms = 0;
  ledger::TxOutcome outcome;
};

struct BlockRecord {
  ledger::Block block;
  // One per transaction in block order when the node keeps them; may be empty.
  std::vector<ledger::TxOutcome> outcomes;
};

struct PeerStatus {
  uint64_t node_id = 0;
  std::string address;
  bool connected = false;
  // Raft log entries the peer is behind the leader's last index; only the
  // leader knows it (nullopt elsewhere).
  std::optional<uint64_t> lag_entries;
  std::optional<uint64_t> match_index;
  // "voter" or "learner" in the node's Raft membership; nullopt when the peer is
  // not a member (removed, not yet added) or the membership is not known.
  std::optional<std::string> member;
};

// Raft membership as of the node's applied index (node ids, ascending).
struct Membership {
  std::vector<uint64_t> voters;
  std::vector<uint64_t> learners;
  std::vector<uint64_t> removed;  // retired for good: node ids are never reused
};

struct NodeStatus {
  std::string network_id;
  crypto::Digest genesis_hash;  // what version-2 transaction signatures bind
  uint64_t node_id = 0;
  std::string role;  // "leader", "follower", "candidate", "pre_candidate", "learner"
  uint64_t term = 0;
  std::optional<uint64_t> leader_id;  // nullopt when no leader is known
  uint64_t commit_index = 0;   // Raft: highest entry known committed
  uint64_t applied_index = 0;  // Raft: highest entry applied to the ledger
  uint64_t height = 0;         // ledger: height of the head block
  crypto::Digest head_hash;    // ledger: hash of the head block (genesis hash at 0)
  uint64_t proposal_queue_depth = 0;
  // Nullopt while the node cannot tell yet (just after a start or a snapshot
  // install, until the next Raft entry applies).
  std::optional<Membership> membership;
  std::vector<PeerStatus> peers;
};

struct Health {
  bool live = true;    // the process is serving (GET /healthz)
  bool ready = false;  // it can answer linearizable reads and take writes (GET /readyz)
  std::string reason;  // why not ready; empty when ready
};

// ------------------------------- Queries -------------------------------

// A state-machine query the service offers: the server validates parameters
// against it before calling Query, and lists it at GET /v1/queries.
struct QueryInfo {
  std::string name;  // [a-z0-9_], e.g. "asset_history"
  std::string description;
  std::vector<std::string> required_params;
  std::vector<std::string> optional_params;
  bool paginated = true;
  // Public queries answer unsigned requests; others need a signed request.
  bool public_access = false;
};

// The open catalog query: GET /v1/catalog runs it with no caller.
inline constexpr std::string_view kCatalogQueryName = "open_catalog";

struct QueryRequest {
  std::string name;
  // Only the parameters the QueryInfo names; each at most
  // ServerOptions::query_param_bytes_max bytes.
  std::map<std::string, std::string> params;
  uint32_t limit = 50;   // 1..ServerOptions::page_items_max
  std::string cursor;    // opaque, from a previous page; empty for the first page
  ReadConsistency consistency = ReadConsistency::kLinearizable;
  Caller caller;
};

struct QueryPage {
  // An array of items for a list query, an object for a single-thing query.
  nlohmann::json result;
  // Where the next page starts; nullopt on the last page.
  std::optional<std::string> next_cursor;
};

// ------------------------------- Metrics -------------------------------

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram, kSummary, kUntyped };

struct MetricSample {
  // Appended to the family name: "" for counters and gauges, "_bucket", "_sum",
  // "_count" for histograms.
  std::string suffix;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// One Prometheus metric family; api/metrics_text.h renders the exposition format.
struct MetricFamily {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*, e.g. "shulian_commit_latency_seconds"
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<MetricSample> samples;
};

// ------------------------------- Evidence -------------------------------

// Two cosigned checkpoints this node holds and the proofs that the second
// extends the first in all three Merkle logs (ledger/checkpoint.h).
// The header of an export answer naming its last block (LedgerExportPage::to_height).
inline constexpr std::string_view kHeaderExportTo = "X-Shulian-Export-To";

// One page of a ledger export.
struct LedgerExportPage {
  std::string body;        // the export format, magic first
  uint64_t to_height = 0;  // the last block in `body`; below the asked `to` when the byte bound stopped it
};

struct ConsistencyAnswer {
  ledger::CosignedCheckpoint from;
  ledger::CosignedCheckpoint to;
  ledger::CheckpointConsistency proofs;
};

enum class EvidenceKind : uint8_t {
  kTransaction = 1,  // one transaction by hash
  kAssetAccess = 2,  // an asset's recorded accesses in a block-time range
  kDispute = 3,      // a dispute case and the transactions it references
};

// What an evidence bundle (docs/evidence.md, format "shulian-evidence/v1") is for.
// Only the fields of `kind` are used.
struct EvidenceRequest {
  EvidenceKind kind = EvidenceKind::kTransaction;
  crypto::Digest tx_hash;      // kTransaction
  std::string asset_id;        // kAssetAccess
  int64_t from_ms = 0;         // kAssetAccess: half-open [from_ms, to_ms) of block time
  int64_t to_ms = 0;
  std::string dispute_id;      // kDispute
  // Against the cosigned checkpoint of this height; the latest cosigned when empty.
  std::optional<uint64_t> checkpoint_height;
};

// ------------------------------- The interface -------------------------------

class NodeService {
 public:
  virtual ~NodeService() = default;

  // Admits `transactions` (already decoded; signatures already checked against
  // the senders' current keys when ServerOptions::verify_submissions is on) into
  // the proposal queue, all or none: ResourceExhausted when the queue cannot take
  // them all, Unavailable without a leader. Returns one result per transaction,
  // in order.
  virtual Result<std::vector<SubmitResult>> Submit(std::vector<ledger::Transaction> transactions,
                                                   const SubmitOptions& options) = 0;

  virtual Result<TransactionRecord> GetTransaction(const crypto::Digest& hash, ReadConsistency consistency,
                                                   const Caller& caller) = 0;
  virtual Result<BlockRecord> GetBlockByHeight(uint64_t height, ReadConsistency consistency,
                                               const Caller& caller) = 0;
  virtual Result<BlockRecord> GetBlockByHash(const crypto::Digest& hash, ReadConsistency consistency,
                                             const Caller& caller) = 0;

  virtual Result<NodeStatus> GetStatus() = 0;
  virtual Health GetHealth() = 0;

  // The queries Query accepts. Called per request, so keep it cheap.
  virtual std::vector<QueryInfo> ListQueries() = 0;
  virtual Result<QueryPage> Query(const QueryRequest& request) = 0;

  // The account's CURRENT public key, for verifying signed requests and
  // submissions. NotFound for no such account; PermissionDenied for a suspended one.
  virtual Result<crypto::PublicKey> AccountPublicKey(std::string_view account) = 0;

  // The node's metric families (commit latency, block size, queue depth, peer
  // lag, ...). The server adds its own HTTP metrics.
  virtual std::vector<MetricFamily> Metrics() = 0;

  // ---- Evidence (docs/evidence.md). Checkpoints and consistency proofs reveal
  // only roots and signatures, so they answer anyone; bundles and exports carry
  // records and are scoped like GetTransaction.

  // The cosigned checkpoint of the greatest height this node holds; NotFound
  // while it holds none.
  virtual Result<ledger::CosignedCheckpoint> LatestCheckpoint() = 0;
  // NotFound if this node holds no cosigned checkpoint for `height`.
  virtual Result<ledger::CosignedCheckpoint> CheckpointAtHeight(uint64_t height) = 0;
  // Proofs between the cosigned checkpoints of two heights (from <= to) this node
  // holds. InvalidArgument if from > to; NotFound if either is not cosigned here.
  virtual Result<ConsistencyAnswer> Consistency(uint64_t from_height, uint64_t to_height) = 0;
  // An evidence bundle (its JSON). PermissionDenied if `caller` may not see every
  // record in it; NotFound for an unknown subject or checkpoint; InvalidArgument
  // when the subject has more records than one bundle may hold.
  virtual Result<nlohmann::json> Evidence(const EvidenceRequest& request, const Caller& caller) = 0;
  // Blocks from_height..to_height (1 <= from <= to <= head) in the ledger export
  // format (ledger/ledger_export.h), each followed by its cosigned checkpoint when
  // this node holds one, stopping at the last whole block within `bytes_max` (the
  // first block is always included). Only for callers who see everything.
  virtual Result<LedgerExportPage> LedgerExport(uint64_t from_height, uint64_t to_height, uint64_t bytes_max,
                                                const Caller& caller) = 0;

  // ---- Operations (docs/node.md, "Operations").

  // Hands Raft leadership to voter `target` (before maintenance of this node) and
  // waits up to `timeout_ms` until `target` leads. Only for an active operator
  // account. Unavailable when this node is not the leader (the message names it)
  // or the transfer did not finish in time; InvalidArgument for a target that is
  // not a voter. Writes in flight are not lost: the old leader stops taking new
  // proposals during the transfer and the new one has every committed entry.
  virtual Result<NodeStatus> TransferLeadership(const Caller& caller, uint64_t target, uint64_t timeout_ms) = 0;
  // Writes a backup of this node's whole database into the folder `out` on the
  // node's host (absolute; its parent must exist and it must not) while the node
  // keeps running, and answers the backup's manifest (docs/node.md "Backup and
  // restore"). PermissionDenied unless an active operator; InvalidArgument or
  // AlreadyExists for `out`; ResourceExhausted beyond backup_bytes_max or while
  // another backup runs.
  virtual Result<nlohmann::json> Backup(const Caller& caller, const std::string& out) = 0;
};

}  // namespace shulian::api
