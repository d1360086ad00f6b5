#!/usr/bin/env python3
"""The reports benchmark (issue 15): how fast the four reports answer on a store of 10M events,
1M clicks and 200k conversions over 90 days, against the same numbers computed by a GROUP BY
over the raw rows, in the same run. Run through bench/reports (which builds the binary and
starts PostgreSQL); see docs/benchmarks.md for what it printed.

The store is built as an old store would be upgraded: every migration before the rollups is
applied, the raw rows are inserted by SQL, then the binary's own migration builds the rollups
of the rows already stored (timed: that is the upgrade's cost). One partner holds everything
(the worst case for one partner's report). The SQLite store is cached by schema and scale.

Each report is called BENCH_CALLS (20) times over the last 30 days of the data, by day, with a
group-by, on one keep-alive connection (in UTC, and the clicks and campaigns reports again in
America/New_York, whose days cross a DST change there), after one call that warms up and is
shown apart (`1st`: the first of its report since the server started, before the store's pages
are in its cache); the raw GROUP BY runs BENCH_RAW_RUNS (3) times on its own connection to the
same store and its median is kept. The totals of both are compared, so a
wrong report fails the run instead of looking fast.
"""

import argparse
import datetime
import hashlib
import http.client
import json
import os
import pathlib
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo

ROOT = pathlib.Path(__file__).resolve().parent.parent
DAY_US = 86_400_000_000
START = datetime.datetime(2026, 9, 1, tzinfo=datetime.timezone.utc)  # 90 days: Sep 1 - Nov 29
START_US = int(START.timestamp()) * 1_000_000
SPAN_US = 90 * DAY_US
PARTNER = "bench"
ROLLUP_VERSION = {"sqlite": 8, "postgres": 6}  # the migration that adds the rollups
TARGET_P95_MS = {"sqlite": 50, "postgres": 100}
SPEEDUP_TARGET = 50


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def scale_counts(scale):
    return {"events": int(10_000_000 * scale), "clicks": int(1_000_000 * scale),
            "conversions": int(200_000 * scale)}


def migrations(kind):
    out = []
    for p in sorted((ROOT / "schema" / kind).glob("*.sql")):
        version = int(p.name.split("_", 1)[0])
        if version < ROLLUP_VERSION[kind]:
            out.append((version, p.read_text()))
    return out


# The raw rows. `seq(n)` is the dialect's 1..n series as a table of `i`; the dimensions cycle
# with co-prime strides so that every combination occurs. Events: 10 tags x 8 names; clicks:
# 200 campaigns x 20 publisher tags, 10 % filtered; conversions on every fifth click, 3 event
# types, 3 currencies, latencies from 0 to about 42 days.
def data_sql(n, seq, kind):
    ev_step = SPAN_US // n["events"]
    ck_step = SPAN_US // n["clicks"]
    every = n["clicks"] // n["conversions"]
    return [f"""
INSERT INTO events(partner_id, key_id, event_name, tag_id, event_id, page_url, user_agent,
                   params_json, channel, client_ip, received_at)
SELECT '{PARTNER}', 'key_bench',
       CASE i % 8 WHEN 0 THEN 'page_view' WHEN 1 THEN 'view_item' WHEN 2 THEN 'add_to_cart'
         WHEN 3 THEN 'begin_checkout' WHEN 4 THEN 'search' WHEN 5 THEN 'sign_up'
         WHEN 6 THEN 'login' ELSE 'purchase' END,
       'site-' || ((i * 7) % 10), 'ev-' || i, 'https://shop.example/p', 'bench/1',
       '{{}}', 'server', '127.0.0.1', {START_US} + i * {ev_step}
FROM {seq(n["events"])}""", f"""
INSERT INTO clicks(partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, exp, source,
                   filter_reason)
SELECT '{PARTNER}', 'clk-' || i, 'bid-' || i, 'cmp-' || (i % 200), {START_US} + i * {ck_step},
       'pub-' || ((i * 3) % 20), ({START_US} + i * {ck_step}) / 1000000 + 2592000, 'api',
       CASE WHEN i % 10 = 3 THEN 'bot' END
FROM {seq(n["clicks"])}""", f"""
INSERT INTO conversions(partner_id, key_id, click_id, bid_id, campaign_id, conversion_time,
                        value_micros, currency, event_type, dedup_key, dedup_source,
                        params_json, client_ip, received_at, click_time)
SELECT '{PARTNER}', 'key_bench', 'clk-' || c, 'bid-' || c, 'cmp-' || (c % 200),
       t + (i % 1000) * 3600000000, (i * 7919) % 500000000,
       CASE i % 3 WHEN 0 THEN 'USD' WHEN 1 THEN 'EUR' ELSE 'GBP' END,
       CASE i % 7 WHEN 0 THEN 'lead' WHEN 1 THEN 'sign_up' ELSE 'purchase' END,
       'ord-' || i, 'order_id', '{{}}', '127.0.0.1', t + (i % 1000) * 3600000000, t
FROM (SELECT i, i * {every} AS c, {START_US} + i * {every} * {ck_step} AS t
      FROM {seq(n["conversions"])}) AS s"""]


