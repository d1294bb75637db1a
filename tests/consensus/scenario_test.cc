// Scenario tests: each tests/consensus/testdata/*.txt file is a script of
// commands, each followed by "----" and its expected output. The interpreter
// runs the commands on a Cluster and compares the output; with SHULIAN_REWRITE=1
// it rewrites the expected output in place (review the diff like code).
//
// Commands (ids are node ids; key=value options):
//   add-nodes N [voters=(1,2,3)] [learners=(4)] [index=1] [pre-vote=false]
//             [check-quorum=false] [read-only=lease] [election=10] [heartbeat=1]
//             [max-inflight=N] [max-append-bytes=N] [max-uncommitted-bytes=N]
//   campaign ID | tick ID [N] | tick-all N | process-ready ID...
//   deliver-msgs [from=ID] [to=ID] [type=App] | drop-msgs [from=ID] [to=ID] [type=..]
//   partition (1) (2,3) | heal | stabilize | propose ID DATA
//   propose-conf-change ID add=4|learner=4|remove=2 | transfer-leader ID to=ID
//   read-index ID CTX | compact ID INDEX | restart ID | status ID | raft-log ID
//   raft-state | applied ID | report-unreachable ID to=ID | set-snapshot-unavailable ID on|off
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/consensus/cluster.h"

namespace shulian::consensus::testing {
namespace {

struct Block {
  std::vector<std::string> prelude;  // comments and blank lines before the command
  std::string command;
  std::vector<std::string> expected;
  size_t line = 0;
};

Result<std::vector<Block>> ParseScenario(const std::string& path, std::vector<std::string>* trailer) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<Block> blocks;
  Block current;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      if (!line.empty()) current.prelude.push_back(line);  // blank lines are regenerated
      ++i;
      continue;
    }
    current.command = line;
    current.line = i + 1;
    ++i;
    if (i >= lines.size() || lines[i] != "----") {
      return Status::InvalidArgument(path + ":" + std::to_string(current.line) + ": expected ---- after command");
    }
    ++i;
    while (i < lines.size() && !lines[i].empty()) current.expected.push_back(lines[i++]);
    blocks.push_back(std::move(current));
    current = Block{};
  }
  *trailer = current.prelude;
  return blocks;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, sep);) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

uint64_t ToU64(const std::string& s) { return std::stoull(s); }

// "(1,2,3)" -> {1,2,3}
std::vector<NodeId> IdList(const std::string& s) {
  std::string inner = s;
  if (!inner.empty() && inner.front() == '(') inner = inner.substr(1);
  if (!inner.empty() && inner.back() == ')') inner.pop_back();
  std::vector<NodeId> out;
  for (const std::string& part : Split(inner, ',')) out.push_back(ToU64(part));
  return out;
}

class Interpreter {
 public:
  std::vector<std::string> Run(const std::string& command) {
    std::vector<std::string> args = Split(command, ' ');
    std::map<std::string, std::string> kv;
    std::vector<std::string> positional;
    for (size_t i = 1; i < args.size(); ++i) {
      auto eq = args[i].find('=');
      if (eq == std::string::npos) {
        positional.push_back(args[i]);
      } else {
        kv[args[i].substr(0, eq)] = args[i].substr(eq + 1);
      }
    }
    std::vector<std::string> out;
    Status s = Dispatch(args.at(0), positional, kv, &out);
    if (!s.ok()) out.push_back("error: " + s.ToString());
    if (!cluster_.violation().ok()) out.push_back("INVARIANT VIOLATED: " + cluster_.violation().ToString());
    if (out.empty()) out.push_back("ok");
    // Multi-line entries (status) are split so the file stays line-oriented.
    std::vector<std::string> lines;
    for (const std::string& o : out) {
      for (const std::string& l : Split(o, '\n')) lines.push_back(l);
    }
    return lines;
  }

  const Cluster& cluster() const { return cluster_; }

 private:
  static Cluster::Filter MessageFilter(const std::map<std::string, std::string>& kv) {
    NodeId from = kv.count("from") ? ToU64(kv.at("from")) : kNoNode;
    NodeId to = kv.count("to") ? ToU64(kv.at("to")) : kNoNode;
    std::string type = kv.count("type") ? kv.at("type") : "";
    return [=](const Message& m) {
      return (from == kNoNode || m.from == from) && (to == kNoNode || m.to == to) &&
             (type.empty() || MessageTypeName(m.type) == type);
    };
  }

