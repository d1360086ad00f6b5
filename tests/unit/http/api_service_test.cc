// ApiService without sockets: every route's common steps (driven by its RouteSpec) and the
// write handlers' answers, against a real SQLite store and the real group-commit writer.
#include "http/api_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <memory>
#include <string>

#include "auth/api_key.h"
#include "auth/signing.h"
#include "http/web_assets.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace thrad {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr UnixMicros kNow = 1771524000'000000;  // 2026-02-19T18:00:00Z

class ApiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::Open(dir_.File("t.db"));
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
    ASSERT_OK(store_->Migrate());
    keys_ = std::make_unique<KeyCache>(*store_, clock_);
    signing_keys_ = std::make_unique<SigningKeyRing>(*store_, clock_);
    tags_ = std::make_unique<TagRing>(*store_, clock_);
    writer_ = std::make_unique<GroupCommitWriter>(*store_, GroupCommitOptions{});
    writer_->Start();
    collect_key_ = AddKey("p1", static_cast<uint32_t>(Scope::kCollect));
    both_key_ = AddKey(
        "p1", static_cast<uint32_t>(Scope::kCollect) | static_cast<uint32_t>(Scope::kConversion));
  }

  std::string AddKey(const std::string& partner, uint32_t scopes) {
    NewKey k = GenerateKey(partner, "test", scopes, std::nullopt, kNow);
    EXPECT_OK(store_->InsertKey(k.record));
    return k.secret;
  }

  ServiceDeps Deps(GroupCommitWriter& writer) {
    return {.keys = *keys_,
            .signing_keys = *signing_keys_,
            .tags = *tags_,
            .clicks = *store_,
            .reports = *store_,
            .writer = writer,
            .metrics = metrics_,
            .clock = clock_};
  }

  ApiService Service(ServiceConfig config = {}) { return ApiService(Deps(*writer_), config); }

  // A request to `target` with `body`, authenticated by `secret` when given.
  ApiRequest Request(std::string_view target, std::string_view body = "",
                     std::optional<std::string> secret = std::nullopt) {
    ApiRequest req;
    req.method = Method::kPost;
    req.target = ParseTarget(target);
    if (secret) {
      auth_ = "Bearer " + *secret;
      req.authorization = auth_;
    }
    req.body = body;
    req.peer_ip = "203.0.113.9";
    req.request_id = "req-1";
    return req;
  }

  // Handles `req` as the session does: an answer now, a read run (here on this thread), or the
  // write committed first.
  ApiResponse Answer(ApiService& service, const ApiRequest& req) {
    const std::optional<RouteMatch> route = MatchRoute(req.target.path);
    EXPECT_TRUE(route.has_value()) << req.target.path;
    Prepared prepared = service.Handle(*route, req);
    if (auto* answer = std::get_if<ApiResponse>(&prepared)) return std::move(*answer);
    if (auto* read = std::get_if<PendingRead>(&prepared)) return read->run();
    auto& pending = std::get<PendingWrite>(prepared);
    std::promise<void> done;
    pending.op->on_done = [&done] { done.set_value(); };
    Status submitted = writer_->Submit(pending.op.get());
    EXPECT_OK(submitted);
    if (submitted.ok()) done.get_future().wait();
    return pending.finish(*pending.op);
  }

  static boost::json::object Json(const ApiResponse& r) {
    return boost::json::parse(r.body).as_object();
  }

  size_t StoredEvents() {
    size_t n = 0;
    EXPECT_OK(store_->ExportEvents({}, [&n](const std::string&) {
      ++n;
      return Status::Ok();
    }));
    return n;
  }

  test::TempDir dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<KeyCache> keys_;
  std::unique_ptr<SigningKeyRing> signing_keys_;
  std::unique_ptr<TagRing> tags_;
  std::unique_ptr<GroupCommitWriter> writer_;
  Metrics metrics_;
  std::string collect_key_;
  std::string both_key_;
  std::string auth_;
};

