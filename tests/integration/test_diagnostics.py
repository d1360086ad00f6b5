"""Diagnostics (REPORTS.md section 5) over real HTTP, on every store: a flood of 10,000
refusals of one partner (422s with several errors, 404 Click not found, 403 missing scope, 415,
an alias path) counted exactly, the newest 100 samples newest first with the answers'
X-Request-Id, storage bounded at 100 samples per partner; isolation of partners; admin keys with
and without `partner`; the 422s of `hours`; 401s never recorded; two servers sharing one
PostgreSQL database both counted."""

import collections
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import ServerFactory
from helpers import Partner, assert_422_at, uid, wait_for
from http_client import bearer, request
import processes
from processes import psql

DIAG = "/v1/api/diagnostics"
FLUSH_TIMEOUT_S = 15.0
T0 = "2026-02-19T18:00:00Z"


def canonical(path):
    return {"/api/collect": "/v1/api/collect", "/v1/conversion": "/v1/api/conversion"}.get(path, path)


class Tally:
    """Expected counts and samples, computed from the answers the server gave."""

    def __init__(self):
        self.counts = collections.Counter()
        self.order = []  # request ids of the refusals sent one after another, in order
        self.lock = threading.Lock()

    def add(self, path, resp):
        assert 400 <= resp.status < 500 and resp.status != 401, resp
        body = resp.json()
        route = canonical(path)
        rows = set()
        for e in body.get("errors") or []:
            rows.add((route, resp.status, body["detail"], e["type"], json.dumps(e["loc"])))
        if not rows:
            rows.add((route, resp.status, body["detail"], None, None))
        with self.lock:
            for row in rows:
                self.counts[row] += 1

    def total(self):
        return sum(self.counts.values())


def counts_of(answer):
    out = collections.Counter()
    for c in answer["counts"]:
        loc = json.dumps(c["loc"]) if "loc" in c else None
        out[(c["route"], c["status"], c["detail"], c["type"], loc)] += c["count"]
    return out


def diagnostics(srv, reader, query=""):
    r = srv.get(DIAG + query, reader.headers())
    assert r.status == 200, r
    return r.json()


def wait_counts(srv, reader, expected_total, query=""):
    """The answer once its counts add up to `expected_total` (the flush lags about 1 s)."""
    seen = {}

    def done():
        seen["a"] = diagnostics(srv, reader, query)
        return sum(c["count"] for c in seen["a"]["counts"]) >= expected_total

    wait_for(done, FLUSH_TIMEOUT_S)
    return seen["a"]


# The refusals of the flood: (method, path, body or raw bytes, content type, which key).
CASES = [
    ("POST", "/v1/api/collect", {}, None, "writer"),  # 422 missing event_name
    ("POST", "/v1/api/collect", {"event_name": "", "tag_id": 5, "zz": 1}, None, "writer"),
    ("POST", "/api/collect", {"tag_id": []}, None, "writer"),  # alias: the canonical route
    ("POST", "/v1/api/conversion", {"click_id": "nope", "conversion_time": T0,
                                    "conversion_value": 1.5, "currency": "USD"}, None, "writer"),
    ("POST", "/v1/api/conversion", {"click_id": "", "conversion_time": "soon",
                                    "conversion_value": -1, "currency": "ABC"}, None, "writer"),
    ("POST", "/v1/api/collect", {"event_name": "x"}, None, "reader"),  # 403 missing scope
    ("POST", "/v1/api/collect", "event_name=x", "text/plain", "writer"),  # 415
    ("POST", "/v1/api/collect", "{not json", None, "writer"),  # 422 json_invalid
]


def send_case(srv, keys, case, conn):
    method, path, body, ctype, who = case
    headers = keys[who].headers({"Content-Type": ctype} if ctype else None)
    return request(srv.port, method, path, body, headers, conn=conn)


