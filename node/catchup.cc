#include "node/catchup.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

namespace shulian::node {
namespace {

constexpr uint64_t kCompactionEntriesLimit = 100'000'000;
constexpr size_t kRequestBodyBytes = 8 + 8 + 4;
// channel, kind, request id, from height, block count.
constexpr uint64_t kResponseHeaderBytes = 1 + 1 + 8 + 8 + 4;
// How long CatchUp waits for a response before it checks timeouts and `stopping`.
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string N(uint64_t v) { return std::to_string(v); }

bool IsFatal(const Status& s) {
  return s.code() == ErrorCode::kIoError || s.code() == ErrorCode::kCorruption || s.code() == ErrorCode::kInternal;
}

Status CheckRange(std::string_view field, uint64_t value, uint64_t min, uint64_t max) {
  if (value < min || value > max) {
    return Status::InvalidArgument(std::string(field) + ": " + N(value) + " is outside [" + N(min) + ", " + N(max) +
                                   "]");
  }
  return Status::Ok();
}

Result<BlockRequest> DecodeRequest(ByteReader& r) {
  if (r.remaining() != kRequestBodyBytes) {
    return Status::InvalidArgument("block_request: " + N(r.remaining()) + " body bytes, expected " +
                                   N(kRequestBodyBytes));
  }
  BlockRequest request;
  ASSIGN_OR_RETURN(request.request_id, r.GetU64());
  ASSIGN_OR_RETURN(request.from_height, r.GetU64());
  ASSIGN_OR_RETURN(request.blocks_max, r.GetU32());
  if (request.request_id == 0) return Status::InvalidArgument("block_request.request_id: must not be 0");
  if (request.from_height == 0) return Status::InvalidArgument("block_request.from_height: must not be 0");
  if (request.blocks_max == 0) return Status::InvalidArgument("block_request.blocks_max: must not be 0");
  return request;
}

Result<BlockResponse> DecodeResponse(ByteReader& r, const CatchupLimits& limits) {
  BlockResponse response;
  ASSIGN_OR_RETURN(response.request_id, r.GetU64());
  ASSIGN_OR_RETURN(response.from_height, r.GetU64());
  ASSIGN_OR_RETURN(uint32_t count, r.GetU32());
  if (response.request_id == 0) return Status::InvalidArgument("block_response.request_id: must not be 0");
  if (response.from_height == 0) return Status::InvalidArgument("block_response.from_height: must not be 0");
  if (count > limits.blocks_per_response_max) {
    return Status::InvalidArgument("block_response.blocks: " + N(count) + " blocks exceed " +
                                   N(limits.blocks_per_response_max));
  }
  // Every block needs at least its 4-byte length: refuse a count the bytes cannot hold before reserving.
  if (count > r.remaining() / 4) {
    return Status::InvalidArgument("block_response.blocks: " + N(count) + " blocks do not fit in " +
                                   N(r.remaining()) + " bytes");
  }
  response.blocks.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    Result<ByteView> block = r.GetBytes(limits.block_bytes_max);
    if (!block.ok()) {
      return Status::InvalidArgument("block_response.blocks[" + N(i) + "]: " + block.status().message());
    }
    if (block->empty()) return Status::InvalidArgument("block_response.blocks[" + N(i) + "]: empty");
    response.blocks.emplace_back(block->begin(), block->end());
  }
  return response;
}

}  // namespace

// ------------------------------- snapshot data -------------------------------

Bytes EncodeLedgerSnapshotData(const LedgerSnapshotData& data) {
  ByteWriter w;
  w.PutU64(data.height);
  w.PutFixed(data.head_hash.bytes);
  return w.Take();
}

