"""Logs: one structured access line per request with the documented fields and never a key;
json and text formats; levels; and a stdout that blocks never blocks requests."""

import json
import os
import signal
import subprocess
import threading
import time

import helpers
from helpers import (BIN, COLLECT, HOST, Partner, RawConn, assert_no_content, uid, wait_for)
from processes import child_env

ACCESS_FIELDS = {"ts", "level", "logger", "msg", "request_id", "method", "route", "status",
                 "duration_ms", "partner_id", "key_id", "peer_ip", "bytes_in", "bytes_out"}


def json_lines(server):
    """Every log line of `server` as JSON (the harness's own "=== start" lines excepted)."""
    out = []
    text = server.log_text()
    # stdout is block-buffered: the file may end in the first part of a line still being
    # written. Only complete lines count.
    text = text[:text.rfind("\n") + 1]
    for line in text.splitlines():
        if not line.strip() or line.startswith("=== start:"):
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"log line is not JSON: {line!r}") from None
    return out


def access_lines(server, request_ids, timeout=5):
    """The access lines of these request ids, waiting for the asynchronous log to flush."""
    def found():
        lines = {l.get("request_id"): l for l in json_lines(server) if l.get("logger") == "access"}
        return lines if all(r in lines for r in request_ids) else None

    lines, waited = wait_for(found, timeout=timeout, interval=0.05)
    assert waited is not None, f"no access line for some of {request_ids}\n{server.log_tail(20)}"
    return lines


def test_one_json_access_line_per_request_with_its_fields(server):
    p = Partner(server)
    ids = {name: uid(f"log-{name}-") for name in ("ok", "badkey", "notfound", "invalid")}
    assert_no_content(p.collect({"event_name": "x"}, headers={"X-Request-Id": ids["ok"]}))
    bad_secret = p.secret + "zz"
    helpers.remember_secret(bad_secret)
    r = server.post(COLLECT, {"event_name": "x"},
                    headers={"Authorization": f"Bearer {bad_secret}", "X-Request-Id": ids["badkey"]})
    assert r.status == 401
    assert server.get("/nowhere", headers={"X-Request-Id": ids["notfound"]}).status == 404
    assert p.collect({"event_name": 5}, headers={"X-Request-Id": ids["invalid"]}).status == 422

    lines = access_lines(server, ids.values())
    ok = lines[ids["ok"]]
    assert set(ok) == ACCESS_FIELDS, sorted(ok)
    assert ok["level"] == "info" and ok["msg"] == "request"
    assert ok["method"] == "POST" and ok["route"] == "collect" and ok["status"] == 204
    assert ok["partner_id"] == p.id and ok["key_id"] == p.key_id
    assert ok["peer_ip"] == HOST
    assert isinstance(ok["duration_ms"], (int, float)) and 0 <= ok["duration_ms"] < 10_000
    assert ok["bytes_in"] == len(json.dumps({"event_name": "x"})) and ok["bytes_out"] == 0
    assert ok["ts"].endswith("Z")

    bad = lines[ids["badkey"]]
    assert bad["status"] == 401 and bad["partner_id"] is None and bad["key_id"] is None
    nf = lines[ids["notfound"]]
    assert nf["route"] == "unknown" and nf["status"] == 404 and nf["method"] == "GET"
    inv = lines[ids["invalid"]]
    assert inv["status"] == 422 and inv["key_id"] == p.key_id

    log = server.log_text()
    for secret in (p.secret, bad_secret):
        assert secret not in log and secret[-16:] not in log


def test_every_request_on_a_connection_is_logged_once(server):
    p = Partner(server)
    rid = uid("pipe-")
    conn = RawConn(server.port)
    try:
        raw = b"".join(
            helpers.build_request("POST", COLLECT, json.dumps({"event_name": "x"}).encode(),
                                  {**p.headers(), "X-Request-Id": f"{rid}-{i}",
                                   "Content-Type": "application/json"})
            for i in range(5))
        conn.send(raw)
        for _ in range(5):
            assert conn.read_response().status == 204
    finally:
        conn.close()
    ids = [f"{rid}-{i}" for i in range(5)]
    access_lines(server, ids)
    counted = [l["request_id"] for l in json_lines(server) if l.get("request_id") in ids]
    assert sorted(counted) == sorted(ids), counted


