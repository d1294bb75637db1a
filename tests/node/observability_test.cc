// What a node shows about itself: its query list is the one docs/api.md and
// api/openapi.json describe.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "node/node.h"
#include "node/node_impl.h"  // LedgerQueryInfos: the node's query list

namespace shulian::node {
namespace {

using nlohmann::json;

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(SHULIAN_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The cells of the docs/api.md query table row for `name`, or empty.
std::vector<std::string> DocsRow(const std::string& docs, const std::string& name) {
  const std::string start = "\n| `" + name + "` |";
  size_t at = docs.find(start);
  if (at == std::string::npos) return {};
  std::string line = docs.substr(at + 1, docs.find('\n', at + 1) - at - 1);
  std::vector<std::string> cells;
  std::stringstream stream(line);
  std::string cell;
  while (std::getline(stream, cell, '|')) cells.push_back(cell);
  return cells;  // "", name, parameters, paginated, scope, what, method
}

TEST(NodeQueryDocsTest, EveryQueryTheNodeOffersIsDocumentedWithItsParametersAndAnExample) {
  // Proves docs/api.md's query table and api/openapi.json's x-shulian-queries list exactly the node's queries,
  // each with its required and optional parameters and pagination, and docs/api.md shows an example of each.
  const std::string docs = ReadSourceFile("docs/api.md");
  const json spec = json::parse(ReadSourceFile("api/openapi.json"), nullptr, false);
  ASSERT_FALSE(spec.is_discarded());
  const json& operation = spec["paths"]["/v1/query/{name}"]["get"];
  ASSERT_TRUE(operation.contains("x-shulian-queries"));
  std::set<std::string> offered;
  for (const api::QueryInfo& info : LedgerQueryInfos()) {
    SCOPED_TRACE(info.name);
    offered.insert(info.name);
    const std::vector<std::string> row = DocsRow(docs, info.name);
    ASSERT_GE(row.size(), 7u) << "no row in the docs/api.md query table";
    for (const std::string& param : info.required_params) {
      EXPECT_NE(row[2].find("`" + param + "`"), std::string::npos) << param;
      EXPECT_EQ(row[2].find("`" + param + "` (optional)"), std::string::npos) << param;
    }
    for (const std::string& param : info.optional_params) {
      EXPECT_NE(row[2].find("`" + param + "` (optional)"), std::string::npos) << param;
    }
    if (info.required_params.empty() && info.optional_params.empty()) {
      EXPECT_EQ(row[2], " none ");
    }
    EXPECT_EQ(row[3].find("yes") != std::string::npos, info.paginated) << row[3];
    EXPECT_EQ(row[4].find("anyone") != std::string::npos, info.public_access) << row[4];
    EXPECT_NE(docs.find("GET /v1/query/" + info.name + (info.required_params.empty() ? "" : "?")),
              std::string::npos)
        << "no example";

    bool described = false;
    for (const json& q : operation["x-shulian-queries"]) {
      if (q["name"] != info.name) continue;
      described = true;
      EXPECT_EQ(q["required_params"], json(info.required_params));
      EXPECT_EQ(q["optional_params"], json(info.optional_params));
      EXPECT_EQ(q["paginated"], info.paginated);
      EXPECT_EQ(q["public"], info.public_access);
      EXPECT_TRUE(q["scope"].is_string() && !q["scope"].get<std::string>().empty());
    }
    EXPECT_TRUE(described) << "not in openapi.json x-shulian-queries";
  }
  // Nothing documented that the node does not offer.
  std::set<std::string> described;
  for (const json& q : operation["x-shulian-queries"]) described.insert(q["name"].get<std::string>());
  EXPECT_EQ(described, offered);
  std::set<std::string> enumerated;
  for (const json& name : operation["parameters"][0]["schema"]["enum"]) enumerated.insert(name.get<std::string>());
  EXPECT_EQ(enumerated, offered);
  const size_t table = docs.find("| name | parameters | paginated |");
  ASSERT_NE(table, std::string::npos);
  size_t rows = 0;
  for (size_t at = docs.find("\n| `", table); at != std::string::npos && at < docs.find("\n\n", table);
       at = docs.find("\n| `", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, offered.size()) << "the docs/api.md query table has rows for queries the node does not offer";
}

}  // namespace
}  // namespace shulian::node
