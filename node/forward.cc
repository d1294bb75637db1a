#include "node/forward.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "ledger/outcome.h"

namespace shulian::node {

using api::SubmitResult;
using api::SubmitState;

// ------------------------------- codec -------------------------------

namespace {

constexpr uint8_t kStateMax = static_cast<uint8_t>(SubmitState::kTimedOut);

void PutResult(ByteWriter& w, const SubmitResult& r) {
  w.PutFixed(r.tx_hash.view());
  w.PutU8(static_cast<uint8_t>(r.state));
  w.PutBool(r.height.has_value());
  if (r.height) w.PutU64(*r.height);
  w.PutBool(r.outcome.has_value());
  if (r.outcome) w.PutBytes(r.outcome->Encode());
}

void PutRequest(ByteWriter& w, const ForwardRequest& request) {
  w.PutU8(kForwardRequestKind);
  w.PutU64(request.request_id);
  w.PutBool(request.options.wait_for_commit);
  w.PutU64(request.options.wait_for_commit ? request.options.wait_timeout_ms : 0);
  w.PutU32(static_cast<uint32_t>(request.transactions.size()));
  for (const Bytes& tx : request.transactions) w.PutBytes(tx);
}

void PutAnswer(ByteWriter& w, const ForwardAnswer& answer) {
  w.PutU8(kForwardAnswerKind);
  w.PutU64(answer.request_id);
  if (!answer.results.ok()) {
    const Status& status = answer.results.status();
    w.PutU8(static_cast<uint8_t>(status.code()));
    w.PutString(std::string_view(status.message()).substr(0, kForwardMessageBytesMax));
    return;
  }
  w.PutU8(static_cast<uint8_t>(ErrorCode::kOk));
  w.PutU32(static_cast<uint32_t>(answer.results->size()));
  for (const SubmitResult& r : *answer.results) PutResult(w, r);
}

// A u32 count of items that take at least `item_bytes_min` each: refused before
// anything is reserved when it is zero, over `max` or more than the bytes left hold.
Result<uint32_t> GetCount(ByteReader& r, std::string_view what, uint64_t max, size_t item_bytes_min) {
  Result<uint32_t> n = r.GetU32();
  if (!n.ok()) return n.status().WithContext(std::string(what));
  if (*n == 0) return Status::InvalidArgument(std::string(what) + ": 0, at least 1 is required");
  if (*n > max) {
    return Status::InvalidArgument(std::string(what) + ": " + std::to_string(*n) + ", at most " +
                                   std::to_string(max));
  }
  if (*n > r.remaining() / item_bytes_min) {
    return Status::InvalidArgument(std::string(what) + ": " + std::to_string(*n) + " do not fit in the " +
                                   std::to_string(r.remaining()) + " bytes left");
  }
  return *n;
}

Result<uint64_t> GetRequestId(ByteReader& r, std::string_view what) {
  Result<uint64_t> id = r.GetU64();
  if (!id.ok()) return id.status().WithContext(std::string(what) + ".request_id");
  if (*id == 0) return Status::InvalidArgument(std::string(what) + ".request_id: 0 is not a request id");
  return *id;
}

Result<ForwardMessage> DecodeRequest(ByteReader& r, const ForwardLimits& limits) {
  ForwardRequest request;
  ASSIGN_OR_RETURN(request.request_id, GetRequestId(r, "forward request"));
  Result<bool> wait = r.GetBool();
  if (!wait.ok()) return wait.status().WithContext("forward request.wait_for_commit");
  request.options.wait_for_commit = *wait;
  Result<uint64_t> timeout = r.GetU64();
  if (!timeout.ok()) return timeout.status().WithContext("forward request.wait_timeout_ms");
  if (!*wait && *timeout != 0) {
    return Status::InvalidArgument("forward request.wait_timeout_ms: must be 0 without wait_for_commit");
  }
  request.options.wait_timeout_ms = *timeout;
  ASSIGN_OR_RETURN(uint32_t n, GetCount(r, "forward request.transactions", limits.transactions_max, 4));
  request.transactions.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Result<ByteView> tx = r.GetBytes(r.remaining());
    if (!tx.ok()) return tx.status().WithContext("forward request.transactions[" + std::to_string(i) + "]");
    request.transactions.emplace_back(tx->begin(), tx->end());
  }
  return ForwardMessage(std::move(request));
}

Result<SubmitResult> GetResult(ByteReader& r, const std::string& where) {
  SubmitResult result;
  Result<std::array<uint8_t, 32>> hash = r.GetArray<32>();
  if (!hash.ok()) return hash.status().WithContext(where + ".tx_hash");
  result.tx_hash.bytes = *hash;
  Result<uint8_t> state = r.GetU8();
  if (!state.ok()) return state.status().WithContext(where + ".state");
  if (*state > kStateMax) return Status::InvalidArgument(where + ".state: unknown state " + std::to_string(*state));
  result.state = static_cast<SubmitState>(*state);
  Result<bool> has_height = r.GetBool();
  if (!has_height.ok()) return has_height.status().WithContext(where + ".has_height");
  if (*has_height) {
    Result<uint64_t> height = r.GetU64();
    if (!height.ok()) return height.status().WithContext(where + ".height");
    result.height = *height;
  }
  Result<bool> has_outcome = r.GetBool();
  if (!has_outcome.ok()) return has_outcome.status().WithContext(where + ".has_outcome");
  if (*has_outcome) {
    Result<ByteView> encoded = r.GetBytes(r.remaining());
    if (!encoded.ok()) return encoded.status().WithContext(where + ".outcome");
    Result<ledger::TxOutcome> outcome = ledger::TxOutcome::Decode(*encoded);
    if (!outcome.ok()) return outcome.status().WithContext(where + ".outcome");
    if (outcome->tx_hash != result.tx_hash) {
      return Status::InvalidArgument(where + ".outcome: names another transaction");
    }
    result.outcome = std::move(outcome).value();
  }
  return result;
}

Result<ForwardMessage> DecodeAnswer(ByteReader& r, const ForwardLimits& limits) {
  ForwardAnswer answer;
  ASSIGN_OR_RETURN(answer.request_id, GetRequestId(r, "forward answer"));
  Result<uint8_t> code = r.GetU8();
  if (!code.ok()) return code.status().WithContext("forward answer.code");
  if (*code > static_cast<uint8_t>(ErrorCode::kInternal)) {
    return Status::InvalidArgument("forward answer.code: unknown code " + std::to_string(*code));
  }
  if (*code != static_cast<uint8_t>(ErrorCode::kOk)) {
    Result<std::string> message = r.GetString(kForwardMessageBytesMax);
    if (!message.ok()) return message.status().WithContext("forward answer.message");
    answer.results = Status(static_cast<ErrorCode>(*code), std::move(message).value());
    return ForwardMessage(std::move(answer));
  }
  // A result takes at least its hash, state and two flags.
  ASSIGN_OR_RETURN(uint32_t n, GetCount(r, "forward answer.results", limits.transactions_max, 32 + 3));
  std::vector<SubmitResult> results;
  results.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(SubmitResult result, GetResult(r, "forward answer.results[" + std::to_string(i) + "]"));
    results.push_back(std::move(result));
  }
  answer.results = std::move(results);
  return ForwardMessage(std::move(answer));
}

}  // namespace

