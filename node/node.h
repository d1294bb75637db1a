// Node: the composition root of `shulian-node`. It joins the Raft core
// (consensus/raw_node.h), the durable Raft log (node/raft_storage.h), the ledger
// (ledger/ledger.h), the peer transport (node/transport.h) and the HTTP API
// (api/server.h), and implements api::NodeService for the API. docs/node.md
// explains the design; the short version:
//
//   - One LevelDB database in <data_dir>/db holds the Raft log ("r/"), the ledger
//     (blocks, Merkle log, state "s/") and the node's own keys ("n/": the applied
//     Raft index and the outcomes of each block, written in the block's batch).
//   - One event-loop thread owns the RawNode. Peer messages and read-index
//     requests reach it through a bounded inbox; ticks come from its own clock
//     every tick_ms. It handles each Ready in the documented order (persist, send,
//     apply, Advance).
//   - Blocks are Raft entries. The leader admits submitted transactions into a
//     bounded queue and, with no block in flight, builds, signs and proposes the
//     next block from it. A committed block that does not fit the head is skipped
//     on every node alike, and its proposer re-queues its transactions.
//   - Followers forward submissions to the leader over the peer session
//     (node/forward.h; or answer 503 naming it), never over HTTP.
//     Linearizable reads go through ReadIndex and wait for the apply.
//
// Ownership: Start returns a running node owning everything above. Stop (also run
// by the destructor) stops the API, finishes the Ready being handled, stops the
// transport and closes the database. Thread-safety: the NodeService methods are
// called from API worker threads concurrently; ledger reads share a reader lock
// that the apply path takes exclusively.
#pragma once

#include <cstdint>
#include <memory>

#include "api/service.h"
#include "common/status.h"
#include "node/config.h"

namespace shulian::node {

class Node final : public api::NodeService {
 public:
  // Loads the genesis and the node key, checks them against the config (the key
  // must be the one the genesis lists for this validator; InvalidArgument naming
  // the field otherwise), opens or creates the database, recovers Raft and the
  // ledger from it, and starts the loop, the transport and the API server.
  static Result<std::unique_ptr<Node>> Start(const NodeConfig& config);
  ~Node() override;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Idempotent. Blocks until everything is stopped and the database is closed.
  void Stop();
  // True once the loop stopped on its own (a fatal storage error); the reason is
  // in fatal_error().
  bool failed() const;
  Status fatal_error() const;

  uint16_t api_port() const;
  uint16_t peer_port() const;

  // api::NodeService.
  Result<std::vector<api::SubmitResult>> Submit(std::vector<ledger::Transaction> transactions,
                                                const api::SubmitOptions& options) override;
  Result<api::TransactionRecord> GetTransaction(const crypto::Digest& hash, api::ReadConsistency consistency,
                                                const api::Caller& caller) override;
  Result<api::BlockRecord> GetBlockByHeight(uint64_t height, api::ReadConsistency consistency,
                                            const api::Caller& caller) override;
  Result<api::BlockRecord> GetBlockByHash(const crypto::Digest& hash, api::ReadConsistency consistency,
                                          const api::Caller& caller) override;
  Result<api::NodeStatus> GetStatus() override;
  api::Health GetHealth() override;
  std::vector<api::QueryInfo> ListQueries() override;
  Result<api::QueryPage> Query(const api::QueryRequest& request) override;
  Result<crypto::PublicKey> AccountPublicKey(std::string_view account) override;
  std::vector<api::MetricFamily> Metrics() override;
  // Evidence (node/evidence_service.cc).
  Result<ledger::CosignedCheckpoint> LatestCheckpoint() override;
  Result<ledger::CosignedCheckpoint> CheckpointAtHeight(uint64_t height) override;
  Result<api::ConsistencyAnswer> Consistency(uint64_t from_height, uint64_t to_height) override;
  Result<nlohmann::json> Evidence(const api::EvidenceRequest& request, const api::Caller& caller) override;
  Result<api::LedgerExportPage> LedgerExport(uint64_t from_height, uint64_t to_height, uint64_t bytes_max,
                                             const api::Caller& caller) override;
  // Operations (node/operations.cc).
  Result<api::NodeStatus> TransferLeadership(const api::Caller& caller, uint64_t target,
                                             uint64_t timeout_ms) override;
  Result<nlohmann::json> Backup(const api::Caller& caller, const std::string& out) override;

  struct Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shulian::node
