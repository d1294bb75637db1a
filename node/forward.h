// Forwarding of submissions from a follower to the leader over the peer
// transport (docs/node.md, "Submissions"; docs/transport.md, "Messages on the
// session"). A follower never opens an HTTP connection to the leader: it hands
// the encoded transactions and the submit options to the leader on the
// authenticated, encrypted peer session, and the leader answers on its own
// session with the per-transaction results or an error status, which the
// follower relays unchanged to its API caller.
//
// Wire form (common/bytes.h rules, big-endian), one peer-transport payload each:
//   payload        = u8 channel 0x04 ‖ u8 kind ‖ body
//   ForwardRequest = kind 0x01 ‖ u64 request_id ‖ bool wait_for_commit
//                    ‖ u64 wait_timeout_ms ‖ u32 n ‖ n × bytes transaction
//   ForwardAnswer  = kind 0x02 ‖ u64 request_id ‖ u8 code ‖ answer
//     code 0 (ok): answer = u32 n ‖ n × result
//     code 1..11:  answer = str message    (an ErrorCode, common/status.h)
//   result         = 32 tx_hash ‖ u8 state ‖ bool has_height ‖ [u64 height]
//                    ‖ bool has_outcome ‖ [bytes outcome]
// `transaction` is Transaction::Encode(); `state` is api::SubmitState (0 queued,
// 1 committed, 2 timed_out); `outcome` is TxOutcome::Encode() and names the same
// tx_hash. wait_timeout_ms is 0 unless wait_for_commit. Every message has one
// byte form: an unknown kind, a zero request id, no transactions or more than
// ForwardLimits allow, a payload over its byte bound, an unknown code or state, a
// bool other than 0 or 1, and short or trailing bytes are refused, naming the
// field, before anything is allocated for them.
//
// Correlation: a follower numbers its requests from a random start (so an answer
// meant for its previous run cannot match a request of this one) and accepts an
// answer only from the node it asked, for a request still waiting, with one
// result per forwarded transaction in order.
//
// Bounds: the follower's callers wait at most their timeout (the node allows
// forwards_in_flight_max of them at once); the leader serves at most
// `serving_max` forwarded submissions at once and answers a request over that at
// once with ResourceExhausted; a request may carry at most ForwardLimits'
// transactions and bytes (the node: the API's batch cap and the leader's
// request_body_bytes_max, which the binary form of any body the API accepts fits).
//
// Thread-safety: the codecs are pure functions. ForwardServer runs its requests
// on worker threads it starts as needed (at most serving_max); Enqueue and Stop
// may be called from any thread. ForwardClient: every method may be called from
// any thread; Forward blocks its caller.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "api/service.h"
#include "common/bytes.h"
#include "common/status.h"
#include "ledger/transaction.h"

namespace shulian::node {

inline constexpr uint8_t kForwardChannel = 0x04;
inline constexpr uint8_t kForwardRequestKind = 0x01;
inline constexpr uint8_t kForwardAnswerKind = 0x02;
// An error answer's message is cut to this many bytes.
inline constexpr size_t kForwardMessageBytesMax = 4096;

struct ForwardLimits {
  // One request, channel byte included. (An answer is bounded by the transport's
  // frame and by transactions_max.)
  uint64_t request_bytes_max = 4u << 20;
  uint64_t transactions_max = 1000;  // per request (and so per answer)
};

struct ForwardRequest {
  uint64_t request_id = 0;
  api::SubmitOptions options;      // wait_timeout_ms is 0 unless wait_for_commit
  std::vector<Bytes> transactions;  // Transaction::Encode() each
  friend bool operator==(const ForwardRequest& a, const ForwardRequest& b) {
    return a.request_id == b.request_id && a.options.wait_for_commit == b.options.wait_for_commit &&
           a.options.wait_timeout_ms == b.options.wait_timeout_ms && a.transactions == b.transactions;
  }
};

struct ForwardAnswer {
  uint64_t request_id = 0;
  Result<std::vector<api::SubmitResult>> results = std::vector<api::SubmitResult>{};
};

using ForwardMessage = std::variant<ForwardRequest, ForwardAnswer>;

// True if a peer payload starts with the forwarding channel byte.
inline bool IsForwardPayload(ByteView payload) { return !payload.empty() && payload[0] == kForwardChannel; }

// The whole payload, channel byte included. An error message longer than
// kForwardMessageBytesMax is cut.
Bytes EncodeForwardMessage(const ForwardMessage& message);
// `payload` starts with the channel byte. InvalidArgument naming the field.
Result<ForwardMessage> DecodeForwardMessage(ByteView payload, const ForwardLimits& limits);
// The request id of a payload that starts like a ForwardRequest (channel, kind,
// a nonzero id), whether or not the rest decodes: so a leader can answer a
// request it refuses (too large, too many transactions) instead of leaving the
// follower to time out.
std::optional<uint64_t> ForwardRequestId(ByteView payload);

// Queues `payload` for peer `to` (the transport's Send). It must not call back
// into the ForwardClient or ForwardServer that calls it.
using ForwardSendFn = std::function<Status(uint64_t to, Bytes payload)>;

// The leader's side: serves peers' ForwardRequests on worker threads, so a
// submission that waits for its commit never holds up the transport's thread.
class ForwardServer {
 public:
  // Runs one forwarded submission from `from` to its answer (the node's own
  // admission); the server sends the answer back to `from`.
  using ServeFn = std::function<Result<std::vector<api::SubmitResult>>(uint64_t from, const ForwardRequest&)>;

