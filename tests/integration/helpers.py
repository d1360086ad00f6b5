"""Shared helpers of the integration suite (test files import from here).

Re-exports the HTTP and process layers and adds partners, assertions and load generators.
Everything speaks to the real `thrad-events` binary (env THRAD_BIN) on a real store.
"""

import datetime
import decimal
import http.client
import threading
import time

from http_client import (HOST, Headers, RawConn, Response, bearer, build_request, chunked,
                         dumps_raw, request, with_query)
from processes import (BIN, SECRETS, Cli, Server, ServerError, make_store, parse_metrics,
                       remember_secret, store_kinds, uid)

__all__ = [  # re-exported for the test files
    "HOST", "Headers", "RawConn", "Response", "bearer", "build_request", "chunked", "dumps_raw",
    "request", "with_query", "BIN", "SECRETS", "Cli", "Server", "ServerError", "make_store",
    "parse_metrics", "remember_secret", "store_kinds", "uid",
    "COLLECT", "CONVERSION", "COLLECT_PATHS", "CONVERSION_PATHS", "Partner", "assert_error",
    "error_locs", "assert_422_at", "assert_no_content", "assert_replayed", "parse_time",
    "rfc3339", "wait_for", "run_threads", "LoadClient", "run_load", "acked",
]

COLLECT = "/v1/api/collect"
CONVERSION = "/v1/api/conversion"
COLLECT_PATHS = ("/v1/api/collect", "/api/collect")
CONVERSION_PATHS = ("/v1/api/conversion", "/api/conversion", "/v1/conversion")


# ---------------------------------------------------------------------------------------------
# A partner: one key on one server, with request and export shortcuts.


class Partner:
    def __init__(self, server, partner_id=None, label=None, scopes=None, expires=None):
        self.server = server
        self.cli = server.cli
        self.id = partner_id or uid("p-")
        self.label = label or uid("label-")
        self.key = self.cli.create_key(self.id, self.label, scopes=scopes, expires=expires)
        self.key_id = self.key["id"]
        self.secret = self.key["key"]

    def headers(self, extra=None):
        h = bearer(self.secret)
        h.update(extra or {})
        return h

    def collect(self, body, headers=None, query=None, path=COLLECT, conn=None):
        return self.server.post(with_query(path, query), body, self.headers(headers), conn=conn)

    def conversion(self, body, idem=None, headers=None, query=None, path=CONVERSION, conn=None):
        h = dict(headers or {})
        if idem is not None:
            h["Idempotency-Key"] = idem
        return self.server.post(with_query(path, query), body, self.headers(h), conn=conn)

    def add_click(self, bid_id="bid-1", campaign=None, click_id=None):
        return self.cli.add_click(self.id, bid_id=bid_id, campaign=campaign,
                                  click_id=click_id)["click_id"]

    def events(self):
        return self.cli.export("events", partner=self.id)

    def conversions(self):
        return self.cli.export("conversions", partner=self.id)

    def event(self, event_id):
        rows = [r for r in self.events() if r.get("event_id") == event_id]
        assert len(rows) == 1, f"expected one stored event {event_id!r}, got {rows}"
        return rows[0]


# ---------------------------------------------------------------------------------------------
# Assertions shared by the test files.


def assert_error(resp, status, detail=None):
    """An error answer: status, JSON content type, detail, request_id equal to X-Request-Id."""
    assert resp.status == status, resp
    ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    assert ctype == "application/json", resp
    body = resp.json()
    assert isinstance(body, dict), resp
    if detail is not None:
        assert body.get("detail") == detail, resp
    else:
        assert isinstance(body.get("detail"), str) and body["detail"], resp
    rid = resp.headers.get("X-Request-Id")
    assert rid, resp
    assert body.get("request_id") == rid, resp
    return body


def error_locs(resp):
    body = assert_error(resp, 422, "Validation error")
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, resp
    for e in errors:
        assert isinstance(e.get("loc"), list), e
        assert isinstance(e.get("msg"), str) and e["msg"], e
        assert isinstance(e.get("type"), str) and e["type"], e
    return [tuple(e["loc"]) for e in errors]


def assert_422_at(resp, *locs):
    """422 whose errors name exactly the given locations (tuples like ("body", "currency"))."""
    got = error_locs(resp)
    assert sorted(set(got)) == sorted(set(locs)), f"expected locs {locs}, got {got}: {resp}"


def assert_no_content(resp):
    assert resp.status == 204, resp
    assert resp.body == b"", resp


def assert_replayed(resp, replayed):
    value = (resp.headers.get("Idempotent-Replayed") or "").lower()
    if replayed:
        assert value == "true", resp
    else:
        assert value != "true", resp


