// Node's evidence side (docs/node.md, "Checkpoint cosigning"; docs/evidence.md):
// the checkpointer's start and its peer messages, and the NodeService methods
// for cosigned checkpoints, consistency proofs, evidence bundles and ledger
// exports. Everything here reads the node's local applied state under the
// ledger's reader lock: a bundle proves itself against its cosigned checkpoint,
// so no ReadIndex round is needed.
#include <algorithm>
#include <string>

#include "ledger/evidence.h"
#include "ledger/ledger_export.h"
#include "ledger/queries.h"
#include "node/checkpoint_messages.h"
#include "node/checkpointer.h"
#include "node/log.h"
#include "node/node.h"
#include "node/node_impl.h"

namespace shulian::node {
namespace {

std::string U64(uint64_t v) { return std::to_string(v); }

// The builders refuse a subject with too many records as ResourceExhausted; for
// the API that is a request to narrow, not a full queue to retry.
Status NarrowingError(const Status& status) {
  if (status.code() != ErrorCode::kResourceExhausted) return status;
  return Status::InvalidArgument(status.message() + " (narrow the time range)");
}

}  // namespace

// ------------------------------- checkpointer -------------------------------

Status Node::Impl::CreateCheckpointer() {
  CheckpointerOptions options;
  options.self_id = config.node_id;
  const NodeLimits& limits = config.limits;
  options.inbox_messages_max = static_cast<size_t>(limits.checkpoint_inbox_messages_max);
  options.votes_buffered_max = static_cast<size_t>(limits.checkpoint_votes_buffered_max);
  options.heights_ahead_max = limits.checkpoint_heights_ahead_max;
  options.request_delay_ms = limits.checkpoint_request_delay_ms;
  options.request_interval_ms = limits.checkpoint_request_interval_ms;
  options.signing_backlog_max = limits.checkpoint_signing_backlog_max;
  options.sign_every_heights = limits.checkpoint_every_heights;
  options.head_quiet_ms = limits.checkpoint_head_quiet_ms;
  for (const PeerEntry& peer : config.peers) {
    if (peer.id != config.node_id) options.peers.push_back(peer.id);
  }
  auto send = [this](uint64_t to, Bytes body) {
    if (!transport) return;
    Status sent = transport->Send(to, WithChannel(PeerChannel::kCheckpoint, body));
    if (!sent.ok()) {
      Log(LogLevel::kDebug, "checkpoint", "could not queue a checkpoint message",
          {{"peer", U64(to)}, {"error", sent.message()}});
    }
  };
  ASSIGN_OR_RETURN(checkpointer, Checkpointer::Create(*ledger, ledger_mutex, node_key, options, send));
  return Status::Ok();
}

void Node::Impl::DeliverCheckpointMessage(uint64_t from, ByteView body) {
  if (checkpointer) checkpointer->Deliver(from, body);
}

Result<ledger::CosignedCheckpoint> Node::Impl::CosignedFor(std::optional<uint64_t> height) const {
  if (!checkpointer) return Status::Unavailable("the node is shutting down");
  if (height) {
    Result<ledger::CosignedCheckpoint> found = checkpointer->Cosigned(*height);
    if (!found.ok() && found.status().code() == ErrorCode::kNotFound) {
      return Status::NotFound("this node holds no cosigned checkpoint at height " + U64(*height));
    }
    return found;
  }
  ASSIGN_OR_RETURN(std::optional<ledger::CosignedCheckpoint> latest, checkpointer->LatestCosigned());
  if (!latest) return Status::NotFound("this node holds no cosigned checkpoint yet");
  return *latest;
}

// The subject's own scope decides, before any record is read: a transaction
// bundle as GET /v1/transactions/{hash}; an asset's accesses as the
// access_by_asset query; a dispute as the dispute query, and for its opener every
// record the case refers to must be one it sees. Refusals read the same whether
// or not the subject or its records exist. The validator history is governance the
// verifier needs, visible to any signed caller.
Status Node::Impl::CheckSeesEvidenceSubject(const api::Caller& caller, const api::EvidenceRequest& request) const {
  ledger::Queries queries(ledger->state());
  ASSIGN_OR_RETURN(ledger::Viewer viewer, queries.ViewerFor(*caller.account));
  switch (request.kind) {
    case api::EvidenceKind::kTransaction:
      return FindVisibleTransaction(caller, request.tx_hash).status();
    case api::EvidenceKind::kAssetAccess:
      return queries.RequireAssetAccess(viewer, request.asset_id);
    case api::EvidenceKind::kDispute: {
      ASSIGN_OR_RETURN(ledger::DisputeRecord dispute, queries.Dispute(viewer, request.dispute_id));
      if (viewer.scope == ledger::ViewScope::kEverything) return Status::Ok();
      for (const crypto::Digest& ref : dispute.record_refs) {
        if (!FindVisibleTransaction(caller, ref).ok()) {
          return Status::PermissionDenied("dispute \"" + request.dispute_id + "\" refers to records outside the "
                                          "scope of account \"" + *caller.account +
                                          "\"; a court, arbitrator, auditor or operator can export its bundle");
        }
      }
      return Status::Ok();
    }
  }
  return Status::Internal("no bundle kind");
}

// ------------------------------- NodeService -------------------------------

Result<ledger::CosignedCheckpoint> Node::LatestCheckpoint() {
  std::shared_lock<std::shared_mutex> lock(impl_->ledger_mutex);
  return impl_->CosignedFor(std::nullopt);
}

Result<ledger::CosignedCheckpoint> Node::CheckpointAtHeight(uint64_t height) {
  std::shared_lock<std::shared_mutex> lock(impl_->ledger_mutex);
  return impl_->CosignedFor(height);
}

Result<api::ConsistencyAnswer> Node::Consistency(uint64_t from_height, uint64_t to_height) {
  if (from_height > to_height) {
    return Status::InvalidArgument("from: " + U64(from_height) + " is above to (" + U64(to_height) + ")");
  }
  std::shared_lock<std::shared_mutex> lock(impl_->ledger_mutex);
  api::ConsistencyAnswer answer;
  ASSIGN_OR_RETURN(answer.from, impl_->CosignedFor(from_height));
  ASSIGN_OR_RETURN(answer.to, impl_->CosignedFor(to_height));
  ASSIGN_OR_RETURN(answer.proofs, impl_->ledger->ConsistencyProofs(from_height, to_height));
  if (answer.proofs.from != answer.from.checkpoint || answer.proofs.to != answer.to.checkpoint) {
    return Status::Corruption("a stored cosigned checkpoint differs from the ledger's checkpoint of its height");
  }
  return answer;
}

Result<nlohmann::json> Node::Evidence(const api::EvidenceRequest& request, const api::Caller& caller) {
  Impl& s = *impl_;
  if (caller.anonymous()) return Status::PermissionDenied("evidence: a signed request is required");
  if (s.stopping) return Status::Unavailable("the node is shutting down");
  std::shared_lock<std::shared_mutex> lock(s.ledger_mutex);
  RETURN_IF_ERROR(s.CheckSeesEvidenceSubject(caller, request));
  ASSIGN_OR_RETURN(ledger::CosignedCheckpoint checkpoint, s.CosignedFor(request.checkpoint_height));
  Result<nlohmann::json> bundle = Status::Internal("no bundle kind");
  switch (request.kind) {
    case api::EvidenceKind::kTransaction:
      bundle = ledger::BuildTransactionBundle(*s.ledger, checkpoint, request.tx_hash);
      break;
    case api::EvidenceKind::kAssetAccess:
      bundle = ledger::BuildAssetAccessBundle(*s.ledger, checkpoint, request.asset_id, request.from_ms, request.to_ms);
      break;
    case api::EvidenceKind::kDispute:
      bundle = ledger::BuildDisputeBundle(*s.ledger, checkpoint, request.dispute_id);
      break;
  }
  if (!bundle.ok()) return NarrowingError(bundle.status());
  return bundle;
}

Result<api::LedgerExportPage> Node::LedgerExport(uint64_t from_height, uint64_t to_height, uint64_t bytes_max,
                                                 const api::Caller& caller) {
  Impl& s = *impl_;
  if (s.stopping) return Status::Unavailable("the node is shutting down");
  // The ledger lock is held only to take the snapshot: applying a block waits for
  // it, and an export of thousands of blocks must not hold up the leader's apply
  // (and with it its heartbeats). The server joins its handlers before the
  // ledger closes, so the snapshot outlives no database.
  std::unique_ptr<ledger::StoreSnapshot> snapshot;
  {
    std::shared_lock<std::shared_mutex> lock(s.ledger_mutex);
    RETURN_IF_ERROR(s.CheckSeesEverything(caller, "ledger export"));
    if (to_height > s.ledger->height()) {
      return Status::OutOfRange("to: " + U64(to_height) + " is above the head at height " +
                                U64(s.ledger->height()));
    }
    snapshot = std::make_unique<ledger::StoreSnapshot>(s.ledger->blocks());
  }
  ledger::BlockLookup blocks = [&snapshot](uint64_t height) { return snapshot->GetBlock(height); };
  ledger::CosignedLookup cosigned = [&s, &snapshot](uint64_t height) {
    return s.checkpointer->CosignedIn(*snapshot, height);
  };
  api::LedgerExportPage page;
  ASSIGN_OR_RETURN(ledger::ExportWritten written,
                   ledger::WriteLedgerExportBounded(blocks, cosigned, from_height, to_height, bytes_max,
                                                    [&page](ByteView bytes) {
                                                      page.body.append(AsStringView(bytes));
                                                      return Status::Ok();
                                                    }));
  page.to_height = written.to_height;
  return page;
}

}  // namespace shulian::node
