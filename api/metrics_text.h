// Renders metric families in the Prometheus text exposition format (version
// 0.0.4): "# HELP", "# TYPE", then one line per sample with escaped label values.
// The node supplies the values (NodeService::Metrics); this file only formats.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/service.h"

namespace shulian::api {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// True iff `name` matches [a-zA-Z_:][a-zA-Z0-9_:]* (label names: no ':').
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

// Families or samples with invalid names are skipped (and counted in
// shulian_api_metrics_dropped_total) rather than breaking the whole page.
std::string RenderPrometheusText(const std::vector<MetricFamily>& families);

}  // namespace shulian::api
