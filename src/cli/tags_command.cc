// `thrad-events tags`: browser tags and their allowed origins (TAG.md section 1). Ids and
// origins are checked here (model/tag_origin.h), so the store keeps only valid, normalized ones.
#include "cli/tags_command.h"

#include <fmt/core.h>

#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_support.h"
#include "cli/store_options.h"
#include "common/clock.h"
#include "common/time_format.h"
#include "model/tag.h"
#include "model/tag_origin.h"
#include "store/tag_store.h"

namespace thrad {
namespace {

struct AddOptions {
  StoreConfig store;
  std::string partner;
  std::string tag_id;
  std::string origins;
  bool json = false;
};

struct ListOptions {
  StoreConfig store;
  std::optional<std::string> partner;
  bool json = false;
};

struct UpdateOptions {
  StoreConfig store;
  std::string tag_id;
  std::string origins;
};

struct RemoveOptions {
  StoreConfig store;
  std::string tag_id;
};

void CheckTagIdOrFail(std::string_view what, const std::string& tag_id) {
  if (!IsValidTagId(tag_id)) {
    FailCommand(fmt::format("{} must be 1-{} characters of [A-Za-z0-9_.:-], got '{}'", what,
                            kMaxTagIdChars, tag_id));
  }
}

// The normalized origins of --origins, or the command fails naming the bad origin.
std::vector<std::string> OriginsOrFail(const std::string& flag_value) {
  Result<std::vector<std::string>> origins = ParseOriginList(flag_value);
  if (!origins.ok()) FailCommand("--origins: " + origins.status().message());
  return std::move(origins).value();
}

std::string_view StateName(const TagRecord& t) { return t.active() ? "active" : "removed"; }

boost::json::object TagJson(const TagRecord& t) {
  boost::json::array origins;
  for (const std::string& o : t.origins) origins.emplace_back(o);
  return boost::json::object{
      {"tag_id", t.tag_id},
      {"partner_id", t.partner_id},
      {"origins", std::move(origins)},
      {"state", StateName(t)},
      {"created_at", JsonTime(t.created_at)},
      {"updated_at", JsonTime(t.updated_at)},
      {"removed_at", JsonTime(t.removed_at)},
  };
}

std::string JoinOrigins(const std::vector<std::string>& origins, std::string_view separator) {
  std::string out;
  for (const std::string& o : origins) {
    if (!out.empty()) out += separator;
    out += o;
  }
  return out;
}

void RunAdd(const AddOptions& o) {
  CheckTextFlagOrFail("--partner", o.partner);
  CheckTagIdOrFail("--tag", o.tag_id);
  TagRecord tag;
  tag.tag_id = o.tag_id;
  tag.partner_id = o.partner;
  tag.origins = OriginsOrFail(o.origins);
  tag.created_at = SystemClock::Instance().NowMicros();
  tag.updated_at = tag.created_at;

  std::unique_ptr<TagStore> store = OpenMigratedStoreOrFail(o.store, IfMissing::kCreate);
  Status st = store->InsertTag(tag);
  if (st.code() == StatusCode::kAlreadyExists) {
    // Taken by this or another partner, maybe removed: a tag id is never reused.
    FailCommand("tag '" + tag.tag_id + "' exists (tag ids are never reused, even after remove)");
  }
  if (!st.ok()) FailCommand("cannot store tag: " + st.message());

  if (o.json) {
    PrintJsonLine(TagJson(tag));
    return;
  }
  fmt::print(
      "tag:      {}\n"
      "partner:  {}\n"
      "origins:  {}\n"
      "created:  {}\n"
      "\n"
      "Running servers accept browser requests for it from these origins within 5 seconds.\n",
      tag.tag_id, tag.partner_id, JoinOrigins(tag.origins, "\n          "),
      FormatRfc3339(tag.created_at));
}

void RunList(const ListOptions& o) {
  std::unique_ptr<TagStore> store = OpenMigratedStoreOrFail(o.store);
  Result<std::vector<TagRecord>> tags = store->ListTags(o.partner);
  if (!tags.ok()) FailCommand("cannot list tags: " + tags.status().message());
  if (o.json) {
    for (const TagRecord& t : *tags) PrintJsonLine(TagJson(t));
    return;
  }
  if (tags->empty()) {
    std::fputs("no tags\n", stdout);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"TAG", "PARTNER", "STATE", "CREATED", "ORIGINS"});
  for (const TagRecord& t : *tags) {
    rows.push_back({t.tag_id, t.partner_id, std::string(StateName(t)), FormatRfc3339(t.created_at),
                    JoinOrigins(t.origins, ",")});
  }
  PrintTable(rows);
}

void RunUpdate(const UpdateOptions& o) {
  CheckTagIdOrFail("TAG_ID", o.tag_id);
  const std::vector<std::string> origins = OriginsOrFail(o.origins);
  std::unique_ptr<TagStore> store = OpenMigratedStoreOrFail(o.store);
  Status st = store->UpdateTagOrigins(o.tag_id, origins, SystemClock::Instance().NowMicros());
  if (st.code() == StatusCode::kNotFound) FailCommand("no tag '" + o.tag_id + "'");
  if (st.code() == StatusCode::kInvalidArgument) {
    FailCommand("tag '" + o.tag_id + "' is removed; a removed tag cannot be changed");
  }
  if (!st.ok()) FailCommand("cannot update tag: " + st.message());
  fmt::print("updated {}: origins {} (running servers apply it within 5 seconds)\n", o.tag_id,
             JoinOrigins(origins, ","));
}

void RunRemove(const RemoveOptions& o) {
  CheckTagIdOrFail("TAG_ID", o.tag_id);
  std::unique_ptr<TagStore> store = OpenMigratedStoreOrFail(o.store);
  Status st = store->RemoveTag(o.tag_id, SystemClock::Instance().NowMicros());
  if (st.code() == StatusCode::kNotFound) FailCommand("no tag '" + o.tag_id + "'");
  if (!st.ok()) FailCommand("cannot remove tag: " + st.message());
  fmt::print(
      "removed {}: it no longer accepts browser requests; its stored data stays (running "
      "servers apply it within 5 seconds)\n",
      o.tag_id);
}

constexpr const char* kOriginsHelp =
    "Allowed origins, comma-separated (at most 100): scheme://host[:port], e.g. "
    "https://shop.example.com, or https://*.example.com for any subdomain (not the bare domain)";

}  // namespace

