// Command-line parsing for `shulian`: positionals and --options.
//
// Rules: `--name value` and `--name=value`; an option followed by nothing or by
// another option, or named in `boolean_options`, has the empty value (present, no
// value); `--` ends options. Option names are normalised so that `--asset-id` and
// `--asset_id` are the same option ("asset_id"); an option may repeat, and every
// value is kept in order.
//
// Thread-safety: values.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shulian::cli {

class ParsedArgs {
 public:
  std::vector<std::string> positionals;

  bool Has(std::string_view name) const;
  // The last value given; nullopt when the option is absent.
  std::optional<std::string> Get(std::string_view name) const;
  std::vector<std::string> GetAll(std::string_view name) const;
  // Options in name order.
  const std::map<std::string, std::vector<std::string>>& options() const { return options_; }

  void Add(std::string name, std::string value);
  void Erase(std::string_view name);

 private:
  std::map<std::string, std::vector<std::string>> options_;
};

// "asset-id" -> "asset_id".
std::string NormaliseOptionName(std::string_view name);
// "asset_id" -> "--asset-id", for messages.
std::string OptionForDisplay(std::string_view name);

// InvalidArgument for an empty option name ("--=x").
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::set<std::string>& boolean_options);

// InvalidArgument naming the first option not in `allowed` (normalised names).
Status RequireKnownOptions(const ParsedArgs& args, const std::set<std::string>& allowed);
// The value of a required option, or InvalidArgument "missing --name".
Result<std::string> RequireOption(const ParsedArgs& args, std::string_view name);

// Strict unsigned decimal: digits only, no sign, fits in u64.
Result<uint64_t> ParseUnsigned(std::string_view what, std::string_view text);
// Times for --from/--to: Unix milliseconds, or a CST date "YYYY-MM-DD" (its start,
// or with `end_of_day` the instant the day ends), or "YYYY-MM-DDTHH:MM" in CST.
Result<int64_t> ParseTimeMs(std::string_view what, std::string_view text, bool end_of_day);

}  // namespace shulian::cli