Bytes EncodeForwardMessage(const ForwardMessage& message) {
  ByteWriter w;
  w.PutU8(kForwardChannel);
  if (const auto* request = std::get_if<ForwardRequest>(&message)) {
    PutRequest(w, *request);
  } else {
    PutAnswer(w, std::get<ForwardAnswer>(message));
  }
  return w.Take();
}

Result<ForwardMessage> DecodeForwardMessage(ByteView payload, const ForwardLimits& limits) {
  const bool request = payload.size() > 1 && payload[1] == kForwardRequestKind;
  if (request && payload.size() > limits.request_bytes_max) {
    return Status::InvalidArgument("forward request: " + std::to_string(payload.size()) + " bytes, at most " +
                                   std::to_string(limits.request_bytes_max));
  }
  ByteReader r(payload);
  Result<uint8_t> channel = r.GetU8();
  if (!channel.ok()) return channel.status().WithContext("forward message.channel");
  if (*channel != kForwardChannel) {
    return Status::InvalidArgument("forward message.channel: " + std::to_string(*channel) + " is not the " +
                                   "forwarding channel");
  }
  Result<uint8_t> kind = r.GetU8();
  if (!kind.ok()) return kind.status().WithContext("forward message.kind");
  Result<ForwardMessage> message =
      Status::InvalidArgument("forward message.kind: unknown kind " + std::to_string(*kind));
  if (*kind == kForwardRequestKind) message = DecodeRequest(r, limits);
  if (*kind == kForwardAnswerKind) message = DecodeAnswer(r, limits);
  if (!message.ok()) return message;
  if (Status done = r.Finish(); !done.ok()) return done.WithContext("forward message");
  return message;
}

