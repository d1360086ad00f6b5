"""Many stateless servers on one PostgreSQL database (issue 5, acceptance 2).

Two `serve` processes share one fresh database on the THRAD_TEST_DATABASE_URL server: racing
identical conversions split across both produce exactly one "ok" and one row, a key revoked
through the command line is refused by both within 5 s, and events sent to either server land
once in the shared store. Skipped without THRAD_TEST_DATABASE_URL (scripts/test always sets it).
"""

import collections
import threading
import time

import pytest

import processes
from conftest import ServerFactory
from helpers import (COLLECT, Partner, assert_error, assert_no_content, assert_replayed,
                     run_threads, uid)

pytestmark = pytest.mark.skipif(not processes.postgres_enabled(),
                                reason="needs PostgreSQL: THRAD_TEST_DATABASE_URL (scripts/start-postgres)")

RACERS = 60
REVOCATION_BOUND_S = 5.0


@pytest.fixture
def pg_pair(tmp_path):
    """Two servers on one fresh PostgreSQL database (stopped, logs attached on failure)."""
    factory = ServerFactory("postgres", tmp_path)
    store = factory.new_store()
    first, second = factory(store=store), factory(store=store)
    yield factory, first, second
    factory.close()


def race(servers, partner, body, idem, racers=RACERS):
    """`racers` identical conversions, connected first, released at one barrier."""
    barrier = threading.Barrier(racers, timeout=15)
    results = [None] * racers

    def racer(i):
        srv = servers[i % len(servers)]
        conn = srv.connect(timeout=15)
        conn.connect()
        try:
            barrier.wait()
            r = srv.post("/v1/api/conversion", body, partner.headers({"Idempotency-Key": idem}),
                         conn=conn)
        finally:
            conn.close()
        status = r.json().get("status") if r.status == 200 else None
        if status in ("ok", "duplicate"):
            assert_replayed(r, status == "duplicate")
        results[i] = status or (r.status, r.body)

    run_threads(racers, racer, timeout=30)
    return results


def test_racing_identical_conversions_across_two_servers_store_once(pg_pair):
    _, first, second = pg_pair
    partner = Partner(first)
    click = partner.add_click()
    body = {"click_id": click, "conversion_time": "2026-02-19T18:00:00Z",
            "conversion_value": 10.5, "currency": "USD", "order_id": "race-order"}
    idem = uid("mi-race-")
    results = race([first, second], partner, body, idem)
    ok, dup = results.count("ok"), results.count("duplicate")
    others = [r for r in results if r not in ("ok", "duplicate")]
    assert (ok, dup) == (1, RACERS - 1), f"ok={ok} duplicate={dup} others={others[:5]}"
    rows = [r for r in partner.conversions() if r["dedup_key"] == idem]
    assert len(rows) == 1, rows

    # The same key with another payload is refused by either server; nothing more is stored.
    changed = dict(body, conversion_value=11)
    for srv in (first, second):
        r = srv.post("/v1/api/conversion", changed, partner.headers({"Idempotency-Key": idem}))
        assert_error(r, 422, "Idempotency key reused with a different payload")
    assert len([r for r in partner.conversions() if r["dedup_key"] == idem]) == 1


def test_several_racing_keys_each_store_once(pg_pair):
    _, first, second = pg_pair
    partner = Partner(second)
    click = partner.add_click()
    keys = [uid("mi-k-") for _ in range(4)]
    body = {"click_id": click, "conversion_time": "2026-02-19T18:00:00Z",
            "conversion_value": 3, "currency": "EUR"}
    per_key = 16
    barrier = threading.Barrier(len(keys) * per_key, timeout=15)
    results = collections.defaultdict(list)
    lock = threading.Lock()

    def racer(i):
        srv = (first, second)[i % 2]
        idem = keys[i % len(keys)]
        conn = srv.connect(timeout=15)
        conn.connect()
        try:
            barrier.wait()
            r = srv.post("/v1/api/conversion", body, partner.headers({"Idempotency-Key": idem}),
                         conn=conn)
        finally:
            conn.close()
        with lock:
            results[idem].append(r.json().get("status") if r.status == 200 else r.status)

    run_threads(len(keys) * per_key, racer, timeout=30)
    for idem in keys:
        assert sorted(results[idem]) == ["duplicate"] * (per_key - 1) + ["ok"], results[idem]
    stored = collections.Counter(r["dedup_key"] for r in partner.conversions())
    assert stored == {k: 1 for k in keys}, stored


