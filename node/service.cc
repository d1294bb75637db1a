// Node's api::NodeService methods: submission (pre-check, admission, forwarding,
// waiting for commit), reads (ReadIndex waits, scoping), status, health, metrics.
#include <leveldb/db.h>

#include <algorithm>
#include <random>

#include "ledger/queries.h"
#include "ledger/state_keys.h"
#include "node/log.h"
#include "node/node.h"
#include "node/node_impl.h"

namespace shulian::node {
namespace {

using api::ReadConsistency;
using api::SubmitResult;
using api::SubmitState;

bool IsLeader(const Node::Impl& s) { return s.role == static_cast<uint8_t>(consensus::Role::kLeader); }

}  // namespace

// ------------------------------- reads -------------------------------

Status Node::Impl::NotLeader() const {
  const uint64_t known = leader;
  if (known == 0) return Status::Unavailable("no leader is known; try again shortly");
  const PeerEntry* peer = config.FindPeer(known);
  std::string where = peer ? " at API address " + peer->api_address.ToString() : "";
  return Status::Unavailable("this node is not the leader; the leader is node " + std::to_string(known) + where);
}

Status Node::Impl::WaitReadable(ReadConsistency consistency) {
  if (stopping) return Status::Unavailable("the node is shutting down");
  if (consistency == ReadConsistency::kStale) return Status::Ok();
  const auto deadline = Clock::now() + std::chrono::milliseconds(config.limits.read_timeout_ms);
  const uint64_t id = next_read_id++;
  {
    std::lock_guard<std::mutex> lock(reads_mutex);
    reads.emplace(id, ReadWait{});
  }
  {
    std::lock_guard<std::mutex> lock(inbox_mutex);
    if (inbox.size() >= config.limits.inbox_events_max) {
      std::lock_guard<std::mutex> reads_lock(reads_mutex);
      reads.erase(id);
      return Status::ResourceExhausted("the node's inbox is full; retry later");
    }
    inbox.push_back({InboxEvent::Kind::kReadIndex, 0, {}, id});
    inbox_cv.notify_one();
  }
  ReadWait done;
  {
    std::unique_lock<std::mutex> lock(reads_mutex);
    reads_cv.wait_until(lock, deadline, [&] {
      const ReadWait& w = reads[id];
      return stopping.load() || w.index.has_value() || w.error.has_value();
    });
    done = reads[id];
    reads.erase(id);
  }
  if (done.error) return *done.error;
  if (!done.index) {
    return Status::Unavailable(stopping ? "the node is shutting down"
                                        : "linearizable read timed out waiting for the leader's read index");
  }
  std::unique_lock<std::mutex> lock(applied_mutex);
  const bool applied = applied_cv.wait_until(lock, deadline, [&] { return stopping.load() || applied_index >= *done.index; });
  if (!applied || applied_index < *done.index) {
    return Status::Unavailable("linearizable read timed out waiting to apply index " + std::to_string(*done.index));
  }
  return Status::Ok();
}

std::optional<SubmitResult> Node::Impl::CommittedResult(const crypto::Digest& hash) const {
  Result<ledger::TxLocation> location = ledger->blocks().FindTransaction(hash);
  if (!location.ok()) return std::nullopt;
  SubmitResult r{hash, SubmitState::kCommitted, location->height, std::nullopt};
  Result<ledger::TxOutcome> outcome = OutcomeAt(location->height, location->position);
  if (outcome.ok()) r.outcome = *outcome;
  return r;
}

Result<ledger::TxOutcome> Node::Impl::OutcomeAt(uint64_t height, uint32_t position) const {
  ASSIGN_OR_RETURN(ledger::BlockHeader header, ledger->BlockHeaderAt(height));
  if (position >= header.tx_count || header.tx_count > header.tx_log_size) {
    return Status::Corruption("block " + std::to_string(height) + " has no transaction " + std::to_string(position));
  }
  return ledger->OutcomeAt(header.tx_log_size - header.tx_count + position);
}

Status Node::Impl::CheckSeesEverything(const api::Caller& caller, std::string_view what) const {
  if (caller.anonymous()) return Status::PermissionDenied(std::string(what) + ": a signed request is required");
  ledger::Queries queries(ledger->state());
  ASSIGN_OR_RETURN(ledger::Viewer viewer, queries.ViewerFor(*caller.account));
  if (viewer.scope != ledger::ViewScope::kEverything) {
    return Status::PermissionDenied(std::string(what) + ": whole blocks are visible to court, arbitrator, auditor and "
                                    "operator accounts only");
  }
  return Status::Ok();
}

// A transaction is visible to its sender, to those who see everything, and to
// those whose scope holds the sender's authority (Queries::SeesAccount).
Result<bool> Node::Impl::SeesTransaction(const api::Caller& caller, const ledger::Transaction& tx) const {
  if (caller.anonymous()) return false;
  ledger::Queries queries(ledger->state());
  ASSIGN_OR_RETURN(ledger::Viewer viewer, queries.ViewerFor(*caller.account));
  return queries.SeesAccount(viewer, tx.sender);
}

// Looked up before anything about it is said: a transaction that is missing and
// one outside the caller's scope get the same NotFound, naming neither sender nor
// block, so a caller cannot probe for records it may not see.
Result<Node::Impl::VisibleTx> Node::Impl::FindVisibleTransaction(const api::Caller& caller,
                                                                 const crypto::Digest& hash) const {
  if (caller.anonymous()) return Status::PermissionDenied("transaction: a signed request is required");
  const Status missing = Status::NotFound("transaction " + hash.ToHex() + " is not in the ledger within the scope of "
                                          "account \"" + *caller.account + "\"");
  Result<ledger::TxLocation> location = ledger->blocks().FindTransaction(hash);
  if (!location.ok()) return location.status().code() == ErrorCode::kNotFound ? missing : location.status();
  ASSIGN_OR_RETURN(ledger::Block block, ledger->blocks().GetBlock(location->height));
  if (location->position >= block.transactions.size()) return Status::Corruption("transaction index past its block");
  ASSIGN_OR_RETURN(bool sees, SeesTransaction(caller, block.transactions[location->position]));
  if (!sees) return missing;
  return VisibleTx{*location, std::move(block)};
}

Result<api::BlockRecord> Node::Impl::BlockRecordAt(uint64_t height, const api::Caller& caller) {
  std::shared_lock<std::shared_mutex> lock(ledger_mutex);
  RETURN_IF_ERROR(CheckSeesEverything(caller, "block " + std::to_string(height)));
  ASSIGN_OR_RETURN(ledger::Block block, ledger->blocks().GetBlock(height));
  api::BlockRecord record{std::move(block), {}};
  const ledger::BlockHeader& header = record.block.header;
  for (uint32_t position = 0; position < header.tx_count; ++position) {
    ASSIGN_OR_RETURN(ledger::TxOutcome outcome, OutcomeAt(height, position));
    record.outcomes.push_back(std::move(outcome));
  }
  return record;
}

Result<api::TransactionRecord> Node::GetTransaction(const crypto::Digest& hash, ReadConsistency consistency,
                                                    const api::Caller& caller) {
  Impl& s = *impl_;
  RETURN_IF_ERROR(s.WaitReadable(consistency));
  std::shared_lock<std::shared_mutex> lock(s.ledger_mutex);
  ASSIGN_OR_RETURN(Impl::VisibleTx found, s.FindVisibleTransaction(caller, hash));
  const ledger::TxLocation& location = found.location;
  api::TransactionRecord record;
  record.transaction = found.block.transactions[location.position];
  record.height = location.height;
  record.index = location.position;
  record.block_hash = found.block.header.Hash();
  record.block_time_ms = found.block.header.time_ms;
  ASSIGN_OR_RETURN(record.outcome, s.OutcomeAt(location.height, location.position));
  return record;
}

Result<api::BlockRecord> Node::GetBlockByHeight(uint64_t height, ReadConsistency consistency,
                                                const api::Caller& caller) {
  RETURN_IF_ERROR(impl_->WaitReadable(consistency));
  return impl_->BlockRecordAt(height, caller);
}

Result<api::BlockRecord> Node::GetBlockByHash(const crypto::Digest& hash, ReadConsistency consistency,
                                              const api::Caller& caller) {
  RETURN_IF_ERROR(impl_->WaitReadable(consistency));
  uint64_t height = 0;
  {
    std::shared_lock<std::shared_mutex> lock(impl_->ledger_mutex);
    // Scope first: whether a block hash exists is not for every caller to learn.
    RETURN_IF_ERROR(impl_->CheckSeesEverything(caller, "block " + hash.ToHex()));
    ASSIGN_OR_RETURN(height, impl_->ledger->blocks().FindBlockHeight(hash));
  }
  return impl_->BlockRecordAt(height, caller);
}

Result<api::QueryPage> Node::Query(const api::QueryRequest& request) {
  RETURN_IF_ERROR(impl_->WaitReadable(request.consistency));
  std::shared_lock<std::shared_mutex> lock(impl_->ledger_mutex);
  ledger::QueryLimits limits;
  limits.rollup_days_max = impl_->config.limits.rollup_days_max;
  limits.rollup_count_keys_max = impl_->config.limits.rollup_count_keys_max;
  limits.calendar_days_max = impl_->config.limits.calendar_days_max;
  return RunLedgerQuery(impl_->ledger->state(), limits, request);
}

std::vector<api::QueryInfo> Node::ListQueries() { return LedgerQueryInfos(); }

Result<crypto::PublicKey> Node::AccountPublicKey(std::string_view account) {
  std::shared_lock<std::shared_mutex> lock(impl_->ledger_mutex);
  if (!impl_->ledger) return Status::Unavailable("the node is shutting down");
  Result<ledger::AccountRecord> record =
      ledger::LoadRecord<ledger::AccountRecord>(impl_->ledger->state(), ledger::Key("ac").Id(account));
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kNotFound) {
      return Status::NotFound("account \"" + std::string(account) + "\" does not exist");
    }
    return record.status();
  }
  if (record->status != ledger::AccountStatus::kActive) {
    return Status::PermissionDenied("account \"" + std::string(account) + "\" is suspended");
  }
  return record->public_key;
}

