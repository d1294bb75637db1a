// Backup and restore of a node's database (docs/node.md "Backup and restore").
//
// A backup is a folder made by the RUNNING node (POST /v1/admin/backup; the node
// holds the LevelDB lock, so nothing else can read its database):
//   <out>/db/...          a new LevelDB database holding every key and value of
//                         one LevelDB snapshot of the node's database (the Raft
//                         log and hard state, the ledger, checkpoints, the node's
//                         own keys) — a state the node could have crashed in;
//   <out>/MANIFEST.json   written last, by rename: format version, network id,
//                         genesis hash, node id, applied index, height, head hash,
//                         Raft term and commit, creation time, and every file of
//                         db/ with its size and SHA-256.
// Every file and folder is fsynced before the manifest is renamed into place, so
// a folder without MANIFEST.json is a backup that did not finish.
//
// Restore (`shulian-node restore`, node stopped) verifies the whole backup
// before it touches the data folder: the manifest's fields, the identity against
// the node's config, no missing, extra, resized or changed file. It copies the
// files into <data_dir>/db.restoring (hashing the copy again), marks the copy
// restored (node/applied_index.h kRestoredFenceKey, so the node fences its votes
// until it has followed a leader and caught up), then renames it to
// <data_dir>/db. An existing <data_dir>/db is refused unless the caller asks to
// move it aside (renamed to <data_dir>/db.before-restore-<UTC time>).
//
// Thread-safety: WriteBackup reads the database through a LevelDB snapshot and
// may run beside the node's writers; it holds no lock of the node's.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/sha256.h"

namespace leveldb {
class DB;
}  // namespace leveldb

namespace shulian::node {

inline constexpr uint64_t kBackupFormatVersion = 1;
inline constexpr std::string_view kBackupManifestName = "MANIFEST.json";
inline constexpr std::string_view kBackupDbName = "db";
// A manifest larger than this is refused unread (a LevelDB copy has few files).
inline constexpr uint64_t kBackupManifestBytesMax = 4u << 20;

// Which node of which network a backup belongs to.
struct BackupIdentity {
  std::string network_id;
  crypto::Digest genesis_hash;
  uint64_t node_id = 0;
};

struct BackupFile {
  std::string path;  // relative to the backup folder, "db/<name>"
  uint64_t bytes = 0;
  crypto::Digest sha256;
};

struct BackupManifest {
  uint64_t format_version = kBackupFormatVersion;
  BackupIdentity identity;
  uint64_t applied_index = 0;  // Raft index applied to the ledger
  uint64_t height = 0;         // ledger head
  crypto::Digest head_hash;
  uint64_t raft_term = 0;  // the hard state's term (the restored node's vote fence)
  uint64_t raft_commit = 0;
  std::string created_at;        // UTC, "2026-12-07T10:21:02Z"
  uint64_t key_value_bytes = 0;  // what was copied, counted against backup_bytes_max
  std::vector<BackupFile> files;
};

nlohmann::json BackupManifestToJson(const BackupManifest& manifest);
// Strict: InvalidArgument naming the field ("MANIFEST.json: files[2].sha256: ...").
Result<BackupManifest> ParseBackupManifest(const nlohmann::json& json);

// Writes a backup of `db` into `out`, which must be an absolute path whose
// parent exists and which must not exist itself. More than `bytes_max` bytes of
// keys and values: ResourceExhausted naming backup_bytes_max. `stop` set: the
// backup is abandoned (Unavailable). On any failure the folder is removed.
Result<BackupManifest> WriteBackup(leveldb::DB* db, const BackupIdentity& identity,
                                   const std::filesystem::path& out, uint64_t bytes_max,
                                   const std::atomic<bool>& stop);

// Reads and checks the backup in `from`: the manifest, that it is of `expected`
// (FailedPrecondition naming the field and both values), and every file
// (Corruption naming the file: missing, extra, size or SHA-256 different).
// Reads nothing but `from`.
Result<BackupManifest> VerifyBackup(const std::filesystem::path& from, const BackupIdentity& expected);

struct RestoreOutcome {
  BackupManifest manifest;
  std::optional<std::filesystem::path> moved_aside;  // where the old db went
};

// Verifies the backup, then writes it as <data_dir>/db (see the file comment).
// An existing <data_dir>/db: FailedPrecondition unless `move_aside`; a database
// still locked by a running node is always refused. Nothing in data_dir changes
// unless the restore succeeds, except a leftover <data_dir>/db.restoring.
Result<RestoreOutcome> RestoreBackup(const std::filesystem::path& from, const BackupIdentity& expected,
                                     const std::filesystem::path& data_dir, bool move_aside);

}  // namespace shulian::node
