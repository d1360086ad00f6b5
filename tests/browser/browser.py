"""A headless Chromium for the tests, and the advertiser's (or publisher's) web site.

`Browser` talks to bridge.mjs (playwright-core driving Debian's /usr/bin/chromium) one JSON
line at a time. `Site` is a second loopback origin: a tiny HTTP server whose pages the tests
write, so the scripts run cross-origin from the thrad-events server as they do on a real site.
"""

import base64
import http.server
import json
import os
import pathlib
import queue
import subprocess
import threading
import urllib.parse

HERE = pathlib.Path(__file__).resolve().parent
NODE = os.environ.get("THRAD_NODE", "node")
COMMAND_TIMEOUT_S = 60
# A 1x1 transparent PNG, served for every *.png path of the site (the ads' images).
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


class BrowserError(AssertionError):
    pass


class Browser:
    """One Chromium (started on first use) and one fresh context per `open()`."""

    def __init__(self):
        if not (HERE / "node_modules" / "playwright-core").is_dir():
            raise BrowserError("tests/browser/node_modules is missing: run scripts/setup "
                               "(npm ci --prefix tests/browser)")
        self.proc = subprocess.Popen([NODE, str(HERE / "bridge.mjs")], cwd=HERE,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.answers = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.next_id = 0

    def _read(self):
        for line in self.proc.stdout:
            self.answers.put(line)
        self.answers.put(None)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def call(self, cmd, timeout=COMMAND_TIMEOUT_S, **args):
        self.next_id += 1
        self.proc.stdin.write(json.dumps({"id": self.next_id, "cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        try:
            line = self.answers.get(timeout=timeout)
        except queue.Empty:
            raise BrowserError(f"browser: no answer to {cmd} within {timeout}s") from None
        if line is None:
            raise BrowserError("browser bridge exited:\n" + "".join(self.stderr[-40:]))
        answer = json.loads(line)
        assert answer["id"] == self.next_id, answer
        if not answer["ok"]:
            raise BrowserError(f"browser: {cmd} failed: {answer['error']}")
        return answer["value"]

    # The page API the tests use.
    def open(self, viewport=None):
        return self.call("open", viewport=viewport)

    def goto(self, url):
        return self.call("goto", url=url)

    def eval(self, expr):
        return self.call("eval", expr=expr)

    def wait_for(self, expr, timeout_ms=10000):
        return self.call("wait_for", expr=expr, timeout_ms=timeout_ms,
                         timeout=timeout_ms / 1000 + 30)

    def click(self, selector):
        return self.call("click", selector=selector)

    def fill(self, selector, value):
        return self.call("fill", selector=selector, value=value)

    def screenshot(self, path, full_page=False):
        return self.call("screenshot", path=str(path), full_page=full_page)

    def cookies(self):
        return {c["name"]: c for c in self.call("cookies")}

    def local_storage(self):
        return self.call("local_storage")

    def log(self):
        return self.call("log")

    def console_errors(self):
        return [m["text"] for m in self.log()["console"] if m["type"] == "error"]

    def close(self):
        self.call("close")

    def quit(self):
        try:
            self.call("quit", timeout=20)
        except BrowserError:
            pass
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Site:
    """An HTTP server on 127.0.0.1:0 serving the pages the tests put in it.

    `origin` is http://127.0.0.1:PORT; `named_origin(name)` reaches the same pages from
    another origin. Every request is recorded in `hits` (path with query).
    """

    def __init__(self):
        self.pages = {}
        self.hits = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = urllib.parse.urlsplit(self.path).path
                site.hits.append(self.path)
                page = site.pages.get(path)
                if page is None and path.endswith(".png"):  # an ad's image: any will do
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(PNG_1X1)))
                    self.end_headers()
                    self.wfile.write(PNG_1X1)
                    return
                if page is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, headers, content_type = page
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def named_origin(self, name):
        """Another origin of the same pages: http://NAME.localhost:PORT (Chromium resolves
        every *.localhost name to loopback)."""
        return f"http://{name}.localhost:{self.port}"

    def page(self, path, html, headers=None, content_type="text/html; charset=utf-8"):
        """Serves `html` (or any text of `content_type`) at `path`; returns its URL on `origin`."""
        self.pages[path] = (html, dict(headers or {}), content_type)
        return self.origin + path

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def html_page(body, head=""):
    # An empty icon: no /favicon.ico request, so no 404 on the console.
    return (f'<!doctype html><html><head><meta charset=utf-8><link rel="icon" href="data:,">'
            f"{head}</head><body>{body}</body></html>")