// ------------------------------- submission -------------------------------

// Obvious junk never reaches a block: it must be for this network, from an
// active account, signed with that account's current key. Version 1 signed the
// network id only, so a transaction of another network with the same id would
// verify here; ledgers holding version 1 still replay (the state machine accepts
// it), but no new one is admitted.
Status Node::Impl::PreCheck(const ledger::Transaction& tx, size_t position, std::optional<SubmitResult>* existing) {
  const std::string where = "transactions[" + std::to_string(position) + "]";
  if (tx.version == ledger::kTxVersionLegacy) {
    return Status::InvalidArgument(where + ".version: version 1 does not bind the genesis hash and is no longer " +
                                   "accepted; sign version " + std::to_string(ledger::kTxVersion));
  }
  if (tx.network_id != config.network_id) {
    return Status::InvalidArgument(where + ".network_id: \"" + tx.network_id + "\" is not this network (\"" +
                                   config.network_id + "\")");
  }
  std::shared_lock<std::shared_mutex> lock(ledger_mutex);
  Result<ledger::AccountRecord> sender =
      ledger::LoadRecord<ledger::AccountRecord>(ledger->state(), ledger::Key("ac").Id(tx.sender));
  if (!sender.ok()) {
    if (sender.status().code() == ErrorCode::kNotFound) {
      return Status::InvalidArgument(where + ".sender: account \"" + tx.sender + "\" does not exist");
    }
    return sender.status();
  }
  if (sender->status != ledger::AccountStatus::kActive) {
    return Status::InvalidArgument(where + ".sender: account \"" + tx.sender + "\" is suspended");
  }
  if (!tx.VerifySignature(sender->public_key, ledger->genesis_hash(), signature_cache.get())) {
    return Status::InvalidArgument(where + ".signature: does not verify with the current key of account \"" +
                                   tx.sender + "\"");
  }
  *existing = CommittedResult(tx.Hash());
  return Status::Ok();
}

