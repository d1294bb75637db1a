#include "consensus/raw_node.h"

#include <algorithm>
#include <deque>
#include <set>

#include "consensus/progress.h"
#include "consensus/raft_log.h"
#include "consensus/rng.h"

namespace shulian::consensus {

namespace {

bool IsVoteRequest(MessageType t) { return t == MessageType::kVote || t == MessageType::kPreVote; }

MessageType VoteResponseType(MessageType request) {
  return request == MessageType::kVote ? MessageType::kVoteResponse : MessageType::kPreVoteResponse;
}

bool IsFromLeader(MessageType t) {
  return t == MessageType::kAppend || t == MessageType::kHeartbeat || t == MessageType::kSnapshot;
}

Bytes TransferContext() { return ToBytes(kCampaignTransferContext); }

void InsertSorted(std::vector<NodeId>& ids, NodeId id) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) ids.insert(it, id);
}

void EraseSorted(std::vector<NodeId>& ids, NodeId id) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it != ids.end() && *it == id) ids.erase(it);
}

// Checks a change against the membership it would modify. Used both when
// proposing and when applying, so every node reaches the same verdict.
Status ValidateConfChange(const ConfState& conf, const ConfChange& change) {
  const std::string node = "node " + std::to_string(change.node_id);
  if (change.node_id == kNoNode) return Status::InvalidArgument("conf_change.node_id: must not be 0");
  if (conf.IsRemoved(change.node_id)) {
    return Status::FailedPrecondition(node + " was removed; node ids are never reused");
  }
  switch (change.type) {
    case ConfChangeType::kAddVoter:
      if (conf.IsVoter(change.node_id)) return Status::FailedPrecondition(node + " is already a voter");
      return Status::Ok();
    case ConfChangeType::kAddLearner:
      if (conf.IsVoter(change.node_id)) {
        return Status::FailedPrecondition(node + " is a voter; demoting a voter to learner is not supported");
      }
      if (conf.IsLearner(change.node_id)) return Status::FailedPrecondition(node + " is already a learner");
      return Status::Ok();
    case ConfChangeType::kRemoveNode:
      if (!conf.IsMember(change.node_id)) return Status::FailedPrecondition(node + " is not a member");
      if (conf.IsVoter(change.node_id) && conf.voters.size() == 1) {
        return Status::FailedPrecondition(node + " is the last voter");
      }
      return Status::Ok();
  }
  return Status::InvalidArgument("conf_change.type: unknown value");
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFollower: return "follower";
    case Role::kPreCandidate: return "pre-candidate";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
  }
  return "unknown";
}

std::string_view ProgressStateName(ProgressState state) {
  switch (state) {
    case ProgressState::kProbe: return "probe";
    case ProgressState::kReplicate: return "replicate";
    case ProgressState::kSnapshot: return "snapshot";
  }
  return "unknown";
}

// All of the node's state. Invariants, per variable:
//   term: persisted before any message of the term is sent; only increases.
//   vote: the node voted for in `term` (persisted with it); kNoNode if none.
//   lead: the leader of `term` as far as known; kNoNode while campaigning.
//   progress: one entry per member (voters and learners); meaningful on the leader.
//   uncommitted_bytes: on the leader, the size of entries of this term not yet
//     handed out as committed; bounds proposals.
//   pending_conf_index: on the leader, the index of the latest conf change entry
//     (or of the last entry at election); a new change waits until it is applied.
struct RawNode::State {
  State(const Config& c, Storage* s, RaftLog l)
      : config(c), storage(s), log(std::move(l)), rng(c.random_seed), id(c.id) {}

  Config config;
  Storage* storage;
  RaftLog log;
  Rng rng;
  NodeId id;

  Term term = 0;
  NodeId vote = kNoNode;
  NodeId lead = kNoNode;
  Role role = Role::kFollower;
  ConfState conf;
  std::map<NodeId, Progress> progress;
  std::map<NodeId, bool> votes;
  std::vector<Message> msgs;
  std::vector<ReadState> read_states;

  uint32_t election_elapsed = 0;
  uint32_t heartbeat_elapsed = 0;
  uint32_t randomized_election_timeout = 0;
  NodeId lead_transferee = kNoNode;
  Index pending_conf_index = 0;
  uint64_t uncommitted_bytes = 0;
  // Leader: proposals appended since the last Ready; they are sent together
  // (one append per follower, window permitting) when the Ready is built.
  bool broadcast_pending = false;

  struct PendingRead {
    Index index;
    NodeId from;
    Bytes context;
    std::set<NodeId> acks;
  };
  std::deque<PendingRead> pending_reads;         // awaiting a heartbeat quorum, in order
  std::vector<Message> reads_awaiting_commit;    // arrived before the first commit of the term

  SoftState prev_soft;
  HardState prev_hard;
  Status fatal;
  bool awaiting_advance = false;
  bool vote_fenced = false;  // Config::vote_fence_term, until lifted

  // --- helpers --------------------------------------------------------------

  bool Promotable() const { return conf.IsVoter(id); }

  // A restored node's fence (Config::vote_fence_term): lifted once an append from
  // a leader of at least the fence term carried a commit index the node now
  // holds. Only an append counts: it carries the leader's whole commit, where a
  // heartbeat's is capped by what the leader believes this node holds, which a
  // new leader does not know yet. Holding the leader's commit means the node has
  // again every entry it may have acknowledged before its data was lost.
  void MaybeLiftFence(const Message& m) {
    if (vote_fenced && m.term >= config.vote_fence_term && log.committed() >= m.commit) vote_fenced = false;
  }

