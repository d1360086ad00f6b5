#include "cli/clicks_command.h"

#include <fmt/core.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_support.h"
#include "cli/store_options.h"
#include "common/clock.h"
#include "common/random.h"
#include "store/click_store.h"

namespace thrad {
namespace {

constexpr std::string_view kClickPrefix = "clk_";
constexpr size_t kMaxClickSuffix = 252;  // "clk_" + 252 = 256, the API's click_id limit

struct AddOptions {
  StoreConfig store;
  std::string partner;
  std::optional<std::string> bid_id;
  std::optional<std::string> campaign_id;
  std::optional<std::string> click_id;
  bool json = false;
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

void RunAdd(const AddOptions& o) {
  CheckTextFlagOrFail("--partner", o.partner);
  if (o.bid_id.has_value()) CheckTextFlagOrFail("--bid-id", *o.bid_id);
  if (o.campaign_id.has_value()) CheckTextFlagOrFail("--campaign", *o.campaign_id);
  if (o.click_id.has_value() && !IsValidClickId(*o.click_id)) {
    FailCommand(
        "--click-id must be a UUID or 'clk_' followed by 1-252 characters of [A-Za-z0-9_-]");
  }

  ClickRecord click;
  click.click_id = o.click_id.value_or(RandomUuidV4());
  click.partner_id = o.partner;
  click.bid_id = o.bid_id;
  click.campaign_id = o.campaign_id;
  click.created_at = SystemClock::Instance().NowMicros();

  std::unique_ptr<ClickStore> store = OpenMigratedStoreOrFail(o.store, IfMissing::kCreate);
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
  if (o.json) {
    PrintJsonLine(boost::json::object{
        {"click_id", click.click_id},
        {"partner_id", click.partner_id},
        {"bid_id", JsonString(click.bid_id)},
        {"campaign_id", JsonString(click.campaign_id)},
        {"created_at", JsonTime(click.created_at)},
    });
  } else {
    fmt::print("{}\n", click.click_id);
  }
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
  CLI::App* clicks = root.add_subcommand("clicks", "Register clicks");
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
  a->add_flag("--json", add->json, "Print one JSON object");
  AddStoreOptions(a, &add->store);
  a->callback([add] { RunAdd(*add); });
}

}  // namespace thrad
