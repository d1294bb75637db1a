// Reads: status, blocks, every state-machine query, and the supervisors' traces.
//
// The server names each query's parameters (GET /v1/queries); each CLI option
// lists the parameter names it may stand for ("--asset" -> asset_id or asset), and
// the first one the server's query takes is used, so the CLI follows the node's
// naming instead of guessing one spelling.
#include <map>

#include "node/cli/commands.h"
#include "node/cli/render.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

// --all follows next_cursor for at most this many pages.
constexpr size_t kAllPagesMax = 200;

struct ParamSpec {
  std::string_view option;
  std::vector<std::string_view> names;
};

const ParamSpec kAsset = {"asset", {"asset_id", "asset"}};
const ParamSpec kAccount = {"user", {"account_id", "account", "user_id", "user"}};
const ParamSpec kUser = {"user", {"user_id", "user", "account_id", "account"}};
const ParamSpec kAuthority = {"authority", {"authority_id", "authority"}};
const ParamSpec kStatusParam = {"status", {"status"}};
const ParamSpec kFrom = {"from", {"from_ms", "from"}};
const ParamSpec kTo = {"to", {"to_ms", "to"}};

std::vector<std::string> ParamNames(const json& info) {
  std::vector<std::string> names;
  for (const char* list : {"required_params", "optional_params"}) {
    for (const json& name : info.value(list, json::array())) names.push_back(name.get<std::string>());
  }
  return names;
}

// The server's parameter name for `spec` in query `info`.
Result<std::string> ServerParam(const json& info, const ParamSpec& spec, std::string_view shown_option) {
  std::vector<std::string> names = ParamNames(info);
  for (std::string_view candidate : spec.names) {
    if (std::find(names.begin(), names.end(), candidate) != names.end()) return std::string(candidate);
  }
  std::string offered;
  for (const std::string& name : names) offered += (offered.empty() ? "" : ", ") + name;
  return Status::InvalidArgument("query '" + info.value("name", "") + "' has no parameter for " +
                                 std::string(shown_option) +
                                 " (it takes: " + (offered.empty() ? "none" : offered) + ")");
}

using GivenParams = std::vector<std::pair<const ParamSpec*, std::string>>;

// Adds the time range options, converted to Unix ms.
Status AddTimeRange(const Context& ctx, GivenParams& given) {
  if (std::optional<std::string> from = ctx.args().Get("from")) {
    ASSIGN_OR_RETURN(int64_t ms, ParseTimeMs("--from", *from, false));
    given.emplace_back(&kFrom, std::to_string(ms));
  }
  if (std::optional<std::string> to = ctx.args().Get("to")) {
    ASSIGN_OR_RETURN(int64_t ms, ParseTimeMs("--to", *to, true));
    given.emplace_back(&kTo, std::to_string(ms));
  }
  return Status::Ok();
}

Result<api::PageRequest> PageFromArgs(const Context& ctx) {
  api::PageRequest page;
  page.consistency = ctx.Consistency();
  page.cursor = ctx.args().Get("cursor").value_or("");
  if (std::optional<std::string> limit = ctx.args().Get("limit")) {
    ASSIGN_OR_RETURN(uint64_t parsed, ParseUnsigned("--limit", *limit));
    if (parsed == 0 || parsed > 0xFFFFFFFFull) return Status::InvalidArgument("--limit: at least 1");
    page.limit = static_cast<uint32_t>(parsed);
  }
  return page;
}

// Runs a query; with `all` (or --all) follows the cursor and concatenates the pages.
Result<json> FetchQuery(Context& ctx, std::string_view name, const GivenParams& given, bool all) {
  ASSIGN_OR_RETURN(json info, ctx.QueryInfo(name));
  std::map<std::string, std::string> params;
  for (const auto& [spec, value] : given) {
    ASSIGN_OR_RETURN(std::string param, ServerParam(info, *spec, OptionForDisplay(spec->option)));
    params[param] = value;
  }
  ASSIGN_OR_RETURN(api::PageRequest page, PageFromArgs(ctx));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json answer, client->Query(name, params, page));
  if (!all || !answer.value("result", json()).is_array()) return answer;
  for (size_t pages = 1; pages < kAllPagesMax && answer.value("next_cursor", json()).is_string(); ++pages) {
    page.cursor = answer["next_cursor"].get<std::string>();
    ASSIGN_OR_RETURN(json next, client->Query(name, params, page));
    for (json& item : next["result"]) answer["result"].push_back(std::move(item));
    answer["next_cursor"] = next.value("next_cursor", json());
  }
  return answer;
}

