// Crash consistency of LevelDbRaftStorage: a forked writer appends entries with
// sync=true and reports every acknowledged batch through a pipe; the parent
// SIGKILLs it at a random moment, reopens the log and checks that every
// acknowledged entry and hard state survived and the log is consistent. Repeated
// many times on one database, so each run starts from the previous crash.
//
// The conf-change test crashes deterministically instead: the database stops
// taking writes after the k-th one, for every k, which is exactly what a
// SIGKILL can leave (each LevelDB write is atomic on its own; a crash keeps a
// prefix of them), and checks what a restarted node would read.
#include <fcntl.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "node/applied_index.h"
#include "node/raft_storage.h"

namespace shulian::node {
namespace {

using consensus::Entry;
using consensus::EntryType;
using consensus::HardState;
using consensus::Index;
using consensus::Term;

constexpr int kRuns = 60;
constexpr int kKillDelayMicrosMin = 10'000;
constexpr int kKillDelayMicrosMax = 200'000;
constexpr int kWriterBatchesMax = 100'000;   // bound on a writer that is never killed
constexpr uint64_t kBatchEntriesMax = 8;
constexpr Index kCompactAbove = 300;        // log length that triggers a compaction
constexpr Index kKeepAfterCompact = 100;

// One acknowledgement: entries [first, last] at `term` and the hard state term are durable.
struct Ack {
  uint64_t first;
  uint64_t last;
  uint64_t term;
};

uint64_t BaseSeed() {
  const char* env = std::getenv("SHULIAN_CRASH_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20260417;
}

// Entry contents are a function of (index, term), so the parent can check them.
Bytes EntryData(Index index, Term term) {
  std::string s = "entry " + std::to_string(index) + " of term " + std::to_string(term) + " ";
  s.append(static_cast<size_t>((index * 37 + term) % 200), 'x');
  return ToBytes(s);
}

Result<std::unique_ptr<leveldb::DB>> OpenDb(const std::filesystem::path& path) {
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, path.string(), &db);
  if (!s.ok()) return Status::IoError(s.ToString());
  return std::unique_ptr<leveldb::DB>(db);
}

bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// The child: as term `run`+1, append batches of synced entries after the
// current tail until killed, acknowledging each on `ack_fd`. Exit codes say why
// it stopped on its own.
[[noreturn]] void RunWriter(const std::filesystem::path& path, uint64_t seed, Term term, int ack_fd) {
  auto db = OpenDb(path);
  if (!db.ok()) _exit(10);
  auto storage = LevelDbRaftStorage::Open(db->get());
  if (!storage.ok()) _exit(11);
  std::mt19937_64 rng(seed);
  LevelDbRaftStorage& log = **storage;
  for (int batch = 0; batch < kWriterBatchesMax; ++batch) {
    Index first = log.LastIndex().value() + 1;
    uint64_t count = 1 + rng() % kBatchEntriesMax;
    std::vector<Entry> entries;
    for (Index i = first; i < first + count; ++i) entries.push_back(Entry{term, i, EntryType::kNormal, EntryData(i, term)});
    HardState hs{term, 1, first - 1};
    if (!log.Save(&hs, entries, nullptr, /*sync=*/true).ok()) _exit(12);
    Ack ack{first, entries.back().index, term};
    if (!WriteAll(ack_fd, &ack, sizeof ack)) _exit(13);
    Index last = entries.back().index;
    if (last - (log.FirstIndex().value() - 1) > kCompactAbove) {
      // Unsynced on purpose: losing a compaction must be harmless.
      if (!log.Compact(last - kKeepAfterCompact, /*sync=*/false).ok()) _exit(14);
    }
  }
  _exit(0);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "shulian-raft-crash-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Reads every whole Ack left in the pipe (the writer is dead, so this ends).
std::vector<Ack> DrainAcks(int fd) {
  std::vector<Ack> acks;
  std::string buffer;
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  for (size_t off = 0; off + sizeof(Ack) <= buffer.size(); off += sizeof(Ack)) {
    Ack ack;
    std::memcpy(&ack, buffer.data() + off, sizeof ack);
    acks.push_back(ack);
  }
  return acks;
}

TEST(RaftStorageCrashTest, SigkilledWriterNeverLosesAcknowledgedEntries) {
  // Across 60 SIGKILLs at random moments, every acknowledged entry and hard state survives and the log reopens consistent.
  TempDir dir;
  const std::filesystem::path db_path = dir.path() / "db";
  const uint64_t seed = BaseSeed();
  std::mt19937_64 rng(seed);
  std::map<Index, Term> acked;  // index -> term of every acknowledged entry
  Term acked_term = 0;
  uint64_t total_acks = 0;
  auto started = std::chrono::steady_clock::now();
  for (int run = 0; run < kRuns; ++run) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " run " + std::to_string(run));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    Term term = static_cast<Term>(run) + 1;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      RunWriter(db_path, seed ^ static_cast<uint64_t>(run), term, fds[1]);
    }
    close(fds[1]);
    auto delay_micros = kKillDelayMicrosMin + static_cast<int>(rng() % (kKillDelayMicrosMax - kKillDelayMicrosMin));
    usleep(static_cast<useconds_t>(delay_micros));
    kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    if (WIFEXITED(wstatus)) FAIL() << "writer exited on its own with code " << WEXITSTATUS(wstatus);
    std::vector<Ack> acks = DrainAcks(fds[0]);
    close(fds[0]);
    total_acks += acks.size();
    for (const Ack& ack : acks) {
      for (Index i = ack.first; i <= ack.last; ++i) acked[i] = ack.term;
      acked_term = std::max(acked_term, ack.term);
    }

