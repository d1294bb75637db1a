// Transactions: `shulian tx TYPE ...`, `tx sign|submit|verify FILE`, `tx types`,
// `tx template TYPE`, and `tx-status HASH`.
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "ledger/calendar.h"
#include "ledger/tx_json.h"
#include "node/cli/body_builder.h"
#include "node/cli/commands.h"
#include "node/cli/render.h"

namespace shulian::cli {
namespace {

using ledger::Transaction;
using ledger::TxType;
using nlohmann::json;

constexpr uint64_t kWaitTimeoutMsDefault = 30'000;
constexpr uint64_t kWaitTimeoutMsMax = 600'000;
constexpr int64_t kStatusPollIntervalMs = 200;
constexpr size_t kTransactionFileBytesMax = 1024 * 1024;

// Options of `tx TYPE` that are not body fields.
const std::set<std::string>& EnvelopeOptions() {
  static const std::set<std::string> kOptions = {
      "json",       "help",           "server", "key",          "account",    "network",
      "cli_config", "ca_file",        "wait",   "timeout_ms",   "body",       "out",
      "nonce",      "client_time_ms", "stale",  "genesis_hash", "cert_sha256"};
  return kOptions;
}

Result<uint64_t> WaitTimeoutMs(const Context& ctx) {
  std::optional<std::string> value = ctx.args().Get("timeout_ms");
  if (!value) return kWaitTimeoutMsDefault;
  ASSIGN_OR_RETURN(uint64_t ms, ParseUnsigned("--timeout-ms", *value));
  if (ms == 0 || ms > kWaitTimeoutMsMax) {
    return Status::InvalidArgument("--timeout-ms: 1.." + std::to_string(kWaitTimeoutMsMax));
  }
  return ms;
}

Result<json> ReadJsonFile(const std::string& what, const std::string& path) {
  Result<json> parsed = path == "-" ? Status::InvalidArgument("reading stdin is not supported; give a file")
                                    : ledger::rules_json::ParseFile(path, kTransactionFileBytesMax);
  if (!parsed.ok()) return Status::InvalidArgument(what + " " + path + ": " + parsed.status().message());
  return parsed;
}

Status WriteOrPrint(Context& ctx, const json& value) {
  std::optional<std::string> out = ctx.args().Get("out");
  if (!out || *out == "-") {
    PrintJson(ctx.out(), value);
    return Status::Ok();
  }
  std::ofstream file(*out, std::ios::trunc);
  file << value.dump(2) << "\n";
  file.close();
  if (!file) return Status::IoError("--out " + *out + ": cannot write");
  ctx.err() << "wrote " << *out << "\n";
  return Status::Ok();
}

// Prints what the server said about a submission; a committed rejection fails.
Status ReportSubmission(Context& ctx, const json& answer, std::string_view type_name) {
  if (ctx.json()) PrintJson(ctx.out(), answer);
  const std::string state = answer.value("state", "");
  const std::string hash = answer.value("tx_hash", "");
  const json outcome = answer.value("outcome", json(nullptr));
  if (!ctx.json()) {
    ctx.out() << type_name << " " << hash << "\n";
    if (state == "committed") {
      ctx.out() << "committed at height " << ScalarText(answer.value("height", json(nullptr))) << "\n";
    } else {
      ctx.out() << state << (state == "timed_out" ? " (it may still commit)" : "")
                << "; follow it with: shulian tx-status " << hash << " --wait\n";
    }
    if (outcome.is_object()) {
      bool accepted = outcome.value("accepted", false);
      ctx.out() << (accepted ? "accepted" : "REJECTED (" + outcome.value("code_name", std::string()) + ")");
      std::string message = outcome.value("message", "");
      if (!message.empty()) ctx.out() << ": " << message;
      ctx.out() << "\n";
      for (const json& note : outcome.value("notes", json::array()))
        ctx.out() << "  note: " << ScalarText(note) << "\n";
    }
  }
  if (outcome.is_object() && !outcome.value("accepted", false)) {
    return Status::FailedPrecondition(
        "the ledger rejected the transaction: " + outcome.value("code_name", std::string()) + ": " +
        outcome.value("message", std::string()));
  }
  return Status::Ok();
}

Status Submit(Context& ctx, const Transaction& tx) {
  ASSIGN_OR_RETURN(uint64_t timeout_ms, WaitTimeoutMs(ctx));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  bool wait = ctx.args().Has("wait");
  ASSIGN_OR_RETURN(json answer,
                   client->Submit(tx, wait, wait ? std::optional<uint64_t>(timeout_ms) : std::nullopt));
  return ReportSubmission(ctx, answer, ledger::TxTypeName(tx.type));
}

Result<Envelope> FillEnvelope(Context& ctx, const json& given) {
  Envelope envelope;
  if (given.contains("sender") && given["sender"].is_string()) {
    envelope.sender = given["sender"].get<std::string>();
  } else {
    ASSIGN_OR_RETURN(envelope.sender, ctx.Account());
  }
  if (given.contains("network_id") && given["network_id"].is_string()) {
    envelope.network_id = given["network_id"].get<std::string>();
  } else {
    ASSIGN_OR_RETURN(envelope.network_id, ctx.NetworkId());
  }
  if (given.contains("genesis_hash") && given["genesis_hash"].is_string()) {
    Result<crypto::Digest> hash = crypto::Digest::FromHex(given["genesis_hash"].get<std::string>());
    if (!hash.ok()) return Status::InvalidArgument("genesis_hash: " + hash.status().message());
    envelope.genesis_hash = *hash;
  } else {
    ASSIGN_OR_RETURN(envelope.genesis_hash, ctx.GenesisHash());
  }
  envelope.client_time_ms = ctx.NowMs();
  if (std::optional<std::string> time = ctx.args().Get("client_time_ms")) {
    ASSIGN_OR_RETURN(uint64_t ms, ParseUnsigned("--client-time-ms", *time));
    envelope.client_time_ms = static_cast<int64_t>(ms);
  }
  envelope.nonce = RandomNonce();
  if (std::optional<std::string> nonce = ctx.args().Get("nonce")) {
    ASSIGN_OR_RETURN(envelope.nonce, ParseUnsigned("--nonce", *nonce));
  }
  return envelope;
}

Status RunTxOfType(Context& ctx, TxType type) {
  json base = json::object();
  if (std::optional<std::string> body_file = ctx.args().Get("body")) {
    ASSIGN_OR_RETURN(base, ReadJsonFile("--body", *body_file));
  }
  ASSIGN_OR_RETURN(json body, BodyJsonFromFlags(type, ctx.args(), EnvelopeOptions(), base));
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::KeyPair> key, ctx.Key());
  ASSIGN_OR_RETURN(Envelope envelope, FillEnvelope(ctx, json::object()));
  ASSIGN_OR_RETURN(Transaction tx, BuildSignedTransaction(type, body, envelope, *key));
  if (ctx.args().Has("out")) return WriteOrPrint(ctx, ledger::TransactionToJson(tx));
  return Submit(ctx, tx);
}

Status RunTxTypes(Context& ctx) {
  json names = json::array();
  for (TxType type : AllTxTypes()) names.push_back(std::string(ledger::TxTypeName(type)));
  if (ctx.json()) {
    PrintJson(ctx.out(), names);
  } else {
    for (const json& name : names) ctx.out() << name.get<std::string>() << "\n";
  }
  return Status::Ok();
}

Result<TxType> TypeArgument(const std::string& name) {
  std::optional<TxType> type = ledger::TxTypeFromName(name);
  if (!type)
    return Status::InvalidArgument("unknown transaction type '" + name + "' (see: shulian tx types)");
  return *type;
}

Status RunTxTemplate(Context& ctx) {
  if (ctx.args().positionals.size() != 2) return Status::InvalidArgument("usage: shulian tx template TYPE");
  ASSIGN_OR_RETURN(TxType type, TypeArgument(ctx.args().positionals[1]));
  json skeleton = BodySkeleton(type);
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"type", ledger::TxTypeName(type)}, {"body", skeleton}});
    return Status::Ok();
  }
  std::set<std::string> optional = OptionalBodyKeys(type);
  ctx.out() << "shulian tx " << ledger::TxTypeName(type) << " \\\n";
  auto hint = [](const json& kind) -> std::string {
    if (kind.is_array()) return "A,B,...";
    if (kind.is_boolean()) return "[true|false]";
    if (kind.is_number()) return "N";
    if (kind.is_string() && kind.get<std::string>() == std::string(64, '0'))
      return "HEX|sha256:TEXT|file:PATH";
    return "TEXT";
  };
  for (const auto& [key, kind] : skeleton.items()) {
    const std::string note = optional.count(key) ? "   (optional)" : "";
    if (!kind.is_object()) {
      ctx.out() << "  " << OptionForDisplay(key) << " " << hint(kind) << note << " \\\n";
      continue;
    }
    for (const auto& [sub, sub_kind] : kind.items()) {
      ctx.out() << "  " << OptionForDisplay(key + "." + sub) << " " << hint(sub_kind) << note << " \\\n";
    }
  }
  ctx.out() << "  --key FILE --account ID [--wait]\n";
  return Status::Ok();
}

