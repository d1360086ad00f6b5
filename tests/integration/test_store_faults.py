"""Store faults (SQLite): a full disk, and read-only, unreadable or corrupted files at start.

The disk-full test mounts a small tmpfs (needs root, as CI runs; skipped otherwise).
"""

import contextlib
import errno
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

import pytest

from helpers import (BIN, COLLECT, Cli, Partner, ServerError, assert_error, assert_no_content,
                     make_store, uid, wait_for)
from processes import SqliteStore, child_env

START_TIMEOUT_S = 10


@pytest.fixture(autouse=True)
def sqlite_only(store_kind):
    if store_kind != "sqlite":
        pytest.skip("SQLite file faults")


@contextlib.contextmanager
def small_tmpfs(path, size):
    path.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "thrad-test",
                        str(path)], capture_output=True, timeout=10)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.decode().strip()} (needs root)")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True, timeout=10).returncode:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=10)


def fill(path):
    """Writes `path` until the file system is full; returns the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                written += f.write(chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
                break
        for size in (4096, 512, 1):  # the last partial blocks too
            try:
                while True:
                    written += f.write(chunk[:size])
            except OSError:
                pass
    return written


def test_disk_full_gets_503_readyz_reports_it_and_the_server_recovers(make_server, tmp_path):
    with small_tmpfs(tmp_path / "small", "8m") as mnt:
        srv = make_server(store=SqliteStore(mnt / "thrad.db"))
        p = Partner(srv)
        pad = "p" * 6000  # each event spills onto overflow pages: the WAL grows fast
        acked, refused = [], []
        conn = srv.connect(timeout=10)

        def send(tag):
            ident = uid(tag)
            r = p.collect({"event_name": "fill", "event_id": ident, "params": {"pad": pad}},
                          conn=conn)
            if r.status == 204:
                acked.append(ident)
            else:
                assert_error(r, 503, "Service unavailable")
                assert r.headers.get("Retry-After"), r
                refused.append(ident)
            return r.status

        for _ in range(5):
            assert send("before-") == 204
        filler = mnt / "filler"
        fill(filler)
        deadline = time.monotonic() + 20
        while send("full-") == 204:
            assert time.monotonic() < deadline, f"no 503 after {len(acked)} writes on a full disk"
        ready = srv.get("/readyz")
        assert ready.status == 503, ready
        assert ready.json().get("store_healthy") is False, ready
        # While the disk stays full, the same writes keep failing; none is acknowledged.
        for _ in range(10):
            assert send("still-full-") == 503
        assert srv.get("/healthz").status == 200  # alive, just not ready
        time.sleep(2.5)  # the writer probes about once a second: it must not turn ready again
        assert srv.get("/readyz").status == 503
        assert send("still-full-") == 503

        filler.unlink()  # space is back: the writer's probe notices within about a second
        _, waited = wait_for(lambda: srv.get("/readyz").status == 200, timeout=10)
        assert waited is not None, "/readyz did not recover after space was freed"
        for _ in range(5):
            assert send("after-") == 204
        conn.close()

        stored = {e["event_id"] for e in p.events()}
        print(f"disk full: {len(acked)} writes acknowledged, {len(refused)} refused with 503")
        assert set(acked) <= stored, f"acknowledged but lost: {sorted(set(acked) - stored)[:5]}"
        assert not stored & set(refused), "an event answered 503 was stored"
        srv.stop()


def run_serve(db_path, *extra, user=None):
    """`serve` on `db_path`; returns (exit code, output) once it exits (it must, quickly)."""
    argv = [BIN, "serve", "--db", str(db_path), "--listen", "127.0.0.1:0", *extra]
    if user is not None:
        argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv]
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=START_TIMEOUT_S, env=child_env())
    except subprocess.TimeoutExpired:
        raise ServerError(f"serve kept running on {db_path}: it must refuse to start") from None
    return proc.returncode, (proc.stdout + proc.stderr).decode(errors="replace")


def migrated_db(directory):
    store = make_store("sqlite", directory)
    Cli(store).create_key(uid("p-"))
    return store.path


def test_read_only_file_system_refuses_to_start(tmp_path):
    with small_tmpfs(tmp_path / "ro", "8m") as mnt:
        db = migrated_db(mnt)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True, timeout=10)
        rc, out = run_serve(db)
        assert rc != 0, out
        assert "error:" in out and str(db) in out and "Read-only file system" in out, out


def test_read_only_file_refuses_to_start():
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run as an unprivileged user")
    nobody = 65534
    # Outside pytest's private (0700) temp tree, so the unprivileged user can reach it.
    directory = pathlib.Path(tempfile.mkdtemp(prefix="thrad-ro-", dir="/tmp"))
    try:
        os.chmod(directory, 0o755)
        db = migrated_db(directory)
        for path in (directory, db):
            os.chown(path, nobody, nobody)
        os.chmod(db, 0o400)
        rc, out = run_serve(db, user=nobody)
        assert rc != 0, out
        assert "error:" in out and str(db) in out and "Permission denied" in out, out
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def corrupt_garbage(db):
    db.write_bytes(os.urandom(16384))


def corrupt_zeroed_header(db):
    with open(db, "r+b") as f:
        f.write(b"\0" * 100)


def corrupt_truncated(db):
    os.truncate(db, 2000)


def corrupt_schema_page(db):
    """Random bytes over all of page 1 but the 100-byte file header: the b-tree page holding
    the schema, its header, cell pointers and cells, wherever they sit as the schema grows."""
    with open(db, "r+b") as f:
        f.seek(100)
        f.write(os.urandom(4096 - 100))


def corrupt_text_file(db):
    db.write_text("this is not a database\n" * 100)


@pytest.mark.parametrize("corrupt", [corrupt_garbage, corrupt_zeroed_header, corrupt_truncated,
                                     corrupt_schema_page, corrupt_text_file],
                         ids=lambda f: f.__name__.removeprefix("corrupt_"))
def test_corrupted_database_refuses_to_start(tmp_path, corrupt):
    db = migrated_db(tmp_path)
    corrupt(db)
    rc, out = run_serve(db)
    assert rc == 1, out
    assert str(db) in out, out
    assert ("file is not a database" in out or "malformed" in out), out
    assert "restore it from a backup" in out, out


def test_database_path_that_is_a_directory_refuses_to_start(tmp_path):
    (tmp_path / "dir.db").mkdir()
    rc, out = run_serve(tmp_path / "dir.db")
    assert rc != 0 and "error:" in out, out
