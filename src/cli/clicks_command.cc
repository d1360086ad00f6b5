#include "cli/clicks_command.h"

#include <fmt/core.h>

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <memory>
#include <optional>
#include <string>

#include "api/click_url.h"
#include "auth/signing.h"
#include "auth/signing_key_ring.h"
#include "cli/command_support.h"
#include "cli/store_options.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/random.h"
#include "store/store.h"

namespace thrad {
namespace {

constexpr std::string_view kClickPrefix = "clk_";
constexpr size_t kMaxClickSuffix = 252;  // "clk_" + 252 = 256, the API's click_id limit

// A registered click's landing parameters stay valid this long after clicked_at (thrad_exp):
// the default of `serve --click-ttl`, the 90 days the documented landing script keeps them.
constexpr int64_t kClickTtlSeconds = int64_t{90} * 24 * 3600;

// How long a click URL from `clicks url` works by default (--ttl).
constexpr std::string_view kDefaultClickUrlTtl = "30d";

struct AddOptions {
  StoreConfig store;
  std::string partner;
  std::optional<std::string> bid_id;
  std::optional<std::string> campaign_id;
  std::optional<std::string> click_id;
  std::optional<std::string> tag_id;
  std::optional<std::string> landing_url;
  std::optional<std::string> clicked_at;
  bool json = false;
};

struct UrlOptions {
  StoreConfig store;
  std::string partner;
  std::string bid;
  std::optional<std::string> campaign;
  std::optional<std::string> tag;
  std::string url;
  std::string ttl = std::string(kDefaultClickUrlTtl);
  std::optional<std::string> base;
};

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsClkChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Fails the command unless `url` is an absolute http(s) URL a click may land on.
void CheckLandingUrlOrFail(std::string_view flag, std::string_view url) {
  if (!IsLandingUrl(url)) {
    FailCommand(fmt::format("{} must be an absolute http or https URL of at most {} characters",
                            flag, kMaxLandingUrlChars));
  }
}

// The key that signs now: the newest active one (SigningKeyRing's rule); nullopt when no key
// is active.
std::optional<SigningKeyRecord> CurrentSigner(SigningKeyStore& store) {
  Result<std::vector<SigningKeyRecord>> keys = store.ListSigningKeys();
  if (!keys.ok()) FailCommand("cannot read signing keys: " + keys.status().message());
  const SigningKeyRing::Snapshot snapshot(std::move(keys).value());
  if (snapshot.Signer() == nullptr) return std::nullopt;
  return *snapshot.Signer();
}

void RunAdd(const AddOptions& o) {
  CheckTextFlagOrFail("--partner", o.partner, kMaxClickPartnerChars);
  if (o.bid_id.has_value()) CheckTextFlagOrFail("--bid-id", *o.bid_id);
  if (o.campaign_id.has_value()) CheckTextFlagOrFail("--campaign", *o.campaign_id);
  if (o.tag_id.has_value()) CheckTextFlagOrFail("--tag", *o.tag_id);
  if (o.landing_url.has_value()) CheckLandingUrlOrFail("--landing-url", *o.landing_url);
  if (o.click_id.has_value() && !IsValidClickId(*o.click_id)) {
    FailCommand(
        "--click-id must be a UUID or 'clk_' followed by 1-252 characters of [A-Za-z0-9_-]");
  }

  ClickRecord click;
  click.click_id = o.click_id.value_or(RandomUuidV4());
  click.partner_id = o.partner;
  click.bid_id = o.bid_id;
  click.campaign_id = o.campaign_id;
  click.tag_id = o.tag_id;
  click.landing_url = o.landing_url;
  click.created_at = o.clicked_at.has_value() ? ParseTimeFlagOrFail("--clicked-at", *o.clicked_at)
                                              : SystemClock::Instance().NowMicros();
  click.exp = UnixSecondOf(click.created_at) + kClickTtlSeconds;
  click.source = "cli";

  std::unique_ptr<Store> store = OpenMigratedStoreOrFail(o.store, IfMissing::kCreate);
  Status st = store->InsertClick(click);
  if (st.code() == StatusCode::kAlreadyExists) {
    FailCommand("click already exists: " + click.click_id + " for partner " + click.partner_id);
  }
  if (!st.ok()) FailCommand("cannot store click: " + st.message());

  if (!click.bid_id.has_value()) {
    fmt::print(stderr,
               "warning: click {} has no bid id (--bid-id): every conversion on it will be "
               "answered 400 Click missing bid id\n",
               click.click_id);
  }
  if (!o.json) {
    fmt::print("{}\n", click.click_id);
    return;
  }
  // The landing parameters a visitor of this click would carry (CLICKS.md section 3). Without
  // an active signing key there is no thrad_sig, and landing_url stays as given.
  LandingParams landing;
  landing.click_id = click.click_id;
  landing.exp = *click.exp;
  landing.bid_id = click.bid_id.value_or("");
  const std::optional<SigningKeyRecord> signer = CurrentSigner(*store);
  if (signer.has_value()) {
    landing.sig = LandingSignature(signer->kid, signer->secret, landing.click_id, landing.exp);
  }
  boost::json::object out{
      {"click_id", click.click_id},
      {"partner_id", click.partner_id},
      {"bid_id", JsonString(click.bid_id)},
      {"campaign_id", JsonString(click.campaign_id)},
      {"tag_id", JsonString(click.tag_id)},
      {"created_at", JsonTime(click.created_at)},  // clicked_at, under its first name
      {"exp", *click.exp},
      {"source", click.source},
      {"thrad_click_id", landing.click_id},
      {"thrad_exp", landing.exp},
      {"thrad_sig", signer.has_value() ? boost::json::value(landing.sig) : nullptr},
      {"thrad_bid_id", JsonString(click.bid_id)},
  };
  if (click.landing_url.has_value()) {
    out["landing_url"] =
        signer.has_value() ? AddLandingParams(*click.landing_url, landing) : *click.landing_url;
  }
  PrintJsonLine(out);
  if (!signer.has_value()) {
    std::fflush(stdout);
    fmt::print(stderr,
               "warning: no active signing key, so no thrad_sig; create one with "
               "`thrad-events signing-keys create`\n");
  }
}

// `value` encoded for a query (every character but the unreserved ones as %XX): what
// application/x-www-form-urlencoded decoding turns back into `value`.
std::string QueryValue(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

void RunUrl(const UrlOptions& o) {
  CheckTextFlagOrFail("--partner", o.partner, kMaxClickPartnerChars);
  CheckTextFlagOrFail("--bid", o.bid, kMaxClickIdChars);
  if (o.campaign.has_value()) CheckTextFlagOrFail("--campaign", *o.campaign, kMaxClickIdChars);
  if (o.tag.has_value()) CheckTextFlagOrFail("--tag", *o.tag, kMaxClickIdChars);
  CheckLandingUrlOrFail("--url", o.url);
  if (o.base.has_value()) CheckLandingUrlOrFail("--base", *o.base);
  Result<int64_t> ttl = ParseDurationMicros(o.ttl);
  if (!ttl.ok()) FailCommand("--ttl: " + ttl.status().message());
  if (*ttl < 1'000'000) FailCommand("--ttl must be at least 1s");

  std::unique_ptr<SigningKeyStore> store = OpenMigratedStoreOrFail(o.store);
  const std::optional<SigningKeyRecord> signer = CurrentSigner(*store);
  if (!signer.has_value()) {
    FailCommand(
        "no active signing key: create one with `thrad-events signing-keys create` (or "
        "activate one by creating a new key; a retired or revoked key never signs)");
  }
  const std::string exp = std::to_string(UnixSecondOf(SystemClock::Instance().NowMicros() + *ttl));
  const std::string campaign = o.campaign.value_or("");  // absent: signed as ""
  const std::string tag = o.tag.value_or("");
  ClickUrlFields fields;
  fields.partner = o.partner;
  fields.bid = o.bid;
  fields.campaign = campaign;
  fields.tag = tag;
  fields.url = o.url;
  fields.exp = exp;
  std::string query = "partner=" + QueryValue(o.partner) + "&bid=" + QueryValue(o.bid);
  if (o.campaign.has_value()) query += "&campaign=" + QueryValue(*o.campaign);
  if (o.tag.has_value()) query += "&tag=" + QueryValue(*o.tag);
  query += "&url=" + QueryValue(o.url) + "&exp=" + exp + "&kid=" + QueryValue(signer->kid) +
           "&sig=" + ClickUrlSignature(signer->secret, fields);
  // What the server will parse (ParseClickUrl): the URL must come back with the signed values.
  std::optional<ClickUrl> parsed = ParseClickUrl(query);
  if (!parsed.has_value() || parsed->partner != o.partner || parsed->bid != o.bid ||
      parsed->url != o.url) {
    FailCommand("these values do not make a valid click URL (CLICKS.md section 2)");
  }
  std::string base = o.base.value_or("");
  while (!base.empty() && base.back() == '/') base.pop_back();
  fmt::print("{}/v1/click?{}\n", base, query);
}

}  // namespace

bool IsValidClickId(std::string_view id) {
  if (IsUuid(id)) return true;
  if (!id.starts_with(kClickPrefix)) return false;
  std::string_view suffix = id.substr(kClickPrefix.size());
  if (suffix.empty() || suffix.size() > kMaxClickSuffix) return false;
  for (char c : suffix) {
    if (!IsClkChar(c)) return false;
  }
  return true;
}

void RegisterClicksCommand(CLI::App& root) {
  CLI::App* clicks = root.add_subcommand("clicks", "Register clicks and make signed click URLs");
  clicks->require_subcommand(1);

  auto add = std::make_shared<AddOptions>();
  CLI::App* a = clicks->add_subcommand(
      "add", "Register a click (for tests, back-fills and ad servers without the redirect)");
  a->add_option("--partner", add->partner, "Partner id that owns the click")
      ->type_name("ID")
      ->required();
  a->add_option("--bid-id", add->bid_id, "Bid id (conversions on a click without one are 400)")
      ->type_name("ID");
  a->add_option("--campaign", add->campaign_id, "Campaign id")->type_name("ID");
  a->add_option("--click-id", add->click_id, "UUID or clk_[A-Za-z0-9_-]; default: a new UUIDv4")
      ->type_name("ID");
  a->add_option("--tag", add->tag_id, "The publisher's tag id (placement)")->type_name("ID");
  a->add_option("--landing-url", add->landing_url,
                "Landing page (absolute http/https); --json prints it with the landing parameters")
      ->type_name("URL");
  a->add_option("--clicked-at", add->clicked_at,
                "When the click happened (default: now); its landing parameters expire 90 days "
                "later")
      ->type_name("RFC3339");
  a->add_flag("--json", add->json,
              "Print one JSON object with the landing parameters (thrad_click_id, thrad_exp, "
              "thrad_sig, thrad_bid_id)");
  AddStoreOptions(a, &add->store);
  a->callback([add] { RunAdd(*add); });

  auto url = std::make_shared<UrlOptions>();
  CLI::App* u = clicks->add_subcommand(
      "url", "Print a click URL signed with the newest active signing key (/v1/click?...)");
  u->add_option("--partner", url->partner, "The advertiser's partner id")
      ->type_name("ID")
      ->required();
  u->add_option("--bid", url->bid, "Bid id")->type_name("ID")->required();
  u->add_option("--campaign", url->campaign, "Campaign id")->type_name("ID");
  u->add_option("--tag", url->tag, "The publisher's tag id (placement)")->type_name("ID");
  u->add_option("--url", url->url, "Landing page (absolute http/https)")
      ->type_name("URL")
      ->required();
  u->add_option("--ttl", url->ttl, "How long the click URL works: 30d, 12h, 90m ...")
      ->type_name("DURATION")
      ->capture_default_str();
  u->add_option("--base", url->base, "The server's base URL, e.g. https://events.thrad.ai")
      ->type_name("URL");
  AddStoreOptions(u, &url->store);
  u->callback([url] { RunUrl(*url); });
}

}  // namespace thrad
