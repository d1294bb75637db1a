#include "node/config.h"

#include <gtest/gtest.h>

#include <string>

#include "api/server.h"
#include "node/checkpointer.h"
#include "node/transport.h"

namespace shulian::node {
namespace {

nlohmann::json ValidConfig() {
  return {{"network_id", "local-3"},
          {"genesis", "genesis.json"},
          {"node_id", 1},
          {"node_key", "keys/node-1.key"},
          {"data_dir", "data/node-1"},
          {"listen_address", "127.0.0.1:7101"},
          {"api_address", "127.0.0.1:8101"},
          {"peers",
           {{{"id", 2}, {"address", "127.0.0.1:7102"}, {"api_address", "127.0.0.1:8102"},
             {"public_key", std::string(64, 'a')}},
            {{"id", 3}, {"address", "127.0.0.1:7103"}, {"api_address", "127.0.0.1:8103"},
             {"public_key", std::string(64, 'b')}}}}};
}

std::string ErrorOf(const nlohmann::json& json) {
  Result<NodeConfig> parsed = ParseNodeConfig(json, "/etc/shulian");
  EXPECT_FALSE(parsed.ok());
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  return parsed.status().message();
}

TEST(NodeConfigTest, ParsesAndResolvesRelativePathsAgainstTheConfigDirectory) {
  // Relative paths are anchored at the config file's directory; defaults fill the limits.
  Result<NodeConfig> c = ParseNodeConfig(ValidConfig(), "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->genesis_path, "/etc/shulian/genesis.json");
  EXPECT_EQ(c->node_key_path, "/etc/shulian/keys/node-1.key");
  EXPECT_EQ(c->data_dir, "/etc/shulian/data/node-1");
  EXPECT_EQ(c->peers.size(), 2u);
  EXPECT_EQ(c->peers[1].api_address.port, 8103);
  EXPECT_EQ(c->limits.tick_ms, NodeLimits{}.tick_ms);
  EXPECT_TRUE(c->forward_to_leader);
}

TEST(NodeConfigTest, RoundTripsThroughJson) {
  // NodeConfigToJson writes what ParseNodeConfig reads back unchanged.
  nlohmann::json j = ValidConfig();
  j["limits"] = {{"tick_ms", 20},
                 {"batch_wait_ms", 7},
                 {"db_write_buffer_bytes", 8 << 20},
                 {"signature_cache_entries", 0},
                 {"export_bytes_max", 300'000},
                 {"backup_bytes_max", 5'000'000},
                 {"rollup_days_max", 31},
                 {"rollup_count_keys_max", 5'000},
                 {"calendar_days_max", 62},
                 {"catchup_chain_heights_max", 5'000}};
  Result<NodeConfig> c = ParseNodeConfig(j, "/etc/shulian");
  ASSERT_TRUE(c.ok());
  Result<NodeConfig> again = ParseNodeConfig(NodeConfigToJson(*c), "/etc/shulian");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(NodeConfigToJson(*again), NodeConfigToJson(*c));
  EXPECT_EQ(again->limits.batch_wait_ms, 7u);
  EXPECT_EQ(again->limits.db_write_buffer_bytes, 8u << 20);
  EXPECT_EQ(again->limits.signature_cache_entries, 0u);
  EXPECT_EQ(again->limits.export_bytes_max, 300'000u);
  EXPECT_EQ(again->limits.backup_bytes_max, 5'000'000u);
  EXPECT_EQ(again->limits.rollup_days_max, 31u);
  EXPECT_EQ(again->limits.rollup_count_keys_max, 5'000u);
  EXPECT_EQ(again->limits.calendar_days_max, 62u);
  EXPECT_EQ(again->limits.catchup_chain_heights_max, 5'000u);
}

TEST(NodeConfigTest, ApiTlsPathsResolveAgainstTheConfigDirectoryAndRoundTrip) {
  nlohmann::json j = ValidConfig();
  j["api_address"] = "0.0.0.0:8101";
  j["api_tls"] = {{"certificate_chain_file", "tls/api.crt"}, {"private_key_file", "/secure/api.key"}};
  Result<NodeConfig> c = ParseNodeConfig(j, "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->api_tls.certificate_chain_file, "/etc/shulian/tls/api.crt");
  EXPECT_EQ(c->api_tls.private_key_file, "/secure/api.key");
  EXPECT_FALSE(c->api_plain_http_allowed);
  const nlohmann::json written = NodeConfigToJson(*c);
  EXPECT_EQ(written["api_tls"]["certificate_chain_file"], "tls/api.crt");
  Result<NodeConfig> again = ParseNodeConfig(written, "/etc/shulian");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->api_tls.certificate_chain_file, c->api_tls.certificate_chain_file);
  EXPECT_EQ(again->api_tls.private_key_file, c->api_tls.private_key_file);
  EXPECT_EQ(NodeConfigToJson(*again), written);
  // Without TLS, the opt-in round-trips too.
  j.erase("api_tls");
  j["api_plain_http_allowed"] = true;
  c = ParseNodeConfig(j, "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(NodeConfigToJson(*c).contains("api_tls"));
  again = ParseNodeConfig(NodeConfigToJson(*c), "/etc/shulian");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->api_plain_http_allowed);
}

TEST(NodeConfigTest, PlainHttpOffLoopbackIsRefusedUnlessAllowedNamingTheField) {
  auto with = [](auto edit) {
    nlohmann::json j = ValidConfig();
    edit(j);
    return ParseNodeConfig(j, "/etc/shulian");
  };
  for (const char* address : {"0.0.0.0:8101", "10.0.0.7:8101", "[::]:8101"}) {
    Result<NodeConfig> refused = with([&](auto& j) { j["api_address"] = address; });
    if (std::string(address) == "[::]:8101" && !refused.ok() &&
        refused.status().message().starts_with("api_address:")) {
      continue;  // no bracketed IPv6 in host:port: refused earlier, for its own reason
    }
    ASSERT_FALSE(refused.ok()) << address;
    EXPECT_TRUE(refused.status().message().starts_with("api_tls: required")) << refused.status().message();
    EXPECT_NE(refused.status().message().find("api_plain_http_allowed"), std::string::npos);
  }
  EXPECT_TRUE(with([](auto& j) {
                j["api_address"] = "0.0.0.0:8101";
                j["api_plain_http_allowed"] = true;
              }).ok());
  for (const char* loopback : {"127.0.0.1:8101", "127.3.4.5:8101", "localhost:8101"}) {
    EXPECT_TRUE(with([&](auto& j) { j["api_address"] = loopback; }).ok()) << loopback;
  }
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_EQ(ErrorOf([] {
              nlohmann::json j = ValidConfig();
              j["api_tls"] = {{"certificate_chain_file", "api.crt"}};
              return j;
            }()),
            "api_tls.private_key_file: required");
  EXPECT_EQ(ErrorOf([] {
              nlohmann::json j = ValidConfig();
              j["api_tls"] = {{"certificate_chain_file", "a"}, {"private_key_file", "b"}, {"ca", "c"}};
              return j;
            }()),
            "api_tls.ca: unknown key");
  EXPECT_EQ(ErrorOf([] {
              nlohmann::json j = ValidConfig();
              j["api_plain_http_allowed"] = "yes";
              return j;
            }()),
            "api_plain_http_allowed: expected a boolean");
}

TEST(NodeConfigTest, EveryRefusalNamesTheField) {
  // Each kind of bad value is refused with its JSON path in the message.
  auto with = [](auto edit) {
    nlohmann::json j = ValidConfig();
    edit(j);
    return ErrorOf(j);
  };
  EXPECT_EQ(with([](auto& j) { j["peers"][1]["public_key"] = "zz"; }), "peers[1].public_key: not 64 hex characters");
  EXPECT_NE(with([](auto& j) { j["peers"][0]["address"] = "localhost"; }).find("peers[0].address: expected host:port"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["api_address"] = "127.0.0.1:70000"; }).find("api_address: port"), std::string::npos);
  EXPECT_NE(with([](auto& j) { j["peers"][1]["id"] = 2; }).find("peers[1].id: duplicate"), std::string::npos);
  EXPECT_NE(with([](auto& j) { j.erase("node_key"); }).find("node_key: required"), std::string::npos);
  EXPECT_NE(with([](auto& j) { j["node_id"] = 0; }).find("node_id: must be in"), std::string::npos);
  EXPECT_NE(with([](auto& j) { j["node_id"] = "1"; }).find("node_id: expected"), std::string::npos);
  EXPECT_NE(with([](auto& j) { j["colour"] = 1; }).find("colour: unknown key"), std::string::npos);
  EXPECT_NE(with([](auto& j) { j["limits"] = {{"tick_msec", 1}}; }).find("limits.tick_msec: unknown key"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["limits"] = {{"tick_ms", 0}}; }).find("limits.tick_ms: must be in"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["limits"] = {{"heartbeat_ticks", 30}, {"election_ticks", 10}}; })
                .find("limits.heartbeat_ticks"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["limits"] = {{"frame_bytes_max", 8192}}; }).find("limits.frame_bytes_max"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["limits"] = {{"db_write_buffer_bytes", 1024}}; })
                .find("limits.db_write_buffer_bytes: must be in"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["limits"] = {{"signature_cache_entries", 4'000'001}}; })
                .find("limits.signature_cache_entries: must be in"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["limits"] = {{"backup_bytes_max", 1000}}; })
                .find("limits.backup_bytes_max: must be in"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["limits"] = {{"export_bytes_max", 1023}}; })
                .find("limits.export_bytes_max: must be in"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) {
              j["limits"] = {{"catchup_chain_heights_max", 0}};
            }).find("limits.catchup_chain_heights_max: must be in"),
            std::string::npos);
  EXPECT_NE(with([](auto& j) { j["log_level"] = "loud"; }).find("log_level"), std::string::npos);
  EXPECT_NE(with([](auto& j) { j["network_id"] = "Bad Net"; }).find("network_id"), std::string::npos);
}

TEST(ForwardConfigTest, TheLeadersForwardedSubmissionsServingMaxIsReadBoundedAndRoundTrips) {
  // Proves forwarded_submissions_serving_max defaults to 64, is read and written back
  // unchanged, and 0 or more than 1024 is refused naming the field.
  Result<NodeConfig> defaults = ParseNodeConfig(ValidConfig(), "/etc/shulian");
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->limits.forwarded_submissions_serving_max, 64u);
  nlohmann::json j = ValidConfig();
  j["limits"] = {{"forwarded_submissions_serving_max", 5}, {"forwards_in_flight_max", 3},
                 {"forward_timeout_ms", 2'000}};
  Result<NodeConfig> c = ParseNodeConfig(j, "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->limits.forwarded_submissions_serving_max, 5u);
  const nlohmann::json written = NodeConfigToJson(*c);
  for (const auto& [key, value] : j["limits"].items()) EXPECT_EQ(written["limits"][key], value) << key;
  for (int bad : {0, 1025}) {
    nlohmann::json refused = ValidConfig();
    refused["limits"] = {{"forwarded_submissions_serving_max", bad}};
    EXPECT_NE(ErrorOf(refused).find("limits.forwarded_submissions_serving_max: must be in [1, 1024]"),
              std::string::npos)
        << bad << ": " << ErrorOf(refused);
  }
}

// ------------- limits against unauthenticated load (docs/api.md, docs/transport.md) -------------

TEST(LoadLimitsConfigTest, DefaultsAreTheTransportsAndTheServersOwn) {
  // Proves a config without these keys runs the transport and the API server with their own defaults.
  Result<NodeConfig> c = ParseNodeConfig(ValidConfig(), "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const TransportOptions t;
  EXPECT_EQ(c->limits.handshake_timeout_ms, t.handshake_timeout_ms);
  EXPECT_EQ(c->limits.inbound_handshake_timeout_ms, t.inbound_handshake_timeout_ms);
  EXPECT_EQ(c->limits.pending_handshakes_max, t.pending_handshakes_max);
  EXPECT_EQ(c->limits.pending_handshakes_per_address_max, t.pending_handshakes_per_address_max);
  const api::ServerOptions s;
  EXPECT_EQ(c->limits.api_connections_per_address_max, s.connections_per_address_max);
  EXPECT_EQ(c->limits.api_first_request_timeout_ms, s.first_request_timeout_ms);
  EXPECT_EQ(c->limits.api_address_requests_per_second, s.address_rate_limit.rate_per_second);
  EXPECT_EQ(c->limits.api_address_burst_max, s.address_rate_limit.burst_max);
}

TEST(LoadLimitsConfigTest, GivenLimitsAreReadAndRoundTrip) {
  // Proves each key is read, and written back by NodeConfigToJson unchanged.
  nlohmann::json j = ValidConfig();
  j["limits"] = {{"handshake_timeout_ms", 7'000},          {"inbound_handshake_timeout_ms", 700},
                 {"pending_handshakes_max", 32},           {"pending_handshakes_per_address_max", 3},
                 {"api_connections_per_address_max", 16},  {"api_first_request_timeout_ms", 2'500},
                 {"api_address_requests_per_second", 0.5}, {"api_address_burst_max", 10}};
  Result<NodeConfig> c = ParseNodeConfig(j, "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->limits.handshake_timeout_ms, 7'000u);
  EXPECT_EQ(c->limits.inbound_handshake_timeout_ms, 700u);
  EXPECT_EQ(c->limits.pending_handshakes_max, 32u);
  EXPECT_EQ(c->limits.pending_handshakes_per_address_max, 3u);
  EXPECT_EQ(c->limits.api_connections_per_address_max, 16u);
  EXPECT_EQ(c->limits.api_first_request_timeout_ms, 2'500u);
  EXPECT_EQ(c->limits.api_address_requests_per_second, 0.5);
  EXPECT_EQ(c->limits.api_address_burst_max, 10);
  const nlohmann::json written = NodeConfigToJson(*c);
  for (const auto& [key, value] : j["limits"].items()) EXPECT_EQ(written["limits"][key], value) << key;
  Result<NodeConfig> again = ParseNodeConfig(written, "/etc/shulian");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(NodeConfigToJson(*again), written);
}

TEST(LoadLimitsConfigTest, OutOfRangeValuesAreRefusedNamingTheField) {
  // Proves zero, too large and inconsistent values are refused with the key's path.
  auto error_with = [](nlohmann::json limits) {
    nlohmann::json j = ValidConfig();
    j["limits"] = std::move(limits);
    return ErrorOf(j);
  };
  for (const char* key : {"handshake_timeout_ms", "inbound_handshake_timeout_ms", "pending_handshakes_max",
                          "pending_handshakes_per_address_max", "api_connections_per_address_max",
                          "api_first_request_timeout_ms"}) {
    EXPECT_NE(error_with({{key, 0}}).find("limits." + std::string(key) + ": must be in"), std::string::npos)
        << key;
  }
  EXPECT_NE(
      error_with({{"inbound_handshake_timeout_ms", 600'001}}).find("limits.inbound_handshake_timeout_ms"),
      std::string::npos);
  EXPECT_NE(error_with({{"pending_handshakes_max", 10'001}}).find("limits.pending_handshakes_max"),
            std::string::npos);
  EXPECT_NE(error_with({{"calendar_days_max", 0}}).find("limits.calendar_days_max: must be in"),
            std::string::npos);
  EXPECT_NE(error_with({{"calendar_days_max", 3'661}}).find("limits.calendar_days_max: must be in"),
            std::string::npos);
  EXPECT_NE(
      error_with({{"pending_handshakes_max", 4}, {"pending_handshakes_per_address_max", 5}})
          .find("limits.pending_handshakes_per_address_max: must not exceed limits.pending_handshakes_max"),
      std::string::npos);
  EXPECT_NE(
      error_with({{"api_address_requests_per_second", -1}}).find("limits.api_address_requests_per_second"),
      std::string::npos);
  EXPECT_NE(error_with({{"api_address_burst_max", 0.5}}).find("limits.api_address_burst_max"),
            std::string::npos);
  // A rate of 0 turns the charge off, and then any burst will do.
  nlohmann::json off = ValidConfig();
  off["limits"] = {{"api_address_requests_per_second", 0}, {"api_address_burst_max", 0}};
  EXPECT_TRUE(ParseNodeConfig(off, "/etc/shulian").ok());
}

TEST(NodeConfigTest, MissingFileIsAClearError) {
  // A config path that does not exist is refused naming the file.
  Result<NodeConfig> c = LoadNodeConfigFile("/nonexistent/shulian.json");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/shulian.json"), std::string::npos);
}

// ------------------ checkpoint cosigning limits (limits.checkpoint_*) ------------------

const char* const kCheckpointLimits[] = {"checkpoint_inbox_messages_max", "checkpoint_votes_buffered_max",
                                         "checkpoint_heights_ahead_max",  "checkpoint_request_delay_ms",
                                         "checkpoint_request_interval_ms", "checkpoint_signing_backlog_max",
                                         "checkpoint_every_heights",       "checkpoint_head_quiet_ms"};

TEST(CheckpointConfigTest, DefaultsAreTheCheckpointersOwn) {
  // Proves a config without checkpoint limits runs the checkpointer exactly as its own defaults would.
  Result<NodeConfig> c = ParseNodeConfig(ValidConfig(), "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const CheckpointerOptions d;
  EXPECT_EQ(c->limits.checkpoint_inbox_messages_max, d.inbox_messages_max);
  EXPECT_EQ(c->limits.checkpoint_votes_buffered_max, d.votes_buffered_max);
  EXPECT_EQ(c->limits.checkpoint_heights_ahead_max, d.heights_ahead_max);
  EXPECT_EQ(c->limits.checkpoint_request_delay_ms, d.request_delay_ms);
  EXPECT_EQ(c->limits.checkpoint_request_interval_ms, d.request_interval_ms);
  EXPECT_EQ(c->limits.checkpoint_signing_backlog_max, d.signing_backlog_max);
  EXPECT_EQ(c->limits.checkpoint_every_heights, d.sign_every_heights);
  EXPECT_EQ(c->limits.checkpoint_head_quiet_ms, d.head_quiet_ms);
}

TEST(CheckpointConfigTest, GivenLimitsAreReadAndRoundTrip) {
  // Proves each checkpoint limit given in the config reaches NodeLimits and survives NodeConfigToJson.
  nlohmann::json j = ValidConfig();
  j["limits"] = {{"checkpoint_inbox_messages_max", 11},  {"checkpoint_votes_buffered_max", 12},
                 {"checkpoint_heights_ahead_max", 13},   {"checkpoint_request_delay_ms", 14},
                 {"checkpoint_request_interval_ms", 15}, {"checkpoint_signing_backlog_max", 16},
                 {"checkpoint_every_heights", 17},       {"checkpoint_head_quiet_ms", 18}};
  Result<NodeConfig> c = ParseNodeConfig(j, "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->limits.checkpoint_inbox_messages_max, 11u);
  EXPECT_EQ(c->limits.checkpoint_votes_buffered_max, 12u);
  EXPECT_EQ(c->limits.checkpoint_heights_ahead_max, 13u);
  EXPECT_EQ(c->limits.checkpoint_request_delay_ms, 14u);
  EXPECT_EQ(c->limits.checkpoint_request_interval_ms, 15u);
  EXPECT_EQ(c->limits.checkpoint_signing_backlog_max, 16u);
  EXPECT_EQ(c->limits.checkpoint_every_heights, 17u);
  EXPECT_EQ(c->limits.checkpoint_head_quiet_ms, 18u);
  Result<NodeConfig> again = ParseNodeConfig(NodeConfigToJson(*c), "/etc/shulian");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (const char* name : kCheckpointLimits) {
    EXPECT_EQ(NodeConfigToJson(*again)["limits"][name], j["limits"][name]) << name;
  }
}

TEST(CheckpointConfigTest, ABadCheckpointLimitIsRefusedNamingTheField) {
  // Proves zero, an absurd value and a wrong type are each refused with limits.<name> in the message.
  for (const char* name : kCheckpointLimits) {
    for (const nlohmann::json& bad : {nlohmann::json(0), nlohmann::json(uint64_t{1} << 40), nlohmann::json("5"),
                                      nlohmann::json(-1)}) {
      nlohmann::json j = ValidConfig();
      j["limits"] = {{name, bad}};
      Result<NodeConfig> parsed = ParseNodeConfig(j, "/etc/shulian");
      ASSERT_FALSE(parsed.ok()) << name << " = " << bad.dump();
      EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
      EXPECT_EQ(parsed.status().message().rfind("limits." + std::string(name) + ": ", 0), 0u)
          << parsed.status().message();
    }
  }
}

}  // namespace
}  // namespace shulian::node
