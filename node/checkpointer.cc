#include "node/checkpointer.h"

#include <algorithm>
#include <string>

#include "node/log.h"

namespace shulian::node {
namespace {

constexpr std::string_view kComponent = "checkpoint";

std::string U64(uint64_t v) { return std::to_string(v); }

}  // namespace

Status CheckpointerOptions::Validate() const {
  if (self_id == 0) return Status::InvalidArgument("checkpointer.self_id: must be nonzero");
  for (uint64_t peer : peers) {
    if (peer == 0 || peer == self_id) return Status::InvalidArgument("checkpointer.peers: " + U64(peer) + " is not a peer");
  }
  if (inbox_messages_max == 0) return Status::InvalidArgument("checkpointer.inbox_messages_max: at least 1");
  if (votes_buffered_max == 0) return Status::InvalidArgument("checkpointer.votes_buffered_max: at least 1");
  if (heights_ahead_max == 0) return Status::InvalidArgument("checkpointer.heights_ahead_max: at least 1");
  if (request_delay_ms == 0) return Status::InvalidArgument("checkpointer.request_delay_ms: at least 1");
  if (request_interval_ms == 0) return Status::InvalidArgument("checkpointer.request_interval_ms: at least 1");
  if (signing_backlog_max == 0) return Status::InvalidArgument("checkpointer.signing_backlog_max: at least 1");
  if (sign_every_heights == 0) return Status::InvalidArgument("checkpointer.sign_every_heights: at least 1");
  if (head_quiet_ms == 0) return Status::InvalidArgument("checkpointer.head_quiet_ms: at least 1");
  return Status::Ok();
}

Checkpointer::Checkpointer(ledger::Ledger& ledger, std::shared_mutex& ledger_mutex,
                           std::shared_ptr<const crypto::KeyPair> key, CheckpointerOptions options, SendFn send,
                           ledger::CheckpointStoreOptions store_options)
    : ledger_(ledger),
      ledger_mutex_(ledger_mutex),
      node_key_(std::move(key)),
      options_(std::move(options)),
      send_(std::move(send)),
      store_(ledger, store_options) {}

Result<std::unique_ptr<Checkpointer>> Checkpointer::Create(ledger::Ledger& ledger, std::shared_mutex& ledger_mutex,
                                                          std::shared_ptr<const crypto::KeyPair> node_key,
                                                          CheckpointerOptions options, SendFn send,
                                                          ledger::CheckpointStoreOptions store_options) {
  RETURN_IF_ERROR(options.Validate());
  if (!node_key) return Status::InvalidArgument("checkpointer: no node key");
  if (!send) return Status::InvalidArgument("checkpointer: no send function");
  std::unique_ptr<Checkpointer> checkpointer(
      new Checkpointer(ledger, ledger_mutex, std::move(node_key), std::move(options), std::move(send), store_options));
  uint64_t head = 0;
  {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex);
    head = ledger.height();
    // The store outlives a restart, so the latest cosigned height (a metric) does too.
    Result<std::optional<ledger::CosignedCheckpoint>> latest = checkpointer->LatestCosigned();
    RETURN_IF_ERROR(latest.status().WithContext("reading the latest cosigned checkpoint"));
    if (latest->has_value()) checkpointer->stats_.latest_cosigned_height = (*latest)->checkpoint.height;
  }
  // The head is (re)signed at start: idempotent if it was, and a restart that
  // lost the unsynced signature gets it back.
  checkpointer->applied_height_ = head;
  checkpointer->signed_through_ = head > 0 ? head - 1 : 0;
  checkpointer->known_height_ = head;
  checkpointer->known_since_ = Clock::now();
  return checkpointer;
}

void Checkpointer::Start() {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Stop() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;  // REQUIRES (for the join below): Start and Stop from one thread
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::BlockApplied(uint64_t height) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    applied_height_ = std::max(applied_height_, height);
  }
  queue_cv_.notify_one();
}