TEST_F(ApiServiceTest, CheckHeadAnswersUnknownPathsMethodsAndSizesInOrder) {
  ApiService service = Service();
  EXPECT_EQ(service.CheckHead(MatchRoute("/nope"), Method::kPost, 10, 100)->kind,
            ApiErrorKind::kNotFound);
  const auto collect = MatchRoute("/v1/api/collect");
  const std::optional<ApiError> wrong = service.CheckHead(collect, Method::kGet, 1'000, 100);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->kind, ApiErrorKind::kMethodNotAllowed);  // before the size
  EXPECT_EQ(wrong->allow, "POST");
  EXPECT_EQ(service.CheckHead(MatchRoute("/healthz"), Method::kPost, 0, 100)->allow, "GET, HEAD");
  EXPECT_EQ(service.CheckHead(collect, Method::kPost, 101, 100)->kind, ApiErrorKind::kBodyTooLarge);
  EXPECT_FALSE(service.CheckHead(collect, Method::kPost, 100, 100));
  EXPECT_FALSE(service.CheckHead(collect, Method::kPost, std::nullopt, 100));  // chunked
  EXPECT_FALSE(service.CheckHead(MatchRoute("/healthz"), Method::kHead, std::nullopt, 100));
}

TEST_F(ApiServiceTest, AuthenticationComesBeforeContentTypeAndBody) {
  ApiService service = Service();
  ApiRequest req = Request("/v1/api/collect", "not json");
  req.content_type = "text/html";
  ApiResponse r = Answer(service, req);
  EXPECT_EQ(r.status, 401u);
  EXPECT_THAT(r.headers, Contains(Pair("WWW-Authenticate", "Bearer")));
  EXPECT_EQ(Json(r).at("request_id").as_string(), "req-1");

  r = Answer(service, Request("/v1/api/collect", "{}", "thr_not_a_key"));
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(Json(r).at("detail").as_string(), "Invalid API key");

  // A collect-only key on the conversion route: 403, whatever the body.
  r = Answer(service, Request("/v1/api/conversion", "not json", collect_key_));
  EXPECT_EQ(r.status, 403u);

  req = Request("/v1/api/collect", R"({"event_name":"x"})", collect_key_);
  req.content_type = "text/html";
  r = Answer(service, req);
  EXPECT_EQ(r.status, 415u);
  ASSERT_NE(r.key, nullptr);  // authenticated: the access log names the key
  EXPECT_EQ(r.key->partner_id, "p1");
}

TEST_F(ApiServiceTest, CollectCommitsThenAnswers204AndAReplayOnTheSameEventId) {
  ApiService service = Service();
  const std::string body = R"({"event_name":"page_view","event_id":"e-1"})";
  ApiResponse r = Answer(service, Request("/v1/api/collect", body, collect_key_));
  EXPECT_EQ(r.status, 204u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(StoredEvents(), 1u);
  r = Answer(service, Request("/api/collect", body, collect_key_));  // an alias
  EXPECT_EQ(r.status, 204u);
  EXPECT_THAT(r.headers, Contains(Pair("Idempotent-Replayed", "true")));
  EXPECT_EQ(StoredEvents(), 1u);
  EXPECT_EQ(metrics_.collect_duplicates.load(), 1u);
}

TEST_F(ApiServiceTest, ValidateOnlyStoresNothing) {
  ApiService service = Service();
  ApiResponse r = Answer(service, Request("/v1/api/collect?validate_only=true",
                                          R"({"event_name":"x"})", collect_key_));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(Json(r).at("status").as_string(), "valid");
  EXPECT_EQ(StoredEvents(), 0u);
}

TEST_F(ApiServiceTest, ValidateOnlyThatIsNotABooleanIs422AtTheQuery) {
  ApiService service = Service();
  ApiResponse r = Answer(
      service, Request("/v1/api/collect?validate_only=yes", R"({"event_name":""})", collect_key_));
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(Json(r).at("errors"), boost::json::parse(R"([
      {"loc":["query","validate_only"],
       "msg":"Input should be a valid boolean, unable to interpret input","type":"bool_parsing"},
      {"loc":["body","event_name"],"msg":"String should not be blank","type":"string_blank"}])"));
  r = Answer(service,
             Request("/v1/api/collect?validate_only=TRUE", R"({"event_name":"x"})", collect_key_));
  EXPECT_EQ(Json(r).at("status").as_string(), "valid");
  EXPECT_EQ(StoredEvents(), 0u);
}

TEST_F(ApiServiceTest, InvalidBodiesAre422WithEveryFieldError) {
  ApiService service = Service();
  ApiResponse r = Answer(service, Request("/v1/api/collect", R"({"timestamp":"x"})", both_key_));
  EXPECT_EQ(r.status, 422u);
  const boost::json::array errors = Json(r).at("errors").as_array();
  EXPECT_GE(errors.size(), 2u);  // event_name missing, timestamp wrong
  EXPECT_EQ(StoredEvents(), 0u);
}

TEST_F(ApiServiceTest, BatchAnswersPerEvent) {
  ApiService service = Service();
  ApiResponse r =
      Answer(service, Request("/v1/api/collect/batch",
                              R"({"events":[{"event_name":"a","event_id":"1"},{"event_name":""},)"
                              R"({"event_name":"a","event_id":"1"}]})",
                              collect_key_));
  EXPECT_EQ(r.status, 200u);
  const auto body = Json(r);
  EXPECT_EQ(body.at("accepted").as_int64(), 1);
  EXPECT_EQ(body.at("rejected").as_int64(), 1);
  EXPECT_EQ(body.at("duplicates").as_int64(), 1);
  EXPECT_EQ(StoredEvents(), 1u);
}

TEST_F(ApiServiceTest, ConversionOfAnUnknownClickIs404) {
  ApiService service = Service();
  ApiResponse r =
      Answer(service, Request("/v1/api/conversion",
                              R"({"click_id":"nope","conversion_time":"2026-02-19T17:00:00Z",)"
                              R"("conversion_value":1,"currency":"USD","event_id":"c1"})",
                              both_key_));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(Json(r).at("detail").as_string(), "Click not found");
}

TEST_F(ApiServiceTest, RateLimitIs429WithItsHeaders) {
  ServiceConfig config;
  config.rate_limit = {.rps = 1, .burst = 1};
  ApiService service = Service(config);
  const std::string body = R"({"event_name":"x"})";
  EXPECT_EQ(Answer(service, Request("/v1/api/collect", body, collect_key_)).status, 204u);
  ApiResponse r = Answer(service, Request("/v1/api/collect", body, collect_key_));
  EXPECT_EQ(r.status, 429u);
  EXPECT_THAT(r.headers, Contains(Pair("Retry-After", "1")));
  EXPECT_THAT(r.headers, Contains(Pair("RateLimit-Limit", "1")));
  EXPECT_EQ(metrics_.rate_limited.load(), 1u);
}

// Browser tag routes (TAG.md): a tag on https://shop.example for partner p1.
class TagRoutesTest : public ApiServiceTest {
 protected:
  void SetUp() override {
    ApiServiceTest::SetUp();
    TagRecord tag;
    tag.tag_id = "shop";
    tag.partner_id = "p1";
    tag.origins = {"https://shop.example"};
    tag.created_at = tag.updated_at = kNow;
    ASSERT_OK(store_->InsertTag(tag));
    SigningKeyRecord key;
    key.kid = "sk_t";
    key.secret = std::string(32, 'k');
    key.created_at = kNow;
    ASSERT_OK(store_->InsertSigningKey(key));
  }

  ApiRequest Browser(std::string_view target, std::string_view body, const char* origin) {
    ApiRequest req = Request(target, body);
    if (origin != nullptr) req.origin = origin;
    req.content_type = "text/plain";
    return req;
  }
};

TEST_F(TagRoutesTest, PreflightAndCorsHeaders) {
  ApiService service = Service();
  ApiRequest req = Browser("/v1/t/collect", "", "https://shop.example");
  req.method = Method::kOptions;
  ApiResponse r = Answer(service, req);
  EXPECT_EQ(r.status, 204u);
  EXPECT_THAT(r.headers, Contains(Pair("Access-Control-Allow-Methods", "GET, POST, OPTIONS")));
  EXPECT_THAT(r.headers, Contains(Pair("Access-Control-Allow-Headers", "Content-Type")));
  EXPECT_THAT(r.headers, Contains(Pair("Access-Control-Max-Age", "86400")));
  EXPECT_THAT(r.headers, Contains(Pair("Access-Control-Allow-Origin", "https://shop.example")));
  r = Answer(service, Browser("/v1/t/collect", R"({"tag_id":"shop","event_name":"v"})",
                              "https://shop.example"));
  EXPECT_EQ(r.status, 204u);
  EXPECT_THAT(r.headers, Contains(Pair("Vary", "Origin")));
  EXPECT_EQ(StoredEvents(), 1u);
  r = Answer(service, Browser("/v1/t/collect", R"({"tag_id":"shop"})", "https://evil.example"));
  EXPECT_EQ(r.status, 403u);
  for (const auto& [name, value] : r.headers) EXPECT_NE(name, "Access-Control-Allow-Origin");
}

TEST_F(TagRoutesTest, AForgedOrExpiredSignatureIsAnsweredWithoutAnyWrite) {
  ApiService service = Service();
  const std::string sig = LandingSignature("sk_t", std::string(32, 'k'), "c-1", kNow / 1000000);
  for (const std::string& body :
       {std::string(R"({"tag_id":"shop","thrad_click_id":"c-1","thrad_exp":99999999999,)"
                    R"("thrad_sig":"v1.sk_t.forged","order_id":"o"})"),
        R"({"tag_id":"shop","thrad_click_id":"c-1","thrad_exp":)" +
            std::to_string(kNow / 1000000 - 1) + R"(,"thrad_sig":")" +
            LandingSignature("sk_t", std::string(32, 'k'), "c-1", kNow / 1000000 - 1) +
            R"(","order_id":"o"})"}) {
    ApiRequest req = Browser("/v1/t/conversion", body, "https://shop.example");
    Prepared prepared = service.Handle(*MatchRoute(req.target.path), req);
    // An answer now: no write op, so the store (where the click is looked up) is never asked.
    ASSERT_TRUE(std::holds_alternative<ApiResponse>(prepared)) << body;
    EXPECT_EQ(std::get<ApiResponse>(prepared).status, 403u);
  }
  EXPECT_EQ(Json(Answer(service, Browser("/v1/t/conversion",
                                         R"({"tag_id":"shop","thrad_click_id":"c-1","thrad_exp":)" +
                                             std::to_string(kNow / 1000000) + R"(,"thrad_sig":")" +
                                             sig + R"(","order_id":"o"})",
                                         "https://shop.example")))
                .at("detail")
                .as_string(),
            "Click not found");  // a valid signature does reach the store
}