Status RunTxSign(Context& ctx) {
  if (ctx.args().positionals.size() != 2)
    return Status::InvalidArgument("usage: shulian tx sign FILE [--out FILE] [--genesis-hash HEX]");
  ASSIGN_OR_RETURN(json given, ReadJsonFile("tx sign", ctx.args().positionals[1]));
  if (!given.is_object() || !given.contains("type") || !given["type"].is_string() ||
      !given.contains("body")) {
    return Status::InvalidArgument(ctx.args().positionals[1] +
                                   ": expected an object with \"type\" and \"body\"");
  }
  ASSIGN_OR_RETURN(TxType type, TypeArgument(given["type"].get<std::string>()));
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::KeyPair> key, ctx.Key());
  ASSIGN_OR_RETURN(Envelope envelope, FillEnvelope(ctx, given));
  ASSIGN_OR_RETURN(Transaction tx, BuildSignedTransaction(type, given["body"], envelope, *key));
  return WriteOrPrint(ctx, ledger::TransactionToJson(tx));
}

Result<Transaction> ReadSignedTransaction(const std::string& path) {
  ASSIGN_OR_RETURN(json given, ReadJsonFile("transaction", path));
  Result<Transaction> tx = ledger::TransactionFromJson(given);
  if (!tx.ok()) return Status::InvalidArgument(path + ": " + tx.status().message());
  return tx;
}

