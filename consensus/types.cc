#include "consensus/types.h"

#include <algorithm>
#include <limits>

namespace shulian::consensus {

namespace {

bool Contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::binary_search(ids.begin(), ids.end(), id);
}

void PutIds(ByteWriter& w, const std::vector<NodeId>& ids) {
  w.PutU32(static_cast<uint32_t>(ids.size()));
  for (NodeId id : ids) w.PutU64(id);
}

Result<std::vector<NodeId>> GetIds(ByteReader& r, uint32_t max_ids, std::string_view field) {
  ASSIGN_OR_RETURN(uint32_t count, r.GetU32());
  if (count > max_ids) {
    return Status::InvalidArgument(std::string(field) + ": " + std::to_string(count) + " ids, limit is " +
                                   std::to_string(max_ids));
  }
  if (count > r.remaining() / 8) return Status::InvalidArgument(std::string(field) + ": truncated id list");
  std::vector<NodeId> ids;
  ids.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(NodeId id, r.GetU64());
    if (id == kNoNode) return Status::InvalidArgument(std::string(field) + ": node id 0");
    if (!ids.empty() && id <= ids.back()) {
      return Status::InvalidArgument(std::string(field) + ": ids not strictly ascending");
    }
    ids.push_back(id);
  }
  return ids;
}

void PutConfState(ByteWriter& w, const ConfState& c) {
  PutIds(w, c.voters);
  PutIds(w, c.learners);
  PutIds(w, c.removed);
}

Result<ConfState> GetConfState(ByteReader& r, uint32_t max_ids) {
  ConfState c;
  ASSIGN_OR_RETURN(c.voters, GetIds(r, max_ids, "conf_state.voters"));
  ASSIGN_OR_RETURN(c.learners, GetIds(r, max_ids, "conf_state.learners"));
  ASSIGN_OR_RETURN(c.removed, GetIds(r, max_ids, "conf_state.removed"));
  for (NodeId id : c.learners) {
    if (Contains(c.voters, id)) return Status::InvalidArgument("conf_state: node " + std::to_string(id) + " is both voter and learner");
  }
  for (NodeId id : c.removed) {
    if (Contains(c.voters, id) || Contains(c.learners, id)) {
      return Status::InvalidArgument("conf_state: removed node " + std::to_string(id) + " is still a member");
    }
  }
  return c;
}

void PutEntry(ByteWriter& w, const Entry& e) {
  w.PutU64(e.term);
  w.PutU64(e.index);
  w.PutU8(static_cast<uint8_t>(e.type));
  w.PutBytes(e.data);
}

Result<Entry> GetEntry(ByteReader& r, uint64_t max_entry_bytes) {
  Entry e;
  ASSIGN_OR_RETURN(e.term, r.GetU64());
  ASSIGN_OR_RETURN(e.index, r.GetU64());
  ASSIGN_OR_RETURN(uint8_t type, r.GetU8());
  if (type > static_cast<uint8_t>(EntryType::kConfChange)) {
    return Status::InvalidArgument("entry.type: unknown value " + std::to_string(type));
  }
  e.type = static_cast<EntryType>(type);
  ASSIGN_OR_RETURN(ByteView data, r.GetBytes(max_entry_bytes));
  e.data.assign(data.begin(), data.end());
  return e;
}

std::string Printable(const Bytes& data) {
  bool printable = std::all_of(data.begin(), data.end(), [](uint8_t c) { return c >= 0x20 && c < 0x7f && c != '"'; });
  if (printable) return "\"" + std::string(AsStringView(data)) + "\"";
  return "0x" + ToHex(data);
}

std::string Ids(const std::vector<NodeId>& ids) {
  std::string out = "(";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + ")";
}

}  // namespace

bool ConfState::IsVoter(NodeId id) const { return Contains(voters, id); }
bool ConfState::IsLearner(NodeId id) const { return Contains(learners, id); }
bool ConfState::IsRemoved(NodeId id) const { return Contains(removed, id); }

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResponse: return "PreVoteResp";
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResponse: return "VoteResp";
    case MessageType::kAppend: return "App";
    case MessageType::kAppendResponse: return "AppResp";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResponse: return "HeartbeatResp";
    case MessageType::kSnapshot: return "Snap";
    case MessageType::kReadIndex: return "ReadIndex";
    case MessageType::kReadIndexResponse: return "ReadIndexResp";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    case MessageType::kTransferLeader: return "TransferLeader";
  }
  return "Unknown";
}

