// Checkpointer: a validator's side of checkpoint cosigning (docs/node.md,
// "Checkpoint cosigning"). After the node applies block h it tells the
// checkpointer, which — when h is a multiple of sign_every_heights, or h is the
// head and no later block came for head_quiet_ms — signs the ledger's checkpoint
// of h (Ledger::CheckpointAt),
// stores the signature in the node's checkpoint store (ledger/checkpoint_store.h)
// and sends a Vote (node/checkpoint_messages.h) to every peer. Peers' votes are
// verified and stored by the same store; once a quorum of the checkpoint's
// validator set has signed, the store assembles the cosigned checkpoint.
//
//   - A vote for a height this node has not applied yet waits in a bounded buffer
//     (votes_buffered_max in all, at most heights_ahead_max above the head) and is
//     used once the block is applied; anything beyond is dropped and counted.
//   - A vote must come from the node that signed it (the transport authenticates
//     the sender) and name the block this node applied at that height; a vote for
//     another block is dropped and logged (it would be evidence of a fork).
//   - When the latest applied height still has no cosigned checkpoint
//     request_delay_ms after it was applied, the checkpointer asks every peer for
//     its vote (Request), and again every request_interval_ms; a peer answers a
//     Request for any height it has applied with its own Vote (signing it first
//     if it never did, e.g. after a crash lost the unsynced signature).
//   - A node that is not in a checkpoint's validator set does not sign it.
//   - Why not every height: under load each signature, each peer's vote and its
//     verification cost as much CPU as several transactions (a profile at 64
//     clients put 10% of the leader's CPU here with a checkpoint per block). A
//     cosigned checkpoint at h covers every earlier height (consistency proofs),
//     so evidence for height h waits at most for the next multiple or a quiet
//     head. The rule depends only on heights and on the network going quiet, so
//     the validators sign the same heights; an odd one out is settled by Request.
//
// Threads: the checkpointer owns one thread that does all signing, verifying and
// storing. BlockApplied (the node's loop) and Deliver (the transport thread) only
// queue work and never block on it; a full message queue drops (peers re-send on
// request). The store is only touched under the ledger's reader lock (so never
// during an apply) and the checkpointer's own mutex; lock order is ledger lock,
// then the checkpointer's. Cosigned and LatestCosigned may be called from any
// thread; the caller must hold the ledger's reader lock.
//
// Counters (stats) start at zero with the process and are exported on /metrics
// (node/service.cc); the latest cosigned height is read from the store at start.
//
// Ownership: borrows the Ledger and its lock, which must outlive the checkpointer;
// owns the CheckpointStore over the ledger's database. Create makes it idle (it
// queues what it is told); Start runs the thread; Stop (also the destructor)
// joins it, and after that `send` is never called again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "ledger/checkpoint.h"
#include "ledger/checkpoint_store.h"
#include "ledger/ledger.h"
#include "node/checkpoint_messages.h"

namespace shulian::node {

struct CheckpointerOptions {
  uint64_t self_id = 0;                   // this validator's node id
  std::vector<uint64_t> peers;            // every other validator, to send votes to
  size_t inbox_messages_max = 10'000;     // peer messages waiting for the thread
  size_t votes_buffered_max = 4'096;      // votes for heights not yet applied, in all
  uint64_t heights_ahead_max = 256;       // a vote further above the head is dropped
  uint64_t request_delay_ms = 1'000;      // latest height uncosigned this long: ask peers
  uint64_t request_interval_ms = 2'000;   // between two requests for one height
  uint64_t signing_backlog_max = 100'000;  // unsigned heights beyond this: sign the newest only
  uint64_t sign_every_heights = 16;       // multiples of this are signed (1: every height)
  uint64_t head_quiet_ms = 50;            // and the head, once no later block came for this long

  // InvalidArgument naming the field.
  Status Validate() const;
};

struct CheckpointerStats {
  uint64_t signed_heights = 0;      // own signatures made
  uint64_t votes_sent = 0;
  uint64_t votes_stored = 0;        // peers' signatures verified and stored
  uint64_t votes_buffered = 0;      // waiting for their height now
  uint64_t votes_dropped = 0;       // full buffer, too far ahead, wrong sender or block
  uint64_t votes_refused = 0;       // the store refused them (bad signature, not a member)
  uint64_t messages_dropped = 0;    // full inbox or undecodable
  uint64_t requests_sent = 0;
  uint64_t requests_answered = 0;
  uint64_t cosigned_heights = 0;    // cosigned checkpoints assembled by this node
  uint64_t latest_cosigned_height = 0;  // from the store at start, then as assembled
};

class Checkpointer {
 public:
  // Sends one checkpoint message body (without the channel byte) to a peer.
  using SendFn = std::function<void(uint64_t to, Bytes body)>;

