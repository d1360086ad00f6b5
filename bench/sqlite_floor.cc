// What SQLite alone costs to store bench/run's rows, with no server around it: the floor under
// the `store` column of bench/run's SQLite targets (issue 18's store targets). It copies the
// schema of a store made by thrad-events (every migration) into a fresh database, then inserts
// the rows bench/run's Lua scripts make the server store, the way the writer does:
//
//   events       batch collect: 32 rows per INSERT ... ON CONFLICT DO NOTHING (the writer's
//                multi-row statement), ROWS_PER_COMMIT rows per transaction;
//   collect      collect: one single-row INSERT per event;
//   conversions  conversion: the click's SELECT (64 clicks, as bench/conversion.lua), then the
//                conversion's INSERT ... ON CONFLICT DO NOTHING.
//
// Modes: `memory` (an in-memory database: no journal, no I/O, the B-tree work alone) and
// `wal` (a file in WAL mode with synchronous = FULL, an fdatasync per commit, SQLite's own
// automatic checkpoints: the project's durability, through SQLite's default VFS).
//
// Usage: sqlite_floor SCHEMA_DB WORKLOAD MODE ROWS ROWS_PER_COMMIT PREFILL [WAL_PATH]
// Prints the process's CPU time (user + system) and wall time per row over ROWS rows, after
// PREFILL rows not timed. Built and run by bench/sqlite_floor.
#include <sqlite3.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double Now(clockid_t clock) {
  timespec t;
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

void Check(int rc, sqlite3* db, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::fprintf(stderr, "sqlite_floor: %s: %s\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

void Exec(sqlite3* db, const std::string& sql) {
  Check(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), db, sql.c_str());
}

sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  Check(sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), db,
        sql.c_str());
  return s;
}

void Text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::vector<std::string> SchemaOf(const char* path) {
  sqlite3* src = nullptr;
  Check(sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, nullptr), src, path);
  sqlite3_stmt* s = Prepare(src,
                            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT "
                            "LIKE 'sqlite_%' ORDER BY type = 'table' DESC, rowid");
  std::vector<std::string> out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  }
  sqlite3_finalize(s);
  sqlite3_close(src);
  return out;
}

constexpr const char* kEventColumns =
    "partner_id, key_id, event_name, tag_id, event_id, timestamp, page_url, user_agent, "
    "params_json, channel, client_ip, received_at, ua_browser, ua_os, ua_device, is_bot";
constexpr int kEventColumnCount = 16;
constexpr int kRowsPerStatement = 32;

std::string EventInsert(int rows) {
  std::string row = "(";
  for (int c = 0; c < kEventColumnCount; ++c) row += c == 0 ? "?" : ",?";
  row += ")";
  std::string sql = std::string("INSERT INTO events(") + kEventColumns + ") VALUES ";
  for (int r = 0; r < rows; ++r) sql += (r == 0 ? "" : ",") + row;
  return sql + " ON CONFLICT(partner_id, tag_id, event_id) DO NOTHING";
}

// bench/batch.lua's and bench/collect.lua's event, as the server stores it (its params with
// the server's additions, the device fields of user agent "bench/1").
void BindEvent(sqlite3_stmt* s, int row, long n) {
  const int b = row * kEventColumnCount;
  static const std::string kParams =
      R"({"step":"shipping","cart_value":129.9,"integration":"partner_s2s",)"
      R"("partner_id":"bench","api_key_label":"bench"})";
  Text(s, b + 1, "bench");
  Text(s, b + 2, "key_5cddd69ea14a862b");
  Text(s, b + 3, "page_view");
  Text(s, b + 4, "site:shop.example");
  Text(s, b + 5, "r12345-" + std::to_string(n % 2 + 1) + "-" + std::to_string(n));
  sqlite3_bind_int64(s, b + 6, 1796576986);
  Text(s, b + 7, "https://shop.example/checkout");
  Text(s, b + 8, "bench/1");
  Text(s, b + 9, kParams);
  Text(s, b + 10, "server");
  Text(s, b + 11, "127.0.0.1");
  sqlite3_bind_int64(s, b + 12, 1796576986338870 + n);
  Text(s, b + 13, "Other");
  Text(s, b + 14, "Other");
  Text(s, b + 15, "other");
  sqlite3_bind_int64(s, b + 16, 0);
}

struct Workload {
  sqlite3* db;
  std::string kind;
  sqlite3_stmt* many = nullptr;  // events: 32 rows
  sqlite3_stmt* one = nullptr;   // collect: 1 row; conversions: the INSERT
  sqlite3_stmt* find = nullptr;  // conversions: the click's SELECT
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* commit = nullptr;

