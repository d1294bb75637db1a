// StateStore: the state machine's view of its keys in the node's LevelDB, with
// the writes of the block being applied held in memory until the block lands.
//
// Apply runs transaction by transaction. Each transaction's writes go into a
// savepoint; an accepted transaction's savepoint is kept, a rejected one's is rolled
// back, so a rejected transaction changes nothing but its own outcome record. When
// the block is done, MoveToBatch() hands every pending write to the block store,
// which writes it with the block in one synced batch.
//
// Reads see pending writes first, then the database. Scans merge both in key
// order, so an index scan inside apply sees the block's own earlier writes.
// Everything is ordered (std::map): apply never iterates unordered containers.
//
// Keys handed in are relative; the store prepends its prefix ("s/" in the node's
// database, see docs/storage.md).
//
// Thread-safety: one thread applies; the database may be read concurrently by
// others through its own snapshots.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/sha256.h"

namespace leveldb {
class DB;
class WriteBatch;
}  // namespace leveldb

namespace shulian::ledger {

class StateStore {
 public:
  // `db` is not owned and must outlive the store.
  StateStore(leveldb::DB* db, std::string prefix);

  // NotFound if the key has no value (pending deletes count as absent).
  Result<std::string> Get(std::string_view key) const;
  bool Contains(std::string_view key) const { return Get(key).ok(); }
  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);

  // Calls `visit(key, value)` for keys starting with `key_prefix` from `start_after`
  // (exclusive; empty = from the first) in key order, until `visit` returns false
  // or `limit` keys were visited. Keys passed to `visit` are relative.
  Status Scan(std::string_view key_prefix, std::string_view start_after, size_t limit,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // Savepoints nest. Rollback undoes every write since the matching Begin.
  void BeginSavepoint();
  void CommitSavepoint();
  void RollbackSavepoint();

  // Moves every pending write into `batch` (with the prefix) and clears them.
  // REQUIRES: no open savepoint.
  void MoveToBatch(leveldb::WriteBatch* batch);
  // Forgets every pending write (the block was not written).
  void DiscardPending();
  size_t pending_writes() const { return pending_.size(); }

  // SHA-256 over every (key, value) of the committed state in key order, each as
  // u32 length ‖ bytes: two replicas that applied the same blocks agree on it.
  Result<crypto::Digest> Digest() const;

 private:
  // nullopt = deleted in this block.
  using Pending = std::map<std::string, std::optional<std::string>, std::less<>>;
  struct UndoRecord {
    std::string key;
    std::optional<std::optional<std::string>> previous;  // nullopt: key was not pending
  };

  void Record(std::string_view key);

  leveldb::DB* db_;
  std::string prefix_;
  Pending pending_;
  std::vector<std::vector<UndoRecord>> savepoints_;
};

}  // namespace shulian::ledger