void Checkpointer::Deliver(uint64_t from, ByteView body) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (inbox_.size() < options_.inbox_messages_max) {
      inbox_.push_back({from, Bytes(body.begin(), body.end())});
      queue_cv_.notify_one();
      return;
    }
  }
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.messages_dropped;
}

Result<ledger::CosignedCheckpoint> Checkpointer::Cosigned(uint64_t height) const {
  std::lock_guard<std::mutex> lock(store_mutex_);
  return store_.Cosigned(height);
}

Result<std::optional<ledger::CosignedCheckpoint>> Checkpointer::CosignedIn(
    const ledger::StoreSnapshot& snapshot, uint64_t height) const {
  return store_.CosignedIn(snapshot, height);
}

Result<std::optional<ledger::CosignedCheckpoint>> Checkpointer::LatestCosigned() const {
  std::lock_guard<std::mutex> lock(store_mutex_);
  return store_.LatestCosigned();
}

CheckpointerStats Checkpointer::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  CheckpointerStats out = stats_;
  return out;
}

// ------------------------------- the thread -------------------------------

void Checkpointer::Run() {
  while (true) {
    std::deque<Incoming> messages;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait_until(lock, NextWake(Clock::now()),
                           [&] { return stopping_ || !inbox_.empty() || applied_height_ != known_height_; });
      if (stopping_) return;
      messages.swap(inbox_);
      if (applied_height_ != known_height_) {
        known_height_ = applied_height_;
        known_since_ = Clock::now();
      }
    }
    SignNewHeights(Clock::now());
    for (const Incoming& message : messages) HandleMessage(message);
    MaybeRequest(Clock::now());
  }
}

Checkpointer::Clock::time_point Checkpointer::NextWake(Clock::time_point now) const {
  Clock::time_point wake =
      now + std::chrono::milliseconds(std::min(options_.request_delay_ms, options_.request_interval_ms));
  if (signed_through_ < known_height_) {
    wake = std::min(wake, known_since_ + std::chrono::milliseconds(options_.head_quiet_ms));
  }
  return wake;
}

void Checkpointer::SignNewHeights(Clock::time_point now) {
  if (known_height_ <= signed_through_) return;
  if (known_height_ - signed_through_ > options_.signing_backlog_max) {
    Log(LogLevel::kWarn, kComponent, "signing backlog too long; signing the newest heights only",
        {{"from", U64(signed_through_ + 1)}, {"to", U64(known_height_)}});
    signed_through_ = known_height_ - options_.signing_backlog_max;
  }
  const bool head_quiet = now >= known_since_ + std::chrono::milliseconds(options_.head_quiet_ms);
  while (signed_through_ < known_height_) {
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      if (stopping_) return;
    }
    const uint64_t height = signed_through_ + 1;
    const bool due = height % options_.sign_every_heights == 0;
    if (height == known_height_ && !due && !head_quiet) return;  // more blocks may follow: wait
    if (due || height == known_height_) {
      SignHeight(height);
    } else {
      // Passed over here; a peer that went quiet at this height may have voted for it.
      std::shared_lock<std::shared_mutex> lock(ledger_mutex_);
      if (StoreBuffered(height)) TryCosign(height);
    }
    signed_through_ = height;
  }
}

void Checkpointer::SignHeight(uint64_t height) {
  std::optional<CheckpointVote> vote;
  {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex_);
    Result<std::optional<CheckpointVote>> own = OwnVote(height, /*sign_if_missing=*/true);
    if (!own.ok()) {
      Log(LogLevel::kWarn, kComponent, "could not sign a checkpoint",
          {{"height", U64(height)}, {"error", own.status().ToString()}});
    } else {
      vote = *own;
    }
    StoreBuffered(height);
    TryCosign(height);
  }
  latest_signed_ = height;
  if (vote) Broadcast(*vote);
}

bool Checkpointer::StoreBuffered(uint64_t height) {
  std::vector<CheckpointVote> waiting = TakeBuffered(height);
  for (const CheckpointVote& vote : waiting) StoreVote(vote);
  return !waiting.empty();
}