    auto db = OpenDb(db_path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto storage = LevelDbRaftStorage::Open(db->get());
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    LevelDbRaftStorage& log = **storage;
    Index first = log.FirstIndex().value();
    Index last = log.LastIndex().value();
    if (!acked.empty()) {
      ASSERT_GE(last, acked.rbegin()->first) << "an acknowledged entry was lost";
    }
    EXPECT_GE(log.hard_state().term, acked_term) << "an acknowledged hard state was lost";
    // Only the compacted prefix may be gone; everything acknowledged above it is intact.
    for (auto it = acked.lower_bound(first); it != acked.end(); ++it) {
      auto entries = log.Entries(it->first, it->first + 1, UINT64_MAX);
      ASSERT_TRUE(entries.ok()) << entries.status().ToString();
      const Entry& e = entries->front();
      ASSERT_EQ(e.term, it->second) << "entry " << it->first;
      ASSERT_EQ(e.data, EntryData(it->first, it->second)) << "entry " << it->first;
    }
    // Unacknowledged entries past the last ack may exist (synced but killed
    // before the ack was written); they must still be well-formed.
    auto tail = log.Entries(first, last + 1, UINT64_MAX);
    ASSERT_TRUE(tail.ok()) << tail.status().ToString();
    for (const Entry& e : *tail) {
      ASSERT_EQ(e.data, EntryData(e.index, e.term)) << "entry " << e.index;
      acked.emplace(e.index, e.term);  // present now; the next runs must keep it
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("raft storage crash test: %d kills, %llu acknowledged batches, log ends at %llu, %.1f s\n", kRuns,
              static_cast<unsigned long long>(total_acks),
              static_cast<unsigned long long>(acked.empty() ? 0 : acked.rbegin()->first), seconds);
  EXPECT_GT(total_acks, 0u) << "no writer ever acknowledged a batch: the test proved nothing";
}

// A real LevelDB that "crashes" after `writes_max` writes: later writes change
// nothing and fail, as if the process had died just before them. It records, for
// every write it let through, whether it was synced and which keys it carried.
class CrashingDb final : public leveldb::DB {
 public:
  struct WriteSeen {
    bool sync = false;
    std::vector<std::string> keys;
  };

  CrashingDb(leveldb::DB* db, size_t writes_max) : db_(db), writes_max_(writes_max) {}

  leveldb::Status Put(const leveldb::WriteOptions& options, const leveldb::Slice& key,
                      const leveldb::Slice& value) override {
    leveldb::WriteBatch batch;
    batch.Put(key, value);
    return Write(options, &batch);
  }
  leveldb::Status Delete(const leveldb::WriteOptions& options, const leveldb::Slice& key) override {
    leveldb::WriteBatch batch;
    batch.Delete(key);
    return Write(options, &batch);
  }
  leveldb::Status Write(const leveldb::WriteOptions& options, leveldb::WriteBatch* updates) override {
    if (writes_.size() >= writes_max_) return leveldb::Status::IOError("simulated crash");
    KeyCollector keys;
    if (leveldb::Status s = updates->Iterate(&keys); !s.ok()) return s;
    leveldb::Status s = db_->Write(options, updates);
    if (s.ok()) writes_.push_back(WriteSeen{options.sync, std::move(keys.keys)});
    return s;
  }
  leveldb::Status Get(const leveldb::ReadOptions& options, const leveldb::Slice& key,
                      std::string* value) override {
    return db_->Get(options, key, value);
  }
  leveldb::Iterator* NewIterator(const leveldb::ReadOptions& options) override {
    return db_->NewIterator(options);
  }
  const leveldb::Snapshot* GetSnapshot() override { return db_->GetSnapshot(); }
  void ReleaseSnapshot(const leveldb::Snapshot* snapshot) override { db_->ReleaseSnapshot(snapshot); }
  bool GetProperty(const leveldb::Slice& property, std::string* value) override {
    return db_->GetProperty(property, value);
  }
  void GetApproximateSizes(const leveldb::Range* range, int n, uint64_t* sizes) override {
    db_->GetApproximateSizes(range, n, sizes);
  }
  void CompactRange(const leveldb::Slice* begin, const leveldb::Slice* end) override {
    db_->CompactRange(begin, end);
  }

  const std::vector<WriteSeen>& writes() const { return writes_; }

 private:
  struct KeyCollector : leveldb::WriteBatch::Handler {
    void Put(const leveldb::Slice& key, const leveldb::Slice&) override { keys.push_back(key.ToString()); }
    void Delete(const leveldb::Slice& key) override { keys.push_back(key.ToString()); }
    std::vector<std::string> keys;
  };

  leveldb::DB* db_;
  size_t writes_max_;
  std::vector<WriteSeen> writes_;
};

// One applied entry of the scenario: a conf change (the membership it yields) or
// an entry that changes nothing (an empty entry or a skipped block).
struct AppliedEntry {
  Index index;
  std::optional<consensus::ConfState> conf_state;
};

// Applies `entries` the way the node does (node.cc ApplyEntry), stopping at the
// first failed write: the crash.
void ApplyUntilCrash(LevelDbRaftStorage* storage, leveldb::DB* db, const std::vector<AppliedEntry>& entries) {
  for (const AppliedEntry& e : entries) {
    Status s =
        e.conf_state ? SaveAppliedConfChange(storage, *e.conf_state, e.index) : SaveAppliedIndex(db, e.index);
    if (!s.ok()) return;
  }
}

TEST(RaftStorageCrashTest, AConfChangeAndItsAppliedIndexSurviveACrashTogether) {
  // Crashing after every possible write around three conf changes, the reopened database's membership is
  // always exactly the one as of its applied index, and every conf change went to disk in one synced batch
  // with its index.
  const consensus::ConfState genesis{{1, 2, 3}, {}, {}};
  const consensus::ConfState with_learner{{1, 2, 3}, {4}, {}};
  const consensus::ConfState with_voter{{1, 2, 3, 4}, {}, {}};
  const consensus::ConfState without_three{{1, 2, 4}, {}, {3}};
  const std::vector<AppliedEntry> entries = {
      {2, std::nullopt}, {3, with_learner}, {4, std::nullopt},
      {5, with_voter},   {6, std::nullopt}, {7, without_three},
  };
  // The membership as of applied index `applied`: the last change at or below it.
  auto conf_as_of = [&](Index applied) {
    consensus::ConfState conf = genesis;
    for (const AppliedEntry& e : entries) {
      if (e.index <= applied && e.conf_state) conf = *e.conf_state;
    }
    return conf;
  };
  bool crashed_mid_sequence = false;
  for (size_t writes_max = 0;; ++writes_max) {
    SCOPED_TRACE("crash after write " + std::to_string(writes_max));
    TempDir dir;
    const std::filesystem::path db_path = dir.path() / "db";
    size_t writes_done = 0;
    {
      auto real = OpenDb(db_path);
      ASSERT_TRUE(real.ok()) << real.status().ToString();
      auto boot_storage = LevelDbRaftStorage::Open(real->get());
      ASSERT_TRUE(boot_storage.ok()) << boot_storage.status().ToString();
      consensus::Snapshot boot;  // as a fresh node bootstraps (node.cc StartRaft)
      boot.metadata.index = 1;
      boot.metadata.term = 1;
      boot.metadata.conf_state = genesis;
      ASSERT_TRUE((*boot_storage)->Save(nullptr, {}, &boot, /*sync=*/true).ok());
      boot_storage->reset();

      CrashingDb crashing(real->get(), writes_max);
      auto storage = LevelDbRaftStorage::Open(&crashing);
      ASSERT_TRUE(storage.ok()) << storage.status().ToString();
      ApplyUntilCrash(storage->get(), &crashing, entries);
      writes_done = crashing.writes().size();
      for (const CrashingDb::WriteSeen& w : crashing.writes()) {
        const bool has_conf = std::ranges::count(w.keys, std::string(LevelDbRaftStorage::kConfStateKey)) > 0;
        const bool has_applied = std::ranges::count(w.keys, std::string(kAppliedIndexKey)) > 0;
        if (!has_conf) continue;
        EXPECT_TRUE(has_applied) << "a membership record was written without its applied index";
        EXPECT_TRUE(w.sync) << "a membership record was written unsynced";
      }
    }
    // Restart: what the node reads in StartRaft.
    auto db = OpenDb(db_path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto storage = LevelDbRaftStorage::Open(db->get());
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    Result<Index> stored_applied = ReadAppliedIndex(db->get());
    ASSERT_TRUE(stored_applied.ok()) << stored_applied.status().ToString();
    const Index applied = std::max<Index>(*stored_applied, 1);
    auto initial = (*storage)->InitialState();
    ASSERT_TRUE(initial.ok()) << initial.status().ToString();
    const consensus::ConfState expected = conf_as_of(applied);
    EXPECT_EQ(initial->conf_state.voters, expected.voters) << "applied index " << applied;
    EXPECT_EQ(initial->conf_state.learners, expected.learners) << "applied index " << applied;
    EXPECT_EQ(initial->conf_state.removed, expected.removed) << "applied index " << applied;
    if (writes_done < writes_max) {
      // Nothing left to crash in: the whole sequence was applied.
      EXPECT_EQ(applied, entries.back().index);
      break;
    }
    crashed_mid_sequence = true;
  }
  EXPECT_TRUE(crashed_mid_sequence) << "no crash point was exercised: the test proved nothing";
}

}  // namespace
}  // namespace shulian::node
