// `shulian scenario load FILE --keys NETWORK_DIR`: submits the sample scenario
// phase by phase through the API and checks every outcome against its template's
// expectation.
#include <chrono>
#include <filesystem>
#include <thread>

#include "ledger/calendar.h"
#include "ledger/genesis.h"
#include "node/cli/commands.h"
#include "node/cli/render.h"
#include "node/cli/scenario.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

constexpr size_t kBatchTransactionsMax = 500;  // below the API's default of 1000
constexpr uint64_t kPhaseWaitMs = 60'000;
constexpr int64_t kPollIntervalMs = 200;

// The committed outcome of `hash`, polling until it appears or the wait ends.
Result<json> AwaitOutcome(api::ApiClient& client, const std::string& hash) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kPhaseWaitMs);
  while (true) {
    Result<json> record = client.GetTransaction(hash);
    if (record.ok()) return record->value("outcome", json());
    if (record.status().code() != ErrorCode::kNotFound || std::chrono::steady_clock::now() >= deadline) {
      return record.status().WithContext("transaction " + hash);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollIntervalMs));
  }
}

// Submits one phase; returns the outcome of each transaction in order.
Result<std::vector<json>> SubmitPhase(api::ApiClient& client, const ScenarioPhase& phase) {
  std::vector<json> outcomes;
  for (size_t begin = 0; begin < phase.transactions.size(); begin += kBatchTransactionsMax) {
    size_t end = std::min(phase.transactions.size(), begin + kBatchTransactionsMax);
    std::vector<ledger::Transaction> batch;
    for (size_t i = begin; i < end; ++i) batch.push_back(phase.transactions[i].tx);
    ASSIGN_OR_RETURN(json answer, client.SubmitBatch(batch, true, kPhaseWaitMs));
    const json results = answer.value("results", json::array());
    for (size_t i = 0; i < batch.size(); ++i) {
      json result = i < results.size() ? results[i] : json::object();
      if (result.value("state", "") == "committed") {
        outcomes.push_back(result.value("outcome", json()));
        continue;
      }
      ASSIGN_OR_RETURN(json outcome, AwaitOutcome(client, batch[i].Hash().ToHex()));
      outcomes.push_back(outcome);
    }
  }
  return outcomes;
}

// What the scenario's transactions sign: --genesis-hash, else the genesis file of
// the network directory the keys come from (so --dry-run needs no server), else
// the server's.
Result<crypto::Digest> ScenarioGenesisHash(Context& ctx, const std::string& keys_dir) {
  const std::filesystem::path genesis_file = std::filesystem::path(keys_dir) / "genesis.json";
  std::error_code error;
  if (ctx.args().Has("genesis_hash") || !std::filesystem::exists(genesis_file, error)) return ctx.GenesisHash();
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(genesis_file.string());
  if (!genesis.ok()) return Status::InvalidArgument(genesis_file.string() + ": " + genesis.status().message());
  return genesis->Hash();
}

}  // namespace

Status RunScenarioLoad(Context& ctx) {
  if (ctx.args().positionals.size() != 1) {
    return Status::InvalidArgument("usage: shulian scenario load FILE --keys NETWORK_DIR [--dry-run]");
  }
  const std::string& file = ctx.args().positionals.front();
  ASSIGN_OR_RETURN(std::string keys_dir, RequireOption(ctx.args(), "keys"));
  Result<json> scenario = ledger::rules_json::ParseFile(file, kScenarioFileBytesMax);
  if (!scenario.ok()) return Status::InvalidArgument(file + ": " + scenario.status().message());
  ScenarioBuildOptions options;
  ASSIGN_OR_RETURN(options.network_id, ctx.NetworkId());
  ASSIGN_OR_RETURN(options.genesis_hash, ScenarioGenesisHash(ctx, keys_dir));
  options.keys_dir = keys_dir;
  options.now_ms = [&ctx] { return ctx.NowMs(); };
  Result<std::vector<ScenarioPhase>> built = BuildScenario(*scenario, options);
  if (!built.ok()) return Status::InvalidArgument(file + ": " + built.status().message());
  const std::vector<ScenarioPhase>& phases = *built;
  size_t total = 0;
  for (const ScenarioPhase& phase : phases) total += phase.transactions.size();
  if (ctx.args().Has("dry_run")) {
    ctx.out() << file << ": " << phases.size() << " phases, " << total << " transactions built and signed\n";
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  size_t unexpected = 0;
  json report = json::array();
  for (size_t p = 0; p < phases.size(); ++p) {
    const ScenarioPhase& phase = phases[p];
    ASSIGN_OR_RETURN(std::vector<json> outcomes, SubmitPhase(*client, phase));
    size_t accepted = 0;
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const ScenarioTx& tx = phase.transactions[i];
      bool was_accepted = outcomes[i].is_object() && outcomes[i].value("accepted", false);
      accepted += was_accepted;
      json line = {{"phase", phase.title},
                   {"name", tx.name},
                   {"type", ledger::TxTypeName(tx.tx.type)},
                   {"sender", tx.tx.sender},
                   {"tx_hash", tx.tx.Hash().ToHex()},
                   {"outcome", outcomes[i]},
                   {"as_expected", was_accepted == tx.expect_accepted}};
      report.push_back(line);
      if (was_accepted != tx.expect_accepted) {
        ++unexpected;
        ctx.err() << "unexpected: " << ledger::TxTypeName(tx.tx.type) << " by " << tx.tx.sender << " ("
                  << (tx.name.empty() ? tx.note : tx.name) << ") was "
                  << (was_accepted ? "accepted" : "rejected")
                  << (outcomes[i].is_object() ? ": " + outcomes[i].value("message", std::string())
                                              : std::string())
                  << "\n";
      }
    }
    if (!ctx.json()) {
      ctx.out() << "phase " << (p + 1) << "/" << phases.size() << " " << phase.title << ": "
                << outcomes.size() << " transactions, " << accepted << " accepted, "
                << (outcomes.size() - accepted) << " rejected (as evidence)\n";
    }
  }
  if (ctx.json()) PrintJson(ctx.out(), json{{"transactions", report}, {"unexpected", unexpected}});
  if (unexpected > 0) {
    return Status::FailedPrecondition(std::to_string(unexpected) + " of " + std::to_string(total) +
                                      " transactions did not end as the scenario expects");
  }
  if (!ctx.json()) ctx.out() << "scenario loaded: " << total << " transactions, every outcome as expected\n";
  return Status::Ok();
}

}  // namespace shulian::cli
