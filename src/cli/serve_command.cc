#include "cli/serve_command.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "auth/key_cache.h"
#include "auth/signing_key_ring.h"
#include "auth/tag_ring.h"
#include "cli/command_support.h"
#include "cli/config_file.h"
#include "cli/number_option.h"
#include "cli/startup_summary.h"
#include "cli/store_options.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/logging.h"
#include "enrich/enricher.h"
#include "enrich/geo_db.h"
#include "enrich/ua_classifier.h"
#include "http/access_log.h"
#include "http/api_service.h"
#include "http/metrics.h"
#include "http/refusal_aggregator.h"
#include "http/refusal_flusher.h"
#include "http/server.h"
#include "store/delayed_store.h"
#include "store/group_commit_writer.h"
#include "store/rollup_folder.h"
#include "store/store_health.h"

namespace thrad {
namespace {

// The options bind to the fields of the structs they configure, so every default is written
// once, where the struct declares it, and is what `serve --help` shows.
struct ServeOptions {
  StoreConfig store;
  ServerConfig server;
  GroupCommitOptions writer;
  ServiceConfig service;
  LoggingOptions logging;
  std::chrono::milliseconds key_cache_ttl = KeyCache::kDefaultTtl;
  // Text that Serve parses into the structs above; the defaults are theirs.
  std::string listen = server.host + ":" + std::to_string(server.port);
  std::string log_format{LogFormatName(logging.format)};
  std::string sqlite_sync = "pipelined";  // serve's own default: other commands sync inline
  std::string click_ttl = std::to_string(service.click_ttl.count() / 86400) + "d";
  std::string port_file;
  std::string config_file;
  // Enrichment (docs/operations.md "Geo and device"): an MMDB file (none: no geo), the
  // uap-core regexes ("off": no device fields), the parse cache, and anonymized IPs.
  std::string geoip_db;
  std::string ua_regexes = "/usr/share/uap-core/regexes.yaml";
  int64_t ua_cache_size = 10'000;
  bool ip_anonymize = false;
  int64_t debug_commit_delay_ms = 0;  // tests only: a deliberately slow store
  std::string startup_summary;        // the first log line (StartupSummary)
};

// Upper bound of every timeout option: an hour (longer is a mistake, not a setting).
constexpr int64_t kMaxTimeoutMs = 3'600'000;

// How a bool default is shown in --help.
const char* BoolText(bool value) { return value ? "true" : "false"; }

// An option in whole milliseconds (INT in --help) bound to `field`, whose value now is the
// default shown.
CLI::Option* AddMillisOption(CLI::App* cmd, const std::string& name,
                             std::chrono::milliseconds* field, const std::string& description) {
  return cmd
      ->add_option_function<int64_t>(
          name, [field](const int64_t& ms) { *field = std::chrono::milliseconds(ms); }, description)
      ->default_str(std::to_string(field->count()));
}

// "HOST:PORT", "[v6]:PORT" or ":PORT" (loopback).
Status ParseListen(const std::string& text, ServerConfig& out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen wants HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "127.0.0.1";
  const std::string port = text.substr(colon + 1);
  char* end = nullptr;
  const long value = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 0 || value > 65535) {
    return Status::InvalidArgument("--listen port must be 0-65535, got '" + port + "'");
  }
  out.host = host;
  out.port = static_cast<uint16_t>(value);
  return Status::Ok();
}

// Writes the bound port for tests and scripts: to a temp file, then renamed into place,
// so a reader never sees a partial number.
Status WritePortFile(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << port << "\n";
    if (!f) return Status::IoError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

void FlushKeyUsage(KeyCache& keys, KeyStore& store) {
  auto usage = keys.DrainUsage();
  if (usage.empty()) return;
  Status st = store.TouchKeys(usage);
  if (!st.ok()) spdlog::warn("could not record keys' last use: {}", st.ToString());
}

int Serve(ServeOptions& o) {
  umask(077);  // the database, its WAL and backups are readable by the owner only
  Result<LogFormat> log_format = ParseLogFormat(o.log_format);
  if (!log_format.ok()) FailCommand(log_format.status(), 2);
  o.logging.format = *log_format;
  auto logging = Logging::Start(o.logging);
  if (!logging.ok()) FailCommand(logging.status(), 2);
  spdlog::info("{}", o.startup_summary);
  std::optional<AccessLog> access_log;  // writes into `logging`'s buffer; outlives `service`
  if (LogFlusher* lines = (*logging)->access_lines()) {
    // At debug (or trace) a refused request's line says why.
    const bool error_details = o.logging.level == "debug" || o.logging.level == "trace";
    access_log.emplace(*log_format, lines, error_details);
  }
  Status st = ParseListen(o.listen, o.server);
  if (!st.ok()) FailCommand(st, 2);
  Result<int64_t> click_ttl = ParseDurationMicros(o.click_ttl);
  if (!click_ttl.ok() || *click_ttl < 1'000'000) {
    FailCommand(Status::InvalidArgument("--click-ttl: expected a duration of at least 1s such as "
                                        "90d, 12h or 3600s, got '" +
                                        o.click_ttl + "'"),
                2);
  }
  o.service.click_ttl = std::chrono::seconds(*click_ttl / 1'000'000);

  std::unique_ptr<GeoResolver> geo;
  if (!o.geoip_db.empty()) {
    auto opened = GeoResolver::Open(o.geoip_db);
    if (!opened.ok())
      FailCommand(Status::InvalidArgument("--geoip-db: " + opened.status().message()), 2);
    geo = std::move(*opened);
  }
  std::unique_ptr<UaClassifier> ua;
  if (o.ua_regexes != "off") {
    auto loaded = UaClassifier::Load(o.ua_regexes, static_cast<size_t>(o.ua_cache_size));
    if (!loaded.ok()) {
      FailCommand(Status::InvalidArgument("--ua-regexes: " + loaded.status().message() +
                                          " (install Debian's uap-core, or pass --ua-regexes off)"),
                  2);
    }
    ua = std::move(*loaded);
  }
  const Enricher enricher(geo.get(), ua.get(), o.ip_anonymize);

  o.store.sqlite_pipelined_sync = o.sqlite_sync == "pipelined";
  auto store = OpenMigratedStore(o.store, IfMissing::kCreate);
  if (!store.ok()) FailCommand(store.status());
  std::unique_ptr<WriteStore> delayed;
  if (o.debug_commit_delay_ms > 0) {
    spdlog::warn("debug: every commit is delayed by {} ms", o.debug_commit_delay_ms);
    delayed =
        std::make_unique<DelayedStore>(**store, std::chrono::milliseconds(o.debug_commit_delay_ms));
  }
  Store& db = **store;
  WriteStore& writes = delayed ? *delayed : db;

  Metrics metrics;
  metrics.queue_capacity = o.writer.max_queue;
  metrics.log_dropped = [log = logging->get()] { return log->dropped(); };
  if (ua) {
    metrics.ua_parses = [c = ua.get()] { return c->CacheMisses(); };
    metrics.ua_cache_hits = [c = ua.get()] { return c->CacheHits(); };
  }
  if (geo) {
    // SIGHUP re-reads the file; a bad one keeps the database in use (and says why).
    o.server.on_hangup = [&geo, &metrics, path = o.geoip_db] {
      Status reloaded = geo->Reload();
      if (reloaded.ok()) {
        metrics.geoip_reloads_ok.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("geoip database reloaded from {}", path);
      } else {
        metrics.geoip_reloads_failed.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("geoip database not reloaded, the old one stays in use: {}",
                      reloaded.ToString());
      }
    };
  }
  // The writer and the key cache both report into it: a failing key look-up makes the store
  // unhealthy for /readyz as much as a failing commit.
  StoreHealth health;
  KeyCache keys(db, SystemClock::Instance(), o.key_cache_ttl);
  SigningKeyRing signing_keys(db, SystemClock::Instance());
  // Browser tags (TAG.md): re-read every 2 s, so a change by any process reaches every server
  // within 5 s.
  TagRing tags(db, SystemClock::Instance());
  keys.ReportHealthTo(&health);
  GroupCommitWriter writer(writes, o.writer);
  writer.ReportHealthTo(&health);
  writer.SetCommitObserver([&metrics](size_t ops, std::chrono::nanoseconds latency, bool ok) {
    metrics.ObserveCommit(ops, latency, ok);
  });
  writer.SetPeriodicTask(std::chrono::milliseconds(1000), [&keys, &db] {
    FlushKeyUsage(keys, db);
    keys.ProbeIfFailing();
  });
  writer.Start();

  o.service.access_log = access_log ? &*access_log : nullptr;
  o.service.store_health = &health;
  o.service.enricher = &enricher;
  // Diagnostics (REPORTS.md section 5): refusals gathered in memory, flushed about once a
  // second through the writer, and once more at shutdown before the writer stops.
  RefusalAggregator refusals;
  o.service.refusals = &refusals;
  RefusalFlusher refusal_flusher(refusals, writer, SystemClock::Instance());
  ApiService service({.keys = keys,
                      .signing_keys = signing_keys,
                      .tags = tags,
                      .clicks = db,
                      .reports = db,
                      .writer = writer,
                      .metrics = metrics,
                      .clock = SystemClock::Instance()},
                     o.service);
  Server server(o.server, service);
  st = server.Listen();
  if (!st.ok()) {
    writer.Stop();
    FailCommand(st);
  }
  if (!o.port_file.empty()) {
    st = WritePortFile(o.port_file, server.port());
    if (!st.ok()) {
      writer.Stop();
      FailCommand(st);
    }
  }
  spdlog::info("listening on {}:{} with {} threads, store {}", o.server.host, server.port(),
               o.server.threads, o.store.database_url.empty() ? o.store.sqlite_path : "postgresql");
  refusal_flusher.Start();
  // PostgreSQL's write transactions append their rollup counters; this moves them into the
  // rollups about once a second (schema/postgres/009_rollup_pending.sql). SQLite adds them in
  // the write transaction: nothing to fold.
  RollupFolder rollup_folder(db);
  if (!o.store.database_url.empty()) rollup_folder.Start();
  server.Run();
  rollup_folder.Stop();
  refusal_flusher.Stop();  // the refusals of the last second, before the writer stops
  writer.Stop();           // commits whatever is still queued
  FlushKeyUsage(keys, db);
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& root) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = root.add_subcommand("serve", "Run the HTTP server (creates/migrates the schema)");
  AddStoreOptions(cmd, &opts->store);
  cmd->add_option("--listen", opts->listen, "Address to listen on, HOST:PORT (port 0: any free)")
      ->envname("THRAD_LISTEN")
      ->capture_default_str();
  cmd->add_option("--threads", opts->server.threads, "I/O threads")
      ->envname("THRAD_THREADS")
      ->check(WholeNumber(1, 256))
      ->capture_default_str();
  cmd->add_option("--body-limit", opts->server.body_limit,
                  "Largest request body in bytes; larger bodies get 413")
      ->envname("THRAD_BODY_LIMIT")
      ->check(WholeNumber(1, int64_t{64} << 20))
      ->capture_default_str();
  cmd->add_option("--batch-body-limit", opts->server.batch_body_limit,
                  "Largest POST /v1/api/collect/batch body in bytes; larger bodies get 413")
      ->envname("THRAD_BATCH_BODY_LIMIT")
      ->check(WholeNumber(1, int64_t{64} << 20))
      ->capture_default_str();
  cmd->add_flag("--trust-proxy", opts->service.trust_proxy,
                "Take the client IP from the first X-Forwarded-For hop (behind a proxy only)")
      ->envname("THRAD_TRUST_PROXY")
      ->default_str(BoolText(opts->service.trust_proxy));
  AddMillisOption(cmd, "--key-cache-ttl-ms", &opts->key_cache_ttl,
                  "How long a key lookup is cached; bounds how late a revocation is seen")
      ->envname("THRAD_KEY_CACHE_TTL_MS")
      ->check(WholeNumber(0, 5000));
  AddMillisOption(cmd, "--header-timeout-ms", &opts->server.header_timeout,
                  "Time for a request's headers to arrive (slow clients are cut off)")
      ->envname("THRAD_HEADER_TIMEOUT_MS")
      ->check(WholeNumber(1, kMaxTimeoutMs));
  AddMillisOption(cmd, "--body-timeout-ms", &opts->server.body_timeout,
                  "Time for a request body to arrive")
      ->envname("THRAD_BODY_TIMEOUT_MS")
      ->check(WholeNumber(1, kMaxTimeoutMs));
  AddMillisOption(cmd, "--idle-timeout-ms", &opts->server.idle_timeout,
                  "Idle keep-alive connections are closed after this")
      ->envname("THRAD_IDLE_TIMEOUT_MS")
      ->check(WholeNumber(1, kMaxTimeoutMs));
  cmd->add_option("--max-connections", opts->server.max_connections,
                  "Open connections beyond this are answered 503 and closed")
      ->envname("THRAD_MAX_CONNECTIONS")
      ->check(WholeNumber(1, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--max-header-fields", opts->server.max_header_fields,
                  "Requests with more header fields than this get 431")
      ->envname("THRAD_MAX_HEADER_FIELDS")
      ->check(WholeNumber(1, 10'000))
      ->capture_default_str();
  cmd->add_option("--max-queue", opts->writer.max_queue,
                  "Writes waiting for the store beyond this are answered 503 at once")
      ->envname("THRAD_MAX_QUEUE")
      ->check(WholeNumber(1, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--max-batch", opts->writer.max_batch, "Most writes one transaction commits")
      ->envname("THRAD_MAX_BATCH")
      ->check(WholeNumber(1, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--max-batch-rows", opts->writer.max_batch_rows,
                  "Most records one transaction commits (a batch request counts its events)")
      ->envname("THRAD_MAX_BATCH_ROWS")
      ->check(WholeNumber(1, 10'000'000))
      ->capture_default_str();
  cmd->add_option("--max-queue-rows", opts->writer.max_queue_rows,
                  "Records waiting for the store beyond this are answered 503 at once")
      ->envname("THRAD_MAX_QUEUE_ROWS")
      ->check(WholeNumber(1, 100'000'000))
      ->capture_default_str();
  AddMillisOption(cmd, "--shutdown-grace-ms", &opts->server.shutdown_grace,
                  "On SIGTERM, how long in-flight requests may take to finish")
      ->envname("THRAD_SHUTDOWN_GRACE_MS")
      ->check(WholeNumber(0, kMaxTimeoutMs));
  AddMillisOption(cmd, "--write-timeout-ms", &opts->server.write_timeout,
                  "Time to write a response before a stalled reader is dropped")
      ->envname("THRAD_WRITE_TIMEOUT_MS")
      ->check(WholeNumber(1, kMaxTimeoutMs));
  AddMillisOption(cmd, "--probe-interval-ms", &opts->writer.probe_interval,
                  "While the store fails, how often it is probed so /readyz recovers")
      ->envname("THRAD_PROBE_INTERVAL_MS")
      ->check(WholeNumber(10, 60'000));
  cmd->add_option("--rate-limit-rps", opts->service.rate_limit.rps,
                  "Default requests per second per API key (token bucket); 0: no limit. Keys "
                  "may override it (keys create/update --rate-limit-rps)")
      ->envname("THRAD_RATE_LIMIT_RPS")
      ->check(Number(0, 1e9))
      ->capture_default_str();
  cmd->add_option("--rate-limit-burst", opts->service.rate_limit.burst,
                  "Default bucket size per API key (requests allowed at once); 0: the rate, "
                  "rounded up")
      ->envname("THRAD_RATE_LIMIT_BURST")
      ->check(WholeNumber(0, 1'000'000'000))
      ->capture_default_str();
  cmd->add_option("--click-ttl", opts->click_ttl,
                  "How long a click takes conversions: its landing parameters' thrad_exp is the "
                  "click time plus this (e.g. 90d, 12h)")
      ->envname("THRAD_CLICK_TTL")
      ->capture_default_str();
  cmd->add_option("--click-rate-limit-rps", opts->service.click_rate_limit.rps,
                  "Clicks per second per client IP on the click redirect (token bucket); past it "
                  "the visitor still lands but no click is stored. 0: no limit")
      ->envname("THRAD_CLICK_RATE_LIMIT_RPS")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  cmd->add_option("--click-rate-limit-burst", opts->service.click_rate_limit.burst,
                  "Clicks allowed at once per client IP; 0: the rate, rounded up")
      ->envname("THRAD_CLICK_RATE_LIMIT_BURST")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}))
      ->capture_default_str();
  cmd->add_option("--tag-rate-limit-rps", opts->service.tag_rate_limit.rps,
                  "Browser tag requests (/v1/t/) per second per client IP (token bucket); past "
                  "it 429 with Retry-After. 0: no limit")
      ->envname("THRAD_TAG_RATE_LIMIT_RPS")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  cmd->add_option("--tag-rate-limit-burst", opts->service.tag_rate_limit.burst,
                  "Browser tag requests allowed at once per client IP; 0: the rate, rounded up")
      ->envname("THRAD_TAG_RATE_LIMIT_BURST")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}))
      ->capture_default_str();
  cmd->add_option("--geoip-db", opts->geoip_db,
                  "An MMDB city or country database (GeoLite2, DB-IP Lite) for the geo_* fields "
                  "of every row; SIGHUP reloads it. Unset: geo fields are null")
      ->envname("THRAD_GEOIP_DB");
  cmd->add_option("--ua-regexes", opts->ua_regexes,
                  "uap-core's regexes.yaml, for the ua_* fields, is_bot and the click "
                  "redirect's bot filter; off: no device fields")
      ->envname("THRAD_UA_REGEXES")
      ->capture_default_str();
  cmd->add_option("--ua-cache-size", opts->ua_cache_size,
                  "Distinct user agents whose parse is kept (LRU)")
      ->envname("THRAD_UA_CACHE_SIZE")
      ->check(WholeNumber(1, 10'000'000))
      ->capture_default_str();
  cmd->add_flag("--ip-anonymize", opts->ip_anonymize,
                "Store client IPs without their last octet (IPv4) or last 80 bits (IPv6), after "
                "the geo look-up")
      ->envname("THRAD_IP_ANONYMIZE")
      ->default_str(BoolText(opts->ip_anonymize));
  cmd->add_option("--sqlite-sync", opts->sqlite_sync,
                  "SQLite: pipelined (a thread of its own syncs the WAL while the next "
                  "transaction is built) or inline (each COMMIT syncs). Both answer only "
                  "after the sync")
      ->envname("THRAD_SQLITE_SYNC")
      ->check(CLI::IsMember({"pipelined", "inline"}))
      ->capture_default_str();
  cmd->add_option("--port-file", opts->port_file,
                  "Write the bound port to this file once listening (for scripts and tests)")
      ->envname("THRAD_PORT_FILE");
  cmd->add_option("--log-level", opts->logging.level, "trace, debug, info, warn, error, off")
      ->envname("THRAD_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  cmd->add_option("--log-format", opts->log_format,
                  "json (one object per line) or text, for the access log and every other line")
      ->envname("THRAD_LOG_FORMAT")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->add_option("--access-log", opts->logging.access_log,
                  "One line per request (at level info): true or false")
      ->envname("THRAD_ACCESS_LOG")
      ->default_str(BoolText(opts->logging.access_log));
  // Parsed as an int64 (INT in --help, range-checked) into the size_t field.
  cmd->add_option<size_t, int64_t>(
         "--log-queue-size", opts->logging.queue_size,
         "Log lines waiting for output; lines past it are dropped (the newest, counted "
         "in thrad_log_dropped_total): requests never wait for output")
      ->envname("THRAD_LOG_QUEUE_SIZE")
      ->check(WholeNumber(16, 1'048'576))
      ->default_str(std::to_string(opts->logging.queue_size));
  cmd->add_option("--config", opts->config_file,
                  "Read settings from this TOML/INI file (name = value, names as the long "
                  "flags). Precedence: flag > THRAD_* env > file > default")
      ->envname("THRAD_CONFIG")
      ->type_name("FILE")
      ->configurable(false);
  // Tests only (hidden): sleep before every commit, to provoke a full queue.
  cmd->add_option("--debug-commit-delay-ms", opts->debug_commit_delay_ms, "")
      ->check(WholeNumber(0, 60'000))
      ->group("");
  cmd->callback([opts, cmd] {
    if (!opts->config_file.empty()) {
      Status applied = ApplyConfigFile(cmd, opts->config_file);
      if (!applied.ok()) FailCommand(applied, 2);
    }
    opts->startup_summary = StartupSummary(*cmd, opts->config_file);
    const int rc = Serve(*opts);
    if (rc != 0) FailCommand("server failed", rc);
  });
}

}  // namespace thrad