def build_sqlite(binary, n, cache):
    digest = hashlib.sha256()
    for p in sorted((ROOT / "schema" / "sqlite").glob("*.sql")):  # later ones: serve applies
        if int(p.name.split("_", 1)[0]) <= ROLLUP_VERSION["sqlite"]:
            digest.update(p.read_bytes())
    digest.update(json.dumps(n, sort_keys=True).encode() + data_sql(n, lambda k: "", "sqlite")[0].encode())
    path = cache / f"reports-{digest.hexdigest()[:12]}.db"
    key_file = path.with_suffix(".key")
    info_file = path.with_suffix(".json")
    if path.exists() and key_file.exists():
        return path, key_file.read_text().strip(), json.loads(info_file.read_text())
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(str(tmp) + suffix).unlink(missing_ok=True)
    log(f"reports: building the SQLite store ({n}); cached as {path}")
    t0 = time.monotonic()
    db = sqlite3.connect(tmp, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
               "applied_at INTEGER NOT NULL)")
    for version, sql in migrations("sqlite"):
        db.executescript("BEGIN;" + sql + f";INSERT INTO schema_migrations VALUES({version}, 0);"
                         "COMMIT;")
    seq = lambda k: ("(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
                     f"WHERE i < {k}) SELECT i FROM s)")
    db.execute("BEGIN")
    for stmt in data_sql(n, seq, "sqlite"):
        db.execute(stmt)
    db.execute("INSERT INTO event_spans SELECT min(id), max(id), min(received_at), "
               "max(received_at) FROM events")
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    raw_s = time.monotonic() - t0
    key, migrate_s = create_key_and_migrate(binary, ["--db", str(tmp)])
    info = {"raw_insert_s": round(raw_s, 1), "rollup_migration_s": round(migrate_s, 1),
            "size_mb": round(os.path.getsize(tmp) / 1e6)}
    shutil.move(tmp, path)
    key_file.write_text(key)
    info_file.write_text(json.dumps(info))
    return path, key, info


def psql(url, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url], input=sql.encode(),
                   check=True, stdout=subprocess.DEVNULL)


def build_postgres(binary, n, admin_url):
    db_url = re.sub(r"/[^/]*$", "/thrad_bench_reports", admin_url)
    psql(admin_url, "DROP DATABASE IF EXISTS thrad_bench_reports; "
                    "CREATE DATABASE thrad_bench_reports;")
    log(f"reports: building the PostgreSQL store ({n})")
    t0 = time.monotonic()
    sql = ["CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at bigint "
           "NOT NULL);"]
    for version, m in migrations("postgres"):
        sql.append(m + f";\nINSERT INTO schema_migrations VALUES({version}, 0);")
    psql(db_url, "\n".join(sql))
    seq = lambda k: f"generate_series(1::bigint, {k}) AS g(i)"
    psql(db_url, ";\n".join(data_sql(n, seq, "postgres")) + ";\nVACUUM ANALYZE;")
    raw_s = time.monotonic() - t0
    key, migrate_s = create_key_and_migrate(binary, ["--database-url", db_url])
    psql(db_url, "VACUUM ANALYZE;")
    return db_url, key, {"raw_insert_s": round(raw_s, 1), "rollup_migration_s": round(migrate_s, 1)}


