#include "node/cli/settings.h"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "ledger/calendar.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

std::optional<std::string> EnvValue(const Environment& env, const std::string& name) {
  auto it = env.variables.find(name);
  if (it == env.variables.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

// The config file to read: explicit paths must exist; the default may be absent.
Result<std::optional<std::string>> ConfigPath(const ParsedArgs& args, const Environment& env) {
  if (std::optional<std::string> flag = args.Get("cli_config")) return std::optional<std::string>(*flag);
  if (std::optional<std::string> var = EnvValue(env, "SHULIAN_CLI_CONFIG"))
    return std::optional<std::string>(*var);
  if (env.home.empty()) return std::optional<std::string>();
  std::string path = env.home + "/.config/shulian/cli.json";
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<std::string>();
  return std::optional<std::string>(path);
}

struct ConfigValues {
  std::optional<std::string> server, key, account, network, ca_file, cert_sha256;
};

Result<ConfigValues> ReadConfig(const std::string& path) {
  ASSIGN_OR_RETURN(json root, ledger::rules_json::ParseFile(path, kCliConfigBytesMax));
  if (!root.is_object()) return Status::InvalidArgument(path + ": expected a JSON object");
  ConfigValues values;
  const std::map<std::string, std::optional<std::string>*> slots = {
      {"server", &values.server},   {"key", &values.key},         {"account", &values.account},
      {"network", &values.network}, {"ca_file", &values.ca_file}, {"cert_sha256", &values.cert_sha256}};
  for (const auto& [key, value] : root.items()) {
    auto slot = slots.find(key);
    if (slot == slots.end()) return Status::InvalidArgument(path + ": unknown key \"" + key + "\"");
    if (!value.is_string()) return Status::InvalidArgument(path + ": \"" + key + "\" must be a string");
    *slot->second = value.get<std::string>();
  }
  for (std::optional<std::string>* file : {&values.key, &values.ca_file}) {
    if (*file && !(*file)->empty() && std::filesystem::path(**file).is_relative()) {
      *file = (std::filesystem::path(path).parent_path() / **file).string();
    }
  }
  return values;
}

// Flag, then environment, then config file.
void Pick(const ParsedArgs& args, const Environment& env, std::string_view flag, const std::string& variable,
          const std::optional<std::string>& from_config, std::optional<std::string>& out,
          std::string& source) {
  if (std::optional<std::string> value = args.Get(flag); value && !value->empty()) {
    out = value;
    source = "flag";
  } else if (std::optional<std::string> var = EnvValue(env, variable)) {
    out = var;
    source = "environment";
  } else if (from_config && !from_config->empty()) {
    out = from_config;
    source = "config";
  }
}

}  // namespace

std::string NormaliseServer(std::string_view server) {
  std::string out(server);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (out.find("://") == std::string::npos) out = "http://" + out;
  return out;
}

Result<Settings> ResolveSettings(const ParsedArgs& args, const Environment& env) {
  ASSIGN_OR_RETURN(std::optional<std::string> config_path, ConfigPath(args, env));
  ConfigValues config;
  Settings settings;
  if (config_path) {
    ASSIGN_OR_RETURN(config, ReadConfig(*config_path));
    settings.config_file = *config_path;
  }
  std::optional<std::string> server;
  Pick(args, env, "server", "SHULIAN_SERVER", config.server, server, settings.server_source);
  if (server) {
    settings.server = NormaliseServer(*server);
  } else {
    settings.server = std::string(kDefaultServer);
    settings.server_source = "default";
  }
  Pick(args, env, "key", "SHULIAN_KEY", config.key, settings.key_file, settings.key_source);
  Pick(args, env, "account", "SHULIAN_ACCOUNT", config.account, settings.account, settings.account_source);
  Pick(args, env, "network", "SHULIAN_NETWORK", config.network, settings.network_id, settings.network_source);
  Pick(args, env, "ca_file", "SHULIAN_CA_FILE", config.ca_file, settings.ca_file, settings.ca_file_source);
  Pick(args, env, "cert_sha256", "SHULIAN_CERT_SHA256", config.cert_sha256, settings.cert_sha256,
       settings.cert_sha256_source);
  return settings;
}

}  // namespace shulian::cli