Result<std::vector<SubmitResult>> Node::Impl::Admit(std::vector<ledger::Transaction> txs) {
  std::vector<SubmitResult> results(txs.size());
  std::vector<bool> skip(txs.size(), false);
  for (size_t i = 0; i < txs.size(); ++i) {
    std::optional<SubmitResult> existing;
    RETURN_IF_ERROR(PreCheck(txs[i], i, &existing));
    results[i].tx_hash = txs[i].Hash();
    if (existing) {
      results[i] = *existing;
      skip[i] = true;
    }
  }
  std::lock_guard<std::mutex> lock(pending_mutex);
  if (!IsLeader(*this)) return NotLeader();
  size_t fresh = 0;
  for (size_t i = 0; i < txs.size(); ++i) {
    if (!skip[i] && pending_hashes.contains(results[i].tx_hash)) skip[i] = true;  // already queued
    if (!skip[i]) ++fresh;
  }
  if (pending.size() + fresh > config.limits.pending_transactions_max) {
    return Status::ResourceExhausted("the proposal queue is full (" + std::to_string(pending.size()) + " of " +
                                     std::to_string(config.limits.pending_transactions_max) + "); retry later");
  }
  const auto now = Clock::now();
  for (size_t i = 0; i < txs.size(); ++i) {
    if (skip[i] || pending_hashes.contains(results[i].tx_hash)) continue;  // a duplicate within the batch
    const uint64_t bytes = txs[i].Encode().size();
    pending_hashes.insert(results[i].tx_hash);
    pending_bytes += bytes;
    pending.push_back({std::move(txs[i]), results[i].tx_hash, bytes, now});
  }
  return results;
}

