#include "api/click_batch_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "api_test_support.h"
#include "testing/status_matchers.h"

namespace thrad {
namespace {
namespace click_batch_handler_test {

using test::ErrorAt;
using test::ErrorIs;
using test::Quote;
using test::Repeat;
using test::TestContext;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

constexpr int64_t kTtl = 90 * 86400;          // the default click TTL
constexpr int64_t kNow = 1771524000;          // TestContext().received_at, in seconds
constexpr int64_t kDefaultExp = kNow + kTtl;  // 1779300000
const char kE[] = "\xC3\xA9";                 // é: 1 character, 2 bytes
const char kUuidV4[] = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

constexpr auto kOk = BatchItemStatus::kOk;
constexpr auto kDuplicate = BatchItemStatus::kDuplicate;
constexpr auto kError = BatchItemStatus::kError;

FieldLoc ClicksLoc() { return {std::string("body"), std::string("clicks")}; }

FieldLoc ClickAt(int64_t index, std::string field = "") {
  FieldLoc loc = ClicksLoc();
  loc.emplace_back(index);
  if (!field.empty()) loc.emplace_back(field);
  return loc;
}

ParsedClickBatch Batch(const std::string& body, size_t max_clicks = kMaxBatchClicks) {
  return ParseClickBatch(body, TestContext(), kTtl, max_clicks);
}

// {"clicks":[c1,c2,...]} from the clicks' JSON texts.
std::string Clicks(const std::vector<std::string>& clicks) {
  std::string body = R"({"clicks":[)";
  for (size_t i = 0; i < clicks.size(); ++i) body += (i ? "," : "") + clicks[i];
  return body + "]}";
}

// The one click of {"clicks":[click]}, which must be valid.
ClickRecord One(const std::string& click) {
  ParsedClickBatch b = Batch(Clicks({click}));
  EXPECT_OK(b);
  EXPECT_THAT(b.items.at(0).errors, IsEmpty()) << click;
  return b.clicks.empty() ? ClickRecord() : b.clicks[0];
}

// The errors of the one click of {"clicks":[click]}, which must be invalid.
std::vector<FieldError> ErrorsOf(const std::string& click) {
  ParsedClickBatch b = Batch(Clicks({click}));
  EXPECT_OK(b);
  EXPECT_EQ(b.items.at(0).status, kError) << click;
  EXPECT_THAT(b.clicks, IsEmpty());
  return b.items.at(0).errors;
}

// {"<field>":<json>} has exactly one error, of `type`, at ["body","clicks",0,field].
void ExpectFieldError(const std::string& field, const std::string& json, const std::string& type) {
  EXPECT_THAT(ErrorsOf("{" + Quote(field) + ":" + json + "}"),
              ElementsAre(ErrorAt(ClickAt(0, field), type)))
      << field << ": " << json;
}

std::vector<BatchItemStatus> Statuses(const ParsedClickBatch& b) {
  std::vector<BatchItemStatus> out;
  for (const BatchItem& item : b.items) out.push_back(item.status);
  return out;
}

// A signer that shows what it signed.
std::string FakeSign(std::string_view click_id, int64_t exp) {
  return "v1.sk_test." + std::string(click_id) + "." + std::to_string(exp);
}

// --- whole body ---------------------------------------------------------------------------

TEST(ParseClickBatchTest, WholeBodyProblems) {
  auto only_error = [](const std::string& body, const FieldLoc& loc, const std::string& type) {
    ParsedClickBatch b = Batch(body);
    EXPECT_FALSE(b.ok()) << body;
    EXPECT_THAT(b.errors, ElementsAre(ErrorAt(loc, type))) << body;
    EXPECT_THAT(b.items, IsEmpty());
    EXPECT_THAT(b.clicks, IsEmpty());
  };
  const FieldLoc root = {std::string("body")};
  only_error("", root, "json_invalid");
  only_error("{", root, "json_invalid");
  only_error(R"([{"click_id":"a"}])", root, "model_attributes_type");
  only_error(R"("clicks")", root, "model_attributes_type");
  only_error("{}", ClicksLoc(), "missing");
  only_error(R"({"clicks":null})", ClicksLoc(), "missing");
  only_error(R"({"click_id":"a"})", ClicksLoc(), "missing");
  only_error(R"({"clicks":{"click_id":"a"}})", ClicksLoc(), "list_type");
  only_error(R"({"clicks":"a"})", ClicksLoc(), "list_type");
  only_error(R"({"clicks":[]})", ClicksLoc(), "too_short");
}

TEST(ParseClickBatchTest, AtMostMaxClicks) {
  std::vector<std::string> clicks(kMaxBatchClicks, "{}");
  ParsedClickBatch full = Batch(Clicks(clicks));
  ASSERT_OK(full);
  EXPECT_EQ(full.clicks.size(), kMaxBatchClicks);

  clicks.push_back("{}");
  ParsedClickBatch over = Batch(Clicks(clicks));
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(over.errors, ElementsAre(ErrorIs(
                               ClicksLoc(), "too_long",
                               "List should have at most 1000 items after validation, not 1001")));
  EXPECT_THAT(over.items, IsEmpty());

  ParsedClickBatch small = Batch(Clicks({"{}", "{}", "{}"}), 2);
  EXPECT_THAT(small.errors, ElementsAre(ErrorAt(ClicksLoc(), "too_long")));
}

TEST(ParseClickBatchTest, OtherTopLevelMembersAreIgnored) {
  ParsedClickBatch b = Batch(R"({"meta":1,"clicks":[{"click_id":"a"}]})");
  ASSERT_OK(b);
  ASSERT_EQ(b.clicks.size(), 1u);
  EXPECT_EQ(b.clicks[0].click_id, "a");
}

// --- defaults and values ------------------------------------------------------------------

TEST(ParseClickBatchTest, AnEmptyClickGetsEveryDefault) {
  ClickRecord c = One("{}");
  EXPECT_EQ(c.partner_id, "partner_1");  // the key's partner
  EXPECT_THAT(c.click_id, MatchesRegex(kUuidV4));
  EXPECT_EQ(c.created_at, TestContext().received_at);
  EXPECT_EQ(c.exp, kDefaultExp);
  EXPECT_EQ(c.source, "api");
  EXPECT_EQ(c.bid_id, std::nullopt);
  EXPECT_EQ(c.campaign_id, std::nullopt);
  EXPECT_EQ(c.tag_id, std::nullopt);
  EXPECT_EQ(c.landing_url, std::nullopt);
  EXPECT_EQ(c.client_ip, std::nullopt);  // never the ad server's own address
  EXPECT_EQ(c.user_agent, std::nullopt);
  EXPECT_EQ(c.referrer, std::nullopt);
  EXPECT_EQ(c.filter_reason, std::nullopt);
}

TEST(ParseClickBatchTest, NullMeansAbsent) {
  ClickRecord c = One(
      R"({"partner_id":null,"click_id":null,"bid_id":null,"campaign_id":null,"tag_id":null,)"
      R"("landing_url":null,"clicked_at":null,"client_ip":null,"user_agent":null,"referrer":null})");
  EXPECT_EQ(c.partner_id, "partner_1");
  EXPECT_THAT(c.click_id, MatchesRegex(kUuidV4));
  EXPECT_EQ(c.created_at, TestContext().received_at);
  EXPECT_EQ(c.bid_id, std::nullopt);
  EXPECT_EQ(c.landing_url, std::nullopt);
}

TEST(ParseClickBatchTest, GeneratedClickIdsAreNewEachTime) {
  ParsedClickBatch b = Batch(Clicks({"{}", "{}"}));
  ASSERT_OK(b);
  ASSERT_EQ(b.clicks.size(), 2u);
  EXPECT_NE(b.clicks[0].click_id, b.clicks[1].click_id);
  EXPECT_THAT(Statuses(b), ElementsAre(kOk, kOk));
}

TEST(ParseClickBatchTest, EveryFieldIsKeptAsSent) {
  ClickRecord c = One(R"({"partner_id":"acme","click_id":"clk_1","bid_id":"bid-7",)"
                      R"("campaign_id":"cmp-42","tag_id":"pub_001",)"
                      R"("landing_url":"https://shop.example.com/landing?utm_source=thrad#top",)"
                      R"("clicked_at":"2026-02-19T17:00:00.5+01:00","client_ip":"2001:db8::1",)"
                      R"("user_agent":"Mozilla/5.0","referrer":"https://news.example/a"})");
  EXPECT_EQ(c.partner_id, "acme");
  EXPECT_EQ(c.click_id, "clk_1");
  EXPECT_EQ(c.bid_id, "bid-7");
  EXPECT_EQ(c.campaign_id, "cmp-42");
  EXPECT_EQ(c.tag_id, "pub_001");
  EXPECT_EQ(c.landing_url, "https://shop.example.com/landing?utm_source=thrad#top");
  EXPECT_EQ(c.created_at, (kNow - 7200) * 1'000'000 + 500'000);  // 16:00:00.5Z
  EXPECT_EQ(c.exp, kNow - 7200 + kTtl);                          // whole seconds
  EXPECT_EQ(c.client_ip, "2001:db8::1");
  EXPECT_EQ(c.user_agent, "Mozilla/5.0");
  EXPECT_EQ(c.referrer, "https://news.example/a");
  EXPECT_EQ(c.source, "api");
}

TEST(ParseClickBatchTest, ExpIsClickedAtInWholeSecondsPlusTheTtl) {
  EXPECT_EQ(One(R"({"clicked_at":"2026-02-19T18:00:00.999999Z"})").exp, kDefaultExp);
  EXPECT_EQ(One(R"({"clicked_at":"1969-12-31T23:59:59.5Z"})").exp, -1 + kTtl);  // rounded down
  ParsedClickBatch b = ParseClickBatch(Clicks({"{}"}), TestContext(), 60);
  ASSERT_OK(b);
  EXPECT_EQ(b.clicks.at(0).exp, kNow + 60);
}

TEST(ParseClickBatchTest, EmptyOptionalStringsAreKept) {
  ClickRecord c =
      One(R"({"bid_id":"","campaign_id":"","tag_id":"","user_agent":"","referrer":""})");
  EXPECT_EQ(c.bid_id, "");
  EXPECT_EQ(c.campaign_id, "");
  EXPECT_EQ(c.tag_id, "");
  EXPECT_EQ(c.user_agent, "");
  EXPECT_EQ(c.referrer, "");
}

// --- field rules --------------------------------------------------------------------------

TEST(ParseClickBatchTest, PartnerId) {
  EXPECT_EQ(One(R"({"partner_id":)" + Quote(Repeat(kE, 128)) + "}").partner_id, Repeat(kE, 128));
  EXPECT_EQ(One(R"({"partner_id":" "})").partner_id, " ");
  ExpectFieldError("partner_id", "7", "string_type");
  ExpectFieldError("partner_id", R"("")", "string_too_short");
  ExpectFieldError("partner_id", Quote(Repeat("p", 129)), "string_too_long");
  EXPECT_THAT(ErrorsOf(R"({"partner_id":""})"),
              ElementsAre(ErrorIs(ClickAt(0, "partner_id"), "string_too_short",
                                  "String should have at least 1 character")));
}

TEST(ParseClickBatchTest, ClickId) {
  EXPECT_EQ(One(R"({"click_id":)" + Quote(Repeat(kE, 256)) + "}").click_id, Repeat(kE, 256));
  EXPECT_EQ(One(R"({"click_id":"11111111-1111-4111-8111-111111111111"})").click_id,
            "11111111-1111-4111-8111-111111111111");
  EXPECT_EQ(One(R"({"click_id":" a "})").click_id, " a ");  // kept as sent
  ExpectFieldError("click_id", "7", "string_type");
  ExpectFieldError("click_id", "true", "string_type");
  ExpectFieldError("click_id", R"("")", "string_blank");
  ExpectFieldError("click_id", R"("   ")", "string_blank");
  ExpectFieldError("click_id", Quote(Repeat("c", 257)), "string_too_long");
  ExpectFieldError("click_id", R"("a\u0001b")", "string_pattern_mismatch");
  ExpectFieldError("click_id", R"("a\tb")", "string_pattern_mismatch");
  ExpectFieldError("click_id", R"("ab\u0000")", "string_pattern_mismatch");
  ExpectFieldError("click_id", R"("ab\u007f")", "string_pattern_mismatch");
  EXPECT_THAT(ErrorsOf(R"({"click_id":"a\nb"})"),
              ElementsAre(ErrorIs(ClickAt(0, "click_id"), "string_pattern_mismatch",
                                  "String should contain only non-control characters")));
}

TEST(ParseClickBatchTest, BidCampaignAndTag) {
  for (const std::string field : {"bid_id", "campaign_id", "tag_id"}) {
    ParsedClickBatch b = Batch(Clicks({"{" + Quote(field) + ":" + Quote(Repeat(kE, 256)) + "}"}));
    ASSERT_OK(b);
    EXPECT_THAT(Statuses(b), ElementsAre(kOk)) << field;
    ExpectFieldError(field, "7", "string_type");
    ExpectFieldError(field, R"(["a"])", "string_type");
    ExpectFieldError(field, Quote(Repeat("x", 257)), "string_too_long");
  }
}

TEST(ParseClickBatchTest, LandingUrl) {
  EXPECT_EQ(One(R"({"landing_url":"http://a.example"})").landing_url, "http://a.example");
  EXPECT_EQ(One(R"({"landing_url":"HTTPS://A.example:8443/p?q=1#f"})").landing_url,
            "HTTPS://A.example:8443/p?q=1#f");
  const std::string longest = "https://a.example/" + Repeat("x", 2048 - 18);
  EXPECT_EQ(One(R"({"landing_url":)" + Quote(longest) + "}").landing_url, longest);
  ExpectFieldError("landing_url", "7", "string_type");
  ExpectFieldError("landing_url", Quote(longest + "x"), "string_too_long");
  for (const char* bad :
       {"", "/landing", "shop.example.com/landing", "ftp://a.example/x", "javascript:alert(1)",
        "https://", "https:///path", "https://a b.example", "https://a.example/\\u0001"}) {
    ExpectFieldError("landing_url", std::string("\"") + bad + "\"", "url_parsing");
  }
  EXPECT_THAT(ErrorsOf(R"({"landing_url":"/landing"})"),
              ElementsAre(ErrorIs(ClickAt(0, "landing_url"), "url_parsing",
                                  "Input should be a valid URL, expected an absolute http or "
                                  "https URL with a host")));
}

TEST(ParseClickBatchTest, ClickedAt) {
  EXPECT_EQ(One(R"({"clicked_at":"2026-02-19T18:05:00Z"})").created_at,
            (kNow + 300) * 1'000'000);  // 5 minutes ahead: still accepted
  EXPECT_EQ(One(R"({"clicked_at":"2026-02-19 18:00:00"})").created_at, kNow * 1'000'000);
  EXPECT_EQ(One(R"({"clicked_at":"2020-01-01T00:00:00Z"})").created_at, 1577836800'000000);
  ExpectFieldError("clicked_at", "1771524000", "string_type");
  ExpectFieldError("clicked_at", R"("yesterday")", "datetime_parsing");
  ExpectFieldError("clicked_at", R"("2026-02-30T00:00:00Z")", "datetime_parsing");
  ExpectFieldError("clicked_at", R"("2026-02-19T18:05:00.000001Z")", "datetime_past");
  ExpectFieldError("clicked_at", R"("2026-02-19T18:00:00-01:00")", "datetime_past");
  EXPECT_THAT(ErrorsOf(R"({"clicked_at":"2027-01-01T00:00:00Z"})"),
              ElementsAre(ErrorIs(ClickAt(0, "clicked_at"), "datetime_past",
                                  "Input should be in the past, or at most 300 seconds in the "
                                  "future")));
}

TEST(ParseClickBatchTest, ClientIp) {
  for (const char* ip : {"203.0.113.7", "0.0.0.0", "::1", "2001:db8::1", "::ffff:192.0.2.1",
                         "2001:DB8:0:0:0:0:0:1"}) {
    EXPECT_EQ(One(std::string(R"({"client_ip":")") + ip + "\"}").client_ip, ip);
  }
  ExpectFieldError("client_ip", "7", "string_type");
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24",
        "2001:db8::1::2", "[::1]", "fe80::1%eth0", "localhost", "1.2.3.4\\u0000x"}) {
    ExpectFieldError("client_ip", std::string("\"") + bad + "\"", "ip_any_address");
  }
  EXPECT_THAT(ErrorsOf(R"({"client_ip":"x"})"),
              ElementsAre(ErrorIs(ClickAt(0, "client_ip"), "ip_any_address",
                                  "Input is not a valid IPv4 or IPv6 address")));
}

TEST(ParseClickBatchTest, UserAgentAndReferrer) {
  EXPECT_EQ(One(R"({"user_agent":)" + Quote(Repeat(kE, 1024)) + "}").user_agent, Repeat(kE, 1024));
  EXPECT_EQ(One(R"({"referrer":)" + Quote(Repeat(kE, 2048)) + "}").referrer, Repeat(kE, 2048));
  ExpectFieldError("user_agent", Quote(Repeat("u", 1025)), "string_too_long");
  ExpectFieldError("referrer", Quote(Repeat("r", 2049)), "string_too_long");
  ExpectFieldError("user_agent", "{}", "string_type");
  ExpectFieldError("referrer", "1", "string_type");
}

TEST(ParseClickBatchTest, UnknownMembersAreRefused) {
  for (const char* field : {"clickid", "thrad_exp", "source", "exp", "filter_reason"}) {
    ExpectFieldError(field, R"("x")", "extra_forbidden");
    ExpectFieldError(field, "null", "extra_forbidden");  // even null: a typo is a typo
  }
  FieldLoc empty_key = ClickAt(0);
  empty_key.emplace_back(std::string());
  EXPECT_THAT(ErrorsOf(R"({"":1})"), ElementsAre(ErrorAt(empty_key, "extra_forbidden")));
  EXPECT_THAT(ErrorsOf(R"({"click_id":"a","landing":"https://a.example"})"),
              ElementsAre(ErrorIs(ClickAt(0, "landing"), "extra_forbidden",
                                  "Extra inputs are not permitted")));
}

TEST(ParseClickBatchTest, EveryProblemOfAClickIsListedInFieldOrder) {
  EXPECT_THAT(
      ErrorsOf(R"({"zz":1,"referrer":5,"client_ip":"x","clicked_at":"x","landing_url":"x",)"
               R"("tag_id":1,"campaign_id":1,"bid_id":1,"click_id":"","partner_id":"","aa":2})"),
      ElementsAre(ErrorAt(ClickAt(0, "partner_id"), "string_too_short"),
                  ErrorAt(ClickAt(0, "click_id"), "string_blank"),
                  ErrorAt(ClickAt(0, "bid_id"), "string_type"),
                  ErrorAt(ClickAt(0, "campaign_id"), "string_type"),
                  ErrorAt(ClickAt(0, "tag_id"), "string_type"),
                  ErrorAt(ClickAt(0, "landing_url"), "url_parsing"),
                  ErrorAt(ClickAt(0, "clicked_at"), "datetime_parsing"),
                  ErrorAt(ClickAt(0, "client_ip"), "ip_any_address"),
                  ErrorAt(ClickAt(0, "referrer"), "string_type"),
                  ErrorAt(ClickAt(0, "zz"), "extra_forbidden"),
                  ErrorAt(ClickAt(0, "aa"), "extra_forbidden")));
}

TEST(ParseClickBatchTest, InvalidClicksNeverSinkTheOthers) {
  ParsedClickBatch b = Batch(Clicks(
      {R"({"click_id":"a"})", R"({"click_id":""})", "7", R"({"click_id":"b"})", "null", "[{}]"}));
  ASSERT_OK(b);
  EXPECT_THAT(Statuses(b), ElementsAre(kOk, kError, kError, kOk, kError, kError));
  ASSERT_EQ(b.clicks.size(), 2u);
  EXPECT_EQ(b.clicks[0].click_id, "a");
  EXPECT_EQ(b.clicks[1].click_id, "b");
  EXPECT_EQ(b.items[0].slot, 0u);
  EXPECT_EQ(b.items[3].slot, 1u);
  EXPECT_EQ(b.items[1].slot, std::nullopt);
  EXPECT_THAT(b.items[1].errors, ElementsAre(ErrorAt(ClickAt(1, "click_id"), "string_blank")));
  EXPECT_THAT(b.items[2].errors,
              ElementsAre(ErrorIs(ClickAt(2), "dict_type", "Input should be a valid dictionary")));
  EXPECT_THAT(b.items[4].errors, ElementsAre(ErrorAt(ClickAt(4), "dict_type")));
  EXPECT_THAT(b.items[5].errors, ElementsAre(ErrorAt(ClickAt(5), "dict_type")));
}

// --- repeats within one request ------------------------------------------------------------

TEST(ParseClickBatchTest, ARepeatedPartnerAndClickIdIsADuplicateOfTheFirst) {
  ParsedClickBatch b = Batch(Clicks({
      R"({"click_id":"a","bid_id":"first"})",
      R"({"click_id":"a","bid_id":"second"})",                      // repeat of 0
      R"({"click_id":"a","partner_id":"other"})",                   // another partner: new
      R"({"click_id":"a","partner_id":"partner_1","tag_id":"t"})",  // the key's partner: repeat
      R"({"click_id":"ab","partner_id":"p"})",
      R"({"click_id":"b","partner_id":"pa"})",  // no collision of (p, ab) and (pa, b)
      R"({"click_id":"","bid_id":"x"})",        // invalid: never a repeat target
      "{}",
      "{}",
  }));
  ASSERT_OK(b);
  EXPECT_THAT(Statuses(b),
              ElementsAre(kOk, kDuplicate, kOk, kDuplicate, kOk, kOk, kError, kOk, kOk));
  EXPECT_TRUE(b.items[1].repeat);
  EXPECT_EQ(b.items[1].slot, 0u);
  EXPECT_TRUE(b.items[3].repeat);
  EXPECT_EQ(b.items[3].slot, 0u);
  EXPECT_FALSE(b.items[2].repeat);
  ASSERT_EQ(b.clicks.size(), 6u);  // written once
  EXPECT_EQ(b.clicks[0].bid_id, "first");
  EXPECT_EQ(b.clicks[1].partner_id, "other");
}

// --- the answer ---------------------------------------------------------------------------

TEST(ClickBatchResultJsonTest, OkDuplicateAndErrorResultsInOrder) {
  ParsedClickBatch b = Batch(Clicks({
      R"({"click_id":"c-1","bid_id":"b-1",)"
      R"("landing_url":"https://shop.example.com/landing?utm_source=thrad&thrad_sig=old#top"})",
      R"({"click_id":"c-2","landing_url":"https://a.example/"})",  // stored already
      R"({"click_id":"c-3","clicked_at":"x"})",
      R"({"click_id":"c-4","clicked_at":"2026-02-19T17:00:00Z"})",  // no landing_url
      R"({"click_id":"c-5","landing_url":"https://b.example/x"})",  // no bid_id
  }));
  ASSERT_OK(b);
  ASSERT_EQ(b.clicks.size(), 4u);
  // The store: c-2 is a duplicate and comes back as the click stored long ago, without exp.
  ClickRecord stored;
  stored.click_id = "c-2";
  stored.partner_id = "partner_1";
  stored.created_at = 1700000000'250000;
  stored.source = "cli";
  b.clicks[1] = stored;
  ApplyBatchOutcomes(b.items, {WriteOutcome::kStored, WriteOutcome::kDuplicate,
                               WriteOutcome::kStored, WriteOutcome::kStored});
  EXPECT_EQ(
      ClickBatchResultJson(b.items, b.clicks, kTtl, FakeSign, false),
      R"({"accepted":3,"duplicates":1,"rejected":1,"results":[)"
      R"({"index":0,"status":"ok","click_id":"c-1","thrad_exp":1779300000,)"
      R"("thrad_sig":"v1.sk_test.c-1.1779300000","landing_url":"https://shop.example.com/)"
      R"(landing?utm_source=thrad&thrad_click_id=c-1&thrad_exp=1779300000&thrad_sig=v1.sk_test.)"
      R"(c-1.1779300000&thrad_bid_id=b-1#top"},)"
      R"({"index":1,"status":"duplicate","click_id":"c-2","thrad_exp":1707776000,)"
      R"("thrad_sig":"v1.sk_test.c-2.1707776000"},)"
      R"({"index":2,"status":"error","errors":[{"loc":["body","clicks",2,"clicked_at"],)"
      R"("msg":"Input should be a valid datetime, expected a date YYYY-MM-DD","type":"datetime_parsing"}]},)"
      R"({"index":3,"status":"ok","click_id":"c-4","thrad_exp":1779296400,)"
      R"("thrad_sig":"v1.sk_test.c-4.1779296400"},)"
      R"({"index":4,"status":"ok","click_id":"c-5","thrad_exp":1779300000,)"
      R"("thrad_sig":"v1.sk_test.c-5.1779300000","landing_url":"https://b.example/x?)"
      R"(thrad_click_id=c-5&thrad_exp=1779300000&thrad_sig=v1.sk_test.c-5.1779300000&)"
      R"(thrad_bid_id="}]})");
}

TEST(ClickBatchResultJsonTest, ADuplicateKeepsTheStoredExp) {
  ParsedClickBatch b = Batch(Clicks({R"({"click_id":"c-1"})"}));
  ASSERT_OK(b);
  b.clicks[0].exp = 1800000000;  // as stored
  ApplyBatchOutcomes(b.items, {WriteOutcome::kDuplicate});
  EXPECT_EQ(ClickBatchResultJson(b.items, b.clicks, kTtl, FakeSign, false),
            R"({"accepted":0,"duplicates":1,"rejected":0,"results":[)"
            R"({"index":0,"status":"duplicate","click_id":"c-1","thrad_exp":1800000000,)"
            R"("thrad_sig":"v1.sk_test.c-1.1800000000"}]})");
}

TEST(ClickBatchResultJsonTest, ARepeatIsAnsweredWithTheFirstClicksValues) {
  ParsedClickBatch b = Batch(Clicks({
      R"({"click_id":"c-1","clicked_at":"2026-02-19T17:00:00Z","landing_url":"https://a.example/"})",
      R"({"click_id":"c-1","landing_url":"https://other.example/"})",
  }));
  ASSERT_OK(b);
  ApplyBatchOutcomes(b.items, {WriteOutcome::kStored});
  EXPECT_EQ(ClickBatchResultJson(b.items, b.clicks, kTtl, FakeSign, false),
            R"({"accepted":1,"duplicates":1,"rejected":0,"results":[)"
            R"({"index":0,"status":"ok","click_id":"c-1","thrad_exp":1779296400,)"
            R"("thrad_sig":"v1.sk_test.c-1.1779296400","landing_url":"https://a.example/?)"
            R"(thrad_click_id=c-1&thrad_exp=1779296400&thrad_sig=v1.sk_test.c-1.1779296400&)"
            R"(thrad_bid_id="},)"
            R"({"index":1,"status":"duplicate","click_id":"c-1","thrad_exp":1779296400,)"
            R"("thrad_sig":"v1.sk_test.c-1.1779296400"}]})");
}

TEST(ClickBatchResultJsonTest, EveryClickInvalid) {
  ParsedClickBatch b = Batch(Clicks({"1"}));
  ASSERT_OK(b);
  EXPECT_THAT(b.clicks, IsEmpty());
  EXPECT_EQ(ClickBatchResultJson(b.items, b.clicks, kTtl, FakeSign, false),
            R"({"accepted":0,"duplicates":0,"rejected":1,"results":[)"
            R"({"index":0,"status":"error","errors":[{"loc":["body","clicks",0],)"
            R"("msg":"Input should be a valid dictionary","type":"dict_type"}]}]})");
}

TEST(ClickBatchResultJsonTest, ValidateOnlySignsNothing) {
  ParsedClickBatch b = Batch(Clicks({
      R"({"click_id":"c-1","landing_url":"https://a.example/"})",
      R"({"click_id":"c-2"})",
      R"({"click_id":"c-3","partner_id":""})",
  }));
  ASSERT_OK(b);
  b.clicks[1].exp = 1800000000;  // the stored click
  ApplyBatchOutcomes(b.items, {WriteOutcome::kStored, WriteOutcome::kDuplicate});
  const LandingSigner no_signer;  // would throw if called
  EXPECT_EQ(ClickBatchResultJson(b.items, b.clicks, kTtl, no_signer, true),
            R"({"status":"valid","accepted":1,"duplicates":1,"rejected":1,"results":[)"
            R"({"index":0,"status":"ok","click_id":"c-1","thrad_exp":1779300000},)"
            R"({"index":1,"status":"duplicate","click_id":"c-2","thrad_exp":1800000000},)"
            R"({"index":2,"status":"error","errors":[{"loc":["body","clicks",2,"partner_id"],)"
            R"("msg":"String should have at least 1 character","type":"string_too_short"}]}]})");
}

TEST(ClickBatchResultJsonTest, SignsEachOkOrDuplicateItemOnce) {
  ParsedClickBatch b = Batch(Clicks({"{}", R"({"click_id":"x"})", R"({"click_id":"x"})", "1"}));
  ASSERT_OK(b);
  ApplyBatchOutcomes(b.items, {WriteOutcome::kStored, WriteOutcome::kStored});
  std::vector<std::string> signed_ids;
  const LandingSigner sign = [&](std::string_view click_id, int64_t exp) {
    signed_ids.emplace_back(click_id);
    return FakeSign(click_id, exp);
  };
  (void)ClickBatchResultJson(b.items, b.clicks, kTtl, sign, false);
  EXPECT_THAT(signed_ids, ElementsAre(b.clicks[0].click_id, "x", "x"));
}

TEST(LandingExpOfTest, StoredExpElseClickedAtPlusTtl) {
  ClickRecord c;
  c.created_at = 1771524000'999999;
  EXPECT_EQ(LandingExpOf(c, 10), 1771524010);
  c.created_at = -1;  // 1969-12-31T23:59:59.999999Z
  EXPECT_EQ(LandingExpOf(c, 10), 9);
  c.exp = 5;
  EXPECT_EQ(LandingExpOf(c, 10), 5);
}

}  // namespace click_batch_handler_test
}  // namespace
}  // namespace thrad
