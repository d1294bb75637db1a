// Ledger export and audit: a self-contained file of a ledger's blocks and cosigned
// checkpoints, and the replay that checks a ledger from genesis and reports the
// first fault. docs/evidence.md describes both.
//
// Export file format (binary, common/bytes.h conventions):
//   "SHULIAN-LEDGER/1" (16 raw bytes)
//   then records until end of file:  u8 kind ‖ u32 length ‖ payload
//     kind 1: Block::Encode() of one block, heights consecutive
//     kind 2: CosignedCheckpoint::Encode() of the block just before it
// An export written for an audit starts at height 1.
//
// Audit. The blocks are applied, in order, to a fresh Ledger in a scratch directory
// opened from the genesis, so every link, proposer and transaction signature, log
// size and root is checked by the same code that built the ledger; after each block
// the recomputed checkpoint of that height is compared with every cosigned
// checkpoint the source holds for it, and each of those is verified against the
// validator set the replay has established (VerifyCosigned). The first fault stops
// the audit and is reported with its height and the name of the check.
//
// Ownership: the functions borrow what they are given. The audit owns its scratch
// directory and removes it. Thread-safety: reentrant; a LedgerExportReader belongs
// to one thread. The source Ledger must not change during an export.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/sha256.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"

namespace shulian::ledger {

struct Genesis;

inline constexpr std::string_view kLedgerExportMagic = "SHULIAN-LEDGER/1";

enum class ExportRecordKind : uint8_t { kBlock = 1, kCosignedCheckpoint = 2 };

struct ExportLimits {
  size_t record_bytes_max = 64 * 1024 * 1024;  // one payload; above any block the ledger accepts
};

struct ExportRecord {
  ExportRecordKind kind = ExportRecordKind::kBlock;
  Bytes payload;
  uint64_t offset = 0;  // of the record's kind byte in the file
};

// The cosigned checkpoint a node holds for a height, if any (the node's checkpoint
// store answers this).
using CosignedLookup = std::function<Result<std::optional<CosignedCheckpoint>>(uint64_t height)>;
// Receives the export's bytes in order; an error stops the export.
using ExportSink = std::function<Status(ByteView bytes)>;
// The block of a height (a Ledger's store, or a StoreSnapshot of it).
using BlockLookup = std::function<Result<Block>(uint64_t height)>;

// What a bounded export wrote.
struct ExportWritten {
  uint64_t to_height = 0;  // the last block written; below the asked `to` if the bound stopped it
  uint64_t bytes = 0;      // magic and records
};

// Streams blocks [from_height, to_height] as WriteLedgerExport does, stopping
// before the first block whose records (the block and its cosigned checkpoint)
// would take the output past `bytes_max` (0: no bound). The first block is always
// written, whatever its size, so a caller asking again from to_height + 1 always
// makes progress. InvalidArgument if the range is empty or starts at 0; a block
// `blocks` cannot give is its error.
Result<ExportWritten> WriteLedgerExportBounded(const BlockLookup& blocks, const CosignedLookup& cosigned,
                                               uint64_t from_height, uint64_t to_height, uint64_t bytes_max,
                                               const ExportSink& sink);

// Streams blocks [from_height, to_height] (each followed by its cosigned checkpoint
// when `cosigned` has one; `cosigned` may be empty) to `sink`, magic first.
// InvalidArgument if the range is empty or starts at 0; OutOfRange past the head.
Status WriteLedgerExport(const Ledger& ledger, const CosignedLookup& cosigned, uint64_t from_height,
                         uint64_t to_height, const ExportSink& sink);
// The same into a new file (refuses to overwrite), fsynced before returning.
Status WriteLedgerExportFile(const Ledger& ledger, const CosignedLookup& cosigned, uint64_t from_height,
                             uint64_t to_height, const std::filesystem::path& path);

// Reads an export file record by record, checking the magic and every length.
class LedgerExportReader {
 public:
  static Result<LedgerExportReader> Open(const std::filesystem::path& path, ExportLimits limits = {});
  // The next record, or nullopt at a clean end of file. Corruption naming the
  // offset for a truncated record, an unknown kind or a length over the limit.
  Result<std::optional<ExportRecord>> Next();

 private:
  LedgerExportReader(std::ifstream in, ExportLimits limits) : in_(std::move(in)), limits_(limits) {}
  std::ifstream in_;
  ExportLimits limits_;
  uint64_t offset_ = kLedgerExportMagic.size();
};

struct AuditOptions {
  ExportLimits limits;
  LedgerOptions ledger;  // must match the network's (block and transaction limits)
  CheckpointLimits checkpoint;
  // Where the scratch ledger is made (a fresh mkdtemp directory inside, removed
  // afterwards); empty: the system temporary directory.
  std::filesystem::path scratch_parent;
};

struct AuditFault {
  uint64_t height = 0;  // the block (or checkpoint) height where it was found; 0: before block 1
  std::string check;    // stable name: "export_format", "block_decode", "block_height",
                        // "block_apply", "checkpoint_decode", "checkpoint_height",
                        // "checkpoint_mismatch", "checkpoint_signatures", "source_read"
  std::string detail;
};

struct AuditReport {
  uint64_t blocks_checked = 0;
  uint64_t checkpoints_checked = 0;
  uint64_t height = 0;  // the replayed head
  crypto::Digest head_hash;
  std::optional<AuditFault> fault;  // the first fault; none: clean

  bool clean() const { return !fault.has_value(); }
  std::string Describe() const;
  nlohmann::json ToJson() const;
};

// Audits an export file. Errors (not faults) are only for what stops the audit
// from running at all: an unreadable file, an invalid genesis, no scratch space.
Result<AuditReport> AuditExportFile(const std::filesystem::path& path, const Genesis& genesis,
                                    const AuditOptions& options = {});
// Audits a node's data directory (a copy, or a stopped node's): its blocks and the
// cosigned checkpoints of its checkpoint store, read in place without writing.
// `data_dir` is the node's data directory (holding "db") or the database itself.
Result<AuditReport> AuditDataDir(const std::filesystem::path& data_dir, const Genesis& genesis,
                                 const AuditOptions& options = {});

}  // namespace shulian::ledger