  bool CheckFatal() {
    if (fatal.ok() && !log.error().ok()) fatal = log.error();
    return !fatal.ok();
  }

  void Fail(const Status& status) {
    if (fatal.ok()) fatal = status;
  }

  void Send(Message m) {
    m.from = id;
    if (m.term == 0) m.term = term;
    if (msgs.size() >= config.max_outgoing_messages) return;  // Raft tolerates loss
    msgs.push_back(std::move(m));
  }

  Progress NewProgress(NodeId member) const {
    Progress p(config.max_inflight_messages, config.max_inflight_bytes);
    p.next = log.LastIndex() + 1;
    p.match = member == id ? log.LastIndex() : 0;
    p.is_learner = conf.IsLearner(member);
    p.recent_active = true;  // give a new member a full election timeout
    return p;
  }

  // Makes `progress` hold exactly the members of `conf`, keeping existing entries.
  void SyncProgress() {
    std::map<NodeId, Progress> updated;
    auto keep = [&](NodeId member) {
      auto it = progress.find(member);
      Progress p = it != progress.end() ? it->second : NewProgress(member);
      p.is_learner = conf.IsLearner(member);
      updated.emplace(member, std::move(p));
    };
    for (NodeId v : conf.voters) keep(v);
    for (NodeId l : conf.learners) keep(l);
    progress = std::move(updated);
  }

  void ResetRandomizedElectionTimeout() {
    randomized_election_timeout =
        config.election_timeout_ticks + static_cast<uint32_t>(rng.Uniform(config.election_timeout_ticks));
  }

  void Reset(Term new_term) {
    if (new_term != term) {
      term = new_term;
      vote = kNoNode;
    }
    lead = kNoNode;
    election_elapsed = 0;
    heartbeat_elapsed = 0;
    ResetRandomizedElectionTimeout();
    lead_transferee = kNoNode;
    votes.clear();
    for (auto& [member, p] : progress) {
      bool learner = p.is_learner;
      p = NewProgress(member);
      p.is_learner = learner;
      p.recent_active = member == id;
    }
    pending_conf_index = 0;
    uncommitted_bytes = 0;
    broadcast_pending = false;
    pending_reads.clear();
    reads_awaiting_commit.clear();
  }

  void BecomeFollower(Term new_term, NodeId leader) {
    Reset(new_term);
    lead = leader;
    role = Role::kFollower;
  }

  void BecomePreCandidate() {
    assert(role != Role::kLeader);
    // Neither term nor vote changes; but the node no longer follows a leader
    // (else it would keep rejecting votes because of a leader it gave up on).
    votes.clear();
    lead = kNoNode;
    role = Role::kPreCandidate;
  }

  void BecomeCandidate() {
    assert(role != Role::kLeader);
    Reset(term + 1);
    vote = id;
    role = Role::kCandidate;
  }

  void BecomeLeader() {
    assert(role == Role::kCandidate);
    Reset(term);
    lead = id;
    role = Role::kLeader;
    Progress& self = progress.at(id);
    self.BecomeReplicate();
    // A conf change in the log before our term may be uncommitted: wait for it.
    pending_conf_index = log.LastIndex();
    // An empty entry of our term lets us commit (and learn the commit index).
    AppendLeaderEntry(Entry{});
  }

  void AppendLeaderEntry(Entry entry) {
    entry.term = term;
    entry.index = log.LastIndex() + 1;
    uncommitted_bytes += entry.SizeBytes();
    Index last = log.Append({std::move(entry)});
    auto self = progress.find(id);
    if (self != progress.end()) self->second.MaybeUpdate(last);
    if (MaybeCommit()) OnCommitAdvanced();
  }

  // Leader: commit the highest index a quorum of voters holds, if it is of this term.
  bool MaybeCommit() {
    std::vector<Index> matches;
    for (NodeId v : conf.voters) {
      auto it = progress.find(v);
      matches.push_back(it == progress.end() ? 0 : it->second.match);
    }
    return log.MaybeCommit(QuorumCommitted(std::move(matches)), term);
  }

  bool CommittedInCurrentTerm() const { return log.TermOrZero(log.committed()) == term; }

  void OnCommitAdvanced() {
    if (role != Role::kLeader || reads_awaiting_commit.empty() || !CommittedInCurrentTerm()) return;
    std::vector<Message> waiting = std::move(reads_awaiting_commit);
    reads_awaiting_commit.clear();
    for (const Message& m : waiting) HandleReadIndexRequest(m.from, m.context).IgnoreError();
  }

  // --- ticks ------------------------------------------------------------------

  void TickElection() {
    ++election_elapsed;
    if (Promotable() && election_elapsed >= randomized_election_timeout) {
      election_elapsed = 0;
      Hup(/*transfer=*/false);
    }
  }

  void TickHeartbeat() {
    ++heartbeat_elapsed;
    ++election_elapsed;
    if (election_elapsed >= config.election_timeout_ticks) {
      election_elapsed = 0;
      if (config.check_quorum && !QuorumActive()) {
        BecomeFollower(term, kNoNode);
        return;
      }
      RetryLostSnapshots();
      // A transfer that did not finish within an election timeout is abandoned.
      lead_transferee = kNoNode;
    }
    if (heartbeat_elapsed >= config.heartbeat_ticks) {
      heartbeat_elapsed = 0;
      BcastHeartbeat();
    }
  }