TEST_F(TagRoutesTest, ThePixelAnswersAGifWhateverTheStatus) {
  ApiService service = Service();
  for (const char* referer : {"https://shop.example/p", "https://evil.example/"}) {
    ApiRequest req = Browser("/v1/t/p.gif?tag_id=shop&event_name=v", "", nullptr);
    req.method = Method::kGet;
    req.content_type.reset();
    req.referer = referer;
    ApiResponse r = Answer(service, req);
    EXPECT_EQ(r.status,
              std::string_view(referer).find("evil") != std::string_view::npos ? 403u : 200u)
        << referer;
    EXPECT_EQ(r.content_type, "image/gif");
    EXPECT_EQ(r.body.size(), 43u);
    EXPECT_EQ(r.body.substr(0, 6), "GIF89a");
    EXPECT_THAT(r.headers, Contains(Pair("Cache-Control", "no-store")));
  }
  EXPECT_EQ(StoredEvents(), 1u);
}

TEST_F(ApiServiceTest, OpsRoutesNeedNoKey) {
  ApiService service = Service();
  ApiRequest req = Request("/healthz");
  req.method = Method::kGet;
  EXPECT_EQ(Answer(service, req).body, R"({"status":"ok"})");
  req = Request("/readyz");
  req.method = Method::kGet;
  EXPECT_EQ(Answer(service, req).body, R"({"status":"ready"})");
  req = Request("/metrics");
  req.method = Method::kGet;
  ApiResponse r = Answer(service, req);
  EXPECT_EQ(r.status, 200u);
  EXPECT_THAT(r.body, HasSubstr("thrad_http_requests_total"));
  EXPECT_THAT(r.content_type, HasSubstr("text/plain"));
}