def test_key_revoked_through_the_cli_is_refused_by_both_within_5s(pg_pair):
    _, first, second = pg_pair
    partner = Partner(first)
    # Both servers have the key cached as valid.
    for srv in (first, second):
        assert_no_content(srv.post(COLLECT, {"event_name": "before"}, partner.headers()))
    first.cli.revoke(partner.key_id)
    revoked_at = time.monotonic()
    refused = {}
    while len(refused) < 2 and time.monotonic() - revoked_at < REVOCATION_BOUND_S + 2:
        for name, srv in (("first", first), ("second", second)):
            if name in refused:
                continue
            r = srv.post(COLLECT, {"event_name": "after"}, partner.headers())
            if r.status == 401:
                assert_error(r, 401, "Invalid API key")
                refused[name] = time.monotonic() - revoked_at
            else:
                assert r.status == 204, r
        time.sleep(0.05)
    assert set(refused) == {"first", "second"}, f"still accepted after revocation: {refused}"
    assert max(refused.values()) <= REVOCATION_BOUND_S, refused


def test_events_through_either_server_are_stored_once(pg_pair):
    _, first, second = pg_pair
    partner = Partner(first)
    shared = [uid("both-") for _ in range(40)]

    def sender(i):
        srv = (first, second)[i]
        conn = srv.connect()
        for n in range(100):
            r = srv.post(COLLECT, {"event_name": "e", "event_id": f"s{i}-{n}"}, partner.headers(),
                         conn=conn)
            assert_no_content(r)
        for event_id in shared:  # the same ids through both servers
            assert_no_content(srv.post(COLLECT, {"event_name": "e", "event_id": event_id},
                                       partner.headers(), conn=conn))
        conn.close()

    run_threads(2, sender, timeout=60)
    stored = collections.Counter(e["event_id"] for e in partner.events())
    assert len(stored) == 200 + len(shared), len(stored)
    assert set(stored.values()) == {1}


def test_racing_identical_events_across_two_servers_store_once(pg_pair):
    """The same event_id from 60 racers on two servers: one 204 stores it, every other 204 is
    a replay. On PostgreSQL each server writes new events with COPY, which fails whole on such
    a conflict and is redone by the deduplicating INSERT; several rounds, so some racers meet
    a row that is still being inserted and some meet a committed one."""
    _, first, second = pg_pair
    partner = Partner(first)
    for round_no in range(3):
        event_id = uid(f"ev-race-{round_no}-")
        barrier = threading.Barrier(RACERS, timeout=15)
        replayed = [None] * RACERS

        def racer(i):
            srv = (first, second)[i % 2]
            conn = srv.connect(timeout=15)
            conn.connect()
            try:
                barrier.wait()
                r = srv.post(COLLECT, {"event_name": "race", "event_id": event_id,
                                       "page_url": "https://race.example/"},
                             partner.headers(), conn=conn)
            finally:
                conn.close()
            assert_no_content(r)
            replayed[i] = (r.headers.get("Idempotent-Replayed") or "").lower() == "true"

        run_threads(RACERS, racer, timeout=30)
        assert replayed.count(False) == 1, replayed
        rows = [e for e in partner.events() if e["event_id"] == event_id]
        assert len(rows) == 1, rows
        assert rows[0]["tag_id"] == "site:race.example"
