// Node's operator actions (api::NodeService "Operations"): handing leadership to a
// named voter before maintenance, and backups. The event loop owns the Raft node,
// so the API thread only queues a transfer and watches the published status. A
// backup runs on the API thread from a LevelDB snapshot: no lock of the node's is
// held while it copies, so the loop keeps its heartbeats and applies.
#include <algorithm>
#include <chrono>
#include <thread>

#include "ledger/state_keys.h"
#include "ledger/state_store.h"
#include "node/backup.h"
#include "node/log.h"
#include "node/node_impl.h"

namespace shulian::node {
namespace {

constexpr auto kTransferPoll = std::chrono::milliseconds(20);
constexpr std::string_view kComponent = "operations";

}  // namespace

Status Node::Impl::CheckOperator(const api::Caller& caller, std::string_view what) const {
  if (caller.anonymous()) return Status::PermissionDenied(std::string(what) + ": a signed request is required");
  std::shared_lock<std::shared_mutex> lock(ledger_mutex);
  Result<ledger::AccountRecord> account =
      ledger::LoadRecord<ledger::AccountRecord>(ledger->state(), ledger::Key("ac").Id(*caller.account));
  if (!account.ok() && account.status().code() != ErrorCode::kNotFound) return account.status();
  if (!account.ok() || account->status != ledger::AccountStatus::kActive ||
      !account->HasRole(ledger::Role::kOperator)) {
    return Status::PermissionDenied(std::string(what) + ": only an active operator account may do this");
  }
  return Status::Ok();
}

Result<api::NodeStatus> Node::TransferLeadership(const api::Caller& caller, uint64_t target, uint64_t timeout_ms) {
  Impl& s = *impl_;
  RETURN_IF_ERROR(s.CheckOperator(caller, "leadership transfer"));
  ASSIGN_OR_RETURN(api::NodeStatus status, GetStatus());
  if (status.role != "leader") return s.NotLeader();
  if (!status.membership || std::find(status.membership->voters.begin(), status.membership->voters.end(), target) ==
                                status.membership->voters.end()) {
    return Status::InvalidArgument("to: node " + std::to_string(target) + " is not a voter of this network");
  }
  if (target == s.config.node_id) return status;  // already leads
  {
    std::lock_guard<std::mutex> lock(s.inbox_mutex);
    if (s.inbox.size() >= s.config.limits.inbox_events_max) {
      return Status::ResourceExhausted("the node's inbox is full; retry later");
    }
    s.inbox.push_back({InboxEvent::Kind::kTransferLeadership, target, {}, 0});
    s.inbox_cv.notify_one();
  }
  Log(LogLevel::kInfo, kComponent, "leadership transfer asked",
      {{"to", std::to_string(target)}, {"by", *caller.account}});
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline && !s.stopping) {
    if (s.leader == target) return GetStatus();
    std::this_thread::sleep_for(kTransferPoll);
  }
  return Status::Unavailable("node " + std::to_string(target) + " did not take the leadership within " +
                             std::to_string(timeout_ms) + " ms (this node is " +
                             (s.leader == s.config.node_id ? std::string("still the leader") : "no longer the leader") +
                             "); see the nodes' logs");
}

Result<nlohmann::json> Node::Backup(const api::Caller& caller, const std::string& out) {
  Impl& s = *impl_;
  RETURN_IF_ERROR(s.CheckOperator(caller, "backup"));
  const std::filesystem::path path(out);
  if (!path.is_absolute()) return Status::InvalidArgument("out: must be an absolute path on the node's host");
  const std::filesystem::path normal = path.lexically_normal();
  const std::filesystem::path db = (s.config.data_dir / "db").lexically_normal();
  auto [db_end, normal_end] = std::mismatch(db.begin(), db.end(), normal.begin(), normal.end());
  if (db_end == db.end())
    return Status::InvalidArgument("out: must not be inside the database folder " + db.string());
  if (s.backup_running.exchange(true))
    return Status::ResourceExhausted("another backup is running; retry later");
  Log(LogLevel::kInfo, kComponent, "backup started", {{"out", normal.string()}, {"by", *caller.account}});
  const BackupIdentity identity{s.config.network_id, s.genesis.Hash(), s.config.node_id};
  Result<BackupManifest> written =
      WriteBackup(s.ledger->db(), identity, normal, s.config.limits.backup_bytes_max, s.stopping);
  s.backup_running = false;
  if (!written.ok()) {
    Log(LogLevel::kWarn, kComponent, "backup failed",
        {{"out", normal.string()}, {"error", written.status().message()}});
    return written.status();
  }
  Log(LogLevel::kInfo, kComponent, "backup written",
      {{"out", normal.string()},
       {"height", std::to_string(written->height)},
       {"files", std::to_string(written->files.size())}});
  return BackupManifestToJson(*written);
}

}  // namespace shulian::node