def create_key_and_migrate(binary, store_args):
    """The first command on the old store migrates it: the rollups of every stored row."""
    t0 = time.monotonic()
    out = subprocess.run([binary, "keys", "create", "--partner", PARTNER, "--label", "reports",
                          "--scopes", "reports", "--json", *store_args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["key"], time.monotonic() - t0


class Server:
    def __init__(self, binary, store_args, work):
        port_file = pathlib.Path(work) / "port"
        self.proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--port-file",
                                      str(port_file), *store_args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("reports: the server did not start")
            time.sleep(0.05)
        self.port = int(port_file.read_text().strip())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


# What each report is asked: the last 30 days of the data, by day, and its group-by.
# (kind, group_by, tz). New York's days (a DST change on Nov 1 inside the range) are read as
# UTC days corrected by hour rows (docs/architecture.md "The hour level").
NY = "America/New_York"
REPORTS = [("events", "event_name", "UTC"), ("clicks", "campaign_id", "UTC"),
           ("conversions", "currency", "UTC"), ("campaigns", "campaign_id", "UTC"),
           ("clicks", "campaign_id", NY), ("campaigns", "campaign_id", NY)]


def report_range():
    end = START + datetime.timedelta(days=89)  # the last whole day of the data
    first = end - datetime.timedelta(days=29)
    return first.date().isoformat(), end.date().isoformat()


def time_reports(port, key, calls):
    first, last = report_range()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out = {}
    for kind, group, tz in REPORTS:
        path = (f"/v1/api/reports/{kind}?from={first}&to={last}&granularity=day"
                f"&group_by={group}&tz={tz}")
        times, body = [], None
        for _ in range(calls + 1):  # the first call warms up, timed apart (first_ms)
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Bearer {key}"})
            resp = conn.getresponse()
            data = resp.read()
            times.append((time.perf_counter() - t0) * 1000)
            if resp.status != 200:
                raise SystemExit(f"reports: {path}: {resp.status} {data[:200]!r}")
            body = json.loads(data)
        out[(kind, tz)] = (times[1:], body, times[0])
    conn.close()
    return out


def p95(values):
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)]


def local_micros(date, tz):
    """The first instant of `date` (YYYY-MM-DD) in the zone `tz`, in Unix microseconds."""
    day = datetime.date.fromisoformat(date)
    start = datetime.datetime(day.year, day.month, day.day, tzinfo=zoneinfo.ZoneInfo(tz))
    return int(start.timestamp()) * 1_000_000


def offset_micros(t, tz):
    moment = datetime.datetime.fromtimestamp(t / 1e6, zoneinfo.ZoneInfo(tz))
    return int(moment.utcoffset().total_seconds()) * 1_000_000


def local_day_sql(col, tz, lo, hi):
    """The local day number of `col` in `tz` between lo and hi, as SQL both stores run: the
    zone's offset changes found by bisection over hours (the raw side must not share the
    report's time-zone code), then one CASE."""
    changes, t = [], lo
    while t < hi:
        nxt = min(t + 3_600_000_000, hi)
        if offset_micros(nxt, tz) != offset_micros(t, tz):
            a, b = t, nxt  # the change is in (a, b]
            while b - a > 1_000_000:
                m = (a + b) // 2
                a, b = (m, b) if offset_micros(m, tz) == offset_micros(t, tz) else (a, m)
            changes.append(b)
        t = nxt
    expr = str(offset_micros(lo, tz))
    for at in changes:
        expr = f"CASE WHEN {col} < {at} THEN {expr} ELSE {offset_micros(at, tz)} END"
    return f"(({col} + ({expr})) / {DAY_US})"


