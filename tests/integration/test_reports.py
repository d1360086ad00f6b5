"""Reports (REPORTS.md sections 1-4) over real HTTP, on every store: randomized data around
midnight in America/New_York across both DST changes, several partners, campaigns and
currencies; every report compared with the same numbers computed here from `export`; isolation
of partners; admin keys with and without `partner`; every 422 of section 2; paging through raw
conversions while new ones arrive."""

import collections
import datetime
import decimal
import json
import random
import threading
import time
import urllib.parse
import zoneinfo

import pytest

import processes
from click_signing import SigningKey
from helpers import (Partner, assert_422_at, assert_error, error_locs, request, uid, wait_for)

UTC = datetime.timezone.utc
NY = "America/New_York"
# Midnights in New York around both DST changes of 2026 (March 8, November 1).
WINDOWS = [datetime.datetime(2026, 3, 8, 5, tzinfo=UTC), datetime.datetime(2026, 11, 1, 4, tzinfo=UTC)]
CURRENCIES = ["USD", "EUR", "JPY"]
LATENCY = ["negative", "1h", "1d", "7d", "30d", "more"]


def ts(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def fmt_micros(micros):
    """The server's exact decimal text: trailing zeros dropped."""
    sign = "-" if micros < 0 else ""
    whole, frac = divmod(abs(micros), 1_000_000)
    frac_text = f"{frac:06d}".rstrip("0")
    return sign + str(whole) + ("." + frac_text if frac_text else "")


def random_time(rng):
    """Near a New York midnight of a DST change: within 30 h either side, on whole seconds."""
    base = rng.choice(WINDOWS)
    return base + datetime.timedelta(seconds=rng.randint(-30 * 3600, 30 * 3600))


class Reports:
    """A fresh server with two advertisers, their data, and keys to read it."""

    def __init__(self, srv, seed):
        self.srv = srv
        self.rng = random.Random(seed)
        self.partners = [Partner(srv), Partner(srv)]
        self.readers = {p.id: Partner(srv, partner_id=p.id, scopes="reports") for p in self.partners}
        self.admin = Partner(srv, partner_id="ops", scopes="admin")
        self.clicker = Partner(srv, partner_id="adplatform", scopes="clicks")
        self.signing = SigningKey(srv.cli)

    def fill(self, events=120, clicks=40, conversions=60):
        rng = self.rng
        for p in self.partners:
            batch = []
            for i in range(events):
                e = {"event_name": rng.choice(["view", "buy"]), "tag_id": rng.choice(["t1", "t2"])}
                if rng.random() < 0.8:
                    e["timestamp"] = int(random_time(rng).timestamp())
                if rng.random() < 0.3:
                    e["event_id"] = f"e{rng.randint(0, 20)}"  # repeats: duplicates
                batch.append(e)
            resp = p.collect({"events": batch}, path="/v1/api/collect/batch")
            assert resp.status == 200, resp
            items = []
            for i in range(clicks):
                c = {"partner_id": p.id, "bid_id": uid("b-"), "clicked_at": ts(random_time(rng))}
                campaign = rng.choice(["c1", "c2", None])
                tag = rng.choice(["pub1", "pub2", None])
                if campaign:
                    c["campaign_id"] = campaign
                if tag:
                    c["tag_id"] = tag
                items.append(c)
            resp = self.srv.post("/v1/api/clicks", {"clicks": items}, self.clicker.headers())
            assert resp.status == 200 and resp.json()["accepted"] == clicks, resp
            click_ids = [r["click_id"] for r in resp.json()["results"]]
            # Two filtered clicks (prefetch) through the redirect, at the receive time.
            for _ in range(2):
                path = self.signing.mint(p.id, uid("b-"), "https://shop.example/", campaign="c1",
                                         tag="pub1")
                r = request(self.srv.port, "GET", path, headers={"Sec-Purpose": "prefetch"})
                assert r.status == 302, r
            for i in range(conversions):
                when = rng.choice([random_time(rng), datetime.datetime.now(UTC)])
                body = {"click_id": rng.choice(click_ids), "conversion_time": ts(when),
                        "conversion_value": float(decimal.Decimal(rng.randint(0, 10**9)) / 10**6),
                        "currency": rng.choice(CURRENCIES),
                        "event_type": rng.choice(["purchase", "lead"])}
                idem = f"k{rng.randint(0, 40)}"  # repeats: duplicates or mismatches
                resp = p.conversion(body, idem=idem)
                assert resp.status in (200, 422), resp

    def report(self, key, kind, **params):
        q = urllib.parse.urlencode(params)
        return self.srv.get(f"/v1/api/reports/{kind}?{q}", headers=key.headers())


def bounds(tzname, frm, to):
    tz = zoneinfo.ZoneInfo(tzname)
    start = datetime.datetime.fromisoformat(frm).replace(tzinfo=tz) if len(frm) == 10 else parse(frm)
    if len(to) == 10:
        end = (datetime.datetime.fromisoformat(to) + datetime.timedelta(days=1)).replace(tzinfo=tz)
    else:
        end = parse(to)
    return start, end


def period_of(t, tzname, granularity):
    tz = zoneinfo.ZoneInfo(tzname)
    local = t.astimezone(tz)
    if granularity == "total":
        return None
    if granularity == "day":
        start = datetime.datetime(local.year, local.month, local.day, tzinfo=tz)
        return start.isoformat()
    start = t - datetime.timedelta(minutes=local.minute, seconds=local.second,
                                   microseconds=local.microsecond)
    return start.astimezone(tz).isoformat()


def expected(store_rows, kind, tzname, frm, to, granularity, group_by, partners):
    """The report computed from exported rows, as REPORTS.md section 3 defines it."""
    events, clicks, convs = store_rows
    start, end = bounds(tzname, frm, to)
    click_of = {(c["partner_id"], c["click_id"]): c for c in clicks}
    dims = (["campaign_id"] + (["tag_id"] if "tag_id" in group_by else [])
            if kind == "campaigns" else list(group_by))
    rows = collections.defaultdict(lambda: {"events": 0, "clicks": 0, "filtered_clicks": 0,
                                            "conversions": 0, "value": collections.Counter(),
                                            "latency": collections.Counter()})

    def add(t, fields):
        if not start <= t < end:
            return None
        key = (period_of(t, tzname, granularity),) + tuple(fields.get(d) for d in dims)
        return rows[key]

    if kind == "events":
        for e in events:
            if e["partner_id"] not in partners:
                continue
            t = (datetime.datetime.fromtimestamp(e["timestamp"], UTC) if e["timestamp"] is not None
                 else parse(e["received_at"]))
            r = add(t, e)
            if r is not None:
                r["events"] += 1
    if kind in ("clicks", "campaigns"):
        for c in clicks:
            if c["partner_id"] not in partners:
                continue
            r = add(parse(c["clicked_at"]), c)
            if r is not None:
                r["clicks"] += 1
                r["filtered_clicks"] += c["filter_reason"] is not None
    if kind in ("conversions", "campaigns"):
        for v in convs:
            if v["partner_id"] not in partners:
                continue
            fields = dict(v)
            if kind == "campaigns":
                click = click_of.get((v["partner_id"], v["click_id"]))
                fields["tag_id"] = click["tag_id"] if click else None
            r = add(parse(v["conversion_time"]), fields)
            if r is None:
                continue
            r["conversions"] += 1
            r["value"][v["currency"]] += v["conversion_value_micros"]
            lat = (parse(v["conversion_time"]) - parse(v["click_time"])).total_seconds()
            b = ("negative" if lat < 0 else "1h" if lat <= 3600 else "1d" if lat <= 86400 else
                 "7d" if lat <= 7 * 86400 else "30d" if lat <= 30 * 86400 else "more")
            r["latency"][b] += 1

    out = []
    for key in sorted(rows, key=lambda k: tuple((x is not None, x or "") for x in k)):
        m = rows[key]
        row = {} if granularity == "total" else {"period": key[0]}
        row.update(dict(zip(dims, key[1:])))
        if kind == "events":
            row["events"] = m["events"]
        if kind in ("clicks", "campaigns"):
            row["clicks"] = m["clicks"]
            row["filtered_clicks"] = m["filtered_clicks"]
        if kind in ("conversions", "campaigns"):
            row["conversions"] = m["conversions"]
            row["value"] = {c: fmt_micros(v) for c, v in sorted(m["value"].items())}
        if kind == "conversions":
            row["latency"] = {b: m["latency"][b] for b in LATENCY}
        if kind == "campaigns":
            counted = m["clicks"] - m["filtered_clicks"]
            row["conversion_rate"] = None if counted == 0 else m["conversions"] / counted
        out.append(row)
    return out


def sort_like_server(rows, granularity, dims):
    # The server orders by period (as an instant), then by the group fields, null first.
    def key(r):
        p = parse(r["period"]) if granularity != "total" else None
        return (p,) + tuple((r[d] is not None, r[d] or "") for d in dims)
    return sorted(rows, key=key)


def exported(srv):
    return (srv.cli.export("events"), srv.cli.export("clicks"), srv.cli.export("conversions"))


@pytest.fixture
def env(make_server):
    r = Reports(make_server(), seed=random.randrange(1 << 30))
    r.fill()
    # On PostgreSQL a conversions page shows a row once every older write transaction of the
    # cluster has ended (docs/architecture.md), other tests' too: wait until every row is there.
    for p in r.partners:
        want = len(r.srv.cli.export("conversions", partner=p.id))
        _, waited = wait_for(lambda: len(r.srv.get(
            "/v1/api/conversions?from=2026-01-01&to=2026-12-31&limit=1000",
            headers=r.readers[p.id].headers()).json()["rows"]) == want, timeout=10)
        assert waited is not None, f"{p.id}: the conversions page never showed all {want} rows"
    return r


CASES = [
    ("events", NY, "2026-03-01", "2026-12-31", "day", ["tag_id", "event_name"]),
    ("events", NY, "2026-03-07", "2026-03-09", "hour", ["event_name"]),
    ("events", NY, "2026-10-31", "2026-11-02", "hour", []),
    ("events", "UTC", "2026-03-01", "2026-12-31", "total", ["tag_id"]),
    ("events", "Asia/Kolkata", "2026-03-07T00:00:00Z", "2026-11-02T12:45:00Z", "day", []),
    ("clicks", NY, "2026-03-01", "2026-12-31", "day", ["campaign_id", "tag_id"]),
    ("clicks", NY, "2026-10-31", "2026-11-01", "hour", ["campaign_id"]),
    ("clicks", "UTC", "2026-01-01", "2026-12-31", "total", []),
    # UTC days: each row's period computed from its bucket (rollup_sql.cc UtcDayPeriods).
    ("clicks", "UTC", "2026-03-01", "2026-12-31", "day", ["campaign_id"]),
    ("conversions", "UTC", "2026-03-07T06:00:00Z", "2026-11-02T00:00:00Z", "day", ["currency"]),
    ("conversions", NY, "2026-03-01", "2026-12-31", "day", ["currency"]),
    ("conversions", NY, "2026-03-07", "2026-03-09", "hour", ["campaign_id", "event_type"]),
    ("conversions", "Europe/Paris", "2026-01-01", "2026-12-31", "total",
     ["campaign_id", "event_type", "currency"]),
    ("campaigns", NY, "2026-03-01", "2026-12-31", "day", []),
    ("campaigns", NY, "2026-01-01", "2026-12-31", "total", ["tag_id"]),
    ("campaigns", "UTC", "2026-10-31", "2026-11-02", "hour", ["tag_id"]),
    # Whole-hour zones read day rows corrected by hour rows (rollup_sql.h RollupHourPlan), also
    # east of UTC, and for a total between two hours that are not midnights.
    ("clicks", "Asia/Tokyo", "2026-03-01", "2026-12-31", "day", ["campaign_id"]),
    ("conversions", "Asia/Tokyo", "2026-03-01", "2026-12-31", "day", ["campaign_id", "currency"]),
    ("events", NY, "2026-03-07T07:00:00Z", "2026-11-02T05:00:00Z", "total", ["event_name"]),
]


def check(env, key, partners, case, partner_param=None):
    kind, tz, frm, to, gran, group_by = case
    params = {"from": frm, "to": to, "tz": tz, "granularity": gran}
    if group_by:
        params["group_by"] = ",".join(group_by)
    if partner_param:
        params["partner"] = partner_param
    resp = env.report(key, kind, **params)
    assert resp.status == 200, resp
    body = resp.json()
    assert body["kind"] == kind and body["tz"] == tz and body["granularity"] == gran
    assert body["truncated"] is False
    dims = body["group_by"]
    want = sort_like_server(expected(exported(env.srv), kind, tz, frm, to, gran, group_by,
                                     partners), gran, dims)
    got = body["rows"]
    for r in got + want:  # compare rates loosely, everything else exactly
        if r.get("conversion_rate") is not None:
            r["conversion_rate"] = round(r["conversion_rate"], 9)
    assert got == want, f"{case}: {json.dumps(got)[:2000]} != {json.dumps(want)[:2000]}"
    return got


def test_reports_match_the_numbers_computed_from_export(env):
    p1 = env.partners[0]
    nonempty = 0
    for case in CASES:
        nonempty += bool(check(env, env.readers[p1.id], {p1.id}, case))
    assert nonempty == len(CASES)


def test_a_reports_key_sees_its_own_partner_only_and_admin_sees_all_or_one(env):
    p1, p2 = env.partners
    case = ("campaigns", NY, "2026-01-01", "2026-12-31", "total", ["tag_id"])
    mine = check(env, env.readers[p1.id], {p1.id}, case)
    theirs = check(env, env.readers[p2.id], {p2.id}, case)
    assert mine != theirs
    # Naming its own partner is fine; another one is 422 at query.partner.
    check(env, env.readers[p1.id], {p1.id}, case, partner_param=p1.id)
    resp = env.report(env.readers[p1.id], "events", **{"from": "2026-01-01", "to": "2026-01-02",
                                                       "partner": p2.id})
    assert_422_at(resp, ("query", "partner"))
    # Admin: every partner summed, or one.
    everyone = {p1.id, p2.id}
    for kind_case in CASES[:1] + CASES[5:6] + CASES[8:9] + CASES[11:12]:
        check(env, env.admin, everyone, kind_case)
        check(env, env.admin, {p2.id}, kind_case, partner_param=p2.id)
    # The conversions page too: own rows only.
    rows = env.srv.get("/v1/api/conversions?from=2026-01-01&to=2026-12-31&limit=1000",
                       headers=env.readers[p1.id].headers()).json()["rows"]
    assert rows and {r["partner_id"] for r in rows} == {p1.id}


def test_a_report_reflects_every_acknowledged_write(make_server):
    srv = make_server()
    writer = Partner(srv)
    reader = Partner(srv, partner_id=writer.id, scopes="reports")
    today = datetime.datetime.now(UTC).strftime("%Y-%m-%d")
    for i in range(1, 6):
        assert writer.collect({"event_name": "view"}).status == 204
        resp = srv.get(f"/v1/api/reports/events?from={today}&to={today}&granularity=total",
                       headers=reader.headers())
        assert resp.json()["rows"] == [{"events": i}], resp


def test_names_that_json_must_escape_come_back_exactly(server):
    """The report's JSON is written by hand (http/report_handlers.cc): quotes, backslashes,
    control characters and non-ASCII text in names must come back exactly as sent."""
    writer = Partner(server)
    reader = Partner(server, partner_id=writer.id, scopes="reports")
    clicker = Partner(server, partner_id="adplatform", scopes="clicks")
    SigningKey(server.cli)  # click ids are signed
    names = ['q"uote', "back\\slash", "tab\there\nline\u0001", "caf\u00e9 \u2603 \U0001f600", "</script>"]
    for name in names:
        assert writer.collect({"event_name": name, "tag_id": name}).status == 204
    items = [{"partner_id": writer.id, "bid_id": uid("b-"), "campaign_id": name} for name in names]
    resp = server.post("/v1/api/clicks", {"clicks": items}, clicker.headers())
    assert resp.status == 200 and resp.json()["accepted"] == len(names), resp
    today = datetime.datetime.now(UTC).strftime("%Y-%m-%d")
    base = f"from={today}&to={today}&granularity=day"
    rows = server.get(f"/v1/api/reports/events?{base}&group_by=event_name,tag_id",
                      headers=reader.headers()).json()["rows"]
    assert sorted((r["event_name"], r["tag_id"], r["events"]) for r in rows) == \
        sorted((n, n, 1) for n in names)
    body = server.get(f"/v1/api/reports/campaigns?{base}", headers=reader.headers())
    assert body.status == 200, body
    rows = body.json()["rows"]
    assert sorted((r["campaign_id"], r["clicks"], r["conversion_rate"]) for r in rows) == \
        sorted((n, 1, 0) for n in names)


def test_the_rollup_folder_moves_pending_counters_without_changing_a_report(make_server):
    """PostgreSQL: write transactions append their counters to rollup_*_pending; each server's
    rollup folder moves them into the rollups about once a second (schema/postgres/
    009_rollup_pending.sql). A report counts them the same before and after."""
    srv = make_server()
    if srv.store.kind != "postgres":
        pytest.skip("SQLite adds the counters in the write transaction: nothing is pending")
    writer = Partner(srv)
    reader = Partner(srv, partner_id=writer.id, scopes="reports")
    today = datetime.datetime.now(UTC).strftime("%Y-%m-%d")
    url = f"/v1/api/reports/events?from={today}&to={today}&granularity=day&group_by=event_name"
    for i in range(20):
        assert writer.collect({"event_name": f"e{i % 3}"}).status == 204
    expected = srv.get(url, headers=reader.headers()).json()["rows"]
    assert sum(r["events"] for r in expected) == 20

    def pending():
        return int(processes.psql(srv.store.url, "SELECT (SELECT count(*) FROM "
                                  "rollup_events_pending) + (SELECT count(*) FROM "
                                  "rollup_conversions_pending)").strip())

    _, waited = wait_for(lambda: pending() == 0, timeout=10)
    assert waited is not None, "the rollup folder did not empty the pending rows within 10 s"
    assert int(processes.psql(srv.store.url, "SELECT coalesce(sum(events), 0) FROM rollup_events "
                              f"WHERE partner_id = '{writer.id}'").strip()) == 20
    assert srv.get(url, headers=reader.headers()).json()["rows"] == expected


def test_a_report_waiting_on_the_store_holds_up_no_other_request(make_server):
    """Reports (and pages of conversions, and diagnostics) read the store on the server's read
    threads, not on the I/O thread of their connection (http/session.cc, AwaitRead). With one
    I/O thread, a report blocked for seconds behind a table lock must leave collect and
    /healthz answering at once."""
    srv = make_server("--threads", "1")
    if srv.store.kind != "postgres":
        pytest.skip("needs a lock that holds a read: PostgreSQL's LOCK TABLE")
    writer = Partner(srv)
    reader = Partner(srv, partner_id=writer.id, scopes="reports")
    assert writer.collect({"event_name": "warm"}).status == 204
    tables = "rollup_clicks, rollup_clicks_day, rollup_clicks_pending"
    locker = threading.Thread(target=processes.psql, args=(
        srv.store.url, f"BEGIN; LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE; "
        "SELECT pg_sleep(4); COMMIT"))
    locker.start()

    def held():
        return int(processes.psql(srv.store.url, "SELECT count(*) FROM pg_locks WHERE "
                                  "mode = 'AccessExclusiveLock' AND relation = "
                                  "'rollup_clicks_day'::regclass").strip()) > 0

    assert wait_for(held, timeout=5)[1] is not None, "the lock was not taken"
    today = datetime.datetime.now(UTC).strftime("%Y-%m-%d")
    report = {}

    def read():
        t0 = time.monotonic()
        report["resp"] = srv.get(f"/v1/api/reports/clicks?from={today}&to={today}",
                                 headers=reader.headers())
        report["took"] = time.monotonic() - t0

    reading = threading.Thread(target=read)
    reading.start()

    def waiting():
        return int(processes.psql(srv.store.url, "SELECT count(*) FROM pg_stat_activity WHERE "
                                  "wait_event_type = 'Lock'").strip()) > 0

    assert wait_for(waiting, timeout=5)[1] is not None, "the report never waited for the lock"
    t0 = time.monotonic()
    assert writer.collect({"event_name": "during"}).status == 204
    assert srv.get("/healthz").status == 200
    took = time.monotonic() - t0
    reading.join(30)
    locker.join(30)
    assert report["resp"].status == 200, report["resp"]
    assert report["took"] >= 1.5, report  # it was held up by the lock
    assert took < 1.0, f"collect and /healthz took {took:.2f} s while a report waited"


def test_scopes_decide_who_reads(server, partner):
    resp = server.get("/v1/api/reports/events?from=2026-01-01&to=2026-01-01",
                      headers=partner.headers())
    assert_error(resp, 403, "API key not permitted for this endpoint")
    resp = server.get("/v1/api/conversions?from=2026-01-01&to=2026-01-01",
                      headers=partner.headers())
    assert_error(resp, 403)
    reader = Partner(server, partner_id=partner.id, scopes="reports")
    assert_error(server.get("/v1/api/reports/nope?from=2026-01-01&to=2026-01-01",
                            headers=reader.headers()), 404, "Not found")
    assert_error(server.get("/v1/api/reports/events?from=2026-01-01&to=2026-01-01"), 401)
    # keys create grants neither scope by default.
    key = server.cli.create_key(uid("p-"))
    assert key["scopes"] == ["collect", "conversion"]


BAD = [
    ({"to": "2026-01-01"}, [("query", "from")]),
    ({"from": "2026-01-01"}, [("query", "to")]),
    ({"from": "2026-02-30", "to": "2026-03-01"}, [("query", "from")]),
    ({"from": "2026-01-01", "to": "soon"}, [("query", "to")]),
    ({"from": "2026-01-01T00:07:00Z", "to": "2026-01-02"}, [("query", "from")]),
    ({"from": "2026-01-02", "to": "2026-01-01"}, [("query", "to")]),
    ({"from": "2025-01-01", "to": "2026-01-02"}, [("query", "to")]),  # 367 days
    ({"from": "2026-01-01", "to": "2026-01-01", "tz": "Mars/Olympus"}, [("query", "tz")]),
    ({"from": "2026-01-01", "to": "2026-01-01", "granularity": "week"},
     [("query", "granularity")]),
    ({"from": "2026-01-01", "to": "2026-01-01", "group_by": "campaign_id"},
     [("query", "group_by")]),
    ({"from": "2026-01-01", "to": "2026-01-01", "limit": "5"}, [("query", "limit")]),
    ({"from": "x", "to": "y", "tz": "Nope", "granularity": "", "group_by": "a,b", "partner": "other",
      "extra": "1"},
     [("query", "from"), ("query", "to"), ("query", "tz"), ("query", "granularity"),
      ("query", "group_by"), ("query", "partner"), ("query", "extra")]),
]


@pytest.mark.parametrize("params,locs", BAD)
def test_every_bad_parameter_is_422_at_its_name(server, partner, params, locs):
    reader = Partner(server, partner_id=partner.id, scopes="reports")
    q = urllib.parse.urlencode(params)
    resp = server.get(f"/v1/api/reports/events?{q}", headers=reader.headers())
    assert_422_at(resp, *locs)


def test_the_range_may_cover_366_days_and_a_25_hour_day(server, partner):
    reader = Partner(server, partner_id=partner.id, scopes="reports")
    ok = server.get("/v1/api/reports/events?from=2024-01-01&to=2024-12-31",
                    headers=reader.headers())
    assert ok.status == 200, ok


def test_conversion_pages_return_every_row_once_while_writes_go_on(make_server):
    srv = make_server()
    writer = Partner(srv)
    reader = Partner(srv, partner_id=writer.id, scopes="reports")
    click = writer.add_click()
    stop = threading.Event()
    sent = []

    def write():
        i = 0
        while not stop.is_set() and i < 400:
            resp = writer.conversion({"click_id": click, "conversion_time": "2026-03-08T05:00:00Z",
                                      "conversion_value": i, "currency": "USD",
                                      "order_id": f"o{i}"})
            assert resp.status == 200, resp
            sent.append(f"o{i}")
            i += 1

    threads = [threading.Thread(target=write)]
    for t in threads:
        t.start()
    tomorrow = (datetime.datetime.now(UTC) + datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    seen = []
    cursor = None
    finished_writing = None  # when the writer was first seen finished
    holders = None  # what held the rows back, when they did not all come
    while True:
        q = {"from": "2026-01-01", "to": tomorrow, "limit": 7}
        if cursor:
            q["cursor"] = cursor
        resp = srv.get("/v1/api/conversions?" + urllib.parse.urlencode(q), headers=reader.headers())
        assert resp.status == 200, resp
        body = resp.json()
        seen += [r["order_id"] for r in body["rows"]]
        assert body["next_cursor"], body  # `to` is tomorrow: more may come
        cursor = body["next_cursor"]
        if not body["rows"]:
            # On PostgreSQL a row shows up once every older write transaction of the cluster has
            # ended (docs/architecture.md): other tests' too. Page on until every row sent came,
            # or PG_CURSOR_WAIT_S after the last write.
            if finished_writing is not None and len(seen) >= len(sent):
                break
            if (finished_writing is not None and
                    time.monotonic() - finished_writing > processes.PG_CURSOR_WAIT_S):
                holders = processes.pg_xid_holders(srv.store)
                break
            if finished_writing is None and not threads[0].is_alive():
                finished_writing = time.monotonic()  # one more page after the last write
            time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join()
    assert len(seen) == len(set(seen)), "a row came twice"
    assert sorted(seen) == sorted(sent), holders
    assert len(sent) == 400
    # A finished range ends with next_cursor null; a bad cursor is 422 at query.cursor.
    resp = srv.get("/v1/api/conversions?from=2026-01-01&to=2026-01-02",
                   headers=reader.headers())
    assert resp.json() == {"rows": [], "next_cursor": None}
    resp = srv.get("/v1/api/conversions?from=2026-01-01&to=2026-01-02&cursor=zz",
                   headers=reader.headers())
    assert_422_at(resp, ("query", "cursor"))


def test_raw_conversions_carry_every_exported_field(env):
    p1 = env.partners[0]
    resp = env.srv.get("/v1/api/conversions?from=2026-01-01&to=2026-12-31&limit=1000",
                       headers=env.readers[p1.id].headers())
    rows = json.loads(resp.body, parse_float=decimal.Decimal)
    exported_rows = env.srv.cli.export("conversions", partner=p1.id)
    assert rows["rows"] == exported_rows


def test_erase_leaves_the_counts_and_removes_the_raw_rows(make_server):
    srv = make_server()
    writer = Partner(srv)
    reader = Partner(srv, partner_id=writer.id, scopes="reports")
    click = writer.add_click()
    for i in range(3):
        assert writer.collect({"event_name": "view", "client_id": "c-1"}).status == 204
    resp = writer.conversion({"click_id": click, "conversion_time": ts(datetime.datetime.now(UTC)),
                              "conversion_value": 5, "currency": "USD", "client_id": "c-1"})
    assert resp.status == 200, resp
    today = datetime.datetime.now(UTC).strftime("%Y-%m-%d")

    def totals():
        q = f"from={today}&to={today}&granularity=total"
        ev = srv.get(f"/v1/api/reports/events?{q}", headers=reader.headers()).json()["rows"]
        cv = srv.get(f"/v1/api/reports/conversions?{q}", headers=reader.headers()).json()["rows"]
        raw = srv.get(f"/v1/api/conversions?from={today}&to={today}",
                      headers=reader.headers()).json()["rows"]
        return ev, [r["conversions"] for r in cv], len(raw)

    # The raw row may show up a moment late on PostgreSQL (the conversions page, above).
    before, _ = wait_for(lambda: totals() == ([{"events": 3}], [1], 1),
                         timeout=processes.PG_CURSOR_WAIT_S)
    assert before, (totals(), processes.pg_xid_holders(srv.store))
    srv.cli.run("erase", "--partner", writer.id, "--client-id", "c-1")
    assert writer.events() == [] and writer.conversions() == []
    assert totals() == ([{"events": 3}], [1], 0)


def test_a_report_past_10000_rows_answers_the_first_10000_in_order(make_server):
    """An hourly report over two months of a partner's events, 1-13 event names an hour: its
    rows go past 10,000, so it answers the first 10,000 in order and says truncated. The server
    reads such a report a slice of periods at a time (http/report_slices.h), so the rows cross
    several slices, in New York across the DST change. A range of exactly 10,000 rows is not
    truncated; one more row, and it is."""
    srv = make_server()
    writer = Partner(srv)
    reader = Partner(srv, partner_id=writer.id, scopes="reports")
    start = datetime.datetime(2026, 9, 20, tzinfo=UTC)
    hours = 1_500
    names = [1 + i * 7 % 13 for i in range(hours)]  # event names in hour i
    # The 10,000th row is event name m-1 of hour h; that hour's later names come at :30, so
    # that a range to h:15 holds exactly 10,000 rows (a range's ends are quarter hours).
    h, before = 0, 0
    while before + names[h] < 10_000:
        before += names[h]
        h += 1
    m = 10_000 - before
    events = [{"event_name": f"n{k:02d}",
               "timestamp": int((start + datetime.timedelta(
                   hours=i, minutes=30 if i == h and k >= m else 0)).timestamp())}
              for i in range(hours) for k in range(names[i])]
    for i in range(0, len(events), 1000):
        resp = writer.collect({"events": events[i:i + 1000]}, path="/v1/api/collect/batch")
        assert resp.status == 200 and resp.json()["accepted"] == len(events[i:i + 1000]), resp
    frm, to = "2026-09-20T00:00:00Z", (start + datetime.timedelta(hours=hours)).isoformat()
    rows = exported(srv)

    def report(to, tz="UTC"):
        params = {"from": frm, "to": to, "tz": tz, "granularity": "hour", "group_by": "event_name"}
        resp = srv.get("/v1/api/reports/events?" + urllib.parse.urlencode(params),
                       headers=reader.headers())
        assert resp.status == 200, resp
        return resp.json()

    for tz in ("UTC", NY):
        body = report(to, tz)
        want = sort_like_server(expected(rows, "events", tz, frm, to, "hour", ["event_name"],
                                         {writer.id}), "hour", ["event_name"])
        assert len(want) == len(events) > 10_000
        assert body["truncated"] is True
        assert len(body["rows"]) == 10_000
        assert body["rows"] == want[:10_000], tz
        # The next page (docs/api.md): from the last row's period on, that period again whole.
        last = body["rows"][-1]["period"]
        params = {"from": last, "to": to, "tz": tz, "granularity": "hour",
                  "group_by": "event_name"}
        page = srv.get("/v1/api/reports/events?" + urllib.parse.urlencode(params),
                       headers=reader.headers()).json()
        first = next(i for i, r in enumerate(want) if r["period"] == last)
        assert page["truncated"] is False and page["rows"] == want[first:], tz

    exact = start + datetime.timedelta(hours=h, minutes=15)
    body = report(exact.isoformat())
    assert body["truncated"] is False and len(body["rows"]) == 10_000
    assert body["rows"][-1]["event_name"] == f"n{m - 1:02d}"
    body = report((exact + datetime.timedelta(hours=1)).isoformat())
    assert body["truncated"] is True and len(body["rows"]) == 10_000
