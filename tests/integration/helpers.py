"""Shared helpers of the integration suite: stores, the server process, the CLI, HTTP.

Everything here speaks to the real `thrad-events` binary (env THRAD_BIN) on a real store.
Test files import this module; fixtures live in conftest.py.
"""

import datetime
import decimal
import http.client
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import uuid

BIN = os.environ.get("THRAD_BIN", "/work/main/build/thrad-events")
HOST = "127.0.0.1"

COLLECT = "/v1/api/collect"
CONVERSION = "/v1/api/conversion"
COLLECT_PATHS = ("/v1/api/collect", "/api/collect")
CONVERSION_PATHS = ("/v1/api/conversion", "/api/conversion", "/v1/conversion")

STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 10.0
CLI_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 10.0

# Every secret the suite ever created or sent; test_auth checks none of them is in a log.
SECRETS = set()
_SECRETS_LOCK = threading.Lock()


def child_env():
    """The environment for the binary, without THRAD_* settings that would override the flags."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THRAD_")}
    env["THRAD_LOG_LEVEL"] = os.environ.get("THRAD_LOG_LEVEL", "info")
    return env


def remember_secret(secret):
    with _SECRETS_LOCK:
        SECRETS.add(secret)


def uid(prefix=""):
    return prefix + uuid.uuid4().hex[:12]


# ---------------------------------------------------------------------------------------------
# Stores. A store is "how every subcommand is told where the data lives". Today only SQLite
# runs; PostgreSQL (THRAD_TEST_DATABASE_URL) is wired in so tests can be parameterized by store.
# Tests never rely on a store being empty: every test works in its own partner ids.


class SqliteStore:
    kind = "sqlite"

    def __init__(self, path):
        self.path = pathlib.Path(path)

    @property
    def args(self):
        return ["--db", str(self.path)]

    def __repr__(self):
        return f"SqliteStore({self.path})"


class PostgresStore:
    kind = "postgres"

    def __init__(self, url):
        self.url = url

    @property
    def args(self):
        return ["--database-url", self.url]

    def __repr__(self):
        return "PostgresStore(<url>)"


def store_kinds():
    kinds = ["sqlite"]
    if os.environ.get("THRAD_TEST_DATABASE_URL"):
        kinds.append("postgres")
    return kinds


def make_store(kind, directory):
    """A store of `kind`; SQLite gets a fresh file in `directory`, PostgreSQL shares the URL."""
    if kind == "sqlite":
        return SqliteStore(pathlib.Path(directory) / f"thrad-{uid()}.db")
    if kind == "postgres":
        return PostgresStore(os.environ["THRAD_TEST_DATABASE_URL"])
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# Command line.


class CliError(AssertionError):
    pass


class Cli:
    """Runs `thrad-events <subcommand>` against one store."""

    def __init__(self, store):
        self.store = store

    def run(self, command, *args, check=True):
        """`thrad-events <command words> <store args> <args>`; command is e.g. "keys create"."""
        words = command.split()
        argv = [BIN, *words, *self.store.args, *[str(a) for a in args]]
        proc = subprocess.run(argv, capture_output=True, timeout=CLI_TIMEOUT_S, env=child_env())
        if check and proc.returncode != 0:
            raise CliError(
                f"{' '.join(words)} exited {proc.returncode}\nstdout: "
                f"{proc.stdout.decode(errors='replace')}\nstderr: {proc.stderr.decode(errors='replace')}"
            )
        return proc

    def create_key(self, partner, label=None, scopes=None, expires=None):
        args = ["--partner", partner, "--label", label or f"label-{partner}"]
        if scopes is not None:
            args += ["--scopes", scopes]
        if expires is not None:
            args += ["--expires", expires]
        proc = self.run("keys create", *args, "--json")
        lines = [l for l in proc.stdout.decode().splitlines() if l.strip()]
        assert len(lines) == 1, f"keys create --json printed {len(lines)} lines: {lines}"
        key = json.loads(lines[0])
        assert key["id"].startswith("key_"), key
        assert key["key"], key
        remember_secret(key["key"])
        return key

    def list_keys_text(self, partner=None, as_json=True):
        args = []
        if partner is not None:
            args += ["--partner", partner]
        if as_json:
            args.append("--json")
        return self.run("keys list", *args).stdout.decode()

    def list_keys(self, partner=None):
        return parse_json_lines(self.list_keys_text(partner, as_json=True))

    def revoke(self, key_id):
        self.run("keys revoke", key_id)

    def add_click(self, partner, bid_id=None, campaign=None, click_id=None):
        args = ["--partner", partner]
        if bid_id is not None:
            args += ["--bid-id", bid_id]
        if campaign is not None:
            args += ["--campaign", campaign]
        if click_id is not None:
            args += ["--click-id", click_id]
        proc = self.run("clicks add", *args, "--json")
        rows = parse_json_lines(proc.stdout.decode())
        assert len(rows) == 1 and rows[0].get("click_id"), proc.stdout
        return rows[0]

    def export(self, what, partner=None, since=None):
        assert what in ("events", "conversions")
        args = []
        if partner is not None:
            args += ["--partner", partner]
        if since is not None:
            args += ["--since", since]
        return parse_json_lines(self.run(f"export {what}", *args).stdout.decode())


def parse_json_lines(text):
    """JSON lines; numbers with a fraction become Decimal so exactness can be checked."""
    return [json.loads(l, parse_float=decimal.Decimal) for l in text.splitlines() if l.strip()]


# ---------------------------------------------------------------------------------------------
# HTTP.


class Headers:
    """Case-insensitive multi-map of response headers."""

    def __init__(self, pairs):
        self.pairs = [(k, v) for k, v in pairs]

    def get(self, name, default=None):
        for k, v in self.pairs:
            if k.lower() == name.lower():
                return v
        return default

    def get_all(self, name):
        return [v for k, v in self.pairs if k.lower() == name.lower()]

    def __contains__(self, name):
        return self.get(name) is not None

    def __repr__(self):
        return repr(self.pairs)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"body is not JSON ({e}): {self.body[:500]!r}") from None

    def __repr__(self):
        return f"<{self.status} {self.headers!r} {self.body[:800]!r}>"


def encode_body(body):
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def request(port, method, path, body=None, headers=None, conn=None, timeout=HTTP_TIMEOUT_S):
    """One HTTP request; returns Response. Reuses `conn` (http.client) when given.

    `headers` values of None remove a default header. Dict/list bodies are JSON-encoded and sent
    with Content-Type application/json unless headers say otherwise.
    """
    hdrs = {}
    data = encode_body(body)
    if data is not None or method == "POST":
        hdrs["Content-Type"] = "application/json"
    for k, v in (headers or {}).items():
        for existing in list(hdrs):
            if existing.lower() == k.lower():
                del hdrs[existing]
        hdrs[k] = v
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in hdrs.items():
            if v is not None:
                conn.putheader(k, v)
        if data is not None or method == "POST":
            conn.putheader("Content-Length", str(len(data or b"")))
        conn.endheaders(data)
        r = conn.getresponse()
        payload = r.read()
        return Response(r.status, Headers(r.getheaders()), payload)
    finally:
        if own:
            conn.close()


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def with_query(path, query):
    if not query:
        return path
    return path + ("&" if "?" in path else "?") + query


def dumps_raw(obj, raw):
    """json.dumps(obj) with the values of the keys in `raw` written as the given raw JSON text."""
    obj = dict(obj)
    marks = {}
    for k, text in raw.items():
        mark = f"__raw_{uid()}__"
        obj[k] = mark
        marks[mark] = text
    s = json.dumps(obj)
    for mark, text in marks.items():
        s = s.replace(json.dumps(mark), text)
    return s.encode()


# Raw sockets: keep-alive, pipelining and chunked bodies, byte for byte.


def build_request(method, path, body=b"", headers=None, host="127.0.0.1"):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    hdrs = dict(headers or {})
    chunked = any(k.lower() == "transfer-encoding" for k in hdrs)
    if not chunked and (body or method == "POST"):
        hdrs.setdefault("Content-Length", str(len(body)))
    for k, v in hdrs.items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(body, chunk_size):
    out = b""
    for i in range(0, len(body), chunk_size):
        part = body[i:i + chunk_size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


class RawConn:
    """A plain TCP connection with an HTTP/1.1 response reader."""

    def __init__(self, port, timeout=HTTP_TIMEOUT_S):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def send_tolerant(self, data):
        """Sends, tolerating a peer that answered early and stopped reading."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def _read_until(self, marker):
        while marker not in self.buf:
            self._fill()
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def _read_n(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_response(self, head_request=False):
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split(" ")[1])
        pairs = []
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                pairs.append((k.strip(), v.strip()))
        headers = Headers(pairs)
        body = b""
        if head_request or status in (204, 304) or 100 <= status < 200:
            pass
        elif "chunked" in (headers.get("Transfer-Encoding") or "").lower():
            while True:
                size = int(self._read_until(b"\r\n").split(b";")[0].strip(), 16)
                if size == 0:
                    self._read_until(b"\r\n")
                    break
                body += self._read_n(size)
                self._read_n(2)
        elif headers.get("Content-Length") is not None:
            body = self._read_n(int(headers.get("Content-Length")))
        else:
            try:
                while True:
                    self._fill()
            except ConnectionError:
                pass
            body, self.buf = self.buf, b""
        return Response(status, headers, body)

    def is_closed_by_peer(self, wait_s=1.0):
        self.sock.settimeout(wait_s)
        try:
            return self.sock.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionError:
            return True

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------------------------------------
# The server process.