  // True if a quorum of voters was heard from since the last check; resets the marks.
  bool QuorumActive() {
    size_t active = 0;
    for (NodeId v : conf.voters) {
      auto it = progress.find(v);
      if (it != progress.end() && (v == id || it->second.recent_active)) ++active;
    }
    for (auto& [member, p] : progress) p.recent_active = member == id;
    return active >= Majority(conf.voters.size());
  }

  void RetryLostSnapshots() {
    for (auto& [member, p] : progress) {
      if (p.state == ProgressState::kSnapshot && ++p.snapshot_wait_timeouts >= 2) {
        p.pending_snapshot = 0;
        p.BecomeProbe();
      }
    }
  }

  // --- elections --------------------------------------------------------------

  bool HasUnappliedConfChange() {
    if (log.committed() <= log.applied()) return false;
    Result<std::vector<Entry>> entries = log.Slice(log.applied() + 1, log.committed() + 1, UINT64_MAX);
    if (!entries.ok()) return false;
    return std::any_of(entries->begin(), entries->end(),
                       [](const Entry& e) { return e.type == EntryType::kConfChange; });
  }

  void Hup(bool transfer) {
    // The sole voter has no rival whose election a forgotten vote could decide.
    if (vote_fenced && conf.voters == std::vector<NodeId>{id}) vote_fenced = false;
    if (role == Role::kLeader || !Promotable() || vote_fenced) return;
    // Campaigning with an unapplied conf change could count a wrong quorum.
    if (HasUnappliedConfChange()) return;
    if (config.pre_vote && !transfer) {
      StartCampaign(/*pre_vote=*/true, false);
    } else {
      StartCampaign(/*pre_vote=*/false, transfer);
    }
  }

  void StartCampaign(bool pre_vote, bool transfer) {
    MessageType type;
    Term vote_term;
    if (pre_vote) {
      BecomePreCandidate();
      type = MessageType::kPreVote;
      vote_term = term + 1;  // the term we would campaign in; ours is unchanged
    } else {
      BecomeCandidate();
      type = MessageType::kVote;
      vote_term = term;
    }
    if (Poll(id, true) == VoteResult::kWon) {
      // A single-voter cluster wins at once.
      if (pre_vote) {
        StartCampaign(false, transfer);
      } else {
        BecomeLeader();
      }
      return;
    }
    for (NodeId voter : conf.voters) {
      if (voter == id) continue;
      Message m;
      m.type = type;
      m.to = voter;
      m.term = vote_term;
      m.index = log.LastIndex();
      m.log_term = log.LastTerm();
      if (transfer) m.context = TransferContext();
      Send(std::move(m));
    }
  }

  VoteResult Poll(NodeId from, bool granted) {
    votes.emplace(from, granted);  // the first answer from a node counts
    return TallyVotes(conf.voters, votes);
  }

  void HandleVoteRequest(const Message& m) {
    bool can_vote = !vote_fenced && (vote == m.from || (vote == kNoNode && lead == kNoNode) ||
                                     (m.type == MessageType::kPreVote && m.term > term));
    Message resp;
    resp.type = VoteResponseType(m.type);
    resp.to = m.from;
    if (can_vote && log.IsUpToDate(m.index, m.log_term)) {
      // A pre-vote is granted at the term asked for; a vote at our (equal) term.
      resp.term = m.term;
      if (m.type == MessageType::kVote) {
        election_elapsed = 0;
        vote = m.from;
      }
    } else {
      resp.term = term;
      resp.reject = true;
    }
    Send(std::move(resp));
  }

  // --- Step ---------------------------------------------------------------------

  Status ValidateMessage(const Message& m) const {
    if (m.to != id) {
      return Status::InvalidArgument("message.to: " + std::to_string(m.to) + " is not this node (" + std::to_string(id) +
                                     ")");
    }
    if (m.from == kNoNode || m.from == id) {
      return Status::InvalidArgument("message.from: invalid sender " + std::to_string(m.from));
    }
    if (m.term == 0) return Status::InvalidArgument("message.term: must not be 0");
    if (m.type == MessageType::kSnapshot && (!m.has_snapshot || m.snapshot.IsEmpty())) {
      return Status::InvalidArgument("message.snapshot: kSnapshot without a snapshot");
    }
    if (!m.entries.empty() && m.type != MessageType::kAppend) {
      return Status::InvalidArgument("message.entries: only kAppend carries entries");
    }
    Term previous_term = m.log_term;
    for (size_t i = 0; i < m.entries.size(); ++i) {
      const Entry& e = m.entries[i];
      if (e.index != m.index + 1 + i) {
        return Status::InvalidArgument("message.entries[" + std::to_string(i) + "].index: not contiguous");
      }
      if (e.term < previous_term || e.term > m.term) {
        return Status::InvalidArgument("message.entries[" + std::to_string(i) + "].term: out of order");
      }
      previous_term = e.term;
    }
    return Status::Ok();
  }