# The same numbers from the raw rows: one GROUP BY per report (two for campaigns), by the
# report's local days.
def raw_queries(kind, tz):
    first, last = report_range()
    lo = local_micros(first, tz)
    hi = local_micros((datetime.date.fromisoformat(last) + datetime.timedelta(days=1)).isoformat(),
                      tz)
    day = lambda col: local_day_sql(col, tz, lo, hi)
    ev_t = "coalesce(timestamp * 1000000, received_at)"
    lat = "conversion_time - click_time"
    where = lambda col: f"partner_id = '{PARTNER}' AND {col} >= {lo} AND {col} < {hi}"
    q = {
        "events": [f"SELECT {day(ev_t)} AS d, event_name, count(*) FROM events "
                   f"WHERE {where(ev_t)} GROUP BY d, event_name"],
        "clicks": [f"SELECT {day('clicked_at')} AS d, campaign_id, count(*), count(filter_reason) "
                   f"FROM clicks WHERE {where('clicked_at')} GROUP BY d, campaign_id"],
        "conversions": [f"SELECT {day('conversion_time')} AS d, currency, count(*), "
                        f"sum(value_micros), "
                        f"count(CASE WHEN {lat} < 0 THEN 1 END), "
                        f"count(CASE WHEN {lat} >= 0 AND {lat} <= 3600000000 THEN 1 END), "
                        f"count(CASE WHEN {lat} > 3600000000 AND {lat} <= 86400000000 THEN 1 END), "
                        f"count(CASE WHEN {lat} > 86400000000 AND {lat} <= 604800000000 THEN 1 END), "
                        f"count(CASE WHEN {lat} > 604800000000 AND {lat} <= 2592000000000 THEN 1 END), "
                        f"count(CASE WHEN {lat} > 2592000000000 THEN 1 END) "
                        f"FROM conversions WHERE {where('conversion_time')} "
                        f"GROUP BY d, currency"],
        "campaigns": [f"SELECT {day('clicked_at')} AS d, campaign_id, count(*), "
                      f"count(filter_reason) FROM clicks WHERE {where('clicked_at')} "
                      f"GROUP BY d, campaign_id",
                      f"SELECT {day('conversion_time')} AS d, campaign_id, count(*), "
                      f"sum(value_micros) FROM conversions "
                      f"WHERE {where('conversion_time')} GROUP BY d, campaign_id"],
    }
    return q[kind]


def time_raw_sqlite(conn, kind, tz, runs):
    times, rows = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        rows = [conn.execute(sql).fetchall() for sql in raw_queries(kind, tz)]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), rows


