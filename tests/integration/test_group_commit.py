"""Group commit: under concurrent load the store commits fewer transactions than writes."""

from helpers import LoadClient, acked, run_load

THREADS = 16
PER_THREAD = 100


def test_fewer_commits_than_events_under_load(server, partner):
    before = server.metrics()
    for name in ("thrad_store_commits_total", "thrad_store_committed_ops_total"):
        assert name in before, f"/metrics lacks {name}"
    clients = [LoadClient(partner, "collect", f"gc{t}", max_requests=PER_THREAD, deadline_s=30,
                          stop_on_error=False) for t in range(THREADS)]
    run_load(clients, join_timeout=40)
    after = server.metrics()
    sent = acked(clients)
    assert len(sent) == THREADS * PER_THREAD, [c.refused[:3] + c.errors[:3] for c in clients]
    commits = after["thrad_store_commits_total"] - before["thrad_store_commits_total"]
    ops = after["thrad_store_committed_ops_total"] - before["thrad_store_committed_ops_total"]
    assert ops >= THREADS * PER_THREAD, (commits, ops)
    assert 0 < commits < ops, f"commits={commits} ops={ops}: no batching"
    print(f"\ngroup commit: {ops} write ops in {commits} transactions "
          f"({ops / commits:.1f} ops per commit)")
    assert len(partner.events()) == THREADS * PER_THREAD
