#include "node/config.h"

#include <arpa/inet.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "ledger/transaction.h"
#include "node/log.h"

namespace shulian::node {
namespace {

using nlohmann::json;

Status Bad(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(std::string(field) + ": " + std::string(what));
}

// Refuses keys outside `allowed`, so a misspelt limit is never silently ignored.
Status CheckKeys(std::string_view where, const json& object, const std::set<std::string>& allowed) {
  for (const auto& item : object.items()) {
    if (!allowed.contains(item.key())) {
      std::string field = where.empty() ? item.key() : std::string(where) + "." + item.key();
      return Bad(field, "unknown key");
    }
  }
  return Status::Ok();
}

std::string Path(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : std::string(where) + "." + std::string(key);
}

Result<std::string> GetString(const json& object, std::string_view where, const std::string& key) {
  auto it = object.find(key);
  if (it == object.end()) return Bad(Path(where, key), "required");
  if (!it->is_string()) return Bad(Path(where, key), "expected a string");
  if (it->get_ref<const std::string&>().empty()) return Bad(Path(where, key), "must not be empty");
  return it->get<std::string>();
}

Result<uint64_t> GetU64(const json& object, std::string_view where, const std::string& key, uint64_t min,
                        uint64_t max, std::optional<uint64_t> fallback) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (fallback) return *fallback;
    return Bad(Path(where, key), "required");
  }
  if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0)) {
    return Bad(Path(where, key), "expected a non-negative integer");
  }
  uint64_t value = it->get<uint64_t>();
  if (value < min || value > max) {
    return Bad(Path(where, key), "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

Result<double> GetRate(const json& object, std::string_view where, const std::string& key, double fallback) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_number()) return Bad(Path(where, key), "expected a number");
  double value = it->get<double>();
  if (!(value >= 0 && value <= 1e9)) return Bad(Path(where, key), "must be in [0, 1e9]");
  return value;
}

std::filesystem::path Resolve(const std::filesystem::path& dir, const std::string& text) {
  std::filesystem::path p(text);
  return p.is_absolute() ? p : (dir / p).lexically_normal();
}

Result<ApiTlsConfig> ParseApiTls(const json& object, const std::filesystem::path& config_dir) {
  constexpr std::string_view kWhere = "api_tls";
  if (!object.is_object()) return Bad(kWhere, "expected an object");
  RETURN_IF_ERROR(CheckKeys(kWhere, object, {"certificate_chain_file", "private_key_file"}));
  ASSIGN_OR_RETURN(std::string chain, GetString(object, kWhere, "certificate_chain_file"));
  ASSIGN_OR_RETURN(std::string key, GetString(object, kWhere, "private_key_file"));
  return ApiTlsConfig{Resolve(config_dir, chain), Resolve(config_dir, key)};
}

// Plain HTTP is for the machine itself unless the operator opts in.
Status CheckApiTransport(const NodeConfig& c) {
  if (c.api_tls.enabled() || c.api_plain_http_allowed || IsLoopbackHost(c.api_address.host))
    return Status::Ok();
  return Bad("api_tls", "required: api_address " + c.api_address.ToString() +
                            " is not a loopback address, so the API must serve TLS (give api_tls with "
                            "certificate_chain_file and private_key_file), or set api_plain_http_allowed to "
                            "true to serve plain HTTP there");
}