// A follower hands the submission to the leader on the peer session and relays
// the leader's answer as it is; it never opens a connection to the leader's API.
Result<std::vector<SubmitResult>> Node::Impl::Forward(const std::vector<ledger::Transaction>& txs,
                                                      const api::SubmitOptions& options) {
  const uint64_t known = leader;
  const PeerEntry* peer = known != 0 && known != config.node_id ? config.FindPeer(known) : nullptr;
  if (peer == nullptr || !config.forward_to_leader || !forward_client) return NotLeader();
  if (forwards_in_flight.fetch_add(1) >= config.limits.forwards_in_flight_max) {
    --forwards_in_flight;
    return Status::Unavailable("too many submissions being forwarded; " + NotLeader().message());
  }
  struct Release {
    std::atomic<uint64_t>& count;
    ~Release() { --count; }
  } release{forwards_in_flight};
  ++forwarded;
  const uint64_t timeout_ms =
      config.limits.forward_timeout_ms + (options.wait_for_commit ? options.wait_timeout_ms : 0);
  return forward_client->Forward(known, txs, options, timeout_ms);
}

Result<std::vector<SubmitResult>> Node::Impl::SubmitAsLeader(std::vector<ledger::Transaction> txs,
                                                             const api::SubmitOptions& options) {
  if (stopping) return Status::Unavailable("the node is shutting down");
  if (!IsLeader(*this)) return NotLeader();
  ASSIGN_OR_RETURN(std::vector<SubmitResult> results, Admit(std::move(txs)));
  Wake();
  if (options.wait_for_commit) WaitCommitted(results, options.wait_timeout_ms);
  return results;
}

// A forward passes the checks the API makes of a body (decoding with the API's
// limits, the wait cap) before the leader's admission, so a follower cannot get
// past this node what its own API would refuse.
Result<std::vector<SubmitResult>> Node::Impl::ServeForward(uint64_t from, const ForwardRequest& request) {
  if (!IsLeader(*this)) return NotLeader();  // answered, never forwarded again
  if (request.options.wait_for_commit && request.options.wait_timeout_ms > config.limits.wait_timeout_ms_max) {
    return Status::InvalidArgument("wait_timeout_ms: at most " + std::to_string(config.limits.wait_timeout_ms_max));
  }
  const ledger::TxLimits tx_limits = api::ApiOptions{}.tx_limits;
  std::vector<ledger::Transaction> txs;
  txs.reserve(request.transactions.size());
  for (size_t i = 0; i < request.transactions.size(); ++i) {
    Result<ledger::Transaction> tx = ledger::Transaction::Decode(request.transactions[i], tx_limits);
    if (!tx.ok()) return tx.status().WithContext("transactions[" + std::to_string(i) + "]");
    txs.push_back(std::move(tx).value());
  }
  Log(LogLevel::kDebug, "node", "serving a forwarded submission",
      {{"peer", std::to_string(from)}, {"transactions", std::to_string(txs.size())}});
  return SubmitAsLeader(std::move(txs), request.options);
}

ForwardLimits Node::Impl::MakeForwardLimits() const {
  ForwardLimits limits;
  limits.request_bytes_max = config.limits.request_body_bytes_max;
  limits.transactions_max = api::ApiOptions{}.batch_transactions_max;  // the node's API keeps this default
  return limits;
}

void Node::Impl::StartForwarding() {
  auto send = [this](uint64_t to, Bytes payload) -> Status {
    PeerTransport* peers = forward_transport.load();
    if (peers == nullptr) return Status::Unavailable("the peer transport is not running");
    return peers->Send(to, std::move(payload));
  };
  // A random first id: an answer meant for this node's previous run never matches.
  const uint64_t first_id = std::random_device{}() * 0x100000000ull + std::random_device{}();
  forward_client = std::make_unique<ForwardClient>(first_id, send);
  forward_server = std::make_unique<ForwardServer>(
      config.limits.forwarded_submissions_serving_max,
      [this](uint64_t from, const ForwardRequest& request) { return ServeForward(from, request); }, send);
}

