// FakeNodeService: an in-memory NodeService for testing the HTTP layer. It keeps
// accounts and their keys, a bounded queue, "commits" on request, and records
// what the API passed it (callers, query parameters, consistency), so tests can
// prove the server hands each request through correctly. It is a stand-in for
// the node only; everything the API itself does is real.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/service.h"
#include "crypto/keys.h"
#include "ledger/transaction.h"

namespace shulian::api::testing {

class FakeNodeService : public NodeService {
 public:
  static constexpr std::string_view kNetworkId = "test-net";
  // Stands for the hash of a genesis this service never had; transactions bind it.
  static crypto::Digest GenesisHash() { return crypto::Sha256(AsBytes("test-net genesis")); }

  FakeNodeService();

  // Registers an account with a fresh key and returns the key.
  std::shared_ptr<const crypto::KeyPair> AddAccount(const std::string& account);
  // A signed transaction from `sender` (a suspend_account body).
  ledger::Transaction MakeTransaction(const std::string& sender, uint64_t nonce) const;

  Result<std::vector<SubmitResult>> Submit(std::vector<ledger::Transaction> transactions,
                                           const SubmitOptions& options) override;
  Result<TransactionRecord> GetTransaction(const crypto::Digest& hash, ReadConsistency consistency,
                                           const Caller& caller) override;
  Result<BlockRecord> GetBlockByHeight(uint64_t height, ReadConsistency consistency, const Caller& caller) override;
  Result<BlockRecord> GetBlockByHash(const crypto::Digest& hash, ReadConsistency consistency,
                                     const Caller& caller) override;
  Result<NodeStatus> GetStatus() override;
  Health GetHealth() override;
  std::vector<QueryInfo> ListQueries() override;
  Result<QueryPage> Query(const QueryRequest& request) override;
  Result<crypto::PublicKey> AccountPublicKey(std::string_view account) override;
  std::vector<MetricFamily> Metrics() override;
  Result<ledger::CosignedCheckpoint> LatestCheckpoint() override;
  Result<ledger::CosignedCheckpoint> CheckpointAtHeight(uint64_t height) override;
  Result<ConsistencyAnswer> Consistency(uint64_t from_height, uint64_t to_height) override;
  // A stand-in bundle naming the request; PermissionDenied unless the caller is kSeesEverything.
  Result<nlohmann::json> Evidence(const EvidenceRequest& request, const Caller& caller) override;
  // "export <from>-<to>" for kSeesEverything; PermissionDenied otherwise.
  Result<LedgerExportPage> LedgerExport(uint64_t from_height, uint64_t to_height, uint64_t bytes_max,
                                        const Caller& caller) override;
  // Records the request; PermissionDenied unless the caller is kSeesEverything.
  Result<NodeStatus> TransferLeadership(const Caller& caller, uint64_t target, uint64_t timeout_ms) override;
  Result<nlohmann::json> Backup(const Caller& caller, const std::string& out) override;

  static constexpr std::string_view kSeesEverything = "court";

  // Test controls and observations (all thread-safe).
  void set_ready(bool ready);
  void set_queue_capacity(size_t capacity);
  // GetBlockByHeight(kErrorHeightBase + code) fails with that ErrorCode.
  static constexpr uint64_t kErrorHeightBase = 1000;
  size_t queued() const;
  size_t committed() const;
  std::optional<QueryRequest> last_query() const;
  std::optional<ReadConsistency> last_consistency() const;
  std::optional<Caller> last_caller() const;
  void AddCheckpoint(const ledger::CosignedCheckpoint& checkpoint);
  std::optional<EvidenceRequest> last_evidence() const;
  uint64_t last_export_bytes_max() const { return last_export_bytes_max_.load(); }

 private:
  // REQUIRES: mutex_ is held. Puts every queued transaction into one new block.
  void CommitQueued();

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const crypto::KeyPair>> accounts_;
  std::vector<ledger::Transaction> queue_;
  size_t queue_capacity_ = 1000;
  std::vector<BlockRecord> blocks_;  // blocks_[i] has height i + 1
  std::map<crypto::Digest, TransactionRecord> transactions_;
  bool ready_ = true;
  std::optional<QueryRequest> last_query_;
  std::optional<ReadConsistency> last_consistency_;
  std::optional<Caller> last_caller_;
  std::map<uint64_t, ledger::CosignedCheckpoint> checkpoints_;  // by height
  std::optional<EvidenceRequest> last_evidence_;
  std::atomic<uint64_t> last_export_bytes_max_{0};
  crypto::KeyPair node_key_;
};

}  // namespace shulian::api::testing
