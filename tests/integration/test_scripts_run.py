"""Issue 19, item 7: scripts/run, the new user's first command. When the port is taken it says
so and stops before making a key; run again on the same demo database it shows the same demo
key instead of making a new one each time.

THRAD_RUN_BIN makes scripts/run use the binary under test instead of setting up the machine
and building."""

import json
import pathlib
import re
import signal
import socket
import subprocess
import time

from helpers import BIN, HOST, assert_no_content, bearer, request, wait_for
from processes import child_env

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "run"
KEY_RE = re.compile(r'export THRAD_PARTNER_TOKEN="(thr_[A-Za-z0-9_-]+)"')


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def run_env(db, port):
    return {**child_env(), "THRAD_RUN_BIN": BIN, "THRAD_DB": str(db),
            "THRAD_LISTEN": f"{HOST}:{port}"}


def demo_keys(db):
    proc = subprocess.run([BIN, "keys", "list", "--db", str(db), "--partner", "demo", "--json"],
                          capture_output=True, timeout=30, env=child_env())
    assert proc.returncode == 0, proc.stderr
    # The demo's collect key (the reports key beside it is labelled "demo reports key").
    return [l for l in proc.stdout.decode().splitlines() if '"label":"demo key"' in l]


def test_busy_port_fails_first_and_creates_no_key(tmp_path):
    db = tmp_path / "demo.db"
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([str(SCRIPT)], capture_output=True, timeout=60,
                              env=run_env(db, port), stdin=subprocess.DEVNULL)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode != 0, (out, err)
    assert f"{HOST}:{port} is already in use" in err, err
    assert "Try it" not in out and "THRAD_PARTNER_TOKEN" not in out, out
    assert not db.exists(), "a demo key was made before the port was checked"


def ready(port):
    try:
        return request(port, "GET", "/readyz").status == 200
    except OSError:
        return False


def serve_once(db, port, then=None):
    """Runs scripts/run until the server answers; returns the printed key (or, with `then`,
    what then(printed text, port) returns); stops it."""
    proc = subprocess.Popen([str(SCRIPT)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=run_env(db, port), stdin=subprocess.DEVNULL)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode()
            assert line or proc.poll() is None, "scripts/run exited:\n" + "".join(lines)
            lines.append(line)
            if line.startswith("Mint click URLs with"):
                break
        text = "".join(lines)
        match = KEY_RE.search(text)
        assert match, text
        _, up = wait_for(lambda: ready(port), timeout=10)
        assert up is not None, text
        r = request(port, "POST", "/v1/api/collect", body={"event_name": "demo"},
                    headers=bearer(match.group(1)))
        assert_no_content(r)
        return then(text, port) if then else match.group(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        proc.stdout.close()


def test_second_run_reuses_the_demo_key(tmp_path):
    db = tmp_path / "data" / "demo.db"
    first = serve_once(db, free_port())
    assert len(demo_keys(db)) == 1
    second = serve_once(db, free_port())
    assert second == first
    assert len(demo_keys(db)) == 1
    # A demo key that was revoked is replaced, not shown again.
    key_id = re.search(r'"id":"(key_[0-9a-f]+)"', demo_keys(db)[0]).group(1)
    proc = subprocess.run([BIN, "keys", "revoke", key_id, "--db", str(db)], capture_output=True,
                          timeout=30, env=child_env())
    assert proc.returncode == 0, proc.stderr
    third = serve_once(db, free_port())
    assert third != first
    assert len(demo_keys(db)) == 2


def test_the_printed_click_loop_runs_as_printed(tmp_path):
    """Issue 14: the first README command shows the loop. The three commands scripts/run
    prints are run as a new user would paste them: click -> 302 -> the conversion is ok."""
    def loop(text, port):
        lines = [l.strip() for l in text.splitlines()]
        follow = next(l for l in lines if l.startswith('curl -i "http') and "/v1/click?" in l)
        keep = next(l for l in lines if l.startswith("click_id=$("))
        stamp = next(l for l in lines if l.startswith("conversion_time=$("))
        convert = next(l for l in lines if l.startswith("curl -i -X POST") and "conversion" in l)
        first = subprocess.run(["bash", "-c", follow], capture_output=True, timeout=30)
        assert first.stdout.startswith(b"HTTP/1.1 302 Found"), first.stdout
        assert b"thrad_click_id=" in first.stdout, first.stdout
        both = subprocess.run(["bash", "-c", f"{keep}\n{stamp}\n{convert}\n{convert}"],
                              capture_output=True, timeout=30)
        out = both.stdout.decode()
        assert out.count("HTTP/1.1 200 OK") == 2, out
        assert '{"status":"ok"}' in out and '{"status":"duplicate"}' in out, out
        # Step 4: the campaigns report, as printed, counts both clicks and the one conversion.
        report = next(l for l in lines if l.startswith('curl -s "http') and "campaigns" in l)
        got = subprocess.run(["bash", "-c", report], capture_output=True, timeout=30)
        rows = [r for r in json.loads(got.stdout)["rows"] if r["campaign_id"] == "spring-sale"]
        assert len(rows) == 1, got.stdout
        assert (rows[0]["clicks"], rows[0]["conversions"]) == (2, 1), rows
        assert rows[0]["value"] == {"USD": "49.99"}, rows
        # The conversion is timed after its click (its latency is not negative: the demo's time
        # was once the moment scripts/run started, before the click).
        got = subprocess.run(["bash", "-c", report.replace("campaigns?", "conversions?")],
                             capture_output=True, timeout=30)
        latency = json.loads(got.stdout)["rows"][0]["latency"]
        assert latency["1h"] == 1 and latency["negative"] == 0, got.stdout
        assert f"open http://{HOST}:{port}/dashboard/" in text, text
        assert request(port, "GET", "/dashboard/").status == 200
        return out
    serve_once(tmp_path / "data" / "demo.db", free_port(), then=loop)
