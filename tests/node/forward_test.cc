// Forwarding over the peer session (node/forward.h): the request and answer
// codec, the follower's client (correlation, session loss, leader change,
// timeout, stop) and the leader's bounded server.
#include "node/forward.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "ledger/outcome.h"

namespace shulian::node {
namespace {

using api::SubmitResult;
using api::SubmitState;
using namespace std::chrono_literals;

ledger::Transaction SampleTx(uint64_t nonce) {
  ledger::Transaction tx;
  tx.network_id = "forward-test";
  tx.sender = "tz.prov";
  tx.client_time_ms = 1'767'225'600'000;
  tx.nonce = nonce;
  tx.body = {1, 2, 3};
  return tx;
}

ForwardRequest SampleRequest() {
  ForwardRequest request;
  request.request_id = 0x0102030405060708ull;
  request.options.wait_for_commit = true;
  request.options.wait_timeout_ms = 5'000;
  request.transactions = {SampleTx(1).Encode(), SampleTx(2).Encode()};
  return request;
}

std::vector<SubmitResult> SampleResults() {
  SubmitResult queued{SampleTx(1).Hash(), SubmitState::kQueued, std::nullopt, std::nullopt};
  ledger::TxOutcome outcome;
  outcome.tx_hash = SampleTx(2).Hash();
  outcome.code = ledger::OutcomeCode::kUnknownSender;
  outcome.message = "account \"tz.prov\" does not exist";
  outcome.notes = {"a note"};
  SubmitResult committed{SampleTx(2).Hash(), SubmitState::kCommitted, 17, outcome};
  return {queued, committed};
}

bool SameResults(const std::vector<SubmitResult>& a, const std::vector<SubmitResult>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].tx_hash != b[i].tx_hash || a[i].state != b[i].state || a[i].height != b[i].height ||
        a[i].outcome != b[i].outcome) {
      return false;
    }
  }
  return true;
}

std::string ErrorOf(ByteView payload, const ForwardLimits& limits = {}) {
  Result<ForwardMessage> decoded = DecodeForwardMessage(payload, limits);
  return decoded.ok() ? "decoded" : decoded.status().message();
}

// ------------------------------- codec -------------------------------

TEST(ForwardMessagesTest, RequestsAndAnswersRoundTripInOneByteForm) {
  // Proves a request, a results answer and an error answer decode to what was
  // encoded, start with channel 0x04 and their kind, and re-encode to the same bytes.
  const ForwardRequest request = SampleRequest();
  const Bytes encoded = EncodeForwardMessage(request);
  ASSERT_GE(encoded.size(), 2u);
  EXPECT_EQ(encoded[0], kForwardChannel);
  EXPECT_EQ(encoded[1], kForwardRequestKind);
  EXPECT_TRUE(IsForwardPayload(encoded));
  Result<ForwardMessage> decoded = DecodeForwardMessage(encoded, {});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_TRUE(std::holds_alternative<ForwardRequest>(*decoded));
  EXPECT_EQ(std::get<ForwardRequest>(*decoded), request);
  EXPECT_EQ(EncodeForwardMessage(*decoded), encoded);

  const ForwardAnswer answer{42, SampleResults()};
  const Bytes answer_bytes = EncodeForwardMessage(answer);
  EXPECT_EQ(answer_bytes[1], kForwardAnswerKind);
  Result<ForwardMessage> decoded_answer = DecodeForwardMessage(answer_bytes, {});
  ASSERT_TRUE(decoded_answer.ok()) << decoded_answer.status().ToString();
  const auto& got = std::get<ForwardAnswer>(*decoded_answer);
  EXPECT_EQ(got.request_id, 42u);
  ASSERT_TRUE(got.results.ok());
  EXPECT_TRUE(SameResults(*got.results, SampleResults()));
  EXPECT_EQ(EncodeForwardMessage(*decoded_answer), answer_bytes);

  const ForwardAnswer refusal{7, Status::ResourceExhausted("the proposal queue is full (3 of 3); retry later")};
  Result<ForwardMessage> decoded_refusal = DecodeForwardMessage(EncodeForwardMessage(refusal), {});
  ASSERT_TRUE(decoded_refusal.ok()) << decoded_refusal.status().ToString();
  EXPECT_EQ(std::get<ForwardAnswer>(*decoded_refusal).results.status(), refusal.results.status());
}

