#!/usr/bin/env python3
"""A/B of two builds on the reports that answer thousands of rows (clicks and campaigns by
campaign, 30 days by day), steadier than one server after another on a machine whose speed
drifts: both servers run at once, each on its own byte copy of the store (so that a build
with a newer schema migrates its copy, never the cache), and the calls alternate between them
(ABAB, then BABA). Prints, per report, each side's p50/p95 of the server's own `duration_ms`
(its access log) and its CPU time per call (/proc/PID/stat), and B/A. Swap the sides between
runs: two copies do not always run alike.

Usage: bench/reports_ab.py BIN_A BIN_B [--calls 200] [--tz America/New_York]
                          [--database-url URL] [--kinds clicks,campaigns,conversions:currency]
  The store is bench/reports' cached SQLite store (run bench/reports once with
  BENCH_STORES=sqlite); its key is the cache's .key file. --tz asks for the reports' days in
  that zone (default UTC). --database-url: PostgreSQL's store instead, the database that
  `THRAD_BENCH_PG_URL=... bench/reports.py --stores postgres` leaves (thrad_bench_reports),
  shared by both servers (reports only read it; both builds must have the same schema); a
  new `reports` key is created in it. --kinds: the reports, each KIND or KIND:GROUP_BY
  (default clicks,campaigns; group_by campaign_id unless given). Not part of CI.
"""

import argparse
import glob
import http.client
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import reports  # noqa: E402  (bench/reports.py: the data's range)

KINDS = "clicks,campaigns"


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def p95(values):
    values = sorted(values)
    return values[max(0, int(round(0.95 * len(values))) - 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_a")
    ap.add_argument("bin_b")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--tz", default="UTC")
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE", "/tmp/thrad-bench-cache"))
    ap.add_argument("--database-url", help="PostgreSQL: the bench's database, shared")
    ap.add_argument("--kinds", default=KINDS, help="KIND[:GROUP_BY],... (default %(default)s)")
    args = ap.parse_args()
    args.kinds = [tuple((k + ":campaign_id").split(":")[:2]) for k in args.kinds.split(",")]
    first, last = reports.report_range()
    if args.database_url:
        store_args = ["--database-url", args.database_url]
        key, _ = reports.create_key_and_migrate(args.bin_a, store_args)
        with tempfile.TemporaryDirectory() as work:
            run(args, {"A": store_args, "B": store_args}, key, first, last, work)
        return
    dbs = sorted(glob.glob(f"{args.cache}/reports-*.db"))
    if not dbs:
        raise SystemExit(f"no cached store in {args.cache}: run BENCH_STORES=sqlite bench/reports")
    db = dbs[0]
    key = pathlib.Path(db[:-3] + ".key").read_text().strip()
    with tempfile.TemporaryDirectory(dir=os.path.dirname(db)) as work:
        stores = {}
        for side in "AB":
            stores[side] = ["--db", os.path.join(work, f"{side.lower()}.db")]
            shutil.copyfile(db, stores[side][1])
        subprocess.run(["sync"], check=True)
        run(args, stores, key, first, last, work)


def run(args, stores, key, first, last, work):
    """Both servers at once (store_args per side), the calls alternating; prints the figures."""
    procs, conns, logs = {}, {}, {}
    try:
        for side, binary in (("A", args.bin_a), ("B", args.bin_b)):
            store = stores[side]
            port_file = pathlib.Path(work) / f"port-{side}"
            logs[side] = pathlib.Path(work) / f"{side}.log"
            out = open(logs[side], "w")
            procs[side] = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0",
                                            "--port-file", str(port_file), *store],
                                           stdout=out, stderr=out)
            deadline = time.monotonic() + 900  # a newer schema migrates the copy first
            while not (port_file.exists() and port_file.read_text().strip()):
                if procs[side].poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"reports_ab: server {side} did not start")
                time.sleep(0.05)
            conns[side] = http.client.HTTPConnection("127.0.0.1", int(port_file.read_text()),
                                                     timeout=60)

        def call(side, kind):
            name, group = kind
            conns[side].request("GET", f"/v1/api/reports/{name}?from={first}&to={last}"
                                f"&granularity=day&group_by={group}"
                                f"&tz={args.tz}",
                                headers={"Authorization": f"Bearer {key}"})
            resp = conns[side].getresponse()
            body = resp.read()
            if resp.status != 200:
                raise SystemExit(f"reports_ab: {side} {kind}: {resp.status} {body[:200]!r}")

        for kind in args.kinds:  # warm both
            for _ in range(10):
                for side in "AB":
                    call(side, kind)
        time.sleep(0.5)
        skip = {s: len(logs[s].read_text(errors="replace").splitlines()) for s in "AB"}
        cpu = {}
        for kind in args.kinds:
            before = {s: cpu_seconds(procs[s].pid) for s in "AB"}
            for i in range(args.calls):
                for side in ("AB" if i % 2 == 0 else "BA"):
                    call(side, kind)
            for s in "AB":
                cpu[(s, kind)] = (cpu_seconds(procs[s].pid) - before[s]) / args.calls * 1000
        time.sleep(0.5)
    finally:
        for p in procs.values():
            p.terminate()
            p.wait(30)
    took = {}
    for side in "AB":
        for line in logs[side].read_text(errors="replace").splitlines()[skip[side]:]:
            if '"route":"report"' in line:
                took.setdefault(side, []).append(json.loads(line))
    for idx, kind in enumerate(args.kinds):
        # Calls of a kind ran in one block, in --kinds order: split each side's log by count.
        a = [e["duration_ms"] for e in took["A"][idx * args.calls:(idx + 1) * args.calls]]
        b = [e["duration_ms"] for e in took["B"][idx * args.calls:(idx + 1) * args.calls]]
        print(f"{kind[0]:11s} A p50 {statistics.median(a):6.2f} p95 {p95(a):6.2f} | "
              f"B p50 {statistics.median(b):6.2f} p95 {p95(b):6.2f} | "
              f"B/A p50 {statistics.median(b) / statistics.median(a):.2f} | "
              f"CPU ms/call A {cpu[('A', kind)]:.2f} B {cpu[('B', kind)]:.2f} "
              f"B/A {cpu[('B', kind)] / cpu[('A', kind)]:.2f}")


if __name__ == "__main__":
    main()