class ServerError(AssertionError):
    pass


class Server:
    """One `thrad-events serve` process on 127.0.0.1:0 over `store`.

    The log (stdout and stderr) goes to a file in `workdir`; restarts append to it.
    """

    def __init__(self, store, workdir, extra_args=(), name=None):
        self.store = store
        self.workdir = pathlib.Path(workdir)
        self.extra_args = [str(a) for a in extra_args]
        self.name = name or uid("server-")
        self.log_path = self.workdir / f"{self.name}.log"
        self.port_file = self.workdir / f"{self.name}.port"
        self.proc = None
        self.port = None
        self.cli = Cli(store)

    # -- lifecycle --

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        if not os.path.exists(BIN):
            raise ServerError(f"server binary {BIN} does not exist (set THRAD_BIN)")
        if self.port_file.exists():
            self.port_file.unlink()
        argv = [BIN, "serve", "--listen", f"{HOST}:0", *self.store.args,
                "--port-file", str(self.port_file), *self.extra_args]
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== start: {' '.join(argv)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         env=child_env())
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        self.port = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"server exited {self.proc.returncode} during start-up\n"
                                  + self.log_tail())
            if self.port is None:
                self.port = self._read_port()
            if self.port is not None:
                try:
                    if self.get("/readyz", timeout=2).status == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.02)
        self.kill()
        raise ServerError(f"server not ready within {STARTUP_TIMEOUT_S}s (port {self.port})\n"
                          + self.log_tail())

    def _read_port(self):
        try:
            text = self.port_file.read_text().strip()
        except FileNotFoundError:
            return None
        if not text.isdigit():
            return None
        port = int(text)
        assert 0 < port < 65536, text
        return port

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=SHUTDOWN_TIMEOUT_S):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise ServerError(f"server did not exit within {timeout}s\n" + self.log_tail())

    def stop(self, sig=signal.SIGTERM):
        """Graceful stop; asserts exit code 0."""
        if not self.running:
            return self.proc.returncode if self.proc else None
        self.send_signal(sig)
        rc = self.wait()
        if rc != 0:
            raise ServerError(f"server exited {rc} after {sig!r}\n" + self.log_tail())
        return rc

    def kill(self):
        if self.running:
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        self.stop()
        return self.start()

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    # -- observation --

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=80):
        text = self.log_text().splitlines()
        return f"--- {self.log_path} (last {lines} lines) ---\n" + "\n".join(text[-lines:])

    def get(self, path, headers=None, timeout=HTTP_TIMEOUT_S):
        return request(self.port, "GET", path, headers=headers, timeout=timeout)

    def post(self, path, body=None, headers=None, conn=None):
        return request(self.port, "POST", path, body=body, headers=headers, conn=conn)

    def connect(self, timeout=HTTP_TIMEOUT_S):
        return http.client.HTTPConnection(HOST, self.port, timeout=timeout)

    def raw(self, timeout=HTTP_TIMEOUT_S):
        return RawConn(self.port, timeout=timeout)

    def metrics(self):
        r = self.get("/metrics")
        assert r.status == 200, r
        return parse_metrics(r.body.decode())


def parse_metrics(text):
    """Unlabeled samples of a Prometheus text exposition: name -> float."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) >= 2 and "{" not in parts[0]:
            try:
                out[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return out


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
    """Sends unique collect events or conversions on one keep-alive connection.

    Stops at `max_requests`, at `deadline_s`, when `stop` is set, or (stop_on_error) at the first
    transport error. `acked` holds the ids the server acknowledged (204 / {"status":"ok"}).
    """

    def __init__(self, partner, kind, prefix, stop=None, max_requests=1000, deadline_s=10.0,
                 stop_on_error=True, click_id=None):
        super().__init__(daemon=True)
        assert kind in ("collect", "conversion")
        assert kind == "collect" or click_id
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