void Node::Impl::OnForwardMessage(uint64_t from, ByteView payload) {
  Result<ForwardMessage> message = DecodeForwardMessage(payload, MakeForwardLimits());
  if (!message.ok()) {
    ++forward_messages_dropped;
    Log(LogLevel::kWarn, "node", "refused a malformed forwarding message",
        {{"peer", std::to_string(from)}, {"error", message.status().message()}});
    // A request refused for its size or count still gets an answer, so its caller
    // learns why at once instead of waiting for the timeout.
    if (std::optional<uint64_t> id = ForwardRequestId(payload); id && forward_transport.load() != nullptr) {
      const Status refused = message.status().WithContext("the leader refused the forwarded submission");
      forward_transport.load()->Send(from, EncodeForwardMessage(ForwardAnswer{*id, refused})).IgnoreError();
    }
    return;
  }
  if (auto* request = std::get_if<ForwardRequest>(&*message)) {
    forward_server->Enqueue(from, std::move(*request));
    return;
  }
  forward_client->OnAnswer(from, std::get<ForwardAnswer>(std::move(*message)));
}

// Registers for the loop's per-transaction notification first, then looks in the
// ledger once for what applied before that, then sleeps until the last
// transaction's block applies: no polling, and an applied block wakes only the
// callers whose transactions it holds.
void Node::Impl::WaitCommitted(std::vector<SubmitResult>& results, uint64_t timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  CommitWait wait;
  wait.results = &results;
  {
    std::lock_guard<std::mutex> lock(commit_waits_mutex);
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].state == SubmitState::kCommitted) continue;
      commit_waits.emplace(results[i].tx_hash, std::make_pair(&wait, i));
      ++wait.outstanding;
    }
  }
  if (wait.outstanding > 0) ResolveFromLedger(wait);
  {
    std::unique_lock<std::mutex> lock(commit_waits_mutex);
    wait.cv.wait_until(lock, deadline, [&] { return stopping.load() || wait.outstanding == 0; });
    for (const SubmitResult& r : results) {
      auto [begin, end] = commit_waits.equal_range(r.tx_hash);
      for (auto it = begin; it != end;) it = it->second.first == &wait ? commit_waits.erase(it) : std::next(it);
    }
  }
  // One last look before reporting timed_out: a block may have applied between
  // the deadline and now.
  if (wait.outstanding > 0) {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex);
    for (SubmitResult& r : results) {
      if (r.state == SubmitState::kCommitted) continue;
      if (std::optional<SubmitResult> found = CommittedResult(r.tx_hash)) r = *found;
    }
  }
  for (SubmitResult& r : results) {
    if (r.state != SubmitState::kCommitted) r.state = SubmitState::kTimedOut;
  }
}

void Node::Impl::ResolveFromLedger(CommitWait& wait) {
  std::vector<std::pair<size_t, SubmitResult>> found;
  {
    std::lock_guard<std::mutex> lock(commit_waits_mutex);
    for (size_t i = 0; i < wait.results->size(); ++i) {
      if ((*wait.results)[i].state != SubmitState::kCommitted) found.push_back({i, (*wait.results)[i]});
    }
  }
  {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex);
    for (auto& [i, r] : found) {
      if (std::optional<SubmitResult> committed = CommittedResult(r.tx_hash)) r = *committed;
    }
  }
  std::lock_guard<std::mutex> lock(commit_waits_mutex);
  for (auto& [i, r] : found) {
    SubmitResult& mine = (*wait.results)[i];
    if (r.state != SubmitState::kCommitted || mine.state == SubmitState::kCommitted) continue;
    mine = std::move(r);
    --wait.outstanding;
  }
}

Result<std::vector<SubmitResult>> Node::Submit(std::vector<ledger::Transaction> transactions,
                                               const api::SubmitOptions& options) {
  Impl& s = *impl_;
  if (s.stopping) return Status::Unavailable("the node is shutting down");
  if (transactions.empty()) return Status::InvalidArgument("transactions: at least one is required");
  if (IsLeader(s)) return s.SubmitAsLeader(std::move(transactions), options);
  // Check locally first so junk gets its 400 here, not after a hop.
  for (size_t i = 0; i < transactions.size(); ++i) {
    std::optional<SubmitResult> existing;
    RETURN_IF_ERROR(s.PreCheck(transactions[i], i, &existing));
  }
  return s.Forward(transactions, options);
}

