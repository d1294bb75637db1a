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
// Headers first. Before it applies any block, CatchUp fetches the headers from
// its tip to the target and checks that they form the hash chain the target
// names: consecutive heights, each header's previous hash the hash of the one
// before (the first: the local tip's), the last hashing to the target hash. A
// chain that breaks is refused naming the height, and nothing is applied; every
// configured peer gets one attempt, then CatchUp gives up (FailedPrecondition).
// Only then does it fetch the blocks, and it applies a block only if its header
// hashes to the verified hash at its height and its body matches its header
// (ChainFns::block_hash; the ledger then checks the rest, e.g. tx_log_root).
// Memory: one 32-byte hash per missing height, at most chain_heights_max.
//
// Wire form (common/bytes.h rules, big-endian), one peer-transport payload each:
//   payload        = u8 channel 0x03 ‖ u8 kind ‖ body
//   BlockRequest   = kind 0x01 ‖ u64 request_id ‖ u64 from_height ‖ u32 blocks_max
//   BlockResponse  = kind 0x02 ‖ u64 request_id ‖ u64 from_height ‖ u32 n ‖ n × bytes block
//   HeaderRequest  = kind 0x03 ‖ the BlockRequest body
//   HeaderResponse = kind 0x04 ‖ the BlockResponse body, each item a block's header
//                    fields (BlockHeader::EncodeFields())
// (The header kinds are BlockRequest/BlockResponse with headers_only set.)
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
inline constexpr uint8_t kHeaderRequestKind = 0x03;
inline constexpr uint8_t kHeaderResponseKind = 0x04;

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
  uint64_t chain_heights_max = 1u << 22;   // client: heights one catch-up may verify (32 bytes each)

  // InvalidArgument naming the field for a zero or absurd value.
  Status Validate() const;
  // The largest payload a valid response can have.
  uint64_t ResponsePayloadBytesMax() const;
};

struct BlockRequest {
  uint64_t request_id = 0;
  uint64_t from_height = 0;
  uint32_t blocks_max = 0;
  bool headers_only = false;  // a HeaderRequest
  friend bool operator==(const BlockRequest&, const BlockRequest&) = default;
};

struct BlockResponse {
  uint64_t request_id = 0;
  uint64_t from_height = 0;
  std::vector<Bytes> blocks;  // Block::Encode() of from_height, from_height + 1, ...
  bool headers_only = false;  // a HeaderResponse: blocks holds headers
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

// Reads up to `blocks_max` encoded blocks (or, if `headers_only`, their headers)
// from `from_height` on, stopping once their total exceeds `bytes_max` (always at
// least one if the height exists).
using ReadBlocksFn = std::function<Result<std::vector<Bytes>>(uint64_t from_height, uint64_t blocks_max,
                                                              uint64_t bytes_max, bool headers_only)>;
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

// A block in a chain: its height and hash (the local tip, or the target).
struct ChainPoint {
  uint64_t height = 0;
  crypto::Digest hash;
};

// What a header served by a peer says.
struct HeaderLink {
  uint64_t height = 0;
  crypto::Digest hash;           // of this header
  crypto::Digest previous_hash;  // of the header before it
};

// The block format, for CatchUp's chain checks. Errors mean the peer's data is
// unusable.
struct ChainFns {
  // Decodes one HeaderResponse item.
  std::function<Result<HeaderLink>(ByteView header)> parse_header;
  // The hash of an encoded block's header, once its body is checked to match
  // what the header commits to.
  std::function<Result<crypto::Digest>(ByteView block)> block_hash;
};

// Fetches and applies missing blocks for a caller that waits (the Raft loop while
// installing a snapshot).
class CatchupClient {
 public:
  CatchupClient(CatchupLimits limits, SendFn send);

  // Hands a response to the waiting CatchUp; responses to requests not in flight
  // are dropped. Any thread.
  void OnResponse(uint64_t from, BlockResponse response);

  // Brings the ledger from `tip` to `target`, asking `peers` in turn (a peer that
  // times out, has nothing or sends an unusable block is left for the next).
  // First verifies the header chain from `tip` to `target` (see the file comment):
  // if no peer serves one, returns FailedPrecondition naming the height where the
  // last attempt broke, having applied nothing; more than chain_heights_max
  // heights is ResourceExhausted. Then fetches and applies the blocks, each only if
  // it is the verified one. Retries until done, a fatal apply error (returned), or
  // `stopping()` becomes true (returns Unavailable). `now_ms` is a monotonic clock
  // in ms.
  Status CatchUp(const ChainPoint& tip, const ChainPoint& target, const std::vector<uint64_t>& peers,
                 const ChainFns& chain, const ApplyBlockFn& apply, const std::function<bool()>& stopping,
                 const std::function<int64_t()>& now_ms);

  uint64_t blocks_fetched() const;

 private:
  struct InFlight {
    uint64_t peer = 0;
    uint64_t from_height = 0;
    uint64_t blocks_max = 0;
    bool headers_only = false;
    int64_t sent_ms = 0;
  };
  // What a fetch hands each received item (header or block) to, in height order.
  // An error with IsFatal's codes ends the fetch; any other refuses the peer's item.
  using ConsumeFn = std::function<Status(ByteView item, uint64_t height)>;
  struct FetchRange {
    bool headers_only = false;
    uint64_t height = 0;  // fetch from height + 1
    uint64_t target_height = 0;
    // On a refused item: return the refusal (true) or move on to the next peer.
    bool stop_at_refusal = false;
  };

  Result<std::vector<crypto::Digest>> VerifyChain(const ChainPoint& tip, const ChainPoint& target,
                                                  const std::vector<uint64_t>& peers, size_t& peer_index,
                                                  const ChainFns& chain,
                                                  const std::function<bool()>& stopping,
                                                  const std::function<int64_t()>& now_ms);
  // Fetches range.height + 1 .. range.target_height from `peers` (from
  // peers[peer_index] on). Sets *refused when it returns a consume refusal.
  Status Fetch(const FetchRange& range, const std::vector<uint64_t>& peers, size_t& peer_index,
               const ConsumeFn& consume, const std::function<bool()>& stopping,
               const std::function<int64_t()>& now_ms, bool* refused);
  void SendWindow(uint64_t peer, bool headers_only, uint64_t next_height, uint64_t target_height,
                  int64_t now);
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