TEST(ForwardMessagesTest, EveryTruncationAndATrailingByteIsRefused) {
  // Proves no prefix of a request or answer decodes, nor either with a byte appended.
  for (const Bytes& encoded :
       {EncodeForwardMessage(SampleRequest()), EncodeForwardMessage(ForwardAnswer{9, SampleResults()}),
        EncodeForwardMessage(ForwardAnswer{9, Status::InvalidArgument("transactions[0].signature: bad")})}) {
    for (size_t size = 0; size < encoded.size(); ++size) {
      EXPECT_FALSE(DecodeForwardMessage(ByteView(encoded.data(), size), {}).ok()) << size;
    }
    Bytes padded = encoded;
    padded.push_back(0);
    EXPECT_NE(ErrorOf(padded).find("forward message: 1 trailing bytes"), std::string::npos) << ErrorOf(padded);
  }
}

TEST(ForwardMessagesTest, GarbageAndEachBadFieldAreRefusedByName) {
  // Proves wrong channel and kind, a zero id, no or too many transactions, a
  // request over its byte bound, a timeout without waiting, an unknown code or
  // state, a non-canonical flag and an outcome of another transaction are each
  // refused naming the field.
  EXPECT_NE(ErrorOf(Bytes{0x01, 0x01}).find("forward message.channel"), std::string::npos);
  EXPECT_NE(ErrorOf(Bytes{kForwardChannel, 0x09}).find("forward message.kind: unknown kind 9"), std::string::npos);
  EXPECT_NE(ErrorOf(Bytes(64, 0xff)).find("forward message.channel"), std::string::npos);

  ForwardRequest request = SampleRequest();
  request.request_id = 0;
  EXPECT_NE(ErrorOf(EncodeForwardMessage(request)).find("forward request.request_id: 0"), std::string::npos);
  request = SampleRequest();
  request.transactions.clear();
  EXPECT_NE(ErrorOf(EncodeForwardMessage(request)).find("forward request.transactions: 0"), std::string::npos);
  request = SampleRequest();
  EXPECT_NE(ErrorOf(EncodeForwardMessage(request), {4u << 20, 1}).find("forward request.transactions: 2, at most 1"),
            std::string::npos);
  const Bytes big = EncodeForwardMessage(request);
  EXPECT_NE(ErrorOf(big, {big.size() - 1, 1000}).find("forward request: " + std::to_string(big.size()) + " bytes"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(big, {big.size(), 1000}), "decoded");

  // A count larger than the bytes left is refused before anything is reserved.
  // id 1, no wait, timeout 0, then a count of 1,000,000 and nothing else.
  const Bytes huge_count = {kForwardChannel, kForwardRequestKind, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                            0,               0,                   0, 0, 0x0f, 0x42, 0x40};
  EXPECT_NE(ErrorOf(huge_count, {4u << 20, 2'000'000}).find("do not fit"), std::string::npos)
      << ErrorOf(huge_count, {4u << 20, 2'000'000});

  Bytes no_wait = EncodeForwardMessage(SampleRequest());
  no_wait[10] = 0;  // wait_for_commit false, wait_timeout_ms still 5000
  EXPECT_NE(ErrorOf(no_wait).find("wait_timeout_ms: must be 0"), std::string::npos);
  Bytes flag = EncodeForwardMessage(SampleRequest());
  flag[10] = 2;
  EXPECT_NE(ErrorOf(flag).find("forward request.wait_for_commit"), std::string::npos);

  Bytes code = EncodeForwardMessage(ForwardAnswer{5, Status::Internal("x")});
  code[10] = 12;
  EXPECT_NE(ErrorOf(code).find("forward answer.code: unknown code 12"), std::string::npos);
  Bytes state = EncodeForwardMessage(ForwardAnswer{5, SampleResults()});
  state[2 + 8 + 1 + 4 + 32] = 3;  // the first result's state
  EXPECT_NE(ErrorOf(state).find("forward answer.results[0].state: unknown state 3"), std::string::npos);

  std::vector<SubmitResult> crossed = SampleResults();
  crossed[1].outcome->tx_hash = SampleTx(1).Hash();
  EXPECT_NE(ErrorOf(EncodeForwardMessage(ForwardAnswer{5, crossed})).find("results[1].outcome: names another"),
            std::string::npos);
  EXPECT_NE(ErrorOf(EncodeForwardMessage(ForwardAnswer{5, std::vector<SubmitResult>{}})).find("results: 0"),
            std::string::npos);
}

TEST(ForwardMessagesTest, TheRequestIdOfARefusedRequestIsStillReadable) {
  // Proves a leader can answer a request it refuses (too large) by its id, and
  // that nothing but a request header yields one.
  const Bytes request = EncodeForwardMessage(SampleRequest());
  EXPECT_EQ(ForwardRequestId(request), SampleRequest().request_id);
  EXPECT_EQ(ForwardRequestId(ByteView(request.data(), 10)), SampleRequest().request_id);
  EXPECT_FALSE(ForwardRequestId(ByteView(request.data(), 9)).has_value());
  EXPECT_FALSE(ForwardRequestId(EncodeForwardMessage(ForwardAnswer{3, SampleResults()})).has_value());
  EXPECT_FALSE(ForwardRequestId(Bytes{kForwardChannel, kForwardRequestKind, 0, 0, 0, 0, 0, 0, 0, 0}).has_value());
}

TEST(ForwardMessagesTest, ALongErrorMessageIsCutToTheBoundTheDecoderAccepts) {
  // Proves an encoder never writes an error answer its decoder refuses.
  const std::string long_text(kForwardMessageBytesMax + 100, 'x');
  Result<ForwardMessage> decoded = DecodeForwardMessage(EncodeForwardMessage(ForwardAnswer{1, Status::Internal(long_text)}), {});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<ForwardAnswer>(*decoded).results.status().message(), long_text.substr(0, kForwardMessageBytesMax));
}