// ------------------------------- status -------------------------------

Result<api::NodeStatus> Node::GetStatus() {
  Impl& s = *impl_;
  api::NodeStatus st;
  st.network_id = s.config.network_id;
  st.genesis_hash = s.ledger->genesis_hash();
  st.node_id = s.config.node_id;
  st.role = s.role == static_cast<uint8_t>(consensus::Role::kPreCandidate)
                ? "pre_candidate"
                : std::string(consensus::RoleName(static_cast<consensus::Role>(s.role.load())));
  st.term = s.term;
  if (s.leader != 0) st.leader_id = s.leader.load();
  st.commit_index = s.commit_index;
  st.applied_index = s.applied_index;
  {
    std::shared_lock<std::shared_mutex> lock(s.ledger_mutex);
    if (!s.ledger) return Status::Unavailable("the node is shutting down");
    st.height = s.ledger->height();
    st.head_hash = s.ledger->blocks().head_hash();
  }
  {
    std::lock_guard<std::mutex> lock(s.pending_mutex);
    st.proposal_queue_depth = s.pending.size();
  }
  std::vector<consensus::PeerProgress> progress;
  uint64_t last_index = 0;
  {
    std::lock_guard<std::mutex> lock(s.status_mutex);
    progress = s.progress;
    last_index = s.last_index;
  }
  // The membership as of the applied index: the newest snapshot point holds it
  // (recorded under its mutex after every applied entry; conf_state itself is
  // the loop's). None yet just after a start or a snapshot install.
  std::optional<SnapshotPoint> point;
  {
    std::lock_guard<std::mutex> lock(s.snapshot_points_mutex);
    point = s.snapshot_points.NewestAtOrBelow(~consensus::Index{0});  // the newest
  }
  if (point) st.membership = api::Membership{point->conf_state.voters, point->conf_state.learners,
                                             point->conf_state.removed};
  for (const PeerEntry& peer : s.config.peers) {
    if (peer.id == s.config.node_id) continue;
    api::PeerStatus ps;
    ps.node_id = peer.id;
    ps.address = peer.address.ToString();
    if (s.transport) {
      std::optional<PeerStats> stats = s.transport->peer_stats(peer.id);
      ps.connected = stats && stats->connected;
    }
    if (point && point->conf_state.IsVoter(peer.id)) ps.member = "voter";
    if (point && point->conf_state.IsLearner(peer.id)) ps.member = "learner";
    for (const consensus::PeerProgress& p : progress) {
      if (p.id != peer.id) continue;
      ps.match_index = p.match;
      ps.lag_entries = last_index > p.match ? last_index - p.match : 0;
    }
    st.peers.push_back(std::move(ps));
  }
  return st;
}

api::Health Node::GetHealth() {
  Impl& s = *impl_;
  api::Health h;
  h.live = !s.stopping;
  if (s.stopping) {
    h.reason = "shutting down";
  } else if (s.leader == 0) {
    h.reason = "no leader is known";
  } else if (s.applied_index < s.commit_index_at_start) {
    h.reason = "replaying the log: applied " + std::to_string(s.applied_index.load()) + " of " +
               std::to_string(s.commit_index_at_start.load());
  } else {
    h.ready = true;
  }
  return h;
}

