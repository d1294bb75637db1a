// Where `shulian` finds its server, key and account, and how it verifies an
// https:// server: a flag (--server, --key, --account, --network, --ca-file,
// --cert-sha256), else an environment variable (SHULIAN_SERVER, SHULIAN_KEY,
// SHULIAN_ACCOUNT, SHULIAN_NETWORK, SHULIAN_CA_FILE, SHULIAN_CERT_SHA256), else
// the CLI config file, else a default (server http://127.0.0.1:8101, the first
// node of network-configs/local-3; no CA file or pin).
//
// The config file is --cli-config FILE, else SHULIAN_CLI_CONFIG, else
// ~/.config/shulian/cli.json when it exists. It is a JSON object with any of the
// keys "server", "key" (a key file path, relative to the config file's folder),
// "account", "network", "ca_file" (relative like "key") and "cert_sha256"; an
// unknown key or a wrong type is refused, naming it.
//
// Thread-safety: values.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "node/cli/args.h"
#include "node/cli/cli.h"

namespace shulian::cli {

inline constexpr std::string_view kDefaultServer = "http://127.0.0.1:8101";
inline constexpr size_t kCliConfigBytesMax = 64 * 1024;

struct Settings {
  std::string server;  // "http://host:port"
  std::optional<std::string> key_file;
  std::optional<std::string> account;
  std::optional<std::string> network_id;
  std::optional<std::string> ca_file;      // PEM authority for an https:// server
  std::optional<std::string> cert_sha256;  // or its certificate's pinned SHA-256
  std::string config_file;  // the file read, or empty
  // Where each value came from ("flag", "environment", "config", "default"), for `shulian config`.
  std::string server_source, key_source, account_source, network_source, ca_file_source, cert_sha256_source;
};

// "127.0.0.1:8101" -> "http://127.0.0.1:8101"; a URL with a scheme is kept; a
// trailing slash is dropped.
std::string NormaliseServer(std::string_view server);

Result<Settings> ResolveSettings(const ParsedArgs& args, const Environment& env);

}  // namespace shulian::cli
