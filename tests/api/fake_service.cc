#include "tests/api/fake_service.h"

#include <algorithm>
#include <cassert>

#include "ledger/bodies.h"

namespace shulian::api::testing {

namespace {
crypto::KeyPair InitializedKey() {
  const Status status = crypto::Initialize();
  assert(status.ok());
  (void)status;
  return crypto::KeyPair::Generate();
}
}  // namespace

FakeNodeService::FakeNodeService() : node_key_(InitializedKey()) {}

std::shared_ptr<const crypto::KeyPair> FakeNodeService::AddAccount(const std::string& account) {
  auto key = std::make_shared<const crypto::KeyPair>(crypto::KeyPair::Generate());
  std::lock_guard<std::mutex> lock(mutex_);
  accounts_[account] = key;
  return key;
}

ledger::Transaction FakeNodeService::MakeTransaction(const std::string& sender, uint64_t nonce) const {
  ledger::SuspendAccountBody body;
  body.account_id = "someone";
  body.reason = "test reason " + std::to_string(nonce);
  ledger::Transaction tx;
  tx.type = ledger::TxType::kSuspendAccount;
  tx.network_id = std::string(kNetworkId);
  tx.sender = sender;
  tx.client_time_ms = 1'700'000'000'000;
  tx.nonce = nonce;
  tx.body = body.Encode();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = accounts_.find(sender);
  if (it != accounts_.end()) tx.Sign(*it->second, GenesisHash());
  return tx;
}

Result<std::vector<SubmitResult>> FakeNodeService::Submit(std::vector<ledger::Transaction> transactions,
                                                          const SubmitOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (queue_.size() + transactions.size() > queue_capacity_) {
    return Status::ResourceExhausted("proposal queue is full (" + std::to_string(queue_capacity_) + ")");
  }
  std::vector<crypto::Digest> hashes;
  for (ledger::Transaction& tx : transactions) {
    hashes.push_back(tx.Hash());
    queue_.push_back(std::move(tx));
  }
  if (options.wait_for_commit) CommitQueued();
  std::vector<SubmitResult> results;
  for (const crypto::Digest& hash : hashes) {
    SubmitResult result;
    result.tx_hash = hash;
    if (auto it = transactions_.find(hash); it != transactions_.end()) {
      result.state = SubmitState::kCommitted;
      result.height = it->second.height;
      result.outcome = it->second.outcome;
    }
    results.push_back(std::move(result));
  }
  return results;
}

void FakeNodeService::CommitQueued() {
  BlockRecord record;
  record.block.header.height = blocks_.size() + 1;
  record.block.header.time_ms = 1'700'000'000'000 + static_cast<int64_t>(blocks_.size());
  record.block.header.proposer = 1;
  record.block.header.tx_count = static_cast<uint32_t>(queue_.size());
  record.block.transactions = std::move(queue_);
  queue_.clear();
  record.block.Sign(node_key_);
  const crypto::Digest block_hash = record.block.header.Hash();
  for (uint32_t i = 0; i < record.block.transactions.size(); ++i) {
    const ledger::Transaction& tx = record.block.transactions[i];
    ledger::TxOutcome outcome;
    outcome.tx_hash = tx.Hash();
    record.outcomes.push_back(outcome);
    transactions_[outcome.tx_hash] =
        TransactionRecord{tx, record.block.header.height, i, block_hash, record.block.header.time_ms, outcome};
  }
  blocks_.push_back(std::move(record));
}

Result<TransactionRecord> FakeNodeService::GetTransaction(const crypto::Digest& hash, ReadConsistency consistency,
                                                          const Caller& caller) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_consistency_ = consistency;
  last_caller_ = caller;
  auto it = transactions_.find(hash);
  if (it == transactions_.end()) return Status::NotFound("no transaction " + hash.ToHex());
  return it->second;
}

Result<BlockRecord> FakeNodeService::GetBlockByHeight(uint64_t height, ReadConsistency consistency,
                                                      const Caller& caller) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_consistency_ = consistency;
  last_caller_ = caller;
  if (height > kErrorHeightBase && height <= kErrorHeightBase + static_cast<uint64_t>(ErrorCode::kInternal)) {
    return Status(static_cast<ErrorCode>(height - kErrorHeightBase), "forced error for height " + std::to_string(height));
  }
  if (height == 0 || height > blocks_.size()) return Status::NotFound("no block at height " + std::to_string(height));
  return blocks_[height - 1];
}

Result<BlockRecord> FakeNodeService::GetBlockByHash(const crypto::Digest& hash, ReadConsistency consistency,
                                                    const Caller& caller) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_consistency_ = consistency;
  last_caller_ = caller;
  for (const BlockRecord& record : blocks_) {
    if (record.block.header.Hash() == hash) return record;
  }
  return Status::NotFound("no block with hash " + hash.ToHex());
}

Result<NodeStatus> FakeNodeService::GetStatus() {
  std::lock_guard<std::mutex> lock(mutex_);
  NodeStatus status;
  status.network_id = std::string(kNetworkId);
  status.genesis_hash = GenesisHash();
  status.node_id = 1;
  status.role = "leader";
  status.term = 3;
  status.leader_id = 1;
  status.commit_index = blocks_.size() + 2;
  status.applied_index = blocks_.size() + 2;
  status.height = blocks_.size();
  if (!blocks_.empty()) status.head_hash = blocks_.back().block.header.Hash();
  status.proposal_queue_depth = queue_.size();
  status.membership = Membership{{1, 2}, {3}, {4}};
  status.peers.push_back({2, "127.0.0.1:7002", true, 0, status.commit_index, "voter"});
  status.peers.push_back({3, "127.0.0.1:7003", false, 5, status.commit_index - 5, "learner"});
  return status;
}

