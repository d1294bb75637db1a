// Evidence for courts (docs/cli.md, "Evidence"; docs/evidence.md): cosigned
// checkpoints and consistency proofs from a node, evidence bundles written to a
// file, the offline verifier, ledger exports and the audit replay.
//
// `verify` and `audit` never touch the network: they need only the genesis file
// (and the bundle, the export or a data directory). Their failures exit 4
// (verification failed) and name the check that failed.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/checkpoint.h"
#include "ledger/evidence.h"
#include "ledger/genesis.h"
#include "ledger/genesis_import.h"
#include "ledger/ledger_export.h"
#include "ledger/validator_set.h"
#include "node/cli/commands.h"
#include "node/cli/render.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

// Blocks asked for in one GET /v1/ledger/export (the server's default limit is higher).
constexpr uint64_t kExportPageBlocksDefault = 1000;
// The largest bundle `verify` reads.
constexpr uintmax_t kBundleFileBytesMax = 64ull << 20;

Result<std::optional<uint64_t>> OptionalHeight(const Context& ctx, std::string_view option) {
  std::optional<std::string> text = ctx.args().Get(option);
  if (!text) return std::optional<uint64_t>();
  ASSIGN_OR_RETURN(uint64_t height, ParseUnsigned(OptionForDisplay(option), *text));
  if (height == 0) return Status::InvalidArgument(OptionForDisplay(option) + ": heights start at 1");
  return std::optional<uint64_t>(height);
}

Result<uint64_t> RequiredHeight(const Context& ctx, std::string_view option) {
  ASSIGN_OR_RETURN(std::string text, RequireOption(ctx.args(), option));
  return ParseUnsigned(OptionForDisplay(option), text);
}

Status RequirePositionals(const Context& ctx, size_t count, std::string_view usage) {
  if (ctx.args().positionals.size() != count) return Status::InvalidArgument("usage: shulian " + std::string(usage));
  return Status::Ok();
}

Result<ledger::Genesis> LoadGenesis(const Context& ctx) {
  ASSIGN_OR_RETURN(std::string path, RequireOption(ctx.args(), "genesis"));
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return Status::InvalidArgument("--genesis " + path + ": no such file");
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(path);
  if (!genesis.ok()) return VerificationFailed("--genesis " + path + ": " + genesis.status().message());
  return genesis;
}

Result<ledger::ImportedGenesis> LoadImportedGenesis(const Context& ctx) {
  ASSIGN_OR_RETURN(ledger::Genesis genesis, LoadGenesis(ctx));
  Result<ledger::ImportedGenesis> imported = ledger::ImportGenesis(genesis);
  if (!imported.ok()) return VerificationFailed("--genesis: " + imported.status().message());
  return imported;
}

json CheckpointSummary(const json& cosigned) {
  const json checkpoint = cosigned.value("checkpoint", json::object());
  json signers = json::array();
  for (const json& signature : cosigned.value("signatures", json::array())) {
    signers.push_back(signature.value("node_id", uint64_t{0}));
  }
  return {{"height", checkpoint.value("height", uint64_t{0})},
          {"block_hash", checkpoint.value("block_hash", "")},
          {"block_time_ms", checkpoint.value("block_time_ms", int64_t{0})},
          {"tx_log_size", checkpoint.value("tx_log_size", uint64_t{0})},
          {"tx_log_root", checkpoint.value("tx_log_root", "")},
          {"outcome_log_root", checkpoint.value("outcome_log_root", "")},
          {"block_log_root", checkpoint.value("block_log_root", "")},
          {"validator_set_id", checkpoint.value("validator_set_id", "")},
          {"signers", std::move(signers)}};
}

