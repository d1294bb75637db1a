// Consistency between checkpoints, ledger export and the audit replay: an honest
// ledger proves consistent and audits clean; a fork, a truncation or one flipped
// byte in a block or a checkpoint is found and named.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>

#include "ledger/checkpoint_store.h"
#include "ledger/ledger_export.h"
#include "tests/ledger/evidence_fixture.h"

namespace shulian::ledger::testing {
namespace {

class AuditTest : public EvidenceTest {
 protected:
  // Five blocks of one or two transactions each, every height cosigned.
  void Grow(int blocks = 5) {
    for (int i = 0; i < blocks; ++i) {
      now_ms_ += 1000;
      std::vector<Transaction> txs{MakeTx("tz.prov", AssetBody("g" + std::to_string(next_asset_++), "321200"))};
      if (i % 2 == 0) txs.push_back(MakeTx("nj.prov", AssetBody("g" + std::to_string(next_asset_++), "320100")));
      Commit(std::move(txs));
      cosigned_[ledger_->height()] = CosignHead();
    }
  }
  CosignedLookup Lookup() {
    return [this](uint64_t height) -> Result<std::optional<CosignedCheckpoint>> {
      auto it = cosigned_.find(height);
      if (it == cosigned_.end()) return std::optional<CosignedCheckpoint>();
      return std::optional<CosignedCheckpoint>(it->second);
    };
  }
  std::string Export() {
    std::string path = dir_ + "/ledger.export";
    Status written = WriteLedgerExportFile(*ledger_, Lookup(), 1, ledger_->height(), path);
    EXPECT_TRUE(written.ok()) << written.ToString();
    return path;
  }
  std::string WriteFile(const std::string& name, const std::string& bytes) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  // Offsets of each record's payload in the file, in order.
  std::vector<ExportRecord> Records(const std::string& path) {
    LedgerExportReader reader = LedgerExportReader::Open(path).value();
    std::vector<ExportRecord> out;
    while (true) {
      Result<std::optional<ExportRecord>> next = reader.Next();
      EXPECT_TRUE(next.ok()) << next.status().ToString();
      if (!next.ok() || !next->has_value()) break;
      out.push_back(**next);
    }
    return out;
  }
  static void FlipByte(const std::string& path, uint64_t offset) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    file.read(&c, 1);
    c = static_cast<char>(c ^ 0x20);
    file.seekp(static_cast<std::streamoff>(offset));
    file.write(&c, 1);
  }
  AuditReport Audit(const std::string& path) {
    Result<AuditReport> report = AuditExportFile(path, genesis_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : AuditReport{};
  }

  std::map<uint64_t, CosignedCheckpoint> cosigned_;
  int next_asset_ = 0;
};

TEST_F(AuditTest, CheckpointsOfOneLedgerProveConsistent) {
  // Proves the consistency proofs between any two checkpoints of one ledger verify.
  Grow(6);
  for (uint64_t from = 0; from <= ledger_->height(); ++from) {
    for (uint64_t to = from; to <= ledger_->height(); ++to) {
      Result<CheckpointConsistency> proofs = ledger_->ConsistencyProofs(from, to);
      ASSERT_TRUE(proofs.ok()) << proofs.status().ToString();
      Status verified = VerifyCheckpointConsistency(*proofs);
      EXPECT_TRUE(verified.ok()) << from << ".." << to << ": " << verified.ToString();
    }
  }
}

TEST_F(AuditTest, ForkedOrTruncatedHistoryIsNotConsistent) {
  // Proves a checkpoint of a ledger that forked from ours, or an older checkpoint passed off as newer, is refused.
  Grow(2);
  Checkpoint shared = ledger_->CheckpointAt(2).value();
  now_ms_ += 1000;
  std::vector<Block> common = blocks_;
  Commit({MakeTx("tz.prov", AssetBody("ours", "321200"))});
  Checkpoint ours = ledger_->CheckpointAt(3).value();

  // A second ledger with the same two blocks, then another block 3 and 4.
  std::unique_ptr<Ledger> fork = Ledger::Open(dir_ + "/fork", genesis_).value();
  for (const Block& block : common) ASSERT_TRUE(fork->ApplyBlock(block).ok());
  Block theirs = fork->BuildBlock({MakeTx("tz.prov", AssetBody("theirs", "321200"))}, now_ms_, 1, KeyFor("node-1")).value();
  ASSERT_TRUE(fork->ApplyBlock(theirs).ok());
  now_ms_ += 1000;
  Block next = fork->BuildBlock({MakeTx("tz.prov", AssetBody("more", "321200"))}, now_ms_, 1, KeyFor("node-1")).value();
  ASSERT_TRUE(fork->ApplyBlock(next).ok());

  // Up to the shared prefix, the fork is consistent with us...
  CheckpointConsistency from_shared = fork->ConsistencyProofs(2, 4).value();
  EXPECT_EQ(from_shared.from, shared);
  EXPECT_TRUE(VerifyCheckpointConsistency(from_shared).ok());
  // ...but not with our block 3: the fork's proofs do not join our checkpoint to theirs.
  CheckpointConsistency forked = fork->ConsistencyProofs(3, 4).value();
  EXPECT_NE(forked.from, ours);
  forked.from = ours;
  EXPECT_FALSE(VerifyCheckpointConsistency(forked).ok());

  // Truncated: presenting height 2 as the successor of height 3.
  CheckpointConsistency truncated = ledger_->ConsistencyProofs(2, 3).value();
  std::swap(truncated.from, truncated.to);
  EXPECT_FALSE(VerifyCheckpointConsistency(truncated).ok());
  // A proof for the right heights but a checkpoint with fewer transactions than claimed.
  CheckpointConsistency shrunk = ledger_->ConsistencyProofs(2, 3).value();
  shrunk.to.tx_log_size -= 1;
  EXPECT_FALSE(VerifyCheckpointConsistency(shrunk).ok());
}

TEST_F(AuditTest, AnExportedLedgerAuditsClean) {
  // Proves an export of a real ledger with its cosigned checkpoints replays from genesis without a fault.
  Grow(5);
  AuditReport report = Audit(Export());
  EXPECT_TRUE(report.clean()) << report.Describe();
  EXPECT_EQ(report.blocks_checked, 5u);
  EXPECT_EQ(report.checkpoints_checked, 5u);
  EXPECT_EQ(report.head_hash, ledger_->blocks().head_hash());
}

TEST_F(AuditTest, AFlippedByteInABlockIsReportedAtItsHeight) {
  // Proves flipping any of several bytes inside block 3's record is reported at height 3, naming the check.
  Grow(5);
  std::string path = Export();
  std::vector<ExportRecord> records = Records(path);
  const ExportRecord* block3 = nullptr;
  for (const ExportRecord& r : records) {
    if (r.kind == ExportRecordKind::kBlock && Block::Decode(r.payload).value().header.height == 3) block3 = &r;
  }
  ASSERT_NE(block3, nullptr);
  std::string original = path + ".orig";
  std::filesystem::copy_file(path, original);
  // Header height, previous hash, time, proposer signature, a transaction body.
  for (uint64_t at : {uint64_t{3}, uint64_t{12}, uint64_t{45}, uint64_t{140}, block3->payload.size() - 80}) {
    std::filesystem::copy_file(original, path, std::filesystem::copy_options::overwrite_existing);
    FlipByte(path, block3->offset + 5 + at);
    AuditReport report = Audit(path);
    ASSERT_FALSE(report.clean()) << "byte " << at;
    EXPECT_EQ(report.fault->height, 3u) << report.Describe();
    EXPECT_TRUE(report.fault->check == "block_apply" || report.fault->check == "block_decode" ||
                report.fault->check == "block_height")
        << report.Describe();
    EXPECT_EQ(report.blocks_checked, 2u);
  }
}

TEST_F(AuditTest, AFlippedByteInACheckpointIsReportedAtItsHeight) {
  // Proves a flipped byte in the cosigned checkpoint of height 4 (fields or a signature) is reported at height 4.
  Grow(5);
  std::string path = Export();
  std::vector<ExportRecord> records = Records(path);
  const ExportRecord* cp4 = nullptr;
  for (const ExportRecord& r : records) {
    if (r.kind == ExportRecordKind::kCosignedCheckpoint &&
        CosignedCheckpoint::Decode(r.payload).value().checkpoint.height == 4) {
      cp4 = &r;
    }
  }
  ASSERT_NE(cp4, nullptr);
  std::string original = path + ".orig";
  std::filesystem::copy_file(path, original);
  struct Case {
    uint64_t at;
    std::string check;
  };
  // 4 (length) + 21 (tag) + 4 + network id: then height's low byte, the block hash, and the last signature.
  uint64_t after_network = 4 + kCheckpointDomainTag.size() + 4 + std::string(kNetworkId).size();
  for (const Case& c : {Case{after_network + 7, "checkpoint_mismatch"}, Case{after_network + 8 + 5, "checkpoint_mismatch"},
                        Case{cp4->payload.size() - 3, "checkpoint_signatures"}}) {
    std::filesystem::copy_file(original, path, std::filesystem::copy_options::overwrite_existing);
    FlipByte(path, cp4->offset + 5 + c.at);
    AuditReport report = Audit(path);
    ASSERT_FALSE(report.clean());
    EXPECT_EQ(report.fault->height, 4u) << report.Describe();
    EXPECT_TRUE(report.fault->check == c.check || report.fault->check == "checkpoint_height" ||
                report.fault->check == "checkpoint_decode")
        << report.Describe();
    EXPECT_EQ(report.blocks_checked, 4u);
  }
}

TEST_F(AuditTest, ATruncatedOrForeignExportIsAFault) {
  // Proves a cut-off export and a file that is not an export are faults, not crashes or silent passes.
  Grow(3);
  std::string path = Export();
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);
  AuditReport cut = Audit(path);
  ASSERT_FALSE(cut.clean());
  EXPECT_EQ(cut.fault->check, "source_read");
  std::string foreign = dir_ + "/foreign";
  std::ofstream(foreign) << "not a ledger at all";
  AuditReport report = Audit(foreign);
  ASSERT_FALSE(report.clean());
  EXPECT_EQ(report.fault->check, "export_format");
}

TEST_F(AuditTest, ANodesDataDirectoryAuditsCleanWithItsStoredCheckpoints) {
  // Proves a (stopped) node's store, with cosigned checkpoints in its checkpoint store, audits clean in place.
  Grow(4);
  CheckpointStore store(*ledger_);
  for (const auto& [height, cosigned] : cosigned_) ASSERT_TRUE(store.PutCosigned(cosigned).ok());
  crypto::Digest head = ledger_->blocks().head_hash();
  ledger_.reset();
  Result<AuditReport> report = AuditDataDir(ledger_path(), genesis_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->clean()) << report->Describe();
  EXPECT_EQ(report->blocks_checked, 4u);
  EXPECT_EQ(report->checkpoints_checked, 4u);
  EXPECT_EQ(report->head_hash, head);
}

TEST_F(AuditTest, ABoundedExportStopsAtTheLastWholeBlockWithinItsBytesAndSaysWhere) {
  // Proves WriteLedgerExportBounded writes only whole blocks (each with its cosigned
  // checkpoint) within bytes_max, reports the last height written, always writes
  // the first block, and that pages asked again from to_height + 1 join into an
  // export that audits clean.
  Grow(5);
  BlockLookup blocks = [this](uint64_t height) { return ledger_->blocks().GetBlock(height); };
  auto write = [&](uint64_t from, uint64_t bytes_max, std::string* out) {
    return WriteLedgerExportBounded(blocks, Lookup(), from, 5, bytes_max, [out](ByteView bytes) {
      out->append(AsStringView(bytes));
      return Status::Ok();
    });
  };
  std::string whole;
  ASSERT_TRUE(write(1, 0, &whole).ok());
  // Where each block's records end in the whole export.
  std::vector<uint64_t> ends;
  for (const ExportRecord& record : Records(WriteFile("whole.export", whole))) {
    if (record.kind == ExportRecordKind::kCosignedCheckpoint)
      ends.push_back(record.offset + 5 + record.payload.size());
  }
  ASSERT_EQ(ends.size(), 5u);

  std::string exact;
  Result<ExportWritten> at_three = write(1, ends[2], &exact);
  ASSERT_TRUE(at_three.ok()) << at_three.status().ToString();
  EXPECT_EQ(at_three->to_height, 3u);
  EXPECT_EQ(at_three->bytes, ends[2]);
  EXPECT_EQ(exact, whole.substr(0, ends[2]));

  std::string short_of_four;
  Result<ExportWritten> under = write(1, ends[3] - 1, &short_of_four);
  ASSERT_TRUE(under.ok());
  EXPECT_EQ(under->to_height, 3u);
  EXPECT_EQ(short_of_four.size(), ends[2]);

  std::string tiny;
  Result<ExportWritten> first_only = write(2, 1, &tiny);
  ASSERT_TRUE(first_only.ok());
  EXPECT_EQ(first_only->to_height, 2u);
  EXPECT_EQ(tiny.size(), kLedgerExportMagic.size() + (ends[1] - ends[0]));

  // Pages of at most two blocks' worth, each asked from the last one's end.
  const uint64_t bound = ends[1];
  std::string joined;
  for (uint64_t from = 1; from <= 5;) {
    std::string page;
    Result<ExportWritten> written = write(from, bound, &page);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    ASSERT_GE(written->to_height, from);
    joined.append(joined.empty() ? page : page.substr(kLedgerExportMagic.size()));
    from = written->to_height + 1;
  }
  EXPECT_EQ(joined, whole);
  AuditReport report = Audit(WriteFile("joined.export", joined));
  EXPECT_TRUE(report.clean()) << report.Describe();
  EXPECT_EQ(report.blocks_checked, 5u);
}

TEST_F(AuditTest, AStoreSnapshotReadsTheLedgerAsItWasWhenTaken) {
  // Proves a StoreSnapshot keeps its head and blocks while the ledger grows, and a
  // cosigned checkpoint stored after it is not seen through it.
  Grow(3);
  CheckpointStore store(*ledger_);
  for (const auto& [height, cosigned] : cosigned_) ASSERT_TRUE(store.PutCosigned(cosigned).ok());
  Block third = ledger_->blocks().GetBlock(3).value();
  StoreSnapshot snapshot(ledger_->blocks());
  Grow(2);
  ASSERT_TRUE(store.PutCosigned(cosigned_.at(4)).ok());
  EXPECT_EQ(ledger_->height(), 5u);
  EXPECT_EQ(snapshot.height(), 3u);
  Result<Block> read = snapshot.GetBlock(3);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->Encode(), third.Encode());
  EXPECT_EQ(snapshot.GetBlock(4).status().code(), ErrorCode::kNotFound);
  Result<std::optional<CosignedCheckpoint>> three = store.CosignedIn(snapshot, 3);
  ASSERT_TRUE(three.ok()) << three.status().ToString();
  ASSERT_TRUE(three->has_value());
  EXPECT_EQ((*three)->Encode(), cosigned_.at(3).Encode());
  Result<std::optional<CosignedCheckpoint>> four = store.CosignedIn(snapshot, 4);
  ASSERT_TRUE(four.ok());
  EXPECT_FALSE(four->has_value());
  EXPECT_TRUE(store.Cosigned(4).ok());
}

}  // namespace
}  // namespace shulian::ledger::testing
