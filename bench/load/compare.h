// `shulian-load compare DIR`: one table of Shulian's and etcd's figures side by
// side, with ratios, from the JSON reports a run of scripts/bench-vs-etcd.sh left
// in DIR (shulian-c<C>.json, etcd-c<C>.json, and million.json when the 1,000,000
// transaction run was made), and whether each target of issue #7 is met.
//
// Thread-safety: pure functions (LoadComparison reads files).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace shulian::load {

// The targets, named so the text and the checks cannot drift apart.
inline constexpr double kThroughputRatioMin = 2.0;  // Shulian tx/s over etcd puts/s at 64 and 256
inline constexpr double kSerialP50MsMax = 2.0;      // Shulian median latency at concurrency 1
inline constexpr uint64_t kRssKibMax = 256 * 1024;  // each node after 1,000,000 transactions
inline constexpr uint64_t kMillionTransactions = 1'000'000;

struct ComparisonRow {
  uint32_t concurrency = 0;
  nlohmann::json shulian;  // a report (report.h), or null when missing
  nlohmann::json etcd;
};

struct Comparison {
  std::vector<ComparisonRow> rows;  // by concurrency
  nlohmann::json million;           // null when not run
};

// Reads every shulian-c<C>.json / etcd-c<C>.json pair in `dir`.
Result<Comparison> LoadComparison(const std::string& dir);

// Markdown table (with each system's server CPU per write where the reports
// carry it), then one line per target: "met", "NOT met" or "not measured".
std::string ComparisonToText(const Comparison& comparison);

}  // namespace shulian::load