Health FakeNodeService::GetHealth() {
  std::lock_guard<std::mutex> lock(mutex_);
  return {true, ready_, ready_ ? "" : "no leader known"};
}

std::vector<QueryInfo> FakeNodeService::ListQueries() {
  return {
      {std::string(kCatalogQueryName), "Assets open to the public.", {}, {"authority"}, true, true},
      {"asset_history", "Every event of one asset.", {"asset_id"}, {"from_ms", "to_ms"}, true, false},
      {"supervisor_summary", "Counts for a supervisor.", {}, {}, false, false},
  };
}

Result<QueryPage> FakeNodeService::Query(const QueryRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_query_ = request;
  QueryPage page;
  if (request.name == "supervisor_summary") {
    page.result = {{"violations", 0}, {"overdue", 0}};
    return page;
  }
  if (request.name == "asset_history" && request.params.at("asset_id") == "missing") {
    return Status::NotFound("no asset 'missing'");
  }
  // Ten numbered items, paged by a cursor that is the next index.
  constexpr uint32_t kItems = 10;
  uint32_t start = 0;
  if (!request.cursor.empty()) start = static_cast<uint32_t>(std::stoul(request.cursor));
  page.result = nlohmann::json::array();
  const uint32_t end = std::min(kItems, start + request.limit);
  for (uint32_t i = start; i < end; ++i) page.result.push_back({{"index", i}});
  if (end < kItems) page.next_cursor = std::to_string(end);
  return page;
}

Result<crypto::PublicKey> FakeNodeService::AccountPublicKey(std::string_view account) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = accounts_.find(std::string(account));
  if (it == accounts_.end()) return Status::NotFound("no account '" + std::string(account) + "'");
  return it->second->public_key();
}

std::vector<MetricFamily> FakeNodeService::Metrics() {
  std::lock_guard<std::mutex> lock(mutex_);
  return {
      {"shulian_proposal_queue_depth", "Transactions waiting to be proposed.", MetricType::kGauge,
       {{"", {}, static_cast<double>(queue_.size())}}},
      {"shulian_peer_lag_entries", "Entries each peer is behind.", MetricType::kGauge,
       {{"", {{"peer", "2"}}, 0}, {"", {{"peer", "3"}}, 5}}},
  };
}

Result<ledger::CosignedCheckpoint> FakeNodeService::LatestCheckpoint() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (checkpoints_.empty()) return Status::NotFound("no cosigned checkpoint yet");
  return checkpoints_.rbegin()->second;
}

Result<ledger::CosignedCheckpoint> FakeNodeService::CheckpointAtHeight(uint64_t height) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = checkpoints_.find(height);
  if (it == checkpoints_.end()) return Status::NotFound("no cosigned checkpoint at height " + std::to_string(height));
  return it->second;
}

Result<ConsistencyAnswer> FakeNodeService::Consistency(uint64_t from_height, uint64_t to_height) {
  ASSIGN_OR_RETURN(ledger::CosignedCheckpoint from, CheckpointAtHeight(from_height));
  ASSIGN_OR_RETURN(ledger::CosignedCheckpoint to, CheckpointAtHeight(to_height));
  ConsistencyAnswer answer{from, to, {}};
  answer.proofs.from = from.checkpoint;
  answer.proofs.to = to.checkpoint;
  return answer;
}

Result<nlohmann::json> FakeNodeService::Evidence(const EvidenceRequest& request, const Caller& caller) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_evidence_ = request;
  last_caller_ = caller;
  if (caller.account != std::string(kSeesEverything)) return Status::PermissionDenied("evidence: not in scope");
  return nlohmann::json{{"format", "fake"}, {"kind", static_cast<int>(request.kind)}};
}

Result<LedgerExportPage> FakeNodeService::LedgerExport(uint64_t from_height, uint64_t to_height,
                                                       uint64_t bytes_max, const Caller& caller) {
  if (caller.account != std::string(kSeesEverything)) return Status::PermissionDenied("export: not in scope");
  last_export_bytes_max_ = bytes_max;
  return LedgerExportPage{"export " + std::to_string(from_height) + "-" + std::to_string(to_height),
                          to_height};
}

Result<nlohmann::json> FakeNodeService::Backup(const Caller& caller, const std::string& out) {
  if (caller.account != std::string(kSeesEverything))
    return Status::PermissionDenied("backup: not an operator");
  return nlohmann::json{{"out", out}};
}

Result<NodeStatus> FakeNodeService::TransferLeadership(const Caller& caller, uint64_t target, uint64_t timeout_ms) {
  if (caller.account != std::string(kSeesEverything)) return Status::PermissionDenied("transfer: not an operator");
  ASSIGN_OR_RETURN(NodeStatus status, GetStatus());
  status.leader_id = target;
  status.term += timeout_ms > 0 ? 1 : 0;
  return status;
}

void FakeNodeService::AddCheckpoint(const ledger::CosignedCheckpoint& checkpoint) {
  std::lock_guard<std::mutex> lock(mutex_);
  checkpoints_[checkpoint.checkpoint.height] = checkpoint;
}

std::optional<EvidenceRequest> FakeNodeService::last_evidence() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_evidence_;
}

void FakeNodeService::set_ready(bool ready) {
  std::lock_guard<std::mutex> lock(mutex_);
  ready_ = ready;
}
void FakeNodeService::set_queue_capacity(size_t capacity) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_capacity_ = capacity;
}
size_t FakeNodeService::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}
size_t FakeNodeService::committed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return transactions_.size();
}
std::optional<QueryRequest> FakeNodeService::last_query() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_query_;
}
std::optional<ReadConsistency> FakeNodeService::last_consistency() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_consistency_;
}
std::optional<Caller> FakeNodeService::last_caller() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_caller_;
}

}  // namespace shulian::api::testing