namespace {

// The checkpointer's counters since the node started (docs/node.md "Checkpoint cosigning").
void AppendCheckpointerMetrics(const CheckpointerStats& c, std::vector<api::MetricFamily>& out) {
  using api::MetricFamily;
  using api::MetricType;
  auto add = [&out](MetricType type, std::string name, std::string help, uint64_t value) {
    out.push_back(MetricFamily{std::move(name), std::move(help), type, {{"", {}, static_cast<double>(value)}}});
  };
  const MetricType counter = MetricType::kCounter;
  add(counter, "shulian_checkpoint_signed_heights_total", "Checkpoints this node signed.", c.signed_heights);
  add(counter, "shulian_checkpoint_votes_sent_total", "Checkpoint votes sent to peers.", c.votes_sent);
  add(counter, "shulian_checkpoint_votes_stored_total", "Peers' checkpoint votes verified and stored.",
      c.votes_stored);
  add(counter, "shulian_checkpoint_votes_dropped_total",
      "Peers' votes dropped (full buffer, too far ahead, wrong sender or block).", c.votes_dropped);
  add(counter, "shulian_checkpoint_votes_refused_total", "Peers' votes refused (bad signature, not a validator).",
      c.votes_refused);
  add(counter, "shulian_checkpoint_messages_dropped_total", "Checkpoint messages dropped (full inbox, undecodable).",
      c.messages_dropped);
  add(counter, "shulian_checkpoint_requests_sent_total", "Requests for peers' votes sent.", c.requests_sent);
  add(counter, "shulian_checkpoint_requests_answered_total", "Peers' requests for votes answered.",
      c.requests_answered);
  add(counter, "shulian_checkpoint_cosigned_heights_total", "Cosigned checkpoints assembled by this node.",
      c.cosigned_heights);
  add(MetricType::kGauge, "shulian_checkpoint_votes_buffered", "Peers' votes waiting for their height.",
      c.votes_buffered);
  add(MetricType::kGauge, "shulian_checkpoint_latest_cosigned_height", "Height of the newest cosigned checkpoint.",
      c.latest_cosigned_height);
}

// Forwarding over the peer session (docs/node.md "Submissions"): the follower's
// forwards that ended without the leader's answer, by reason; the leader's
// forwarded submissions served and refused; undecodable forwarding messages.
void AppendForwardingMetrics(const Node::Impl& s, std::vector<api::MetricFamily>& out) {
  using api::MetricFamily;
  using api::MetricType;
  MetricFamily failed{"shulian_submissions_forward_failed_total",
                      "Forwards that ended without the leader's answer, by reason.", MetricType::kCounter, {}};
  for (size_t i = 0; i < kForwardFailureKinds; ++i) {
    const auto reason = static_cast<ForwardFailure>(i);
    const uint64_t count = s.forward_client ? s.forward_client->failures(reason) : 0;
    failed.samples.push_back({"", {{"reason", std::string(ForwardFailureName(reason))}}, static_cast<double>(count)});
  }
  out.push_back(std::move(failed));
  auto counter = [&out](std::string name, std::string help, uint64_t value) {
    out.push_back(
        MetricFamily{std::move(name), std::move(help), MetricType::kCounter, {{"", {}, static_cast<double>(value)}}});
  };
  counter("shulian_forwarded_submissions_served_total", "Peers' forwarded submissions this node answered.",
          s.forward_server ? s.forward_server->served() : 0);
  counter("shulian_forwarded_submissions_refused_total",
          "Peers' forwarded submissions refused at once (forwarded_submissions_serving_max, shutdown).",
          s.forward_server ? s.forward_server->refused() : 0);
  counter("shulian_forward_messages_dropped_total",
          "Forwarding messages refused as malformed, or answers matching no waiting forward.",
          s.forward_messages_dropped + (s.forward_client ? s.forward_client->dropped() : 0));
}

}  // namespace

