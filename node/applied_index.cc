#include "node/applied_index.h"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <string>

#include "common/bytes.h"

namespace shulian::node {
namespace {

std::string EncodeIndex(consensus::Index index) {
  ByteWriter w;
  w.PutU64(index);
  return std::string(AsStringView(w.bytes()));
}

}  // namespace

void PutAppliedIndex(consensus::Index index, leveldb::WriteBatch* batch) {
  batch->Put(std::string(kAppliedIndexKey), EncodeIndex(index));
}

Result<consensus::Index> ReadAppliedIndex(leveldb::DB* db) {
  std::string value;
  leveldb::Status got = db->Get(leveldb::ReadOptions(), std::string(kAppliedIndexKey), &value);
  if (got.IsNotFound()) return consensus::Index{0};
  if (!got.ok()) return Status::IoError("reading the applied index: " + got.ToString());
  ByteReader r(AsBytes(value));
  Result<uint64_t> index = r.GetU64();
  if (!index.ok() || !r.Finish().ok()) {
    return Status::Corruption("applied index record: " + std::to_string(value.size()) + " bytes, expected 8");
  }
  return *index;
}

Result<std::optional<consensus::Term>> ReadRestoredFence(leveldb::DB* db) {
  std::string value;
  leveldb::Status got = db->Get(leveldb::ReadOptions(), std::string(kRestoredFenceKey), &value);
  if (got.IsNotFound()) return std::optional<consensus::Term>();
  if (!got.ok()) return Status::IoError("reading the restored fence: " + got.ToString());
  ByteReader r(AsBytes(value));
  Result<uint64_t> term = r.GetU64();
  if (!term.ok() || !r.Finish().ok()) {
    return Status::Corruption("restored fence record: " + std::to_string(value.size()) +
                              " bytes, expected 8");
  }
  return std::optional<consensus::Term>(*term);
}

Status SaveRestoredFence(leveldb::DB* db, consensus::Term term) {
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status put = db->Put(sync, std::string(kRestoredFenceKey), EncodeIndex(term));
  if (!put.ok()) return Status::IoError("writing the restored fence: " + put.ToString());
  return Status::Ok();
}

Status ClearRestoredFence(leveldb::DB* db) {
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status deleted = db->Delete(sync, std::string(kRestoredFenceKey));
  if (!deleted.ok()) return Status::IoError("clearing the restored fence: " + deleted.ToString());
  return Status::Ok();
}

Status SaveAppliedIndex(leveldb::DB* db, consensus::Index index) {
  leveldb::Status put = db->Put(leveldb::WriteOptions(), std::string(kAppliedIndexKey), EncodeIndex(index));
  if (!put.ok()) return Status::IoError("writing the applied index: " + put.ToString());
  return Status::Ok();
}

Status SaveAppliedConfChange(LevelDbRaftStorage* storage, const consensus::ConfState& conf_state,
                             consensus::Index index) {
  leveldb::WriteBatch batch;
  PutAppliedIndex(index, &batch);
  // Synced: the membership decides who votes, so it must not be lost once the
  // node acted on it (and the applied index must not run ahead of it).
  return storage->SaveConfState(conf_state, &batch, /*sync=*/true)
      .WithContext("applying the conf change at index " + std::to_string(index));
}

}  // namespace shulian::node
