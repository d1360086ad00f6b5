#include "http/route_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "http/router.h"

namespace thrad {
namespace {

using ::testing::ElementsAre;

// Every entry of the table is complete and consistent, and the router finds each route by
// each of its paths.
TEST(RouteTableTest, EveryEntryIsCompleteAndReachable) {
  std::set<std::string_view> names;
  std::set<std::string_view> paths;
  for (const RouteSpec& spec : Routes()) {
    SCOPED_TRACE(std::string(spec.name));
    EXPECT_TRUE(names.insert(spec.name).second) << "duplicate name";
    EXPECT_NE(spec.name, "unknown");  // the label of unmatched paths
    EXPECT_NE(spec.handler, nullptr);
    EXPECT_NE(spec.methods, 0);
    ASSERT_FALSE(spec.paths.empty());
    EXPECT_FALSE(spec.AllowHeader().empty());
    // A route that reads a body says which content types it takes; one that takes none
    // answers GET only.
    const bool posts = (spec.methods & Methods(Method::kPost)) != 0;
    EXPECT_EQ(posts, spec.accepts != MediaType::kNone);
    for (std::string_view path : spec.paths) {
      EXPECT_TRUE(paths.insert(path).second) << "path in two routes: " << path;
      ASSERT_EQ(path.front(), '/') << path;
      if (path.back() == '}') continue;  // a pattern; matched in PathParameter below
      const std::optional<RouteMatch> match = MatchRoute(path);
      ASSERT_TRUE(match) << path;
      EXPECT_EQ(match->spec, &spec) << path;
      EXPECT_EQ(RouteIndex(match->spec), static_cast<size_t>(&spec - Routes().data()));
      EXPECT_EQ(RouteName(RouteIndex(match->spec)), spec.name);
    }
  }
  EXPECT_EQ(RouteName(RouteIndex(nullptr)), "unknown");
}

TEST(RouteTableTest, CanonicalPathsAndAliases) {
  for (const char* p : {"/v1/api/collect", "/api/collect"}) {
    auto r = MatchRoute(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->spec->name, "collect");
    EXPECT_EQ(r->spec->AllowHeader(), "POST");
    EXPECT_EQ(r->spec->scopes, Scopes(Scope::kCollect));
    EXPECT_EQ(r->spec->body_limit, BodyLimitClass::kSmall);
  }
  for (const char* p : {"/v1/api/collect/batch", "/api/collect/batch"}) {
    auto r = MatchRoute(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->spec->name, "collect_batch");
    EXPECT_EQ(r->spec->body_limit, BodyLimitClass::kBatch);
  }
  for (const char* p : {"/v1/api/conversion", "/api/conversion", "/v1/conversion"}) {
    auto r = MatchRoute(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->spec->name, "conversion");
    EXPECT_EQ(r->spec->scopes, Scopes(Scope::kConversion));
  }
  for (const char* p : {"/healthz", "/readyz", "/metrics"}) {
    auto r = MatchRoute(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->spec->AllowHeader(), "GET, HEAD");
    EXPECT_EQ(r->spec->scopes, 0u) << p;
    EXPECT_EQ(r->spec->accepts, MediaType::kNone);
  }
  for (const char* p : {"/v1/t/collect", "/v1/t/conversion"}) {
    auto r = MatchRoute(p);
    ASSERT_TRUE(r) << p;
    EXPECT_TRUE(r->spec->tag);
    EXPECT_FALSE(r->spec->gif);
    EXPECT_EQ(r->spec->scopes, 0u);
    EXPECT_EQ(r->spec->AllowHeader(), "POST, OPTIONS");
    EXPECT_TRUE(r->spec->AcceptsContentType("text/plain;charset=UTF-8"));
    EXPECT_TRUE(r->spec->AcceptsContentType("Application/JSON"));
    EXPECT_TRUE(r->spec->AcceptsContentType(std::nullopt));
    EXPECT_FALSE(r->spec->AcceptsContentType("application/x-www-form-urlencoded"));
  }
  auto pixel = MatchRoute("/v1/t/p.gif");
  ASSERT_TRUE(pixel);
  EXPECT_TRUE(pixel->spec->tag && pixel->spec->gif);
  EXPECT_EQ(pixel->spec->AllowHeader(), "GET, HEAD, OPTIONS");
  EXPECT_FALSE(MatchRoute("/v1/api/collect")->spec->AcceptsContentType("text/plain"));
  EXPECT_FALSE(MatchRoute("/v1/api/collect/"));
  EXPECT_FALSE(MatchRoute("/V1/API/COLLECT"));
  EXPECT_FALSE(MatchRoute("/"));
  EXPECT_FALSE(MatchRoute(""));
}

TEST(RouteTableTest, DashboardPageFilesAndRedirect) {
  for (const char* p : {"/dashboard", "/dashboard/", "/dashboard/app.js"}) {
    auto r = MatchRoute(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->spec->name, "dashboard");
    EXPECT_EQ(r->spec->scopes, 0u);  // the page asks for a key; the report routes check it
    EXPECT_EQ(r->spec->AllowHeader(), "GET, HEAD");
  }
  EXPECT_EQ(MatchRoute("/dashboard/")->param, "");
  EXPECT_EQ(MatchRoute("/dashboard/chart.js")->param, "chart.js");
  EXPECT_FALSE(MatchRoute("/dashboard/a/b.js"));
}

TEST(RouteTableTest, ClickRoutesAndThePathParameter) {
  auto redirect = MatchRoute("/v1/click");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->spec->scopes, 0u);  // the signature is the credential
  auto reg = MatchRoute("/v1/api/clicks");
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->spec->name, "clicks");
  EXPECT_EQ(reg->spec->scopes, Scopes(Scope::kClicks));
  EXPECT_EQ(reg->spec->body_limit, BodyLimitClass::kBatch);
  auto lookup = MatchRoute("/v1/api/clicks/22222222-2222-4222-8222-222222222222");
  ASSERT_TRUE(lookup);
  EXPECT_EQ(lookup->spec->name, "click_lookup");
  EXPECT_EQ(lookup->param, "22222222-2222-4222-8222-222222222222");
  EXPECT_FALSE(MatchRoute("/v1/api/clicks/"));     // an empty segment is no click id
  EXPECT_FALSE(MatchRoute("/v1/api/clicks/a/b"));  // one segment only
  EXPECT_FALSE(MatchRoute("/v1/api/clicksX"));
}