  void Step(const Message& m) {
    if (m.term > term) {
      if (IsVoteRequest(m.type)) {
        bool force = m.context == TransferContext();
        bool in_lease = config.check_quorum && lead != kNoNode && election_elapsed < config.election_timeout_ticks;
        // Lease: while we hear from a live leader, a disruptive candidate is ignored.
        if (!force && in_lease) return;
      }
      if (m.type == MessageType::kPreVote) {
        // A pre-vote never changes our term.
      } else if (m.type == MessageType::kPreVoteResponse && !m.reject) {
        // A granted pre-vote carries the future term; we move to it only by campaigning.
      } else {
        BecomeFollower(m.term, IsFromLeader(m.type) ? m.from : kNoNode);
      }
    } else if (m.term < term) {
      if ((config.check_quorum || config.pre_vote) &&
          (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat)) {
        // A stale leader (e.g. partitioned) learns our term and steps down, so it
        // cannot hold back a quorum that ignores its own vote requests.
        Message resp;
        resp.type = MessageType::kAppendResponse;
        resp.to = m.from;
        Send(std::move(resp));
      } else if (m.type == MessageType::kPreVote) {
        // Tell a pre-candidate at a lower term about ours, or it can stay stuck.
        Message resp;
        resp.type = MessageType::kPreVoteResponse;
        resp.to = m.from;
        resp.reject = true;
        Send(std::move(resp));
      }
      return;
    }

    if (IsVoteRequest(m.type)) {
      HandleVoteRequest(m);
      return;
    }
    switch (role) {
      case Role::kFollower: StepFollower(m); break;
      case Role::kPreCandidate:
      case Role::kCandidate: StepCandidate(m); break;
      case Role::kLeader: StepLeader(m); break;
    }
  }

  void StepFollower(const Message& m) {
    switch (m.type) {
      case MessageType::kAppend:
        election_elapsed = 0;
        lead = m.from;
        HandleAppend(m);
        MaybeLiftFence(m);
        break;
      case MessageType::kHeartbeat:
        election_elapsed = 0;
        lead = m.from;
        HandleHeartbeat(m);
        break;
      case MessageType::kSnapshot:
        election_elapsed = 0;
        lead = m.from;
        HandleSnapshot(m);
        break;
      case MessageType::kTransferLeader:
        if (lead != kNoNode) {
          Message forward = m;
          forward.to = lead;
          forward.term = 0;
          Send(std::move(forward));
        }
        break;
      case MessageType::kTimeoutNow:
        // Leader transfer: campaign at once, without pre-vote, bypassing leases.
        Hup(/*transfer=*/true);
        break;
      case MessageType::kReadIndexResponse:
        if (read_states.size() < config.max_pending_read_requests) read_states.push_back({m.index, m.context});
        break;
      default:
        break;
    }
  }

  void StepCandidate(const Message& m) {
    MessageType my_response =
        role == Role::kPreCandidate ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
    switch (m.type) {
      case MessageType::kAppend:
        BecomeFollower(m.term, m.from);
        HandleAppend(m);
        return;
      case MessageType::kHeartbeat:
        BecomeFollower(m.term, m.from);
        HandleHeartbeat(m);
        return;
      case MessageType::kSnapshot:
        BecomeFollower(m.term, m.from);
        HandleSnapshot(m);
        return;
      default:
        break;
    }
    if (m.type != my_response) return;
    switch (Poll(m.from, !m.reject)) {
      case VoteResult::kWon:
        if (role == Role::kPreCandidate) {
          StartCampaign(/*pre_vote=*/false, /*transfer=*/false);
        } else {
          BecomeLeader();
          BcastAppend();
        }
        break;
      case VoteResult::kLost:
        BecomeFollower(term, kNoNode);
        break;
      case VoteResult::kPending:
        break;
    }
  }

  void StepLeader(const Message& m) {
    switch (m.type) {
      case MessageType::kAppendResponse: HandleAppendResponse(m); break;
      case MessageType::kHeartbeatResponse: HandleHeartbeatResponse(m); break;
      case MessageType::kTransferLeader: HandleTransfer(m.transferee).IgnoreError(); break;
      case MessageType::kReadIndex: HandleReadIndexRequest(m.from, m.context).IgnoreError(); break;
      default: break;
    }
  }

  // --- follower side of replication -------------------------------------------

  void HandleAppend(const Message& m) {
    Message resp;
    resp.type = MessageType::kAppendResponse;
    resp.to = m.from;
    if (m.index < log.committed()) {
      resp.index = log.committed();
      Send(std::move(resp));
      return;
    }
    Result<std::optional<Index>> appended = log.MaybeAppend(m.index, m.log_term, m.commit, m.entries);
    if (!appended.ok()) {
      Fail(appended.status());
      return;
    }
    if (appended->has_value()) {
      resp.index = **appended;
    } else {
      resp.index = m.index;
      resp.reject = true;
      resp.reject_hint = RejectHint(m.index, m.log_term);
      if (vote_fenced) resp.context = ToBytes(kRestoredLogContext);
    }
    Send(std::move(resp));
  }

  // Our last index that could match the leader: entries with a term above the
  // leader's previous-entry term cannot match anything at or before it.
  Index RejectHint(Index rejected, Term leader_term) const {
    Index hint = std::min(rejected, log.LastIndex());
    while (hint > log.committed()) {
      Result<Term> t = log.TermAt(hint);
      if (!t.ok() || *t <= leader_term) break;
      --hint;
    }
    return hint;
  }

  void HandleHeartbeat(const Message& m) {
    log.CommitTo(std::min(m.commit, log.LastIndex()));
    Message resp;
    resp.type = MessageType::kHeartbeatResponse;
    resp.to = m.from;
    resp.context = m.context;
    Send(std::move(resp));
  }

  void HandleSnapshot(const Message& m) {
    Message resp;
    resp.type = MessageType::kAppendResponse;
    resp.to = m.from;
    resp.index = Restore(m.snapshot) ? log.LastIndex() : log.committed();
    Send(std::move(resp));
  }

  // Returns true if the snapshot replaces our log.
  bool Restore(const Snapshot& snapshot) {
    const SnapshotMetadata& meta = snapshot.metadata;
    if (meta.index <= log.committed()) return false;
    if (log.MatchTerm(meta.index, meta.term)) {
      // We already hold the snapshot's last entry: just learn it is committed.
      log.CommitTo(meta.index);
      return false;
    }
    // Our log conflicts with or lags the snapshot: the whole log is replaced
    // (installed atomically by the application from the next Ready).
    log.Restore(snapshot);
    conf = meta.conf_state;
    SyncProgress();
    return true;
  }