std::vector<api::MetricFamily> Node::Metrics() {
  Impl& s = *impl_;
  using api::MetricFamily;
  using api::MetricType;
  auto gauge = [](std::string name, std::string help, double value) {
    return MetricFamily{std::move(name), std::move(help), MetricType::kGauge, {{"", {}, value}}};
  };
  auto counter = [](std::string name, std::string help, double value) {
    return MetricFamily{std::move(name), std::move(help), MetricType::kCounter, {{"", {}, value}}};
  };
  std::vector<MetricFamily> out;
  out.push_back(s.commit_latency.Family("shulian_commit_latency_seconds",
                                        "Time from admission on the leader to the apply of its block."));
  out.push_back(s.block_transactions.Family("shulian_block_transactions", "Transactions per applied block."));
  {
    std::lock_guard<std::mutex> lock(s.pending_mutex);
    out.push_back(gauge("shulian_proposal_queue_depth", "Transactions admitted and not yet proposed.",
                        static_cast<double>(s.pending.size())));
  }
  uint64_t height = 0;
  {
    std::shared_lock<std::shared_mutex> lock(s.ledger_mutex);
    if (s.ledger) height = s.ledger->height();
  }
  out.push_back(gauge("shulian_ledger_height", "Height of the head block.", static_cast<double>(height)));
  out.push_back(gauge("shulian_raft_applied_index", "Highest Raft entry applied.", static_cast<double>(s.applied_index)));
  out.push_back(gauge("shulian_raft_commit_index", "Highest Raft entry known committed.",
                      static_cast<double>(s.commit_index)));
  out.push_back(gauge("shulian_raft_term", "Current Raft term.", static_cast<double>(s.term)));
  out.push_back(gauge("shulian_raft_is_leader", "1 on the leader.",
                      IsLeader(s) ? 1.0 : 0.0));
  out.push_back(counter("shulian_blocks_applied_total", "Blocks applied.", static_cast<double>(s.blocks_applied)));
  out.push_back(counter("shulian_blocks_skipped_total", "Committed blocks skipped (stale or invalid).",
                        static_cast<double>(s.blocks_skipped)));
  out.push_back(counter("shulian_transactions_applied_total", "Transactions in applied blocks.",
                        static_cast<double>(s.transactions_applied)));
  out.push_back(counter("shulian_inbox_dropped_total", "Peer messages dropped on a full inbox.",
                        static_cast<double>(s.inbox_dropped)));
  out.push_back(counter("shulian_appends_refused_clock_total", "Appends refused for block time skew.",
                        static_cast<double>(s.appends_refused_clock)));
  out.push_back(counter("shulian_submissions_forwarded_total",
                        "Submissions forwarded to the leader over the peer session.",
                        static_cast<double>(s.forwarded)));
  AppendForwardingMetrics(s, out);
  MetricFamily lag{"shulian_peer_lag_entries", "Raft entries a peer is behind the leader (leader only).",
                   MetricType::kGauge, {}};
  {
    std::lock_guard<std::mutex> lock(s.status_mutex);
    for (const consensus::PeerProgress& p : s.progress) {
      if (p.id == s.config.node_id) continue;
      lag.samples.push_back({"", {{"peer", std::to_string(p.id)}},
                             static_cast<double>(s.last_index > p.match ? s.last_index - p.match : 0)});
    }
  }
  out.push_back(std::move(lag));
  if (s.checkpointer) AppendCheckpointerMetrics(s.checkpointer->stats(), out);
  // The transport starts before the API server and stops after it, so it is there.
  if (s.transport) {
    const TransportStats t = s.transport->stats();
    out.push_back(counter("shulian_transport_handshakes_refused_total",
                          "Peer handshakes refused or failed, inbound or outbound.",
                          static_cast<double>(t.handshakes_refused)));
    out.push_back(counter("shulian_transport_inbound_handshakes_timed_out_total",
                          "Accepted peer connections closed by inbound_handshake_timeout_ms.",
                          static_cast<double>(t.inbound_handshakes_timed_out)));
    out.push_back(
        counter("shulian_transport_inbound_refused_pending_max_total",
                "Accepted peer connections closed at once: pending_handshakes_max were in handshake.",
                static_cast<double>(t.inbound_refused_pending_max)));
    out.push_back(counter("shulian_transport_inbound_refused_per_address_max_total",
                          "Accepted peer connections closed at once: their address had "
                          "pending_handshakes_per_address_max in handshake.",
                          static_cast<double>(t.inbound_refused_per_address_max)));
    out.push_back(counter("shulian_transport_sessions_closed_untrusted_total",
                          "Open peer sessions closed because the ledger no longer trusts the key their peer "
                          "proved (the validator was removed or its key rotated).",
                          static_cast<double>(t.sessions_closed_untrusted)));
    MetricFamily refused{"shulian_transport_peer_handshakes_refused_total",
                         "Refused peer handshakes attributed to a configured peer id (for example a removed "
                         "validator, or a rotated-away key).",
                         MetricType::kCounter,
                         {}};
    for (const PeerStats& p : t.peers) {
      refused.samples.push_back(
          {"", {{"peer", std::to_string(p.id)}}, static_cast<double>(p.handshake_failures)});
    }
    out.push_back(std::move(refused));
  }
  if (s.signature_cache) {
    crypto::SignatureCache::Counts sc = s.signature_cache->counts();
    out.push_back(counter("shulian_signature_cache_hits_total",
                          "Signature checks answered by the cache of verified signatures.",
                          static_cast<double>(sc.hits)));
    out.push_back(counter("shulian_signature_cache_misses_total",
                          "Signature checks that ran Ed25519 verification.", static_cast<double>(sc.misses)));
    out.push_back(gauge("shulian_signature_cache_entries", "Verified signatures remembered.",
                        static_cast<double>(sc.entries)));
  }
  return out;
}

}  // namespace shulian::node
