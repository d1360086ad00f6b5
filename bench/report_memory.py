#!/usr/bin/env python3
"""The server's memory across report calls whose ranges all differ (session 19).

A dashboard asking for "the last 7 days" moves its range every quarter hour, and API clients
pick any range; each call must not leave anything behind. This starts BIN on a fresh SQLite
store, makes `--calls` campaigns reports (30 days by day), each range a quarter hour after the
last, and prints the server's RSS after the first 200 and after all of them.

Usage: python3 bench/report_memory.py BIN [--calls 5200] [--port 8831]
Before 8f1a9b3 the range's bounds were literals in the statement's text, and SQLite's reports
connection kept one prepared statement per text: 38 MB after 200 calls, 203 MB after 5,200.
"""
import argparse
import http.client
import json
import pathlib
import subprocess
import tempfile
import time


def rss_mb(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    raise SystemExit("no VmRSS")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--calls", type=int, default=5200)
    ap.add_argument("--port", type=int, default=8831)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        db = f"{work}/memory.db"
        key = json.loads(subprocess.check_output(
            [args.bin, "keys", "create", "--partner", "p", "--label", "memory", "--scopes",
             "reports", "--json", "--db", db]))["key"]
        server = subprocess.Popen(
            [args.bin, "serve", "--listen", f"127.0.0.1:{args.port}", "--db", db,
             "--access-log=false"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            start = 1796000400 - 1796000400 % 900

            def call(i):
                end = start + i * 900
                fmt = "%Y-%m-%dT%H:%M:%SZ"
                lo = time.strftime(fmt, time.gmtime(end - 30 * 86400))
                hi = time.strftime(fmt, time.gmtime(end))
                conn.request("GET", f"/v1/api/reports/campaigns?from={lo}&to={hi}"
                             "&granularity=day&group_by=campaign_id",
                             headers={"Authorization": f"Bearer {key}"})
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200:
                    raise SystemExit(f"report_memory: {resp.status} {body[:200]!r}")

            for i in range(200):
                call(i)
            first = rss_mb(server.pid)
            for i in range(200, args.calls):
                call(i)
            print(f"{pathlib.Path(args.bin).name}: RSS after 200 calls {first} MB, "
                  f"after {args.calls:,} calls {rss_mb(server.pid)} MB")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
