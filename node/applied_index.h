// The node's applied index: the Raft index of the last entry the node applied,
// kept in the database it shares with the ledger and the Raft log.
//
// Record (common/bytes.h rules): n/applied -> u64 big-endian index.
// Who writes it, and how durably:
//   - a block's apply puts it in the ledger's own batch (PutAppliedIndex), so the
//     ledger height and the applied index never disagree;
//   - a conf change puts it in ONE synced batch with the membership it produced
//     (SaveAppliedConfChange), so after a crash the stored membership is always
//     the one as of the stored applied index — a restarted node neither re-applies
//     a change its membership already holds nor forgets one its applied index
//     passed;
//   - empty entries and skipped blocks write it alone, unsynced (SaveAppliedIndex):
//     losing that write only replays entries that change nothing.
// Thread-safety: none beyond LevelDB's; the node's Raft loop is the only writer.
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "consensus/types.h"
#include "node/raft_storage.h"

namespace leveldb {
class DB;
class WriteBatch;
}  // namespace leveldb

namespace shulian::node {

// The node's own keys in the shared database (prefix "n/").
inline constexpr std::string_view kAppliedIndexKey = "n/applied";
// Written by `shulian-node restore` (node/backup.h): u64 big-endian Raft term of
// the restored hard state. While it is present the node starts with its votes
// fenced (consensus::Config::vote_fence_term); the node deletes it, synced, once
// the Raft core lifted the fence.
inline constexpr std::string_view kRestoredFenceKey = "n/restored";

// Adds the applied-index record to `batch`.
void PutAppliedIndex(consensus::Index index, leveldb::WriteBatch* batch);

// The stored applied index; 0 when none was ever written. A malformed record is
// Corruption, a read failure IoError.
Result<consensus::Index> ReadAppliedIndex(leveldb::DB* db);

// Writes the applied index alone, unsynced (see the file comment).
Status SaveAppliedIndex(leveldb::DB* db, consensus::Index index);

// The restored fence's term; nullopt when the node was not restored (or already
// caught up). Corruption for a malformed record.
Result<std::optional<consensus::Term>> ReadRestoredFence(leveldb::DB* db);
// Writes (synced) the fence `term`.
Status SaveRestoredFence(leveldb::DB* db, consensus::Term term);
// Deletes the fence, synced.
Status ClearRestoredFence(leveldb::DB* db);

// Writes the membership `conf_state` produced by the conf change at `index`, and
// `index` as the applied index, in one synced batch (through `storage`, which
// also updates what its InitialState reports).
Status SaveAppliedConfChange(LevelDbRaftStorage* storage, const consensus::ConfState& conf_state,
                             consensus::Index index);

}  // namespace shulian::node
