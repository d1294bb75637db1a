#include "node/cli/args.h"

#include <algorithm>
#include <limits>

#include "ledger/calendar.h"

namespace shulian::cli {

bool ParsedArgs::Has(std::string_view name) const {
  return options_.count(NormaliseOptionName(name)) != 0;
}

std::optional<std::string> ParsedArgs::Get(std::string_view name) const {
  auto it = options_.find(NormaliseOptionName(name));
  if (it == options_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::GetAll(std::string_view name) const {
  auto it = options_.find(NormaliseOptionName(name));
  return it == options_.end() ? std::vector<std::string>{} : it->second;
}

void ParsedArgs::Add(std::string name, std::string value) {
  options_[NormaliseOptionName(name)].push_back(std::move(value));
}

void ParsedArgs::Erase(std::string_view name) {
  options_.erase(NormaliseOptionName(name));
}

std::string NormaliseOptionName(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string OptionForDisplay(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return "--" + out;
}

namespace {

bool IsOption(std::string_view arg) {
  return arg.size() > 2 && arg.substr(0, 2) == "--";
}

}  // namespace

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::set<std::string>& boolean_options) {
  ParsedArgs parsed;
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || !IsOption(arg)) {
      if (!options_ended && arg == "--") {
        options_ended = true;
        continue;
      }
      parsed.positionals.push_back(arg);
      continue;
    }
    std::string_view body = std::string_view(arg).substr(2);
    size_t equals = body.find('=');
    std::string name = NormaliseOptionName(body.substr(0, equals));
    if (name.empty()) return Status::InvalidArgument("'" + arg + "': empty option name");
    if (equals != std::string_view::npos) {
      parsed.Add(name, std::string(body.substr(equals + 1)));
      continue;
    }
    bool takes_value = boolean_options.count(name) == 0 && i + 1 < args.size() && !IsOption(args[i + 1]) &&
                       args[i + 1] != "--";
    parsed.Add(name, takes_value ? args[++i] : std::string());
  }
  return parsed;
}

Status RequireKnownOptions(const ParsedArgs& args, const std::set<std::string>& allowed) {
  for (const auto& [name, values] : args.options()) {
    if (allowed.count(name) == 0) return Status::InvalidArgument("unknown option " + OptionForDisplay(name));
  }
  return Status::Ok();
}

Result<std::string> RequireOption(const ParsedArgs& args, std::string_view name) {
  std::optional<std::string> value = args.Get(name);
  if (!value || value->empty())
    return Status::InvalidArgument("missing " + OptionForDisplay(NormaliseOptionName(name)));
  return *value;
}

Result<uint64_t> ParseUnsigned(std::string_view what, std::string_view text) {
  if (text.empty() || text.size() > 20)
    return Status::InvalidArgument(std::string(what) + ": expected a number, got '" + std::string(text) +
                                   "'");
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument(std::string(what) + ": expected a number, got '" + std::string(text) +
                                     "'");
    }
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return Status::InvalidArgument(std::string(what) + ": " + std::string(text) + " is too large");
    }
    value = value * 10 + digit;
  }
  return value;
}

Result<int64_t> ParseTimeMs(std::string_view what, std::string_view text, bool end_of_day) {
  const std::string error = std::string(what) +
                            ": expected Unix milliseconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM (CST), got '" +
                            std::string(text) + "'";
  if (text.size() == 10 || text.size() == 16) {
    Result<ledger::Date> date = ledger::Date::Parse(text.substr(0, 10));
    if (!date.ok()) return Status::InvalidArgument(error);
    if (text.size() == 10) {
      return end_of_day ? ledger::EndOfDayMs(*date) : ledger::EndOfDayMs(*date) - ledger::kMillisPerDay;
    }
    if (text[10] != 'T' || text[13] != ':') return Status::InvalidArgument(error);
    Result<uint64_t> hours = ParseUnsigned(what, text.substr(11, 2));
    Result<uint64_t> minutes = ParseUnsigned(what, text.substr(14, 2));
    if (!hours.ok() || !minutes.ok() || *hours > 23 || *minutes > 59) return Status::InvalidArgument(error);
    int64_t start = ledger::EndOfDayMs(*date) - ledger::kMillisPerDay;
    return start + static_cast<int64_t>(*hours) * 3'600'000 + static_cast<int64_t>(*minutes) * 60'000;
  }
  Result<uint64_t> ms = ParseUnsigned(what, text);
  if (!ms.ok() || *ms > static_cast<uint64_t>(ledger::kBlockTimeMsMax)) return Status::InvalidArgument(error);
  return static_cast<int64_t>(*ms);
}

}  // namespace shulian::cli
