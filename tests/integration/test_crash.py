"""Durability: SIGKILL under load loses nothing that was acknowledged and stores nothing twice."""

import collections
import time

from helpers import LoadClient, Partner, acked, run_load, wait_for


def test_sigkill_under_load_keeps_every_acknowledged_write(make_server):
    srv = make_server()
    p = Partner(srv)
    click = p.add_click()
    clients = [LoadClient(p, "collect", f"ev{t}", max_requests=5000, deadline_s=10)
               for t in range(8)]
    clients += [LoadClient(p, "conversion", f"cv{t}", max_requests=5000, deadline_s=10,
                           click_id=click) for t in range(4)]
    # 300-event batches: on SQLite their WAL sync is deferred to the sync thread.
    clients += [LoadClient(p, "batch", f"bt{t}", max_requests=500, deadline_s=10)
                for t in range(2)]
    started = time.monotonic()

    def kill_once_both_kinds_are_acknowledged():
        wait_for(lambda: all(acked(clients, k) for k in ("collect", "conversion", "batch")),
                 timeout=5)
        srv.kill()

    run_load(clients, seconds_before=1.0, action=kill_once_both_kinds_are_acknowledged,
             join_timeout=15)
    events_acked, conversions_acked = acked(clients, "collect"), acked(clients, "conversion")
    batch_acked = acked(clients, "batch")
    assert events_acked and conversions_acked and batch_acked, \
        [c.errors[:2] + c.refused[:2] for c in clients]
    refused = [r for c in clients for r in c.refused]
    assert all(status == 503 for _, status, _ in refused), refused[:5]

    srv.start()  # same store
    stored_events = collections.Counter(e["event_id"] for e in p.events())
    lost = set(events_acked) - set(stored_events)
    assert not lost, f"{len(lost)} acknowledged events lost, e.g. {sorted(lost)[:5]}"
    lost = set(batch_acked) - set(stored_events)
    assert not lost, f"{len(lost)} acknowledged batch events lost, e.g. {sorted(lost)[:5]}"
    assert max(stored_events.values()) == 1

    # Retrying every conversion that was sent: acknowledged ones are duplicates, none is stored twice.
    sent = [i for c in clients if c.kind == "conversion" for i in c.sent]
    conn = srv.connect()
    answers = {}
    for ident in sent[:200] + conversions_acked[-50:]:
        body = {"click_id": click, "conversion_time": "2026-02-19T18:00:00Z",
                "conversion_value": 1.25, "currency": "USD", "order_id": ident}
        r = p.conversion(body, idem=ident, conn=conn)
        assert r.status == 200, r
        answers[ident] = r.json()["status"]
    conn.close()
    wrong = [i for i in conversions_acked if i in answers and answers[i] != "duplicate"]
    assert not wrong, f"acknowledged conversions not found on retry: {wrong[:5]}"
    stored = collections.Counter(c["dedup_key"] for c in p.conversions())
    lost = set(conversions_acked) - set(stored)
    assert not lost, f"{len(lost)} acknowledged conversions lost, e.g. {sorted(lost)[:5]}"
    print(f"\nSIGKILL test: {len(events_acked)} events, {len(batch_acked)} batch events and "
          f"{len(conversions_acked)} conversions acknowledged before the kill; lost 0; stored {sum(stored_events.values())} events, "
          f"{sum(stored.values())} conversions")
    twice = [k for k, n in stored.items() if n > 1]
    assert not twice, f"conversions stored twice: {twice[:5]}"
    assert time.monotonic() - started < 30