void RegisterTagsCommand(CLI::App& root) {
  CLI::App* tags = root.add_subcommand(
      "tags", "Add, list, update and remove browser tags (tag.js, ptag) and their origins");
  tags->require_subcommand(1);

  auto add = std::make_shared<AddOptions>();
  CLI::App* a = tags->add_subcommand("add", "Register a tag for a partner");
  a->add_option("--partner", add->partner, "Partner id the tag belongs to")
      ->required()
      ->type_name("ID");
  a->add_option("--tag", add->tag_id, "The tag id: 1-256 characters of [A-Za-z0-9_.:-]")
      ->required()
      ->type_name("TAG_ID");
  a->add_option("--origins", add->origins, kOriginsHelp)->required()->type_name("ORIGIN[,ORIGIN…]");
  a->add_flag("--json", add->json, "Print one JSON object");
  AddStoreOptions(a, &add->store);
  a->callback([add] { RunAdd(*add); });

  auto list = std::make_shared<ListOptions>();
  CLI::App* l = tags->add_subcommand("list", "List tags, their state and origins");
  l->add_option("--partner", list->partner, "Only this partner's tags")->type_name("ID");
  l->add_flag("--json", list->json, "Print one JSON object per line");
  AddStoreOptions(l, &list->store);
  l->callback([list] { RunList(*list); });

  auto update = std::make_shared<UpdateOptions>();
  CLI::App* u = tags->add_subcommand("update", "Replace a tag's allowed origins");
  u->add_option("TAG_ID", update->tag_id, "The tag's id")->required();
  u->add_option("--origins", update->origins, kOriginsHelp)
      ->required()
      ->type_name("ORIGIN[,ORIGIN…]");
  AddStoreOptions(u, &update->store);
  u->callback([update] { RunUpdate(*update); });

  auto remove = std::make_shared<RemoveOptions>();
  CLI::App* r = tags->add_subcommand(
      "remove", "Stop accepting browser requests for a tag (its stored data stays)");
  r->add_option("TAG_ID", remove->tag_id, "The tag's id")->required();
  AddStoreOptions(r, &remove->store);
  r->callback([remove] { RunRemove(*remove); });
}

}  // namespace thrad