  // --- leader side of replication ---------------------------------------------

  Progress* FindProgress(NodeId member) {
    auto it = progress.find(member);
    return it == progress.end() ? nullptr : &it->second;
  }

  void HandleAppendResponse(const Message& m) {
    Progress* pr = FindProgress(m.from);
    if (pr == nullptr) return;
    pr->recent_active = true;
    if (m.reject) {
      if (m.context == ToBytes(kRestoredLogContext) && pr->ForgetMatchAbove(m.reject_hint)) {
        SendAppend(m.from);
        return;
      }
      if (pr->MaybeDecreaseTo(m.index, m.reject_hint)) {
        if (pr->state == ProgressState::kReplicate) pr->BecomeProbe();
        SendAppend(m.from);
      }
      return;
    }
    bool was_paused = pr->IsPaused();
    if (!pr->MaybeUpdate(m.index)) return;
    switch (pr->state) {
      case ProgressState::kProbe: pr->BecomeReplicate(); break;
      case ProgressState::kSnapshot:
        if (pr->match >= pr->pending_snapshot) {
          pr->BecomeProbe();
          pr->BecomeReplicate();
        }
        break;
      case ProgressState::kReplicate: pr->inflights.FreeLE(m.index); break;
    }
    if (MaybeCommit()) {
      OnCommitAdvanced();
      BcastAppend();
    } else if (was_paused) {
      SendAppend(m.from);
    }
    // Pipelining: fill the window while there is something to send.
    while (MaybeSendAppend(m.from, /*send_if_empty=*/false)) {
    }
    if (m.from == lead_transferee && FindProgress(m.from) != nullptr && FindProgress(m.from)->match == log.LastIndex()) {
      SendTimeoutNow(m.from);
    }
  }

  void HandleHeartbeatResponse(const Message& m) {
    Progress* pr = FindProgress(m.from);
    if (pr == nullptr) return;
    pr->recent_active = true;
    pr->probe_sent = false;
    // A full window may mean appends were lost: make room for one retry.
    if (pr->state == ProgressState::kReplicate && pr->inflights.Full()) pr->inflights.FreeFirstOne();
    if (pr->match < log.LastIndex()) SendAppend(m.from);
    if (config.read_only == ReadOnlyOption::kSafe && !m.context.empty()) ReceiveReadAck(m.from, m.context);
  }

  void SendAppend(NodeId to) { MaybeSendAppend(to, /*send_if_empty=*/true); }

  bool MaybeSendAppend(NodeId to, bool send_if_empty) {
    Progress* pr = FindProgress(to);
    if (pr == nullptr || to == id || pr->IsPaused()) return false;
    Index last = log.LastIndex();
    Result<Term> prev_term = log.TermAt(pr->next - 1);
    Result<std::vector<Entry>> entries = std::vector<Entry>{};
    if (pr->next <= last) entries = log.Slice(pr->next, last + 1, config.max_size_per_append_bytes);
    if (CheckFatal()) return false;
    if (!prev_term.ok() || !entries.ok()) return MaybeSendSnapshot(to, *pr);
    if (entries->empty() && !send_if_empty) return false;

    Message m;
    m.type = MessageType::kAppend;
    m.to = to;
    m.index = pr->next - 1;
    m.log_term = *prev_term;
    m.commit = log.committed();
    m.entries = std::move(entries).value();
    if (!m.entries.empty()) {
      Index sent_last = m.entries.back().index;
      uint64_t bytes = 0;
      for (const Entry& e : m.entries) bytes += e.SizeBytes();
      if (pr->state == ProgressState::kReplicate) {
        pr->OptimisticUpdate(sent_last);
        pr->inflights.Add(sent_last, bytes);
      }
    }
    if (pr->state == ProgressState::kProbe) pr->probe_sent = true;
    Send(std::move(m));
    return true;
  }

  bool MaybeSendSnapshot(NodeId to, Progress& pr) {
    // Sending a large snapshot to a node we have not heard from is wasted work.
    if (!pr.recent_active) return false;
    Result<Snapshot> snapshot = storage->GetSnapshot();
    if (!snapshot.ok()) {
      if (!IsSnapshotTemporarilyUnavailable(snapshot.status())) Fail(snapshot.status().WithContext("raft storage"));
      return false;
    }
    if (snapshot->IsEmpty()) {
      Fail(Status::Internal("raft: node " + std::to_string(to) + " needs compacted entries but storage has no snapshot"));
      return false;
    }
    Message m;
    m.type = MessageType::kSnapshot;
    m.to = to;
    m.has_snapshot = true;
    m.snapshot = std::move(snapshot).value();
    pr.BecomeSnapshot(m.snapshot.metadata.index);
    Send(std::move(m));
    return true;
  }

  void BcastAppend() {
    for (auto& [member, p] : progress) {
      if (member != id) SendAppend(member);
    }
  }

  // Batching: sends what proposals added since the last Ready, filling each
  // follower's window.
  void FlushProposals() {
    if (!broadcast_pending) return;
    broadcast_pending = false;
    if (role != Role::kLeader) return;
    for (auto& [member, p] : progress) {
      if (member == id) continue;
      while (MaybeSendAppend(member, /*send_if_empty=*/false)) {
      }
    }
  }

