#include "ledger/state_store.h"

#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <cassert>
#include <memory>

#include "common/bytes.h"

namespace shulian::ledger {

StateStore::StateStore(leveldb::DB* db, std::string prefix) : db_(db), prefix_(std::move(prefix)) {}

Result<std::string> StateStore::Get(std::string_view key) const {
  auto it = pending_.find(key);
  if (it != pending_.end()) {
    if (!it->second) return Status::NotFound(std::string(key));
    return *it->second;
  }
  std::string value;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), prefix_ + std::string(key), &value);
  if (s.IsNotFound()) return Status::NotFound(std::string(key));
  if (!s.ok()) return Status::IoError("state read: " + s.ToString());
  return value;
}

void StateStore::Record(std::string_view key) {
  if (savepoints_.empty()) return;
  auto it = pending_.find(key);
  UndoRecord undo{std::string(key), std::nullopt};
  if (it != pending_.end()) undo.previous = it->second;
  savepoints_.back().push_back(std::move(undo));
}

void StateStore::Put(std::string_view key, std::string_view value) {
  Record(key);
  pending_.insert_or_assign(std::string(key), std::string(value));
}

void StateStore::Delete(std::string_view key) {
  Record(key);
  pending_.insert_or_assign(std::string(key), std::nullopt);
}

void StateStore::BeginSavepoint() { savepoints_.emplace_back(); }

void StateStore::CommitSavepoint() {
  assert(!savepoints_.empty());
  std::vector<UndoRecord> undo = std::move(savepoints_.back());
  savepoints_.pop_back();
  // The enclosing savepoint must still be able to undo these writes.
  if (!savepoints_.empty()) {
    for (auto& record : undo) savepoints_.back().push_back(std::move(record));
  }
}

void StateStore::RollbackSavepoint() {
  assert(!savepoints_.empty());
  std::vector<UndoRecord>& undo = savepoints_.back();
  for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
    if (it->previous) {
      pending_.insert_or_assign(it->key, *it->previous);
    } else {
      pending_.erase(it->key);
    }
  }
  savepoints_.pop_back();
}

Status StateStore::Scan(std::string_view key_prefix, std::string_view start_after, size_t limit,
                        const std::function<bool(std::string_view, std::string_view)>& visit) const {
  // A cursor that sorts before the prefix means "from the first key of the prefix".
  if (start_after < key_prefix) start_after = {};
  std::string full_prefix = prefix_ + std::string(key_prefix);
  std::unique_ptr<leveldb::Iterator> db_it(db_->NewIterator(leveldb::ReadOptions()));
  std::string seek_key = start_after.empty() ? full_prefix : prefix_ + std::string(start_after);
  db_it->Seek(seek_key);
  if (!start_after.empty() && db_it->Valid() && db_it->key().ToString() == seek_key) db_it->Next();

  auto pending_it = start_after.empty() ? pending_.lower_bound(key_prefix) : pending_.upper_bound(start_after);
  auto db_in_range = [&] { return db_it->Valid() && db_it->key().starts_with(full_prefix); };
  auto pending_in_range = [&] {
    return pending_it != pending_.end() && std::string_view(pending_it->first).starts_with(key_prefix);
  };

  size_t visited = 0;
  while (visited < limit && (db_in_range() || pending_in_range())) {
    std::string db_key = db_in_range() ? db_it->key().ToString().substr(prefix_.size()) : std::string();
    bool take_pending = pending_in_range() && (!db_in_range() || pending_it->first <= db_key);
    if (take_pending) {
      bool shadows_db = db_in_range() && pending_it->first == db_key;
      const auto& [key, value] = *pending_it;
      ++pending_it;
      if (shadows_db) db_it->Next();
      if (!value) continue;  // deleted in this block
      ++visited;
      if (!visit(key, *value)) break;
    } else {
      ++visited;
      std::string value = db_it->value().ToString();
      db_it->Next();
      if (!visit(db_key, value)) break;
    }
  }
  if (!db_it->status().ok()) return Status::IoError("state scan: " + db_it->status().ToString());
  return Status::Ok();
}

void StateStore::MoveToBatch(leveldb::WriteBatch* batch) {
  assert(savepoints_.empty());
  for (const auto& [key, value] : pending_) {
    if (value) {
      batch->Put(prefix_ + key, *value);
    } else {
      batch->Delete(prefix_ + key);
    }
  }
  pending_.clear();
}

void StateStore::DiscardPending() {
  pending_.clear();
  savepoints_.clear();
}

Result<crypto::Digest> StateStore::Digest() const {
  crypto::Sha256Hasher hasher;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix_); it->Valid() && it->key().starts_with(prefix_); it->Next()) {
    ByteWriter w;
    // Relative keys: the digest is about the state, not where a node keeps it.
    w.PutBytes(AsBytes(std::string_view(it->key().data(), it->key().size()).substr(prefix_.size())));
    w.PutBytes(AsBytes(std::string_view(it->value().data(), it->value().size())));
    hasher.Update(w.bytes());
  }
  if (!it->status().ok()) return Status::IoError("state digest: " + it->status().ToString());
  return hasher.Finish();
}

}  // namespace shulian::ledger