// Checks a consistency answer offline against the genesis: both checkpoints name
// the genesis network, the proofs verify between their roots, and each
// checkpoint's signatures verify when it was signed by the genesis validator set
// (a later set needs the membership history an evidence bundle carries).
Result<json> VerifyConsistencyAnswer(const json& answer, const ledger::ImportedGenesis& genesis) {
  auto parsed_from = ledger::CosignedCheckpoint::FromJson(answer.value("from", json()));
  auto parsed_to = ledger::CosignedCheckpoint::FromJson(answer.value("to", json()));
  auto proofs = ledger::CheckpointConsistency::FromJson(answer.value("proofs", json()));
  if (!parsed_from.ok()) return VerificationFailed("format: from: " + parsed_from.status().message());
  if (!parsed_to.ok()) return VerificationFailed("format: to: " + parsed_to.status().message());
  if (!proofs.ok()) return VerificationFailed("format: proofs: " + proofs.status().message());
  if (proofs->from != parsed_from->checkpoint || proofs->to != parsed_to->checkpoint) {
    return VerificationFailed("checkpoints: the proofs are not between the two cosigned checkpoints given");
  }
  for (const ledger::CosignedCheckpoint* cosigned : {&*parsed_from, &*parsed_to}) {
    if (cosigned->checkpoint.network_id != genesis.network_id) {
      return VerificationFailed("genesis: checkpoint network '" + cosigned->checkpoint.network_id +
                                "' is not the genesis network '" + genesis.network_id + "'");
    }
  }
  if (Status consistent = ledger::VerifyCheckpointConsistency(*proofs); !consistent.ok()) {
    return VerificationFailed("consistency: " + consistent.message());
  }
  ASSIGN_OR_RETURN(ledger::ValidatorSet genesis_set, ledger::ValidatorSet::FromGenesis(genesis));
  json signatures = json::object();
  for (const auto& [name, cosigned] : {std::pair{"from", &*parsed_from}, std::pair{"to", &*parsed_to}}) {
    if (cosigned->checkpoint.validator_set_id != genesis_set.Id()) {
      signatures[name] = "not checked: signed by a validator set changed since genesis (use an evidence bundle)";
      continue;
    }
    if (Status valid = ledger::VerifyCosigned(*cosigned, genesis_set); !valid.ok()) {
      return VerificationFailed(std::string("checkpoint_signatures: ") + name + ": " + valid.message());
    }
    signatures[name] = "verified: " + std::to_string(cosigned->signatures.size()) + " of " +
                       std::to_string(genesis_set.members.size()) + " genesis validators";
  }
  return json{{"consistent", true},
              {"from_height", parsed_from->checkpoint.height},
              {"to_height", parsed_to->checkpoint.height},
              {"signatures", std::move(signatures)}};
}

Status WriteBundle(Context& ctx, const json& bundle) {
  ASSIGN_OR_RETURN(std::string out, RequireOption(ctx.args(), "out"));
  RETURN_IF_ERROR(WriteNewFile(out, bundle.dump(2) + "\n"));
  const json records = bundle.value("records", json::array());
  const json checkpoint = bundle.value("checkpoint", json::object()).value("checkpoint", json::object());
  json summary = {{"file", out},
                  {"records", records.size()},
                  {"checkpoint_height", checkpoint.value("height", uint64_t{0})},
                  {"verify_with", "shulian verify " + out + " --genesis GENESIS_FILE"}};
  if (ctx.json()) {
    PrintJson(ctx.out(), summary);
  } else {
    ctx.out() << "wrote an evidence bundle\n";
    PrintHuman(ctx.out(), summary);
  }
  return Status::Ok();
}

Result<std::string> ReadFileLimited(const std::string& path, uintmax_t bytes_max) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return Status::InvalidArgument(path + ": no such file");
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return Status::IoError(path + ": " + error.message());
  if (size > bytes_max) {
    return VerificationFailed("format: " + path + " is " + std::to_string(size) + " bytes, above the limit of " +
                              std::to_string(bytes_max));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::IoError(path + ": cannot read");
  return text.str();
}

}  // namespace

// A new file only: evidence (and a genesis encoding) is never silently overwritten.
Status WriteNewFile(const std::string& path, std::string_view bytes) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    return Status::InvalidArgument("--out " + path + ": already exists (such files are never overwritten)");
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) return Status::IoError("--out " + path + ": cannot write");
  return Status::Ok();
}

Status RunCheckpoint(Context& ctx) {
  RETURN_IF_ERROR(RequirePositionals(ctx, 0, "checkpoint [--height H]"));
  ASSIGN_OR_RETURN(std::optional<uint64_t> height, OptionalHeight(ctx, "height"));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json cosigned, client->GetCheckpoint(height));
  if (ctx.json()) {
    PrintJson(ctx.out(), cosigned);
  } else {
    PrintHuman(ctx.out(), CheckpointSummary(cosigned));
  }
  return Status::Ok();
}