def test_text_format_and_levels(make_server):
    text = make_server("--log-format", "text")
    p = Partner(text)
    rid = uid("txt-")
    assert_no_content(p.collect({"event_name": "x"}, headers={"X-Request-Id": rid}))

    def line():
        return next((l for l in text.log_text().splitlines() if f"request_id={rid}" in l), None)

    found, waited = wait_for(line, timeout=5, interval=0.05)
    assert waited is not None, text.log_tail(10)
    assert " info access " in found, found
    for part in ("method=POST", "route=collect", "status=204", f"partner_id={p.id}",
                 f"key_id={p.key_id}", "duration_ms="):
        assert part in found, (part, found)
    assert p.secret not in text.log_text()

    quiet = make_server("--log-level", "warn")
    q = Partner(quiet)
    assert_no_content(q.collect({"event_name": "x"}))
    off = make_server("--access-log", "false")
    o = Partner(off)
    rid_off = uid("off-")
    assert_no_content(o.collect({"event_name": "x"}, headers={"X-Request-Id": rid_off}))
    time.sleep(0.4)  # more than the 200 ms flush interval
    assert '"logger":"access"' not in quiet.log_text(), quiet.log_tail(5)
    assert rid_off not in off.log_text()
    assert "listening on" in off.log_text()  # the other lines are still there


def test_a_blocked_stdout_never_blocks_requests(store, tmp_path):
    """stdout is a pipe nobody reads: its 64 KiB fill up at once, yet every request is answered
    promptly, and the lines that could not wait are dropped and counted."""
    port_file = tmp_path / "port"
    argv = [BIN, "serve", "--listen", f"{HOST}:0", *store.args, "--port-file", str(port_file),
            "--log-queue-size", "16"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=child_env())
    drain = None
    try:
        port, waited = wait_for(lambda: port_file.exists() and port_file.read_text().strip(),
                                timeout=10, interval=0.02)
        assert waited is not None, "server did not start"
        port = int(port)
        conn = RawConn(port)
        started = time.monotonic()
        n = 1500  # ~300 bytes of log each: several times the pipe's buffer
        try:
            for i in range(n):
                conn.send(helpers.build_request("GET", f"/healthz?i={i}", b"", {}))
                assert conn.read_response().status == 200
        finally:
            conn.close()
        elapsed = time.monotonic() - started
        assert elapsed < 15, f"{n} requests took {elapsed:.1f}s with a blocked stdout"
        metrics = helpers.request(port, "GET", "/metrics")
        dropped = helpers.parse_metrics(metrics.body.decode())["thrad_log_dropped_total"]
        assert dropped > 0, "no line was dropped although stdout was blocked"
    finally:
        # Unblock stdout so the server can write out its queue and exit.
        drain = threading.Thread(target=lambda: proc.stdout.read(), daemon=True)
        drain.start()
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert os.path.exists(port_file)


def startup_line(server):
    def find():
        for line in json_lines(server):
            if line.get("logger") == "thrad" and "starting" in line.get("msg", ""):
                return line
        return None

    line, waited = wait_for(find, timeout=5, interval=0.05)
    assert waited is not None, server.log_tail(10)
    return line["msg"]


def version():
    proc = subprocess.run([BIN, "--version"], capture_output=True, timeout=10, env=child_env())
    return proc.stdout.decode().split()[-1]


def test_startup_line_names_version_config_file_and_non_default_settings(make_server, tmp_path):
    """Issue 19, item 15."""
    cfg = tmp_path / "thrad.toml"
    cfg.write_text("max-queue = 111\nthreads = 2\n")  # threads = 2 is the default
    srv = make_server("--config", cfg, "--max-batch", "64", env={"THRAD_TRUST_PROXY": "true"})
    msg = startup_line(srv)
    assert msg.startswith(f"thrad-events {version()} starting; config file {cfg}; "), msg
    settings = msg.split("settings other than their defaults: ", 1)[1].split(", ")
    assert "max-queue=111" in settings and "max-batch=64" in settings, msg
    assert "trust-proxy=true" in settings, msg
    assert f"port-file={srv.port_file}" in settings, msg  # the harness's own flags count too
    assert not [s for s in settings if s.startswith(("threads=", "body-limit=", "config="))], msg

    plain = make_server()
    msg = startup_line(plain)
    assert f"thrad-events {version()} starting; no config file; " in msg, msg


