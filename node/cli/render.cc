#include "node/cli/render.h"

#include <cstdio>

#include "ledger/calendar.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

// Unix ms that plausibly name an instant (2001..2286), so counters ending in _ms
// such as durations are not dressed up as dates.
constexpr int64_t kInstantMsMin = 1'000'000'000'000;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool IsScalarList(const json& value) {
  if (!value.is_array()) return false;
  for (const json& item : value) {
    if (item.is_object() || item.is_array()) return false;
  }
  return true;
}

std::string ValueText(std::string_view key, const json& value) {
  std::string text = ScalarText(value);
  if (EndsWith(key, "_ms") && value.is_number_integer() && value.get<int64_t>() >= kInstantMsMin &&
      value.get<int64_t>() <= ledger::kBlockTimeMsMax) {
    text += " (" + FormatCstTime(value.get<int64_t>()) + ")";
  }
  return text;
}

}  // namespace

std::string FormatCstTime(int64_t time_ms) {
  ledger::Date date = ledger::CivilDateOf(time_ms);
  int64_t in_day_ms = (time_ms + ledger::kCstOffsetMs) % ledger::kMillisPerDay;
  int64_t seconds = in_day_ms / 1000;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%s %02d:%02d:%02d CST", date.ToString().c_str(),
                static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60));
  return buffer;
}

void PrintJson(std::ostream& out, const json& value) {
  out << value.dump(2) << "\n";
}

std::string ScalarText(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const json& item : value) {
      if (!out.empty()) out += ", ";
      out += ScalarText(item);
    }
    return out.empty() ? "(none)" : out;
  }
  return value.dump();
}

const json* PickField(const json& object, std::initializer_list<std::string_view> keys) {
  if (!object.is_object()) return nullptr;
  for (std::string_view key : keys) {
    auto it = object.find(std::string(key));
    if (it != object.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

void PrintHuman(std::ostream& out, const json& value, int indent) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (item.is_object() && !item.empty()) {
        out << pad << key << ":\n";
        PrintHuman(out, item, indent + 2);
      } else if (item.is_array() && !IsScalarList(item)) {
        out << pad << key << ": " << item.size() << " item" << (item.size() == 1 ? "" : "s") << "\n";
        PrintHuman(out, item, indent + 2);
      } else {
        out << pad << key << ": " << ValueText(key, item) << "\n";
      }
    }
    return;
  }
  if (value.is_array() && !IsScalarList(value)) {
    for (const json& item : value) {
      if (item.is_object()) {
        out << pad << "-\n";
        PrintHuman(out, item, indent + 2);
      } else {
        out << pad << "- " << ScalarText(item) << "\n";
      }
    }
    return;
  }
  out << pad << ScalarText(value) << "\n";
}

void PrintNodeStatus(std::ostream& out, const json& status) {
  if (!status.is_object()) {
    PrintHuman(out, status);
    return;
  }
  json scalars = status;
  scalars.erase("membership");
  scalars.erase("peers");
  PrintHuman(out, scalars);
  const json membership = status.value("membership", json());
  if (membership.is_object()) {
    for (const char* kind : {"voters", "learners", "removed"})
      out << kind << ": " << ScalarText(membership.value(kind, json::array())) << "\n";
  } else {
    out << "membership: not known yet (no Raft entry applied since the node started)\n";
  }
  const json peers = status.value("peers", json::array());
  if (!peers.is_array()) return;
  out << "peers: " << peers.size() << "\n";
  for (const json& peer : peers) {
    if (!peer.is_object()) continue;
    const json member = peer.value("member", json());
    out << "  " << ScalarText(peer.value("node_id", json())) << " " << ScalarText(peer.value("address", json()))
        << " " << (member.is_string() ? member.get<std::string>() : std::string("not a member")) << ", "
        << (peer.value("connected", false) ? "connected" : "not connected");
    // Only the leader tracks its peers' logs.
    if (peer.value("match_index", json()).is_number()) {
      out << ", match " << ScalarText(peer["match_index"]) << ", lag " << ScalarText(peer.value("lag_entries", json()));
    }
    out << "\n";
  }
}

}  // namespace shulian::cli