Result<LedgerSnapshotData> DecodeLedgerSnapshotData(ByteView bytes) {
  constexpr size_t kBytes = 8 + 32;
  if (bytes.size() != kBytes) {
    return Status::InvalidArgument("snapshot.data: " + N(bytes.size()) + " bytes, expected " + N(kBytes));
  }
  ByteReader r(bytes);
  LedgerSnapshotData data;
  ASSIGN_OR_RETURN(data.height, r.GetU64());
  ASSIGN_OR_RETURN(data.head_hash.bytes, r.GetArray<32>());
  RETURN_IF_ERROR(r.Finish());
  return data;
}

// ------------------------------- compaction -------------------------------

Status CompactionLimits::Validate() const {
  RETURN_IF_ERROR(CheckRange("retain_entries", retain_entries, 1, kCompactionEntriesLimit));
  return CheckRange("compact_entries_min", compact_entries_min, 1, kCompactionEntriesLimit);
}

std::optional<consensus::Index> CompactionTarget(consensus::Index applied_index, consensus::Index first_index,
                                                 const CompactionLimits& limits) {
  if (applied_index + 1 < first_index) return std::nullopt;
  const uint64_t applied_in_log = applied_index + 1 - first_index;
  if (applied_in_log < limits.retain_entries + limits.compact_entries_min) return std::nullopt;
  return applied_index - limits.retain_entries;
}

void SnapshotPoints::Record(SnapshotPoint point) {
  if (!points_.empty() && point.index <= points_.back().index) return;
  points_.push_back(std::move(point));
  while (points_.size() > points_max_) points_.pop_front();
}

std::optional<SnapshotPoint> SnapshotPoints::NewestAtOrBelow(consensus::Index index) const {
  auto it = std::upper_bound(points_.begin(), points_.end(), index,
                             [](consensus::Index i, const SnapshotPoint& p) { return i < p.index; });
  if (it == points_.begin()) return std::nullopt;
  return *std::prev(it);
}

// ------------------------------- codec -------------------------------

