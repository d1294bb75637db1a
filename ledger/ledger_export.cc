// Ledger export writer/reader and the audit replay (ledger/ledger_export.h).
#include "ledger/ledger_export.h"

#include <fcntl.h>
#include <leveldb/db.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ledger/checkpoint_store.h"
#include "ledger/genesis.h"

namespace shulian::ledger {
namespace {

Bytes EncodeRecordHead(ExportRecordKind kind, size_t payload_bytes) {
  ByteWriter writer(5);
  writer.PutU8(static_cast<uint8_t>(kind));
  writer.PutU32(static_cast<uint32_t>(payload_bytes));
  return writer.Take();
}

Status PutRecord(const ExportSink& sink, ExportRecordKind kind, const Bytes& payload) {
  if (payload.size() > UINT32_MAX) return Status::OutOfRange("export record over 4 GiB");
  RETURN_IF_ERROR(sink(EncodeRecordHead(kind, payload.size())));
  return sink(payload);
}

Status Errno(std::string_view what, const std::filesystem::path& path) {
  return Status::IoError(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

Status WriteAll(int fd, ByteView bytes, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write", path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync directory", dir);
  return Status::Ok();
}

// A fresh mkdtemp directory, removed with its contents when this dies.
class ScratchDir {
 public:
  static Result<std::unique_ptr<ScratchDir>> Make(const std::filesystem::path& parent_or_empty) {
    std::filesystem::path parent =
        parent_or_empty.empty() ? std::filesystem::temp_directory_path() : parent_or_empty;
    std::string pattern = (parent / "shulian-audit-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return Errno("mkdtemp", pattern);
    return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Where the audit's records come from: an export file or a node's database.
using RecordSource = std::function<Result<std::optional<ExportRecord>>()>;

// Replays records into a fresh ledger; stops at the first fault.
class Replay {
 public:
  Replay(std::unique_ptr<Ledger> ledger, const AuditOptions& options)
      : ledger_(std::move(ledger)), options_(options) {}

  AuditReport Run(const RecordSource& next) {
    while (!report_.fault) {
      Result<std::optional<ExportRecord>> record = next();
      if (!record.ok()) {
        Fault(report_.height + 1, "source_read", record.status().ToString());
        break;
      }
      if (!record->has_value()) break;
      if ((*record)->kind == ExportRecordKind::kBlock) {
        OnBlock((*record)->payload);
      } else {
        OnCheckpoint((*record)->payload);
      }
    }
    report_.head_hash = ledger_->blocks().head_hash();
    return report_;
  }

 private:
  void Fault(uint64_t height, std::string check, std::string detail) {
    report_.fault = AuditFault{height, std::move(check), std::move(detail)};
  }

  void OnBlock(const Bytes& payload) {
    uint64_t expected = report_.height + 1;
    Result<Block> block = Block::Decode(payload, options_.ledger.block_limits);
    if (!block.ok()) return Fault(expected, "block_decode", block.status().ToString());
    if (block->Encode() != payload) return Fault(expected, "block_decode", "not the canonical encoding");
    if (block->header.height != expected) {
      return Fault(expected, "block_height", "found block " + std::to_string(block->header.height));
    }
    Result<BlockOutcome> applied = ledger_->ApplyBlock(*block);
    if (!applied.ok()) return Fault(expected, "block_apply", applied.status().ToString());
    report_.height = expected;
    ++report_.blocks_checked;
  }

  void OnCheckpoint(const Bytes& payload) {
    Result<CosignedCheckpoint> cosigned = CosignedCheckpoint::Decode(payload, options_.checkpoint);
    if (!cosigned.ok()) return Fault(report_.height, "checkpoint_decode", cosigned.status().ToString());
    const Checkpoint& cp = cosigned->checkpoint;
    if (cp.height != report_.height) {
      return Fault(report_.height, "checkpoint_height",
                   "checkpoint of height " + std::to_string(cp.height) + " after block " +
                       std::to_string(report_.height));
    }
    Result<Checkpoint> ours = ledger_->CheckpointAt(cp.height);
    if (!ours.ok()) return Fault(cp.height, "checkpoint_mismatch", ours.status().ToString());
    if (*ours != cp) return Fault(cp.height, "checkpoint_mismatch", "differs from the replayed ledger's checkpoint");
    Result<ValidatorSet> set = ledger_->ValidatorSetAtTxSize(cp.tx_log_size);
    if (!set.ok()) return Fault(cp.height, "checkpoint_signatures", set.status().ToString());
    Status verified = VerifyCosigned(*cosigned, *set);
    if (!verified.ok()) return Fault(cp.height, "checkpoint_signatures", verified.ToString());
    ++report_.checkpoints_checked;
  }

  std::unique_ptr<Ledger> ledger_;
  const AuditOptions& options_;
  AuditReport report_;
};

Result<AuditReport> RunAudit(const RecordSource& source, const Genesis& genesis, const AuditOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch, ScratchDir::Make(options.scratch_parent));
  ASSIGN_OR_RETURN(std::unique_ptr<Ledger> ledger, Ledger::Open(scratch->path() / "db", genesis, options.ledger));
  Replay replay(std::move(ledger), options);
  return replay.Run(source);
}

// Reads a u64 stored big-endian under `key`; nullopt if absent.
Result<std::optional<uint64_t>> ReadU64(leveldb::DB& db, std::string_view key) {
  std::string value;
  leveldb::ReadOptions read;
  read.verify_checksums = true;
  leveldb::Status s = db.Get(read, leveldb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<uint64_t>();
  if (!s.ok()) return Status::Corruption(std::string(key) + ": " + s.ToString());
  ByteReader reader(AsBytes(value));
  ASSIGN_OR_RETURN(uint64_t number, reader.GetU64());
  RETURN_IF_ERROR(reader.Finish());
  return std::optional<uint64_t>(number);
}

// Yields block 1, its cosigned checkpoint if stored, block 2, ... up to the
// database's recorded height, straight from the keys (no Ledger is opened on it).
class DataDirSource {
 public:
  static Result<std::unique_ptr<DataDirSource>> Open(const std::filesystem::path& data_dir) {
    std::filesystem::path path = std::filesystem::exists(data_dir / "db") ? data_dir / "db" : data_dir;
    leveldb::Options options;
    options.create_if_missing = false;
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, path.string(), &db);
    if (!s.ok()) return Status::IoError("open " + path.string() + ": " + s.ToString());
    auto source = std::unique_ptr<DataDirSource>(new DataDirSource(std::unique_ptr<leveldb::DB>(db)));
    ASSIGN_OR_RETURN(std::optional<uint64_t> height, ReadU64(*source->db_, kMetaHeightKey));
    source->height_ = height.value_or(0);
    return source;
  }

  Result<std::optional<ExportRecord>> Next() {
    if (pending_checkpoint_) {
      pending_checkpoint_ = false;
      std::optional<Bytes> cosigned;
      ASSIGN_OR_RETURN(cosigned, Read(CheckpointStore::CosignedKey(next_height_ - 1), false));
      if (cosigned) return std::optional<ExportRecord>(ExportRecord{ExportRecordKind::kCosignedCheckpoint, *cosigned, 0});
    }
    if (next_height_ > height_) return std::optional<ExportRecord>();
    std::optional<Bytes> block;
    ASSIGN_OR_RETURN(block, Read(BlockKey(next_height_), true));
    ++next_height_;
    pending_checkpoint_ = true;
    return std::optional<ExportRecord>(ExportRecord{ExportRecordKind::kBlock, std::move(*block), 0});
  }

 private:
  explicit DataDirSource(std::unique_ptr<leveldb::DB> db) : db_(std::move(db)) {}

  Result<std::optional<Bytes>> Read(const std::string& key, bool required) {
    std::string value;
    leveldb::ReadOptions read;
    read.verify_checksums = true;
    leveldb::Status s = db_->Get(read, key, &value);
    if (s.IsNotFound() && !required) return std::optional<Bytes>();
    if (!s.ok()) return Status::Corruption("reading the store: " + s.ToString());
    return std::optional<Bytes>(ToBytes(value));
  }

  std::unique_ptr<leveldb::DB> db_;
  uint64_t height_ = 0;
  uint64_t next_height_ = 1;
  bool pending_checkpoint_ = false;
};

std::string ExportKindName(ExportRecordKind kind) {
  return kind == ExportRecordKind::kBlock ? "block" : "cosigned checkpoint";
}

}  // namespace

Result<ExportWritten> WriteLedgerExportBounded(const BlockLookup& blocks, const CosignedLookup& cosigned,
                                               uint64_t from_height, uint64_t to_height, uint64_t bytes_max,
                                               const ExportSink& sink) {
  if (from_height == 0 || from_height > to_height) {
    return Status::InvalidArgument("export range: need 1 <= from <= to, got " + std::to_string(from_height) + ".." +
                                   std::to_string(to_height));
  }
  ExportWritten written;
  RETURN_IF_ERROR(sink(AsBytes(kLedgerExportMagic)));
  written.bytes = kLedgerExportMagic.size();
  for (uint64_t height = from_height; height <= to_height; ++height) {
    ASSIGN_OR_RETURN(Block block, blocks(height));
    Bytes encoded = block.Encode();
    std::optional<CosignedCheckpoint> checkpoint;
    if (cosigned) {
      ASSIGN_OR_RETURN(checkpoint, cosigned(height));
    }
    Bytes encoded_checkpoint = checkpoint ? checkpoint->Encode() : Bytes();
    const uint64_t record_bytes = 5 + encoded.size() + (checkpoint ? 5 + encoded_checkpoint.size() : 0);
    const bool first = height == from_height;
    if (!first && bytes_max != 0 && written.bytes + record_bytes > bytes_max) break;
    RETURN_IF_ERROR(PutRecord(sink, ExportRecordKind::kBlock, encoded));
    if (checkpoint)
      RETURN_IF_ERROR(PutRecord(sink, ExportRecordKind::kCosignedCheckpoint, encoded_checkpoint));
    written.bytes += record_bytes;
    written.to_height = height;
  }
  return written;
}

Status WriteLedgerExport(const Ledger& ledger, const CosignedLookup& cosigned, uint64_t from_height,
                         uint64_t to_height, const ExportSink& sink) {
  if (from_height != 0 && from_height <= to_height && to_height > ledger.height()) {
    return Status::OutOfRange("export range: to " + std::to_string(to_height) + " is above the head " +
                              std::to_string(ledger.height()));
  }
  BlockLookup blocks = [&ledger](uint64_t height) { return ledger.blocks().GetBlock(height); };
  return WriteLedgerExportBounded(blocks, cosigned, from_height, to_height, 0, sink).status();
}

Status WriteLedgerExportFile(const Ledger& ledger, const CosignedLookup& cosigned, uint64_t from_height,
                             uint64_t to_height, const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", path);
  Status written = WriteLedgerExport(ledger, cosigned, from_height, to_height,
                                     [&](ByteView bytes) { return WriteAll(fd, bytes, path); });
  if (written.ok() && ::fsync(fd) != 0) written = Errno("fsync", path);
  if (::close(fd) != 0 && written.ok()) written = Errno("close", path);
  if (!written.ok()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return written;
  }
  return SyncDirectory(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."));
}

Result<LedgerExportReader> LedgerExportReader::Open(const std::filesystem::path& path, ExportLimits limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("open " + path.string() + ": " + std::strerror(errno));
  std::string magic(kLedgerExportMagic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  if (!in || magic != kLedgerExportMagic) {
    return Status::Corruption(path.string() + ": not a ledger export (expected " + std::string(kLedgerExportMagic) +
                              ")");
  }
  return LedgerExportReader(std::move(in), limits);
}

Result<std::optional<ExportRecord>> LedgerExportReader::Next() {
  ExportRecord record;
  record.offset = offset_;
  char head[5];
  in_.read(head, 1);
  if (in_.gcount() == 0 && in_.eof()) return std::optional<ExportRecord>();
  in_.read(head + 1, 4);
  if (in_.gcount() != 4) return Status::Corruption("export: truncated record head at offset " + std::to_string(offset_));
  ByteReader reader(ByteView(reinterpret_cast<const uint8_t*>(head), 5));
  uint8_t kind = reader.GetU8().value();
  uint32_t length = reader.GetU32().value();
  if (kind != static_cast<uint8_t>(ExportRecordKind::kBlock) &&
      kind != static_cast<uint8_t>(ExportRecordKind::kCosignedCheckpoint)) {
    return Status::Corruption("export: unknown record kind " + std::to_string(kind) + " at offset " +
                              std::to_string(offset_));
  }
  if (length > limits_.record_bytes_max) {
    return Status::Corruption("export: record of " + std::to_string(length) + " bytes at offset " +
                              std::to_string(offset_) + " exceeds record_bytes_max");
  }
  record.kind = static_cast<ExportRecordKind>(kind);
  record.payload.resize(length);
  in_.read(reinterpret_cast<char*>(record.payload.data()), static_cast<std::streamsize>(length));
  if (static_cast<uint64_t>(in_.gcount()) != length) {
    return Status::Corruption("export: truncated " + ExportKindName(record.kind) + " at offset " +
                              std::to_string(offset_));
  }
  offset_ += 5 + uint64_t{length};
  return std::optional<ExportRecord>(std::move(record));
}

Result<AuditReport> AuditExportFile(const std::filesystem::path& path, const Genesis& genesis,
                                    const AuditOptions& options) {
  Result<LedgerExportReader> reader = LedgerExportReader::Open(path, options.limits);
  if (!reader.ok()) {
    if (reader.status().code() != ErrorCode::kCorruption) return reader.status();
    AuditReport report;
    report.fault = AuditFault{0, "export_format", reader.status().message()};
    return report;
  }
  return RunAudit([&]() { return reader->Next(); }, genesis, options);
}

Result<AuditReport> AuditDataDir(const std::filesystem::path& data_dir, const Genesis& genesis,
                                 const AuditOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<DataDirSource> source, DataDirSource::Open(data_dir));
  return RunAudit([&]() { return source->Next(); }, genesis, options);
}

std::string AuditReport::Describe() const {
  std::string out = "replayed " + std::to_string(blocks_checked) + " block(s) from genesis to height " +
                    std::to_string(height) + " (head " + head_hash.ToHex() + "), checked " +
                    std::to_string(checkpoints_checked) + " cosigned checkpoint(s)";
  if (clean()) return out + ": no fault found.";
  return out + ".\nFAULT at height " + std::to_string(fault->height) + ", check " + fault->check + ": " +
         fault->detail;
}

nlohmann::json AuditReport::ToJson() const {
  nlohmann::json out = {{"clean", clean()},
                        {"blocks_checked", blocks_checked},
                        {"checkpoints_checked", checkpoints_checked},
                        {"height", height},
                        {"head_hash", head_hash.ToHex()}};
  if (fault) out["fault"] = {{"height", fault->height}, {"check", fault->check}, {"detail", fault->detail}};
  return out;
}

}  // namespace shulian::ledger
