#include "consensus/config.h"

namespace shulian::consensus {

Status Config::Validate() const {
  if (id == kNoNode) return Status::InvalidArgument("config.id: must not be 0");
  if (heartbeat_ticks == 0) return Status::InvalidArgument("config.heartbeat_ticks: must be > 0");
  if (election_timeout_ticks <= heartbeat_ticks) {
    return Status::InvalidArgument("config.election_timeout_ticks: must be greater than heartbeat_ticks");
  }
  if (election_timeout_ticks > (1u << 30)) {
    return Status::InvalidArgument("config.election_timeout_ticks: too large");
  }
  if (max_size_per_append_bytes == 0) return Status::InvalidArgument("config.max_size_per_append_bytes: must be > 0");
  if (max_inflight_messages == 0) return Status::InvalidArgument("config.max_inflight_messages: must be > 0");
  if (max_inflight_bytes < max_size_per_append_bytes) {
    return Status::InvalidArgument("config.max_inflight_bytes: must be >= max_size_per_append_bytes");
  }
  if (max_uncommitted_entries_bytes == 0) {
    return Status::InvalidArgument("config.max_uncommitted_entries_bytes: must be > 0");
  }
  if (max_committed_size_per_ready_bytes == 0) {
    return Status::InvalidArgument("config.max_committed_size_per_ready_bytes: must be > 0");
  }
  if (max_proposal_bytes == 0) return Status::InvalidArgument("config.max_proposal_bytes: must be > 0");
  if (max_pending_read_requests == 0) return Status::InvalidArgument("config.max_pending_read_requests: must be > 0");
  if (max_outgoing_messages == 0) return Status::InvalidArgument("config.max_outgoing_messages: must be > 0");
  if (read_only == ReadOnlyOption::kLeaseBased && !check_quorum) {
    return Status::InvalidArgument("config.read_only: lease-based reads need check_quorum");
  }
  return Status::Ok();
}

}  // namespace shulian::consensus
