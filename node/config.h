// NodeConfig: everything `shulian-node --config FILE` reads from its JSON
// configuration file — the network, this node's identity and key file, its peers,
// where it keeps its data, where it listens, and every limit of its queues,
// batches and timers. docs/node.md lists each key with its default.
//
// Parsing is strict: unknown keys, wrong JSON types and out-of-range values are
// refused with InvalidArgument whose message names the field by its JSON path
// ("peers[1].public_key: not 64 hex characters"). Relative paths (genesis, node
// key, data directory, API certificate and key) resolve against the directory of
// the config file. The API serves plain HTTP only on a loopback address unless
// api_plain_http_allowed says otherwise; elsewhere it needs api_tls.
// Checks that need other files (the node key matches the genesis validator entry)
// are made by the node when it starts (node/node.h).
//
// Thread-safety: values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "crypto/keys.h"

namespace shulian::node {

// "host:port"; the port is 1..65535.
struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};
// InvalidArgument naming `field` for anything but "host:port".
Result<HostPort> ParseHostPort(std::string_view field, std::string_view text);

struct PeerEntry {
  uint64_t id = 0;
  HostPort address;      // peer transport
  HostPort api_address;  // its HTTP API (named to clients in not-leader answers)
  crypto::PublicKey public_key;
};

// Every limit, named with its unit. Defaults suit a small network on one machine.
struct NodeLimits {
  // Proposal side (leader).
  uint64_t pending_transactions_max = 20'000;  // admitted, not yet in a block
  uint64_t batch_transactions_max = 2'000;     // per block
  uint64_t batch_bytes_max = 4u << 20;         // encoded transactions per block
  uint64_t batch_wait_ms = 2;                  // a partial batch waits at most this
  uint64_t proposals_in_flight_max = 1;        // blocks proposed and not yet applied
  // API.
  uint64_t request_body_bytes_max = 4u << 20;
  double account_requests_per_second = 200;  // per signing account (0: unlimited)
  double account_burst_max = 400;
  uint64_t read_timeout_ms = 5'000;      // linearizable reads (ReadIndex + apply)
  uint64_t wait_timeout_ms_max = 60'000; // submit-and-wait
  uint64_t export_bytes_max = 64u << 20;  // one GET /v1/ledger/export answer (whole blocks)
  // Keys and values one backup (POST /v1/admin/backup) copies; beyond it the
  // backup is abandoned and its folder removed.
  uint64_t backup_bytes_max = uint64_t{16} << 30;
  // The supervisors' roll-up counts (query rollup_counts): China Standard Time
  // days one query spans, and count entries it may read (days x authorities x
  // kinds) before it refuses the range.
  uint64_t rollup_days_max = 366;
  uint64_t rollup_count_keys_max = 100'000;
  // The working-day calendar a page counts deadlines with (query calendar): CST
  // days one query marks.
  uint64_t calendar_days_max = 366;
  uint64_t api_handler_threads = 512;  // each submit-and-wait holds one until its commit
  uint64_t api_io_threads = 2;
  uint64_t api_connections_max = 1'024;
  // Against unauthenticated load (docs/api.md): a remote address's share of the
  // connections, the deadline for a new connection's first request headers, and a
  // per-address charge on every request's headers (0: off). The node's peers'
  // addresses are exempt.
  uint64_t api_connections_per_address_max = 64;
  uint64_t api_first_request_timeout_ms = 5'000;
  double api_address_requests_per_second = 1'000;
  double api_address_burst_max = 2'000;
  // Forwarding to the leader over the peer session (node/forward.h). The follower
  // waits forward_timeout_ms (plus the submission's own wait) for the answer.
  uint64_t forward_timeout_ms = 15'000;
  uint64_t forwards_in_flight_max = 4;  // beyond this a follower answers 503
  // The leader serves at most this many forwarded submissions at once (one
  // thread each, held while a submission waits for its commit); beyond it answers 429.
  uint64_t forwarded_submissions_serving_max = 64;
  // Raft and the event loop.
  uint64_t tick_ms = 50;
  uint64_t election_ticks = 20;
  uint64_t heartbeat_ticks = 2;
  uint64_t inbox_events_max = 100'000;  // peer messages and reads waiting for the loop
  // Peer transport.
  uint64_t frame_bytes_max = 24u << 20;  // one Raft message; above batch_bytes_max
  uint64_t send_queue_frames_max = 4'096;
  uint64_t handshake_timeout_ms = 5'000;            // a handshake this node dialled
  uint64_t inbound_handshake_timeout_ms = 1'000;    // an accepted connection's handshake
  uint64_t pending_handshakes_max = 64;             // accepted connections in their handshake
  uint64_t pending_handshakes_per_address_max = 4;  // of those, from one remote address
  // Raft log compaction and block catch-up (node/catchup.h, docs/raft.md).
  uint64_t raft_log_retain_entries = 1'000;       // applied entries kept behind the applied index
  uint64_t raft_log_compact_entries_min = 1'000;  // compact once this many more accumulated
  uint64_t catchup_blocks_per_response_max = 64;
  uint64_t catchup_response_bytes_max = 8u << 20;  // plus one block; must fit a frame
  uint64_t catchup_requests_in_flight_max = 4;
  uint64_t catchup_request_timeout_ms = 3'000;
  uint64_t catchup_server_queue_max = 64;  // peers' requests waiting to be served
  uint64_t catchup_chain_heights_max = 1u << 22;  // heights one catch-up verifies (32 bytes each)
  // Membership (node/membership.h): a learner this close to the leader is promoted.
  uint64_t learner_lag_entries_max = 64;
  // LevelDB memtable of the node's database (two may be in memory at once). Larger
  // means fewer level-0 files and less compaction work per block under load.
  uint64_t db_write_buffer_bytes = 16 * 1024 * 1024;
  // Verified transaction signatures remembered (crypto/signature_cache.h), so the
  // API check, the admission check and the apply verify each signature once; 0: off.
  // About 100 bytes each; enough to cover every transaction between admission and apply.
  uint64_t signature_cache_entries = 65'536;
  // Checkpoint cosigning (node/checkpointer.h, docs/node.md "Checkpoint cosigning").
  uint64_t checkpoint_inbox_messages_max = 10'000;     // peers' messages waiting for its thread
  uint64_t checkpoint_votes_buffered_max = 4'096;      // votes for heights not yet applied, in all
  uint64_t checkpoint_heights_ahead_max = 256;         // a vote further above the head is dropped
  uint64_t checkpoint_request_delay_ms = 1'000;        // head uncosigned this long: ask peers for votes
  uint64_t checkpoint_request_interval_ms = 2'000;     // between two requests for one height
  uint64_t checkpoint_signing_backlog_max = 100'000;   // unsigned heights beyond this: sign the newest only
  uint64_t checkpoint_every_heights = 16;              // multiples of this are signed (1: every height)
  uint64_t checkpoint_head_quiet_ms = 50;              // and the head after this long without a new block
};