Result<std::optional<CheckpointVote>> Checkpointer::OwnVote(uint64_t height, bool sign_if_missing) {
  ASSIGN_OR_RETURN(ledger::BlockHeader header, ledger_.BlockHeaderAt(height));
  CheckpointVote vote{height, header.Hash(), options_.self_id, {}};
  std::lock_guard<std::mutex> lock(store_mutex_);
  ASSIGN_OR_RETURN(std::vector<ledger::CheckpointSignature> stored, store_.Signatures(height));
  for (const ledger::CheckpointSignature& signature : stored) {
    if (signature.node_id != options_.self_id) continue;
    vote.signature = signature.signature;
    return std::optional<CheckpointVote>(vote);
  }
  if (!sign_if_missing) return std::optional<CheckpointVote>();
  Result<ledger::CheckpointSignature> made = store_.SignAndPut(height, options_.self_id, *node_key_);
  if (!made.ok()) {
    // Not a member of this checkpoint's validator set: nothing to sign.
    if (made.status().code() == ErrorCode::kPermissionDenied) return std::optional<CheckpointVote>();
    return made.status();
  }
  vote.signature = made->signature;
  std::lock_guard<std::mutex> stats_lock(stats_mutex_);
  ++stats_.signed_heights;
  return std::optional<CheckpointVote>(vote);
}

void Checkpointer::HandleMessage(const Incoming& message) {
  Result<CheckpointMessage> decoded = DecodeCheckpointMessage(message.body);
  if (!decoded.ok()) {
    Log(LogLevel::kWarn, kComponent, "dropped an undecodable checkpoint message",
        {{"peer", U64(message.from)}, {"error", decoded.status().message()}});
    std::lock_guard<std::mutex> lock(stats_mutex_);
    ++stats_.messages_dropped;
    return;
  }
  if (const auto* vote = std::get_if<CheckpointVote>(&*decoded)) {
    HandleVote(message.from, *vote);
  } else {
    HandleRequest(message.from, std::get<CheckpointRequest>(*decoded));
  }
}

void Checkpointer::HandleVote(uint64_t from, const CheckpointVote& vote) {
  if (vote.node_id != from) {
    Log(LogLevel::kWarn, kComponent, "dropped a vote relayed for another node",
        {{"peer", U64(from)}, {"signer", U64(vote.node_id)}});
    std::lock_guard<std::mutex> lock(stats_mutex_);
    ++stats_.votes_dropped;
    return;
  }
  if (vote.height > signed_through_) {
    Buffer(vote);
    return;
  }
  std::shared_lock<std::shared_mutex> lock(ledger_mutex_);
  StoreVote(vote);
  TryCosign(vote.height);
}

void Checkpointer::StoreVote(const CheckpointVote& vote) {
  Result<ledger::BlockHeader> header = ledger_.BlockHeaderAt(vote.height);
  if (!header.ok() || header->Hash() != vote.block_hash) {
    Log(LogLevel::kWarn, kComponent, "dropped a vote for a block this node does not have at that height",
        {{"signer", U64(vote.node_id)},
         {"height", U64(vote.height)},
         {"block_hash", vote.block_hash.ToHex()}});
    std::lock_guard<std::mutex> lock(stats_mutex_);
    ++stats_.votes_dropped;
    return;
  }
  Status stored;
  {
    std::lock_guard<std::mutex> lock(store_mutex_);
    stored = store_.PutSignature(vote.height, {vote.node_id, vote.signature});
  }
  std::lock_guard<std::mutex> lock(stats_mutex_);
  if (stored.ok()) {
    ++stats_.votes_stored;
  } else {
    ++stats_.votes_refused;
    Log(LogLevel::kWarn, kComponent, "refused a checkpoint vote",
        {{"signer", U64(vote.node_id)}, {"height", U64(vote.height)}, {"error", stored.ToString()}});
  }
}

