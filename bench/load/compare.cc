#include "bench/load/compare.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace shulian::load {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t kReportBytesMax = 1u << 20;

Result<json> ReadReport(const fs::path& path) {
  std::ifstream file(path);
  if (!file) return Status::NotFound(path.string() + ": cannot open");
  std::string text(kReportBytesMax + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  if (text.size() > kReportBytesMax) return Status::InvalidArgument(path.string() + ": larger than 1 MiB");
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("committed_per_s") ||
      !parsed.contains("latency_ms")) {
    return Status::InvalidArgument(path.string() + ": not a report of shulian-load --json");
  }
  return parsed;
}

std::string Fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

double Rate(const json& report) { return report.is_object() ? report["committed_per_s"].get<double>() : 0; }
double Latency(const json& report, const char* name) {
  return report.is_object() ? report["latency_ms"][name].get<double>() : 0;
}
uint64_t Errors(const json& report) { return report.is_object() ? report.value("error_count", uint64_t{0}) : 0; }

// Largest peak and current RSS over the report's processes, in KiB.
std::pair<uint64_t, uint64_t> MaxMemory(const json& report) {
  uint64_t hwm = 0, rss = 0;
  if (!report.is_object() || !report.contains("processes")) return {0, 0};
  for (const json& p : report["processes"]) {
    hwm = std::max(hwm, p.value("vm_hwm_kib", uint64_t{0}));
    rss = std::max(rss, p.value("vm_rss_kib", uint64_t{0}));
  }
  return {hwm, rss};
}

// Server CPU per committed write; reports from before the tool measured it have none.
std::string CpuPerWrite(const json& report) {
  if (!report.is_object() || !report.contains("server_cpu_us_per_tx")) return "–";
  const double micros = report["server_cpu_us_per_tx"].get<double>();
  return micros > 0 ? Fixed(micros, 0) : "–";
}

std::string Mib(uint64_t kib) { return kib == 0 ? "–" : Fixed(static_cast<double>(kib) / 1024.0, 0); }
std::string Cell(const json& report, double value, int digits) { return report.is_object() ? Fixed(value, digits) : "–"; }
std::string Ratio(double a, double b) { return a > 0 && b > 0 ? Fixed(a / b, 2) + "×" : "–"; }

// The long run's own figures: the rate once the database holds a million more
// transactions is what a network settles at, not what a fresh one reaches.
std::string MillionLine(const json& million) {
  return "Long run, Shulian only: " + std::to_string(million.value("committed", uint64_t{0})) +
         " transactions at concurrency " + std::to_string(million.value("concurrency", 0)) + ": " +
         Fixed(Rate(million), 0) + " tx/s, p50 / p99 " + Fixed(Latency(million, "p50"), 2) + " / " +
         Fixed(Latency(million, "p99"), 2) + " ms, server CPU per write " + CpuPerWrite(million) + " µs\n";
}

std::string Verdict(bool measured, bool met) { return !measured ? "not measured" : met ? "met" : "NOT met"; }

}  // namespace

Result<Comparison> LoadComparison(const std::string& dir) {
  std::map<uint32_t, ComparisonRow> rows;
  std::error_code error;
  const std::regex name(R"((shulian|etcd)-c([0-9]{1,4})\.json)");
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    std::smatch match;
    const std::string file = entry.path().filename().string();
    if (!std::regex_match(file, match, name)) continue;
    ASSIGN_OR_RETURN(json report, ReadReport(entry.path()));
    const auto concurrency = static_cast<uint32_t>(std::stoul(match[2].str()));
    ComparisonRow& row = rows[concurrency];
    row.concurrency = concurrency;
    (match[1].str() == "shulian" ? row.shulian : row.etcd) = std::move(report);
  }
  if (error) return Status::InvalidArgument(dir + ": " + error.message());
  if (rows.empty()) return Status::NotFound(dir + ": no shulian-c<C>.json or etcd-c<C>.json reports");
  Comparison comparison;
  for (auto& [concurrency, row] : rows) comparison.rows.push_back(std::move(row));
  if (fs::exists(fs::path(dir) / "million.json")) {
    ASSIGN_OR_RETURN(comparison.million, ReadReport(fs::path(dir) / "million.json"));
  }
  return comparison;
}