TEST_F(ApiServiceTest, BrowserScriptsAreServedWithAValidatorAnd304) {
  ApiService service = Service();
  for (const char* path : {"/tag.js", "/ptag.js"}) {
    SCOPED_TRACE(path);
    ApiRequest req = Request(path);
    req.method = Method::kGet;
    ApiResponse r = Answer(service, req);
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "text/javascript");
    EXPECT_EQ(r.body, FindWebAsset(std::string_view(path).substr(1))->content);
    EXPECT_THAT(r.headers, Contains(Pair("Cache-Control", "public, max-age=3600")));
    std::string etag;
    for (const auto& [name, value] : r.headers) {
      if (name == "ETag") etag = value;
    }
    ASSERT_FALSE(etag.empty());
    req.if_none_match = etag;
    ApiResponse again = Answer(service, req);
    EXPECT_EQ(again.status, 304u);
    EXPECT_TRUE(again.body.empty());
    EXPECT_THAT(again.headers, Contains(Pair("ETag", etag)));
    const std::string other = "\"0000\"";
    req.if_none_match = other;
    EXPECT_EQ(Answer(service, req).status, 200u);
  }
}

TEST_F(ApiServiceTest, OpenApiDocumentIsServedAsJsonWithAValidatorAnd304) {
  ApiService service = Service();
  ApiRequest req = Request("/openapi.json");
  req.method = Method::kGet;
  ApiResponse r = Answer(service, req);
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, FindWebAsset("openapi.json")->content);
  EXPECT_THAT(r.headers, Contains(Pair("Access-Control-Allow-Origin", "*")));
  std::string etag;
  for (const auto& [name, value] : r.headers) {
    if (name == "ETag") etag = value;
  }
  ASSERT_FALSE(etag.empty());
  req.if_none_match = etag;
  EXPECT_EQ(Answer(service, req).status, 304u);
}