// ------------------------------- client -------------------------------

// Records what a client or server sends, for the test to answer from another thread.
class Outbox {
 public:
  ForwardSendFn Send() {
    return [this](uint64_t to, Bytes payload) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (refuse_) return Status::InvalidArgument("send: payload too large");
      sent_.emplace_back(to, std::move(payload));
      cv_.notify_all();
      return Status::Ok();
    };
  }
  void Refuse() {
    std::lock_guard<std::mutex> lock(mutex_);
    refuse_ = true;
  }
  // The next sent payload, decoded; waits up to 10 s.
  std::pair<uint64_t, ForwardMessage> Next() {
    std::unique_lock<std::mutex> lock(mutex_);
    EXPECT_TRUE(cv_.wait_for(lock, 10s, [&] { return !sent_.empty(); }));
    if (sent_.empty()) return {0, ForwardAnswer{}};
    auto [to, payload] = std::move(sent_.front());
    sent_.pop_front();
    Result<ForwardMessage> decoded = DecodeForwardMessage(payload, {});
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
    return {to, decoded.ok() ? std::move(decoded).value() : ForwardMessage(ForwardAnswer{})};
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<uint64_t, Bytes>> sent_;
  bool refuse_ = false;
};

const std::vector<ledger::Transaction> kTxs = {SampleTx(1), SampleTx(2)};