def flood(srv, keys, tally, n, threads=4, serial_tail=150):
    """`n` refusals: most from `threads` keep-alive connections at once, the last
    `serial_tail` one after another on one connection (their order is the server's)."""
    parallel = n - serial_tail
    errors = []

    def worker(t):
        conn = srv.connect(timeout=30)
        try:
            for i in range(t, parallel, threads):
                case = CASES[i % len(CASES)]
                r = send_case(srv, keys, case, conn)
                tally.add(case[1], r)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            conn.close()

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not errors, errors[:3]
    conn = srv.connect(timeout=30)
    try:
        for i in range(serial_tail):
            case = CASES[i % len(CASES)]
            r = send_case(srv, keys, case, conn)
            tally.add(case[1], r)
            tally.order.append(r.headers.get("X-Request-Id"))
    finally:
        conn.close()


def samples_per_partner(store):
    if store.kind == "sqlite":
        db = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT partner_id, COUNT(*) FROM refusal_samples GROUP BY partner_id").fetchall()
        finally:
            db.close()
        return dict(rows)
    text = psql(store.url, "SELECT partner_id, COUNT(*) FROM refusal_samples GROUP BY partner_id")
    out = {}
    for line in text.splitlines():
        if line:
            p, _, n = line.rpartition("|")
            out[p] = int(n)
    return out


def test_a_flood_of_refusals_is_counted_exactly_and_stays_bounded(server):
    pid = uid("p-")
    keys = {"writer": Partner(server, partner_id=pid),
            "reader": Partner(server, partner_id=pid, scopes="reports")}
    tally = Tally()
    started = time.monotonic()
    flood(server, keys, tally, 10_000)
    flood_s = time.monotonic() - started
    assert tally.total() >= 10_000

    answer = wait_counts(server, keys["reader"], tally.total())
    assert answer["hours"] == 24
    assert counts_of(answer) == tally.counts, f"flood took {flood_s:.1f} s"
    statuses = {row[1] for row in tally.counts}
    assert {403, 404, 415, 422} <= statuses
    assert ("/v1/api/conversion", 404, "Click not found", None, None) in tally.counts
    # Rows: ordered by count, largest first.
    ns = [c["count"] for c in answer["counts"]]
    assert ns == sorted(ns, reverse=True)

    recent = answer["recent"]
    assert len(recent) == 100
    assert [s["request_id"] for s in recent] == list(reversed(tally.order))[:100]
    assert [s["at"] for s in recent] == sorted((s["at"] for s in recent), reverse=True)
    for s in recent:
        assert s["key_id"] in (keys["writer"].key_id, keys["reader"].key_id)
        assert 400 <= s["status"] < 500 and s["route"].startswith("/v1/api/")
        assert "partner" not in s
        if s["status"] == 422 and s["detail"] == "Validation error":
            assert s["errors"] and all(set(e) == {"loc", "type"} for e in s["errors"])
        elif s["status"] == 403:
            assert s["key_id"] == keys["reader"].key_id

    # Storage stays bounded: at most 100 samples of any partner.
    per_partner = samples_per_partner(server.store)
    assert per_partner.get(pid) == 100
    assert max(per_partner.values()) <= 100


def test_partners_are_isolated_and_admin_reads_one_or_all(server):
    a, b = uid("pa-"), uid("pb-")
    wa, ra = Partner(server, partner_id=a), Partner(server, partner_id=a, scopes="reports")
    wb, rb = Partner(server, partner_id=b), Partner(server, partner_id=b, scopes="reports")
    admin = Partner(server, partner_id=uid("ops-"), scopes="admin")
    for _ in range(3):
        assert wa.collect({}).status == 422
    r = wb.conversion({"click_id": "nope", "conversion_time": T0, "conversion_value": 1,
                       "currency": "USD"})
    assert r.status == 404, r
    # A reports key may not name another partner (nor see its refusals); that 422 is a's own.
    assert_422_at(server.get(DIAG + f"?partner={b}", ra.headers()), ("query", "partner"))
    want_a = {("/v1/api/collect", 422, "Validation error", "missing", '["body", "event_name"]'): 3,
              (DIAG, 422, "Validation error", "value_error", '["query", "partner"]'): 1}
    want_b = {("/v1/api/conversion", 404, "Click not found", None, None): 1}

    got_a = wait_counts(server, ra, 4)
    got_b = wait_counts(server, rb, 1)
    assert counts_of(got_a) == want_a
    assert counts_of(got_b) == want_b
    assert {s["key_id"] for s in got_a["recent"]} == {wa.key_id, ra.key_id}
    assert [s["request_id"] for s in got_b["recent"]] == [r.headers.get("X-Request-Id")]
    assert counts_of(diagnostics(server, ra, f"?partner={a}")) == want_a

    assert counts_of(diagnostics(server, admin, f"?partner={a}")) == want_a
    one = diagnostics(server, admin, f"?partner={b}&hours=1")
    assert counts_of(one) == want_b and one["hours"] == 1
    assert "partner" not in one["recent"][0]
    every = diagnostics(server, admin)
    total = counts_of(every)
    for row, n in {**want_a, **want_b}.items():
        assert total[row] >= n
    partners = {s["partner"] for s in every["recent"]}
    assert partners  # every partner's newest refusals, each marked with its partner
    assert len(every["recent"]) <= 100