void PrintAnswer(Context& ctx, const json& answer) {
  if (ctx.json()) {
    PrintJson(ctx.out(), answer);
    return;
  }
  const json result = answer.value("result", json());
  if (result.is_array()) {
    ctx.out() << result.size() << (result.size() == 1 ? " item" : " items") << "\n";
    PrintHuman(ctx.out(), result);
  } else {
    PrintHuman(ctx.out(), result);
  }
  if (answer.value("next_cursor", json()).is_string()) {
    ctx.out() << "more: add --cursor " << answer["next_cursor"].get<std::string>() << " (or --all)\n";
  }
}

Status RunAndPrint(Context& ctx, std::string_view name, const GivenParams& given) {
  ASSIGN_OR_RETURN(json answer, FetchQuery(ctx, name, given, ctx.args().Has("all")));
  PrintAnswer(ctx, answer);
  return Status::Ok();
}

Result<std::string> OnePositional(const Context& ctx, std::string_view usage) {
  if (ctx.args().positionals.size() != 1)
    return Status::InvalidArgument("usage: shulian " + std::string(usage));
  return ctx.args().positionals.front();
}

Status NoPositionals(const Context& ctx) {
  if (!ctx.args().positionals.empty()) {
    return Status::InvalidArgument("unexpected argument '" + ctx.args().positionals.front() + "'");
  }
  return Status::Ok();
}

void AddIfGiven(const Context& ctx, std::string_view option, const ParamSpec& spec, GivenParams& given) {
  if (std::optional<std::string> value = ctx.args().Get(option)) given.emplace_back(&spec, *value);
}

// Fetches every page of a list query, for the traces.
Result<json> FetchAll(Context& ctx, std::string_view name, const GivenParams& given) {
  ASSIGN_OR_RETURN(json answer, FetchQuery(ctx, name, given, true));
  return answer.value("result", json::array());
}

std::string Field(const json& object, std::initializer_list<std::string_view> keys) {
  const json* value = PickField(object, keys);
  return value == nullptr ? "-" : ScalarText(*value);
}

std::string TimeField(const json& object, std::initializer_list<std::string_view> keys) {
  const json* value = PickField(object, keys);
  if (value == nullptr || !value->is_number_integer()) return "-";
  return FormatCstTime(value->get<int64_t>());
}

}  // namespace

Status RunStatus(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json status, client->GetStatus());
  if (ctx.json()) {
    PrintJson(ctx.out(), status);
  } else {
    PrintNodeStatus(ctx.out(), status);
  }
  return Status::Ok();
}

Status RunLeaderTransfer(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string to_text, RequireOption(ctx.args(), "to"));
  ASSIGN_OR_RETURN(uint64_t to, ParseUnsigned("--to", to_text));
  std::optional<uint64_t> timeout_ms;
  if (std::optional<std::string> value = ctx.args().Get("timeout_ms")) {
    ASSIGN_OR_RETURN(timeout_ms, ParseUnsigned("--timeout-ms", *value));
  }
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json status, client->TransferLeadership(to, timeout_ms));
  if (ctx.json()) {
    PrintJson(ctx.out(), status);
  } else {
    ctx.out() << "node " << to << " now leads (term " << status.value("term", 0) << ")\n";
  }
  return Status::Ok();
}

Status RunBackup(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string out, RequireOption(ctx.args(), "out"));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json manifest, client->Backup(out));
  if (ctx.json()) {
    PrintJson(ctx.out(), manifest);
  } else {
    ctx.out() << "backup of node " << manifest.value("node_id", 0) << " written to " << out << ": height "
              << manifest.value("height", 0) << ", applied index " << manifest.value("applied_index", 0)
              << ", " << manifest.value("files", json::array()).size() << " files, "
              << manifest.value("key_value_bytes", 0) << " bytes of keys and values\n";
  }
  return Status::Ok();
}

