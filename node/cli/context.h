// The state one `shulian` invocation shares between its command handlers: the
// parsed arguments, the output streams, the resolved settings, and the API client
// and key, created on first use so that offline commands (keygen, network init)
// never touch the network or need a key.
//
// Ownership: owns the client and key; borrows the streams and environment.
// Thread-safety: one invocation, one thread.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "api/client.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "node/cli/args.h"
#include "node/cli/cli.h"
#include "node/cli/settings.h"

namespace shulian::cli {

class Context {
 public:
  Context(ParsedArgs args, std::ostream& out, std::ostream& err, const Environment& env)
      : args_(std::move(args)), out_(out), err_(err), env_(env) {}

  const ParsedArgs& args() const { return args_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  const Environment& env() const { return env_; }
  bool json() const { return args_.Has("json"); }
  int64_t NowMs() const;

  Result<const Settings*> GetSettings();
  // The signing key (--key / SHULIAN_KEY / config); InvalidArgument when none is set.
  Result<std::shared_ptr<const crypto::KeyPair>> Key();
  // The account to act as; InvalidArgument when none is set.
  Result<std::string> Account();
  // The network id from the settings, else from the server's status.
  Result<std::string> NetworkId();
  // The genesis hash a transaction signs: --genesis-hash HEX, else the server's status.
  Result<crypto::Digest> GenesisHash();
  // A client for the server; it signs requests when both account and key are set.
  Result<api::ApiClient*> Client();
  // The server's description of one query (GET /v1/queries, fetched once).
  Result<nlohmann::json> QueryInfo(std::string_view name);

  // Read consistency from --stale.
  api::ReadConsistency Consistency() const;

 private:
  ParsedArgs args_;
  std::ostream& out_;
  std::ostream& err_;
  const Environment& env_;
  std::optional<Settings> settings_;
  std::shared_ptr<const crypto::KeyPair> key_;
  std::unique_ptr<api::ApiClient> client_;
  std::optional<nlohmann::json> queries_;
  std::optional<crypto::Digest> genesis_hash_;
};

}  // namespace shulian::cli
