#include "cli/erase_command.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command_support.h"
#include "cli/number_option.h"
#include "cli/store_options.h"
#include "common/ip_address.h"
#include "common/logging.h"
#include "store/erasure_store.h"

namespace thrad {
namespace {

struct EraseOptions {
  StoreConfig store;
  std::string partner;
  std::optional<std::string> client_id;
  std::optional<std::string> session_id;
  std::optional<std::string> ip;
  // Rows deleted per short transaction, as prune's: the servers' writers never wait long.
  int64_t batch_size = 1000;
  int64_t pause_ms = 5;
  bool dry_run = false;
  bool json = false;
  std::string log_format = "json";
};

// "1 conversion", "12 events".
std::string Rows(uint64_t n, std::string_view singular) {
  return fmt::format("{} {}{}", n, singular, n == 1 ? "" : "s");
}

// The audit line (stderr, the process log's format): who was erased and how many rows; never a
// row's content. Its one line is the record that the erasure ran.
void Audit(const EraseOptions& o, const ErasureRequest& r, const Result<ErasureCounts>& counts) {
  LoggingOptions options;
  options.output = stderr;
  options.access_log = false;
  Result<LogFormat> format = ParseLogFormat(o.log_format);
  if (format.ok()) options.format = *format;
  Result<std::unique_ptr<Logging>> logging = Logging::Start(options);
  if (!logging.ok()) return;
  const std::string_view kind = ErasureSelectorName(r.selector);
  if (counts.ok()) {
    spdlog::info(
        "audit: erase partner={} selector={} value={} dry_run={} events={} conversions={} "
        "clicks={}",
        r.partner_id, kind, r.value, r.dry_run, counts->events, counts->conversions,
        counts->clicks);
  } else {
    spdlog::warn("audit: erase partner={} selector={} value={} dry_run={} failed: {}", r.partner_id,
                 kind, r.value, r.dry_run, counts.status().ToString());
  }
}  // destroying `logging` writes the line out

void RunErase(const EraseOptions& o) {
  const int given = (o.client_id ? 1 : 0) + (o.session_id ? 1 : 0) + (o.ip ? 1 : 0);
  if (given != 1) {
    FailCommand("give exactly one of --client-id, --session-id or --ip (" + std::to_string(given) +
                    " given)",
                2);
  }
  CheckTextFlagOrFail("--partner", o.partner);
  ErasureRequest r;
  r.partner_id = o.partner;
  r.dry_run = o.dry_run;
  r.batch_size = static_cast<size_t>(o.batch_size);
  r.pause = std::chrono::milliseconds(o.pause_ms);
  if (o.client_id) {
    r.selector = ErasureSelector::kClientId;
    r.value = *o.client_id;
    CheckTextFlagOrFail("--client-id", r.value, 4096);
  } else if (o.session_id) {
    r.selector = ErasureSelector::kSessionId;
    r.value = *o.session_id;
    CheckTextFlagOrFail("--session-id", r.value, 4096);
  } else {
    r.selector = ErasureSelector::kIp;
    r.value = *o.ip;
    if (!CanonicalIp(r.value)) FailCommand("--ip: '" + *o.ip + "' is not an IP address", 2);
  }

  std::unique_ptr<ErasureStore> store = OpenMigratedStoreOrFail(o.store);
  const Result<ErasureCounts> counts = store->Erase(r);
  Audit(o, r, counts);
  if (!counts.ok()) FailCommand("erase failed: " + counts.status().message());
  const std::string_view kind = ErasureSelectorName(r.selector);
  if (o.json) {
    PrintJsonLine(boost::json::object{{"partner_id", r.partner_id},
                                      {"selector", kind},
                                      {"dry_run", r.dry_run},
                                      {"events", counts->events},
                                      {"conversions", counts->conversions},
                                      {"clicks", counts->clicks}});
  } else {
    fmt::print("{} {}, {} and {} of partner {} ({})\n", r.dry_run ? "would erase" : "erased",
               Rows(counts->events, "event"), Rows(counts->conversions, "conversion"),
               Rows(counts->clicks, "click"), r.partner_id, kind);
  }
}

}  // namespace

void RegisterEraseCommand(CLI::App& root) {
  auto opts = std::make_shared<EraseOptions>();
  CLI::App* e = root.add_subcommand(
      "erase",
      "Erase one person's events, conversions (and, by IP, clicks) of one partner (safe while "
      "serving)");
  e->add_option("--partner", opts->partner, "The partner whose rows are erased")
      ->type_name("ID")
      ->required();
  e->add_option("--client-id", opts->client_id, "Erase the rows with this client_id")
      ->type_name("X");
  e->add_option("--session-id", opts->session_id, "Erase the rows with this session_id")
      ->type_name("S");
  e->add_option("--ip", opts->ip,
                "Erase the rows (clicks too) from this address, stored as it is or anonymized "
                "(serve --ip-anonymize)")
      ->type_name("ADDR");
  e->add_option("--batch-size", opts->batch_size, "Rows deleted per short transaction at most")
      ->check(WholeNumber(1, 100'000))
      ->capture_default_str();
  e->add_option("--pause-ms", opts->pause_ms, "Pause after each delete, in milliseconds")
      ->check(WholeNumber(0, 60'000))
      ->capture_default_str();
  e->add_flag("--dry-run", opts->dry_run, "Count the rows that would be erased, erase nothing");
  e->add_flag("--json", opts->json, "Print one JSON object with the counts");
  e->add_option("--log-format", opts->log_format,
                "Format of the audit line written to stderr: json or text")
      ->envname("THRAD_LOG_FORMAT")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  AddStoreOptions(e, &opts->store);
  e->callback([opts] { RunErase(*opts); });
}

}  // namespace thrad