Status RunConsistency(Context& ctx) {
  RETURN_IF_ERROR(RequirePositionals(ctx, 0, "consistency --from H1 --to H2 [--genesis FILE]"));
  ASSIGN_OR_RETURN(uint64_t from, RequiredHeight(ctx, "from"));
  ASSIGN_OR_RETURN(uint64_t to, RequiredHeight(ctx, "to"));
  if (from > to) return Status::InvalidArgument("--from: " + std::to_string(from) + " is above --to");
  std::optional<ledger::ImportedGenesis> genesis;
  if (ctx.args().Has("genesis")) {
    ASSIGN_OR_RETURN(genesis, LoadImportedGenesis(ctx));
  }
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json answer, client->GetConsistency(from, to));
  if (!genesis) {
    if (ctx.json()) {
      PrintJson(ctx.out(), answer);
    } else {
      ctx.out() << "consistency proofs from height " << from << " to " << to
                << " (not verified: add --genesis FILE to check them here)\n";
      PrintHuman(ctx.out(), json{{"from", CheckpointSummary(answer.value("from", json::object()))},
                                 {"to", CheckpointSummary(answer.value("to", json::object()))}});
    }
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(json verdict, VerifyConsistencyAnswer(answer, *genesis));
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"verified", verdict}, {"answer", answer}});
  } else {
    ctx.out() << "verified: the ledger at height " << to << " extends the ledger at height " << from
              << " (transaction, outcome and block logs)\n";
    PrintHuman(ctx.out(), verdict);
  }
  return Status::Ok();
}

Status RunEvidenceTx(Context& ctx) {
  RETURN_IF_ERROR(RequirePositionals(ctx, 1, "evidence tx HASH --out FILE [--checkpoint H]"));
  const std::string& hash = ctx.args().positionals.front();
  if (!crypto::Digest::FromHex(hash).ok()) return Status::InvalidArgument("HASH: expected 64 hex characters");
  ASSIGN_OR_RETURN(std::optional<uint64_t> checkpoint, OptionalHeight(ctx, "checkpoint"));
  RETURN_IF_ERROR(RequireOption(ctx.args(), "out").status());
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json bundle, client->TransactionEvidence(hash, checkpoint));
  return WriteBundle(ctx, bundle);
}

Status RunEvidenceAccess(Context& ctx) {
  RETURN_IF_ERROR(RequirePositionals(ctx, 1, "evidence access ASSET --from-ms T --to-ms T --out FILE [--checkpoint H]"));
  ASSIGN_OR_RETURN(std::string from_text, RequireOption(ctx.args(), "from_ms"));
  ASSIGN_OR_RETURN(std::string to_text, RequireOption(ctx.args(), "to_ms"));
  ASSIGN_OR_RETURN(int64_t from_ms, ParseTimeMs("--from-ms", from_text, false));
  ASSIGN_OR_RETURN(int64_t to_ms, ParseTimeMs("--to-ms", to_text, true));
  if (from_ms >= to_ms) return Status::InvalidArgument("--from-ms: must be before --to-ms");
  ASSIGN_OR_RETURN(std::optional<uint64_t> checkpoint, OptionalHeight(ctx, "checkpoint"));
  RETURN_IF_ERROR(RequireOption(ctx.args(), "out").status());
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json bundle,
                   client->AssetAccessEvidence(ctx.args().positionals.front(), from_ms, to_ms, checkpoint));
  return WriteBundle(ctx, bundle);
}

Status RunEvidenceDispute(Context& ctx) {
  RETURN_IF_ERROR(RequirePositionals(ctx, 1, "evidence dispute CASE --out FILE [--checkpoint H]"));
  ASSIGN_OR_RETURN(std::optional<uint64_t> checkpoint, OptionalHeight(ctx, "checkpoint"));
  RETURN_IF_ERROR(RequireOption(ctx.args(), "out").status());
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json bundle, client->DisputeEvidence(ctx.args().positionals.front(), checkpoint));
  return WriteBundle(ctx, bundle);
}

Status RunVerify(Context& ctx) {
  RETURN_IF_ERROR(RequirePositionals(ctx, 1, "verify BUNDLE --genesis FILE"));
  ASSIGN_OR_RETURN(ledger::ImportedGenesis genesis, LoadImportedGenesis(ctx));
  ASSIGN_OR_RETURN(std::string text, ReadFileLimited(ctx.args().positionals.front(), kBundleFileBytesMax));
  Result<ledger::VerifiedBundle> verified = ledger::VerifyBundleText(text, genesis);
  if (!verified.ok()) return VerificationFailed("NOT VERIFIED: " + verified.status().message());
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"verified", true}, {"proves", verified->ToJson()}});
  } else {
    const std::string described = verified->Describe();  // opens with "VERIFIED: ..."
    ctx.out() << described;
    if (!described.empty() && described.back() != '\n') ctx.out() << "\n";
  }
  return Status::Ok();
}