TEST(RouteTableTest, MethodsGetImpliesHead) {
  const RouteSpec& healthz = *MatchRoute("/healthz")->spec;
  EXPECT_TRUE(healthz.Allows(Method::kGet));
  EXPECT_TRUE(healthz.Allows(Method::kHead));
  EXPECT_FALSE(healthz.Allows(Method::kPost));
  EXPECT_FALSE(healthz.Allows(Method::kOther));
  const RouteSpec& collect = *MatchRoute("/v1/api/collect")->spec;
  EXPECT_TRUE(collect.Allows(Method::kPost));
  EXPECT_FALSE(collect.Allows(Method::kGet));
  EXPECT_FALSE(collect.Allows(Method::kHead));
}

TEST(RouteTableTest, MetricsOrderIsTheTableOrder) {
  std::vector<std::string_view> names;
  for (const RouteSpec& spec : Routes()) names.push_back(spec.name);
  EXPECT_THAT(names, ElementsAre("collect", "collect_batch", "conversion", "healthz", "readyz",
                                 "metrics", "click", "clicks", "click_lookup", "tag_collect",
                                 "tag_pixel", "tag_conversion", "tag_js", "ptag_js", "report",
                                 "conversion_list", "diagnostics", "openapi", "me", "dashboard"));
}

TEST(RouterTest, TargetQuery) {
  EXPECT_EQ(ParseTarget("/v1/api/collect").path, "/v1/api/collect");
  EXPECT_EQ(ParseTarget("/v1/api/collect").query, "");
  EXPECT_FALSE(ParseTarget("/v1/api/collect").validate_only);
  EXPECT_TRUE(ParseTarget("/v1/api/collect?validate_only=true").validate_only);
  EXPECT_TRUE(ParseTarget("/v1/api/collect?a=b&validate_only=true").validate_only);
  EXPECT_EQ(ParseTarget("/v1/api/collect?a=b&validate_only=true").query, "a=b&validate_only=true");
  EXPECT_FALSE(ParseTarget("/v1/api/collect?validate_only=false").validate_only);
  EXPECT_EQ(ParseTarget("/v1/api/collect?validate_only=true").path, "/v1/api/collect");
}

TEST(RouterTest, ValidateOnlyIsABooleanInAnyCaseOrInvalid) {
  for (std::string_view v : {"true", "True", "TRUE", "tRuE", "1"}) {
    const std::string target = "/v1/api/collect?validate_only=" + std::string(v);
    const Target t = ParseTarget(target);
    EXPECT_TRUE(t.validate_only) << v;
    EXPECT_FALSE(t.validate_only_invalid) << v;
  }
  for (std::string_view v : {"false", "False", "FALSE", "0"}) {
    const std::string target = "/v1/api/collect?validate_only=" + std::string(v);
    const Target t = ParseTarget(target);
    EXPECT_FALSE(t.validate_only) << v;
    EXPECT_FALSE(t.validate_only_invalid) << v;
  }
  for (std::string_view q : {"validate_only=yes", "validate_only=", "validate_only",
                             "validate_only=2", "validate_only=true%20", "validate_only=truex"}) {
    const std::string target = "/v1/api/collect?" + std::string(q);
    const Target t = ParseTarget(target);
    EXPECT_FALSE(t.validate_only) << q;  // never a dry run on a guess
    EXPECT_TRUE(t.validate_only_invalid) << q;
  }
  // The last occurrence decides; other parameters and look-alike names are ignored.
  EXPECT_TRUE(ParseTarget("/x?validate_only=maybe&validate_only=true").validate_only);
  EXPECT_FALSE(ParseTarget("/x?validate_only=maybe&validate_only=true").validate_only_invalid);
  EXPECT_TRUE(ParseTarget("/x?validate_only=true&validate_only=maybe").validate_only_invalid);
  EXPECT_FALSE(ParseTarget("/x?validate_onlyx=maybe&xvalidate_only=1").validate_only_invalid);
  EXPECT_FALSE(ParseTarget("/x?validate_onlyx=maybe&xvalidate_only=1").validate_only);
}

}  // namespace
}  // namespace thrad