def test_hours_is_checked(server, partner):
    reader = Partner(server, partner_id=partner.id, scopes="reports")
    for query, loc in [("?hours=0", "hours"), ("?hours=169", "hours"), ("?hours=abc", "hours"),
                       ("?hours=", "hours"), ("?days=2", "days")]:
        assert_422_at(server.get(DIAG + query, reader.headers()), ("query", loc))
    assert diagnostics(server, reader, "?hours=168")["hours"] == 168
    assert diagnostics(server, reader, "?hours=1")["hours"] == 1
    # Without the reports or admin scope: 403 (and that refusal is the partner's).
    r = server.get(DIAG, partner.headers())
    assert r.status == 403, r
    answer = wait_counts(server, reader, 6)
    assert counts_of(answer)[(DIAG, 403, "API key not permitted for this endpoint", None, None)] == 1


def test_a_401_is_never_recorded(server):
    pid = uid("p-")
    writer = Partner(server, partner_id=pid)
    reader = Partner(server, partner_id=pid, scopes="reports")
    server.cli.revoke(writer.key_id)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the key cache forgets the key within 5 s
        if writer.collect({}).status == 401:
            break
        time.sleep(0.2)
    for _ in range(5):
        assert writer.collect({}).status == 401
    r = request(server.port, "POST", "/v1/api/collect", {}, bearer("thr_not-a-key"))
    assert r.status == 401
    # One refusal we know is recorded, after the 401s: once it shows, they would have too.
    late = server.post("/v1/api/collect", {"event_name": "x"}, reader.headers())
    assert late.status == 403
    answer = wait_counts(server, reader, 1)
    statuses = {c["status"] for c in answer["counts"]}
    # Only refusals before the revocation took effect (422s) and the 403.
    assert 401 not in statuses
    assert answer["recent"][0]["request_id"] == late.headers.get("X-Request-Id")
    assert all(s["status"] != 401 for s in answer["recent"])


@pytest.mark.skipif(not processes.postgres_enabled(),
                    reason="needs PostgreSQL: THRAD_TEST_DATABASE_URL (scripts/start-postgres)")
def test_two_servers_sharing_a_database_are_both_counted(tmp_path):
    factory = ServerFactory("postgres", tmp_path)
    try:
        store = factory.new_store()
        first, second = factory(store=store), factory(store=store)
        pid = uid("p-")
        keys = {"writer": Partner(first, partner_id=pid),
                "reader": Partner(first, partner_id=pid, scopes="reports")}
        tallies = [Tally(), Tally()]
        threads = [threading.Thread(target=flood, args=(srv, keys, tally, 600, 2, 120))
                   for srv, tally in zip((first, second), tallies)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        want = tallies[0].counts + tallies[1].counts
        assert sum(want.values()) >= 1200
        for srv in (first, second):
            answer = wait_counts(srv, keys["reader"], sum(want.values()))
            assert counts_of(answer) == want
            ids = {s["request_id"] for s in answer["recent"]}
            assert len(answer["recent"]) == 100
            assert ids <= set(tallies[0].order) | set(tallies[1].order)
        assert samples_per_partner(store)[pid] == 100
    finally:
        factory.close()
