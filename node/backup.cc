#include "node/backup.h"

#include <fcntl.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <system_error>

#include "common/bytes.h"
#include "consensus/types.h"
#include "ledger/store.h"
#include "node/applied_index.h"
#include "node/raft_storage.h"

namespace shulian::node {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kCopyBatchBytes = 1u << 20;  // one WriteBatch of the copy
constexpr size_t kReadChunkBytes = 1u << 16;

std::string UtcNow(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), format, &utc);
  return text.data();
}

std::string ErrnoText() {
  return std::error_code(errno, std::generic_category()).message();
}

// fsync of a file or a folder (a folder's fsync makes its entries durable).
Status SyncPath(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path.string() + ": " + ErrnoText());
  int synced = ::fsync(fd);
  std::string why = synced == 0 ? "" : ErrnoText();
  ::close(fd);
  if (synced != 0) return Status::IoError("fsync " + path.string() + ": " + why);
  return Status::Ok();
}

struct FileDigest {
  uint64_t bytes = 0;
  crypto::Digest sha256;
};

// Hashes `from`; when `to` is set, also copies it there (created exclusively,
// mode 0600) and fsyncs the copy.
Result<FileDigest> HashFile(const fs::path& from, const std::optional<fs::path>& to = std::nullopt) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::IoError(from.string() + ": " + ErrnoText());
  int out = -1;
  if (to) {
    out = ::open(to->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
      std::string why = ErrnoText();
      ::close(in);
      return Status::IoError(to->string() + ": " + why);
    }
  }
  crypto::Sha256Hasher hasher;
  FileDigest digest;
  std::vector<uint8_t> chunk(kReadChunkBytes);
  Status status = Status::Ok();
  while (status.ok()) {
    ssize_t got = ::read(in, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) status = Status::IoError(from.string() + ": " + ErrnoText());
    if (got <= 0) break;
    hasher.Update(ByteView(chunk.data(), static_cast<size_t>(got)));
    digest.bytes += static_cast<uint64_t>(got);
    for (ssize_t done = 0; out >= 0 && done < got && status.ok();) {
      ssize_t wrote = ::write(out, chunk.data() + done, static_cast<size_t>(got - done));
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) status = Status::IoError(to->string() + ": " + ErrnoText());
      done += std::max<ssize_t>(wrote, 0);
    }
  }
  ::close(in);
  if (out >= 0) {
    if (status.ok() && ::fsync(out) != 0)
      status = Status::IoError("fsync " + to->string() + ": " + ErrnoText());
    ::close(out);
  }
  RETURN_IF_ERROR(status);
  digest.sha256 = hasher.Finish();
  return digest;
}

Status WriteFileSynced(const fs::path& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(path.string() + ": " + ErrnoText());
  size_t done = 0;
  while (done < text.size()) {
    ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) break;
    done += static_cast<size_t>(wrote);
  }
  bool ok = done == text.size() && ::fsync(fd) == 0;
  std::string why = ok ? "" : ErrnoText();
  ::close(fd);
  if (!ok) return Status::IoError(path.string() + ": " + why);
  return Status::Ok();
}

// ---- reading the snapshot's identity ----

Result<std::string> SnapshotValue(leveldb::DB* db, const leveldb::Snapshot* snapshot, std::string_view key) {
  leveldb::ReadOptions read;
  read.snapshot = snapshot;
  std::string value;
  leveldb::Status got = db->Get(read, std::string(key), &value);
  if (got.IsNotFound()) return std::string();
  if (!got.ok()) return Status::IoError(std::string(key) + ": " + got.ToString());
  return value;
}

Result<uint64_t> DecodeU64(std::string_view key, const std::string& value) {
  if (value.empty()) return uint64_t{0};
  ByteReader r(AsBytes(value));
  Result<uint64_t> v = r.GetU64();
  if (!v.ok() || !r.Finish().ok()) return Status::Corruption(std::string(key) + ": not a u64");
  return *v;
}

Result<crypto::Digest> DecodeDigest(std::string_view key, const std::string& value) {
  crypto::Digest d;
  if (value.size() != d.bytes.size()) return Status::Corruption(std::string(key) + ": not a 32-byte hash");
  std::copy(value.begin(), value.end(), d.bytes.begin());
  return d;
}