  Status Dispatch(const std::string& cmd, const std::vector<std::string>& pos,
                  const std::map<std::string, std::string>& kv, std::vector<std::string>* out) {
    auto id_at = [&](size_t i) -> NodeId { return ToU64(pos.at(i)); };
    if (cmd == "add-nodes") {
      NodeOptions o;
      if (kv.count("pre-vote")) o.pre_vote = kv.at("pre-vote") == "true";
      if (kv.count("check-quorum")) o.check_quorum = kv.at("check-quorum") == "true";
      if (kv.count("read-only") && kv.at("read-only") == "lease") o.read_only = ReadOnlyOption::kLeaseBased;
      if (kv.count("election")) o.election_timeout_ticks = static_cast<uint32_t>(ToU64(kv.at("election")));
      if (kv.count("heartbeat")) o.heartbeat_ticks = static_cast<uint32_t>(ToU64(kv.at("heartbeat")));
      if (kv.count("max-inflight")) o.max_inflight_messages = static_cast<uint32_t>(ToU64(kv.at("max-inflight")));
      if (kv.count("max-append-bytes")) o.max_size_per_append_bytes = ToU64(kv.at("max-append-bytes"));
      if (kv.count("max-uncommitted-bytes")) o.max_uncommitted_entries_bytes = ToU64(kv.at("max-uncommitted-bytes"));
      std::vector<NodeId> voters = kv.count("voters") ? IdList(kv.at("voters")) : std::vector<NodeId>{};
      std::vector<NodeId> learners = kv.count("learners") ? IdList(kv.at("learners")) : std::vector<NodeId>{};
      Index index = kv.count("index") ? ToU64(kv.at("index")) : 1;
      size_t before = cluster_.ids().size();
      RETURN_IF_ERROR(cluster_.AddNodes(ToU64(pos.at(0)), voters, learners, index, o));
      std::vector<NodeId> all = cluster_.ids();
      for (size_t i = before; i < all.size(); ++i) out->push_back(DescribeNode(cluster_.node(all[i])));
      return Status::Ok();
    }
    if (cmd == "campaign") return cluster_.node(id_at(0)).raw->Campaign();
    if (cmd == "tick") return cluster_.Tick(id_at(0), pos.size() > 1 ? ToU64(pos.at(1)) : 1);
    if (cmd == "tick-all") {
      size_t n = pos.empty() ? 1 : ToU64(pos.at(0));
      for (size_t t = 0; t < n; ++t) {
        for (NodeId id : cluster_.ids()) RETURN_IF_ERROR(cluster_.Tick(id, 1));
      }
      return Status::Ok();
    }
    if (cmd == "process-ready") {
      for (size_t i = 0; i < pos.size(); ++i) RETURN_IF_ERROR(cluster_.ProcessReady(id_at(i), out));
      return Status::Ok();
    }
    if (cmd == "deliver-msgs") return cluster_.Deliver(MessageFilter(kv), out, /*trace_delivered=*/true);
    if (cmd == "drop-msgs") {
      for (const Message& m : cluster_.Drop(MessageFilter(kv))) out->push_back("  dropped " + DescribeMessage(m));
      return Status::Ok();
    }
    if (cmd == "partition") {
      std::vector<std::vector<NodeId>> groups;
      for (const std::string& p : pos) groups.push_back(IdList(p));
      cluster_.Partition(groups);
      return Status::Ok();
    }
    if (cmd == "heal") {
      cluster_.Heal();
      return Status::Ok();
    }
    if (cmd == "stabilize") return cluster_.Stabilize(out);
    if (cmd == "propose") return cluster_.node(id_at(0)).raw->Propose(ToBytes(pos.at(1)));
    if (cmd == "propose-conf-change") {
      ConfChange c;
      if (kv.count("add")) {
        c.type = ConfChangeType::kAddVoter;
        c.node_id = ToU64(kv.at("add"));
      } else if (kv.count("learner")) {
        c.type = ConfChangeType::kAddLearner;
        c.node_id = ToU64(kv.at("learner"));
      } else if (kv.count("remove")) {
        c.type = ConfChangeType::kRemoveNode;
        c.node_id = ToU64(kv.at("remove"));
      } else {
        return Status::InvalidArgument("propose-conf-change: need add=, learner= or remove=");
      }
      return cluster_.node(id_at(0)).raw->ProposeConfChange(c);
    }
    if (cmd == "transfer-leader") return cluster_.node(id_at(0)).raw->TransferLeadership(ToU64(kv.at("to")));
    if (cmd == "read-index") return cluster_.node(id_at(0)).raw->ReadIndex(ToBytes(pos.at(1)));
    if (cmd == "compact") return cluster_.Compact(id_at(0), ToU64(pos.at(1)));
    if (cmd == "restart") {
      RETURN_IF_ERROR(cluster_.Restart(id_at(0)));
      out->push_back(DescribeNode(cluster_.node(id_at(0))));
      return Status::Ok();
    }
    if (cmd == "status") {
      out->push_back(DescribeNode(cluster_.node(id_at(0))));
      return Status::Ok();
    }
    if (cmd == "raft-state") {
      for (NodeId id : cluster_.ids()) {
        TestNode& n = cluster_.node(id);
        out->push_back(std::to_string(id) + ": " + std::string(RoleName(n.raw->role())) +
                       " term=" + std::to_string(n.raw->term()) + " lead=" + std::to_string(n.raw->leader()) +
                       " commit=" + std::to_string(n.raw->committed()));
      }
      return Status::Ok();
    }
    if (cmd == "raft-log") {
      TestNode& n = cluster_.node(id_at(0));
      ASSIGN_OR_RETURN(Index first, n.storage->FirstIndex());
      ASSIGN_OR_RETURN(Index last, n.storage->LastIndex());
      ASSIGN_OR_RETURN(Snapshot snap, n.storage->GetSnapshot());
      if (!snap.IsEmpty()) {
        out->push_back("snapshot " + std::to_string(snap.metadata.term) + "/" + std::to_string(snap.metadata.index) +
                       " " + DescribeConfState(snap.metadata.conf_state));
      }
      if (first <= last) {
        ASSIGN_OR_RETURN(std::vector<Entry> entries, n.storage->Entries(first, last + 1, UINT64_MAX));
        for (const Entry& e : entries) out->push_back(DescribeEntry(e));
      }
      if (out->empty()) out->push_back("log is empty");
      return Status::Ok();
    }
    if (cmd == "applied") {
      TestNode& n = cluster_.node(id_at(0));
      std::string line = std::to_string(id_at(0)) + ": applied_index=" + std::to_string(n.applied_index) + " data:";
      for (const auto& [index, value] : n.applied_data) {
        if (!value.empty()) line += " " + std::to_string(index) + ":" + value;
      }
      out->push_back(line);
      return Status::Ok();
    }
    if (cmd == "report-unreachable") {
      cluster_.node(id_at(0)).raw->ReportUnreachable(ToU64(kv.at("to")));
      return Status::Ok();
    }
    if (cmd == "set-snapshot-unavailable") {
      cluster_.node(id_at(0)).storage->SetSnapshotTemporarilyUnavailable(pos.at(1) == "on");
      return Status::Ok();
    }
    return Status::InvalidArgument("unknown command '" + cmd + "'");
  }