Bytes EncodeMessage(const Message& m) {
  ByteWriter w;
  w.PutU8(static_cast<uint8_t>(m.type));
  w.PutU64(m.from);
  w.PutU64(m.to);
  w.PutU64(m.term);
  w.PutU64(m.log_term);
  w.PutU64(m.index);
  w.PutU32(static_cast<uint32_t>(m.entries.size()));
  for (const Entry& e : m.entries) PutEntry(w, e);
  w.PutU64(m.commit);
  w.PutBool(m.reject);
  w.PutU64(m.reject_hint);
  w.PutU64(m.transferee);
  w.PutBool(m.has_snapshot);
  if (m.has_snapshot) {
    w.PutU64(m.snapshot.metadata.index);
    w.PutU64(m.snapshot.metadata.term);
    PutConfState(w, m.snapshot.metadata.conf_state);
    w.PutBytes(m.snapshot.data);
  }
  w.PutBytes(m.context);
  return w.Take();
}

Result<Message> DecodeMessage(ByteView bytes, const MessageLimits& limits) {
  if (bytes.size() > limits.max_message_bytes) {
    return Status::InvalidArgument("message: " + std::to_string(bytes.size()) + " bytes, limit is " +
                                   std::to_string(limits.max_message_bytes));
  }
  ByteReader r(bytes);
  Message m;
  ASSIGN_OR_RETURN(uint8_t type, r.GetU8());
  if (type > kMaxMessageType) return Status::InvalidArgument("message.type: unknown value " + std::to_string(type));
  m.type = static_cast<MessageType>(type);
  ASSIGN_OR_RETURN(m.from, r.GetU64());
  ASSIGN_OR_RETURN(m.to, r.GetU64());
  ASSIGN_OR_RETURN(m.term, r.GetU64());
  ASSIGN_OR_RETURN(m.log_term, r.GetU64());
  ASSIGN_OR_RETURN(m.index, r.GetU64());
  ASSIGN_OR_RETURN(uint32_t entry_count, r.GetU32());
  if (entry_count > limits.max_entries) {
    return Status::InvalidArgument("message.entries: " + std::to_string(entry_count) + " entries, limit is " +
                                   std::to_string(limits.max_entries));
  }
  // Each entry needs at least 21 bytes; refuse counts the input cannot hold.
  if (entry_count > r.remaining() / 21) return Status::InvalidArgument("message.entries: truncated");
  m.entries.reserve(entry_count);
  for (uint32_t i = 0; i < entry_count; ++i) {
    Result<Entry> e = GetEntry(r, limits.max_entry_bytes);
    if (!e.ok()) return e.status().WithContext("message.entries[" + std::to_string(i) + "]");
    m.entries.push_back(std::move(e).value());
  }
  ASSIGN_OR_RETURN(m.commit, r.GetU64());
  ASSIGN_OR_RETURN(m.reject, r.GetBool());
  ASSIGN_OR_RETURN(m.reject_hint, r.GetU64());
  ASSIGN_OR_RETURN(m.transferee, r.GetU64());
  ASSIGN_OR_RETURN(m.has_snapshot, r.GetBool());
  if (m.has_snapshot) {
    if (m.type != MessageType::kSnapshot) return Status::InvalidArgument("message.snapshot: only kSnapshot carries one");
    ASSIGN_OR_RETURN(m.snapshot.metadata.index, r.GetU64());
    ASSIGN_OR_RETURN(m.snapshot.metadata.term, r.GetU64());
    Result<ConfState> conf = GetConfState(r, limits.max_conf_ids);
    if (!conf.ok()) return conf.status().WithContext("message.snapshot");
    m.snapshot.metadata.conf_state = std::move(conf).value();
    ASSIGN_OR_RETURN(ByteView data, r.GetBytes(limits.max_snapshot_bytes));
    m.snapshot.data.assign(data.begin(), data.end());
    if (m.snapshot.metadata.index == 0) return Status::InvalidArgument("message.snapshot.index: 0");
  } else if (m.type == MessageType::kSnapshot) {
    return Status::InvalidArgument("message.snapshot: kSnapshot without a snapshot");
  }
  ASSIGN_OR_RETURN(ByteView context, r.GetBytes(limits.max_context_bytes));
  m.context.assign(context.begin(), context.end());
  RETURN_IF_ERROR(r.Finish());
  return m;
}

Bytes EncodeConfChange(const ConfChange& c) {
  ByteWriter w;
  w.PutU8(static_cast<uint8_t>(c.type));
  w.PutU64(c.node_id);
  w.PutBytes(c.context);
  return w.Take();
}

Result<ConfChange> DecodeConfChange(ByteView bytes, uint64_t max_context_bytes) {
  ByteReader r(bytes);
  ConfChange c;
  ASSIGN_OR_RETURN(uint8_t type, r.GetU8());
  if (type > static_cast<uint8_t>(ConfChangeType::kRemoveNode)) {
    return Status::InvalidArgument("conf_change.type: unknown value " + std::to_string(type));
  }
  c.type = static_cast<ConfChangeType>(type);
  ASSIGN_OR_RETURN(c.node_id, r.GetU64());
  if (c.node_id == kNoNode) return Status::InvalidArgument("conf_change.node_id: 0");
  ASSIGN_OR_RETURN(ByteView context, r.GetBytes(max_context_bytes));
  c.context.assign(context.begin(), context.end());
  RETURN_IF_ERROR(r.Finish());
  return c;
}