def test_startup_line_never_shows_a_database_password(tmp_path):
    url = "postgresql://thrad:s3cret-pw@127.0.0.1:1/thrad?sslmode=disable&password=s3cret-pw"
    proc = subprocess.run([BIN, "serve", "--listen", f"{HOST}:0", "--database-url", url],
                          capture_output=True, timeout=30, env=child_env())
    out = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode != 0, out  # nothing listens on port 1
    assert "starting" in out, out
    assert "s3cret-pw" not in out, out
    assert "database-url=postgresql://***@127.0.0.1:1/thrad" in out, out


BODY_VALUE = "VALUE-FROM-THE-BODY-7f3a"


def refusals(server, p):
    """Sends refused requests; returns {name: request id}."""
    ids = {name: uid(f"dbg-{name}-") for name in ("invalid", "badkey", "notfound", "ok")}
    r = p.collect({"event_name": "", "page_url": 42, "tag_id": [BODY_VALUE],
                   "view_time_ms": BODY_VALUE}, headers={"X-Request-Id": ids["invalid"]},
                  query="validate_only=" + BODY_VALUE)
    assert r.status == 422, r
    r = server.post(COLLECT, {"event_name": BODY_VALUE},
                    headers={"Authorization": "Bearer thr_not-a-key", "X-Request-Id": ids["badkey"]})
    assert r.status == 401, r
    assert server.get("/nowhere/" + BODY_VALUE, headers={"X-Request-Id": ids["notfound"]}).status == 404
    assert_no_content(p.collect({"event_name": BODY_VALUE}, headers={"X-Request-Id": ids["ok"]}))
    return ids


def test_debug_access_lines_say_why_a_request_was_refused(make_server):
    """Issue 19, item 16: at debug, a 4xx access line carries the error's detail and each
    error's loc and type, never a value from the request."""
    srv = make_server("--log-level", "debug")
    ids = refusals(srv, Partner(srv))
    lines = access_lines(srv, ids.values())
    invalid = lines[ids["invalid"]]
    assert invalid["detail"] == "Validation error", invalid
    assert invalid["errors"] == [
        {"loc": ["query", "validate_only"], "type": "bool_parsing"},
        {"loc": ["body", "event_name"], "type": "string_blank"},
        {"loc": ["body", "tag_id"], "type": "string_type"},
        {"loc": ["body", "page_url"], "type": "string_type"},
        {"loc": ["body", "view_time_ms"], "type": "int_type"}], invalid
    assert lines[ids["badkey"]]["detail"] == "Invalid API key"
    assert "errors" not in lines[ids["badkey"]]
    assert lines[ids["notfound"]]["detail"] == "Not found"
    assert "detail" not in lines[ids["ok"]]  # only refusals
    assert BODY_VALUE not in srv.log_text()

    text = make_server("--log-level", "debug", "--log-format", "text")
    ids = refusals(text, Partner(text))

    def line():
        return next((l for l in text.log_text().splitlines()
                     if f"request_id={ids['invalid']}" in l), None)

    found, waited = wait_for(line, timeout=5, interval=0.05)
    assert waited is not None, text.log_tail(10)
    assert found.endswith(' detail="Validation error" errors=query.validate_only:bool_parsing,'
                          'body.event_name:string_blank,body.tag_id:string_type,'
                          'body.page_url:string_type,body.view_time_ms:int_type'), found
    assert BODY_VALUE not in text.log_text()


def test_info_access_lines_carry_no_error_details(make_server):
    srv = make_server()  # --log-level info
    ids = refusals(srv, Partner(srv))
    lines = access_lines(srv, ids.values())
    for line in lines.values():
        assert "detail" not in line and "errors" not in line, line
        assert set(line) == ACCESS_FIELDS, line