Status CatchupLimits::Validate() const {
  RETURN_IF_ERROR(CheckRange("blocks_per_response_max", blocks_per_response_max, 1, 100'000));
  RETURN_IF_ERROR(CheckRange("response_bytes_max", response_bytes_max, 1024, 1ull << 30));
  RETURN_IF_ERROR(CheckRange("block_bytes_max", block_bytes_max, 1, 1ull << 30));
  RETURN_IF_ERROR(CheckRange("requests_in_flight_max", requests_in_flight_max, 1, 1'024));
  RETURN_IF_ERROR(CheckRange("request_timeout_ms", request_timeout_ms, 1, 600'000));
  RETURN_IF_ERROR(CheckRange("server_queue_max", server_queue_max, 1, 1'000'000));
  return CheckRange("chain_heights_max", chain_heights_max, 1, 1ull << 28);
}

uint64_t CatchupLimits::ResponsePayloadBytesMax() const {
  return kResponseHeaderBytes + 4 * blocks_per_response_max + std::max(response_bytes_max, block_bytes_max);
}

bool IsCatchupPayload(ByteView payload) {
  return payload.size() >= 2 && payload[0] == kCatchupChannel &&
         (payload[1] == kBlockRequestKind || payload[1] == kBlockResponseKind ||
          payload[1] == kHeaderRequestKind || payload[1] == kHeaderResponseKind);
}

Bytes EncodeCatchupMessage(const CatchupMessage& message) {
  ByteWriter w;
  w.PutU8(kCatchupChannel);
  if (const auto* request = std::get_if<BlockRequest>(&message)) {
    w.PutU8(request->headers_only ? kHeaderRequestKind : kBlockRequestKind);
    w.PutU64(request->request_id);
    w.PutU64(request->from_height);
    w.PutU32(request->blocks_max);
  } else {
    const auto& response = std::get<BlockResponse>(message);
    w.PutU8(response.headers_only ? kHeaderResponseKind : kBlockResponseKind);
    w.PutU64(response.request_id);
    w.PutU64(response.from_height);
    w.PutU32(static_cast<uint32_t>(response.blocks.size()));
    for (const Bytes& block : response.blocks) w.PutBytes(block);
  }
  return w.Take();
}

Result<CatchupMessage> DecodeCatchupMessage(ByteView payload, const CatchupLimits& limits) {
  if (payload.size() > limits.ResponsePayloadBytesMax()) {
    return Status::InvalidArgument("catchup: message of " + N(payload.size()) + " bytes exceeds " +
                                   N(limits.ResponsePayloadBytesMax()));
  }
  ByteReader r(payload);
  Result<uint8_t> channel = r.GetU8();
  if (!channel.ok() || *channel != kCatchupChannel) return Status::InvalidArgument("catchup.channel: not 0x03");
  Result<uint8_t> kind = r.GetU8();
  if (!kind.ok()) return Status::InvalidArgument("catchup.kind: missing");
  CatchupMessage message;
  if (*kind == kBlockRequestKind || *kind == kHeaderRequestKind) {
    Result<BlockRequest> request = DecodeRequest(r);
    if (!request.ok()) return request.status();
    request->headers_only = *kind == kHeaderRequestKind;
    message = *request;
  } else if (*kind == kBlockResponseKind || *kind == kHeaderResponseKind) {
    Result<BlockResponse> response = DecodeResponse(r, limits);
    if (!response.ok()) return response.status();
    response->headers_only = *kind == kHeaderResponseKind;
    message = std::move(response).value();
  } else {
    return Status::InvalidArgument("catchup.kind: unknown kind " + N(*kind));
  }
  Status finished = r.Finish();
  if (!finished.ok()) return Status::InvalidArgument("catchup: " + finished.message());
  return message;
}

// ------------------------------- server -------------------------------

CatchupServer::CatchupServer(CatchupLimits limits, ReadBlocksFn read_blocks, SendFn send)
    : limits_(limits), read_blocks_(std::move(read_blocks)), send_(std::move(send)) {
  thread_ = std::thread([this] { Run(); });
}

CatchupServer::~CatchupServer() { Stop(); }

bool CatchupServer::Enqueue(uint64_t from, const BlockRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || queue_.size() >= limits_.server_queue_max) {
    ++dropped_;
    return false;
  }
  queue_.emplace_back(from, request);
  cv_.notify_one();
  return true;
}

void CatchupServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t CatchupServer::served() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return served_;
}

uint64_t CatchupServer::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

void CatchupServer::Run() {
  for (;;) {
    std::pair<uint64_t, BlockRequest> next;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      next = queue_.front();
      queue_.pop_front();
    }
    Serve(next.first, next.second);
  }
}

void CatchupServer::Serve(uint64_t to, const BlockRequest& request) {
  const uint64_t blocks_max = std::min<uint64_t>(request.blocks_max, limits_.blocks_per_response_max);
  BlockResponse response{request.request_id, request.from_height, {}, request.headers_only};
  Result<std::vector<Bytes>> blocks =
      read_blocks_(request.from_height, blocks_max, limits_.response_bytes_max, request.headers_only);
  // An error (a height we do not have) is answered with no blocks: the client asks elsewhere.
  if (blocks.ok()) {
    for (Bytes& block : *blocks) {
      if (response.blocks.size() >= blocks_max || block.size() > limits_.block_bytes_max) break;
      response.blocks.push_back(std::move(block));
    }
  }
  send_(to, EncodeCatchupMessage(response));
  std::lock_guard<std::mutex> lock(mutex_);
  ++served_;
}

// ------------------------------- client -------------------------------

CatchupClient::CatchupClient(CatchupLimits limits, SendFn send) : limits_(limits), send_(std::move(send)) {}

uint64_t CatchupClient::blocks_fetched() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return blocks_fetched_;
}

void CatchupClient::OnResponse(uint64_t from, BlockResponse response) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = in_flight_.find(response.request_id);
  if (it == in_flight_.end()) return;  // late, reset or never asked
  const InFlight& asked = it->second;
  if (asked.peer != from || asked.from_height != response.from_height ||
      asked.headers_only != response.headers_only || response.blocks.size() > asked.blocks_max) {
    return;  // not an answer to what we asked: wait for the timeout
  }
  in_flight_.erase(it);
  responses_[response.from_height] = std::move(response);
  cv_.notify_all();
}

void CatchupClient::ResetWindow() {
  in_flight_.clear();
  responses_.clear();
  window_end_ = 0;
}

// REQUIRES: mutex_ held. Asks for the next ranges until the window is full.
void CatchupClient::SendWindow(uint64_t peer, bool headers_only, uint64_t next_height, uint64_t target_height,
                               int64_t now) {
  window_end_ = std::max(window_end_, next_height);
  while (in_flight_.size() < limits_.requests_in_flight_max && window_end_ <= target_height) {
    const uint64_t count = std::min<uint64_t>(limits_.blocks_per_response_max, target_height - window_end_ + 1);
    const uint64_t id = next_request_id_++;
    in_flight_[id] = InFlight{peer, window_end_, count, headers_only, now};
    send_(peer,
          EncodeCatchupMessage(BlockRequest{id, window_end_, static_cast<uint32_t>(count), headers_only}));
    window_end_ += count;
  }
}

Status CatchupClient::CatchUp(const ChainPoint& tip, const ChainPoint& target,
                              const std::vector<uint64_t>& peers, const ChainFns& chain,
                              const ApplyBlockFn& apply, const std::function<bool()>& stopping,
                              const std::function<int64_t()>& now_ms) {
  if (peers.empty()) return Status::FailedPrecondition("catch-up: no peers to ask");
  if (tip.height >= target.height) return Status::Ok();
  size_t peer_index = 0;
  ASSIGN_OR_RETURN(std::vector<crypto::Digest> verified,
                   VerifyChain(tip, target, peers, peer_index, chain, stopping, now_ms));
  // Apply only the verified blocks: a peer that sends another is left for the next.
  auto apply_verified = [&](ByteView block, uint64_t height) -> Status {
    Result<crypto::Digest> hash = chain.block_hash(block);
    if (!hash.ok()) return Status::InvalidArgument("block " + N(height) + ": " + hash.status().message());
    const crypto::Digest& expected = verified[height - tip.height - 1];
    if (*hash != expected) {
      return Status::InvalidArgument("block " + N(height) + " hashes to " + hash->ToHex() +
                                     ", not to the verified header " + expected.ToHex());
    }
    return apply(block, height);
  };
  bool refused = false;
  return Fetch(FetchRange{false, tip.height, target.height, false}, peers, peer_index, apply_verified,
               stopping, now_ms, &refused);
}

Result<std::vector<crypto::Digest>> CatchupClient::VerifyChain(
    const ChainPoint& tip, const ChainPoint& target, const std::vector<uint64_t>& peers, size_t& peer_index,
    const ChainFns& chain, const std::function<bool()>& stopping, const std::function<int64_t()>& now_ms) {
  const uint64_t count = target.height - tip.height;
  if (count > limits_.chain_heights_max) {
    return Status::ResourceExhausted("catch-up: " + N(count) +
                                     " heights to verify exceed chain_heights_max " +
                                     N(limits_.chain_heights_max));
  }
  std::string last_break;
  // Each peer gets one attempt at the whole chain: a break may be the fault of any
  // header before it, so an attempt starts again from the tip.
  for (size_t attempt = 0; attempt < peers.size(); ++attempt) {
    std::vector<crypto::Digest> hashes;
    hashes.reserve(static_cast<size_t>(count));
    auto link = [&](ByteView header, uint64_t height) -> Status {
      const crypto::Digest& previous = hashes.empty() ? tip.hash : hashes.back();
      Result<HeaderLink> got = chain.parse_header(header);
      if (!got.ok()) return Status::InvalidArgument("height " + N(height) + ": " + got.status().message());
      if (got->height != height) {
        return Status::InvalidArgument("height " + N(height) + ": the header says height " + N(got->height));
      }
      if (got->previous_hash != previous) {
        return Status::InvalidArgument("height " + N(height) + ": previous hash " +
                                       got->previous_hash.ToHex() + " is not the hash of block " +
                                       N(height - 1) + " " + previous.ToHex());
      }
      if (height == target.height && got->hash != target.hash) {
        return Status::InvalidArgument("height " + N(height) + ": the header hashes to " + got->hash.ToHex() +
                                       ", not to the target " + target.hash.ToHex());
      }
      hashes.push_back(got->hash);
      return Status::Ok();
    };
    bool refused = false;
    Status fetched = Fetch(FetchRange{true, tip.height, target.height, true}, peers, peer_index, link,
                           stopping, now_ms, &refused);
    if (fetched.ok()) return hashes;
    if (!refused) return fetched;  // stopping, or a fatal error
    last_break = "peer " + N(peers[peer_index % peers.size()]) + " at " + fetched.message();
    ++peer_index;
  }
  return Status::FailedPrecondition("catch-up: no peer serves the header chain from block " + N(tip.height) +
                                    " to block " + N(target.height) + " " + target.hash.ToHex() +
                                    "; nothing applied; last refused: " + last_break);
}

Status CatchupClient::Fetch(const FetchRange& range, const std::vector<uint64_t>& peers, size_t& peer_index,
                            const ConsumeFn& consume, const std::function<bool()>& stopping,
                            const std::function<int64_t()>& now_ms, bool* refused) {
  uint64_t height = range.height;
  const uint64_t target_height = range.target_height;
  std::unique_lock<std::mutex> lock(mutex_);
  ResetWindow();
  auto next_peer = [&] {
    ResetWindow();
    ++peer_index;
  };
  while (height < target_height) {
    if (stopping()) {
      ResetWindow();
      return Status::Unavailable("catch-up: stopping at height " + N(height));
    }
    const uint64_t peer = peers[peer_index % peers.size()];
    SendWindow(peer, range.headers_only, height + 1, target_height, now_ms());
    cv_.wait_for(lock, kPollInterval, [&] { return responses_.contains(height + 1); });
    auto it = responses_.find(height + 1);
    if (it == responses_.end()) {
      const int64_t now = now_ms();
      for (const auto& [id, asked] : in_flight_) {
        if (now - asked.sent_ms > static_cast<int64_t>(limits_.request_timeout_ms)) {
          next_peer();
          break;
        }
      }
      continue;
    }
    BlockResponse response = std::move(it->second);
    responses_.erase(it);
    const uint64_t asked_count = std::min<uint64_t>(limits_.blocks_per_response_max, target_height - height);
    if (response.blocks.empty()) {
      next_peer();  // it does not have our next block
      continue;
    }
    // Consume without the lock: responses to later requests may arrive meanwhile.
    lock.unlock();
    Status consumed = Status::Ok();
    size_t done = 0;
    for (const Bytes& item : response.blocks) {
      consumed = consume(item, height + 1);
      if (!consumed.ok()) break;
      ++height;
      ++done;
    }
    lock.lock();
    if (!range.headers_only) blocks_fetched_ += done;
    if (!consumed.ok()) {
      if (IsFatal(consumed)) {
        ResetWindow();
        return consumed.WithContext("catch-up at height " + N(height + 1));
      }
      if (range.stop_at_refusal) {
        ResetWindow();
        *refused = true;
        return consumed;
      }
      next_peer();  // its block is unusable
      continue;
    }
    if (response.blocks.size() < asked_count) ResetWindow();  // short: the ranges after it are off
    for (auto stale = responses_.begin(); stale != responses_.end() && stale->first <= height;) {
      stale = responses_.erase(stale);
    }
  }
  ResetWindow();
  return Status::Ok();
}

}  // namespace shulian::node
