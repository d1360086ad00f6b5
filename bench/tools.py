#!/usr/bin/python3
"""Helpers of bench/run that wrk cannot do.

  tools.py idle PORT PID N        open N keep-alive connections to 127.0.0.1:PORT, make one
                                  GET /healthz on each, keep them open and idle, then print
                                  the server's (PID) VmRSS and VmHWM in kB: "rss_kb hwm_kb"
  tools.py startup BIN ARGS       start `BIN serve ARGS --listen 127.0.0.1:0 --port-file F`;
                                  print the time in ms from spawn until /readyz answers 200
  tools.py click-urls FILE N KID SECRET PARTNER
                                  write N signed click URLs (paths), one per line, each with
                                  its own bid, signed as docs/api.md documents (wrk has no HMAC)
  tools.py enrich-pool DIR N      write DIR/agents.txt (N distinct real-world user agents),
                                  DIR/ips.txt and DIR/geo.json (an MMDB spec for
                                  tests/tools/make_mmdb.pl) for the enrichment benchmark
"""

import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0])
    return out


def idle(port, pid, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1024), hard))
    request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    socks = []
    sel = selectors.DefaultSelector()
    for _ in range(n):
        s = socket.create_connection((HOST, port), timeout=10)
        s.sendall(request)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, bytearray())
        socks.append(s)
    pending = n
    deadline = time.monotonic() + 30
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            chunk = key.fileobj.recv(4096)
            if not chunk:
                raise SystemExit("server closed a connection")
            key.data.extend(chunk)
            if b"\r\n\r\n" in key.data and key.data.endswith(b"}"):
                sel.unregister(key.fileobj)
                pending -= 1
    if pending:
        raise SystemExit(f"{pending} connections got no answer")
    time.sleep(0.5)  # all open and idle now
    st = proc_status(pid)
    print(st["VmRSS"], st["VmHWM"])
    for s in socks:
        s.close()


def ready(port):
    try:
        with socket.create_connection((HOST, port), timeout=1) as s:
            s.sendall(f"GET /readyz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n"
                      .encode())
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def startup_once(argv):
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        cmd = [argv[0], "serve", *argv[1:], "--listen", f"{HOST}:0", "--port-file", port_file,
               "--log-level", "warn"]
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        try:
            port = None
            while time.monotonic() - start < 30:
                if proc.poll() is not None:
                    raise SystemExit(f"server exited {proc.returncode} during start-up")
                if port is None:
                    try:
                        with open(port_file) as f:
                            text = f.read().strip()
                        port = int(text) if text.isdigit() else None
                    except FileNotFoundError:
                        pass
                if port is not None and ready(port):
                    return (time.monotonic() - start) * 1000
                time.sleep(0.001)
            raise SystemExit("server not ready within 30 s")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def click_urls(path, n, kid, secret, partner):
    import base64
    import hashlib
    import hmac
    import urllib.parse
    key = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    exp = str(int(time.time()) + 86400)
    url = "https://shop.example/landing?utm_source=thrad"
    quoted_url = urllib.parse.quote(url, safe="")
    with open(path, "w") as out:
        for i in range(n):
            bid = f"bid-{i}"
            message = f"thrad-click-url.v1\n{partner}\n{bid}\ncmp-1\npub-1\n{url}\n{exp}"
            sig = base64.urlsafe_b64encode(
                hmac.new(key, message.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
            out.write(f"/v1/click?partner={partner}&bid={bid}&campaign=cmp-1&tag=pub-1"
                      f"&url={quoted_url}&exp={exp}&kid={kid}&sig={sig}\n")


# Browsers and systems the enrichment pool mixes: 1,000 distinct, realistic user agents.
UA_TEMPLATES = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{a}.0.{b}.{c} Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{a}.0.{b}.{c} Safari/537.36",
    "Mozilla/5.0 (Linux; Android {d}; SM-S9{c2}8B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{a}.0.{b}.{c} Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS {d}_{c2} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/{d}.{c2} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS {d}_{c2} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/{d}.{c2} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{a}.0) Gecko/20100101 Firefox/{a}.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{a}.0.{b}.{c} Safari/537.36 Edg/{a}.0.{b}.{c}",
    "Mozilla/5.0 (Linux; Android {d}; SAMSUNG SM-A5{c2}6B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/2{c2}.0 Chrome/{a}.0.{b}.{c} Mobile Safari/537.36",
]


def enrich_pool(directory, n):
    """Writes DIR/agents.txt (n distinct user agents), DIR/ips.txt (addresses inside the
    networks of the geo database) and DIR/geo.json (the spec tests/tools/make_mmdb.pl turns into
    DIR/geo.mmdb): what bench/collect_enriched.lua sends and the enriched server looks up."""
    import itertools
    import json
    import os
    import random
    rng = random.Random(7)
    agents = set()
    for i in itertools.count():
        if len(agents) >= n:
            break
        template = UA_TEMPLATES[i % len(UA_TEMPLATES)]
        agents.add(template.format(a=110 + rng.randrange(22), b=5000 + rng.randrange(1500),
                                   c=rng.randrange(200), c2=rng.randrange(10),
                                   d=12 + rng.randrange(6)))
    cities = [("US", "CA", "San Francisco", 37.77, -122.42), ("US", "NY", "New York", 40.71, -74.0),
              ("DE", "BE", "Berlin", 52.52, 13.40), ("FR", "IDF", "Paris", 48.86, 2.35),
              ("GB", "ENG", "London", 51.51, -0.13), ("JP", "13", "Tokyo", 35.68, 139.69)]
    networks, ips = {}, []
    for i in range(256):
        country, sub, city, lat, lon = cities[i % len(cities)]
        networks[f"10.{i}.0.0/16"] = {
            "country": {"iso_code": country}, "subdivisions": [{"iso_code": sub}],
            "city": {"names": {"en": city}}, "location": {"latitude": lat, "longitude": lon}}
        ips.extend(f"10.{i}.{rng.randrange(256)}.{rng.randrange(256)}" for _ in range(4))
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "agents.txt"), "w") as out:
        out.write("\n".join(sorted(agents)) + "\n")
    with open(os.path.join(directory, "ips.txt"), "w") as out:
        out.write("\n".join(ips) + "\n")
    with open(os.path.join(directory, "geo.json"), "w") as out:
        json.dump({"database_type": "GeoIP2-City", "networks": networks}, out)


def main():
    what = sys.argv[1]
    if what == "idle":
        idle(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif what == "startup":
        print(f"{startup_once(sys.argv[2:]):.1f}")
    elif what == "click-urls":
        click_urls(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    elif what == "enrich-pool":
        enrich_pool(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
