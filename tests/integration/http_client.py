"""HTTP for the integration suite: http.client requests and a raw-socket HTTP/1.1 reader."""

import http.client
import json
import socket
import uuid

HOST = "127.0.0.1"
HTTP_TIMEOUT_S = 10.0


class Headers:
    """Case-insensitive multi-map of response headers."""

    def __init__(self, pairs):
        self.pairs = [(k, v) for k, v in pairs]

    def get(self, name, default=None):
        for k, v in self.pairs:
            if k.lower() == name.lower():
                return v
        return default

    def get_all(self, name):
        return [v for k, v in self.pairs if k.lower() == name.lower()]

    def __contains__(self, name):
        return self.get(name) is not None

    def __repr__(self):
        return repr(self.pairs)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"body is not JSON ({e}): {self.body[:500]!r}") from None

    def __repr__(self):
        return f"<{self.status} {self.headers!r} {self.body[:800]!r}>"


def encode_body(body):
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def request(port, method, path, body=None, headers=None, conn=None, timeout=HTTP_TIMEOUT_S):
    """One HTTP request; returns Response. Reuses `conn` (http.client) when given.

    `headers` values of None remove a default header. Dict/list bodies are JSON-encoded and sent
    with Content-Type application/json unless headers say otherwise.
    """
    hdrs = {}
    data = encode_body(body)
    if data is not None or method == "POST":
        hdrs["Content-Type"] = "application/json"
    for k, v in (headers or {}).items():
        for existing in list(hdrs):
            if existing.lower() == k.lower():
                del hdrs[existing]
        hdrs[k] = v
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in hdrs.items():
            if v is not None:
                conn.putheader(k, v)
        if data is not None or method == "POST":
            conn.putheader("Content-Length", str(len(data or b"")))
        conn.endheaders(data)
        r = conn.getresponse()
        payload = r.read()
        return Response(r.status, Headers(r.getheaders()), payload)
    finally:
        if own:
            conn.close()


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def with_query(path, query):
    if not query:
        return path
    return path + ("&" if "?" in path else "?") + query


def dumps_raw(obj, raw):
    """json.dumps(obj) with the values of the keys in `raw` written as the given raw JSON text."""
    obj = dict(obj)
    marks = {}
    for k, text in raw.items():
        mark = f"__raw_{uuid.uuid4().hex}__"
        obj[k] = mark
        marks[mark] = text
    s = json.dumps(obj)
    for mark, text in marks.items():
        s = s.replace(json.dumps(mark), text)
    return s.encode()


# Raw sockets: keep-alive, pipelining and chunked bodies, byte for byte.


def build_request(method, path, body=b"", headers=None, host="127.0.0.1"):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    hdrs = dict(headers or {})
    chunked = any(k.lower() == "transfer-encoding" for k in hdrs)
    if not chunked and (body or method == "POST"):
        hdrs.setdefault("Content-Length", str(len(body)))
    for k, v in hdrs.items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(body, chunk_size):
    out = b""
    for i in range(0, len(body), chunk_size):
        part = body[i:i + chunk_size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


class RawConn:
    """A plain TCP connection with an HTTP/1.1 response reader."""

    def __init__(self, port, timeout=HTTP_TIMEOUT_S):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def send_tolerant(self, data):
        """Sends, tolerating a peer that answered early and stopped reading."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def _read_until(self, marker):
        while marker not in self.buf:
            self._fill()
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def _read_n(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_response(self, head_request=False):
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split(" ")[1])
        pairs = []
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                pairs.append((k.strip(), v.strip()))
        headers = Headers(pairs)
        body = b""
        if head_request or status in (204, 304) or 100 <= status < 200:
            pass
        elif "chunked" in (headers.get("Transfer-Encoding") or "").lower():
            while True:
                size = int(self._read_until(b"\r\n").split(b";")[0].strip(), 16)
                if size == 0:
                    self._read_until(b"\r\n")
                    break
                body += self._read_n(size)
                self._read_n(2)
        elif headers.get("Content-Length") is not None:
            body = self._read_n(int(headers.get("Content-Length")))
        else:
            try:
                while True:
                    self._fill()
            except ConnectionError:
                pass
            body, self.buf = self.buf, b""
        return Response(status, headers, body)

    def is_closed_by_peer(self, wait_s=1.0):
        self.sock.settimeout(wait_s)
        try:
            return self.sock.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionError:
            return True

    def close(self):
        self.sock.close()
