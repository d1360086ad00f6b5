#!/usr/bin/env python3
"""The time and the server's peak memory of reports whose answers go past 10,000 rows
(session 20): hourly reports over 90 days of the bench store (bench/reports), which answer their
first 10,000 rows.

Usage:
  python3 bench/report_peak.py BIN --db STORE.db --key KEY
  python3 bench/report_peak.py BIN --database-url URL --key KEY
The key is the bench store's (bench/reports keeps it next to the store, `*.key`; on PostgreSQL
bench/reports.py prints it). The server starts fresh for each report, so each line's peak RSS
(VmHWM) is that report's.
"""
import argparse
import http.client
import json
import pathlib
import subprocess
import time

REPORTS = [
    "clicks?granularity=hour&group_by=campaign_id,tag_id",
    "campaigns?granularity=hour&group_by=tag_id",
    "events?granularity=hour&group_by=event_name,tag_id",
    "clicks?granularity=hour&group_by=campaign_id,tag_id&tz=America/New_York",
    "clicks?granularity=day&group_by=campaign_id",  # 30 days: one slice, 6,000 rows
]
RANGE = {"hour": "from=2026-09-01&to=2026-11-29", "day": "from=2026-10-31&to=2026-11-29"}


def status_kb(pid, field):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--db")
    ap.add_argument("--database-url")
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=8832)
    args = ap.parse_args()
    store = ["--db", args.db] if args.db else ["--database-url", args.database_url]
    print(f"{'report':<75} {'rows':>6} {'trunc':>5} {'ms':>8} {'peak MB':>8}")
    for report in REPORTS:
        gran = "hour" if "granularity=hour" in report else "day"
        path = f"/v1/api/reports/{report}&{RANGE[gran]}"
        server = subprocess.Popen([args.bin, "serve", "--listen", f"127.0.0.1:{args.port}",
                                   *store, "--access-log=false"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            conn = None
            for _ in range(200):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                    conn.request("GET", "/healthz")
                    conn.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.05)
            base = status_kb(server.pid, "VmHWM")
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Bearer {args.key}"})
            resp = conn.getresponse()
            body = resp.read()
            ms = (time.perf_counter() - t0) * 1000
            if resp.status != 200:
                raise SystemExit(f"{path}: {resp.status} {body[:200]!r}")
            doc = json.loads(body)
            peak = status_kb(server.pid, "VmHWM")
            print(f"{report:<75} {len(doc['rows']):>6} {str(doc['truncated']):>5} {ms:>8.1f} "
                  f"{peak / 1024:>8.1f}  (at start {base / 1024:.1f})")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