Status RunTxSubmit(Context& ctx) {
  if (ctx.args().positionals.size() != 2)
    return Status::InvalidArgument("usage: shulian tx submit FILE [--wait]");
  ASSIGN_OR_RETURN(Transaction tx, ReadSignedTransaction(ctx.args().positionals[1]));
  return Submit(ctx, tx);
}

Status RunTxVerify(Context& ctx) {
  if (ctx.args().positionals.size() != 2) {
    return Status::InvalidArgument("usage: shulian tx verify FILE (--public-key HEX | --key FILE) [--genesis-hash HEX]");
  }
  ASSIGN_OR_RETURN(Transaction tx, ReadSignedTransaction(ctx.args().positionals[1]));
  crypto::PublicKey public_key;
  if (std::optional<std::string> hex = ctx.args().Get("public_key")) {
    Result<crypto::PublicKey> parsed = crypto::PublicKey::FromHex(*hex);
    if (!parsed.ok()) return Status::InvalidArgument("--public-key: " + parsed.status().message());
    public_key = *parsed;
  } else {
    ASSIGN_OR_RETURN(std::shared_ptr<const crypto::KeyPair> key, ctx.Key());
    public_key = key->public_key();
  }
  crypto::Digest genesis_hash;  // version 1 signs none
  if (tx.version != ledger::kTxVersionLegacy) {
    ASSIGN_OR_RETURN(genesis_hash, ctx.GenesisHash());
  }
  bool valid = tx.VerifySignature(public_key, genesis_hash);
  if (ctx.json()) {
    PrintJson(ctx.out(),
              json{{"hash", tx.Hash().ToHex()}, {"public_key", public_key.ToHex()}, {"valid", valid}});
  } else {
    ctx.out() << tx.Hash().ToHex() << ": signature " << (valid ? "valid" : "INVALID") << " for key "
              << public_key.ToHex() << "\n";
  }
  if (!valid) return VerificationFailed("the signature does not verify with key " + public_key.ToHex());
  return Status::Ok();
}