  Workload(sqlite3* d, std::string k) : db(d), kind(std::move(k)) {
    if (kind == "events") many = Prepare(db, EventInsert(kRowsPerStatement));
    if (kind == "collect") one = Prepare(db, EventInsert(1));
    if (kind == "conversions") {
      Exec(db, "BEGIN");
      for (int i = 1; i <= 64; ++i) {
        Exec(db,
             "INSERT INTO clicks(partner_id, click_id, bid_id, campaign_id, clicked_at, "
             "tag_id, source) VALUES ('bench', 'clk_bench_" +
                 std::to_string(i) + "', 'bid_" + std::to_string(i) + "', 'cmp_" +
                 std::to_string(i % 8) + "', 1796576000000000, 'site:shop.example', 'api')");
      }
      Exec(db, "COMMIT");
      find = Prepare(db,
                     "SELECT bid_id, campaign_id, clicked_at, tag_id FROM clicks WHERE "
                     "partner_id = ? AND click_id = ?");
      one = Prepare(db,
                    "INSERT INTO conversions(partner_id, key_id, click_id, bid_id, campaign_id, "
                    "conversion_time, value_micros, currency, event_type, order_id, user_agent, "
                    "dedup_key, dedup_source, params_json, client_ip, received_at, click_time, "
                    "ua_browser, ua_os, ua_device, is_bot) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                    "?,?,?,?,?,?,?) ON CONFLICT(partner_id, click_id, event_type, dedup_key) DO "
                    "NOTHING");
    }
  }

  // Stores `count` rows from number `n` on, `per_commit` a transaction.
  void Run(long& n, long count, long per_commit) {
    if (begin == nullptr) begin = Prepare(db, "BEGIN");
    if (commit == nullptr) commit = Prepare(db, "COMMIT");
    for (long done = 0; done < count;) {
      Check(sqlite3_step(begin), db, "BEGIN");
      sqlite3_reset(begin);
      for (long t = 0; t < per_commit && done < count;) {
        const long rows = kind == "events" ? kRowsPerStatement : 1;
        Step(n);
        n += rows;
        t += rows;
        done += rows;
      }
      Check(sqlite3_step(commit), db, "COMMIT");
      sqlite3_reset(commit);
    }
  }

  void Step(long n) {
    if (kind == "events") {
      for (int r = 0; r < kRowsPerStatement; ++r) BindEvent(many, r, n + r);
      Check(sqlite3_step(many), db, "events insert");
      sqlite3_reset(many);
      return;
    }
    if (kind == "collect") {
      BindEvent(one, 0, n);
      Check(sqlite3_step(one), db, "event insert");
      sqlite3_reset(one);
      return;
    }
    const std::string click = "clk_bench_" + std::to_string(n % 64 + 1);
    Text(find, 1, "bench");
    Text(find, 2, click);
    Check(sqlite3_step(find), db, "click select");
    const std::string bid(reinterpret_cast<const char*>(sqlite3_column_text(find, 0)));
    const std::string campaign(reinterpret_cast<const char*>(sqlite3_column_text(find, 1)));
    const int64_t clicked_at = sqlite3_column_int64(find, 2);
    sqlite3_reset(find);
    const std::string id = "r12345-" + std::to_string(n % 2 + 1) + "-" + std::to_string(n);
    Text(one, 1, "bench");
    Text(one, 2, "key_5cddd69ea14a862b");
    Text(one, 3, click);
    Text(one, 4, bid);
    Text(one, 5, campaign);
    sqlite3_bind_int64(one, 6, 1771524000000000);
    sqlite3_bind_int64(one, 7, 49990000);
    Text(one, 8, "USD");
    Text(one, 9, "purchase");
    Text(one, 10, "order-" + id);
    Text(one, 11, "wrk");
    Text(one, 12, "idem-" + id);
    Text(one, 13, "header");
    Text(one, 14, R"({"integration":"partner_s2s","partner_id":"bench","api_key_label":"bench"})");
    Text(one, 15, "127.0.0.1");
    sqlite3_bind_int64(one, 16, 1796576986338870 + n);
    sqlite3_bind_int64(one, 17, clicked_at);
    Text(one, 18, "Other");
    Text(one, 19, "Other");
    Text(one, 20, "other");
    sqlite3_bind_int64(one, 21, 0);
    Check(sqlite3_step(one), db, "conversion insert");
    sqlite3_reset(one);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr,
                 "usage: sqlite_floor SCHEMA_DB events|collect|conversions memory|wal ROWS "
                 "ROWS_PER_COMMIT PREFILL [WAL_PATH]\n");
    return 2;
  }
  const std::string kind = argv[2], mode = argv[3];
  const long rows = std::atol(argv[4]), per_commit = std::atol(argv[5]),
             prefill = std::atol(argv[6]);
  const char* path = mode == "wal" && argc > 7 ? argv[7] : ":memory:";
  // As the server's connections: no memory statistics, no mutexes (one thread), tcmalloc
  // (bench/sqlite_floor links it).
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3* db = nullptr;
  Check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr),
        db, path);
  if (mode == "wal") {
    Exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY");
  } else {
    Exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY");
  }
  for (const std::string& sql : SchemaOf(argv[1])) Exec(db, sql);
  Workload w(db, kind);
  long n = 0;
  w.Run(n, prefill, per_commit);
  const double cpu0 = Now(CLOCK_PROCESS_CPUTIME_ID), wall0 = Now(CLOCK_MONOTONIC);
  const long first = n;
  w.Run(n, rows, per_commit);
  const double done = static_cast<double>(n - first);
  std::printf(
      "%-11s %-6s %8ld rows, %5ld a commit, after %7ld: cpu %6.2f us/row, wall %6.2f us/row\n",
      kind.c_str(), mode.c_str(), n - first, per_commit, prefill,
      (Now(CLOCK_PROCESS_CPUTIME_ID) - cpu0) * 1e6 / done,
      (Now(CLOCK_MONOTONIC) - wall0) * 1e6 / done);
  sqlite3_close(db);
  return 0;
}
