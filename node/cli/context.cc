#include "node/cli/context.h"

#include <chrono>

namespace shulian::cli {

int64_t Context::NowMs() const {
  if (env_.now_ms) return env_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<const Settings*> Context::GetSettings() {
  if (!settings_) {
    ASSIGN_OR_RETURN(Settings settings, ResolveSettings(args_, env_));
    settings_ = std::move(settings);
  }
  return &*settings_;
}

Result<std::shared_ptr<const crypto::KeyPair>> Context::Key() {
  if (key_) return key_;
  ASSIGN_OR_RETURN(const Settings* settings, GetSettings());
  if (!settings->key_file) {
    return Status::InvalidArgument(
        "no key: give --key FILE, set SHULIAN_KEY, or put \"key\" in the CLI config");
  }
  Result<crypto::KeyPair> key = crypto::KeyPair::LoadFromFile(*settings->key_file);
  if (!key.ok()) return Status::InvalidArgument("key " + *settings->key_file + ": " + key.status().message());
  key_ = std::make_shared<const crypto::KeyPair>(std::move(key).value());
  return key_;
}

Result<std::string> Context::Account() {
  ASSIGN_OR_RETURN(const Settings* settings, GetSettings());
  if (!settings->account) {
    return Status::InvalidArgument(
        "no account: give --account ID, set SHULIAN_ACCOUNT, or put \"account\" in the CLI config");
  }
  return *settings->account;
}

Result<api::ApiClient*> Context::Client() {
  if (client_) return client_.get();
  ASSIGN_OR_RETURN(const Settings* settings, GetSettings());
  api::ClientOptions options;
  options.base_url = settings->server;
  options.ca_file = settings->ca_file.value_or("");
  options.cert_sha256 = settings->cert_sha256.value_or("");
  options.now_ms = [this] { return NowMs(); };
  if (settings->account && settings->key_file) {
    ASSIGN_OR_RETURN(options.key, Key());
    options.account = settings->account;
  }
  ASSIGN_OR_RETURN(client_, api::ApiClient::Create(std::move(options)));
  return client_.get();
}

Result<std::string> Context::NetworkId() {
  ASSIGN_OR_RETURN(const Settings* settings, GetSettings());
  if (settings->network_id) return *settings->network_id;
  ASSIGN_OR_RETURN(api::ApiClient * client, Client());
  ASSIGN_OR_RETURN(nlohmann::json status, client->GetStatus());
  if (!status.contains("network_id") || !status["network_id"].is_string()) {
    return Status::Internal("the server's status names no network_id; give --network ID");
  }
  settings_->network_id = status["network_id"].get<std::string>();
  return *settings_->network_id;
}

Result<crypto::Digest> Context::GenesisHash() {
  if (genesis_hash_) return *genesis_hash_;
  std::optional<std::string> hex = args_.Get("genesis_hash");
  std::string where = "--genesis-hash";
  if (!hex) {
    ASSIGN_OR_RETURN(api::ApiClient * client, Client());
    ASSIGN_OR_RETURN(nlohmann::json status, client->GetStatus());
    if (!status.contains("genesis_hash") || !status["genesis_hash"].is_string()) {
      return Status::Internal("the server's status names no genesis_hash; give --genesis-hash HEX");
    }
    hex = status["genesis_hash"].get<std::string>();
    where = "the server's genesis_hash";
  }
  Result<crypto::Digest> parsed = crypto::Digest::FromHex(*hex);
  if (!parsed.ok()) return Status::InvalidArgument(where + ": " + parsed.status().message());
  genesis_hash_ = *parsed;
  return *genesis_hash_;
}

Result<nlohmann::json> Context::QueryInfo(std::string_view name) {
  if (!queries_) {
    ASSIGN_OR_RETURN(api::ApiClient * client, Client());
    ASSIGN_OR_RETURN(nlohmann::json list, client->ListQueries());
    queries_ = list.value("queries", nlohmann::json::array());
  }
  std::string offered;
  for (const nlohmann::json& info : *queries_) {
    std::string info_name = info.value("name", "");
    if (info_name == name) return info;
    offered += (offered.empty() ? "" : ", ") + info_name;
  }
  return Status::NotFound("the server offers no query '" + std::string(name) + "' (it offers: " + offered +
                          ")");
}

api::ReadConsistency Context::Consistency() const {
  return args_.Has("stale") ? api::ReadConsistency::kStale : api::ReadConsistency::kLinearizable;
}

}  // namespace shulian::cli