Status CheckTxOptions(const Context& ctx, const std::set<std::string>& extra) {
  std::set<std::string> allowed = {"json", "help", "server", "key", "account", "network", "cli_config"};
  allowed.insert(extra.begin(), extra.end());
  return RequireKnownOptions(ctx.args(), allowed);
}

void PrintTransactionRecord(Context& ctx, const json& record) {
  const json tx = record.value("transaction", json::object());
  const json location = record.value("location", json::object());
  const json outcome = record.value("outcome", json::object());
  ctx.out() << "hash: " << record.value("hash", "") << "\n"
            << "type: " << tx.value("type", "") << "\n"
            << "sender: " << tx.value("sender", "") << "\n";
  if (location.is_object() && location.contains("height")) {
    ctx.out() << "block: " << ScalarText(location["height"]) << " (index "
              << ScalarText(location.value("index", json())) << ", "
              << ScalarText(location.value("block_hash", json())) << ")\n";
    if (location.contains("block_time_ms") && location["block_time_ms"].is_number_integer()) {
      ctx.out() << "time: " << FormatCstTime(location["block_time_ms"].get<int64_t>()) << "\n";
    }
  }
  if (outcome.is_object() && !outcome.empty()) {
    ctx.out() << "outcome: " << (outcome.value("accepted", false) ? "accepted" : "REJECTED") << " ("
              << outcome.value("code_name", "") << ")";
    if (!outcome.value("message", std::string()).empty()) ctx.out() << ": " << outcome.value("message", "");
    ctx.out() << "\n";
    for (const json& note : outcome.value("notes", json::array()))
      ctx.out() << "  note: " << ScalarText(note) << "\n";
  }
  ctx.out() << "body:\n";
  PrintHuman(ctx.out(), tx.value("body", json::object()), 2);
}

}  // namespace

