#include "cli/export_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_support.h"
#include "cli/store_options.h"
#include "store/export_store.h"

namespace thrad {
namespace {

struct ExportOptions {
  StoreConfig store;
  std::string what;  // "events", "conversions" or "clicks"
  std::optional<std::string> since;
  std::optional<std::string> partner;
};

Status WriteLine(const std::string& json) {
  if (std::fwrite(json.data(), 1, json.size(), stdout) != json.size() ||
      std::fputc('\n', stdout) == EOF) {
    return Status::IoError(std::string("cannot write to stdout: ") + std::strerror(errno));
  }
  return Status::Ok();
}

void RunExport(const ExportOptions& o) {
  ExportFilter filter;
  if (o.since.has_value()) filter.since = ParseTimeFlagOrFail("--since", *o.since);
  if (o.partner.has_value()) {
    CheckTextFlagOrFail("--partner", *o.partner);
    filter.partner_id = o.partner;
  }
  std::unique_ptr<ExportStore> store = OpenMigratedStoreOrFail(o.store);
  Status st = o.what == "events"        ? store->ExportEvents(filter, WriteLine)
              : o.what == "conversions" ? store->ExportConversions(filter, WriteLine)
                                        : store->ExportClicks(filter, WriteLine);
  if (std::fflush(stdout) != 0 && st.ok()) {
    st = Status::IoError(std::string("cannot write to stdout: ") + std::strerror(errno));
  }
  if (!st.ok()) FailCommand("export failed: " + st.message());
}

}  // namespace

void RegisterExportCommand(CLI::App& root) {
  auto opts = std::make_shared<ExportOptions>();
  CLI::App* e = root.add_subcommand("export", "Stream stored records as JSON lines to stdout");
  e->add_option("WHAT", opts->what, "events, conversions or clicks")
      ->required()
      ->check(CLI::IsMember({"events", "conversions", "clicks"}));
  e->add_option("--since", opts->since,
                "Only records received (clicks: clicked) at or after this time")
      ->type_name("RFC3339");
  e->add_option("--partner", opts->partner, "Only this partner's records")->type_name("ID");
  AddStoreOptions(e, &opts->store);
  e->callback([opts] { RunExport(*opts); });
}

}  // namespace thrad