def time_raw_postgres(url, kind, tz, runs):
    """Each query `runs` times in one psql session, timed by the server (psql's \\timing), so
    that psql's own start is not counted; a run's time is the sum over the report's queries."""
    per_run, rows = [0.0] * runs, []
    for query in raw_queries(kind, tz):
        script = "\\timing on\n" + (query + ";\n") * runs
        out = subprocess.run(["psql", "-X", "-A", "-t", "-d", url], input=script, check=True,
                             capture_output=True, text=True).stdout.splitlines()
        ms = [float(l.split()[1]) for l in out if l.startswith("Time: ")]
        data = [l.split("|") for l in out if l and not l.startswith(("Time: ", "Timing is"))]
        per_run = [t + m for t, m in zip(per_run, ms)]
        rows.append(data[len(data) - len(data) // runs:])  # the last run's rows
    return statistics.median(per_run), rows


def totals_match(kind, body, raw):
    """The report's total count equals the raw GROUP BY's: a fast wrong answer fails."""
    metric = {"events": "events", "clicks": "clicks", "conversions": "conversions",
              "campaigns": "clicks"}[kind]
    api = sum(int(r[metric]) for r in body["rows"])
    rawn = sum(int(r[2]) for r in raw[0])
    if kind == "campaigns":
        api_conv = sum(int(r["conversions"]) for r in body["rows"])
        raw_conv = sum(int(r[2]) for r in raw[1])
        return api == rawn and api_conv == raw_conv, f"{api}/{api_conv} vs {rawn}/{raw_conv}"
    return api == rawn, f"{api} vs {rawn}"


def run_store(kind, binary, n, args, work):
    if kind == "sqlite":
        path, key, info = build_sqlite(binary, n, pathlib.Path(args.cache))
        store_args = ["--db", str(path)]
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        time_raw = lambda report, tz: time_raw_sqlite(conn, report, tz, args.raw_runs)
    else:
        url, key, info = build_postgres(binary, n, os.environ["THRAD_BENCH_PG_URL"])
        store_args = ["--database-url", url]
        time_raw = lambda report, tz: time_raw_postgres(url, report, tz, args.raw_runs)
    log(f"reports: {kind} store ready: {info}")
    server = Server(binary, store_args, work)
    try:
        timed = time_reports(server.port, key, args.calls)
    finally:
        server.stop()
    results = []
    for report, _, tz in REPORTS:
        times, body, first_ms = timed[(report, tz)]
        raw_ms, raw_rows = time_raw(report, tz)
        ok, detail = totals_match(report, body, raw_rows)
        if not ok:
            raise SystemExit(f"reports: {kind} {report} {tz}: report and raw GROUP BY differ: "
                             f"{detail}")
        results.append((report, first_ms, statistics.median(times), p95(times), max(times),
                        raw_ms, len(body["rows"]), detail))
    return info, results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--stores", default="sqlite postgres")
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE", "/tmp/thrad-bench-cache"))
    ap.add_argument("--calls", type=int, default=int(os.environ.get("BENCH_CALLS", "20")))
    ap.add_argument("--raw-runs", type=int, default=int(os.environ.get("BENCH_RAW_RUNS", "3")))
    ap.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    args = ap.parse_args()
    n = scale_counts(args.scale)
    first, last = report_range()
    print(f"reports benchmark: {n['events']:,} events, {n['clicks']:,} clicks, "
          f"{n['conversions']:,} conversions over 90 days, one partner; each report "
          f"{args.calls} x from={first} to={last} granularity=day with a group_by; raw GROUP BY "
          f"median of {args.raw_runs}")
    failed = False
    with tempfile.TemporaryDirectory() as work:
        for kind in args.stores.split():
            info, results = run_store(kind, args.bin, n, args, work)
            print(f"\n{kind}: store built in {info['raw_insert_s']} s (raw rows), rollups built "
                  f"by the migration in {info['rollup_migration_s']} s")
            print(f"{'report (group_by)':<28} {'rows':>5} {'1st ms':>8} {'p50 ms':>8} "
                  f"{'p95 ms':>8} {'max ms':>8} {'raw GROUP BY ms':>16} {'x faster':>9}  "
                  f"counts (report vs raw)")
            for (report, first_ms, p50, p95v, mx, raw_ms, rows, detail), (_, group, tz) in zip(
                    results, REPORTS):
                speedup = raw_ms / p95v
                label = f"{report} ({group})" + ("" if tz == "UTC" else f" {tz.split('/')[-1]}")
                print(f"{label:<28} {rows:>5} {first_ms:>8.1f} {p50:>8.1f} {p95v:>8.1f} "
                      f"{mx:>8.1f} {raw_ms:>16.1f} {speedup:>9.1f}  {detail}")
                if p95v > TARGET_P95_MS[kind] or speedup < SPEEDUP_TARGET:
                    failed = True
            print(f"targets: p95 <= {TARGET_P95_MS[kind]} ms, >= {SPEEDUP_TARGET} x the raw "
                  f"GROUP BY (x faster = raw median / report p95); 1st = the call before the "
                  f"{args.calls} timed ones, the first of its report since the server started")
    print("\nreports benchmark: " + ("a target missed" if failed else "every target met"))


if __name__ == "__main__":
    main()
