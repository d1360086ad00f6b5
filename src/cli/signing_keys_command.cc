#include "cli/signing_keys_command.h"

#include <fmt/core.h>

#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/signing_key_ring.h"
#include "cli/command_support.h"
#include "cli/store_options.h"
#include "common/base64url.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/time_format.h"
#include "store/signing_key_store.h"

namespace thrad {
namespace {

// Random bytes after "sk_" in a new kid, hex-encoded (16 of the 32 characters a kid allows):
// 64 bits, so kids of one store never collide in practice (a collision fails the insert).
constexpr size_t kKidRandomBytes = 8;

struct CreateOptions {
  StoreConfig store;
  std::optional<std::string> secret;  // base64url; default: 32 random bytes
  std::optional<std::string> kid;     // default: "sk_" + random hex
  bool json = false;
};

struct ListOptions {
  StoreConfig store;
  bool json = false;
};

struct ChangeOptions {
  StoreConfig store;
  std::string kid;
};

void RunCreate(const CreateOptions& o) {
  SigningKeyRecord key;
  key.kid = o.kid.value_or("sk_" + RandomHex(kKidRandomBytes));
  if (!IsValidKid(key.kid)) {
    FailCommand("--kid must be sk_ followed by 1-32 characters of [A-Za-z0-9], got '" + key.kid +
                "'");
  }
  // A random secret comes from the CSPRNG already written as base64url: decoded like --secret.
  std::optional<std::string> secret =
      Base64UrlDecode(o.secret.has_value() ? *o.secret : RandomBase64Url(kSigningSecretBytes));
  if (!secret.has_value() || secret->size() != kSigningSecretBytes) {
    // Never echo the flag's value: it is (meant to be) a secret.
    FailCommand(
        fmt::format("--secret must decode to exactly {} bytes: base64url without padding, "
                    "{} characters of [A-Za-z0-9_-]",
                    kSigningSecretBytes, (kSigningSecretBytes * 4 + 2) / 3));
  }
  key.secret = std::move(*secret);
  key.created_at = SystemClock::Instance().NowMicros();

  std::unique_ptr<SigningKeyStore> store = OpenMigratedStoreOrFail(o.store, IfMissing::kCreate);
  Status st = store->InsertSigningKey(key);
  if (!st.ok()) FailCommand("cannot store signing key: " + st.message());

  const std::string secret_text = Base64UrlEncode(key.secret);
  if (o.json) {
    PrintJsonLine(boost::json::object{
        {"kid", key.kid}, {"secret", secret_text}, {"created_at", JsonTime(key.created_at)}});
  } else {
    fmt::print(
        "kid:     {}\n"
        "secret:  {}\n"
        "created: {}\n"
        "\n"
        "The newest active key signs click URLs and landing parameters; running servers use it\n"
        "within 5 seconds. Give the secret only to ad servers that mint click URLs.\n",
        key.kid, secret_text, FormatRfc3339(key.created_at));
  }
}

void RunList(const ListOptions& o) {
  std::unique_ptr<SigningKeyStore> store = OpenMigratedStoreOrFail(o.store);
  Result<std::vector<SigningKeyRecord>> keys = store->ListSigningKeys();
  if (!keys.ok()) FailCommand("cannot list signing keys: " + keys.status().message());
  const SigningKeyRing::Snapshot snapshot(*keys);
  const SigningKeyRecord* signer = snapshot.Signer();
  // Never a secret.
  if (o.json) {
    for (const SigningKeyRecord& k : *keys) {
      PrintJsonLine(boost::json::object{
          {"kid", k.kid},
          {"state", SigningKeyStateName(k.state())},
          {"signs", signer != nullptr && signer->kid == k.kid},
          {"created_at", JsonTime(k.created_at)},
          {"retired_at", JsonTime(k.retired_at)},
          {"revoked_at", JsonTime(k.revoked_at)},
      });
    }
    return;
  }
  if (keys->empty()) {
    std::fputs("no signing keys\n", stdout);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"KID", "STATE", "SIGNS", "CREATED"});
  for (const SigningKeyRecord& k : *keys) {
    rows.push_back({k.kid, std::string(SigningKeyStateName(k.state())),
                    signer != nullptr && signer->kid == k.kid ? "yes" : "-",
                    FormatRfc3339(k.created_at)});
  }
  PrintTable(rows);
}

void RunRetire(const ChangeOptions& o) {
  std::unique_ptr<SigningKeyStore> store = OpenMigratedStoreOrFail(o.store);
  Status st = store->RetireSigningKey(o.kid, SystemClock::Instance().NowMicros());
  if (st.code() == StatusCode::kNotFound) FailCommand("no signing key '" + o.kid + "'");
  if (st.code() == StatusCode::kInvalidArgument) {
    FailCommand("signing key '" + o.kid + "' is revoked; a revoked key cannot be retired");
  }
  if (!st.ok()) FailCommand("cannot retire signing key: " + st.message());
  fmt::print(
      "retired {}: it no longer signs but still verifies (running servers apply it within 5 "
      "seconds)\n",
      o.kid);
}

void RunRevoke(const ChangeOptions& o) {
  std::unique_ptr<SigningKeyStore> store = OpenMigratedStoreOrFail(o.store);
  Status st = store->RevokeSigningKey(o.kid, SystemClock::Instance().NowMicros());
  if (st.code() == StatusCode::kNotFound) FailCommand("no signing key '" + o.kid + "'");
  if (!st.ok()) FailCommand("cannot revoke signing key: " + st.message());
  fmt::print(
      "revoked {}: it neither signs nor verifies (running servers apply it within 5 seconds)\n",
      o.kid);
}

}  // namespace

void RegisterSigningKeysCommand(CLI::App& root) {
  CLI::App* keys = root.add_subcommand(
      "signing-keys", "Create, list, retire and revoke the keys that sign click URLs");
  keys->require_subcommand(1);

  auto create = std::make_shared<CreateOptions>();
  CLI::App* c = keys->add_subcommand("create", "Add a signing key and print its kid and secret");
  c->add_option("--secret", create->secret,
                "Import this secret (32 bytes, base64url without padding) instead of a random one")
      ->type_name("B64URL");
  c->add_option("--kid", create->kid,
                "With --secret: keep the kid your ad servers already use for it (sk_ and 1-32 of "
                "[A-Za-z0-9]); default: a new random kid")
      ->type_name("KID");
  c->add_flag("--json", create->json, "Print one JSON object");
  AddStoreOptions(c, &create->store);
  c->callback([create] { RunCreate(*create); });

  auto list = std::make_shared<ListOptions>();
  CLI::App* l = keys->add_subcommand("list", "List signing keys and their state (never secrets)");
  l->add_flag("--json", list->json, "Print one JSON object per line");
  AddStoreOptions(l, &list->store);
  l->callback([list] { RunList(*list); });

  auto retire = std::make_shared<ChangeOptions>();
  CLI::App* r =
      keys->add_subcommand("retire", "Stop signing with a key; it still verifies what it signed");
  r->add_option("KID", retire->kid, "The key's id (sk_...)")->required();
  AddStoreOptions(r, &retire->store);
  r->callback([retire] { RunRetire(*retire); });

  auto revoke = std::make_shared<ChangeOptions>();
  CLI::App* v = keys->add_subcommand("revoke", "Stop signing and verifying with a key");
  v->add_option("KID", revoke->kid, "The key's id (sk_...)")->required();
  AddStoreOptions(v, &revoke->store);
  v->callback([revoke] { RunRevoke(*revoke); });
}

}  // namespace thrad