std::optional<uint64_t> ForwardRequestId(ByteView payload) {
  ByteReader r(payload);
  Result<uint8_t> channel = r.GetU8();
  Result<uint8_t> kind = r.GetU8();
  if (!channel.ok() || *channel != kForwardChannel || !kind.ok() || *kind != kForwardRequestKind) {
    return std::nullopt;
  }
  Result<uint64_t> id = r.GetU64();
  if (!id.ok() || *id == 0) return std::nullopt;
  return *id;
}

// ------------------------------- server -------------------------------

ForwardServer::ForwardServer(uint64_t serving_max, ServeFn serve, ForwardSendFn send)
    : serving_max_(std::max<uint64_t>(serving_max, 1)), serve_(std::move(serve)), send_(std::move(send)) {}

ForwardServer::~ForwardServer() { Stop(); }

bool ForwardServer::Enqueue(uint64_t from, ForwardRequest request) {
  Status refusal;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      refusal = Status::Unavailable("the leader is shutting down; retry");
    } else if (accepted_ >= serving_max_) {
      refusal = Status::ResourceExhausted("the leader is serving forwarded_submissions_serving_max (" +
                                          std::to_string(serving_max_) + ") forwarded submissions; retry later");
    }
    if (refusal.ok()) {
      ++accepted_;
      queue_.emplace_back(from, std::move(request));
      // Every accepted request has a worker: there are never more accepted than serving_max.
      if (idle_ > 0) {
        cv_.notify_one();
      } else {
        workers_.emplace_back([this] { Run(); });
      }
      return true;
    }
    ++refused_;
  }
  Answer(from, request.request_id, std::move(refusal));
  return false;
}

void ForwardServer::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    ++idle_;
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (queue_.empty()) return;  // stopping
    auto [from, request] = std::move(queue_.front());
    queue_.pop_front();
    const bool stopping = stopping_;
    lock.unlock();
    Result<std::vector<SubmitResult>> results =
        stopping ? Result<std::vector<SubmitResult>>(Status::Unavailable("the leader is shutting down; retry"))
                 : serve_(from, request);
    Answer(from, request.request_id, std::move(results));
    lock.lock();
    --accepted_;
    ++served_;
  }
}

void ForwardServer::Answer(uint64_t to, uint64_t request_id, Result<std::vector<SubmitResult>> results) {
  Bytes payload = EncodeForwardMessage(ForwardAnswer{request_id, std::move(results)});
  Status sent = send_(to, payload);
  if (sent.ok()) return;
  // Too large for a frame (many long outcomes): say so rather than leave the follower waiting.
  send_(to, EncodeForwardMessage(ForwardAnswer{request_id, Status::ResourceExhausted(
                                                               "the leader's answer (" + std::to_string(payload.size()) +
                                                               " bytes) could not be sent: " + sent.message())}))
      .IgnoreError();
}

void ForwardServer::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    workers.swap(workers_);
  }
  cv_.notify_all();
  for (std::thread& worker : workers) worker.join();
}

uint64_t ForwardServer::served() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return served_;
}

uint64_t ForwardServer::refused() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return refused_;
}

// ------------------------------- client -------------------------------

std::string_view ForwardFailureName(ForwardFailure failure) {
  switch (failure) {
    case ForwardFailure::kTimedOut: return "timed_out";
    case ForwardFailure::kSessionClosed: return "session_closed";
    case ForwardFailure::kLeaderChanged: return "leader_changed";
    case ForwardFailure::kUnsendable: return "unsendable";
    case ForwardFailure::kStopping: return "stopping";
  }
  return "unknown";
}

namespace {

std::string Retry() {
  return "it may or may not have been admitted: retry (a resubmission of the same transaction is idempotent)";
}

std::string NodeName(uint64_t id) { return "node " + std::to_string(id); }

}  // namespace

ForwardClient::ForwardClient(uint64_t first_request_id, ForwardSendFn send)
    : send_(std::move(send)), next_request_id_(std::max<uint64_t>(first_request_id, 1)) {}

