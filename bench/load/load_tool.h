// `shulian-load`: drives a running Shulian network, or an etcd cluster, with
// pre-signed transactions over C keep-alive connections and reports committed
// transactions per second, latency percentiles, errors by code and each watched
// process's peak memory (docs/benchmarks.md).
//
//   shulian-load shulian --network DIR [--servers URL,...] [common flags]
//   shulian-load etcd [--endpoints URL,...] [--network-id ID] [common flags]
//
// Shulian mode reads DIR as `shulian network init` writes it (accounts.json with
// the operator's key, node-<id>.json with the API addresses), runs the untimed
// setup (bench/load/workload.h) through the API, then times the mix. etcd mode
// generates the same transactions and PUTs their encoded bytes through etcd's
// JSON gateway, so both systems carry values of the same sizes.
//
// Exit codes: 0 the run completed (its errors, if any, are in the report);
// 1 it could not run (unreachable, no leader, setup rejected); 2 bad usage.
//
// Thread-safety: RunLoadTool runs one tool invocation; it starts and joins its
// own threads.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace shulian::load {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

int RunLoadTool(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace shulian::load