// Fills the manifest's position fields from the snapshot and checks its genesis.
Status ReadSnapshotPosition(leveldb::DB* db, const leveldb::Snapshot* snapshot, BackupManifest& m) {
  ASSIGN_OR_RETURN(std::string genesis, SnapshotValue(db, snapshot, ledger::kMetaGenesisKey));
  ASSIGN_OR_RETURN(crypto::Digest genesis_hash, DecodeDigest(ledger::kMetaGenesisKey, genesis));
  if (genesis_hash != m.identity.genesis_hash) {
    return Status::Internal("the database's genesis " + genesis_hash.ToHex() + " is not the config's");
  }
  ASSIGN_OR_RETURN(std::string height, SnapshotValue(db, snapshot, ledger::kMetaHeightKey));
  ASSIGN_OR_RETURN(m.height, DecodeU64(ledger::kMetaHeightKey, height));
  ASSIGN_OR_RETURN(std::string head, SnapshotValue(db, snapshot, ledger::kMetaHeadKey));
  ASSIGN_OR_RETURN(m.head_hash, DecodeDigest(ledger::kMetaHeadKey, head));
  ASSIGN_OR_RETURN(std::string applied, SnapshotValue(db, snapshot, kAppliedIndexKey));
  ASSIGN_OR_RETURN(m.applied_index, DecodeU64(kAppliedIndexKey, applied));
  ASSIGN_OR_RETURN(std::string hard, SnapshotValue(db, snapshot, LevelDbRaftStorage::kHardStateKey));
  if (!hard.empty()) {
    ASSIGN_OR_RETURN(consensus::HardState hs, consensus::DecodeHardState(AsBytes(hard)));
    m.raft_term = hs.term;
    m.raft_commit = hs.commit;
  }
  return Status::Ok();
}

// Copies every key of the snapshot into a new database at `path`, in bounded
// batches, the last one synced.
Status CopySnapshot(leveldb::DB* db, const leveldb::Snapshot* snapshot, const fs::path& path,
                    uint64_t bytes_max, const std::atomic<bool>& stop, uint64_t* copied) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  leveldb::DB* raw = nullptr;
  leveldb::Status opened = leveldb::DB::Open(options, path.string(), &raw);
  if (!opened.ok()) return Status::IoError("backup database " + path.string() + ": " + opened.ToString());
  std::unique_ptr<leveldb::DB> copy(raw);
  leveldb::ReadOptions read;
  read.snapshot = snapshot;
  read.fill_cache = false;  // a backup must not evict the node's working set
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(read));
  leveldb::WriteBatch batch;
  uint64_t batch_bytes = 0;
  auto flush = [&](bool sync) -> Status {
    leveldb::WriteOptions write;
    write.sync = sync;
    leveldb::Status wrote = copy->Write(write, &batch);
    if (!wrote.ok()) return Status::IoError("backup database: " + wrote.ToString());
    batch.Clear();
    batch_bytes = 0;
    return Status::Ok();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (stop) return Status::Unavailable("the node is stopping; backup abandoned");
    const uint64_t bytes = it->key().size() + it->value().size();
    *copied += bytes;
    if (*copied > bytes_max) {
      return Status::ResourceExhausted("the database holds more than backup_bytes_max (" +
                                       std::to_string(bytes_max) +
                                       ") bytes of keys and values; raise limits.backup_bytes_max");
    }
    batch.Put(it->key(), it->value());
    batch_bytes += bytes;
    if (batch_bytes >= kCopyBatchBytes) RETURN_IF_ERROR(flush(false));
  }
  if (!it->status().ok()) return Status::IoError("reading the database: " + it->status().ToString());
  return flush(true);
}

// Lists the regular files of <out>/db (sorted), hashed and fsynced.
Result<std::vector<BackupFile>> HashBackupFiles(const fs::path& out) {
  std::vector<BackupFile> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(out / kBackupDbName, ec)) {
    if (!entry.is_regular_file()) continue;
    RETURN_IF_ERROR(SyncPath(entry.path()));
    ASSIGN_OR_RETURN(FileDigest digest, HashFile(entry.path()));
    files.push_back(
        {std::string(kBackupDbName) + "/" + entry.path().filename().string(), digest.bytes, digest.sha256});
  }
  if (ec) return Status::IoError((out / kBackupDbName).string() + ": " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const BackupFile& a, const BackupFile& b) { return a.path < b.path; });
  RETURN_IF_ERROR(SyncPath(out / kBackupDbName));
  return files;
}

