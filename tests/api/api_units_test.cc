// Units of the API layer without sockets: the error table, target parsing, the
// token buckets and the Prometheus text format.
#include <gtest/gtest.h>

#include "api/errors.h"
#include "api/metrics_text.h"
#include "api/rate_limiter.h"
#include "api/url.h"

namespace shulian::api {
namespace {

TEST(ErrorTableTest, EveryErrorCodeHasAStatusAndRoundTrips) {
  // Each ErrorCode maps to one HTTP status and code string, and back to itself.
  for (int i = 1; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const HttpError error = HttpErrorFor(code);
    EXPECT_GE(error.http_status, 400) << i;
    EXPECT_FALSE(error.code.empty()) << i;
    EXPECT_EQ(HttpStatusForCode(error.code), error.http_status);
    EXPECT_EQ(ErrorCodeFromApi(error.code, error.http_status), code) << error.code;
  }
}

TEST(ErrorTableTest, KeyCodesHaveTheirDocumentedStatuses) {
  // The statuses docs/api.md promises.
  EXPECT_EQ(HttpErrorFor(ErrorCode::kInvalidArgument).http_status, 400);
  EXPECT_EQ(HttpErrorFor(ErrorCode::kInvalidArgument).code, "invalid_argument");
  EXPECT_EQ(HttpErrorFor(ErrorCode::kNotFound).http_status, 404);
  EXPECT_EQ(HttpErrorFor(ErrorCode::kPermissionDenied).http_status, 403);
  EXPECT_EQ(HttpErrorFor(ErrorCode::kResourceExhausted).http_status, 429);
  EXPECT_EQ(HttpErrorFor(ErrorCode::kUnavailable).http_status, 503);
  EXPECT_EQ(HttpErrorFor(ErrorCode::kFailedPrecondition).http_status, 409);
  EXPECT_EQ(HttpStatusForCode(kCodeUnauthenticated), 401);
  EXPECT_EQ(HttpStatusForCode(kCodePayloadTooLarge), 413);
  EXPECT_EQ(ErrorCodeFromApi(kCodeRateLimited, 429), ErrorCode::kResourceExhausted);
  EXPECT_EQ(ErrorCodeFromApi("something_new", 503), ErrorCode::kUnavailable);
  const auto json = ErrorJson("not_found", "no block 7");
  EXPECT_EQ(json["error"]["code"], "not_found");
  EXPECT_EQ(json["error"]["message"], "no block 7");
}

TEST(UrlTest, ParsesPathAndDecodesParameters) {
  // '+' and %XX decode in parameters; the path stays as sent.
  auto target = ParseTarget("/v1/query/x?a=1&b=hello+world&c=%E6%95%B0&flag", 8, 64);
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(target->path, "/v1/query/x");
  EXPECT_EQ(target->params.at("a"), "1");
  EXPECT_EQ(target->params.at("b"), "hello world");
  EXPECT_EQ(target->params.at("c"), "数");
  EXPECT_EQ(target->params.at("flag"), "");
}

TEST(UrlTest, RefusesRepeatsBadEscapesAndExcess) {
  // Each malformed query string is refused with a message naming the problem.
  EXPECT_NE(ParseTarget("/x?a=1&a=2", 8, 64).status().message().find("twice"), std::string::npos);
  EXPECT_FALSE(ParseTarget("/x?a=%G1", 8, 64).ok());
  EXPECT_FALSE(ParseTarget("/x?a=%4", 8, 64).ok());
  EXPECT_FALSE(ParseTarget("/x?a=1&b=2&c=3", 2, 64).ok());
  EXPECT_FALSE(ParseTarget("/x?a=12345", 8, 4).ok());
  EXPECT_FALSE(ParseTarget("x", 8, 64).ok());
}

TEST(UrlTest, PercentEncodeRoundTrips) {
  // Whatever we encode decodes to the same text.
  const std::string text = "a b/c?d&e=f%g+数";
  auto decoded = PercentDecode(PercentEncode(text), true);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, text);
  auto segments = SplitPath("/v1/blocks/by-hash/ab%20c");
  ASSERT_TRUE(segments.ok());
  EXPECT_EQ(segments->size(), 4u);
  EXPECT_EQ((*segments)[3], "ab c");
}

TEST(RateLimiterTest, BurstThenRefillAtTheConfiguredRate) {
  // A bucket of 3 at 10/s: three pass, the fourth waits 100 ms.
  RateLimiter limiter({10, 3, 16});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Acquire("a", 1, 0).ok());
  const Status refused = limiter.Acquire("a", 1, 0);
  EXPECT_EQ(refused.code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(limiter.RetryAfterMs("a", 1, 0), 100);
  EXPECT_FALSE(limiter.Acquire("a", 1, 99).ok());
  EXPECT_TRUE(limiter.Acquire("a", 1, 200).ok());
  // Another key has its own bucket.
  EXPECT_TRUE(limiter.Acquire("b", 3, 0).ok());
}

TEST(RateLimiterTest, TableIsBoundedWithoutEvictingLiveBuckets) {
  // With keys_max buckets in use, a new key is refused until one refills.
  RateLimiter limiter({1, 2, 2});
  EXPECT_TRUE(limiter.Acquire("a", 1, 0).ok());
  EXPECT_TRUE(limiter.Acquire("b", 1, 0).ok());
  EXPECT_EQ(limiter.Acquire("c", 1, 0).code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(limiter.bucket_count(), 2u);
  // After a second both are full again, so they are dropped to make room.
  EXPECT_TRUE(limiter.Acquire("c", 1, 1'000).ok());
  EXPECT_LE(limiter.bucket_count(), 2u);
}

TEST(RateLimiterTest, ZeroRateDisablesLimiting) {
  // rate_per_second = 0 means no limit at all.
  RateLimiter limiter({0, 1, 1});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Acquire("k" + std::to_string(i), 5, 0).ok());
}

TEST(MetricsTextTest, RendersHelpTypeLabelsAndEscapes) {
  // The exposition format with escaped help and label values.
  std::vector<MetricFamily> families = {
      {"shulian_commit_latency_seconds", "Commit latency.\nSecond line \\", MetricType::kHistogram,
       {{"_bucket", {{"le", "0.01"}}, 3}, {"_bucket", {{"le", "+Inf"}}, 4}, {"_sum", {}, 0.5}, {"_count", {}, 4}}},
      {"shulian_peer_lag_entries", "Lag.", MetricType::kGauge, {{"", {{"peer", "a\"b\\c\nd"}}, 7}}},
  };
  const std::string text = RenderPrometheusText(families);
  EXPECT_NE(text.find("# HELP shulian_commit_latency_seconds Commit latency.\\nSecond line \\\\\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE shulian_commit_latency_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("shulian_commit_latency_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("shulian_commit_latency_seconds_sum 0.5\n"), std::string::npos);
  EXPECT_NE(text.find("shulian_peer_lag_entries{peer=\"a\\\"b\\\\c\\nd\"} 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("shulian_api_metrics_dropped_total 0\n"), std::string::npos);
}

TEST(MetricsTextTest, InvalidNamesAreSkippedAndCounted) {
  // A bad family or label name never reaches the page, but is counted.
  std::vector<MetricFamily> families = {
      {"9bad", "x", MetricType::kGauge, {{"", {}, 1}}},
      {"good", "x", MetricType::kCounter, {{"", {{"bad-label", "v"}}, 1}, {"", {{"ok", "v"}}, 2}}},
  };
  const std::string text = RenderPrometheusText(families);
  EXPECT_EQ(text.find("9bad"), std::string::npos);
  EXPECT_EQ(text.find("bad-label"), std::string::npos);
  EXPECT_NE(text.find("good{ok=\"v\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("shulian_api_metrics_dropped_total 2\n"), std::string::npos);
}

}  // namespace
}  // namespace shulian::api