Status RunConfig(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(const Settings* s, ctx.GetSettings());
  json shown = {{"server", s->server},
                {"server_from", s->server_source},
                {"key", s->key_file ? json(*s->key_file) : json()},
                {"key_from", s->key_source.empty() ? json() : json(s->key_source)},
                {"account", s->account ? json(*s->account) : json()},
                {"account_from", s->account_source.empty() ? json() : json(s->account_source)},
                {"network", s->network_id ? json(*s->network_id) : json()},
                {"ca_file", s->ca_file ? json(*s->ca_file) : json()},
                {"ca_file_from", s->ca_file_source.empty() ? json() : json(s->ca_file_source)},
                {"cert_sha256", s->cert_sha256 ? json(*s->cert_sha256) : json()},
                {"cert_sha256_from", s->cert_sha256_source.empty() ? json() : json(s->cert_sha256_source)},
                {"config_file", s->config_file.empty() ? json() : json(s->config_file)}};
  if (ctx.json()) {
    PrintJson(ctx.out(), shown);
  } else {
    PrintHuman(ctx.out(), shown);
  }
  return Status::Ok();
}

Status RunBlock(Context& ctx) {
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  Result<json> block = Status::InvalidArgument("usage: shulian block HEIGHT | --hash HASH");
  if (std::optional<std::string> hash = ctx.args().Get("hash")) {
    RETURN_IF_ERROR(NoPositionals(ctx));
    block = client->GetBlockByHash(*hash, ctx.Consistency());
  } else if (ctx.args().positionals.size() == 1) {
    ASSIGN_OR_RETURN(uint64_t height, ParseUnsigned("HEIGHT", ctx.args().positionals.front()));
    block = client->GetBlock(height, ctx.Consistency());
  }
  if (!block.ok()) return block.status();
  if (ctx.json()) {
    PrintJson(ctx.out(), *block);
    return Status::Ok();
  }
  json header = block->value("header", json::object());
  ctx.out() << "block " << ScalarText(header.value("height", json())) << " " << block->value("hash", "")
            << "\n";
  PrintHuman(ctx.out(), header, 2);
  json outcomes = block->value("outcomes", json::array());
  json txs = block->value("transactions", json::array());
  ctx.out() << txs.size() << " transactions\n";
  for (size_t i = 0; i < txs.size(); ++i) {
    const json& tx = txs[i];
    std::string verdict = i < outcomes.size() ? (outcomes[i].value("accepted", false)
                                                     ? "accepted"
                                                     : "REJECTED " + outcomes[i].value("code_name", ""))
                                              : "";
    ctx.out() << "  " << i << " " << tx.value("type", "") << " by " << tx.value("sender", "") << " "
              << tx.value("hash", "") << " " << verdict << "\n";
  }
  return Status::Ok();
}

Status RunQueries(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json list, client->ListQueries());
  if (ctx.json()) {
    PrintJson(ctx.out(), list);
    return Status::Ok();
  }
  for (const json& info : list.value("queries", json::array())) {
    ctx.out() << info.value("name", "") << (info.value("public", false) ? " (public)" : "") << ": "
              << info.value("description", "")
              << "\n    required: " << ScalarText(info.value("required_params", json()))
              << "; optional: " << ScalarText(info.value("optional_params", json())) << "\n";
  }
  return Status::Ok();
}

Status RunQuery(Context& ctx) {
  if (ctx.args().positionals.empty())
    return Status::InvalidArgument("usage: shulian query NAME [PARAM=VALUE ...]");
  const std::string name = ctx.args().positionals.front();
  std::map<std::string, std::string> params;
  for (size_t i = 1; i < ctx.args().positionals.size(); ++i) {
    const std::string& pair = ctx.args().positionals[i];
    size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::InvalidArgument("'" + pair + "': expected PARAM=VALUE");
    }
    params[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  ASSIGN_OR_RETURN(api::PageRequest page, PageFromArgs(ctx));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json answer, client->Query(name, params, page));
  PrintAnswer(ctx, answer);
  return Status::Ok();
}

Status RunAssetShow(Context& ctx) {
  ASSIGN_OR_RETURN(std::string id, OnePositional(ctx, "asset show ASSET_ID"));
  return RunAndPrint(ctx, "asset", {{&kAsset, id}});
}