Status WriteManifest(const fs::path& out, const BackupManifest& manifest) {
  const fs::path temp = out / (std::string(kBackupManifestName) + ".tmp");
  RETURN_IF_ERROR(WriteFileSynced(temp, BackupManifestToJson(manifest).dump(2) + "\n"));
  std::error_code ec;
  fs::rename(temp, out / kBackupManifestName, ec);
  if (ec) return Status::IoError("renaming the manifest into place: " + ec.message());
  return SyncPath(out);
}

Status CheckOutFolder(const fs::path& out) {
  if (!out.is_absolute())
    return Status::InvalidArgument("out: must be an absolute path, got \"" + out.string() + "\"");
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out, ec))) {
    return Status::AlreadyExists("out: " + out.string() + " already exists; a backup goes into a new folder");
  }
  if (!fs::is_directory(out.parent_path(), ec)) {
    return Status::InvalidArgument("out: the parent folder " + out.parent_path().string() +
                                   " does not exist");
  }
  return Status::Ok();
}

Status WriteBackupInto(leveldb::DB* db, const fs::path& out, uint64_t bytes_max,
                       const std::atomic<bool>& stop, BackupManifest& manifest) {
  // One snapshot: every key copied and every figure in the manifest come from it.
  std::unique_ptr<const leveldb::Snapshot, std::function<void(const leveldb::Snapshot*)>> snapshot(
      db->GetSnapshot(), [db](const leveldb::Snapshot* s) { db->ReleaseSnapshot(s); });
  RETURN_IF_ERROR(ReadSnapshotPosition(db, snapshot.get(), manifest));
  RETURN_IF_ERROR(
      CopySnapshot(db, snapshot.get(), out / kBackupDbName, bytes_max, stop, &manifest.key_value_bytes));
  snapshot.reset();
  ASSIGN_OR_RETURN(manifest.files, HashBackupFiles(out));
  return WriteManifest(out, manifest);
}

// ---- manifest JSON ----

Result<const json*> Field(const json& object, std::string_view where, std::string_view name) {
  auto it = object.find(std::string(name));
  if (it == object.end())
    return Status::InvalidArgument(std::string(where) + std::string(name) + ": missing");
  return &*it;
}

Result<uint64_t> U64Field(const json& object, std::string_view where, std::string_view name) {
  ASSIGN_OR_RETURN(const json* v, Field(object, where, name));
  if (!v->is_number_unsigned()) {
    return Status::InvalidArgument(std::string(where) + std::string(name) + ": expected an unsigned integer");
  }
  return v->get<uint64_t>();
}

Result<std::string> StringField(const json& object, std::string_view where, std::string_view name) {
  ASSIGN_OR_RETURN(const json* v, Field(object, where, name));
  if (!v->is_string())
    return Status::InvalidArgument(std::string(where) + std::string(name) + ": expected a string");
  return v->get<std::string>();
}

Result<crypto::Digest> DigestField(const json& object, std::string_view where, std::string_view name) {
  ASSIGN_OR_RETURN(std::string hex, StringField(object, where, name));
  Result<crypto::Digest> d = crypto::Digest::FromHex(hex);
  if (!d.ok())
    return Status::InvalidArgument(std::string(where) + std::string(name) + ": not 64 hex characters");
  return *d;
}

Status OnlyKeys(const json& object, std::string_view where, const std::set<std::string>& allowed) {
  if (!object.is_object()) return Status::InvalidArgument(std::string(where) + ": expected an object");
  for (const auto& [key, value] : object.items()) {
    if (!allowed.contains(key)) return Status::InvalidArgument(std::string(where) + key + ": unknown field");
  }
  return Status::Ok();
}