std::future<Result<std::vector<SubmitResult>>> ForwardAsync(ForwardClient& client, uint64_t leader,
                                                            uint64_t timeout_ms = 60'000) {
  return std::async(std::launch::async, [&client, leader, timeout_ms] {
    return client.Forward(leader, kTxs, {true, 1'000}, timeout_ms);
  });
}

TEST(ForwardClientTest, TheLeadersAnswerToThisRequestIsReturnedAsItIs) {
  // Proves the request carries the transactions and options, an answer from
  // another peer or for another id is dropped, and the matching answer's results
  // and error status reach the caller unchanged.
  Outbox outbox;
  ForwardClient client(1000, outbox.Send());
  client.LeaderChanged(2);
  auto pending = ForwardAsync(client, 2);
  auto [to, message] = outbox.Next();
  EXPECT_EQ(to, 2u);
  const auto& request = std::get<ForwardRequest>(message);
  EXPECT_EQ(request.request_id, 1000u);
  EXPECT_TRUE(request.options.wait_for_commit);
  EXPECT_EQ(request.options.wait_timeout_ms, 1'000u);
  ASSERT_EQ(request.transactions.size(), 2u);
  EXPECT_EQ(request.transactions[1], SampleTx(2).Encode());

  client.OnAnswer(3, ForwardAnswer{1000, SampleResults()});  // not the node asked
  client.OnAnswer(2, ForwardAnswer{999, SampleResults()});   // not a waiting request
  EXPECT_EQ(pending.wait_for(50ms), std::future_status::timeout);
  EXPECT_EQ(client.dropped(), 2u);
  client.OnAnswer(2, ForwardAnswer{1000, SampleResults()});
  Result<std::vector<SubmitResult>> got = pending.get();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(SameResults(*got, SampleResults()));

  auto refused = ForwardAsync(client, 2);
  EXPECT_EQ(std::get<ForwardRequest>(outbox.Next().second).request_id, 1001u);
  const Status leaders = Status::InvalidArgument("transactions[0].signature: does not verify");
  client.OnAnswer(2, ForwardAnswer{1001, leaders});
  EXPECT_EQ(refused.get().status(), leaders);
}

TEST(ForwardClientTest, AnAnswerThatDoesNotListTheForwardedTransactionsIsRefused) {
  // Proves results for other transactions (or another count) are not passed off as the answer.
  Outbox outbox;
  ForwardClient client(1, outbox.Send());
  client.LeaderChanged(2);
  auto pending = ForwardAsync(client, 2);
  outbox.Next();
  std::vector<SubmitResult> swapped = SampleResults();
  std::swap(swapped[0], swapped[1]);
  client.OnAnswer(2, ForwardAnswer{1, swapped});
  Result<std::vector<SubmitResult>> got = pending.get();
  EXPECT_EQ(got.status().code(), ErrorCode::kInternal);
  EXPECT_NE(got.status().message().find("does not list the forwarded transactions"), std::string::npos);
}

TEST(ForwardClientTest, ALostSessionALeaderChangeATimeoutAndStopEachEndTheWaitWithUnavailable) {
  // Proves a waiting forward ends at once with a clear Unavailable naming the
  // leader when a session with it closes or another node leads, ends at its
  // timeout when no answer comes, and that each is counted by reason.
  Outbox outbox;
  ForwardClient client(1, outbox.Send());
  client.LeaderChanged(2);

  auto closed = ForwardAsync(client, 2);
  outbox.Next();
  client.SessionClosed(3);  // another peer: no effect
  EXPECT_EQ(closed.wait_for(50ms), std::future_status::timeout);
  client.SessionClosed(2);
  Status status = closed.get().status();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("peer session with the leader (node 2) closed"), std::string::npos);
  EXPECT_NE(status.message().find("idempotent"), std::string::npos);

  auto moved = ForwardAsync(client, 2);
  outbox.Next();
  client.LeaderChanged(0);  // an election: node 2 may still answer
  EXPECT_EQ(moved.wait_for(50ms), std::future_status::timeout);
  client.LeaderChanged(3);
  status = moved.get().status();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("leadership moved from node 2 to node 3"), std::string::npos);
  // Asked to forward to a node that is no longer the leader it knows: refused before sending.
  EXPECT_NE(client.Forward(2, kTxs, {}, 1'000).status().message().find("view of the leader moved"),
            std::string::npos);

  Result<std::vector<SubmitResult>> timed_out = client.Forward(3, kTxs, {}, 20);
  EXPECT_EQ(timed_out.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(timed_out.status().message().find("did not answer the forwarded submission within 20 ms"),
            std::string::npos);
  outbox.Next();
  client.OnAnswer(3, ForwardAnswer{3, SampleResults()});  // too late: dropped
  EXPECT_EQ(client.dropped(), 1u);

  auto stopping = ForwardAsync(client, 3);
  outbox.Next();
  client.Stop();
  EXPECT_NE(stopping.get().status().message().find("shutting down"), std::string::npos);
  EXPECT_NE(client.Forward(3, kTxs, {}, 1'000).status().message().find("shutting down"), std::string::npos);

  EXPECT_EQ(client.failures(ForwardFailure::kSessionClosed), 1u);
  EXPECT_EQ(client.failures(ForwardFailure::kLeaderChanged), 2u);
  EXPECT_EQ(client.failures(ForwardFailure::kTimedOut), 1u);
  EXPECT_EQ(client.failures(ForwardFailure::kStopping), 1u);
}

TEST(ForwardClientTest, ARequestTheTransportRefusesFailsAtOnceWithItsReason) {
  // Proves a payload the transport will not carry is an error for the caller, not a wait.
  Outbox outbox;
  outbox.Refuse();
  ForwardClient client(1, outbox.Send());
  client.LeaderChanged(2);
  Result<std::vector<SubmitResult>> got = client.Forward(2, kTxs, {}, 60'000);
  EXPECT_EQ(got.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("forwarding to the leader (node 2): send: payload too large"),
            std::string::npos);
  EXPECT_EQ(client.failures(ForwardFailure::kUnsendable), 1u);
}

// ------------------------------- server -------------------------------

TEST(ForwardServerTest, AtMostServingMaxAreServedAtOnceAndTheRestAreAnsweredBusy) {
  // Proves the server runs two requests at once with serving_max 2, answers a
  // third at once with ResourceExhausted naming the limit, answers each served
  // request to its sender with the serve result, and after Stop refuses new ones.
  Outbox outbox;
  std::mutex mutex;
  std::condition_variable cv;
  size_t running = 0;
  bool release = false;
  ForwardServer server(
      2,
      [&](uint64_t, const ForwardRequest& request) -> Result<std::vector<SubmitResult>> {
        std::unique_lock<std::mutex> lock(mutex);
        ++running;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        return std::vector<SubmitResult>{{SampleTx(request.request_id).Hash(), SubmitState::kQueued, {}, {}}};
      },
      outbox.Send());
  ForwardRequest one = SampleRequest();
  one.request_id = 1;
  ForwardRequest two = one;
  two.request_id = 2;
  ForwardRequest three = one;
  three.request_id = 3;
  EXPECT_TRUE(server.Enqueue(5, one));
  EXPECT_TRUE(server.Enqueue(6, two));
  {
    std::unique_lock<std::mutex> lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return running == 2; }));
  }
  EXPECT_FALSE(server.Enqueue(7, three));
  auto [busy_to, busy] = outbox.Next();
  EXPECT_EQ(busy_to, 7u);
  const auto& busy_answer = std::get<ForwardAnswer>(busy);
  EXPECT_EQ(busy_answer.request_id, 3u);
  EXPECT_EQ(busy_answer.results.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(busy_answer.results.status().message().find("forwarded_submissions_serving_max (2)"),
            std::string::npos);
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
  }
  cv.notify_all();
  std::map<uint64_t, uint64_t> answered;  // request id -> to
  for (int i = 0; i < 2; ++i) {
    auto [to, message] = outbox.Next();
    const auto& answer = std::get<ForwardAnswer>(message);
    ASSERT_TRUE(answer.results.ok());
    EXPECT_EQ((*answer.results)[0].tx_hash, SampleTx(answer.request_id).Hash());
    answered[answer.request_id] = to;
  }
  EXPECT_EQ(answered, (std::map<uint64_t, uint64_t>{{1, 5}, {2, 6}}));
  server.Stop();
  EXPECT_EQ(server.served(), 2u);
  EXPECT_FALSE(server.Enqueue(5, one));
  EXPECT_EQ(std::get<ForwardAnswer>(outbox.Next().second).results.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(server.refused(), 2u);
}

}  // namespace
}  // namespace shulian::node
