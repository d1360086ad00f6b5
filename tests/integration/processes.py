"""The binary under test: stores, the command line, and the server process."""

import atexit
import decimal
import http.client
import json
import os
import pathlib
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
import uuid

from http_client import HOST, HTTP_TIMEOUT_S, RawConn, request

# The binary under test: THRAD_BIN (ctest sets it), else this clone's own release build.
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("THRAD_BIN", str(REPO_ROOT / "build" / "thrad-events"))

STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 10.0
CLI_TIMEOUT_S = 30.0

# Every secret the suite ever created or sent; test_auth checks none of them is in a log.
SECRETS = set()
_SECRETS_LOCK = threading.Lock()
# Every server log file of the run; test_zz_secrets scans them all at the end.
LOG_PATHS = []
# The run's record: every secret and every log path also go, one per line, to files in the
# directory THRAD_TEST_RUN_RECORD names (conftest.py sets it). The suite runs in several
# processes (pytest-xdist), each with its own SECRETS and LOG_PATHS; after the whole run the
# controlling process reads the record and scans every worker's logs for every worker's keys.
RUN_RECORD_ENV = "THRAD_TEST_RUN_RECORD"


def record_line(name, line):
    directory = os.environ.get(RUN_RECORD_ENV)
    if directory:
        # One short write with O_APPEND: lines from concurrent workers never interleave.
        with open(os.path.join(directory, name), "a", encoding="utf-8") as f:
            f.write(line + "\n")


def read_record(name):
    directory = os.environ.get(RUN_RECORD_ENV)
    path = os.path.join(directory, name) if directory else None
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line for line in f.read().splitlines() if line]


def child_env():
    """The environment for the binary, without THRAD_* settings that would override the flags."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THRAD_")}
    env["THRAD_LOG_LEVEL"] = os.environ.get("THRAD_LOG_LEVEL", "info")
    return env


def remember_secret(secret):
    with _SECRETS_LOCK:
        if secret not in SECRETS:
            SECRETS.add(secret)
            record_line("secrets", secret)


def uid(prefix=""):
    return prefix + uuid.uuid4().hex[:12]


# ---------------------------------------------------------------------------------------------
# Stores. A store is "how every subcommand is told where the data lives": SQLite always, and
# PostgreSQL when THRAD_TEST_DATABASE_URL names a server (scripts/start-postgres starts one).
# Every store is fresh: a new SQLite file, or a new database on that server (dropped at exit).
# Tests still never rely on a store being empty: every test works in its own partner ids.


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


PSQL = shutil.which("psql") or "/usr/bin/psql"
_CREATED_DATABASES = []  # (server URL, database name), dropped at exit


def with_database(url, name):
    """`url` (postgresql://...) with its database name replaced by `name`."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def psql(url, sql, timeout=60):
    """Runs `sql` with psql on `url`; returns stdout (unaligned, tuples only)."""
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url,
                           "-c", sql], capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"psql failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode()


# How long a test waits for a PostgreSQL row to enter the raw conversions' cursor: a row shows
# up once every older write transaction of the whole cluster has ended (docs/architecture.md),
# other tests' too, and under CI's load one was seen to take over 10 s.
PG_CURSOR_WAIT_S = 30


def pg_xid_holders(store):
    """On PostgreSQL, the cluster's sessions that hold a transaction id or a snapshot, oldest
    first: what keeps a new row out of the raw conversions' cursor. For a failing assertion's
    message; "" for SQLite."""
    if store.kind != "postgres":
        return ""
    return psql(store.url, "SELECT pid, datname, backend_type, state, now() - xact_start, backend_xid, "
                           "backend_xmin, left(query, 120) FROM pg_stat_activity WHERE "
                           "backend_xid IS NOT NULL OR backend_xmin IS NOT NULL ORDER BY xact_start")


def create_pg_database(server_url):
    """A new empty database on the server of `server_url`; returns its URL."""
    name = f"thrad_test_{uid()}"
    psql(server_url, f'CREATE DATABASE "{name}"')
    _CREATED_DATABASES.append((server_url, name))
    return with_database(server_url, name)


def _throwaway_cluster():
    """True when the PostgreSQL server is a cluster scripts/start-postgres made, which
    scripts/stop-postgres deletes whole."""
    pg_dir = os.environ.get("THRAD_TEST_PG_DIR")
    return bool(pg_dir) and os.path.exists(os.path.join(pg_dir, ".thrad-test-cluster"))


@atexit.register
def _drop_created_databases():
    # A throwaway cluster goes whole at the end, so its databases are left to that. Dropping
    # them here only cost: each DROP DATABASE forces a checkpoint and holds a transaction id
    # until it is done (12 s seen under the suites' load), and that holds back the raw
    # conversions' cursor of every test still running on the cluster (another xdist worker,
    # the other suite): docs/benchmarks.md, session 22.
    if _throwaway_cluster():
        return
    for server_url, name in _CREATED_DATABASES:
        try:
            psql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', timeout=20)
        except Exception:  # noqa: BLE001 - best effort; the server may be gone already
            pass


def store_kinds():
    """The stores the suites run on: SQLite, plus PostgreSQL when THRAD_TEST_DATABASE_URL names
    a server. THRAD_TEST_STORES (a comma list of `sqlite` and `postgres`) narrows that: CI runs
    the integration suite on PostgreSQL in the release build and on SQLite in the sanitized one
    (scripts/test), so each store's half runs once."""
    kinds = ["sqlite"]
    if os.environ.get("THRAD_TEST_DATABASE_URL"):
        kinds.append("postgres")
    wanted = os.environ.get("THRAD_TEST_STORES")
    if wanted:
        names = [w.strip() for w in wanted.split(",") if w.strip()]
        unknown = [n for n in names if n not in ("sqlite", "postgres")]
        if unknown:
            raise RuntimeError(f"THRAD_TEST_STORES: unknown store {unknown[0]!r} (sqlite, postgres)")
        if "postgres" in names and "postgres" not in kinds:
            raise RuntimeError("THRAD_TEST_STORES names postgres but THRAD_TEST_DATABASE_URL is unset")
        kinds = [k for k in kinds if k in names]
    return kinds


def postgres_enabled():
    """Whether this run includes PostgreSQL (store_kinds); the PostgreSQL-only tests skip
    otherwise."""
    return "postgres" in store_kinds()


def make_store(kind, directory):
    """A fresh store of `kind`: a new SQLite file in `directory`, or a new PostgreSQL database
    on the THRAD_TEST_DATABASE_URL server."""
    if kind == "sqlite":
        return SqliteStore(pathlib.Path(directory) / f"thrad-{uid()}.db")
    if kind == "postgres":
        return PostgresStore(create_pg_database(os.environ["THRAD_TEST_DATABASE_URL"]))
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
        assert what in ("events", "conversions", "clicks")
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
# The server process.


class ServerError(AssertionError):
    pass


class Server:
    """One `thrad-events serve` process on 127.0.0.1:0 over `store`.

    The log (stdout and stderr) goes to a file in `workdir`; restarts append to it.
    """

    def __init__(self, store, workdir, extra_args=(), name=None, env=None):
        self.store = store
        self.env = dict(env or {})  # extra environment (THRAD_* settings) for the process
        self.workdir = pathlib.Path(workdir)
        self.extra_args = [str(a) for a in extra_args]
        self.name = name or uid("server-")
        self.log_path = self.workdir / f"{self.name}.log"
        LOG_PATHS.append(self.log_path)
        record_line("logs", str(self.log_path))
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
                                         env={**child_env(), **self.env})
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
