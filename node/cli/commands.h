// The command table of `shulian` and the handlers behind it, one file per group:
// cmd_keys.cc (keys, network, genesis), cmd_cert.cc (TLS certificates), cmd_tx.cc (transactions),
// cmd_query.cc (queries, status, blocks, traces), cmd_scenario.cc (the sample scenario), cmd_evidence.cc
// (checkpoints, evidence bundles, verify, export, audit).
//
// A handler reads its positionals and options from the Context (the command words
// already removed), prints its result, and returns a Status whose code sets the
// exit code (cli.h). Options are checked against the command's list before the
// handler runs, except for `tx`, whose options are the body's fields.
//
// Thread-safety: as Context.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "node/cli/context.h"

namespace shulian::cli {

using Handler = Status (*)(Context&);

struct CommandSpec {
  std::vector<std::string_view> words;  // {"asset", "show"}
  std::string_view usage;               // arguments after the words
  std::string_view summary;
  std::vector<std::string_view> options;  // besides the global ones
  Handler run = nullptr;
  bool own_option_check = false;  // the handler checks its options itself
};

const std::vector<CommandSpec>& AllCommands();
// Options every command accepts: --json --help --server --key --account --network --cli-config.
const std::vector<std::string_view>& GlobalOptions();
// Options that never take a value.
const std::set<std::string>& BooleanOptions();
// Writes `bytes` to `path`, which must not exist yet (named --out in the error).
Status WriteNewFile(const std::string& path, std::string_view bytes);

Status RunKeygen(Context& ctx);
Status RunPubkey(Context& ctx);
Status RunNetworkInit(Context& ctx);
Status RunGenesisCheck(Context& ctx);
Status RunCert(Context& ctx);
Status RunCertCa(Context& ctx);

Status RunTx(Context& ctx);
Status RunTxStatus(Context& ctx);
Status RunValidatorRotateKey(Context& ctx);

Status RunStatus(Context& ctx);
Status RunLeaderTransfer(Context& ctx);
Status RunBackup(Context& ctx);
Status RunConfig(Context& ctx);
Status RunBlock(Context& ctx);
Status RunQueries(Context& ctx);
Status RunQuery(Context& ctx);
Status RunAssetShow(Context& ctx);
Status RunAssetHistory(Context& ctx);
Status RunAccessList(Context& ctx);
Status RunGrants(Context& ctx);
Status RunRequests(Context& ctx);
Status RunObjections(Context& ctx);
Status RunOverdue(Context& ctx);
Status RunViolations(Context& ctx);
Status RunSummary(Context& ctx);
Status RunCatalog(Context& ctx);
Status RunTraceAccess(Context& ctx);
Status RunTraceDeadlines(Context& ctx);
Status RunTraceScope(Context& ctx);

Status RunScenarioLoad(Context& ctx);

// cmd_evidence.cc: checkpoints, consistency, evidence bundles, verify, export, audit.
Status RunCheckpoint(Context& ctx);
Status RunConsistency(Context& ctx);
Status RunEvidenceTx(Context& ctx);
Status RunEvidenceAccess(Context& ctx);
Status RunEvidenceDispute(Context& ctx);
Status RunVerify(Context& ctx);
Status RunLedgerExport(Context& ctx);
Status RunAudit(Context& ctx);

}  // namespace shulian::cli
