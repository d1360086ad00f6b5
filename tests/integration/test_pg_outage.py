"""A PostgreSQL restart under load (issue 5, acceptance 3).

The test starts a private PostgreSQL cluster (scripts/start-postgres), so restarting it disturbs
nothing else, runs one server on it with clients sending events and conversions, and stops and
starts the database while they send. During the outage every refusal is 503 with Retry-After and
/readyz is 503; afterwards the same server process recovers by itself; every event and
conversion that was acknowledged is in the database, once. Skipped without
THRAD_TEST_DATABASE_URL (scripts/test always sets it).
"""

import collections
import pathlib
import re
import subprocess
import threading
import time

import pytest

import processes
from conftest import ServerFactory
from helpers import COLLECT, LoadClient, Partner, acked, assert_error, run_load, wait_for

pytestmark = pytest.mark.skipif(not processes.postgres_enabled(),
                                reason="needs PostgreSQL: THRAD_TEST_DATABASE_URL (scripts/start-postgres)")

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "start-postgres"
OUTAGE_S = 2.0
RECOVERY_BOUND_S = 10.0


def run_script(*args, timeout=120):
    proc = subprocess.run([str(SCRIPT), *args], capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"start-postgres {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode()


@pytest.fixture
def private_pg():
    """(url, pg_ctl) of a throwaway cluster of our own; deleted afterwards."""
    out = run_script()
    exports = dict(re.findall(r"export (\w+)='([^']*)'", out))
    url, pg_dir = exports["THRAD_TEST_DATABASE_URL"], exports["THRAD_TEST_PG_DIR"]

    def pg_ctl(*args):
        run_script("--pg-ctl", pg_dir, *args)

    try:
        yield url, pg_ctl
    finally:
        run_script("--stop", pg_dir)


def test_database_restart_under_load(private_pg, tmp_path, monkeypatch):
    url, pg_ctl = private_pg
    monkeypatch.setenv("THRAD_TEST_DATABASE_URL", url)  # fresh stores on the private cluster
    factory = ServerFactory("postgres", tmp_path)
    try:
        srv = factory()
        partner = Partner(srv)
        click = partner.add_click()
        stop = threading.Event()
        clients = [LoadClient(partner, "collect", f"ev{t}", stop=stop, max_requests=1_000_000,
                              deadline_s=40, stop_on_error=False) for t in range(4)]
        clients += [LoadClient(partner, "conversion", f"cv{t}", stop=stop, max_requests=1_000_000,
                               deadline_s=40, stop_on_error=False, click_id=click)
                    for t in range(2)]
        seen = {}

        def outage():
            _, ok = wait_for(lambda: acked(clients, "collect") and acked(clients, "conversion"),
                             timeout=10)
            assert ok is not None, "no write acknowledged before the outage"
            pg_ctl("stop", "-m", "fast")
            down_at = time.monotonic()
            # The outage is visible: /readyz 503, a write gets 503 with Retry-After.
            _, seen["readyz_503"] = wait_for(lambda: srv.get("/readyz").status == 503, timeout=5,
                                             interval=0.05)
            r = srv.post(COLLECT, {"event_name": "during"}, partner.headers())
            seen["during"] = r
            time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
            pg_ctl("start")
            up_at = time.monotonic()
            # Recovery without a restart: /readyz 200 and new writes acknowledged again.
            _, seen["readyz_200"] = wait_for(lambda: srv.get("/readyz").status == 200,
                                             timeout=RECOVERY_BOUND_S, interval=0.05)
            before = len(acked(clients))
            _, seen["writes_again"] = wait_for(lambda: len(acked(clients)) > before + 50,
                                               timeout=RECOVERY_BOUND_S, interval=0.05)
            seen["recovered_after_s"] = time.monotonic() - up_at
            stop.set()

        run_load(clients, seconds_before=0.5, action=outage, join_timeout=30)
        assert srv.running, "the server exited during the outage\n" + srv.log_tail()
        assert seen["readyz_503"] is not None, "/readyz never reported the outage"
        assert_error(seen["during"], 503, "Service unavailable")
        assert seen["during"].headers.get("Retry-After"), seen["during"]
        assert seen["readyz_200"] is not None, "/readyz did not recover\n" + srv.log_tail()
        assert seen["writes_again"] is not None, "writes did not recover\n" + srv.log_tail()

        refused = [x for c in clients for x in c.refused]
        assert refused, "no request was refused: the outage was not observed"
        assert {status for _, status, _ in refused} == {503}, collections.Counter(
            status for _, status, _ in refused)
        assert not [e for c in clients for e in c.errors], [c.errors[:3] for c in clients]

        # Nothing acknowledged is lost, nothing is stored twice.
        events = collections.Counter(e["event_id"] for e in partner.events())
        lost = set(acked(clients, "collect")) - set(events)
        assert not lost, f"{len(lost)} acknowledged events missing, e.g. {sorted(lost)[:5]}"
        assert max(events.values()) == 1
        conversions = collections.Counter(c["dedup_key"] for c in partner.conversions())
        lost = set(acked(clients, "conversion")) - set(conversions)
        assert not lost, f"{len(lost)} acknowledged conversions missing, e.g. {sorted(lost)[:5]}"
        assert max(conversions.values()) == 1
        # The store was refused for a while, then healthy again: the metrics say so too.
        metrics = srv.metrics()
        assert metrics.get("thrad_store_healthy") == 1.0, metrics.get("thrad_store_healthy")
    finally:
        factory.close()


def test_failing_key_lookup_makes_the_store_unhealthy_until_a_read_succeeds(private_pg, tmp_path,
                                                                             monkeypatch):
    """Issue 19, item 1: during an outage a request whose key is not cached fails its look-up
    (503); /readyz and thrad_store_healthy must say so even though no write failed, and recover
    by themselves (a probe, not a request, finds the database back)."""
    url, pg_ctl = private_pg
    monkeypatch.setenv("THRAD_TEST_DATABASE_URL", url)
    factory = ServerFactory("postgres", tmp_path)
    try:
        srv = factory()
        cold = Partner(srv)  # its key was never looked up: not in the key cache
        later = Partner(srv)
        assert srv.get("/readyz").status == 200
        pg_ctl("stop", "-m", "fast")
        try:
            r = cold.collect({"event_name": "during"})
            assert_error(r, 503, "Service unavailable")
            ready = srv.get("/readyz")
            assert ready.status == 503, ready
            assert ready.json()["store_healthy"] is False, ready
            assert ready.headers.get("Retry-After") == "1", ready
            assert srv.metrics().get("thrad_store_healthy") == 0.0
        finally:
            pg_ctl("start")
        # No request needed: the key cache probes the store and /readyz turns 200.
        _, ok = wait_for(lambda: srv.get("/readyz").status == 200, timeout=RECOVERY_BOUND_S,
                         interval=0.05)
        assert ok is not None, "/readyz did not recover\n" + srv.log_tail()
        assert srv.metrics().get("thrad_store_healthy") == 1.0
        assert later.collect({"event_name": "after"}).status == 204
    finally:
        factory.close()
