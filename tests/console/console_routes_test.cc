// The console's routes in the API route table: public GETs with the embedded
// bytes, the right media type, and the console's Content-Security-Policy.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "api/handler.h"
#include "console/assets.h"
#include "tests/api/fake_service.h"

namespace shulian::api {
namespace {

std::string SourceFile(const std::string& name) {
  std::ifstream file(std::string(SHULIAN_SOURCE_DIR) + "/console/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

std::string Header(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

class ConsoleRoutesTest : public ::testing::Test {
 protected:
  HttpResponse Get(const std::string& target) {
    HttpRequest request;
    request.method = "GET";
    request.target = target;
    request.remote_address = "127.0.0.1";
    return handler_.Handle(request);
  }
  testing::FakeNodeService service_;
  ApiHandler handler_{service_, ApiOptions{}};
};

TEST_F(ConsoleRoutesTest, TheRootAndEveryConsoleFileAreServedWithTheirTypeAndThePolicy) {
  // Proves / is index.html and /console/<file> each embedded file, byte for byte,
  // with its media type, the strict policy and nosniff, to an unsigned caller.
  const HttpResponse index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, SourceFile("index.html"));
  EXPECT_EQ(Header(index, "Content-Security-Policy"), std::string(console::kContentSecurityPolicy));
  EXPECT_EQ(Header(index, "X-Content-Type-Options"), "nosniff");
  const std::map<std::string, std::string> types = {{"verify.html", "text/html; charset=utf-8"},
                                                    {"verifier.js", "text/javascript; charset=utf-8"},
                                                    {"health.js", "text/javascript; charset=utf-8"},
                                                    {"console.css", "text/css; charset=utf-8"}};
  for (const auto& [name, type] : types) {
    const HttpResponse file = Get("/console/" + name);
    EXPECT_EQ(file.status, 200) << name;
    EXPECT_EQ(file.content_type, type) << name;
    EXPECT_EQ(file.body, SourceFile(name)) << name;
    EXPECT_EQ(Header(file, "Content-Security-Policy"), std::string(console::kContentSecurityPolicy)) << name;
  }
  for (const console::EmbeddedFile& file : console::EmbeddedFiles()) {
    EXPECT_EQ(Get("/console/" + std::string(file.name)).body, SourceFile(std::string(file.name)))
        << file.name;
  }
}

TEST_F(ConsoleRoutesTest, UnknownFilesAndPathsOutsideTheConsoleAre404AndOtherMethods405) {
  // Proves only embedded names are served: no traversal, no directory listing.
  EXPECT_EQ(Get("/console/nope.js").status, 404);
  EXPECT_EQ(Get("/console/..%2Fapi%2Fhandler.cc").status, 404);
  EXPECT_EQ(Get("/console/").status, 404);
  EXPECT_EQ(Get("/console/a/verifier.js").status, 404);
  HttpRequest post;
  post.method = "POST";
  post.target = "/";
  post.remote_address = "127.0.0.1";
  EXPECT_EQ(handler_.Handle(post).status, 405);
}

}  // namespace
}  // namespace shulian::api