  // Validates the options. Nothing is signed or sent before Start.
  static Result<std::unique_ptr<Checkpointer>> Create(ledger::Ledger& ledger, std::shared_mutex& ledger_mutex,
                                                     std::shared_ptr<const crypto::KeyPair> node_key,
                                                     CheckpointerOptions options, SendFn send,
                                                     ledger::CheckpointStoreOptions store_options = {});
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Starts the thread (once `send` can deliver); it signs the ledger's head at
  // once if this node has not (a restart) and catches up from there. Idempotent.
  void Start();
  // Idempotent; joins the thread.
  void Stop();

  // The node applied block `height`. Never blocks on signing.
  void BlockApplied(uint64_t height);
  // A checkpoint message body from peer `from` (transport thread). Never blocks on work.
  void Deliver(uint64_t from, ByteView body);

  // REQUIRES: the caller holds the ledger's reader lock.
  Result<ledger::CosignedCheckpoint> Cosigned(uint64_t height) const;
  // The cosigned checkpoint of `height` in `snapshot` (of this node's ledger);
  // nullopt if none. Takes no lock: the snapshot is a fixed view.
  Result<std::optional<ledger::CosignedCheckpoint>> CosignedIn(const ledger::StoreSnapshot& snapshot,
                                                               uint64_t height) const;
  // REQUIRES: the caller holds the ledger's reader lock.
  Result<std::optional<ledger::CosignedCheckpoint>> LatestCosigned() const;

  CheckpointerStats stats() const;

 private:
  struct Incoming {
    uint64_t from = 0;
    Bytes body;
  };
  using Clock = std::chrono::steady_clock;

  Checkpointer(ledger::Ledger& ledger, std::shared_mutex& ledger_mutex, std::shared_ptr<const crypto::KeyPair> key,
               CheckpointerOptions options, SendFn send, ledger::CheckpointStoreOptions store_options);

  void Run();
  void SignNewHeights(Clock::time_point now);
  void SignHeight(uint64_t height);
  // Peers' early votes for `height`, stored now that it is applied here.
  // REQUIRES: ledger lock held (shared).
  bool StoreBuffered(uint64_t height);
  // When the thread must wake without news: the head's quiet time or a request.
  Clock::time_point NextWake(Clock::time_point now) const;
  void HandleMessage(const Incoming& message);
  void HandleVote(uint64_t from, const CheckpointVote& vote);
  void HandleRequest(uint64_t from, const CheckpointRequest& request);
  void MaybeRequest(Clock::time_point now);
  // REQUIRES: ledger lock held (shared).
  Result<std::optional<CheckpointVote>> OwnVote(uint64_t height, bool sign_if_missing);
  // REQUIRES: ledger lock held (shared).
  void StoreVote(const CheckpointVote& vote);
  // REQUIRES: ledger lock held (shared).
  void TryCosign(uint64_t height);
  void Broadcast(const CheckpointMessage& message);
  void Buffer(const CheckpointVote& vote);
  std::vector<CheckpointVote> TakeBuffered(uint64_t height);

  ledger::Ledger& ledger_;
  std::shared_mutex& ledger_mutex_;
  const std::shared_ptr<const crypto::KeyPair> node_key_;
  const CheckpointerOptions options_;
  const SendFn send_;

  // Work queue, filled by BlockApplied and Deliver.
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Incoming> inbox_;  // GUARDED_BY(queue_mutex_)
  uint64_t applied_height_ = 0;  // GUARDED_BY(queue_mutex_): highest height the node applied
  bool stopping_ = false;        // GUARDED_BY(queue_mutex_)
  bool started_ = false;         // GUARDED_BY(queue_mutex_)

  // The store. REQUIRES for every call: ledger lock held, then store_mutex_.
  mutable std::mutex store_mutex_;
  ledger::CheckpointStore store_;

  mutable std::mutex stats_mutex_;
  CheckpointerStats stats_;  // GUARDED_BY(stats_mutex_)

  // Thread-only state.
  uint64_t signed_through_ = 0;  // every height up to here was decided: signed or passed over
  uint64_t latest_signed_ = 0;   // the newest height this node signed on its own
  uint64_t known_height_ = 0;    // the applied height as the thread last saw it
  Clock::time_point known_since_;
  std::optional<Clock::time_point> last_request_;
  uint64_t last_request_height_ = 0;
  std::map<uint64_t, std::vector<CheckpointVote>> buffered_;  // by height
  size_t buffered_count_ = 0;

  std::thread thread_;
};

}  // namespace shulian::node
