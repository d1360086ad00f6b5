#!/usr/bin/env python3
"""Two binaries' report answers on the same store, compared (sessions 19-20): for every kind,
a set of groupings, granularity day, hour and total, three zones and five ranges of the bench
store of bench/reports (among them 90 days, whose hourly reports are truncated), both servers
answer and their JSON must be the same. A change to how reports are read must print `0 differ`.

Usage:
  python3 bench/reports_compare.py A_BIN B_BIN --key KEY --db STORE.db
  python3 bench/reports_compare.py A_BIN B_BIN --key KEY --database-url URL
"""
import argparse
import http.client
import itertools
import json
import subprocess
import time

GROUPS = {"events": ["", "event_name", "tag_id"],
          "clicks": ["", "campaign_id", "tag_id", "campaign_id,tag_id"],
          "conversions": ["", "currency", "campaign_id", "event_type", "campaign_id,currency"],
          "campaigns": ["", "campaign_id"]}
RANGES = [("2026-10-31", "2026-11-29"), ("2026-11-10", "2026-11-10"), ("2026-09-01", "2026-11-29"),
          ("2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z"),
          ("2026-11-01T06:00:00Z", "2026-11-05T00:00:00Z")]
ZONES = ["UTC", "Europe/London", "America/New_York"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a_bin")
    ap.add_argument("b_bin")
    ap.add_argument("--key", required=True)
    ap.add_argument("--db")
    ap.add_argument("--database-url")
    ap.add_argument("--ports", default="8861,8862")
    args = ap.parse_args()
    store = ["--db", args.db] if args.db else ["--database-url", args.database_url]
    ports = [int(p) for p in args.ports.split(",")]
    servers = [subprocess.Popen([b, "serve", "--listen", f"127.0.0.1:{p}", *store,
                                 "--access-log=false"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for b, p in zip((args.a_bin, args.b_bin), ports)]
    time.sleep(2)
    conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=120) for p in ports]

    def get(conn, path):
        conn.request("GET", path, headers={"Authorization": "Bearer " + args.key})
        resp = conn.getresponse()
        body = resp.read()
        doc = json.loads(body) if resp.status == 200 else {"status": resp.status,
                                                            "body": body.decode()}
        return json.dumps(doc, sort_keys=True), doc

    n = differ = answered = rows = 0
    try:
        for kind, groups in GROUPS.items():
            for g, (frm, to), gran, tz in itertools.product(groups, RANGES,
                                                            ["day", "hour", "total"], ZONES):
                path = (f"/v1/api/reports/{kind}?from={frm}&to={to}&granularity={gran}&tz={tz}"
                        + (f"&group_by={g}" if g else ""))
                (a, doc), (b, _) = get(conns[0], path), get(conns[1], path)
                n += 1
                if "rows" in doc:
                    answered += 1
                    rows += len(doc["rows"])
                if a != b:
                    differ += 1
                    if differ <= 3:
                        print("DIFF", path, a[:200], b[:200])
    finally:
        for s in servers:
            s.terminate()
    print(f"{n} compared, {differ} differ, {answered} answered 200, {rows} rows in all")


if __name__ == "__main__":
    main()
