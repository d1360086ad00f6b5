"""Graceful shutdown: SIGTERM while clients send exits 0 and keeps every acknowledged event."""

import signal

from helpers import LoadClient, Partner, acked, run_load


def test_sigterm_under_load(make_server):
    srv = make_server()
    p = Partner(srv)
    clients = [LoadClient(p, "collect", f"sd{t}", max_requests=5000, deadline_s=10)
               for t in range(8)]
    exit_codes = []

    def terminate():
        srv.send_signal(signal.SIGTERM)
        exit_codes.append(srv.wait(timeout=10))

    run_load(clients, seconds_before=0.7, action=terminate, join_timeout=15)
    assert exit_codes == [0], srv.log_tail()
    sent = acked(clients)
    assert sent, [c.errors[:2] for c in clients]
    refused = [r for c in clients for r in c.refused]
    assert all(status == 503 for _, status, _ in refused), refused[:5]
    stored = {e["event_id"] for e in p.events()}
    lost = set(sent) - stored
    assert not lost, f"{len(lost)} acknowledged events lost, e.g. {sorted(lost)[:5]}"