Result<NodeLimits> ParseLimits(const json& object) {
  constexpr std::string_view kWhere = "limits";
  if (!object.is_object()) return Bad(kWhere, "expected an object");
  RETURN_IF_ERROR(CheckKeys(kWhere, object,
                            {"pending_transactions_max",
                             "batch_transactions_max",
                             "batch_bytes_max",
                             "batch_wait_ms",
                             "request_body_bytes_max",
                             "account_requests_per_second",
                             "account_burst_max",
                             "read_timeout_ms",
                             "wait_timeout_ms_max",
                             "export_bytes_max",
                             "backup_bytes_max",
                             "rollup_days_max",
                             "rollup_count_keys_max",
                             "calendar_days_max",
                             "api_handler_threads",
                             "api_io_threads",
                             "api_connections_max",
                             "forward_timeout_ms",
                             "forwards_in_flight_max",
                             "forwarded_submissions_serving_max",
                             "tick_ms",
                             "election_ticks",
                             "heartbeat_ticks",
                             "inbox_events_max",
                             "frame_bytes_max",
                             "send_queue_frames_max",
                             "handshake_timeout_ms",
                             "inbound_handshake_timeout_ms",
                             "pending_handshakes_max",
                             "pending_handshakes_per_address_max",
                             "api_connections_per_address_max",
                             "api_first_request_timeout_ms",
                             "api_address_requests_per_second",
                             "api_address_burst_max",
                             "raft_log_retain_entries",
                             "raft_log_compact_entries_min",
                             "catchup_blocks_per_response_max",
                             "catchup_response_bytes_max",
                             "catchup_requests_in_flight_max",
                             "catchup_request_timeout_ms",
                             "catchup_server_queue_max",
                             "catchup_chain_heights_max",
                             "learner_lag_entries_max",
                             "proposals_in_flight_max",
                             "db_write_buffer_bytes",
                             "signature_cache_entries",
                             "checkpoint_inbox_messages_max",
                             "checkpoint_votes_buffered_max",
                             "checkpoint_heights_ahead_max",
                             "checkpoint_request_delay_ms",
                             "checkpoint_request_interval_ms",
                             "checkpoint_signing_backlog_max",
                             "checkpoint_every_heights",
                             "checkpoint_head_quiet_ms"}));
  NodeLimits d;
  NodeLimits l;
  ASSIGN_OR_RETURN(l.pending_transactions_max,
                   GetU64(object, kWhere, "pending_transactions_max", 1, 10'000'000, d.pending_transactions_max));
  ASSIGN_OR_RETURN(l.batch_transactions_max,
                   GetU64(object, kWhere, "batch_transactions_max", 1, 100'000, d.batch_transactions_max));
  ASSIGN_OR_RETURN(l.batch_bytes_max, GetU64(object, kWhere, "batch_bytes_max", 1024, 64u << 20, d.batch_bytes_max));
  ASSIGN_OR_RETURN(l.batch_wait_ms, GetU64(object, kWhere, "batch_wait_ms", 0, 10'000, d.batch_wait_ms));
  ASSIGN_OR_RETURN(l.proposals_in_flight_max,
                   GetU64(object, kWhere, "proposals_in_flight_max", 1, 1'024, d.proposals_in_flight_max));
  ASSIGN_OR_RETURN(l.request_body_bytes_max,
                   GetU64(object, kWhere, "request_body_bytes_max", 1024, 256u << 20, d.request_body_bytes_max));
  ASSIGN_OR_RETURN(l.account_requests_per_second,
                   GetRate(object, kWhere, "account_requests_per_second", d.account_requests_per_second));
  ASSIGN_OR_RETURN(l.account_burst_max, GetRate(object, kWhere, "account_burst_max", d.account_burst_max));
  ASSIGN_OR_RETURN(l.read_timeout_ms, GetU64(object, kWhere, "read_timeout_ms", 1, 600'000, d.read_timeout_ms));
  ASSIGN_OR_RETURN(l.wait_timeout_ms_max,
                   GetU64(object, kWhere, "wait_timeout_ms_max", 1, 600'000, d.wait_timeout_ms_max));
  ASSIGN_OR_RETURN(l.export_bytes_max,
                   GetU64(object, kWhere, "export_bytes_max", 1024, uint64_t{4} << 30, d.export_bytes_max));
  ASSIGN_OR_RETURN(l.backup_bytes_max, GetU64(object, kWhere, "backup_bytes_max", 1u << 20, uint64_t{1} << 42,
                                              d.backup_bytes_max));
  ASSIGN_OR_RETURN(l.rollup_days_max, GetU64(object, kWhere, "rollup_days_max", 1, 3'660, d.rollup_days_max));
  ASSIGN_OR_RETURN(l.rollup_count_keys_max, GetU64(object, kWhere, "rollup_count_keys_max", 1'000, 10'000'000,
                                                   d.rollup_count_keys_max));
  ASSIGN_OR_RETURN(l.calendar_days_max,
                   GetU64(object, kWhere, "calendar_days_max", 1, 3'660, d.calendar_days_max));
  ASSIGN_OR_RETURN(l.api_handler_threads, GetU64(object, kWhere, "api_handler_threads", 1, 1024, d.api_handler_threads));
  ASSIGN_OR_RETURN(l.api_io_threads, GetU64(object, kWhere, "api_io_threads", 1, 64, d.api_io_threads));
  ASSIGN_OR_RETURN(l.api_connections_max,
                   GetU64(object, kWhere, "api_connections_max", 1, 1'000'000, d.api_connections_max));
  ASSIGN_OR_RETURN(l.api_connections_per_address_max,
                   GetU64(object, kWhere, "api_connections_per_address_max", 1, 1'000'000,
                          d.api_connections_per_address_max));
  ASSIGN_OR_RETURN(l.api_first_request_timeout_ms, GetU64(object, kWhere, "api_first_request_timeout_ms", 1,
                                                          600'000, d.api_first_request_timeout_ms));
  ASSIGN_OR_RETURN(
      l.api_address_requests_per_second,
      GetRate(object, kWhere, "api_address_requests_per_second", d.api_address_requests_per_second));
  ASSIGN_OR_RETURN(l.api_address_burst_max,
                   GetRate(object, kWhere, "api_address_burst_max", d.api_address_burst_max));
  ASSIGN_OR_RETURN(l.forward_timeout_ms,
                   GetU64(object, kWhere, "forward_timeout_ms", 1, 600'000, d.forward_timeout_ms));
  ASSIGN_OR_RETURN(l.forwards_in_flight_max,
                   GetU64(object, kWhere, "forwards_in_flight_max", 1, 1024, d.forwards_in_flight_max));
  ASSIGN_OR_RETURN(l.forwarded_submissions_serving_max, GetU64(object, kWhere, "forwarded_submissions_serving_max",
                                                               1, 1024, d.forwarded_submissions_serving_max));
  ASSIGN_OR_RETURN(l.tick_ms, GetU64(object, kWhere, "tick_ms", 1, 10'000, d.tick_ms));
  ASSIGN_OR_RETURN(l.election_ticks, GetU64(object, kWhere, "election_ticks", 2, 10'000, d.election_ticks));
  ASSIGN_OR_RETURN(l.heartbeat_ticks, GetU64(object, kWhere, "heartbeat_ticks", 1, 10'000, d.heartbeat_ticks));
  ASSIGN_OR_RETURN(l.inbox_events_max, GetU64(object, kWhere, "inbox_events_max", 16, 10'000'000, d.inbox_events_max));
  ASSIGN_OR_RETURN(l.frame_bytes_max, GetU64(object, kWhere, "frame_bytes_max", 4096, 64u << 20, d.frame_bytes_max));
  ASSIGN_OR_RETURN(l.send_queue_frames_max,
                   GetU64(object, kWhere, "send_queue_frames_max", 1, 1'000'000, d.send_queue_frames_max));
  ASSIGN_OR_RETURN(l.handshake_timeout_ms,
                   GetU64(object, kWhere, "handshake_timeout_ms", 1, 600'000, d.handshake_timeout_ms));
  ASSIGN_OR_RETURN(l.inbound_handshake_timeout_ms, GetU64(object, kWhere, "inbound_handshake_timeout_ms", 1,
                                                          600'000, d.inbound_handshake_timeout_ms));
  ASSIGN_OR_RETURN(l.pending_handshakes_max,
                   GetU64(object, kWhere, "pending_handshakes_max", 1, 10'000, d.pending_handshakes_max));
  ASSIGN_OR_RETURN(l.pending_handshakes_per_address_max,
                   GetU64(object, kWhere, "pending_handshakes_per_address_max", 1, 10'000,
                          d.pending_handshakes_per_address_max));
  ASSIGN_OR_RETURN(l.raft_log_retain_entries, GetU64(object, kWhere, "raft_log_retain_entries", 1, 100'000'000,
                                                     d.raft_log_retain_entries));
  ASSIGN_OR_RETURN(l.raft_log_compact_entries_min, GetU64(object, kWhere, "raft_log_compact_entries_min", 1,
                                                          100'000'000, d.raft_log_compact_entries_min));
  ASSIGN_OR_RETURN(l.catchup_blocks_per_response_max, GetU64(object, kWhere, "catchup_blocks_per_response_max", 1,
                                                             100'000, d.catchup_blocks_per_response_max));
  ASSIGN_OR_RETURN(l.catchup_response_bytes_max, GetU64(object, kWhere, "catchup_response_bytes_max", 1024,
                                                        1ull << 30, d.catchup_response_bytes_max));
  ASSIGN_OR_RETURN(l.catchup_requests_in_flight_max, GetU64(object, kWhere, "catchup_requests_in_flight_max", 1,
                                                            1'024, d.catchup_requests_in_flight_max));
  ASSIGN_OR_RETURN(l.catchup_request_timeout_ms, GetU64(object, kWhere, "catchup_request_timeout_ms", 1, 600'000,
                                                        d.catchup_request_timeout_ms));
  ASSIGN_OR_RETURN(l.catchup_server_queue_max, GetU64(object, kWhere, "catchup_server_queue_max", 1, 1'000'000,
                                                      d.catchup_server_queue_max));
  ASSIGN_OR_RETURN(l.catchup_chain_heights_max, GetU64(object, kWhere, "catchup_chain_heights_max", 1,
                                                       1ull << 28, d.catchup_chain_heights_max));
  ASSIGN_OR_RETURN(l.learner_lag_entries_max, GetU64(object, kWhere, "learner_lag_entries_max", 0, 1'000'000,
                                                     d.learner_lag_entries_max));
  ASSIGN_OR_RETURN(l.db_write_buffer_bytes, GetU64(object, kWhere, "db_write_buffer_bytes", 1 << 20, 1 << 30,
                                                   d.db_write_buffer_bytes));
  ASSIGN_OR_RETURN(l.signature_cache_entries, GetU64(object, kWhere, "signature_cache_entries", 0, 4'000'000,
                                                     d.signature_cache_entries));
  ASSIGN_OR_RETURN(l.checkpoint_inbox_messages_max, GetU64(object, kWhere, "checkpoint_inbox_messages_max", 1,
                                                           10'000'000, d.checkpoint_inbox_messages_max));
  ASSIGN_OR_RETURN(l.checkpoint_votes_buffered_max, GetU64(object, kWhere, "checkpoint_votes_buffered_max", 1,
                                                           10'000'000, d.checkpoint_votes_buffered_max));
  ASSIGN_OR_RETURN(l.checkpoint_heights_ahead_max, GetU64(object, kWhere, "checkpoint_heights_ahead_max", 1,
                                                          1'000'000, d.checkpoint_heights_ahead_max));
  ASSIGN_OR_RETURN(l.checkpoint_request_delay_ms, GetU64(object, kWhere, "checkpoint_request_delay_ms", 1, 600'000,
                                                         d.checkpoint_request_delay_ms));
  ASSIGN_OR_RETURN(l.checkpoint_request_interval_ms, GetU64(object, kWhere, "checkpoint_request_interval_ms", 1,
                                                            600'000, d.checkpoint_request_interval_ms));
  ASSIGN_OR_RETURN(l.checkpoint_signing_backlog_max, GetU64(object, kWhere, "checkpoint_signing_backlog_max", 1,
                                                            100'000'000, d.checkpoint_signing_backlog_max));
  ASSIGN_OR_RETURN(l.checkpoint_every_heights, GetU64(object, kWhere, "checkpoint_every_heights", 1, 1'000'000,
                                                      d.checkpoint_every_heights));
  ASSIGN_OR_RETURN(l.checkpoint_head_quiet_ms, GetU64(object, kWhere, "checkpoint_head_quiet_ms", 1, 600'000,
                                                      d.checkpoint_head_quiet_ms));
  if (l.pending_handshakes_per_address_max > l.pending_handshakes_max) {
    return Bad("limits.pending_handshakes_per_address_max", "must not exceed limits.pending_handshakes_max");
  }
  if (l.api_address_requests_per_second > 0 && l.api_address_burst_max < 1) {
    return Bad("limits.api_address_burst_max",
               "must be at least 1 unless api_address_requests_per_second is 0");
  }
  if (l.heartbeat_ticks >= l.election_ticks) {
    return Bad("limits.heartbeat_ticks", "must be below limits.election_ticks");
  }
  // A block travels in one frame: its transactions plus header and Raft overhead.
  if (l.frame_bytes_max < l.batch_bytes_max + (64u << 10)) {
    return Bad("limits.frame_bytes_max", "must exceed limits.batch_bytes_max by at least 65536");
  }
  // A catch-up response may hold its byte bound plus one block, in one frame.
  if (l.frame_bytes_max < l.catchup_response_bytes_max + l.batch_bytes_max + (64u << 10)) {
    return Bad("limits.catchup_response_bytes_max",
               "plus limits.batch_bytes_max and 65536 must not exceed limits.frame_bytes_max");
  }
  return l;
}

Result<PeerEntry> ParsePeer(const json& object, const std::string& where) {
  if (!object.is_object()) return Bad(where, "expected an object");
  RETURN_IF_ERROR(CheckKeys(where, object, {"id", "address", "api_address", "public_key"}));
  PeerEntry peer;
  ASSIGN_OR_RETURN(peer.id, GetU64(object, where, "id", 1, std::numeric_limits<uint64_t>::max(), std::nullopt));
  ASSIGN_OR_RETURN(std::string address, GetString(object, where, "address"));
  ASSIGN_OR_RETURN(peer.address, ParseHostPort(Path(where, "address"), address));
  ASSIGN_OR_RETURN(std::string api, GetString(object, where, "api_address"));
  ASSIGN_OR_RETURN(peer.api_address, ParseHostPort(Path(where, "api_address"), api));
  ASSIGN_OR_RETURN(std::string key, GetString(object, where, "public_key"));
  Result<crypto::PublicKey> parsed = crypto::PublicKey::FromHex(key);
  if (key.size() != 64 || !parsed.ok()) return Bad(Path(where, "public_key"), "not 64 hex characters");
  peer.public_key = *parsed;
  return peer;
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view field, std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Bad(field, "expected host:port, got \"" + std::string(text) + "\"");
  }
  std::string_view port_text = text.substr(colon + 1);
  uint32_t port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return Bad(field, "port must be a number in [1, 65535], got \"" + std::string(port_text) + "\"");
  }
  return HostPort{std::string(text.substr(0, colon)), static_cast<uint16_t>(port)};
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

const PeerEntry* NodeConfig::FindPeer(uint64_t id) const {
  for (const PeerEntry& peer : peers) {
    if (peer.id == id) return &peer;
  }
  return nullptr;
}

Result<NodeConfig> ParseNodeConfig(const json& object, const std::filesystem::path& config_dir) {
  if (!object.is_object()) return Bad("(top level)", "expected an object");
  RETURN_IF_ERROR(
      CheckKeys("", object,
                {"network_id", "genesis", "node_id", "node_key", "data_dir", "listen_address", "api_address",
                 "api_tls", "api_plain_http_allowed", "peers", "forward_to_leader", "log_level", "limits"}));
  NodeConfig c;
  c.config_dir = config_dir;
  ASSIGN_OR_RETURN(c.network_id, GetString(object, "", "network_id"));
  RETURN_IF_ERROR(ledger::ValidateId("network_id", c.network_id, 64));
  ASSIGN_OR_RETURN(std::string genesis, GetString(object, "", "genesis"));
  c.genesis_path = Resolve(config_dir, genesis);
  ASSIGN_OR_RETURN(c.node_id, GetU64(object, "", "node_id", 1, std::numeric_limits<uint64_t>::max(), std::nullopt));
  ASSIGN_OR_RETURN(std::string key, GetString(object, "", "node_key"));
  c.node_key_path = Resolve(config_dir, key);
  ASSIGN_OR_RETURN(std::string data, GetString(object, "", "data_dir"));
  c.data_dir = Resolve(config_dir, data);
  ASSIGN_OR_RETURN(std::string listen, GetString(object, "", "listen_address"));
  ASSIGN_OR_RETURN(c.listen_address, ParseHostPort("listen_address", listen));
  ASSIGN_OR_RETURN(std::string api, GetString(object, "", "api_address"));
  ASSIGN_OR_RETURN(c.api_address, ParseHostPort("api_address", api));
  if (auto it = object.find("api_tls"); it != object.end()) {
    ASSIGN_OR_RETURN(c.api_tls, ParseApiTls(*it, config_dir));
  }
  if (auto it = object.find("api_plain_http_allowed"); it != object.end()) {
    if (!it->is_boolean()) return Bad("api_plain_http_allowed", "expected a boolean");
    c.api_plain_http_allowed = it->get<bool>();
  }
  RETURN_IF_ERROR(CheckApiTransport(c));

  auto peers = object.find("peers");
  if (peers == object.end()) return Bad("peers", "required");
  if (!peers->is_array()) return Bad("peers", "expected an array");
  std::set<uint64_t> ids;
  for (size_t i = 0; i < peers->size(); ++i) {
    const std::string where = "peers[" + std::to_string(i) + "]";
    ASSIGN_OR_RETURN(PeerEntry peer, ParsePeer((*peers)[i], where));
    if (!ids.insert(peer.id).second) return Bad(where + ".id", "duplicate id " + std::to_string(peer.id));
    c.peers.push_back(std::move(peer));
  }

  if (auto it = object.find("forward_to_leader"); it != object.end()) {
    if (!it->is_boolean()) return Bad("forward_to_leader", "expected a boolean");
    c.forward_to_leader = it->get<bool>();
  }
  if (auto it = object.find("log_level"); it != object.end()) {
    LogLevel level;
    if (!it->is_string() || !ParseLogLevel(it->get<std::string>(), &level)) {
      return Bad("log_level", "expected one of debug, info, warn, error");
    }
    c.log_level = it->get<std::string>();
  }
  if (auto it = object.find("limits"); it != object.end()) {
    ASSIGN_OR_RETURN(c.limits, ParseLimits(*it));
  }
  return c;
}

Result<NodeConfig> LoadNodeConfigFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::InvalidArgument("config file " + path.string() + ": not a readable regular file");
  }
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || size > kConfigFileBytesMax) {
    return Status::InvalidArgument("config file " + path.string() + ": larger than " +
                                   std::to_string(kConfigFileBytesMax) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IoError("reading config file " + path.string());
  json parsed = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::InvalidArgument("config file " + path.string() + ": not valid JSON");
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  return ParseNodeConfig(parsed, dir);
}

nlohmann::json NodeConfigToJson(const NodeConfig& c) {
  auto rel = [&](const std::filesystem::path& p) {
    std::filesystem::path r = p.lexically_relative(c.config_dir);
    return (r.empty() || r.string().starts_with("..")) ? p.string() : r.string();
  };
  json peers = json::array();
  for (const PeerEntry& p : c.peers) {
    peers.push_back({{"id", p.id},
                     {"address", p.address.ToString()},
                     {"api_address", p.api_address.ToString()},
                     {"public_key", p.public_key.ToHex()}});
  }
  const NodeLimits& l = c.limits;
  json limits = {{"pending_transactions_max", l.pending_transactions_max},
                 {"batch_transactions_max", l.batch_transactions_max},
                 {"batch_bytes_max", l.batch_bytes_max},
                 {"batch_wait_ms", l.batch_wait_ms},
                 {"proposals_in_flight_max", l.proposals_in_flight_max},
                 {"request_body_bytes_max", l.request_body_bytes_max},
                 {"account_requests_per_second", l.account_requests_per_second},
                 {"account_burst_max", l.account_burst_max},
                 {"read_timeout_ms", l.read_timeout_ms},
                 {"wait_timeout_ms_max", l.wait_timeout_ms_max},
                 {"export_bytes_max", l.export_bytes_max},
                 {"backup_bytes_max", l.backup_bytes_max},
                 {"rollup_days_max", l.rollup_days_max},
                 {"rollup_count_keys_max", l.rollup_count_keys_max},
                 {"calendar_days_max", l.calendar_days_max},
                 {"api_handler_threads", l.api_handler_threads},
                 {"api_io_threads", l.api_io_threads},
                 {"api_connections_max", l.api_connections_max},
                 {"api_connections_per_address_max", l.api_connections_per_address_max},
                 {"api_first_request_timeout_ms", l.api_first_request_timeout_ms},
                 {"api_address_requests_per_second", l.api_address_requests_per_second},
                 {"api_address_burst_max", l.api_address_burst_max},
                 {"forward_timeout_ms", l.forward_timeout_ms},
                 {"forwards_in_flight_max", l.forwards_in_flight_max},
                 {"forwarded_submissions_serving_max", l.forwarded_submissions_serving_max},
                 {"tick_ms", l.tick_ms},
                 {"election_ticks", l.election_ticks},
                 {"heartbeat_ticks", l.heartbeat_ticks},
                 {"inbox_events_max", l.inbox_events_max},
                 {"frame_bytes_max", l.frame_bytes_max},
                 {"send_queue_frames_max", l.send_queue_frames_max},
                 {"handshake_timeout_ms", l.handshake_timeout_ms},
                 {"inbound_handshake_timeout_ms", l.inbound_handshake_timeout_ms},
                 {"pending_handshakes_max", l.pending_handshakes_max},
                 {"pending_handshakes_per_address_max", l.pending_handshakes_per_address_max},
                 {"raft_log_retain_entries", l.raft_log_retain_entries},
                 {"raft_log_compact_entries_min", l.raft_log_compact_entries_min},
                 {"catchup_blocks_per_response_max", l.catchup_blocks_per_response_max},
                 {"catchup_response_bytes_max", l.catchup_response_bytes_max},
                 {"catchup_requests_in_flight_max", l.catchup_requests_in_flight_max},
                 {"catchup_request_timeout_ms", l.catchup_request_timeout_ms},
                 {"catchup_server_queue_max", l.catchup_server_queue_max},
                 {"catchup_chain_heights_max", l.catchup_chain_heights_max},
                 {"learner_lag_entries_max", l.learner_lag_entries_max},
                 {"db_write_buffer_bytes", l.db_write_buffer_bytes},
                 {"signature_cache_entries", l.signature_cache_entries},
                 {"checkpoint_inbox_messages_max", l.checkpoint_inbox_messages_max},
                 {"checkpoint_votes_buffered_max", l.checkpoint_votes_buffered_max},
                 {"checkpoint_heights_ahead_max", l.checkpoint_heights_ahead_max},
                 {"checkpoint_request_delay_ms", l.checkpoint_request_delay_ms},
                 {"checkpoint_request_interval_ms", l.checkpoint_request_interval_ms},
                 {"checkpoint_signing_backlog_max", l.checkpoint_signing_backlog_max},
                 {"checkpoint_every_heights", l.checkpoint_every_heights},
                 {"checkpoint_head_quiet_ms", l.checkpoint_head_quiet_ms}};
  json out = {{"network_id", c.network_id},
              {"genesis", rel(c.genesis_path)},
              {"node_id", c.node_id},
              {"node_key", rel(c.node_key_path)},
              {"data_dir", rel(c.data_dir)},
              {"listen_address", c.listen_address.ToString()},
              {"api_address", c.api_address.ToString()},
              {"api_plain_http_allowed", c.api_plain_http_allowed},
              {"peers", std::move(peers)},
              {"forward_to_leader", c.forward_to_leader},
              {"log_level", c.log_level},
              {"limits", std::move(limits)}};
  if (c.api_tls.enabled()) {
    out["api_tls"] = {{"certificate_chain_file", rel(c.api_tls.certificate_chain_file)},
                      {"private_key_file", rel(c.api_tls.private_key_file)}};
  }
  return out;
}

}  // namespace shulian::node