// The API's TLS certificate chain and private key (PEM); both or neither.
// The node loads and checks them when it starts (api/server.h).
struct ApiTlsConfig {
  std::filesystem::path certificate_chain_file;
  std::filesystem::path private_key_file;
  bool enabled() const { return !certificate_chain_file.empty(); }
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

struct NodeConfig {
  std::filesystem::path config_dir;  // relative paths resolved against this
  std::string network_id;
  std::filesystem::path genesis_path;
  uint64_t node_id = 0;
  std::filesystem::path node_key_path;
  std::filesystem::path data_dir;
  HostPort listen_address;  // peer transport
  HostPort api_address;     // HTTP API
  ApiTlsConfig api_tls;     // empty: plain HTTP
  // Plain HTTP on a non-loopback api_address: requests, keys' signatures and
  // answers readable on the network. Off unless the operator says so.
  bool api_plain_http_allowed = false;
  // The other nodes. An entry for this node itself is allowed (a shared peer
  // list) and only checked: its key must be this node's.
  std::vector<PeerEntry> peers;
  // true: followers forward submissions to the leader over the peer session;
  // false: they answer 503 naming the leader and its API address.
  bool forward_to_leader = true;
  std::string log_level = "info";
  NodeLimits limits;

  // The entry for `id` in peers, or nullptr.
  const PeerEntry* FindPeer(uint64_t id) const;
};

// Parses the JSON form; `config_dir` anchors relative paths.
Result<NodeConfig> ParseNodeConfig(const nlohmann::json& json, const std::filesystem::path& config_dir);
// Reads at most config_file_bytes_max bytes and parses them.
inline constexpr uint64_t kConfigFileBytesMax = 1u << 20;
Result<NodeConfig> LoadNodeConfigFile(const std::filesystem::path& path);

// The JSON form of a config (paths as given, relative to config_dir when they are
// inside it); ParseNodeConfig(ToJson(c)) gives back c. Used by tools and tests
// that write networks.
nlohmann::json NodeConfigToJson(const NodeConfig& config);

}  // namespace shulian::node