Status RunAssetHistory(Context& ctx) {
  ASSIGN_OR_RETURN(std::string id, OnePositional(ctx, "asset history ASSET_ID"));
  return RunAndPrint(ctx, "asset_history", {{&kAsset, id}});
}

Status RunAccessList(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  int chosen = ctx.args().Has("asset") + ctx.args().Has("user") + ctx.args().Has("authority");
  if (chosen != 1)
    return Status::InvalidArgument("access list needs exactly one of --asset, --user, --authority");
  GivenParams given;
  std::string name;
  if (std::optional<std::string> asset = ctx.args().Get("asset")) {
    name = "access_by_asset";
    given.emplace_back(&kAsset, *asset);
  } else if (std::optional<std::string> account = ctx.args().Get("user")) {
    name = "access_by_account";
    given.emplace_back(&kAccount, *account);
  } else {
    name = "access_by_authority";
    given.emplace_back(&kAuthority, ctx.args().Get("authority").value_or(""));
  }
  RETURN_IF_ERROR(AddTimeRange(ctx, given));
  return RunAndPrint(ctx, name, given);
}

Status RunGrants(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  if (ctx.args().Has("asset") == ctx.args().Has("user")) {
    return Status::InvalidArgument("grants needs exactly one of --asset, --user");
  }
  if (std::optional<std::string> asset = ctx.args().Get("asset"))
    return RunAndPrint(ctx, "grants_by_asset", {{&kAsset, *asset}});
  return RunAndPrint(ctx, "grants_by_user", {{&kUser, ctx.args().Get("user").value_or("")}});
}

// Without --authority the list commands ask the court-wide variant (every
// authority), which only courts, arbitrators, auditors and operators may read.
std::string PerAuthorityOrAll(const Context& ctx, const std::string& per_authority, const std::string& all) {
  return ctx.args().Has("authority") ? per_authority : all;
}

Status RunRequests(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string status, RequireOption(ctx.args(), "status"));
  GivenParams given = {{&kStatusParam, status}};
  AddIfGiven(ctx, "authority", kAuthority, given);
  return RunAndPrint(ctx, PerAuthorityOrAll(ctx, "requests_by_status", "requests_by_status_all"), given);
}

Status RunObjections(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string status, RequireOption(ctx.args(), "status"));
  GivenParams given = {{&kStatusParam, status}};
  AddIfGiven(ctx, "authority", kAuthority, given);
  return RunAndPrint(ctx, PerAuthorityOrAll(ctx, "objections_by_status", "objections_by_status_all"), given);
}

Status RunOverdue(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  GivenParams given;
  AddIfGiven(ctx, "authority", kAuthority, given);
  return RunAndPrint(ctx, PerAuthorityOrAll(ctx, "overdue", "overdue_all"), given);
}

Status RunViolations(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  GivenParams given;
  AddIfGiven(ctx, "authority", kAuthority, given);
  RETURN_IF_ERROR(AddTimeRange(ctx, given));
  return RunAndPrint(ctx, PerAuthorityOrAll(ctx, "violations", "violations_all"), given);
}

Status RunSummary(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  GivenParams given;
  AddIfGiven(ctx, "authority", kAuthority, given);
  return RunAndPrint(ctx, "supervisor_summary", given);
}

Status RunCatalog(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(api::PageRequest page, PageFromArgs(ctx));
  ASSIGN_OR_RETURN(api::ApiClient * client, ctx.Client());
  ASSIGN_OR_RETURN(json answer, client->Catalog(page));
  PrintAnswer(ctx, answer);
  return Status::Ok();
}