Result<std::vector<SubmitResult>> ForwardClient::Forward(uint64_t leader,
                                                         const std::vector<ledger::Transaction>& transactions,
                                                         const api::SubmitOptions& options, uint64_t timeout_ms) {
  ForwardRequest request;
  request.options = options;
  if (!options.wait_for_commit) request.options.wait_timeout_ms = 0;
  std::vector<crypto::Digest> hashes;
  for (const ledger::Transaction& tx : transactions) {
    request.transactions.push_back(tx.Encode());
    hashes.push_back(tx.Hash());
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) return Status::Unavailable("the node is shutting down");
  if (leader != leader_) {
    ++failures_[static_cast<size_t>(ForwardFailure::kLeaderChanged)];
    return Status::Unavailable("this node's view of the leader moved from " + NodeName(leader) + " to " +
                               (leader_ == 0 ? "none" : NodeName(leader_)) + " before the submission was forwarded; retry");
  }
  request.request_id = next_request_id_++;
  if (next_request_id_ == 0) next_request_id_ = 1;
  const uint64_t id = request.request_id;
  Waiting& waiting = waiting_[id];
  waiting.peer = leader;
  waiting.hashes = std::move(hashes);
  // Sent under the lock so that an answer cannot arrive before the request is waiting.
  if (Status sent = send_(leader, EncodeForwardMessage(std::move(request))); !sent.ok()) {
    ++failures_[static_cast<size_t>(ForwardFailure::kUnsendable)];
    waiting_.erase(id);
    return sent.WithContext("forwarding to the leader (" + NodeName(leader) + ")");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  waiting.cv.wait_until(lock, deadline, [&] { return waiting.outcome.has_value(); });
  if (!waiting.outcome) {
    FailLocked(waiting, ForwardFailure::kTimedOut,
               Status::Unavailable("the leader (" + NodeName(leader) + ") did not answer the forwarded submission " +
                                   "within " + std::to_string(timeout_ms) + " ms; " + Retry()));
  }
  Result<std::vector<SubmitResult>> outcome = std::move(*waiting.outcome);
  waiting_.erase(id);
  return outcome;
}

void ForwardClient::FailLocked(Waiting& waiting, ForwardFailure failure, Status status) {
  if (waiting.outcome) return;
  ++failures_[static_cast<size_t>(failure)];
  waiting.outcome = std::move(status);
  waiting.cv.notify_one();
}

Result<std::vector<SubmitResult>> ForwardClient::Matched(const Waiting& waiting, ForwardAnswer answer) const {
  if (!answer.results.ok()) return answer.results.status();
  bool matches = answer.results->size() == waiting.hashes.size();
  for (size_t i = 0; matches && i < waiting.hashes.size(); ++i) {
    matches = (*answer.results)[i].tx_hash == waiting.hashes[i];
  }
  if (!matches) {
    return Status::Internal("the leader's answer does not list the forwarded transactions in order");
  }
  return std::move(answer.results);
}

void ForwardClient::OnAnswer(uint64_t from, ForwardAnswer answer) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = waiting_.find(answer.request_id);
  if (it == waiting_.end() || it->second.peer != from || it->second.outcome) {
    ++dropped_;
    return;
  }
  it->second.outcome = Matched(it->second, std::move(answer));
  it->second.cv.notify_one();
}

void ForwardClient::SessionClosed(uint64_t peer) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, waiting] : waiting_) {
    if (waiting.peer != peer) continue;
    FailLocked(waiting, ForwardFailure::kSessionClosed,
               Status::Unavailable("the peer session with the leader (" + NodeName(peer) + ") closed before it " +
                                   "answered the forwarded submission; " + Retry()));
  }
}

void ForwardClient::LeaderChanged(uint64_t leader) {
  std::lock_guard<std::mutex> lock(mutex_);
  leader_ = leader;
  if (leader == 0) return;  // an election: the old leader may still answer
  for (auto& [id, waiting] : waiting_) {
    if (waiting.peer == leader) continue;
    FailLocked(waiting, ForwardFailure::kLeaderChanged,
               Status::Unavailable("leadership moved from " + NodeName(waiting.peer) + " to " + NodeName(leader) +
                                   " before the forwarded submission was answered; " + Retry()));
  }
}

void ForwardClient::Stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = true;
  for (auto& [id, waiting] : waiting_) {
    FailLocked(waiting, ForwardFailure::kStopping, Status::Unavailable("the node is shutting down; " + Retry()));
  }
}

uint64_t ForwardClient::failures(ForwardFailure failure) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failures_[static_cast<size_t>(failure)];
}

uint64_t ForwardClient::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

}  // namespace shulian::node
