#include "api/metrics_text.h"

#include <cmath>
#include <cstdio>

namespace shulian::api {
namespace {

bool IsNameChar(char c, bool first, bool allow_colon) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
  return letter || (!first && c >= '0' && c <= '9');
}

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kUntyped: return "untyped";
  }
  return "untyped";
}

// HELP text escapes backslash and newline; label values also escape quotes.
std::string Escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quotes && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

bool SampleValid(const MetricFamily& family, const MetricSample& sample) {
  if (!sample.suffix.empty() && !IsValidName(family.name + sample.suffix, true)) return false;
  for (const auto& [name, value] : sample.labels) {
    if (!IsValidLabelName(name)) return false;
  }
  return true;
}

void RenderSample(const MetricFamily& family, const MetricSample& sample, std::string& out) {
  out += family.name;
  out += sample.suffix;
  if (!sample.labels.empty()) {
    out += '{';
    for (size_t i = 0; i < sample.labels.size(); ++i) {
      if (i > 0) out += ',';
      out += sample.labels[i].first;
      out += "=\"";
      out += Escape(sample.labels[i].second, true);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += FormatValue(sample.value);
  out += '\n';
}

}  // namespace

bool IsValidMetricName(std::string_view name) { return IsValidName(name, true); }
bool IsValidLabelName(std::string_view name) { return IsValidName(name, false); }

std::string RenderPrometheusText(const std::vector<MetricFamily>& families) {
  std::string out;
  uint64_t dropped = 0;
  for (const MetricFamily& family : families) {
    if (!IsValidMetricName(family.name)) {
      dropped += 1;
      continue;
    }
    out += "# HELP " + family.name + " " + Escape(family.help, false) + "\n";
    out += "# TYPE " + family.name + " " + std::string(TypeName(family.type)) + "\n";
    for (const MetricSample& sample : family.samples) {
      if (!SampleValid(family, sample)) {
        dropped += 1;
        continue;
      }
      RenderSample(family, sample, out);
    }
  }
  out += "# HELP shulian_api_metrics_dropped_total Metric families or samples skipped for invalid names.\n";
  out += "# TYPE shulian_api_metrics_dropped_total gauge\n";
  out += "shulian_api_metrics_dropped_total " + std::to_string(dropped) + "\n";
  return out;
}

}  // namespace shulian::api
