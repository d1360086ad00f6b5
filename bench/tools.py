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


def main():
    what = sys.argv[1]
    if what == "idle":
        idle(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif what == "startup":
        print(f"{startup_once(sys.argv[2:]):.1f}")
    elif what == "click-urls":
        click_urls(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
