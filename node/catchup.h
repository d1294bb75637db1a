// Block catch-up and Raft log compaction for the node.
//
// The ledger holds every block, so a Raft snapshot does not carry the state: its
// data is only (ledger height, head block hash) at the snapshot's index
// (LedgerSnapshotData). Each node compacts its own Raft log once enough applied
// entries accumulate (CompactionLimits, CompactionTarget), keeping the newest
// `retain_entries` for followers that lag a little. A follower that needs entries
// the leader compacted receives such a snapshot; before it reports the snapshot
// installed it fetches the blocks it lacks from its peers with this protocol and
// applies them through the ledger (which checks every signature and link).
//
// Wire form (common/bytes.h rules, big-endian), one peer-transport payload each:
//   payload       = u8 channel 0x03 ‖ u8 kind ‖ body
//   BlockRequest  = kind 0x01 ‖ u64 request_id ‖ u64 from_height ‖ u32 blocks_max
//   BlockResponse = kind 0x02 ‖ u64 request_id ‖ u64 from_height ‖ u32 n ‖ n × bytes block
// A response holds consecutive blocks from `from_height` (Block::Encode()); fewer
// than asked means the server hit its byte bound or its head; none means it does
// not have `from_height`. Decoding refuses an unknown kind, a zero height or
// request id, zero blocks asked, more blocks or bytes than CatchupLimits allow,
// and short or trailing bytes — before allocating.
//
// Bounds: blocks and bytes per response (the server clamps every request), the
// client's requests in flight, a timeout per request, and the server's queue of
// requests waiting for its thread (a full queue drops the request: the client
// times out and asks another peer).
//
// Restartability: the client applies each block in its own atomic ledger batch and
// the node records the Raft snapshot only after the ledger reached the snapshot's
// height. A crash in the middle leaves a longer ledger and the old Raft log; on
// restart the leader sends the snapshot again and catch-up resumes from the
// ledger's height (docs/raft.md).
//
// Thread-safety: the codecs, LedgerSnapshotData, CompactionLimits and
// CompactionTarget are values and pure functions. SnapshotPoints is not
// thread-safe (the loop thread owns it). CatchupServer runs its own thread;
// Enqueue and Stop may be called from any thread. CatchupClient: OnResponse may be
// called from any thread, CatchUp from one thread at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "consensus/types.h"
#include "crypto/sha256.h"

namespace shulian::node {

inline constexpr uint8_t kCatchupChannel = 0x03;
inline constexpr uint8_t kBlockRequestKind = 0x01;
inline constexpr uint8_t kBlockResponseKind = 0x02;

// ------------------------------- snapshot data -------------------------------

// What a Raft snapshot of the node says: the ledger as of the snapshot's index.
struct LedgerSnapshotData {
  uint64_t height = 0;
  crypto::Digest head_hash;
  friend bool operator==(const LedgerSnapshotData&, const LedgerSnapshotData&) = default;
};
// u64 height ‖ 32 bytes head hash.
Bytes EncodeLedgerSnapshotData(const LedgerSnapshotData& data);
// InvalidArgument ("snapshot.data: ...") unless exactly 40 bytes.
Result<LedgerSnapshotData> DecodeLedgerSnapshotData(ByteView bytes);

// ------------------------------- compaction -------------------------------

struct CompactionLimits {
  // Applied entries kept in the log behind the applied index, so a follower
  // that lags by fewer entries catches up from the log, not a snapshot.
  uint64_t retain_entries = 1'000;
  // Compact only once this many entries beyond `retain_entries` accumulated, so
  // compaction runs in batches rather than after every entry.
  uint64_t compact_entries_min = 1'000;

  // InvalidArgument naming the field: retain_entries >= 1, compact_entries_min >= 1,
  // each at most 100,000,000.
  Status Validate() const;
};

// The index to compact the log up to, or nullopt while the applied entries in the
// log, [first_index, applied_index], number fewer than retain + compact_min.
std::optional<consensus::Index> CompactionTarget(consensus::Index applied_index, consensus::Index first_index,
                                                 const CompactionLimits& limits);

// The ledger and membership after each applied Raft entry: where a snapshot may
// be taken. Bounded: the oldest points are dropped beyond `points_max`.
struct SnapshotPoint {
  consensus::Index index = 0;
  LedgerSnapshotData ledger;
  consensus::ConfState conf_state;
};

class SnapshotPoints {
 public:
  explicit SnapshotPoints(size_t points_max) : points_max_(points_max) {}
  // Points must be recorded in increasing index order; an older or equal index
  // is ignored (a replayed entry).
  void Record(SnapshotPoint point);
  // The newest point with index <= `index`, if one is still held.
  std::optional<SnapshotPoint> NewestAtOrBelow(consensus::Index index) const;
  // Forgets every point (after a snapshot replaced the log).
  void Clear() { points_.clear(); }
  size_t size() const { return points_.size(); }

 private:
  size_t points_max_;
  std::deque<SnapshotPoint> points_;  // increasing index
};

// ------------------------------- catch-up protocol -------------------------------

struct CatchupLimits {
  uint64_t blocks_per_response_max = 64;
  uint64_t response_bytes_max = 8u << 20;  // a response may exceed it by one block
  uint64_t block_bytes_max = 8u << 20;     // one encoded block (the genesis bound)
  uint64_t requests_in_flight_max = 4;     // client: requests sent and not answered
  uint64_t request_timeout_ms = 3'000;     // client: then it asks another peer
  uint64_t server_queue_max = 64;          // server: requests waiting for its thread