// "db/<name>" with a plain file name: a manifest cannot point outside the folder.
bool IsBackupFilePath(const std::string& path) {
  const std::string prefix = std::string(kBackupDbName) + "/";
  if (!path.starts_with(prefix) || path.size() == prefix.size()) return false;
  const std::string name = path.substr(prefix.size());
  if (name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

Result<BackupFile> ParseFile(const json& entry, const std::string& where) {
  RETURN_IF_ERROR(OnlyKeys(entry, where, {"path", "bytes", "sha256"}));
  BackupFile file;
  ASSIGN_OR_RETURN(file.path, StringField(entry, where + ".", "path"));
  if (!IsBackupFilePath(file.path)) {
    return Status::InvalidArgument(where + ".path: \"" + file.path + "\" is not a file name under db/");
  }
  ASSIGN_OR_RETURN(file.bytes, U64Field(entry, where + ".", "bytes"));
  ASSIGN_OR_RETURN(file.sha256, DigestField(entry, where + ".", "sha256"));
  return file;
}

// ---- verification ----

Status CheckIdentity(const BackupManifest& m, const BackupIdentity& expected) {
  if (m.identity.network_id != expected.network_id) {
    return Status::FailedPrecondition("network_id: the backup is of network \"" + m.identity.network_id +
                                      "\", this node's config is of network \"" + expected.network_id + "\"");
  }
  if (m.identity.genesis_hash != expected.genesis_hash) {
    return Status::FailedPrecondition("genesis_hash: the backup's genesis is " +
                                      m.identity.genesis_hash.ToHex() + ", this node's genesis is " +
                                      expected.genesis_hash.ToHex());
  }
  if (m.identity.node_id != expected.node_id) {
    return Status::FailedPrecondition("node_id: the backup is of node " + std::to_string(m.identity.node_id) +
                                      ", this config is node " + std::to_string(expected.node_id));
  }
  return Status::Ok();
}

Status CheckFiles(const fs::path& from, const BackupManifest& m) {
  std::map<std::string, const BackupFile*> listed;
  for (const BackupFile& f : m.files) listed[f.path] = &f;
  std::error_code ec;
  // Anything in the folder the manifest does not name is refused: it was added.
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(from, ec)) {
    const std::string relative = fs::relative(entry.path(), from, ec).generic_string();
    if (relative == kBackupManifestName || relative == kBackupDbName) continue;
    if (!listed.contains(relative)) {
      return Status::Corruption(relative + ": extra file, not listed in " + std::string(kBackupManifestName));
    }
    if (!entry.is_regular_file(ec) || entry.is_symlink(ec))
      return Status::Corruption(relative + ": not a regular file");
  }
  if (ec) return Status::IoError(from.string() + ": " + ec.message());
  for (const BackupFile& f : m.files) {
    const fs::path path = from / f.path;
    if (!fs::is_regular_file(fs::symlink_status(path, ec))) {
      return Status::Corruption(f.path + ": missing (listed in " + std::string(kBackupManifestName) + ")");
    }
    ASSIGN_OR_RETURN(FileDigest digest, HashFile(path));
    if (digest.bytes != f.bytes) {
      return Status::Corruption(f.path + ": " + std::to_string(digest.bytes) + " bytes, the manifest says " +
                                std::to_string(f.bytes) + " (truncated or changed)");
    }
    if (digest.sha256 != f.sha256) {
      return Status::Corruption(f.path + ": SHA-256 " + digest.sha256.ToHex() +
                                " differs from the manifest's " + f.sha256.ToHex() + " (changed)");
    }
  }
  return Status::Ok();
}

Result<BackupManifest> ReadManifest(const fs::path& from) {
  const fs::path path = from / kBackupManifestName;
  const std::string name(kBackupManifestName);
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return Status::NotFound("from: " + from.string() + " is not a folder");
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) {
    return Status::Corruption(name + ": missing (an unfinished or damaged backup)");
  }
  const uintmax_t size = fs::file_size(path, ec);
  if (ec || size > kBackupManifestBytesMax) {
    return Status::Corruption(name + ": larger than " + std::to_string(kBackupManifestBytesMax) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::Corruption(name + ": not valid JSON (truncated or damaged)");
  Result<BackupManifest> manifest = ParseBackupManifest(parsed);
  if (!manifest.ok()) return Status::Corruption(name + ": " + manifest.status().message());
  return manifest;
}

// fcntl lock of LevelDB's LOCK file: held while a node has the database open.
Result<bool> DatabaseLocked(const fs::path& db) {
  const fs::path lock_path = db / "LOCK";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? false : Result<bool>(Status::IoError(lock_path.string() + ": " + ErrnoText()));
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  bool locked = ::fcntl(fd, F_SETLK, &lock) != 0;
  ::close(fd);  // closing drops the lock taken, if any
  return locked;
}

Status CopyBackupFiles(const fs::path& from, const BackupManifest& m, const fs::path& to) {
  std::error_code ec;
  fs::create_directory(to, ec);
  if (ec) return Status::IoError(to.string() + ": " + ec.message());
  for (const BackupFile& f : m.files) {
    const fs::path target = to / fs::path(f.path).filename();
    ASSIGN_OR_RETURN(FileDigest copied, HashFile(from / f.path, target));
    // Hashed again while copying: a file changed after the check is caught here.
    if (copied.bytes != f.bytes || copied.sha256 != f.sha256) {
      return Status::Corruption(f.path + ": changed while it was being restored");
    }
  }
  return SyncPath(to);
}

Status MarkRestored(const fs::path& db_path, uint64_t raft_term) {
  leveldb::DB* raw = nullptr;
  leveldb::Status opened = leveldb::DB::Open(leveldb::Options(), db_path.string(), &raw);
  if (!opened.ok()) return Status::Corruption("the restored database does not open: " + opened.ToString());
  std::unique_ptr<leveldb::DB> db(raw);
  return SaveRestoredFence(db.get(), std::max<uint64_t>(raft_term, 1));
}

// The caller has checked that an existing db may be moved aside.
Status InstallRestored(const fs::path& data_dir, const fs::path& staged,
                       std::optional<fs::path>* moved_aside) {
  const fs::path target = data_dir / kBackupDbName;
  std::error_code ec;
  if (fs::exists(target, ec)) {
    const fs::path aside = data_dir / ("db.before-restore-" + UtcNow("%Y%m%dT%H%M%SZ"));
    fs::rename(target, aside, ec);
    if (ec) return Status::IoError("moving " + target.string() + " aside: " + ec.message());
    *moved_aside = aside;
  }
  fs::rename(staged, target, ec);
  if (ec)
    return Status::IoError("renaming " + staged.string() + " to " + target.string() + ": " + ec.message());
  return SyncPath(data_dir);
}

}  // namespace

json BackupManifestToJson(const BackupManifest& m) {
  json files = json::array();
  for (const BackupFile& f : m.files)
    files.push_back({{"path", f.path}, {"bytes", f.bytes}, {"sha256", f.sha256.ToHex()}});
  return {{"format_version", m.format_version},
          {"network_id", m.identity.network_id},
          {"genesis_hash", m.identity.genesis_hash.ToHex()},
          {"node_id", m.identity.node_id},
          {"applied_index", m.applied_index},
          {"height", m.height},
          {"head_hash", m.head_hash.ToHex()},
          {"raft_term", m.raft_term},
          {"raft_commit", m.raft_commit},
          {"created_at", m.created_at},
          {"key_value_bytes", m.key_value_bytes},
          {"files", std::move(files)}};
}

Result<BackupManifest> ParseBackupManifest(const json& j) {
  RETURN_IF_ERROR(
      OnlyKeys(j, "",
               {"format_version", "network_id", "genesis_hash", "node_id", "applied_index", "height",
                "head_hash", "raft_term", "raft_commit", "created_at", "key_value_bytes", "files"}));
  BackupManifest m;
  ASSIGN_OR_RETURN(m.format_version, U64Field(j, "", "format_version"));
  if (m.format_version != kBackupFormatVersion) {
    return Status::InvalidArgument("format_version: " + std::to_string(m.format_version) +
                                   ", this node reads " + std::to_string(kBackupFormatVersion));
  }
  ASSIGN_OR_RETURN(m.identity.network_id, StringField(j, "", "network_id"));
  ASSIGN_OR_RETURN(m.identity.genesis_hash, DigestField(j, "", "genesis_hash"));
  ASSIGN_OR_RETURN(m.identity.node_id, U64Field(j, "", "node_id"));
  ASSIGN_OR_RETURN(m.applied_index, U64Field(j, "", "applied_index"));
  ASSIGN_OR_RETURN(m.height, U64Field(j, "", "height"));
  ASSIGN_OR_RETURN(m.head_hash, DigestField(j, "", "head_hash"));
  ASSIGN_OR_RETURN(m.raft_term, U64Field(j, "", "raft_term"));
  ASSIGN_OR_RETURN(m.raft_commit, U64Field(j, "", "raft_commit"));
  ASSIGN_OR_RETURN(m.created_at, StringField(j, "", "created_at"));
  ASSIGN_OR_RETURN(m.key_value_bytes, U64Field(j, "", "key_value_bytes"));
  ASSIGN_OR_RETURN(const json* files, Field(j, "", "files"));
  if (!files->is_array() || files->empty())
    return Status::InvalidArgument("files: expected a non-empty array");
  std::set<std::string> seen;
  for (size_t i = 0; i < files->size(); ++i) {
    ASSIGN_OR_RETURN(BackupFile file, ParseFile((*files)[i], "files[" + std::to_string(i) + "]"));
    if (!seen.insert(file.path).second) {
      return Status::InvalidArgument("files[" + std::to_string(i) + "].path: " + file.path + " listed twice");
    }
    m.files.push_back(std::move(file));
  }
  return m;
}

Result<BackupManifest> WriteBackup(leveldb::DB* db, const BackupIdentity& identity, const fs::path& out,
                                   uint64_t bytes_max, const std::atomic<bool>& stop) {
  RETURN_IF_ERROR(CheckOutFolder(out));
  std::error_code ec;
  // create_directory fails on an existing folder: two backups never share one.
  if (!fs::create_directory(out, ec) || ec) {
    return Status::IoError("out: cannot create " + out.string() + ": " + (ec ? ec.message() : "it exists"));
  }
  fs::permissions(out, fs::perms::owner_all, ec);
  BackupManifest manifest;
  manifest.identity = identity;
  manifest.created_at = UtcNow("%Y-%m-%dT%H:%M:%SZ");
  Status written = WriteBackupInto(db, out, bytes_max, stop, manifest);
  if (!written.ok()) {
    fs::remove_all(out, ec);  // never leave a partial backup behind
    return written;
  }
  return manifest;
}

Result<BackupManifest> VerifyBackup(const fs::path& from, const BackupIdentity& expected) {
  ASSIGN_OR_RETURN(BackupManifest manifest, ReadManifest(from));
  RETURN_IF_ERROR(CheckIdentity(manifest, expected));
  RETURN_IF_ERROR(CheckFiles(from, manifest));
  return manifest;
}

Result<RestoreOutcome> RestoreBackup(const fs::path& from, const BackupIdentity& expected,
                                     const fs::path& data_dir, bool move_aside) {
  RestoreOutcome outcome;
  ASSIGN_OR_RETURN(outcome.manifest, VerifyBackup(from, expected));
  const fs::path target = data_dir / kBackupDbName;
  std::error_code ec;
  if (fs::exists(target, ec)) {
    ASSIGN_OR_RETURN(bool locked, DatabaseLocked(target));
    if (locked)
      return Status::FailedPrecondition(target.string() + " is open in a running node: stop it first");
    if (!move_aside) {
      return Status::FailedPrecondition(
          target.string() +
          " exists: pass --move-aside to keep it as db.before-restore-<time>, or "
          "remove it");
    }
  }
  fs::create_directories(data_dir, ec);
  if (ec) return Status::IoError("data_dir " + data_dir.string() + ": " + ec.message());
  const fs::path staged = data_dir / "db.restoring";
  fs::remove_all(staged, ec);  // a restore that stopped half-way left it; it is ours
  Status staged_ok = CopyBackupFiles(from, outcome.manifest, staged);
  if (staged_ok.ok()) staged_ok = MarkRestored(staged, outcome.manifest.raft_term);
  if (staged_ok.ok()) staged_ok = SyncPath(staged);
  if (!staged_ok.ok()) {
    fs::remove_all(staged, ec);
    return staged_ok;
  }
  RETURN_IF_ERROR(InstallRestored(data_dir, staged, &outcome.moved_aside));
  return outcome;
}

}  // namespace shulian::node
