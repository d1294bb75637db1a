// The node's start-up, event loop, Ready handling, block apply and proposal.
// See node/node.h and docs/node.md.
#include "node/node.h"

#include <boost/asio/ip/address.hpp>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "consensus/types.h"
#include "ledger/state_keys.h"
#include "node/catchup.h"
#include "node/checkpoint_messages.h"
#include "node/config_check.h"
#include "node/log.h"
#include "node/membership.h"
#include "node/node_impl.h"

namespace shulian::node {
namespace {

constexpr std::string_view kComponent = "node";

int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string U64(uint64_t v) { return std::to_string(v); }

// "1,2,3" for logs.
std::string IdList(const std::vector<uint64_t>& ids) {
  std::string out;
  for (uint64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

bool IsFatal(const Status& s) {
  return s.code() == ErrorCode::kIoError || s.code() == ErrorCode::kCorruption || s.code() == ErrorCode::kInternal;
}

Bytes ReadIdContext(uint64_t node_id, uint64_t boot_nonce, uint64_t read_id) {
  ByteWriter w;
  w.PutU64(node_id);
  w.PutU64(boot_nonce);
  w.PutU64(read_id);
  return w.Take();
}

// The read id in a context this node made in this run, or nullopt.
std::optional<uint64_t> OwnReadId(ByteView context, uint64_t node_id, uint64_t boot_nonce) {
  ByteReader r(context);
  Result<uint64_t> node = r.GetU64();
  Result<uint64_t> nonce = r.GetU64();
  Result<uint64_t> id = r.GetU64();
  if (!node.ok() || !nonce.ok() || !id.ok() || !r.Finish().ok()) return std::nullopt;
  if (*node != node_id || *nonce != boot_nonce) return std::nullopt;
  return *id;
}

}  // namespace

// A leader may write its log in parallel with replicating it, as long as it counts
// itself towards a quorum only for entries it has written. The core counts the
// leader's own entries at once, but the loop steps no answer to these appends
// before HandleReady's Save has returned: an entry can commit only through a
// follower's acknowledgement stepped after our own write (and a lone voter
// applies its entries after the write too).
bool LeaderMaySendBeforeSave(consensus::Role role, const consensus::Ready& rd, const consensus::HardState& saved) {
  if (role != consensus::Role::kLeader || !rd.snapshot.IsEmpty()) return false;
  return !rd.hard_state || (rd.hard_state->term == saved.term && rd.hard_state->vote == saved.vote);
}

// ------------------------------- helpers -------------------------------

void Histogram::Observe(double value) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

api::MetricFamily Histogram::Family(std::string name, std::string help) const {
  api::MetricFamily f{std::move(name), std::move(help), api::MetricType::kHistogram, {}};
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    std::string le = i < bounds_.size() ? std::to_string(bounds_[i]) : "+Inf";
    if (i < bounds_.size()) {
      while (le.size() > 1 && le.back() == '0') le.pop_back();
      if (le.back() == '.') le.pop_back();
    }
    f.samples.push_back({"_bucket", {{"le", le}}, static_cast<double>(cumulative)});
  }
  f.samples.push_back({"_sum", {}, sum_});
  f.samples.push_back({"_count", {}, static_cast<double>(count_)});
  return f;
}

// ------------------------------- start-up -------------------------------

Status Node::Impl::Open() {
  RETURN_IF_ERROR(crypto::Initialize());
  ASSIGN_OR_RETURN(CheckedFiles files, CheckNodeFiles(config));
  genesis = std::move(files.genesis);
  node_key = std::move(files.node_key);
  joining = files.joining;
  block_time_skew_ms_max = genesis.chain.block_time_skew_ms_max;

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::IoError("data_dir " + config.data_dir.string() + ": " + ec.message());
  signature_cache = std::make_unique<crypto::SignatureCache>(config.limits.signature_cache_entries);
  ledger::LedgerOptions options;
  options.state_machine.signature_cache = signature_cache.get();
  options.block_limits.transactions_max = genesis.chain.block_transactions_max;
  options.block_limits.block_bytes_max = genesis.chain.block_bytes_max;
  // LevelDB's background compaction competes with the apply for the cores: a
  // larger memtable than the ledger's default means fewer level-0 merges.
  options.db_write_buffer_bytes = config.limits.db_write_buffer_bytes;
  ASSIGN_OR_RETURN(ledger, ledger::Ledger::Open(config.data_dir / "db", genesis, options));
  ASSIGN_OR_RETURN(storage, LevelDbRaftStorage::Open(ledger->db()));
  RETURN_IF_ERROR(CheckOwnKeyAgainstLedger(files.key_differs_from_genesis));
  RETURN_IF_ERROR(CreateCheckpointer());
  return Status::Ok();
}

// After a rotation the operator installs the new key and restarts the node; its
// own ledger may not have applied the rotation yet (it was committed while the
// node was cut off), so a key that is not the ledger's is a warning, not an error.
Status Node::Impl::CheckOwnKeyAgainstLedger(bool differs_from_genesis) {
  const ledger::ValidatorSet::Member* own = ledger->validator_set().Find(config.node_id);
  if (own == nullptr || own->key == node_key->public_key()) return Status::Ok();
  Log(LogLevel::kWarn, kComponent,
      "node_key is not the key the applied ledger lists for this node: peers refuse it unless a "
      "rotate_validator_key to it is committed",
      {{"node", U64(config.node_id)},
       {"node_key", node_key->public_key().ToHex()},
       {"ledger_key", own->key.ToHex()},
       {"differs_from_genesis", differs_from_genesis ? "true" : "false"}});
  return Status::Ok();
}

Status Node::Impl::StartRaft() {
  ASSIGN_OR_RETURN(consensus::Index last, storage->LastIndex());
  ASSIGN_OR_RETURN(consensus::Snapshot snapshot, storage->GetSnapshot());
  if (last == 0 && snapshot.IsEmpty() && joining) {
    // Not a member yet: the leader sends the log (or a snapshot) once it adds this node.
    Log(LogLevel::kInfo, kComponent, "not a genesis validator: waiting to be added to Raft by the leader",
        {{"node", U64(config.node_id)}});
  } else if (last == 0 && snapshot.IsEmpty()) {
    // A fresh member of the initial cluster: the bootstrap snapshot lists the voters.
    consensus::Snapshot boot;
    boot.metadata.index = 1;
    boot.metadata.term = 1;
    for (const ledger::Validator& v : genesis.validators) boot.metadata.conf_state.voters.push_back(v.node_id);
    std::sort(boot.metadata.conf_state.voters.begin(), boot.metadata.conf_state.voters.end());
    RETURN_IF_ERROR(storage->Save(nullptr, {}, &boot, /*sync=*/true));
    Log(LogLevel::kInfo, kComponent, "bootstrapped a new Raft log", {{"voters", U64(genesis.validators.size())}});
  }
  ASSIGN_OR_RETURN(uint64_t applied, ReadAppliedIndex(ledger->db()));
  applied = std::min<uint64_t>(applied, storage->hard_state().commit);
  // The applied index is recorded unsynced: after a snapshot install it may lag the snapshot.
  ASSIGN_OR_RETURN(consensus::Snapshot stored_snapshot, storage->GetSnapshot());
  applied = std::max<uint64_t>(applied, stored_snapshot.metadata.index);
  ASSIGN_OR_RETURN(consensus::StoredState stored_state, storage->InitialState());
  conf_state = stored_state.conf_state;
  snapshot_points = SnapshotPoints(config.limits.raft_log_retain_entries + config.limits.raft_log_compact_entries_min);
  consensus::Config rc;
  rc.id = config.node_id;
  rc.election_timeout_ticks = static_cast<uint32_t>(config.limits.election_ticks);
  rc.heartbeat_ticks = static_cast<uint32_t>(config.limits.heartbeat_ticks);
  rc.applied_index = applied;
  rc.max_size_per_append_bytes = config.limits.frame_bytes_max / 2;
  rc.max_proposal_bytes = config.limits.batch_bytes_max + (32u << 10);
  rc.random_seed = config.node_id * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(WallNowMs());
  ASSIGN_OR_RETURN(std::optional<consensus::Term> fence, ReadRestoredFence(ledger->db()));
  if (fence) {
    // Restored from a backup: votes given after it are forgotten (docs/node.md "Backup and restore").
    rc.vote_fence_term = *fence;
    vote_fence_stored = true;
    Log(LogLevel::kInfo, kComponent,
        "restored from a backup: no vote or campaign until a leader caught this node up",
        {{"fence_term", U64(*fence)}});
  }
  ASSIGN_OR_RETURN(raw, consensus::RawNode::Create(rc, storage.get()));
  proposals.emplace(config.limits.proposals_in_flight_max);
  applied_index = std::max<uint64_t>(applied, 1);
  commit_index = storage->hard_state().commit;
  commit_index_at_start = storage->hard_state().commit;
  Log(LogLevel::kInfo, kComponent, "recovered",
      {{"height", U64(ledger->height())},
       {"applied_index", U64(applied)},
       {"commit_index", U64(storage->hard_state().commit)},
       {"term", U64(storage->hard_state().term)}});
  return Status::Ok();
}

Status Node::Impl::StartTransport() {
  TransportOptions t;
  t.network_id = config.network_id;
  t.self_id = config.node_id;
  t.listen_host = config.listen_address.host;
  t.listen_port = config.listen_address.port;
  t.node_key = node_key;
  for (const PeerEntry& p : config.peers) {
    if (p.id == config.node_id) continue;
    t.peers.push_back({p.id, p.address.host, p.address.port, p.public_key});
  }
  // The ledger's validators decide whom to trust from the first connection on
  // (computed in Start before the loop ran); the loop keeps it up to date after.
  t.trusted_keys = initial_trust;
  t.max_frame_bytes = config.limits.frame_bytes_max;
  t.send_queue_frames_max = config.limits.send_queue_frames_max;
  // The config bounds these to 10 min and 10,000, within the transport's own limits.
  t.handshake_timeout_ms = static_cast<uint32_t>(config.limits.handshake_timeout_ms);
  t.inbound_handshake_timeout_ms = static_cast<uint32_t>(config.limits.inbound_handshake_timeout_ms);
  t.pending_handshakes_max = config.limits.pending_handshakes_max;
  t.pending_handshakes_per_address_max = config.limits.pending_handshakes_per_address_max;
  t.backoff_seed = config.node_id;
  StartCatchup();
  auto on_message = [this](uint64_t from, Bytes payload) {
    if (IsCatchupPayload(payload)) return OnCatchupMessage(from, payload);
    if (IsForwardPayload(payload)) return OnForwardMessage(from, payload);
    if (!payload.empty() && payload[0] == static_cast<uint8_t>(PeerChannel::kCheckpoint)) {
      return DeliverCheckpointMessage(from, ByteView(payload).subspan(1));
    }
    if (payload.empty() || payload[0] != static_cast<uint8_t>(PeerChannel::kRaft)) return;  // unknown channel
    payload.erase(payload.begin());
    std::lock_guard<std::mutex> lock(inbox_mutex);
    if (inbox.size() >= config.limits.inbox_events_max) {
      ++inbox_dropped;  // Raft retransmits
      return;
    }
    inbox.push_back({InboxEvent::Kind::kMessage, from, std::move(payload), 0});
    inbox_cv.notify_one();
  };
  // A closed session may have lost a forwarded submission's answer.
  auto on_session_closed = [this](uint64_t peer) { forward_client->SessionClosed(peer); };
  ASSIGN_OR_RETURN(transport, PeerTransport::Start(std::move(t), on_message, on_session_closed));
  forward_transport = transport.get();
  return Status::Ok();
}

Result<std::unique_ptr<Node>> Node::Start(const NodeConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  LogLevel level = LogLevel::kInfo;
  if (ParseLogLevel(config.log_level, &level)) SetMinLogLevel(level);
  RETURN_IF_ERROR(impl->Open());
  RETURN_IF_ERROR(impl->StartRaft());
  ASSIGN_OR_RETURN(impl->initial_trust, impl->CurrentPeerTrust(impl->conf_state));
  impl->StartForwarding();  // before the loop, whose PublishStatus tells the client the leader
  impl->PublishStatus();
  Impl* raw_impl = impl.get();
  impl->loop = std::thread([raw_impl] { raw_impl->Run(); });
  std::unique_ptr<Node> node(new Node(std::move(impl)));
  Status transport = node->impl_->StartTransport();
  if (!transport.ok()) {
    node->Stop();
    return transport.WithContext("listen_address " + config.listen_address.ToString());
  }
  api::ServerOptions s;
  s.listen_address = config.api_address.host;
  s.port = config.api_address.port;
  s.io_threads = config.limits.api_io_threads;
  s.handler_threads = config.limits.api_handler_threads;
  s.max_connections = config.limits.api_connections_max;
  s.connections_per_address_max = config.limits.api_connections_per_address_max;
  s.first_request_timeout_ms = config.limits.api_first_request_timeout_ms;
  s.address_rate_limit.rate_per_second = config.limits.api_address_requests_per_second;
  s.address_rate_limit.burst_max = config.limits.api_address_burst_max;
  s.tls.certificate_chain_file = config.api_tls.certificate_chain_file.string();
  s.tls.private_key_file = config.api_tls.private_key_file.string();
  s.body_bytes_max = config.limits.request_body_bytes_max;
  s.api.wait_timeout_ms_max = config.limits.wait_timeout_ms_max;
  s.api.export_bytes_max = config.limits.export_bytes_max;
  s.api.wait_timeout_ms_default = std::min<uint64_t>(s.api.wait_timeout_ms_default, config.limits.wait_timeout_ms_max);
  s.api.rate_limit.rate_per_second = config.limits.account_requests_per_second;
  s.api.rate_limit.burst_max = config.limits.account_burst_max;
  s.api.signature_cache = node->impl_->signature_cache.get();
  Result<std::unique_ptr<api::HttpServer>> server = api::HttpServer::Start(*node, s);
  if (!server.ok()) {
    node->Stop();
    return server.status().WithContext("api_address " + config.api_address.ToString());
  }
  node->impl_->server = std::move(server).value();
  node->impl_->checkpointer->Start();
  Log(LogLevel::kInfo, kComponent, "started",
      {{"node", U64(config.node_id)},
       {"network", config.network_id},
       {"api", config.api_address.ToString()},
       {"peer_listen", config.listen_address.ToString()}});
  return node;
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { Stop(); }

void Node::Stop() {
  Impl& s = *impl_;
  if (s.stopped.exchange(true)) return;
  s.stopping = true;
  s.inbox_cv.notify_all();
  s.applied_cv.notify_all();
  s.WakeCommitWaits();
  s.reads_cv.notify_all();
  if (s.forward_client) s.forward_client->Stop();  // handlers waiting on a forward return
  if (s.server) s.server->Stop();  // stop accepting; waiting handlers see `stopping`
  if (s.loop.joinable()) s.loop.join();  // finishes the Ready in hand
  if (s.forward_server) s.forward_server->Stop();  // its submissions see `stopping` and answer
  if (s.checkpointer) s.checkpointer->Stop();
  if (s.catchup_server) s.catchup_server->Stop();
  if (s.transport) s.transport->Stop();
  s.forward_transport = nullptr;
  s.server.reset();
  s.transport.reset();
  s.forward_server.reset();
  s.forward_client.reset();
  s.checkpointer.reset();
  s.catchup_server.reset();
  s.catchup_client.reset();
  s.raw.reset();
  s.storage.reset();
  s.ledger.reset();  // closes the database
  Log(LogLevel::kInfo, kComponent, "stopped", {{"node", U64(s.config.node_id)}});
}

bool Node::failed() const {
  std::lock_guard<std::mutex> lock(impl_->fatal_mutex);
  return !impl_->fatal.ok();
}
Status Node::fatal_error() const {
  std::lock_guard<std::mutex> lock(impl_->fatal_mutex);
  return impl_->fatal;
}
uint16_t Node::api_port() const { return impl_->server ? impl_->server->port() : 0; }
uint16_t Node::peer_port() const { return impl_->transport ? impl_->transport->bound_port() : 0; }

// ------------------------------- the loop -------------------------------

void Node::Impl::Fail(const Status& status) {
  Log(LogLevel::kError, kComponent, "stopping on a fatal error", {{"error", status.ToString()}});
  {
    std::lock_guard<std::mutex> lock(fatal_mutex);
    if (fatal.ok()) fatal = status;
  }
  stopping = true;
  applied_cv.notify_all();
  reads_cv.notify_all();
  WakeCommitWaits();
}

void Node::Impl::Wake() {
  std::lock_guard<std::mutex> lock(inbox_mutex);
  wake = true;
  inbox_cv.notify_one();
}

void Node::Impl::Run() {
  const auto tick = std::chrono::milliseconds(config.limits.tick_ms);
  Clock::time_point next_tick = Clock::now() + tick;
  while (!stopping) {
    Clock::time_point deadline = next_tick;
    {
      std::lock_guard<std::mutex> lock(pending_mutex);
      if (!pending.empty() && !proposals->full()) {
        // Nothing in flight: propose now (see TakeBatch); else when the batch has waited.
        const bool idle = proposals->empty() && applied_index >= raw->committed();
        const auto waited = pending.front().admitted + std::chrono::milliseconds(config.limits.batch_wait_ms);
        deadline = idle ? Clock::now() : std::min(deadline, waited);
      }
    }
    {
      std::unique_lock<std::mutex> lock(inbox_mutex);
      inbox_cv.wait_until(lock, deadline, [&] { return stopping.load() || !inbox.empty() || wake; });
      wake = false;
    }
    if (stopping) break;
    DrainInbox();
    if (Clock::now() >= next_tick) {
      Status ticked = raw->Tick();
      if (!ticked.ok()) return Fail(ticked);
      // After a long stall (SIGSTOP, swap) tick once, not once per missed tick.
      next_tick = std::max(next_tick + tick, Clock::now());
    }
    MaybePropose();
    while (raw->HasReady() && !stopping) {
      Status handled = HandleReady();
      if (!handled.ok()) return Fail(handled);
    }
    if (!raw->fatal_error().ok()) return Fail(raw->fatal_error());
    if (Status cleared = MaybeClearVoteFence(); !cleared.ok()) return Fail(cleared);
    if (Status compacted = MaybeCompact(); !compacted.ok()) return Fail(compacted);
    MaybeReconcileMembership();
    MaybeRefreshPeerTrust();
    PublishStatus();
  }
}

void Node::Impl::DrainInbox() {
  std::deque<InboxEvent> events;
  {
    std::lock_guard<std::mutex> lock(inbox_mutex);
    events.swap(inbox);
  }
  for (InboxEvent& event : events) {
    if (event.kind == InboxEvent::Kind::kMessage) {
      StepMessage(event.from, event.payload);
      continue;
    }
    if (event.kind == InboxEvent::Kind::kTransferLeadership) {
      Status transfer = raw->TransferLeadership(event.from);
      if (!transfer.ok()) {
        Log(LogLevel::kWarn, kComponent, "leadership transfer not started",
            {{"to", U64(event.from)}, {"error", transfer.message()}});
      }
      continue;
    }
    Status asked = raw->ReadIndex(ReadIdContext(config.node_id, read_boot_nonce, event.read_id));
    if (!asked.ok()) {
      std::lock_guard<std::mutex> lock(reads_mutex);
      auto it = reads.find(event.read_id);
      if (it != reads.end()) it->second.error = Status::Unavailable("read index: " + asked.message());
      reads_cv.notify_all();
    }
  }
}

void Node::Impl::StepMessage(uint64_t from, const Bytes& payload) {
  consensus::MessageLimits limits;
  limits.max_entry_bytes = config.limits.frame_bytes_max;
  limits.max_message_bytes = config.limits.frame_bytes_max;
  Result<consensus::Message> message = consensus::DecodeMessage(payload, limits);
  if (!message.ok()) {
    Log(LogLevel::kWarn, kComponent, "dropped an undecodable peer message",
        {{"peer", U64(from)}, {"error", message.status().message()}});
    return;
  }
  if (message->from != from || message->to != config.node_id) {
    Log(LogLevel::kWarn, kComponent, "dropped a peer message with wrong addressing",
        {{"peer", U64(from)}, {"from", U64(message->from)}, {"to", U64(message->to)}});
    return;
  }
  if (message->type == consensus::MessageType::kAppend && !AppendFitsClock(*message)) return;
  Status stepped = raw->Step(*message);
  if (!stepped.ok()) {
    Log(LogLevel::kDebug, kComponent, "step refused", {{"peer", U64(from)}, {"error", stepped.message()}});
  }
}

// A block this leader made in its term and this node has not yet acknowledged must
// carry a time near our own clock; entries the leader says are committed are history and exempt (a node catching
// up receives old blocks). Refusing the append withholds our acknowledgement.
std::optional<ClockMisfit> FirstFreshBlockOffClock(const consensus::Message& append, uint64_t committed,
                                                   int64_t now_ms, int64_t skew_max_ms) {
  committed = std::max<uint64_t>(append.commit, committed);
  for (const consensus::Entry& entry : append.entries) {
    if (entry.index <= committed || entry.type != consensus::EntryType::kNormal || entry.data.empty()) continue;
    // Only blocks this leader made in its term are fresh: an older term's entry
    // re-sent by a new leader may be old by now, and refusing it would stall the
    // cluster for good (the new leader can commit nothing past it).
    if (entry.term != append.term) continue;
    Result<ledger::BlockHeader> header = ledger::Block::DecodeHeader(entry.data);
    if (!header.ok()) continue;  // refused deterministically at apply
    const int64_t skew = header->time_ms - now_ms;
    if (skew > skew_max_ms || -skew > skew_max_ms) return ClockMisfit{header->height, skew};
  }
  return std::nullopt;
}

bool Node::Impl::AppendFitsClock(const consensus::Message& message) const {
  std::optional<ClockMisfit> misfit =
      FirstFreshBlockOffClock(message, raw->committed(), WallNowMs(), block_time_skew_ms_max);
  if (!misfit) return true;
  ++const_cast<Impl*>(this)->appends_refused_clock;
  Log(LogLevel::kWarn, kComponent, "refused an append: block time too far from our clock",
      {{"leader", U64(message.from)},
       {"height", U64(misfit->height)},
       {"skew_ms", std::to_string(misfit->skew_ms)}});
  return false;
}

Status Node::Impl::HandleReady() {
  consensus::Ready rd = raw->GetReady();
  if (rd.soft_state) {
    const bool was_leader = role == static_cast<uint8_t>(consensus::Role::kLeader);
    role = static_cast<uint8_t>(rd.soft_state->role);
    SetLeader(rd.soft_state->leader);
    if (was_leader && rd.soft_state->role != consensus::Role::kLeader) DropLeaderState("lost leadership");
    Log(LogLevel::kInfo, kComponent, "raft role changed",
        {{"role", std::string(consensus::RoleName(rd.soft_state->role))},
         {"leader", U64(rd.soft_state->leader)},
         {"term", U64(raw->term())}});
  }
  const consensus::Snapshot* snapshot = nullptr;
  if (!rd.snapshot.IsEmpty()) {
    // The ledger holds every block: before the snapshot is recorded (and its
    // acknowledgement sent) the ledger must reach the snapshot's height. The
    // bootstrap snapshot (index 1, the genesis voters) carries no ledger data.
    if (!rd.snapshot.data.empty() || rd.snapshot.metadata.index > 1) {
      Status caught_up = CatchUpToSnapshot(rd.snapshot);
      if (!caught_up.ok() && stopping) return Status::Ok();  // restartable: nothing recorded yet
      RETURN_IF_ERROR(caught_up);
    }
    snapshot = &rd.snapshot;
  }
  auto send = [this](const consensus::Message& m) {
    Status sent = transport->Send(m.to, WithChannel(PeerChannel::kRaft, consensus::EncodeMessage(m)));
    if (!sent.ok()) raw->ReportUnreachable(m.to);
    if (m.type == consensus::MessageType::kSnapshot) raw->ReportSnapshot(m.to, sent.ok());
  };
  // A leader's appends and heartbeats go out before its own log write, so the
  // followers persist in parallel with it (see LeaderMaySendBeforeSave).
  std::vector<bool> sent_early(rd.messages.size(), false);
  if (LeaderMaySendBeforeSave(raw->role(), rd, storage->hard_state())) {
    for (size_t i = 0; i < rd.messages.size(); ++i) {
      const consensus::MessageType type = rd.messages[i].type;
      if (type != consensus::MessageType::kAppend && type != consensus::MessageType::kHeartbeat) continue;
      send(rd.messages[i]);
      sent_early[i] = true;
    }
  }
  RETURN_IF_ERROR(storage->Save(rd.hard_state ? &*rd.hard_state : nullptr, rd.entries, snapshot, rd.must_sync));
  if (snapshot != nullptr) RETURN_IF_ERROR(SnapshotInstalled(*snapshot));
  for (size_t i = 0; i < rd.messages.size(); ++i) {
    if (!sent_early[i]) send(rd.messages[i]);
  }
  if (rd.hard_state) commit_index = rd.hard_state->commit;
  for (const consensus::Entry& entry : rd.committed_entries) RETURN_IF_ERROR(ApplyEntry(entry));
  if (!rd.read_states.empty()) {
    std::lock_guard<std::mutex> lock(reads_mutex);
    for (const consensus::ReadState& rs : rd.read_states) {
      std::optional<uint64_t> id = OwnReadId(rs.request_context, config.node_id, read_boot_nonce);
      if (!id) continue;
      auto it = reads.find(*id);
      if (it != reads.end()) it->second.index = rs.index;
    }
    reads_cv.notify_all();
  }
  return raw->Advance(rd);
}

Status Node::Impl::MaybeClearVoteFence() {
  if (!vote_fence_stored || raw->vote_fenced()) return Status::Ok();
  RETURN_IF_ERROR(ClearRestoredFence(ledger->db()));
  vote_fence_stored = false;
  Log(LogLevel::kInfo, kComponent, "restored node caught up with the leader: votes and campaigns again",
      {{"term", U64(raw->term())}, {"commit_index", U64(raw->committed())}});
  return Status::Ok();
}

Status Node::Impl::SaveAppliedIndex(uint64_t index) {
  // Not synced: replaying a skipped or empty entry after a crash is harmless.
  return node::SaveAppliedIndex(ledger->db(), index);
}

Status Node::Impl::ApplyEntry(const consensus::Entry& entry) {
  if (entry.index <= applied_index) return Status::Ok();  // replayed below the recovered point
  if (entry.type == consensus::EntryType::kConfChange) {
    ASSIGN_OR_RETURN(consensus::ConfChange change, consensus::DecodeConfChange(entry.data));
    Result<consensus::ConfState> conf = raw->ApplyConfChange(change);
    if (conf.ok()) {
      // The membership and this entry's applied index, in one synced batch.
      RETURN_IF_ERROR(SaveAppliedConfChange(storage.get(), *conf, entry.index));
      conf_state = *conf;
      Log(LogLevel::kInfo, kComponent, "applied a membership change",
          {{"change", std::string(change.type == consensus::ConfChangeType::kAddVoter     ? "add_voter"
                                  : change.type == consensus::ConfChangeType::kAddLearner ? "add_learner"
                                                                                          : "remove")},
           {"node", U64(change.node_id)},
           {"voters", IdList(conf->voters)},
           {"learners", IdList(conf->learners)}});
    } else {
      Log(LogLevel::kWarn, kComponent, "conf change refused", {{"error", conf.status().message()}});
      RETURN_IF_ERROR(SaveAppliedIndex(entry.index));  // the membership did not change
    }
  } else if (entry.data.empty()) {
    RETURN_IF_ERROR(SaveAppliedIndex(entry.index));
  } else {
    RETURN_IF_ERROR(ApplyBlockEntry(entry));
  }
  {
    std::lock_guard<std::mutex> lock(applied_mutex);
    applied_index = entry.index;
  }
  applied_cv.notify_all();
  RecordSnapshotPoint(entry.index);
  return Status::Ok();
}

Status Node::Impl::ApplyBlockEntry(const consensus::Entry& entry) {
  Result<ledger::Block> decoded = ledger::Block::Decode(entry.data, ledger->blocks().limits());
  auto skip = [&](std::string_view why, const crypto::Digest* hash) {
    ++blocks_skipped;
    Log(LogLevel::kWarn, kComponent, "skipped a committed block", {{"index", U64(entry.index)}, {"why", std::string(why)}});
    if (hash != nullptr) ResolveProposals(0, *hash, /*applied=*/false);
    return SaveAppliedIndex(entry.index);
  };
  if (!decoded.ok()) return skip("does not decode: " + decoded.status().message(), nullptr);
  const ledger::Block& block = *decoded;
  const crypto::Digest hash = block.header.Hash();
  Result<ledger::BlockOutcome> applied = Status::Internal("not applied");
  {
    std::unique_lock<std::shared_mutex> lock(ledger_mutex);
    const uint64_t height = ledger->height();
    if (block.header.height <= height) {
      lock.unlock();
      return skip("height " + U64(block.header.height) + " is at or below the head " + U64(height), &hash);
    }
    if (block.header.height != height + 1 || block.header.previous_hash != ledger->blocks().head_hash()) {
      lock.unlock();
      return skip("does not extend the head at height " + U64(height), &hash);
    }
    auto add_applied_index = [&](const ledger::BlockOutcome& outcome, leveldb::WriteBatch& batch) {
      PutAppliedIndex(entry.index, &batch);
      (void)outcome;  // the outcomes are ledger data (o/), written by ApplyBlock itself
    };
    // The waiting callers are answered before the ledger's own fsync: the entry is
    // committed (in the synced Raft logs of a majority), so its outcome is final,
    // and a reader still sees the block only once it is stored (it waits for
    // ledger_mutex, held until then).
    applied = ledger->ApplyBlock(block, add_applied_index, AnswerWaiters());
  }
  if (!applied.ok()) {
    if (IsFatal(applied.status())) return applied.status().WithContext("applying block " + U64(block.header.height));
    return skip(applied.status().message(), &hash);
  }
  if (checkpointer) checkpointer->BlockApplied(block.header.height);
  ++blocks_applied;
  transactions_applied += block.transactions.size();
  block_transactions.Observe(static_cast<double>(block.transactions.size()));
  Log(LogLevel::kDebug, kComponent, "applied block",
      {{"height", U64(block.header.height)}, {"txs", U64(block.transactions.size())}, {"index", U64(entry.index)}});
  ResolveProposals(block.header.height, hash, /*applied=*/true);
  return Status::Ok();
}

void Node::Impl::ResolveProposals(uint64_t height, const crypto::Digest& hash, bool applied) {
  if (proposals->empty()) return;
  std::optional<Inflight> ours;
  std::vector<Inflight> dead;
  if (applied) {
    proposals->OnApplied(height, hash, &ours, &dead);
  } else {
    proposals->OnSkipped(hash, &dead);
  }
  if (!ours && dead.empty()) return;
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(pending_mutex);
  if (ours) {
    for (const PendingTx& p : ours->txs) {
      commit_latency.Observe(std::chrono::duration<double>(now - p.admitted).count());
      pending_hashes.erase(p.hash);
    }
  }
  if (!dead.empty()) RequeueLocked(std::move(dead));
}

void Node::Impl::RequeueLocked(std::vector<Inflight> dead) {
  // A block committed ahead of ours (or ours was skipped): ours and every block
  // built on it can never apply, so their transactions go back, in order.
  size_t count = 0;
  for (auto block = dead.rbegin(); block != dead.rend(); ++block) {
    for (auto it = block->txs.rbegin(); it != block->txs.rend(); ++it) {
      pending_bytes += it->bytes;
      pending.push_front(std::move(*it));
      ++count;
    }
  }
  Log(LogLevel::kInfo, kComponent, "re-queued the transactions of proposals that can no longer apply",
      {{"blocks", U64(dead.size())}, {"transactions", U64(count)}});
}

void Node::Impl::DropLeaderState(const std::string& why) {
  std::vector<Inflight> proposed;
  proposals->TakeAll(&proposed);
  std::lock_guard<std::mutex> lock(pending_mutex);
  size_t dropped = pending.size();
  for (const Inflight& p : proposed) dropped += p.txs.size();
  pending.clear();
  pending_hashes.clear();
  pending_bytes = 0;
  if (dropped > 0) {
    Log(LogLevel::kWarn, kComponent, "dropped unproposed transactions; clients retry",
        {{"count", U64(dropped)}, {"why", why}});
  }
}

void Node::Impl::MaybePropose() {
  if (role != static_cast<uint8_t>(consensus::Role::kLeader)) return;
  while (!proposals->full() && ProposeOne()) {
  }
}

std::vector<PendingTx> Node::Impl::TakeBatch(bool idle) {
  std::vector<PendingTx> batch;
  std::lock_guard<std::mutex> lock(pending_mutex);
  if (pending.empty()) return batch;
  const uint64_t count_max =
      std::min<uint64_t>(config.limits.batch_transactions_max, genesis.chain.block_transactions_max);
  // With nothing in flight a block goes at once (latency); behind other blocks a
  // partial batch waits for company up to batch_wait_ms (fewer, larger blocks).
  const bool full = pending.size() >= count_max || pending_bytes >= config.limits.batch_bytes_max;
  const bool waited =
      Clock::now() >= pending.front().admitted + std::chrono::milliseconds(config.limits.batch_wait_ms);
  if (!idle && !full && !waited) return batch;
  uint64_t bytes = 0;
  while (!pending.empty() && batch.size() < count_max &&
         (batch.empty() || bytes + pending.front().bytes <= config.limits.batch_bytes_max)) {
    bytes += pending.front().bytes;
    pending_bytes -= pending.front().bytes;
    batch.push_back(std::move(pending.front()));
    pending.pop_front();
  }
  return batch;
}

// Builds one block on the newest proposal (or the applied head) and proposes it.
// False when there was nothing to propose or proposing failed.
bool Node::Impl::ProposeOne() {
  // The first block must extend a head that includes everything committed so far;
  // later ones extend our own proposals.
  if (proposals->empty() && applied_index < raw->committed()) return false;
  std::vector<PendingTx> batch = TakeBatch(/*idle=*/proposals->empty());
  if (batch.empty()) return false;
  std::vector<ledger::Transaction> txs;
  Result<ledger::Block> block = Status::Internal("not built");
  ledger::ChainTip after;
  {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex);
    std::vector<PendingTx> fresh;
    std::vector<crypto::Digest> committed;
    for (PendingTx& p : batch) {
      if (ledger->blocks().FindTransaction(p.hash).ok()) {  // committed meanwhile
        committed.push_back(p.hash);
        continue;
      }
      txs.push_back(p.tx);
      fresh.push_back(std::move(p));
    }
    batch = std::move(fresh);
    if (!committed.empty()) {
      std::lock_guard<std::mutex> pending_lock(pending_mutex);
      for (const crypto::Digest& hash : committed) pending_hashes.erase(hash);
    }
    if (batch.empty()) return true;
    const ledger::ChainTip applied_tip = ledger::AppliedTip(ledger->blocks());
    const ledger::ChainTip& tip = proposals->NextTip(applied_tip);
    block = ledger::BuildBlockOn(tip, std::move(txs), WallNowMs(), config.node_id, *node_key,
                                 ledger->blocks().limits(), &after);
  }
  Status proposed = block.ok() ? raw->Propose(block->Encode()) : block.status();
  if (!proposed.ok()) {
    Log(LogLevel::kWarn, kComponent, "could not propose a block", {{"error", proposed.ToString()}});
    std::lock_guard<std::mutex> lock(pending_mutex);
    RequeueLocked({Inflight{std::move(batch), Clock::now()}});
    return false;
  }
  proposals->Push(*block, std::move(after), Inflight{std::move(batch), Clock::now()});
  return true;
}

void Node::Impl::NotifyCommitted(const ledger::BlockOutcome& outcome) {
  std::lock_guard<std::mutex> lock(commit_waits_mutex);
  if (commit_waits.empty()) return;
  for (size_t i = 0; i < outcome.outcomes.size(); ++i) {
    const ledger::TxOutcome& o = outcome.outcomes[i];
    auto [begin, end] = commit_waits.equal_range(o.tx_hash);
    for (auto it = begin; it != end; ++it) {
      CommitWait& wait = *it->second.first;
      api::SubmitResult& r = (*wait.results)[it->second.second];
      if (r.state == api::SubmitState::kCommitted) continue;
      r = api::SubmitResult{o.tx_hash, api::SubmitState::kCommitted, outcome.height, o};
      if (--wait.outstanding == 0) wait.cv.notify_one();
    }
  }
}

void Node::Impl::WakeCommitWaits() {
  std::lock_guard<std::mutex> lock(commit_waits_mutex);
  for (auto& [hash, waiter] : commit_waits) waiter.first->cv.notify_all();
}

void Node::Impl::SetLeader(uint64_t id) {
  const uint64_t previous = leader.exchange(id);
  // Forwards waiting on a node that is no longer leader will get no answer from it.
  if (previous != id && forward_client) forward_client->LeaderChanged(id);
}

void Node::Impl::PublishStatus() {
  consensus::NodeStatus st = raw->GetStatus();
  term = st.hard_state.term;
  commit_index = st.hard_state.commit;
  role = static_cast<uint8_t>(st.soft_state.role);
  SetLeader(st.soft_state.leader);
  std::lock_guard<std::mutex> lock(status_mutex);
  progress = std::move(st.progress);
  last_index = st.last_index;
}

// ------------- compaction, snapshot install, catch-up, membership -------------
// (node/catchup.h, node/membership.h, docs/raft.md)

CatchupLimits Node::Impl::MakeCatchupLimits() const {
  CatchupLimits l;
  l.blocks_per_response_max = config.limits.catchup_blocks_per_response_max;
  l.response_bytes_max = config.limits.catchup_response_bytes_max;
  l.block_bytes_max = std::max<uint64_t>(genesis.chain.block_bytes_max, 1);
  l.requests_in_flight_max = config.limits.catchup_requests_in_flight_max;
  l.request_timeout_ms = config.limits.catchup_request_timeout_ms;
  l.server_queue_max = config.limits.catchup_server_queue_max;
  l.chain_heights_max = config.limits.catchup_chain_heights_max;
  return l;
}

void Node::Impl::StartCatchup() {
  const CatchupLimits limits = MakeCatchupLimits();
  auto send = [this](uint64_t to, Bytes payload) {
    if (transport) transport->Send(to, std::move(payload)).IgnoreError();  // lost: the client times out
  };
  catchup_server = std::make_unique<CatchupServer>(
      limits,
      [this](uint64_t from, uint64_t blocks_max, uint64_t bytes_max, bool headers_only) {
        return ReadBlocksForPeer(from, blocks_max, bytes_max, headers_only);
      },
      send);
  catchup_client = std::make_unique<CatchupClient>(limits, send);
}

void Node::Impl::OnCatchupMessage(uint64_t from, ByteView payload) {
  Result<CatchupMessage> message = DecodeCatchupMessage(payload, MakeCatchupLimits());
  if (!message.ok()) {
    Log(LogLevel::kWarn, kComponent, "dropped a malformed catch-up message",
        {{"peer", U64(from)}, {"error", message.status().message()}});
    return;
  }
  if (auto* request = std::get_if<BlockRequest>(&*message)) {
    if (!catchup_server->Enqueue(from, *request)) {
      Log(LogLevel::kDebug, kComponent, "dropped a block request: queue full", {{"peer", U64(from)}});
    }
    return;
  }
  catchup_client->OnResponse(from, std::get<BlockResponse>(std::move(*message)));
}

Result<std::vector<Bytes>> Node::Impl::ReadBlocksForPeer(uint64_t from_height, uint64_t blocks_max,
                                                         uint64_t bytes_max, bool headers_only) {
  std::shared_lock<std::shared_mutex> lock(ledger_mutex);
  if (!ledger) return Status::Unavailable("shutting down");
  const uint64_t height = ledger->height();
  if (from_height > height) return Status::NotFound("no block at height " + U64(from_height));
  std::vector<Bytes> out;
  uint64_t bytes = 0;
  for (uint64_t h = from_height; h <= height && out.size() < blocks_max; ++h) {
    ASSIGN_OR_RETURN(ledger::Block block, ledger->blocks().GetBlock(h));
    Bytes encoded = headers_only ? block.header.EncodeFields() : block.Encode();
    if (!out.empty() && bytes + encoded.size() > bytes_max) break;
    bytes += encoded.size();
    out.push_back(std::move(encoded));
  }
  return out;
}

// Brings the ledger to the snapshot's height with blocks fetched from peers, then
// checks the ledger's block there is the snapshot's. Nothing of Raft is recorded
// here, so a crash (or a stop) in the middle leaves a longer ledger and the old
// log: the leader sends the snapshot again and this resumes from the ledger's height.
Status Node::Impl::CatchUpToSnapshot(const consensus::Snapshot& snapshot) {
  Result<LedgerSnapshotData> target = DecodeLedgerSnapshotData(snapshot.data);
  if (!target.ok()) {
    return Status::Corruption("raft snapshot at index " + U64(snapshot.metadata.index) + ": " +
                              target.status().message());
  }
  ChainPoint tip;
  {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex);
    tip = ChainPoint{ledger->height(), ledger->blocks().head_hash()};
  }
  const uint64_t height = tip.height;
  if (height < target->height) {
    Log(LogLevel::kInfo, kComponent, "catching up to a snapshot",
        {{"index", U64(snapshot.metadata.index)}, {"from_height", U64(height)}, {"to_height", U64(target->height)}});
    std::vector<uint64_t> peers;
    if (raw->leader() != consensus::kNoNode && raw->leader() != config.node_id) peers.push_back(raw->leader());
    for (const PeerEntry& p : config.peers) {
      if (p.id != config.node_id && p.id != raw->leader()) peers.push_back(p.id);
    }
    RETURN_IF_ERROR(catchup_client->CatchUp(
        tip, ChainPoint{target->height, target->head_hash}, peers, LedgerChainFns(),
        [this](ByteView block, uint64_t h) { return ApplyCaughtUpBlock(block, h); },
        [this] { return stopping.load(); }, SteadyNowMs));
  }
  std::shared_lock<std::shared_mutex> lock(ledger_mutex);
  crypto::Digest ours = ledger->blocks().head_hash();
  if (ledger->height() > target->height) {
    ASSIGN_OR_RETURN(ledger::Block block, ledger->blocks().GetBlock(target->height));
    ours = block.header.Hash();
  }
  if (ours != target->head_hash) {
    return Status::Corruption("raft snapshot at index " + U64(snapshot.metadata.index) + " names block " +
                              target->head_hash.ToHex() + " at height " + U64(target->height) +
                              " but this ledger has " + ours.ToHex());
  }
  return Status::Ok();
}

// The ledger's block format for catch-up's chain checks: a header's hash is
// BlockHeader::Hash(); a block's body matches its header when it decodes under
// the genesis limits (which checks tx_count against the transactions carried);
// the ledger checks tx_log_root and the signatures when it applies the block.
ChainFns Node::Impl::LedgerChainFns() const {
  ChainFns fns;
  fns.parse_header = [](ByteView bytes) -> Result<HeaderLink> {
    ASSIGN_OR_RETURN(ledger::BlockHeader header, ledger::BlockHeader::DecodeFields(bytes));
    return HeaderLink{header.height, header.Hash(), header.previous_hash};
  };
  const ledger::BlockLimits limits = ledger->blocks().limits();
  fns.block_hash = [limits](ByteView bytes) -> Result<crypto::Digest> {
    ASSIGN_OR_RETURN(ledger::Block block, ledger::Block::Decode(bytes, limits));
    return block.header.Hash();
  };
  return fns;
}

Status Node::Impl::ApplyCaughtUpBlock(ByteView bytes, uint64_t height) {
  Result<ledger::Block> block = ledger::Block::Decode(bytes, ledger->blocks().limits());
  if (!block.ok()) return Status::InvalidArgument("block " + U64(height) + ": " + block.status().message());
  if (block->header.height != height) {
    return Status::InvalidArgument("asked for block " + U64(height) + ", got " + U64(block->header.height));
  }
  Result<ledger::BlockOutcome> applied = Status::Internal("not applied");
  {
    std::unique_lock<std::shared_mutex> lock(ledger_mutex);
    if (height != ledger->height() + 1 || block->header.previous_hash != ledger->blocks().head_hash()) {
      return Status::InvalidArgument("block " + U64(height) + " does not extend the head");
    }
    // A block below a snapshot is committed: its waiters are answered as in ApplyBlockEntry.
    applied = ledger->ApplyBlock(*block, {}, AnswerWaiters());
  }
  if (!applied.ok()) return applied.status();
  if (checkpointer) checkpointer->BlockApplied(height);
  ++blocks_applied;
  ++catchup_blocks;
  transactions_applied += block->transactions.size();
  return Status::Ok();
}

Status Node::Impl::SnapshotInstalled(const consensus::Snapshot& snapshot) {
  conf_state = snapshot.metadata.conf_state;
  if (snapshot.data.empty()) return Status::Ok();  // the bootstrap snapshot
  RETURN_IF_ERROR(SaveAppliedIndex(snapshot.metadata.index));
  {
    std::lock_guard<std::mutex> lock(applied_mutex);
    applied_index = std::max<uint64_t>(applied_index, snapshot.metadata.index);
  }
  applied_cv.notify_all();
  {
    std::lock_guard<std::mutex> lock(snapshot_points_mutex);
    snapshot_points.Clear();
  }
  Log(LogLevel::kInfo, kComponent, "installed a snapshot",
      {{"index", U64(snapshot.metadata.index)}, {"height", U64(ledger->height())}});
  return Status::Ok();
}

void Node::Impl::RecordSnapshotPoint(uint64_t index) {
  SnapshotPoint point{index, {ledger->height(), ledger->blocks().head_hash()}, conf_state};
  std::lock_guard<std::mutex> lock(snapshot_points_mutex);
  snapshot_points.Record(std::move(point));
}

// Compacts the log up to (applied index - retain) once enough entries
// accumulated, recording there a snapshot of (height, head hash) and membership.
Status Node::Impl::MaybeCompact() {
  CompactionLimits limits{config.limits.raft_log_retain_entries, config.limits.raft_log_compact_entries_min};
  ASSIGN_OR_RETURN(consensus::Index first, storage->FirstIndex());
  const uint64_t applied = applied_index;
  std::optional<consensus::Index> target = CompactionTarget(applied, first, limits);
  if (!target) return Status::Ok();
  std::optional<SnapshotPoint> point;
  {
    std::lock_guard<std::mutex> lock(snapshot_points_mutex);
    point = snapshot_points.NewestAtOrBelow(*target);
  }
  // Points are recorded as entries apply; just after a restart there may be none yet.
  if (!point || point->index < first) return Status::Ok();
  Result<consensus::Snapshot> made = storage->CompactWithSnapshot(
      point->index, applied, point->conf_state, EncodeLedgerSnapshotData(point->ledger), /*sync=*/false);
  if (!made.ok()) {
    if (IsFatal(made.status())) return made.status().WithContext("compacting the raft log");
    Log(LogLevel::kWarn, kComponent, "raft log compaction refused", {{"error", made.status().message()}});
    return Status::Ok();
  }
  ++raft_compactions;
  Log(LogLevel::kInfo, kComponent, "compacted the raft log",
      {{"through_index", U64(point->index)}, {"height", U64(point->ledger.height)}});
  return Status::Ok();
}

Result<std::vector<uint64_t>> Node::Impl::ActiveValidators() const {
  constexpr size_t kValidatorsMax = 10'000;
  std::vector<uint64_t> active;
  Status decode = Status::Ok();
  std::shared_lock<std::shared_mutex> lock(ledger_mutex);
  RETURN_IF_ERROR(ledger->state().Scan(ledger::Key("va").Prefix(), "", kValidatorsMax,
                                       [&](std::string_view, std::string_view value) {
                                         ByteReader r(AsBytes(value));
                                         Result<ledger::ValidatorRecord> v = ledger::ValidatorRecord::DecodeFrom(r);
                                         if (!v.ok()) {
                                           decode = Status::Corruption("validator record: " + v.status().message());
                                           return false;
                                         }
                                         if (!v->removed) active.push_back(v->node_id);
                                         return true;
                                       }));
  RETURN_IF_ERROR(decode);
  return active;
}

// The leader makes Raft's membership follow the ledger's validators, one step at
// a time (node/membership.h). Followers never propose.
void Node::Impl::MaybeReconcileMembership() {
  if (role != static_cast<uint8_t>(consensus::Role::kLeader)) return;
  if (applied_index < raw->committed()) return;  // judge from a ledger that has everything committed
  const auto now = Clock::now();
  if (now < membership_checked + std::chrono::milliseconds(config.limits.tick_ms)) return;
  membership_checked = now;
  consensus::NodeStatus st = raw->GetStatus();
  if (st.lead_transferee != consensus::kNoNode) return;  // a transfer is under way
  Result<std::vector<uint64_t>> active = ActiveValidators();
  if (!active.ok()) {
    Log(LogLevel::kWarn, kComponent, "cannot read the validators", {{"error", active.status().message()}});
    return;
  }
  MembershipView view{config.node_id, std::move(active).value(), st.conf_state, std::move(st.progress),
                      st.last_index, {}};
  for (const PeerEntry& p : config.peers) view.known_peers.insert(p.id);
  const MembershipStep step = NextMembershipStep(view, MembershipLimits{config.limits.learner_lag_entries_max});
  if (step.kind == MembershipStep::Kind::kNone) return;
  Status done = step.kind == MembershipStep::Kind::kTransferLeadership
                    ? raw->TransferLeadership(step.node_id)
                    : raw->ProposeConfChange(ConfChangeFor(step));
  const bool waiting = done.code() == ErrorCode::kFailedPrecondition;  // a change is pending
  Log(done.ok() ? LogLevel::kInfo : waiting ? LogLevel::kDebug : LogLevel::kWarn, kComponent,
      done.ok() ? "membership step proposed" : "membership step not proposed",
      {{"step", std::string(MembershipStepName(step.kind))},
       {"node", U64(step.node_id)},
       {"reason", step.reason},
       {"error", done.ok() ? "" : done.message()}});
}

Result<std::vector<LedgerValidatorKey>> Node::Impl::LedgerValidatorKeys() const {
  constexpr size_t kValidatorsMax = 10'000;
  std::vector<LedgerValidatorKey> out;
  Status decode = Status::Ok();
  std::shared_lock<std::shared_mutex> lock(ledger_mutex);
  RETURN_IF_ERROR(ledger->state().Scan(
      ledger::Key("va").Prefix(), "", kValidatorsMax, [&](std::string_view, std::string_view value) {
        ByteReader r(AsBytes(value));
        Result<ledger::ValidatorRecord> v = ledger::ValidatorRecord::DecodeFrom(r);
        if (!v.ok()) {
          decode = Status::Corruption("validator record: " + v.status().message());
          return false;
        }
        out.push_back({v->node_id, v->public_key, v->removed});
        return true;
      }));
  RETURN_IF_ERROR(decode);
  return out;
}

Result<std::map<uint64_t, crypto::PublicKey>> Node::Impl::CurrentPeerTrust(
    const consensus::ConfState& members) const {
  ASSIGN_OR_RETURN(std::vector<LedgerValidatorKey> ledger_keys, LedgerValidatorKeys());
  for (LedgerValidatorKey& v : ledger_keys) {
    if (v.removed && members.IsMember(v.node_id)) v.removed = false;
  }
  std::vector<PeerConfig> configured;
  for (const PeerEntry& p : config.peers)
    configured.push_back({p.id, p.address.host, p.address.port, p.public_key});
  return TrustedPeerKeys(config.node_id, configured, ledger_keys);
}

void Node::Impl::MaybeRefreshPeerTrust() {
  PeerTransport* peer_transport = forward_transport.load();
  if (peer_transport == nullptr) return;
  crypto::Digest set_id;
  {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex);
    set_id = ledger->validator_set().Id();
  }
  if (trusted_set_id == set_id && trusted_conf_state == conf_state) return;
  Result<std::map<uint64_t, crypto::PublicKey>> trust = CurrentPeerTrust(conf_state);
  if (!trust.ok()) {
    Log(LogLevel::kWarn, kComponent, "cannot read the validators", {{"error", trust.status().message()}});
    return;
  }
  std::string ids;
  for (const auto& [id, key] : *trust) ids += (ids.empty() ? "" : ",") + U64(id);
  peer_transport->SetPeerKeys(std::move(trust).value());
  if (trusted_set_id) Log(LogLevel::kInfo, kComponent, "peer trust follows the ledger", {{"trusted", ids}});
  trusted_set_id = set_id;
  trusted_conf_state = conf_state;
}

}  // namespace shulian::node
