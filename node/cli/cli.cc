#include "node/cli/cli.h"

#include <algorithm>

#include "crypto/keys.h"
#include "node/cli/commands.h"

namespace shulian::cli {
namespace {

const std::vector<std::string_view> kPage = {"limit", "cursor", "all", "stale"};

std::vector<std::string_view> With(std::vector<std::string_view> a, const std::vector<std::string_view>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void PrintUsage(std::ostream& out) {
  out << "usage: shulian COMMAND [ARGS] [--json] [--server URL] [--key FILE] [--account ID]\n\n"
         "commands:\n";
  for (const CommandSpec& command : AllCommands()) {
    std::string words;
    for (std::string_view word : command.words) words += std::string(word) + " ";
    out << "  " << words << command.usage << "\n      " << command.summary << "\n";
  }
  out << "\nexit codes: 0 ok, 1 failed or rejected, 2 usage or bad input, 3 server unreachable, "
         "4 verification failed\n"
         "settings: flag, then SHULIAN_SERVER / SHULIAN_KEY / SHULIAN_ACCOUNT / SHULIAN_NETWORK /\n"
         "SHULIAN_CA_FILE / SHULIAN_CERT_SHA256 (https:// servers), then\n"
         "~/.config/shulian/cli.json (or --cli-config FILE). See docs/cli.md.\n";
}

// The command whose words are the longest prefix of the positionals.
const CommandSpec* FindCommand(const std::vector<std::string>& positionals) {
  const CommandSpec* best = nullptr;
  for (const CommandSpec& command : AllCommands()) {
    if (command.words.size() > positionals.size()) continue;
    if (!std::equal(command.words.begin(), command.words.end(), positionals.begin())) continue;
    if (best == nullptr || command.words.size() > best->words.size()) best = &command;
  }
  return best;
}

Status CheckOptions(const CommandSpec& command, const ParsedArgs& args) {
  std::set<std::string> allowed;
  for (std::string_view option : GlobalOptions()) allowed.insert(std::string(option));
  for (std::string_view option : command.options) allowed.insert(std::string(option));
  return RequireKnownOptions(args, allowed);
}

}  // namespace

const std::vector<std::string_view>& GlobalOptions() {
  static const std::vector<std::string_view> kGlobal = {
      "json", "help", "server", "key", "account", "network", "cli_config", "ca_file", "cert_sha256"};
  return kGlobal;
}

const std::set<std::string>& BooleanOptions() {
  static const std::set<std::string> kBoolean = {"json", "help", "wait", "stale", "all", "dry_run"};
  return kBoolean;
}

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec> kCommands = {
      {{"keygen"},
       "--out FILE",
       "write a new Ed25519 key file (mode 0600) and print its public key",
       {"out"},
       RunKeygen},
      {{"pubkey"}, "--key FILE", "print the public key of a key file", {}, RunPubkey},
      {{"cert"},
       "--key-out FILE --cert-out FILE --host NAME_OR_IP [--host ...] [--days N] [--ca-cert FILE --ca-key "
       "FILE]",
       "write a TLS certificate (self-signed, or signed by a CA) and key for a node's API; print its SHA-256",
       {"key_out", "cert_out", "host", "days", "ca_cert", "ca_key"},
       RunCert},
      {{"cert", "ca"},
       "--key-out FILE --cert-out FILE [--name NAME] [--days N]",
       "write a certificate authority (certificate and key) to sign API certificates with",
       {"key_out", "cert_out", "name", "days"},
       RunCertCa},
      {{"network", "init"},
       "--out DIR [--preset local-3|jiangsu-5] [--nodes N] [--network-id ID] [--seed S] [--calendar FILE] | "
       "--plan PLAN.json --public-keys DIR --out DIR",
       "generate a sample network with test keys, or build a real one's genesis.json and node configs from a "
       "plan and public keys",
       {"out", "preset", "nodes", "network_id", "seed", "calendar", "genesis_time", "peer_port_base",
        "api_port_base", "plan", "public_keys"},
       RunNetworkInit},
      {{"genesis", "check"},
       "FILE [--out FILE]",
       "validate a genesis file and print its hash (exit 4 if invalid); --out writes its canonical encoding, "
       "the genesis file of the console's evidence verifier",
       {"out"},
       RunGenesisCheck},
      {{"tx"},
       "TYPE [--FIELD VALUE ...] [--body FILE] [--wait] [--out FILE] | types | template TYPE | sign FILE | "
       "submit FILE | verify FILE",
       "build, sign and submit a transaction of any type; sign, submit or verify prepared JSON",
       {},
       RunTx,
       true},
      {{"validator", "rotate-key"},
       "--node-id N --new-key FILE [--wait] [--out FILE | --body-out FILE]",
       "rotate a validator's node key (operator): the new key signs the proof of possession",
       {"node_id", "new_key", "wait", "timeout_ms", "out", "body_out", "nonce", "client_time_ms",
        "genesis_hash"},
       RunValidatorRotateKey},
      {{"tx-status"},
       "HASH [--wait] [--timeout-ms N]",
       "a transaction's block and outcome",
       {"wait", "timeout_ms", "stale"},
       RunTxStatus},
      {{"status"}, "", "the node's role, term, leader, heights and peers", {}, RunStatus},
      {{"leader", "transfer"},
       "--to NODE_ID [--timeout-ms N]",
       "hand the leadership to a voter before maintenance (an operator, sent to the leader)",
       {"to", "timeout_ms"},
       RunLeaderTransfer},
      {{"backup"},
       "--out DIR",
       "have the node back up its database into DIR, a new folder on the node's host, while it runs "
       "(an operator; restore with shulian-node restore)",
       {"out"},
       RunBackup},
      {{"config"}, "", "show the resolved server, key, account and where each came from", {}, RunConfig},
      {{"block"},
       "HEIGHT | --hash HASH",
       "a block with its transactions and outcomes",
       {"hash", "stale"},
       RunBlock},
      {{"queries"}, "", "the queries the server offers and their parameters", {}, RunQueries},
      {{"query"}, "NAME [PARAM=VALUE ...]", "run any query by name", kPage, RunQuery},
      {{"asset", "show"}, "ASSET_ID", "an asset with its versions and status", {"stale"}, RunAssetShow},
      {{"asset", "history"}, "ASSET_ID", "every event of an asset", kPage, RunAssetHistory},
      {{"access", "list"},
       "--asset ID | --user ACCOUNT | --authority CODE [--from T] [--to T]",
       "access records by asset, account or authority in a time range",
       With({"asset", "user", "authority", "from", "to"}, kPage),
       RunAccessList},
      {{"grants"},
       "--asset ID | --user ACCOUNT",
       "grants on an asset or held by an account",
       With({"asset", "user"}, kPage),
       RunGrants},
      {{"requests"},
       "--status STATUS [--authority CODE]",
       "share requests in one status (pending, overdue, ...)",
       With({"status", "authority"}, kPage),
       RunRequests},
      {{"objections"},
       "--status STATUS [--authority CODE]",
       "objections in one status (open, answered, escalated)",
       With({"status", "authority"}, kPage),
       RunObjections},
      {{"overdue"},
       "--authority CODE",
       "items flagged to the authority's supervisor",
       With({"authority"}, kPage),
       RunOverdue},
      {{"violations"},
       "[--authority CODE] [--from T] [--to T]",
       "accesses flagged as outside their grant",
       With({"authority", "from", "to"}, kPage),
       RunViolations},
      {{"summary"},
       "--authority CODE",
       "a supervisor's counters for an authority",
       {"authority", "stale"},
       RunSummary},
      {{"catalog"}, "", "the open catalog (public)", kPage, RunCatalog},
      {{"trace", "access"},
       "--asset ID [--from T] [--to T]",
       "who accessed an asset, when, under which grant",
       {"asset", "from", "to", "stale"},
       RunTraceAccess},
      {{"trace", "deadlines"},
       "--authority CODE",
       "who missed deadlines: overdue and late items, with the summary",
       {"authority", "stale"},
       RunTraceDeadlines},
      {{"trace", "scope"},
       "[--authority CODE] [--from T] [--to T]",
       "use beyond scope: every violation, with why",
       {"authority", "from", "to", "stale"},
       RunTraceScope},
      {{"scenario", "load"},
       "FILE --keys NETWORK_DIR [--dry-run]",
       "submit the sample scenario and check its outcomes",
       {"keys", "dry_run", "genesis_hash"},
       RunScenarioLoad},
      {{"checkpoint"},
       "[--height H]",
       "the latest (or a given height's) cosigned checkpoint and its signers",
       {"height"},
       RunCheckpoint},
      {{"consistency"},
       "--from H1 --to H2 [--genesis FILE]",
       "proofs that the ledger at H2 extends the ledger at H1; checked here with --genesis",
       {"from", "to", "genesis"},
       RunConsistency},
      {{"evidence", "tx"},
       "HASH --out FILE [--checkpoint H]",
       "write an evidence bundle for one transaction",
       {"out", "checkpoint"},
       RunEvidenceTx},
      {{"evidence", "access"},
       "ASSET_ID --from-ms T --to-ms T --out FILE [--checkpoint H]",
       "write an evidence bundle for an asset's accesses in a time range",
       {"from_ms", "to_ms", "out", "checkpoint"},
       RunEvidenceAccess},
      {{"evidence", "dispute"},
       "CASE_ID --out FILE [--checkpoint H]",
       "write an evidence bundle for a dispute case",
       {"out", "checkpoint"},
       RunEvidenceDispute},
      {{"verify"},
       "BUNDLE --genesis FILE",
       "verify an evidence bundle offline and say what it proves (exit 4 if not)",
       {"genesis"},
       RunVerify},
      {{"ledger", "export"},
       "--out FILE [--from H] [--to H] [--page-blocks N]",
       "write the ledger's blocks and cosigned checkpoints to a file for an audit",
       {"out", "from", "to", "page_blocks"},
       RunLedgerExport},
      {{"audit"},
       "(--ledger FILE | --data-dir DIR) --genesis FILE",
       "replay a ledger export or a node's data directory from genesis; report the first fault (exit 4)",
       {"ledger", "data_dir", "genesis"},
       RunAudit},
  };
  return kCommands;
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk:
      return kExitOk;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kOutOfRange:
      return kExitUsage;
    case ErrorCode::kUnavailable:
      return kExitUnreachable;
    case kVerificationFailedCode:
      return kExitVerificationFailed;
    default:
      return kExitFailed;
  }
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const Environment& env) {
  Result<ParsedArgs> parsed = ParseArgs(args, BooleanOptions());
  if (!parsed.ok()) {
    err << "shulian: " << parsed.status().message() << "\n";
    return kExitUsage;
  }
  if (parsed->positionals.empty() || parsed->positionals.front() == "help") {
    PrintUsage(parsed->positionals.empty() && !parsed->Has("help") ? err : out);
    return parsed->positionals.empty() && !parsed->Has("help") ? kExitUsage : kExitOk;
  }
  const CommandSpec* command = FindCommand(parsed->positionals);
  if (command == nullptr) {
    err << "shulian: unknown command '" << parsed->positionals.front() << "' (see: shulian help)\n";
    return kExitUsage;
  }
  if (parsed->Has("help")) {
    std::string words;
    for (std::string_view word : command->words) words += std::string(word) + " ";
    out << "usage: shulian " << words << command->usage << "\n  " << command->summary << "\n";
    return kExitOk;
  }
  if (!command->own_option_check) {
    Status options = CheckOptions(*command, *parsed);
    if (!options.ok()) {
      err << "shulian: " << options.message() << "\n";
      return kExitUsage;
    }
  }
  if (Status init = crypto::Initialize(); !init.ok()) {
    err << "shulian: " << init.message() << "\n";
    return kExitFailed;
  }
  ParsedArgs rest = std::move(parsed).value();
  rest.positionals.erase(rest.positionals.begin(),
                         rest.positionals.begin() + static_cast<std::ptrdiff_t>(command->words.size()));
  Context ctx(std::move(rest), out, err, env);
  Status status = command->run(ctx);
  if (!status.ok()) err << "shulian: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace shulian::cli