std::string ComparisonToText(const Comparison& comparison) {
  std::string out =
      "| conc. | Shulian tx/s | etcd puts/s | ratio | Shulian p50 / p95 / p99 / max ms "
      "| etcd p50 / p95 / p99 / max ms | p99 ratio | errors S / E | peak RSS per node S / E MiB "
      "| server CPU per write S / E µs |\n"
      "|---:|---:|---:|---:|---|---|---:|---|---|---|\n";
  for (const ComparisonRow& row : comparison.rows) {
    const json& s = row.shulian;
    const json& e = row.etcd;
    auto latencies = [](const json& r) {
      if (!r.is_object()) return std::string("–");
      return Fixed(Latency(r, "p50"), 2) + " / " + Fixed(Latency(r, "p95"), 2) + " / " + Fixed(Latency(r, "p99"), 2) +
             " / " + Fixed(Latency(r, "max"), 1);
    };
    out += "| " + std::to_string(row.concurrency) + " | " + Cell(s, Rate(s), 0) + " | " +
           Cell(e, Rate(e), 0) + " | " + Ratio(Rate(s), Rate(e)) + " | " + latencies(s) + " | " +
           latencies(e) + " | " + Ratio(Latency(s, "p99"), Latency(e, "p99")) + " | " +
           std::to_string(Errors(s)) + " / " + std::to_string(Errors(e)) + " | " + Mib(MaxMemory(s).first) +
           " / " + Mib(MaxMemory(e).first) + " | " + CpuPerWrite(s) + " / " + CpuPerWrite(e) + " |\n";
  }
  if (comparison.million.is_object()) out += "\n" + MillionLine(comparison.million);
  out += "\nTargets (issue #7):\n";
  for (uint32_t concurrency : {64u, 256u}) {
    const ComparisonRow* row = nullptr;
    for (const ComparisonRow& r : comparison.rows) {
      if (r.concurrency == concurrency) row = &r;
    }
    const bool measured = row != nullptr && row->shulian.is_object() && row->etcd.is_object();
    const double ratio = measured && Rate(row->etcd) > 0 ? Rate(row->shulian) / Rate(row->etcd) : 0;
    const bool p99_ok = measured && Latency(row->shulian, "p99") <= Latency(row->etcd, "p99");
    out += "  concurrency " + std::to_string(concurrency) + ": >= " + Fixed(kThroughputRatioMin, 0) +
           "x etcd's writes/s (" + (measured ? Fixed(ratio, 2) + "x" : "–") +
           ") and p99 not higher (" + (measured ? Fixed(Latency(row->shulian, "p99"), 1) + " vs " +
                                                      Fixed(Latency(row->etcd, "p99"), 1) + " ms"
                                                : "–") +
           "): " + Verdict(measured, ratio >= kThroughputRatioMin && p99_ok) + "\n";
  }
  const ComparisonRow* serial = nullptr;
  for (const ComparisonRow& r : comparison.rows) {
    if (r.concurrency == 1) serial = &r;
  }
  const bool serial_measured = serial != nullptr && serial->shulian.is_object();
  const double p50 = serial_measured ? Latency(serial->shulian, "p50") : 0;
  out += "  concurrency 1: median commit latency <= " + Fixed(kSerialP50MsMax, 0) + " ms (" +
         (serial_measured ? Fixed(p50, 2) + " ms" : "–") + "): " + Verdict(serial_measured, p50 <= kSerialP50MsMax) +
         "\n";
  const json& million = comparison.million;
  const bool million_measured =
      million.is_object() && million.value("committed", uint64_t{0}) >= kMillionTransactions;
  const auto [hwm, rss] = MaxMemory(million);
  out += "  RSS per node <= " + Mib(kRssKibMax) + " MiB after 1,000,000 transactions (" +
         (million_measured ? "largest RSS " + Mib(rss) + " MiB, peak " + Mib(hwm) + " MiB"
          : million.is_object() ? "only " + std::to_string(million.value("committed", uint64_t{0})) + " committed"
                                : std::string("run with --million")) +
         "): " + Verdict(million_measured, rss <= kRssKibMax && rss > 0) + "\n";
  return out;
}

}  // namespace shulian::load
