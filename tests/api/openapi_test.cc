// api/openapi.json describes exactly the routes the server registers, each with
// its parameters, responses and the shared error schema.
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/server.h"

namespace shulian::api {
namespace {

using nlohmann::json;

json LoadOpenApi() {
  std::ifstream in(std::string(SHULIAN_SOURCE_DIR) + "/api/openapi.json");
  EXPECT_TRUE(in.good()) << "api/openapi.json is missing";
  std::stringstream text;
  text << in.rdbuf();
  json parsed = json::parse(text.str(), nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "api/openapi.json is not valid JSON";
  return parsed;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

TEST(OpenApiTest, EveryRegisteredRouteIsDescribedAndEveryDescribedPathIsRegistered) {
  // The two sets of (method, path) are equal.
  const json spec = LoadOpenApi();
  ASSERT_TRUE(spec.contains("paths"));
  std::set<std::pair<std::string, std::string>> described;
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      described.emplace(method, path);
    }
  }
  std::set<std::pair<std::string, std::string>> registered;
  for (const RouteInfo& route : HttpServer::Routes()) registered.emplace(Lower(route.method), route.pattern);
  for (const auto& route : registered) {
    EXPECT_TRUE(described.contains(route)) << route.first << " " << route.second << " is not in openapi.json";
  }
  for (const auto& route : described) {
    EXPECT_TRUE(registered.contains(route)) << route.first << " " << route.second << " is not served";
  }
}

TEST(OpenApiTest, OperationsDeclareParametersResponsesAndTheErrorSchema) {
  // Each path parameter is declared; each operation has a 2xx and an error response
  // referring to the shared Error schema.
  const json spec = LoadOpenApi();
  EXPECT_EQ(spec["openapi"].get<std::string>().substr(0, 2), "3.");
  ASSERT_TRUE(spec["components"]["schemas"].contains("Error"));
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      SCOPED_TRACE(method + " " + path);
      ASSERT_TRUE(operation.contains("operationId"));
      ASSERT_TRUE(operation.contains("responses"));
      bool has_success = false;
      bool has_error = false;
      for (const auto& [code, response] : operation["responses"].items()) {
        if (code[0] == '2') has_success = true;
        if (code[0] == '4' || code[0] == '5') {
          has_error = true;
          EXPECT_NE(response.dump().find("Error"), std::string::npos) << code;
        }
      }
      EXPECT_TRUE(has_success);
      EXPECT_TRUE(has_error);
      // "{name}" segments must be declared as path parameters.
      size_t open = path.find('{');
      while (open != std::string::npos) {
        const std::string name = path.substr(open + 1, path.find('}', open) - open - 1);
        bool declared = false;
        for (const json& parameter : operation.value("parameters", json::array())) {
          const json& resolved = parameter.contains("$ref")
                                     ? spec["components"]["parameters"][parameter["$ref"].get<std::string>().substr(24)]
                                     : parameter;
          if (resolved.value("in", "") == "path" && resolved.value("name", "") == name) declared = true;
        }
        EXPECT_TRUE(declared) << "path parameter " << name;
        open = path.find('{', open + 1);
      }
    }
  }
}

}  // namespace
}  // namespace shulian::api
