"""Secrets: no API key is in any server log, in the metrics, in `keys list` or in an export; the
SQLite files and backups are private (0600).

This file sorts last, so in a run in one process it sees every log of the run. The suite usually
runs in several processes (pytest-xdist): each checks its own logs here, and after the whole
run conftest.py scans every process's logs for every process's keys (secret_scan.py).
"""

import os
import stat
import subprocess
import time

import pytest

import processes
from helpers import (BIN, COLLECT, CONVERSION, SECRETS, Cli, Partner, assert_no_content, bearer,
                     build_request, make_store, remember_secret)
from secret_scan import KEY_SHAPE, leaks, read_logs


def leak_attempts(server, secret):
    """Puts a live key everywhere a client could put it, so the logs get every chance to leak."""
    wrong = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    remember_secret(wrong)
    auth = bearer(secret)
    server.post(COLLECT, {"event_name": "ok"}, headers=auth)
    server.post(COLLECT, {"event_name": "x"}, headers=bearer(wrong))  # unknown key
    server.post(COLLECT, {"event_name": "x"}, headers={"Authorization": f"Basic {secret}"})
    server.post(COLLECT, {"event_name": "x"}, headers={"Authorization": secret})
    server.post(COLLECT, {"event_name": "x"}, headers={"Authorization": f"Bearer {secret} extra"})
    server.post(COLLECT, b"{bad json " + secret.encode(), headers=auth)
    server.post(COLLECT, {"event_name": secret, "key": secret}, headers=auth)  # stored, fine
    server.post(f"{COLLECT}?api_key={secret}", {"event_name": "x"}, headers=auth)
    server.post(f"/v1/{secret}", {"event_name": "x"}, headers=auth)  # 404
    server.post(CONVERSION, {"click_id": "nope"}, headers={**auth, "Idempotency-Key": secret})
    server.post(CONVERSION, {"click_id": "nope"}, headers={**auth, "Idempotency-Key": secret + "\u00e9"})
    server.get(f"/metrics?{secret}", headers={"X-Forwarded-For": secret, "User-Agent": secret})
    raw = server.raw(timeout=5)
    raw.send_tolerant(build_request("POST", COLLECT, b"{}", {**auth, "Transfer-Encoding": "gzip"}))
    raw.close()
    raw = server.raw(timeout=5)
    raw.send_tolerant(b"GARBAGE " + secret.encode() + b" HTTP/1.1\r\n\r\n")
    raw.close()


def test_no_key_in_any_log_or_in_the_metrics_after_the_run(server):
    p = Partner(server)
    leak_attempts(server, p.secret)
    time.sleep(0.5)  # the log sink is asynchronous
    assert p.secret in SECRETS and len(SECRETS) > 1

    texts = read_logs(processes.LOG_PATHS)
    assert str(server.log_path) in texts
    texts["GET /metrics"] = server.get("/metrics").body.decode()
    assert not leaks(texts, SECRETS), leaks(texts, SECRETS)


def test_keys_list_and_exports_never_print_a_secret(server):
    for _ in range(2):  # at least two keys and a stored event, whatever ran before on `server`
        leak_attempts(server, Partner(server).secret)
    cli = server.cli
    outputs = {
        "keys list": cli.run("keys list").stdout.decode(),
        "keys list --json": cli.run("keys list", "--json").stdout.decode(),
        "export conversions": cli.run("export conversions").stdout.decode(),
    }
    events = cli.run("export events").stdout.decode()
    assert outputs["keys list --json"].count("\n") >= 2
    for name, text in outputs.items():
        for secret in SECRETS:
            assert secret not in text, f"{name} printed a key ({secret[:6]}...)"
        assert not KEY_SHAPE.search(text), f"{name} printed something shaped like a key"
    # Events hold only what clients sent (leak_attempts stored a key as an event name on
    # purpose); the server adds key ids and labels, never a key.
    for line in events.splitlines():
        assert '"api_key":' not in line and '"digest":' not in line, line


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_sqlite_files_and_backups_are_private(make_server, store_kind, tmp_path):
    if store_kind != "sqlite":
        pytest.skip("SQLite files only")
    old = os.umask(0o022)  # a permissive umask: the binary must not rely on the caller's
    try:
        store = make_store("sqlite", tmp_path / "data")
        Cli(store).create_key("p-perm")  # the CLI creates the file
        assert mode(store.path) == 0o600, oct(mode(store.path))
        os.chmod(store.path, 0o600)
        srv = make_server(store=store)
        p = Partner(srv)
        for i in range(20):
            assert_no_content(p.collect({"event_name": "perm", "event_id": f"e{i}"}))
        for suffix in ("", "-wal", "-shm"):
            path = f"{store.path}{suffix}"
            assert os.path.exists(path), path
            assert mode(path) == 0o600, f"{path} has mode {oct(mode(path))}"
        backup = tmp_path / "backup.db"
        proc = subprocess.run([BIN, "backup", *store.args, str(backup)], capture_output=True,
                              timeout=60, env=processes.child_env())
        assert proc.returncode == 0, proc.stderr.decode()
        assert mode(backup) == 0o600, oct(mode(backup))
        for suffix in ("-wal", "-shm", "-journal"):
            extra = f"{backup}{suffix}"
            assert not os.path.exists(extra) or mode(extra) == 0o600, extra
        # A database created by the server itself (no CLI call first) is private too.
        fresh = make_store("sqlite", tmp_path / "fresh")
        srv2 = make_server(store=fresh)
        Partner(srv2).collect({"event_name": "x"})
        for suffix in ("", "-wal", "-shm"):
            path = f"{fresh.path}{suffix}"
            assert mode(path) == 0o600, f"{path} has mode {oct(mode(path))}"
    finally:
        os.umask(old)