TEST_F(ApiServiceTest, DashboardAnswersCarryTheContentSecurityPolicy) {
  ApiService service = Service();
  auto get = [&](std::string_view path) {
    ApiRequest req = Request(path);
    req.method = Method::kGet;
    return Answer(service, req);
  };
  const auto csp = Contains(Pair("Content-Security-Policy", HasSubstr("default-src 'self'")));
  ApiResponse redirect = get("/dashboard");
  EXPECT_EQ(redirect.status, 301u);
  EXPECT_THAT(redirect.headers, Contains(Pair("Location", "/dashboard/")));
  EXPECT_THAT(redirect.headers, csp);
  ApiResponse page = get("/dashboard/");
  ASSERT_EQ(page.status, 200u);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.body, FindWebAsset("dashboard/index.html")->content);
  EXPECT_THAT(page.headers, csp);
  EXPECT_THAT(page.headers, Contains(Pair("X-Content-Type-Options", "nosniff")));
  ApiResponse chart = get("/dashboard/chart.js");
  ASSERT_EQ(chart.status, 200u);
  EXPECT_EQ(chart.content_type, "text/javascript");
  EXPECT_THAT(chart.headers, csp);
  ApiResponse missing = get("/dashboard/nothing.js");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_THAT(missing.headers, csp);
  EXPECT_EQ(get("/dashboard/tag.js").status, 404u);  // only the dashboard's own files
}

TEST_F(ApiServiceTest, MeNamesTheKeysPartnerAndScopes) {
  ApiService service = Service();
  const std::string reports = AddKey("p7", static_cast<uint32_t>(Scope::kReports));
  ApiRequest req = Request("/v1/api/me", "", reports);
  req.method = Method::kGet;
  ApiResponse r = Answer(service, req);
  ASSERT_EQ(r.status, 200u) << r.body;
  const boost::json::object body = Json(r);
  EXPECT_EQ(body.at("partner_id"), "p7");
  EXPECT_EQ(body.at("scopes"), boost::json::array({"reports"}));
  EXPECT_TRUE(body.at("key_id").as_string().starts_with("key_"));
  EXPECT_EQ(r.body.find(reports), std::string::npos);  // never the secret
  req = Request("/v1/api/me", "", collect_key_);
  req.method = Method::kGet;
  EXPECT_EQ(Answer(service, req).status, 403u);
  req = Request("/v1/api/me");
  req.method = Method::kGet;
  EXPECT_EQ(Answer(service, req).status, 401u);
}