  void BcastHeartbeat() {
    Bytes context = pending_reads.empty() ? Bytes{} : pending_reads.back().context;
    for (auto& [member, p] : progress) {
      if (member == id) continue;
      Message m;
      m.type = MessageType::kHeartbeat;
      m.to = member;
      // Never tell a follower to commit past what it is known to hold.
      m.commit = std::min(p.match, log.committed());
      m.context = context;
      Send(std::move(m));
    }
  }

  void SendTimeoutNow(NodeId to) {
    Message m;
    m.type = MessageType::kTimeoutNow;
    m.to = to;
    Send(std::move(m));
  }

  // --- leader transfer -----------------------------------------------------------

  Status HandleTransfer(NodeId target) {
    if (!conf.IsVoter(target)) {
      return Status::FailedPrecondition("transfer leadership: node " + std::to_string(target) + " is not a voter");
    }
    if (target == id) return Status::Ok();  // already the leader
    if (lead_transferee == target) return Status::Ok();  // already in progress
    lead_transferee = target;
    election_elapsed = 0;  // the transfer must finish within an election timeout
    if (progress.at(target).match == log.LastIndex()) {
      SendTimeoutNow(target);
    } else {
      SendAppend(target);  // catch the target up first
    }
    return Status::Ok();
  }

  // --- read index ------------------------------------------------------------------

  void RespondRead(NodeId from, Index index, const Bytes& context) {
    if (from == id) {
      read_states.push_back({index, context});
      return;
    }
    Message m;
    m.type = MessageType::kReadIndexResponse;
    m.to = from;
    m.index = index;
    m.context = context;
    Send(std::move(m));
  }

  Status HandleReadIndexRequest(NodeId from, const Bytes& context) {
    // An empty context is how heartbeats say "no read"; it could never be confirmed.
    if (context.empty()) return Status::InvalidArgument("read index: request context must not be empty");
    if (conf.voters.size() == 1 && conf.IsVoter(id)) {
      RespondRead(from, log.committed(), context);
      return Status::Ok();
    }
    size_t waiting = pending_reads.size() + reads_awaiting_commit.size();
    if (waiting >= config.max_pending_read_requests) {
      return Status::ResourceExhausted("read index: " + std::to_string(waiting) + " reads already waiting");
    }
    if (!CommittedInCurrentTerm()) {
      // Our commit index may lag the true one until we commit in our term.
      Message m;
      m.from = from;
      m.context = context;
      reads_awaiting_commit.push_back(std::move(m));
      return Status::Ok();
    }
    if (config.read_only == ReadOnlyOption::kLeaseBased) {
      RespondRead(from, log.committed(), context);
      return Status::Ok();
    }
    for (const PendingRead& r : pending_reads) {
      if (r.context == context) return Status::Ok();  // the same request, already waiting
    }
    pending_reads.push_back({log.committed(), from, context, {id}});
    BcastHeartbeat();
    return Status::Ok();
  }

  void ReceiveReadAck(NodeId from, const Bytes& context) {
    auto it = std::find_if(pending_reads.begin(), pending_reads.end(),
                           [&](const PendingRead& r) { return r.context == context; });
    if (it == pending_reads.end()) return;
    if (conf.IsVoter(from)) it->acks.insert(from);
    size_t voter_acks = static_cast<size_t>(
        std::count_if(it->acks.begin(), it->acks.end(), [&](NodeId n) { return conf.IsVoter(n); }));
    if (voter_acks < Majority(conf.voters.size())) return;
    // Leadership was confirmed after every earlier request too: answer them all.
    size_t done = static_cast<size_t>(it - pending_reads.begin()) + 1;
    for (size_t i = 0; i < done; ++i) {
      PendingRead r = std::move(pending_reads.front());
      pending_reads.pop_front();
      RespondRead(r.from, r.index, r.context);
    }
  }

  // --- proposals -------------------------------------------------------------------

  Status CheckCanPropose(uint64_t bytes) const {
    if (role != Role::kLeader) {
      if (lead == kNoNode) return Status::Unavailable("propose: no leader");
      return Status::Unavailable("propose: not the leader; leader is " + std::to_string(lead));
    }
    if (lead_transferee != kNoNode) {
      return Status::FailedPrecondition("propose: leader transfer to " + std::to_string(lead_transferee) +
                                        " in progress");
    }
    if (uncommitted_bytes > 0 && uncommitted_bytes + bytes > config.max_uncommitted_entries_bytes) {
      return Status::ResourceExhausted("propose: uncommitted log is " + std::to_string(uncommitted_bytes) +
                                       " bytes, limit is " + std::to_string(config.max_uncommitted_entries_bytes));
    }
    return Status::Ok();
  }

  // --- membership --------------------------------------------------------------------

  Result<ConfState> ApplyConfChange(const ConfChange& change) {
    RETURN_IF_ERROR(ValidateConfChange(conf, change));
    switch (change.type) {
      case ConfChangeType::kAddVoter:
        EraseSorted(conf.learners, change.node_id);
        InsertSorted(conf.voters, change.node_id);
        break;
      case ConfChangeType::kAddLearner:
        InsertSorted(conf.learners, change.node_id);
        break;
      case ConfChangeType::kRemoveNode:
        EraseSorted(conf.voters, change.node_id);
        EraseSorted(conf.learners, change.node_id);
        InsertSorted(conf.removed, change.node_id);
        break;
    }
    SyncProgress();
    if (role == Role::kLeader) {
      if (!conf.IsVoter(id)) {
        // Removed (or no longer voting): stop leading; the rest elect a new leader.
        BecomeFollower(term, kNoNode);
      } else {
        if (lead_transferee != kNoNode && !conf.IsVoter(lead_transferee)) lead_transferee = kNoNode;
        // The quorum changed: something may have become committed.
        if (MaybeCommit()) {
          OnCommitAdvanced();
          BcastAppend();
        }
      }
    }
    return conf;
  }
};