Status RunLedgerExport(Context& ctx) {
  RETURN_IF_ERROR(RequirePositionals(ctx, 0, "ledger export --out FILE [--from H] [--to H] [--page-blocks N]"));
  ASSIGN_OR_RETURN(std::string out, RequireOption(ctx.args(), "out"));
  ASSIGN_OR_RETURN(std::optional<uint64_t> from_option, OptionalHeight(ctx, "from"));
  ASSIGN_OR_RETURN(std::optional<uint64_t> to_option, OptionalHeight(ctx, "to"));
  uint64_t page_blocks = kExportPageBlocksDefault;
  if (std::optional<std::string> page = ctx.args().Get("page_blocks")) {
    ASSIGN_OR_RETURN(page_blocks, ParseUnsigned("--page-blocks", *page));
    if (page_blocks == 0) return Status::InvalidArgument("--page-blocks: at least 1");
  }
  std::error_code error;
  if (std::filesystem::exists(out, error)) return Status::InvalidArgument("--out " + out + ": already exists");
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  uint64_t to = 0;
  if (to_option) {
    to = *to_option;
  } else {
    ASSIGN_OR_RETURN(json status, client->GetStatus());
    to = status.value("height", uint64_t{0});
  }
  const uint64_t from = from_option.value_or(1);
  if (to == 0) return Status::FailedPrecondition("the ledger has no blocks yet");
  if (from > to) return Status::InvalidArgument("--from: above --to (or above the head)");
  // Each page is a complete export; the pages are joined under one magic. A page
  // may stop below the asked end (the server's byte bound): the next starts after it.
  std::string joined;
  for (uint64_t start = from; start <= to;) {
    const uint64_t end = std::min(to, start + page_blocks - 1);
    ASSIGN_OR_RETURN(api::LedgerExportPage page, client->LedgerExport(start, end));
    if (page.body.compare(0, ledger::kLedgerExportMagic.size(), ledger::kLedgerExportMagic) != 0) {
      return Status::Internal("the server's export of heights " + std::to_string(start) + ".." + std::to_string(end) +
                              " does not start with " + std::string(ledger::kLedgerExportMagic));
    }
    joined.append(joined.empty() ? page.body : page.body.substr(ledger::kLedgerExportMagic.size()));
    if (page.to_height == to) break;
    start = page.to_height + 1;
  }
  RETURN_IF_ERROR(WriteNewFile(out, joined));
  json summary = {{"file", out}, {"from_height", from}, {"to_height", to}, {"bytes", joined.size()}};
  if (ctx.json()) {
    PrintJson(ctx.out(), summary);
  } else {
    ctx.out() << "wrote a ledger export\n";
    PrintHuman(ctx.out(), summary);
  }
  return Status::Ok();
}

Status RunAudit(Context& ctx) {
  RETURN_IF_ERROR(RequirePositionals(ctx, 0, "audit (--ledger FILE | --data-dir DIR) --genesis FILE"));
  const bool has_ledger = ctx.args().Has("ledger");
  const bool has_dir = ctx.args().Has("data_dir");
  if (has_ledger == has_dir) return Status::InvalidArgument("give exactly one of --ledger FILE and --data-dir DIR");
  ASSIGN_OR_RETURN(ledger::Genesis genesis, LoadGenesis(ctx));
  Result<ledger::AuditReport> report = Status::Internal("no audit ran");
  if (has_ledger) {
    ASSIGN_OR_RETURN(std::string path, RequireOption(ctx.args(), "ledger"));
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return Status::InvalidArgument("--ledger " + path + ": no such file");
    report = ledger::AuditExportFile(path, genesis);
  } else {
    ASSIGN_OR_RETURN(std::string path, RequireOption(ctx.args(), "data_dir"));
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) {
      return Status::InvalidArgument("--data-dir " + path + ": no such directory");
    }
    report = ledger::AuditDataDir(path, genesis);
  }
  if (!report.ok()) return report.status();
  if (ctx.json()) {
    PrintJson(ctx.out(), report->ToJson());
  } else {
    // Describe names the fault ("FAULT at height ..."); a clean audit is marked here.
    ctx.out() << (report->clean() ? "CLEAN: " : "") << report->Describe() << "\n";
  }
  if (!report->clean()) {
    return VerificationFailed("audit found a fault at height " + std::to_string(report->fault->height) + ": " +
                              report->fault->check + ": " + report->fault->detail);
  }
  return Status::Ok();
}

}  // namespace shulian::cli