  // InvalidArgument naming the field for a zero or absurd value.
  Status Validate() const;
  // The largest payload a valid response can have.
  uint64_t ResponsePayloadBytesMax() const;
};

struct BlockRequest {
  uint64_t request_id = 0;
  uint64_t from_height = 0;
  uint32_t blocks_max = 0;
  friend bool operator==(const BlockRequest&, const BlockRequest&) = default;
};

struct BlockResponse {
  uint64_t request_id = 0;
  uint64_t from_height = 0;
  std::vector<Bytes> blocks;  // Block::Encode() of from_height, from_height + 1, ...
  friend bool operator==(const BlockResponse&, const BlockResponse&) = default;
};

using CatchupMessage = std::variant<BlockRequest, BlockResponse>;

// True if a peer payload belongs to this protocol: channel 0x03 followed by a
// request or response kind. (A bare Raft message starts with its type and then
// the sender's u64 id, whose first byte is 0 for every id below 2^56, so this
// holds only for catch-up payloads whether or not Raft messages carry their own
// channel byte.)
bool IsCatchupPayload(ByteView payload);

// The whole payload, channel byte included.
Bytes EncodeCatchupMessage(const CatchupMessage& message);
// `payload` starts with the channel byte. InvalidArgument naming the field.
Result<CatchupMessage> DecodeCatchupMessage(ByteView payload, const CatchupLimits& limits);

// Reads up to `blocks_max` encoded blocks from `from_height` on, stopping once
// their total exceeds `bytes_max` (always at least one if the height exists).
using ReadBlocksFn =
    std::function<Result<std::vector<Bytes>>(uint64_t from_height, uint64_t blocks_max, uint64_t bytes_max)>;
// Queues `payload` for peer `to` (the transport's Send); errors are ignored.
using SendFn = std::function<void(uint64_t to, Bytes payload)>;

// Answers peers' BlockRequests on its own thread, so reading blocks never holds up
// the transport's I/O thread or the Raft loop.
class CatchupServer {
 public:
  CatchupServer(CatchupLimits limits, ReadBlocksFn read_blocks, SendFn send);
  ~CatchupServer();  // Stop()
  CatchupServer(const CatchupServer&) = delete;
  CatchupServer& operator=(const CatchupServer&) = delete;

  // Queues a request from `from`; false (dropped) when the queue is full or stopped.
  bool Enqueue(uint64_t from, const BlockRequest& request);
  // Idempotent; joins the thread. Requests still queued are dropped.
  void Stop();

  uint64_t served() const;
  uint64_t dropped() const;

 private:
  void Run();
  void Serve(uint64_t to, const BlockRequest& request);

  const CatchupLimits limits_;
  const ReadBlocksFn read_blocks_;
  const SendFn send_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<uint64_t, BlockRequest>> queue_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                                // GUARDED_BY(mutex_)
  uint64_t served_ = 0;                                  // GUARDED_BY(mutex_)
  uint64_t dropped_ = 0;                                 // GUARDED_BY(mutex_)
  std::thread thread_;
};

// Applies the encoded block that should be at `height`. An error with code
// kIoError, kCorruption or kInternal is fatal to the catch-up; any other error
// means the peer's block is unusable (the client asks another peer).
using ApplyBlockFn = std::function<Status(ByteView block, uint64_t height)>;

// Fetches and applies missing blocks for a caller that waits (the Raft loop while
// installing a snapshot).
class CatchupClient {
 public:
  CatchupClient(CatchupLimits limits, SendFn send);

  // Hands a response to the waiting CatchUp; responses to requests not in flight
  // are dropped. Any thread.
  void OnResponse(uint64_t from, BlockResponse response);

  // Brings the ledger from `height` to `target_height`, asking `peers` in turn
  // (a peer that times out, has nothing or sends an unusable block is left for the
  // next). Retries until done, a fatal apply error (returned), or `stopping()`
  // becomes true (returns Unavailable). `now_ms` is a monotonic clock in ms.
  Status CatchUp(uint64_t height, uint64_t target_height, const std::vector<uint64_t>& peers,
                 const ApplyBlockFn& apply, const std::function<bool()>& stopping,
                 const std::function<int64_t()>& now_ms);

  uint64_t blocks_fetched() const;

 private:
  struct InFlight {
    uint64_t peer = 0;
    uint64_t from_height = 0;
    uint64_t blocks_max = 0;
    int64_t sent_ms = 0;
  };

  void SendWindow(uint64_t peer, uint64_t next_height, uint64_t target_height, int64_t now);
  void ResetWindow();

  const CatchupLimits limits_;
  const SendFn send_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t next_request_id_ = 1;                  // GUARDED_BY(mutex_)
  std::map<uint64_t, InFlight> in_flight_;        // GUARDED_BY(mutex_): by request id
  std::map<uint64_t, BlockResponse> responses_;   // GUARDED_BY(mutex_): by from_height
  uint64_t window_end_ = 0;                       // GUARDED_BY(mutex_): next height to ask for
  uint64_t blocks_fetched_ = 0;                   // GUARDED_BY(mutex_)
};

}  // namespace shulian::node