// --- RawNode -------------------------------------------------------------------------

RawNode::RawNode(std::unique_ptr<State> state) : s_(std::move(state)) {}
RawNode::~RawNode() = default;

Result<std::unique_ptr<RawNode>> RawNode::Create(const Config& config, Storage* storage) {
  RETURN_IF_ERROR(config.Validate());
  if (storage == nullptr) return Status::InvalidArgument("storage: must not be null");
  ASSIGN_OR_RETURN(StoredState stored, storage->InitialState());
  ASSIGN_OR_RETURN(RaftLog log, RaftLog::Open(storage));
  const HardState& hs = stored.hard_state;
  Index last = log.LastIndex();
  if (hs.commit > last) {
    return Status::Corruption("raft storage: commit " + std::to_string(hs.commit) + " is past the last index " +
                              std::to_string(last));
  }
  log.set_committed(std::max(hs.commit, log.committed()));
  if (config.applied_index > log.committed()) {
    return Status::InvalidArgument("config.applied_index: " + std::to_string(config.applied_index) +
                                   " is past the commit index " + std::to_string(log.committed()));
  }
  log.set_applied(std::max(config.applied_index, log.applied()));

  auto state = std::make_unique<State>(config, storage, std::move(log));
  state->conf = stored.conf_state;
  state->SyncProgress();
  state->BecomeFollower(hs.term, kNoNode);
  state->vote = hs.vote;
  state->vote_fenced = config.vote_fence_term != 0;
  state->prev_hard = hs;
  state->prev_soft = SoftState{kNoNode, Role::kFollower};
  if (state->CheckFatal()) return state->fatal;
  return std::unique_ptr<RawNode>(new RawNode(std::move(state)));
}

Status RawNode::Tick() {
  if (s_->CheckFatal()) return s_->fatal;
  if (s_->role == Role::kLeader) {
    s_->TickHeartbeat();
  } else {
    s_->TickElection();
  }
  s_->CheckFatal();
  return s_->fatal;
}

Status RawNode::Step(const Message& message) {
  if (s_->CheckFatal()) return s_->fatal;
  RETURN_IF_ERROR(s_->ValidateMessage(message));
  s_->Step(message);
  s_->CheckFatal();
  return s_->fatal;
}

Status RawNode::Propose(Bytes data) {
  if (s_->CheckFatal()) return s_->fatal;
  if (data.size() > s_->config.max_proposal_bytes) {
    return Status::InvalidArgument("propose: data is " + std::to_string(data.size()) + " bytes, limit is " +
                                   std::to_string(s_->config.max_proposal_bytes));
  }
  Entry entry;
  entry.data = std::move(data);
  RETURN_IF_ERROR(s_->CheckCanPropose(entry.SizeBytes()));
  s_->AppendLeaderEntry(std::move(entry));
  s_->broadcast_pending = true;
  s_->CheckFatal();
  return s_->fatal;
}

Status RawNode::ProposeConfChange(const ConfChange& change) {
  if (s_->CheckFatal()) return s_->fatal;
  Entry entry;
  entry.type = EntryType::kConfChange;
  entry.data = EncodeConfChange(change);
  RETURN_IF_ERROR(s_->CheckCanPropose(entry.SizeBytes()));
  RETURN_IF_ERROR(ValidateConfChange(s_->conf, change));
  if (s_->pending_conf_index > s_->log.applied()) {
    return Status::FailedPrecondition("propose conf change: a change at index " +
                                      std::to_string(s_->pending_conf_index) + " is not yet applied");
  }
  s_->AppendLeaderEntry(std::move(entry));
  s_->pending_conf_index = s_->log.LastIndex();
  s_->broadcast_pending = true;
  s_->CheckFatal();
  return s_->fatal;
}

Result<ConfState> RawNode::ApplyConfChange(const ConfChange& change) {
  if (s_->CheckFatal()) return s_->fatal;
  return s_->ApplyConfChange(change);
}

Status RawNode::Campaign() {
  if (s_->CheckFatal()) return s_->fatal;
  s_->Hup(/*transfer=*/false);
  s_->CheckFatal();
  return s_->fatal;
}

Status RawNode::ReadIndex(Bytes request_context) {
  if (s_->CheckFatal()) return s_->fatal;
  if (request_context.empty()) return Status::InvalidArgument("read index: request context must not be empty");
  if (request_context.size() > MessageLimits{}.max_context_bytes) {
    return Status::InvalidArgument("read index: request context exceeds " +
                                   std::to_string(MessageLimits{}.max_context_bytes) + " bytes");
  }
  if (s_->role != Role::kLeader) {
    if (s_->lead == kNoNode) return Status::Unavailable("read index: no leader");
    Message m;
    m.type = MessageType::kReadIndex;
    m.to = s_->lead;
    m.context = std::move(request_context);
    s_->Send(std::move(m));
    return Status::Ok();
  }
  RETURN_IF_ERROR(s_->HandleReadIndexRequest(s_->id, request_context));
  s_->CheckFatal();
  return s_->fatal;
}

