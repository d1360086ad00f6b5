#include "cli/keys_command.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/api_key.h"
#include "cli/command_support.h"
#include "cli/number_option.h"
#include "cli/store_options.h"
#include "common/clock.h"
#include "common/time_format.h"
#include "store/key_store.h"

namespace thrad {
namespace {

struct CreateOptions {
  StoreConfig store;
  std::string partner;
  std::string label;
  std::string scopes = "collect,conversion";
  std::optional<std::string> expires;
  std::optional<double> rate_limit_rps;
  std::optional<int64_t> rate_limit_burst;
  bool json = false;
};

struct UpdateOptions {
  StoreConfig store;
  std::string key_id;
  std::optional<double> rate_limit_rps;
  std::optional<int64_t> rate_limit_burst;
  bool clear_rate_limit = false;
  bool json = false;
};

struct ListOptions {
  StoreConfig store;
  std::optional<std::string> partner;
  bool json = false;
};

struct RevokeOptions {
  StoreConfig store;
  std::string key_id;
};

boost::json::array ScopesJson(uint32_t scopes) {
  boost::json::array a;
  for (const ScopeName& s : kScopeNames) {
    if (scopes & static_cast<uint32_t>(s.scope)) a.emplace_back(s.name);
  }
  return a;
}

const char* KeyStatus(const KeyRecord& k, UnixMicros now) {
  if (k.revoked_at.has_value()) return "revoked";
  if (!k.ActiveAt(now)) return "expired";
  return "active";
}

std::string TimeOr(std::optional<UnixMicros> t, const char* absent) {
  return t.has_value() ? FormatRfc3339(*t) : std::string(absent);
}

boost::json::value JsonRps(std::optional<double> rps) {
  return rps.has_value() ? boost::json::value(*rps) : boost::json::value(nullptr);
}

boost::json::value JsonBurst(std::optional<int64_t> burst) {
  return burst.has_value() ? boost::json::value(*burst) : boost::json::value(nullptr);
}

// "5/s burst 10", "default", "unlimited"; "default" parts come from serve's flags.
std::string RateLimitText(const KeyRecord& k) {
  if (!k.rate_limit_rps.has_value() && !k.rate_limit_burst.has_value()) return "default";
  if (k.rate_limit_rps.has_value() && *k.rate_limit_rps == 0) return "unlimited";
  std::string rps = k.rate_limit_rps ? fmt::format("{:g}/s", *k.rate_limit_rps) : "default/s";
  std::string burst =
      k.rate_limit_burst ? std::to_string(*k.rate_limit_burst) : std::string("default");
  return rps + " burst " + burst;
}

void RunCreate(const CreateOptions& o) {
  CheckTextFlagOrFail("--partner", o.partner);
  CheckTextFlagOrFail("--label", o.label);
  Result<uint32_t> scopes = ParseScopes(o.scopes);
  if (!scopes.ok()) FailCommand("--scopes: " + scopes.status().message());
  std::optional<UnixMicros> expires_at;
  const UnixMicros now = SystemClock::Instance().NowMicros();
  if (o.expires.has_value()) {
    expires_at = ParseTimeFlagOrFail("--expires", *o.expires);
    // A key that has expired already would be refused on its first use: a typo, not a wish.
    if (*expires_at <= now) {
      FailCommand(
          fmt::format("--expires: {} is not in the future; the key would never work", *o.expires));
    }
  }

  std::unique_ptr<KeyStore> store = OpenMigratedStoreOrFail(o.store, IfMissing::kCreate);
  NewKey key = GenerateKey(o.partner, o.label, *scopes, expires_at, now);
  key.record.rate_limit_rps = o.rate_limit_rps;
  key.record.rate_limit_burst = o.rate_limit_burst;
  Status st = store->InsertKey(key.record);
  if (!st.ok()) FailCommand("cannot store key: " + st.message());

  const KeyRecord& r = key.record;
  if (o.json) {
    boost::json::object out{
        {"id", r.id},
        {"key", key.secret},
        {"partner_id", r.partner_id},
        {"label", r.label},
        {"scopes", ScopesJson(r.scopes)},
        {"created_at", JsonTime(r.created_at)},
        {"expires_at", JsonTime(r.expires_at)},
    };
    // The key's own rate limit, only when one was given (keys list always shows both).
    if (r.rate_limit_rps.has_value()) out["rate_limit_rps"] = JsonRps(r.rate_limit_rps);
    if (r.rate_limit_burst.has_value()) out["rate_limit_burst"] = JsonBurst(r.rate_limit_burst);
    PrintJsonLine(out);
  } else {
    fmt::print(
        "id:         {}\n"
        "partner:    {}\n"
        "label:      {}\n"
        "scopes:     {}\n"
        "created:    {}\n"
        "expires:    {}\n"
        "rate limit: {}\n"
        "key:        {}\n"
        "\n"
        "The key is shown only this once; store it securely. It cannot be recovered.\n",
        r.id, r.partner_id, r.label, ScopesToString(r.scopes), FormatRfc3339(r.created_at),
        TimeOr(r.expires_at, "never"), RateLimitText(r), key.secret);
  }
}

void RunList(const ListOptions& o) {
  std::unique_ptr<KeyStore> store = OpenMigratedStoreOrFail(o.store);
  Result<std::vector<KeyRecord>> keys = store->ListKeys(o.partner);
  if (!keys.ok()) FailCommand("cannot list keys: " + keys.status().message());
  UnixMicros now = SystemClock::Instance().NowMicros();

  if (o.json) {
    // Never the secret (not stored) nor its digest.
    for (const KeyRecord& k : *keys) {
      PrintJsonLine(boost::json::object{
          {"id", k.id},
          {"partner_id", k.partner_id},
          {"label", k.label},
          {"scopes", ScopesJson(k.scopes)},
          {"created_at", JsonTime(k.created_at)},
          {"expires_at", JsonTime(k.expires_at)},
          {"revoked_at", JsonTime(k.revoked_at)},
          {"last_used_at", JsonTime(k.last_used_at)},
          {"rate_limit_rps", JsonRps(k.rate_limit_rps)},
          {"rate_limit_burst", JsonBurst(k.rate_limit_burst)},
          {"status", KeyStatus(k, now)},
      });
    }
    return;
  }
  if (keys->empty()) {
    std::fputs("no keys\n", stdout);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"ID", "PARTNER", "LABEL", "SCOPES", "STATUS", "CREATED", "EXPIRES", "LAST USED",
                  "RATE LIMIT"});
  for (const KeyRecord& k : *keys) {
    rows.push_back({k.id, k.partner_id, k.label, ScopesToString(k.scopes), KeyStatus(k, now),
                    FormatRfc3339(k.created_at), TimeOr(k.expires_at, "-"),
                    TimeOr(k.last_used_at, "-"), RateLimitText(k)});
  }
  PrintTable(rows);
}

void RunRevoke(const RevokeOptions& o) {
  std::unique_ptr<KeyStore> store = OpenMigratedStoreOrFail(o.store);
  Status st = store->RevokeKey(o.key_id, SystemClock::Instance().NowMicros());
  if (st.code() == StatusCode::kNotFound) FailCommand("no key with id '" + o.key_id + "'");
  if (!st.ok()) FailCommand("cannot revoke key: " + st.message());
  fmt::print("revoked {} (running servers stop accepting it within a few seconds)\n", o.key_id);
}

void RunUpdate(const UpdateOptions& o) {
  const bool sets = o.rate_limit_rps.has_value() || o.rate_limit_burst.has_value();
  if (!sets && !o.clear_rate_limit) {
    FailCommand(
        "nothing to update: give --rate-limit-rps, --rate-limit-burst or "
        "--clear-rate-limit",
        2);
  }
  std::unique_ptr<KeyStore> store = OpenMigratedStoreOrFail(o.store);
  Result<std::optional<KeyRecord>> found = store->FindKeyById(o.key_id);
  if (!found.ok()) FailCommand("cannot read keys: " + found.status().message());
  if (!found->has_value()) FailCommand("no key with id '" + o.key_id + "'");
  KeyRecord key = std::move(**found);
  // Values not given stay as they are; --clear-rate-limit first returns both to the default.
  if (o.clear_rate_limit) {
    key.rate_limit_rps.reset();
    key.rate_limit_burst.reset();
  }
  if (o.rate_limit_rps.has_value()) key.rate_limit_rps = o.rate_limit_rps;
  if (o.rate_limit_burst.has_value()) key.rate_limit_burst = o.rate_limit_burst;
  Status valid = ValidateRateLimitOverride(key.rate_limit_rps, key.rate_limit_burst);
  if (!valid.ok()) FailCommand("cannot update key: " + valid.message());
  Status st = store->UpdateKeyLimits(key.id, key.rate_limit_rps, key.rate_limit_burst);
  if (st.code() == StatusCode::kNotFound) FailCommand("no key with id '" + o.key_id + "'");
  if (!st.ok()) FailCommand("cannot update key: " + st.message());
  if (o.json) {
    PrintJsonLine(boost::json::object{
        {"id", key.id},
        {"partner_id", key.partner_id},
        {"rate_limit_rps", JsonRps(key.rate_limit_rps)},
        {"rate_limit_burst", JsonBurst(key.rate_limit_burst)},
    });
  } else {
    fmt::print("updated {}: rate limit {} (running servers apply it within a few seconds)\n",
               key.id, RateLimitText(key));
  }
}

// --rate-limit-rps and --rate-limit-burst, shared by create and update.
void AddRateLimitOptions(CLI::App* cmd, std::optional<double>* rps, std::optional<int64_t>* burst) {
  cmd->add_option("--rate-limit-rps", *rps,
                  "This key's requests per second (token refill rate); 0: no limit for this key. "
                  "Unset: the server's --rate-limit-rps")
      ->type_name("RPS")
      ->check(Number(0, 1e9));
  cmd->add_option("--rate-limit-burst", *burst,
                  "This key's bucket size (requests allowed at once). Unset: the server's "
                  "--rate-limit-burst")
      ->type_name("N")
      ->check(WholeNumber(1, 1'000'000'000));
}

}  // namespace

void RegisterKeysCommand(CLI::App& root) {
  CLI::App* keys = root.add_subcommand("keys", "Create, list, update and revoke partner API keys");
  keys->require_subcommand(1);

  auto create = std::make_shared<CreateOptions>();
  CLI::App* c = keys->add_subcommand("create", "Create an API key and print it (only once)");
  c->add_option("--partner", create->partner, "Partner id the key belongs to")
      ->type_name("ID")
      ->required();
  c->add_option("--label", create->label, "Human label, e.g. the partner's system name")
      ->required();
  c->add_option("--scopes", create->scopes,
                "Comma separated: collect, conversion, clicks, reports, admin")
      ->type_name("SCOPES")
      ->capture_default_str();
  c->add_option("--expires", create->expires, "Expiry time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)")
      ->type_name("RFC3339");
  AddRateLimitOptions(c, &create->rate_limit_rps, &create->rate_limit_burst);
  c->add_flag("--json", create->json, "Print one JSON object");
  AddStoreOptions(c, &create->store);
  c->callback([create] { RunCreate(*create); });

  auto list = std::make_shared<ListOptions>();
  CLI::App* l = keys->add_subcommand("list", "List keys (never their secrets)");
  l->add_option("--partner", list->partner, "Only this partner's keys")->type_name("ID");
  l->add_flag("--json", list->json, "Print one JSON object per line");
  AddStoreOptions(l, &list->store);
  l->callback([list] { RunList(*list); });

  auto revoke = std::make_shared<RevokeOptions>();
  CLI::App* r = keys->add_subcommand("revoke", "Revoke a key by its id");
  r->add_option("KEY_ID", revoke->key_id, "The key's public id (key_...)")->required();
  AddStoreOptions(r, &revoke->store);
  r->callback([revoke] { RunRevoke(*revoke); });

  auto update = std::make_shared<UpdateOptions>();
  CLI::App* u = keys->add_subcommand("update", "Change a key's rate limit (no restart needed)");
  u->add_option("KEY_ID", update->key_id, "The key's public id (key_...)")->required();
  AddRateLimitOptions(u, &update->rate_limit_rps, &update->rate_limit_burst);
  u->add_flag("--clear-rate-limit", update->clear_rate_limit,
              "Remove the key's own limit: the server-wide default applies again");
  u->add_flag("--json", update->json, "Print one JSON object");
  AddStoreOptions(u, &update->store);
  u->callback([update] { RunUpdate(*update); });
}

}  // namespace thrad
