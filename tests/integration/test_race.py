"""Spec section 4.4: identical conversions racing produce exactly one "ok"."""

import threading


from helpers import Partner, assert_replayed, run_threads, uid

RACERS = 60


def race(servers, partner, click_id, idem):
    """RACERS identical conversions, connected first, sent at one barrier; returns statuses."""
    body = {"click_id": click_id, "conversion_time": "2026-02-19T18:00:00Z",
            "conversion_value": 10.5, "currency": "USD", "order_id": "race-order"}
    barrier = threading.Barrier(RACERS, timeout=15)
    results = [None] * RACERS

    def racer(i):
        srv = servers[i % len(servers)]
        conn = srv.connect(timeout=15)
        conn.connect()
        try:
            barrier.wait()
            r = partner.conversion(body, idem=idem, conn=conn)
        finally:
            conn.close()
        status = r.json().get("status") if r.status == 200 else None
        if status in ("ok", "duplicate"):
            assert_replayed(r, status == "duplicate")
        results[i] = status or (r.status, r.body)

    run_threads(RACERS, racer, timeout=30)
    return results


def assert_one_winner(results, partner, idem):
    ok = results.count("ok")
    dup = results.count("duplicate")
    assert (ok, dup) == (1, RACERS - 1), f"ok={ok} duplicate={dup} others={[r for r in results if r not in ('ok', 'duplicate')]}"
    rows = [r for r in partner.conversions() if r["dedup_key"] == idem]
    assert len(rows) == 1, rows


def test_identical_conversions_racing_on_one_server(server, partner):
    idem = uid("race-")
    results = race([server], partner, partner.add_click(), idem)
    assert_one_winner(results, partner, idem)


def test_identical_conversions_racing_on_two_servers_sharing_a_store(server, make_server):
    second = make_server(store=server.store)
    partner = Partner(server)
    idem = uid("race2-")
    results = race([server, second], partner, partner.add_click(), idem)
    assert_one_winner(results, partner, idem)
