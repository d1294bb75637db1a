// Output of `shulian`: JSON for machines (--json: the server's answer, pretty-
// printed, unchanged) and a plain human form for people: "key: value" lines,
// nested objects indented, lists of objects as "-" blocks, and every *_ms time
// also shown as a China Standard Time date.
//
// Thread-safety: pure functions writing to the given stream.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

namespace shulian::cli {

// "2026-03-02 09:30:00 CST" for a Unix-ms instant.
std::string FormatCstTime(int64_t time_ms);

void PrintJson(std::ostream& out, const nlohmann::json& value);
void PrintHuman(std::ostream& out, const nlohmann::json& value, int indent = 0);
// `shulian status`: the node's scalar fields as PrintHuman does, then its Raft
// membership (voters, learners, removed) and one line per peer (member kind,
// connection, and on the leader its match index and lag).
void PrintNodeStatus(std::ostream& out, const nlohmann::json& status);

// The first of `keys` that `object` holds as a non-null value, or null.
const nlohmann::json* PickField(const nlohmann::json& object, std::initializer_list<std::string_view> keys);
// A scalar as text: strings unquoted, lists comma-joined, null as "-".
std::string ScalarText(const nlohmann::json& value);

}  // namespace shulian::cli