  Cluster cluster_;
};

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(SHULIAN_CONSENSUS_TESTDATA)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

// Proves that the traces recorded in one scenario file still hold, with the
// invariant checker run after every step.
TEST_P(ScenarioTest, TraceMatchesExpected) {
  const std::string path = GetParam();
  std::vector<std::string> trailer;
  Result<std::vector<Block>> blocks = ParseScenario(path, &trailer);
  ASSERT_TRUE(blocks.ok()) << blocks.status().ToString();
  const bool rewrite = std::getenv("SHULIAN_REWRITE") != nullptr && std::string(std::getenv("SHULIAN_REWRITE")) == "1";
  Interpreter interpreter;
  std::ostringstream rewritten;
  for (const Block& block : *blocks) {
    std::vector<std::string> actual = interpreter.Run(block.command);
    for (const std::string& p : block.prelude) rewritten << p << "\n";
    rewritten << block.command << "\n----\n";
    for (const std::string& a : actual) rewritten << a << "\n";
    rewritten << "\n";
    if (!rewrite && actual != block.expected) {
      std::string exp;
      std::string got;
      for (const auto& e : block.expected) exp += e + "\n";
      for (const auto& a : actual) got += a + "\n";
      ADD_FAILURE() << path << ":" << block.line << ": " << block.command << "\nexpected:\n" << exp << "actual:\n" << got;
    }
  }
  EXPECT_TRUE(interpreter.cluster().violation().ok()) << interpreter.cluster().violation().ToString();
  if (rewrite) {
    for (const std::string& p : trailer) rewritten << p << "\n";
    std::string text = rewritten.str();
    while (text.size() >= 2 && text.substr(text.size() - 2) == "\n\n") text.pop_back();
    std::ofstream(path) << text;
  }
}

INSTANTIATE_TEST_SUITE_P(Files, ScenarioTest, ::testing::ValuesIn(ScenarioFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = std::filesystem::path(param_info.param).stem().string();
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace shulian::consensus::testing