// rotate_validator_key with its proof: the new key file signs the proof here, so
// the operator's machine holds both keys only for this command.
Status RunValidatorRotateKey(Context& ctx) {
  if (!ctx.args().positionals.empty()) {
    return Status::InvalidArgument("usage: shulian validator rotate-key --node-id N --new-key FILE");
  }
  std::optional<std::string> node_text = ctx.args().Get("node_id");
  std::optional<std::string> new_key_file = ctx.args().Get("new_key");
  if (!node_text || !new_key_file)
    return Status::InvalidArgument("validator rotate-key needs --node-id and --new-key");
  ASSIGN_OR_RETURN(uint64_t node_id, ParseUnsigned("--node-id", *node_text));
  Result<crypto::KeyPair> new_key = crypto::KeyPair::LoadFromFile(*new_key_file);
  if (!new_key.ok()) return Status::InvalidArgument("--new-key: " + new_key.status().message());
  ASSIGN_OR_RETURN(std::string network_id, ctx.NetworkId());
  ledger::RotateValidatorKeyBody body;
  body.node_id = node_id;
  body.new_public_key = new_key->public_key();
  body.proof = new_key->Sign(ledger::ValidatorKeyProofMessage(network_id, node_id, body.new_public_key));
  if (std::optional<std::string> body_out = ctx.args().Get("body_out")) {
    // The node's host makes the proof; the operator signs it elsewhere with `tx sign`.
    json prepared{{"type", ledger::TxTypeName(TxType::kRotateValidatorKey)},
                  {"body", ledger::BodyToJson(body)}};
    RETURN_IF_ERROR(WriteNewFile(*body_out, prepared.dump(2) + "\n").WithContext("--body-out"));
    ctx.err() << "wrote " << *body_out << "\n";
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const crypto::KeyPair> key, ctx.Key());
  ASSIGN_OR_RETURN(Envelope envelope, FillEnvelope(ctx, json{{"network_id", network_id}}));
  ASSIGN_OR_RETURN(Transaction tx, BuildSignedTransaction(TxType::kRotateValidatorKey,
                                                          ledger::BodyToJson(body), envelope, *key));
  if (ctx.args().Has("out")) return WriteOrPrint(ctx, ledger::TransactionToJson(tx));
  return Submit(ctx, tx);
}

Status RunTx(Context& ctx) {
  const std::vector<std::string>& words = ctx.args().positionals;
  if (words.empty())
    return Status::InvalidArgument("usage: shulian tx TYPE [--FIELD VALUE ...] (see: shulian tx types)");
  const std::string& sub = words.front();
  if (sub == "types") {
    RETURN_IF_ERROR(CheckTxOptions(ctx, {}));
    return RunTxTypes(ctx);
  }
  if (sub == "template") {
    RETURN_IF_ERROR(CheckTxOptions(ctx, {}));
    return RunTxTemplate(ctx);
  }
  if (sub == "sign") {
    RETURN_IF_ERROR(CheckTxOptions(ctx, {"out", "client_time_ms", "nonce", "genesis_hash"}));
    return RunTxSign(ctx);
  }
  if (sub == "submit") {
    RETURN_IF_ERROR(CheckTxOptions(ctx, {"wait", "timeout_ms"}));
    return RunTxSubmit(ctx);
  }
  if (sub == "verify") {
    RETURN_IF_ERROR(CheckTxOptions(ctx, {"public_key", "genesis_hash"}));
    return RunTxVerify(ctx);
  }
  ASSIGN_OR_RETURN(TxType type, TypeArgument(sub));
  if (words.size() > 1) return Status::InvalidArgument("unexpected argument '" + words[1] + "'");
  return RunTxOfType(ctx, type);
}

Status RunTxStatus(Context& ctx) {
  if (ctx.args().positionals.size() != 1)
    return Status::InvalidArgument("usage: shulian tx-status HASH [--wait]");
  const std::string& hash = ctx.args().positionals.front();
  if (!crypto::Digest::FromHex(hash).ok()) return Status::InvalidArgument("HASH: expected 64 hex characters");
  ASSIGN_OR_RETURN(uint64_t timeout_ms, WaitTimeoutMs(ctx));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    Result<json> record = client->GetTransaction(hash, ctx.Consistency());
    if (record.ok()) {
      if (ctx.json()) {
        PrintJson(ctx.out(), *record);
      } else {
        PrintTransactionRecord(ctx, *record);
      }
      const json outcome = record->value("outcome", json::object());
      if (outcome.is_object() && outcome.contains("accepted") && !outcome.value("accepted", false)) {
        return Status::FailedPrecondition("the ledger rejected this transaction: " +
                                          outcome.value("code_name", ""));
      }
      return Status::Ok();
    }
    bool retry = ctx.args().Has("wait") && record.status().code() == ErrorCode::kNotFound &&
                 std::chrono::steady_clock::now() < deadline;
    if (!retry) return record.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(kStatusPollIntervalMs));
  }
}

}  // namespace shulian::cli