void Checkpointer::TryCosign(uint64_t height) {
  Result<std::optional<ledger::CosignedCheckpoint>> cosigned = Status::Internal("not tried");
  bool fresh = false;
  {
    std::lock_guard<std::mutex> lock(store_mutex_);
    fresh = !store_.Cosigned(height).ok();
    cosigned = store_.TryCosign(height);
  }
  if (!cosigned.ok()) {
    Log(LogLevel::kWarn, kComponent, "could not assemble a cosigned checkpoint",
        {{"height", U64(height)}, {"error", cosigned.status().ToString()}});
    return;
  }
  if (!cosigned->has_value() || !fresh) return;
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.cosigned_heights;
  stats_.latest_cosigned_height = std::max(stats_.latest_cosigned_height, height);
  Log(LogLevel::kDebug, kComponent, "cosigned a checkpoint",
      {{"height", U64(height)}, {"signers", U64((*cosigned)->signatures.size())}});
}

void Checkpointer::HandleRequest(uint64_t from, const CheckpointRequest& request) {
  if (request.height > known_height_) return;  // not applied here yet; the peer asks again
  Result<std::optional<CheckpointVote>> own = Status::Internal("not signed");
  {
    std::shared_lock<std::shared_mutex> lock(ledger_mutex_);
    own = OwnVote(request.height, /*sign_if_missing=*/true);
  }
  if (!own.ok() || !own->has_value()) return;
  send_(from, EncodeCheckpointMessage(**own));
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.requests_answered;
  ++stats_.votes_sent;
}

void Checkpointer::MaybeRequest(Clock::time_point now) {
  const uint64_t height = latest_signed_;
  if (height == 0 || now < known_since_ + std::chrono::milliseconds(options_.request_delay_ms)) return;
  if (last_request_height_ == height && last_request_ &&
      now < *last_request_ + std::chrono::milliseconds(options_.request_interval_ms)) {
    return;
  }
  {
    std::shared_lock<std::shared_mutex> ledger_lock(ledger_mutex_);
    std::lock_guard<std::mutex> lock(store_mutex_);
    if (store_.Cosigned(height).ok()) return;
  }
  last_request_ = now;
  last_request_height_ = height;
  Broadcast(CheckpointRequest{height});
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.requests_sent;
}

void Checkpointer::Broadcast(const CheckpointMessage& message) {
  const Bytes body = EncodeCheckpointMessage(message);
  for (uint64_t peer : options_.peers) send_(peer, body);
  if (std::holds_alternative<CheckpointVote>(message)) {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.votes_sent += options_.peers.size();
  }
}

void Checkpointer::Buffer(const CheckpointVote& vote) {
  const bool too_far = vote.height > known_height_ + options_.heights_ahead_max;
  std::vector<CheckpointVote>& at_height = buffered_[vote.height];
  const bool duplicate = std::any_of(at_height.begin(), at_height.end(),
                                     [&](const CheckpointVote& v) { return v.node_id == vote.node_id; });
  if (too_far || duplicate || buffered_count_ >= options_.votes_buffered_max) {
    if (at_height.empty()) buffered_.erase(vote.height);
    std::lock_guard<std::mutex> lock(stats_mutex_);
    ++stats_.votes_dropped;
    return;
  }
  at_height.push_back(vote);
  ++buffered_count_;
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.votes_buffered = buffered_count_;
}

std::vector<CheckpointVote> Checkpointer::TakeBuffered(uint64_t height) {
  // Heights skipped by a long backlog are dropped with the one taken.
  std::vector<CheckpointVote> out;
  while (!buffered_.empty() && buffered_.begin()->first <= height) {
    if (buffered_.begin()->first == height) out = std::move(buffered_.begin()->second);
    buffered_.erase(buffered_.begin());
  }
  buffered_count_ = 0;  // at most heights_ahead_max heights remain
  for (const auto& [at, votes] : buffered_) buffered_count_ += votes.size();
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.votes_buffered = buffered_count_;
  return out;
}

}  // namespace shulian::node