Status RawNode::TransferLeadership(NodeId target) {
  if (s_->CheckFatal()) return s_->fatal;
  if (s_->role != Role::kLeader) {
    if (s_->lead == kNoNode) return Status::Unavailable("transfer leadership: no leader");
    Message m;
    m.type = MessageType::kTransferLeader;
    m.to = s_->lead;
    m.transferee = target;
    s_->Send(std::move(m));
    return Status::Ok();
  }
  RETURN_IF_ERROR(s_->HandleTransfer(target));
  s_->CheckFatal();
  return s_->fatal;
}

void RawNode::ReportUnreachable(NodeId id) {
  if (s_->role != Role::kLeader) return;
  Progress* pr = s_->FindProgress(id);
  if (pr != nullptr && pr->state == ProgressState::kReplicate) pr->BecomeProbe();
}

void RawNode::ReportSnapshot(NodeId id, bool succeeded) {
  if (s_->role != Role::kLeader) return;
  Progress* pr = s_->FindProgress(id);
  if (pr == nullptr || pr->state != ProgressState::kSnapshot) return;
  if (!succeeded) pr->pending_snapshot = 0;
  pr->BecomeProbe();
  // Wait for the follower's answer (or the next heartbeat) before probing.
  pr->probe_sent = true;
}

bool RawNode::HasReady() const {
  const State& s = *s_;
  if (!s.fatal.ok()) return false;
  if (SoftState{s.lead, s.role} != s.prev_soft) return true;
  if (HardState{s.term, s.vote, s.log.committed()} != s.prev_hard) return true;
  return !s.log.UnstableEntries().empty() || s.log.HasPendingSnapshot() || !s.msgs.empty() || s.broadcast_pending ||
         !s.read_states.empty() || s.log.HasNextCommittedEntries();
}

Ready RawNode::GetReady() {
  State& s = *s_;
  assert(!s.awaiting_advance && "GetReady called again before Advance");
  s.FlushProposals();
  Ready rd;
  SoftState soft{s.lead, s.role};
  if (soft != s.prev_soft) rd.soft_state = soft;
  HardState hard{s.term, s.vote, s.log.committed()};
  if (hard != s.prev_hard) rd.hard_state = hard;
  rd.entries = s.log.UnstableEntries();
  if (s.log.UnstableSnapshot()) rd.snapshot = *s.log.UnstableSnapshot();
  Result<std::vector<Entry>> committed = s.log.NextCommittedEntries(s.config.max_committed_size_per_ready_bytes);
  if (committed.ok()) {
    rd.committed_entries = std::move(committed).value();
  } else {
    s.Fail(committed.status());
  }
  rd.messages = std::move(s.msgs);
  s.msgs.clear();
  rd.read_states = std::move(s.read_states);
  s.read_states.clear();
  rd.must_sync = !rd.entries.empty() || !rd.snapshot.IsEmpty() ||
                 (rd.hard_state && (hard.term != s.prev_hard.term || hard.vote != s.prev_hard.vote));
  if (s.role == Role::kLeader) {
    // Entries of our term leaving the uncommitted log free proposal budget.
    for (const Entry& e : rd.committed_entries) {
      if (e.term != s.term) continue;
      s.uncommitted_bytes -= std::min(s.uncommitted_bytes, e.SizeBytes());
    }
  }
  s.awaiting_advance = true;
  return rd;
}

Status RawNode::Advance(const Ready& ready) {
  State& s = *s_;
  s.awaiting_advance = false;
  if (ready.soft_state) s.prev_soft = *ready.soft_state;
  if (ready.hard_state) s.prev_hard = *ready.hard_state;
  if (!ready.snapshot.IsEmpty()) {
    Index index = ready.snapshot.metadata.index;
    s.log.StableSnapshotTo(index);
    if (s.log.applied() < index) s.log.set_applied(index);
  }
  if (!ready.entries.empty()) s.log.StableTo(ready.entries.back().index, ready.entries.back().term);
  if (!ready.committed_entries.empty()) s.log.AppliedTo(ready.committed_entries.back().index);
  s.CheckFatal();
  return s.fatal;
}

NodeStatus RawNode::GetStatus() const {
  const State& s = *s_;
  NodeStatus st;
  st.id = s.id;
  st.hard_state = HardState{s.term, s.vote, s.log.committed()};
  st.soft_state = SoftState{s.lead, s.role};
  st.applied = s.log.applied();
  st.last_index = s.log.LastIndex();
  st.conf_state = s.conf;
  st.lead_transferee = s.lead_transferee;
  if (s.role == Role::kLeader) {
    for (const auto& [member, p] : s.progress) {
      PeerProgress pp;
      pp.id = member;
      pp.is_learner = p.is_learner;
      pp.match = p.match;
      pp.next = p.next;
      pp.state = p.state;
      pp.recent_active = p.recent_active;
      pp.inflight_messages = p.inflights.count();
      pp.inflight_bytes = p.inflights.bytes();
      pp.pending_snapshot = p.pending_snapshot;
      st.progress.push_back(pp);
    }
  }
  return st;
}

NodeId RawNode::id() const { return s_->id; }
Term RawNode::term() const { return s_->term; }
NodeId RawNode::vote() const { return s_->vote; }
Role RawNode::role() const { return s_->role; }
NodeId RawNode::leader() const { return s_->lead; }
Index RawNode::committed() const { return s_->log.committed(); }
Index RawNode::applied() const { return s_->log.applied(); }
Index RawNode::last_index() const { return s_->log.LastIndex(); }
const Status& RawNode::fatal_error() const { return s_->fatal; }
bool RawNode::vote_fenced() const { return s_->vote_fenced; }
Term RawNode::TermAtOrZero(Index index) const { return s_->log.TermOrZero(index); }

}  // namespace shulian::consensus