  ForwardServer(uint64_t serving_max, ServeFn serve, ForwardSendFn send);
  ~ForwardServer();  // Stop()
  ForwardServer(const ForwardServer&) = delete;
  ForwardServer& operator=(const ForwardServer&) = delete;

  // Takes a request from `from`. If `serving_max` are being served, or after
  // Stop, answers it at once with ResourceExhausted (Unavailable after Stop) and
  // returns false.
  bool Enqueue(uint64_t from, ForwardRequest request);
  // Idempotent; joins the workers once their submissions returned (the node
  // makes them return by stopping). Requests still queued are answered Unavailable.
  void Stop();

  uint64_t served() const;   // answers sent for served requests
  uint64_t refused() const;  // requests answered at once for serving_max or Stop

 private:
  void Run();
  void Answer(uint64_t to, uint64_t request_id, Result<std::vector<api::SubmitResult>> results);

  const uint64_t serving_max_;
  const ServeFn serve_;
  const ForwardSendFn send_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<uint64_t, ForwardRequest>> queue_;  // GUARDED_BY(mutex_)
  uint64_t accepted_ = 0;                                  // GUARDED_BY(mutex_): queued or being served
  uint64_t idle_ = 0;                                      // GUARDED_BY(mutex_): workers waiting
  bool stopping_ = false;                                  // GUARDED_BY(mutex_)
  uint64_t served_ = 0;                                    // GUARDED_BY(mutex_)
  uint64_t refused_ = 0;                                   // GUARDED_BY(mutex_)
  std::vector<std::thread> workers_;                       // GUARDED_BY(mutex_) until Stop
};

// Why a forward ended without the leader's answer (ForwardClient::failures).
enum class ForwardFailure : uint8_t {
  kTimedOut = 0,       // no answer within the caller's timeout
  kSessionClosed = 1,  // a peer session with the leader closed while waiting
  kLeaderChanged = 2,  // another node (or this one) became leader while waiting
  kUnsendable = 3,     // the transport refused the request (too large, stopped)
  kStopping = 4,       // this node is shutting down
};
inline constexpr size_t kForwardFailureKinds = 5;
std::string_view ForwardFailureName(ForwardFailure failure);

// The follower's side: sends a request to the leader and waits for the answer
// that matches it.
class ForwardClient {
 public:
  ForwardClient(uint64_t first_request_id, ForwardSendFn send);

  // Sends `transactions` with `options` to `leader` and waits for its answer up
  // to `timeout_ms`. Returns the leader's answer as it is: its results, or its
  // error status. Unavailable, naming the leader, when the answer cannot come:
  // the timeout passed, a session with the leader closed, leadership moved
  // (LeaderChanged) before or while waiting, or Stop. The transport's error when it
  // refuses the request. Internal when the answer does not fit the request.
  Result<std::vector<api::SubmitResult>> Forward(uint64_t leader, const std::vector<ledger::Transaction>& transactions,
                                                 const api::SubmitOptions& options, uint64_t timeout_ms);

  // An answer from peer `from`; one that matches no waiting request from that
  // peer is dropped (counted in dropped()).
  void OnAnswer(uint64_t from, ForwardAnswer answer);
  // A peer session (either direction) with `peer` closed: its answers may be lost.
  void SessionClosed(uint64_t peer);
  // The node now knows `leader` as leader (0: none known).
  void LeaderChanged(uint64_t leader);
  // Fails every waiting request and every later one with Unavailable.
  void Stop();

  uint64_t failures(ForwardFailure failure) const;
  uint64_t dropped() const;

 private:
  struct Waiting {
    uint64_t peer = 0;
    std::vector<crypto::Digest> hashes;  // of the forwarded transactions, in order
    std::optional<Result<std::vector<api::SubmitResult>>> outcome;
    std::condition_variable cv;
  };
  // REQUIRES: mutex_ held.
  void FailLocked(Waiting& waiting, ForwardFailure failure, Status status);
  Result<std::vector<api::SubmitResult>> Matched(const Waiting& waiting, ForwardAnswer answer) const;

  const ForwardSendFn send_;
  mutable std::mutex mutex_;
  uint64_t next_request_id_;                          // GUARDED_BY(mutex_)
  uint64_t leader_ = 0;                               // GUARDED_BY(mutex_)
  bool stopping_ = false;                             // GUARDED_BY(mutex_)
  std::map<uint64_t, Waiting> waiting_;               // GUARDED_BY(mutex_): by request id
  uint64_t failures_[kForwardFailureKinds] = {};      // GUARDED_BY(mutex_)
  uint64_t dropped_ = 0;                              // GUARDED_BY(mutex_)
};

}  // namespace shulian::node
