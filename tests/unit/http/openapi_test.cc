// GET /openapi.json (REPORTS.md §7) against the route table: a partner-facing route cannot exist
// without its entry in web/openapi.json, and the document names no route that does not exist.
// The document itself is checked by a real OpenAPI validator and the server's answers against
// its schemas in tests/integration/test_openapi.py.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "auth/api_key.h"
#include "http/route_table.h"
#include "http/web_assets.h"

namespace thrad {
namespace {

namespace json = boost::json;

// The routes the document covers: every route that asks for a key, the click redirect (its
// signature is the credential) and the browser tag routes. Not the operations routes
// (/healthz, /readyz, /metrics) nor the served files (/tag.js, /ptag.js, /openapi.json).
bool PartnerFacing(const RouteSpec& spec) {
  return spec.scopes != 0 || spec.tag || spec.name == "click";
}

// The OpenAPI operation names of a route's methods (GET implies HEAD, which may be documented).
std::set<std::string> OperationsOf(const RouteSpec& spec) {
  std::set<std::string> ops;
  if (spec.methods & Methods(Method::kGet)) ops.insert("get");
  if (spec.methods & Methods(Method::kPost)) ops.insert("post");
  if (spec.methods & Methods(Method::kOptions)) ops.insert("options");
  return ops;
}

const std::set<std::string, std::less<>> kHttpMethods = {"get",     "put",  "post",  "delete",
                                                         "options", "head", "patch", "trace"};

json::object Document() {
  const WebAsset* asset = FindWebAsset("openapi.json");
  if (asset == nullptr) return {};
  return json::parse(asset->content).as_object();
}

TEST(OpenApiTest, TheDocumentIsEmbeddedAsJsonOfTheBinarysVersion) {
  const WebAsset* asset = FindWebAsset("openapi.json");
  ASSERT_NE(asset, nullptr);
  EXPECT_EQ(asset->content_type, "application/json");
  boost::system::error_code ec;
  const json::value doc = json::parse(asset->content, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_EQ(doc.at("info").at("version").as_string(), THRAD_VERSION)
      << "keep info.version in web/openapi.json equal to the project's VERSION (CMakeLists.txt)";
}

TEST(OpenApiTest, EveryPartnerFacingRouteHasItsEntry) {
  const json::object doc = Document();
  ASSERT_TRUE(doc.contains("paths"));
  const json::object& paths = doc.at("paths").as_object();
  for (const RouteSpec& spec : Routes()) {
    if (!PartnerFacing(spec)) continue;
    const std::string path(spec.paths.front());
    SCOPED_TRACE(std::string(spec.name) + " " + path);
    const json::value* item = paths.if_contains(path);
    ASSERT_NE(item, nullptr) << "route without its entry in web/openapi.json";
    for (const std::string& method : OperationsOf(spec)) {
      SCOPED_TRACE(method);
      const json::value* op = item->as_object().if_contains(method);
      ASSERT_NE(op, nullptr) << "method of the route not documented";
      const json::object& operation = op->as_object();
      EXPECT_TRUE(operation.contains("operationId"));
      EXPECT_TRUE(operation.contains("responses"));
      // The aliases are the same route: listed in x-aliases of the canonical path's operation.
      std::vector<std::string> aliases(spec.paths.begin() + 1, spec.paths.end());
      std::vector<std::string> documented;
      if (const json::value* a = operation.if_contains("x-aliases")) {
        for (const json::value& v : a->as_array()) documented.emplace_back(v.as_string());
      }
      EXPECT_EQ(documented, aliases) << "x-aliases";
      // The scopes: a keyed route's operation names them (x-scopes) and bearer security; a
      // route without a key has empty security.
      ASSERT_TRUE(operation.contains("security"));
      const json::array& security = operation.at("security").as_array();
      if (spec.scopes == 0) {
        EXPECT_TRUE(security.empty());
        EXPECT_FALSE(operation.contains("x-scopes"));
        continue;
      }
      ASSERT_EQ(security.size(), 1u);
      EXPECT_TRUE(security[0].as_object().contains("bearerAuth"));
      std::string scopes;
      for (const json::value& v : operation.at("x-scopes").as_array()) {
        if (!scopes.empty()) scopes += ',';
        scopes += v.as_string();
      }
      const Result<uint32_t> parsed = ParseScopes(scopes);
      ASSERT_TRUE(parsed.ok()) << scopes;
      EXPECT_EQ(*parsed, spec.scopes) << "x-scopes " << scopes;
      EXPECT_TRUE(operation.at("responses").as_object().contains("401"));
      EXPECT_TRUE(operation.at("responses").as_object().contains("403"));
    }
  }
}

TEST(OpenApiTest, EveryDocumentedOperationIsARoute) {
  const json::object doc = Document();
  ASSERT_TRUE(doc.contains("paths"));
  for (const auto& [path_key, item] : doc.at("paths").as_object()) {
    const std::string path(path_key);
    SCOPED_TRACE(path);
    const RouteSpec* route = nullptr;
    for (const RouteSpec& spec : Routes()) {
      if (PartnerFacing(spec) && spec.paths.front() == path) route = &spec;
    }
    ASSERT_NE(route, nullptr) << "documented path that is no partner-facing route's canonical path";
    const std::set<std::string> ops = OperationsOf(*route);
    for (const auto& [key, value] : item.as_object()) {
      if (!kHttpMethods.contains(std::string_view(key))) continue;
      const std::string method(key);
      if (method == "head") {
        EXPECT_TRUE(route->Allows(Method::kHead)) << method;
      } else {
        EXPECT_TRUE(ops.contains(method))
            << "documented method the route does not take: " << method;
      }
    }
    // Path parameters: OpenAPI's {name} is the route table's {name}, and it is declared.
    const size_t open = path.find('{');
    if (open == std::string::npos) continue;
    const std::string name = path.substr(open + 1, path.find('}', open) - open - 1);
    for (const auto& [key, value] : item.as_object()) {
      if (!kHttpMethods.contains(std::string_view(key))) continue;
      bool declared = false;
      for (const json::value& p : value.at("parameters").as_array()) {
        if (p.as_object().contains("$ref")) continue;
        declared |= p.at("in").as_string() == "path" && p.at("name").as_string() == name;
      }
      EXPECT_TRUE(declared) << "path parameter " << name << " of " << std::string(key);
    }
  }
}

}  // namespace
}  // namespace thrad