def parse_time(value):
    """A stored time (RFC 3339 text or Unix seconds/micros) as an aware UTC datetime."""
    if isinstance(value, (int, float, decimal.Decimal)):
        v = float(value)
        if v > 1e14:
            v /= 1e6
        return datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
    assert isinstance(value, str) and value, value
    dt = datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    assert dt.tzinfo is not None, f"time without offset: {value}"
    return dt.astimezone(datetime.timezone.utc)


def rfc3339(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_for(predicate, timeout, interval=0.1):
    """Polls predicate() until truthy; returns (value, seconds waited) or (last, None)."""
    start = time.monotonic()
    value = predicate()
    while not value:
        if time.monotonic() - start > timeout:
            return value, None
        time.sleep(interval)
        value = predicate()
    return value, time.monotonic() - start


def run_threads(count, target, timeout):
    """Runs target(i) in `count` threads; re-raises the first exception; bounded by `timeout`."""
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    alive = sum(t.is_alive() for t in threads)
    assert alive == 0, f"{alive} threads still running after {timeout}s"
    if errors:
        raise errors[0]


# ---------------------------------------------------------------------------------------------
# Load: bounded senders that record exactly what the server acknowledged.


class LoadClient(threading.Thread):
    """Sends unique collect events, conversions or batches on one keep-alive connection.

    Stops at `max_requests`, at `deadline_s`, when `stop` is set, or (stop_on_error) at the first
    transport error. `acked` holds the ids the server acknowledged (204 / {"status":"ok"} / a
    batch's 200 with every event accepted: its BATCH_EVENTS event ids).
    """

    BATCH_EVENTS = 300  # past GroupCommitOptions::pipeline_min_rows: its sync is deferred

    def __init__(self, partner, kind, prefix, stop=None, max_requests=1000, deadline_s=10.0,
                 stop_on_error=True, click_id=None):
        super().__init__(daemon=True)
        assert kind in ("collect", "conversion", "batch")
        assert kind != "conversion" or click_id
        self.partner, self.kind, self.prefix = partner, kind, prefix
        self.stop_event = stop or threading.Event()
        self.max_requests, self.deadline_s = max_requests, deadline_s
        self.stop_on_error, self.click_id = stop_on_error, click_id
        self.sent, self.acked, self.refused, self.errors = [], [], [], []

    def send_one(self, conn, i):
        ident = f"{self.prefix}-{i}"
        self.sent.append(ident)
        if self.kind == "collect":
            r = self.partner.collect({"event_name": "load", "event_id": ident}, conn=conn)
            ok = r.status == 204
        elif self.kind == "batch":
            ids = [f"{ident}.{j}" for j in range(self.BATCH_EVENTS)]
            body = {"events": [{"event_name": "load", "event_id": e} for e in ids]}
            r = self.partner.server.post("/v1/api/collect/batch", body, self.partner.headers(),
                                         conn=conn)
            if r.status == 200 and r.json()["accepted"] == len(ids):
                self.acked.extend(ids)
            else:
                self.refused.append((ident, r.status, r.body))
            return
        else:
            body = {"click_id": self.click_id, "conversion_time": "2026-02-19T18:00:00Z",
                    "conversion_value": 1.25, "currency": "USD", "order_id": ident}
            r = self.partner.conversion(body, idem=ident, conn=conn)
            ok = r.status == 200 and r.json() == {"status": "ok"}
        (self.acked if ok else self.refused).append(ident if ok else (ident, r.status, r.body))

    def run(self):
        deadline = time.monotonic() + self.deadline_s
        conn = None
        for i in range(self.max_requests):
            if self.stop_event.is_set() or time.monotonic() > deadline:
                break
            try:
                if conn is None:
                    conn = self.partner.server.connect(timeout=5)
                self.send_one(conn, i)
            except (OSError, http.client.HTTPException) as e:
                self.errors.append(repr(e))
                if conn is not None:
                    conn.close()
                conn = None
                if self.stop_on_error:
                    break
                time.sleep(0.05)
        if conn is not None:
            conn.close()


def run_load(clients, seconds_before=None, action=None, join_timeout=20.0):
    """Starts clients; optionally runs action() after `seconds_before`; joins all (bounded)."""
    for c in clients:
        c.start()
    if action is not None:
        time.sleep(seconds_before or 0)
        action()
    deadline = time.monotonic() + join_timeout
    for c in clients:
        c.join(max(0.0, deadline - time.monotonic()))
    alive = [c for c in clients if c.is_alive()]
    assert not alive, f"{len(alive)} load clients still running after {join_timeout}s"
    return clients


def acked(clients, kind=None):
    return [i for c in clients if kind in (None, c.kind) for i in c.acked]
