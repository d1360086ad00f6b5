"""Overload and connection limits: a full writer queue answers 503 + Retry-After at once and
/readyz is not ready while it lasts (under a deliberately slowed store); connections over the
limit get the canned 503; slow and idle clients hold no worker and are cut off by timeouts."""

import socket
import threading
import time

from helpers import (HOST, Partner, RawConn, assert_error, build_request, uid, wait_for)

COMMIT_DELAY_MS = 1000


def burst_behind_a_commit(srv, p, attempt, n):
    """One write first, which the writer takes and holds in its (delayed) commit; then a burst of
    n more at once, which fills the queue (2) behind it and is refused beyond it. Returns the
    first write's answer, the burst's (answer, seconds) and the /readyz answers seen from the
    first refusal until one said not-ready (or for 0.75 of a commit)."""
    first = {}

    def send_first():
        first["r"] = p.collect({"event_name": "o", "event_id": f"ov-{attempt}-first"})

    results = [None] * n
    refused_at = []  # when each refusal came: the queue was full then
    go = threading.Event()

    def send(i):
        conn = srv.connect(timeout=10)
        conn.connect()  # connect before the burst so the requests really arrive together
        go.wait(5)
        started = time.monotonic()
        r = p.collect({"event_name": "o", "event_id": f"ov-{attempt}-{i}"}, conn=conn)
        results[i] = (r, time.monotonic() - started)
        if r.status == 503:
            refused_at.append(time.monotonic())
        conn.close()

    threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    first_thread = threading.Thread(target=send_first, daemon=True)
    first_thread.start()
    time.sleep(0.3)  # the writer takes the first write off the queue at once when idle
    go.set()
    readiness = []
    # The queue stays full from the burst until the first write's commit ends: /readyz must say
    # so. Counted from the first refusal: on a busy machine the burst itself may arrive late.
    deadline = time.monotonic() + 5

    def window_open():
        end = refused_at[0] if refused_at else time.monotonic()
        return time.monotonic() < min(deadline, end + COMMIT_DELAY_MS / 1000 * 0.75)

    while window_open():
        r = srv.get("/readyz", timeout=5)
        readiness.append(r)
        if r.status == 503:
            break
        time.sleep(0.01)
    for t in threads + [first_thread]:
        t.join(15)
    assert all(r is not None for r in results), "a request never finished"
    return first.get("r"), results, readiness


def test_full_queue_is_503_at_once_and_not_ready_while_it_lasts(make_server):
    srv = make_server("--debug-commit-delay-ms", COMMIT_DELAY_MS, "--max-queue", 2,
                      "--max-batch", 1, "--threads", 2)
    p = Partner(srv)
    n = 11
    acked_total = refused_total = 0
    # When the machine is so busy that the writer has not taken the first write off the queue
    # within 0.3 s, the first write holds one of the queue's two places and the queue is no
    # longer full once the writer takes it: that attempt proves nothing about /readyz, and the
    # scenario runs again (at most three times).
    for attempt in range(3):
        first, results, readiness = burst_behind_a_commit(srv, p, attempt, n)
        assert first is not None and first.status == 204, first
        refused = [(r, s) for r, s in results if r.status == 503]
        acked = [r for r, _ in results if r.status == 204]
        assert len(refused) + len(acked) == n, [r for r, _ in results]
        assert refused, "no request was refused although the queue holds 2"
        for r, seconds in refused:
            assert_error(r, 503, "Service unavailable")
            assert r.headers.get("Retry-After"), r
            # Refused at once: well before even one commit could have finished.
            assert seconds < COMMIT_DELAY_MS / 1000 / 2, f"503 took {seconds * 1000:.0f} ms"
        acked_total += 1 + len(acked)
        refused_total += len(refused)
        # Behind the commit, the queue took exactly its two.
        assert len(acked) <= 2, acked
        if len(acked) == 2:
            break
    assert len(acked) == 2, f"the writer never took the first write within 0.3 s: {acked}"
    not_ready = [r for r in readiness if r.status == 503]
    assert not_ready, f"/readyz never said not-ready: {[r.status for r in readiness]}"
    assert not_ready[0].headers.get("Retry-After"), not_ready[0]
    assert not_ready[0].json()["status"] == "not_ready"

    # Once the queue drains the server is ready again, and only acknowledged events exist.
    ready, waited = wait_for(lambda: srv.get("/readyz").status == 200, timeout=10, interval=0.05)
    assert waited is not None, "/readyz did not recover"
    stored = {e["event_id"] for e in p.events()}
    assert len(stored) == acked_total, (len(stored), acked_total)
    metrics = srv.metrics()
    assert metrics["thrad_store_rejected_ops_total"] >= refused_total


def read_all(sock, timeout):
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
    except ConnectionError:
        return data, True


def test_connections_over_the_limit_get_the_canned_503(make_server):
    srv = make_server("--max-connections", 3)
    held = [RawConn(srv.port) for _ in range(3)]
    try:
        # Each held connection is served (and so counted) before the next one comes.
        for c in held:
            c.send(build_request("GET", "/healthz", b""))
            assert c.read_response().status == 200
        extra = socket.create_connection((HOST, srv.port), timeout=5)
        data, closed = read_all(extra, timeout=5)
        extra.close()
        assert data.startswith(b"HTTP/1.1 503 "), data
        assert b"Retry-After:" in data and b"Service unavailable" in data, data
        assert closed, "the refused connection was left open"
    finally:
        for c in held:
            c.close()
    # Closing them frees the slots.
    ok, waited = wait_for(lambda: try_get(srv) == 200, timeout=5, interval=0.05)
    assert waited is not None, "slots were not freed"
    assert srv.metrics()["thrad_http_refused_connections_total"] >= 1


def try_get(srv):
    try:
        return srv.get("/healthz", timeout=2).status
    except OSError:
        return None


def test_slow_and_idle_clients_hold_no_worker(make_server):
    srv = make_server("--threads", 1, "--header-timeout-ms", 400, "--idle-timeout-ms", 400)
    p = Partner(srv)
    # Slowloris: 30 connections that send half a request line-up of headers and stall.
    slow = []
    for _ in range(30):
        s = socket.create_connection((HOST, srv.port), timeout=5)
        s.sendall(b"POST /v1/api/collect HTTP/1.1\r\nHost: x\r\nContent-Type: app")
        slow.append(s)
    idle = RawConn(srv.port)
    idle.send(build_request("GET", "/healthz", b""))
    assert idle.read_response().status == 200
    try:
        # With one I/O thread, a request still gets through at once.
        started = time.monotonic()
        r = p.collect({"event_name": "x", "event_id": uid("slow-")})
        assert r.status == 204, r
        assert time.monotonic() - started < 0.3
        gauge = srv.metrics()["thrad_http_open_connections"]
        assert gauge >= 31, gauge
        # The header timeout ends every slow connection (408 or a plain close) ...
        for s in slow:
            data, closed = read_all(s, timeout=3)
            assert closed, "a slow client was not cut off"
            assert data == b"" or data.startswith(b"HTTP/1.1 408 "), data[:100]
        # ... and the idle timeout the idle keep-alive one.
        assert idle.is_closed_by_peer(wait_s=3), "idle connection not closed"
    finally:
        for s in slow:
            s.close()
        idle.close()
    gone, waited = wait_for(lambda: srv.metrics()["thrad_http_open_connections"] <= 1,
                            timeout=5, interval=0.05)
    assert waited is not None, "open connections gauge did not come back down"