Bytes EncodeHardState(const HardState& s) {
  ByteWriter w;
  w.PutU64(s.term);
  w.PutU64(s.vote);
  w.PutU64(s.commit);
  return w.Take();
}

Result<HardState> DecodeHardState(ByteView bytes) {
  ByteReader r(bytes);
  HardState s;
  ASSIGN_OR_RETURN(s.term, r.GetU64());
  ASSIGN_OR_RETURN(s.vote, r.GetU64());
  ASSIGN_OR_RETURN(s.commit, r.GetU64());
  RETURN_IF_ERROR(r.Finish());
  return s;
}

Bytes EncodeEntry(const Entry& e) {
  ByteWriter w;
  PutEntry(w, e);
  return w.Take();
}

Result<Entry> DecodeEntry(ByteView bytes, uint64_t max_entry_bytes) {
  ByteReader r(bytes);
  ASSIGN_OR_RETURN(Entry e, GetEntry(r, max_entry_bytes));
  RETURN_IF_ERROR(r.Finish());
  return e;
}

Bytes EncodeConfState(const ConfState& c) {
  ByteWriter w;
  PutConfState(w, c);
  return w.Take();
}

Result<ConfState> DecodeConfState(ByteView bytes, uint32_t max_conf_ids) {
  ByteReader r(bytes);
  ASSIGN_OR_RETURN(ConfState c, GetConfState(r, max_conf_ids));
  RETURN_IF_ERROR(r.Finish());
  return c;
}

std::string DescribeEntry(const Entry& e) {
  std::string out = std::to_string(e.term) + "/" + std::to_string(e.index);
  if (e.type == EntryType::kConfChange) {
    Result<ConfChange> c = DecodeConfChange(e.data);
    if (!c.ok()) return out + " conf(invalid)";
    static constexpr std::string_view kNames[] = {"add", "learner", "remove"};
    return out + " conf(" + std::string(kNames[static_cast<int>(c->type)]) + "=" + std::to_string(c->node_id) + ")";
  }
  return out + " " + (e.data.empty() ? std::string("empty") : Printable(e.data));
}

std::string DescribeConfState(const ConfState& c) {
  std::string out = "voters=" + Ids(c.voters);
  if (!c.learners.empty()) out += " learners=" + Ids(c.learners);
  if (!c.removed.empty()) out += " removed=" + Ids(c.removed);
  return out;
}

std::string DescribeHardState(const HardState& s) {
  return "term=" + std::to_string(s.term) + " vote=" + std::to_string(s.vote) + " commit=" + std::to_string(s.commit);
}

std::string DescribeMessage(const Message& m) {
  std::string out = std::to_string(m.from) + "->" + std::to_string(m.to) + " " + std::string(MessageTypeName(m.type)) +
                    " term=" + std::to_string(m.term);
  switch (m.type) {
    case MessageType::kPreVote:
    case MessageType::kVote:
      out += " last=" + std::to_string(m.log_term) + "/" + std::to_string(m.index);
      break;
    case MessageType::kAppend: {
      out += " prev=" + std::to_string(m.log_term) + "/" + std::to_string(m.index) + " commit=" + std::to_string(m.commit);
      if (!m.entries.empty()) {
        out += " [";
        for (size_t i = 0; i < m.entries.size(); ++i) out += (i ? ", " : "") + DescribeEntry(m.entries[i]);
        out += "]";
      }
      break;
    }
    case MessageType::kAppendResponse:
      out += " index=" + std::to_string(m.index);
      if (m.reject) out += " (rejected, hint: " + std::to_string(m.reject_hint) + ")";
      break;
    case MessageType::kHeartbeat:
      out += " commit=" + std::to_string(m.commit);
      break;
    case MessageType::kSnapshot:
      out += " snap=" + std::to_string(m.snapshot.metadata.term) + "/" + std::to_string(m.snapshot.metadata.index) +
             " " + DescribeConfState(m.snapshot.metadata.conf_state);
      break;
    case MessageType::kReadIndexResponse:
      out += " index=" + std::to_string(m.index);
      break;
    case MessageType::kTransferLeader:
      out += " transferee=" + std::to_string(m.transferee);
      break;
    case MessageType::kPreVoteResponse:
    case MessageType::kVoteResponse:
      if (m.reject) out += " rejected";
      break;
    case MessageType::kHeartbeatResponse:
    case MessageType::kReadIndex:
    case MessageType::kTimeoutNow:
      break;
  }
  if (!m.context.empty()) out += " ctx=" + Printable(m.context);
  return out;
}

}  // namespace shulian::consensus
