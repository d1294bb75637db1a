// The checkpoint cosigning limits in a node's config (limits.checkpoint_*): their
// defaults are the checkpointer's own, they parse and round-trip, and a bad value
// is refused naming the field.
#include <gtest/gtest.h>

#include <string>

#include "node/checkpointer.h"
#include "node/config.h"

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
          {"peers", nlohmann::json::array()}};
}

const char* const kCheckpointLimits[] = {"checkpoint_inbox_messages_max", "checkpoint_votes_buffered_max",
                                         "checkpoint_heights_ahead_max",  "checkpoint_request_delay_ms",
                                         "checkpoint_request_interval_ms", "checkpoint_signing_backlog_max"};

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
}

TEST(CheckpointConfigTest, GivenLimitsAreReadAndRoundTrip) {
  // Proves each checkpoint limit given in the config reaches NodeLimits and survives NodeConfigToJson.
  nlohmann::json j = ValidConfig();
  j["limits"] = {{"checkpoint_inbox_messages_max", 11},  {"checkpoint_votes_buffered_max", 12},
                 {"checkpoint_heights_ahead_max", 13},   {"checkpoint_request_delay_ms", 14},
                 {"checkpoint_request_interval_ms", 15}, {"checkpoint_signing_backlog_max", 16}};
  Result<NodeConfig> c = ParseNodeConfig(j, "/etc/shulian");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->limits.checkpoint_inbox_messages_max, 11u);
  EXPECT_EQ(c->limits.checkpoint_votes_buffered_max, 12u);
  EXPECT_EQ(c->limits.checkpoint_heights_ahead_max, 13u);
  EXPECT_EQ(c->limits.checkpoint_request_delay_ms, 14u);
  EXPECT_EQ(c->limits.checkpoint_request_interval_ms, 15u);
  EXPECT_EQ(c->limits.checkpoint_signing_backlog_max, 16u);
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