// Who accessed an asset in a time range, and under which grant.
Status RunTraceAccess(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string asset, RequireOption(ctx.args(), "asset"));
  GivenParams given = {{&kAsset, asset}};
  RETURN_IF_ERROR(AddTimeRange(ctx, given));
  ASSIGN_OR_RETURN(json accesses, FetchAll(ctx, "access_by_asset", given));
  ASSIGN_OR_RETURN(json grants, FetchAll(ctx, "grants_by_asset", {{&kAsset, asset}}));
  std::map<std::string, json> grant_by_id;
  for (const json& grant : grants) grant_by_id[Field(grant, {"grant_id", "id", "request_id"})] = grant;
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"asset", asset}, {"accesses", accesses}, {"grants", grants}});
    return Status::Ok();
  }
  ctx.out() << "asset " << asset << ": " << accesses.size() << " accesses, " << grants.size() << " grants\n";
  for (const json& access : accesses) {
    std::string grant_id = Field(access, {"grant_id", "grant"});
    ctx.out() << TimeField(access, {"time_ms", "block_time_ms", "recorded_ms", "at_ms"}) << "  "
              << Field(access, {"accessor", "account", "account_id", "sender"}) << "  grant " << grant_id;
    if (auto it = grant_by_id.find(grant_id); it != grant_by_id.end()) {
      ctx.out() << " (" << Field(it->second, {"status"}) << " until "
                << TimeField(it->second, {"expiry_ms", "expires_ms"})
                << "; granted fields: " << Field(it->second, {"fields"})
                << "; scenario: " << Field(it->second, {"business_scenario"}) << ")";
    }
    ctx.out() << "\n    purpose: " << Field(access, {"purpose"})
              << "; scenario: " << Field(access, {"business_scenario"})
              << "; fields used: " << Field(access, {"fields", "fields_used"})
              << "; rows: " << Field(access, {"row_count"}) << "; mode: " << Field(access, {"mode"}) << "\n";
    const json* violations = PickField(access, {"violations"});
    if (violations != nullptr && !violations->empty())
      ctx.out() << "    VIOLATION: " << ScalarText(*violations) << "\n";
  }
  return Status::Ok();
}

// Who missed deadlines: overdue items and the summary of one authority.
Status RunTraceDeadlines(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  ASSIGN_OR_RETURN(std::string authority, RequireOption(ctx.args(), "authority"));
  ASSIGN_OR_RETURN(json overdue, FetchAll(ctx, "overdue", {{&kAuthority, authority}}));
  ASSIGN_OR_RETURN(json pending, FetchAll(ctx, "requests_by_status",
                                          {{&kAuthority, authority}, {&kStatusParam, "overdue"}}));
  ASSIGN_OR_RETURN(json summary, FetchQuery(ctx, "supervisor_summary", {{&kAuthority, authority}}, false));
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"authority", authority},
                              {"flags", overdue},
                              {"overdue_requests", pending},
                              {"summary", summary.value("result", json())}});
    return Status::Ok();
  }
  ctx.out() << "authority " << authority << ": " << overdue.size() << " flagged items, " << pending.size()
            << " overdue share requests\n";
  PrintHuman(ctx.out(), overdue, 2);
  if (!pending.empty()) {
    ctx.out() << "overdue share requests:\n";
    PrintHuman(ctx.out(), pending, 2);
  }
  ctx.out() << "summary:\n";
  PrintHuman(ctx.out(), summary.value("result", json()), 2);
  return Status::Ok();
}

// Use beyond scope: every access flagged as a violation touching an authority
// (every authority without --authority, for a court).
Status RunTraceScope(Context& ctx) {
  RETURN_IF_ERROR(NoPositionals(ctx));
  GivenParams given;
  AddIfGiven(ctx, "authority", kAuthority, given);
  RETURN_IF_ERROR(AddTimeRange(ctx, given));
  ASSIGN_OR_RETURN(json violations, FetchAll(ctx, PerAuthorityOrAll(ctx, "violations", "violations_all"), given));
  if (ctx.json()) {
    PrintJson(ctx.out(), json{{"violations", violations}});
    return Status::Ok();
  }
  ctx.out() << violations.size() << " accesses outside their grant's scope\n";
  for (const json& access : violations) {
    ctx.out() << TimeField(access, {"time_ms", "block_time_ms", "recorded_ms", "at_ms"}) << "  "
              << Field(access, {"accessor", "account", "account_id", "sender"}) << " used "
              << Field(access, {"asset_id", "asset"}) << " under grant "
              << Field(access, {"grant_id", "grant"}) << "\n    why: " << Field(access, {"violations"})
              << "\n    purpose: " << Field(access, {"purpose"})
              << "; fields: " << Field(access, {"fields", "fields_used"}) << "; record "
              << Field(access, {"tx_hash", "id", "record_id"}) << "\n";
  }
  return Status::Ok();
}

}  // namespace shulian::cli