TEST_F(ApiServiceTest, ReadyzIs503WhileTheWriterIsSaturated) {
  // A writer that was never started takes ops into its queue and never drains it.
  GroupCommitWriter stalled(*store_, GroupCommitOptions{.max_queue = 2});
  ApiService service(Deps(stalled), {});
  ApiRequest ready = Request("/readyz");
  ready.method = Method::kGet;
  EXPECT_EQ(Answer(service, ready).status, 200u);
  WriteOp a, b, c;
  for (WriteOp* op : {&a, &b, &c}) op->on_done = [] {};
  ASSERT_OK(stalled.Submit(&a));
  EXPECT_FALSE(stalled.Saturated());
  ASSERT_OK(stalled.Submit(&b));
  EXPECT_TRUE(stalled.Saturated());
  EXPECT_FALSE(stalled.Submit(&c).ok());  // the same rule refuses the next op
  ApiResponse r = Answer(service, ready);
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(Json(r).at("queue_depth").as_int64(), 2);
  EXPECT_THAT(r.headers, Contains(Pair("Retry-After", "1")));
  stalled.Stop();  // drains a and b on this thread
}

// The key role of a store whose reads fail, as PostgreSQL's do during an outage.
class FailingKeyStore final : public KeyStore {
 public:
  Status InsertKey(const KeyRecord&) override { return Down(); }
  Result<std::optional<KeyRecord>> FindKeyByDigest(std::string_view) override { return Down(); }
  Result<std::optional<KeyRecord>> FindKeyById(std::string_view) override { return Down(); }
  Result<std::vector<KeyRecord>> ListKeys(std::optional<std::string>) override { return Down(); }
  Status RevokeKey(std::string_view, UnixMicros) override { return Down(); }
  Status TouchKeys(const std::vector<std::pair<std::string, UnixMicros>>&) override {
    return Down();
  }
  Status UpdateKeyLimits(std::string_view, std::optional<double>, std::optional<int64_t>) override {
    return Down();
  }

 private:
  static Status Down() { return Status::Unavailable("connection refused"); }
};

TEST_F(ApiServiceTest, ReadyzIs503WhileKeyLookupsFail) {
  FailingKeyStore down;
  KeyCache keys(down, clock_);
  StoreHealth health;
  keys.ReportHealthTo(&health);
  ServiceConfig with_health;
  with_health.store_health = &health;
  // Through the shared StoreHealth (as serve wires it), and without one (the writer's and the
  // key cache's own health).
  const ServiceDeps deps{.keys = keys,
                         .signing_keys = *signing_keys_,
                         .tags = *tags_,
                         .clicks = *store_,
                         .reports = *store_,
                         .writer = *writer_,
                         .metrics = metrics_,
                         .clock = clock_};
  ApiService shared(deps, with_health);
  ApiService own(deps, {});
  ApiRequest ready = Request("/readyz");
  ready.method = Method::kGet;
  ApiRequest metrics = Request("/metrics");
  metrics.method = Method::kGet;
  EXPECT_EQ(Answer(shared, ready).status, 200u);
  EXPECT_EQ(Answer(own, ready).status, 200u);
  // A key the cache does not hold: its look-up fails, so the request is 503, and so is
  // /readyz until a read succeeds again.
  EXPECT_EQ(Answer(shared, Request("/v1/api/collect", R"({"event_name":"x"})", both_key_)).status,
            503u);
  for (ApiService* service : {&shared, &own}) {
    ApiResponse r = Answer(*service, ready);
    EXPECT_EQ(r.status, 503u);
    EXPECT_FALSE(Json(r).at("store_healthy").as_bool());
    EXPECT_THAT(Answer(*service, metrics).body, HasSubstr("\nthrad_store_healthy 0\n"));
  }
  EXPECT_TRUE(writer_->healthy());  // the writer itself never failed
}

}  // namespace
}  // namespace thrad
