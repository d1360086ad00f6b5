"""Runs every example of docs/api.md against a real server (issue 3, acceptance point 5).

The convention in docs/api.md:

- An example is an HTML comment `<!-- example: NAME [cli] [setup: SHELL COMMAND] -->`
  immediately before a ```sh block. `setup:` (the rest of the comment) runs first, e.g.
  `thrad-events clicks add --partner acme --click-id ... --bid-id ...`.
- An HTTP example's ```sh block holds one `curl -i ...` command using "$BASE" and
  "$THRAD_PARTNER_TOKEN". The next fenced block is ```http: the status line, the headers that
  matter, a blank line, and the body.
    * Every listed header must be in the response with exactly that value, except
      `X-Request-Id`, which must only look like a request id unless the command sends one
      (then it must be echoed).
    * Content-Type, Idempotent-Replayed, WWW-Authenticate, Allow and Retry-After must be
      listed whenever the response has them: an undocumented one is drift too.
    * A JSON body must equal the response body as JSON; `request_id` must equal the response's
      X-Request-Id, and its documented value is compared only when the command sends an
      X-Request-Id. No body means the response has none. A text body is a list of lines that
      must appear in that order in the response ("…" stands for lines left out).
- A `cli` example's ```sh block holds one `thrad-events ...` command line, run with THRAD_DB
  pointing at the server's store; it must exit 0. When a ```json block follows, the command
  must print exactly one line, equal to it as JSON except for the values of VOLATILE keys.
- A `script LANG` example (`<!-- example: NAME script python -->` or `script sh`) is a
  program an integration owner copies: a ```python or ```sh block run with BASE,
  THRAD_SIGNING_KID and THRAD_SIGNING_SECRET set (the docs' signing key: kid `sk_docs`, the
  spec's test-vector secret). It must exit 0 and print one click URL, which the server must
  follow with a 302 that hands out a click id.
- Every ```sh block that contains `curl ` must be an example.

Examples run once, in document order, on one fresh server and store (they build on each
other: the duplicate follows the first call); each is then checked by its own test.
"""

import decimal
import json
import os
import pathlib
import re
import subprocess

import pytest

from processes import BIN, Cli, Server, SqliteStore

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api.md"
PARTNER = "acme"
LABEL = "Acme checkout backend"
COMMAND_TIMEOUT_S = 30

# Keys whose values differ on every run (ids, secrets, times); compared for presence only.
VOLATILE = {"id", "key", "key_id", "created_at", "received_at", "last_used_at", "clicked_at",
            "click_time", "exp", "thrad_exp", "thrad_sig"}
# Response headers that must be documented whenever the server sends them.
SIGNIFICANT_HEADERS = {"content-type", "idempotent-replayed", "www-authenticate", "allow",
                       "retry-after"}
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
ELLIPSIS = {"…", "..."}

# What issue 3 asks the reference to show at least.
REQUIRED = ["click-url-python", "click-url-shell", "click-redirect", "clicks-register",
            "click-lookup", "conversion-signed", "collect-quickstart", "collect-duplicate", "collect-validate-only", "missing-token",
            "invalid-key", "collect-422", "collect-415", "conversion-ok", "conversion-duplicate",
            "conversion-click-not-found", "conversion-idempotency-mismatch",
            "conversion-validate-only"]

MARKER_RE = re.compile(r"^<!--\s*example:\s*(?P<name>[A-Za-z0-9_.-]+)(?P<cli>\s+cli)?"
                       r"(?:\s+script\s+(?P<script>python|sh))?"
                       r"(?:\s+setup:\s*(?P<setup>.*?))?\s*-->$")
# The docs' signing key: the click URLs, landing signatures and answers shown in docs/api.md
# are made with it, so they are the same on every run.
DOC_SIGNING_KID = "sk_docs"
DOC_SIGNING_SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"  # the bytes 0..31
FENCE_RE = re.compile(r"^```(?P<lang>[A-Za-z0-9_-]*)\s*$")


# ---------------------------------------------------------------------------------------------
# Parsing the document.


class Block:
    def __init__(self, lang, text, line, marker, follows_blank_only):
        self.lang = lang
        self.text = text
        self.line = line  # 1-based line of the opening fence
        self.marker = marker  # the example comment right before the fence, if any
        self.follows_blank_only = follows_blank_only  # only blank lines since the last block


class Example:
    def __init__(self, name, cli, setup, command, expected, line, script=None):
        self.name, self.cli, self.setup, self.script = name, cli, setup, script
        self.command, self.expected, self.line = command, expected, line

    def __repr__(self):
        return f"<example {self.name} at docs/api.md:{self.line}>"


def parse_blocks(text):
    blocks = []
    lines = text.splitlines()
    i = 0
    last_nonblank = None  # the last non-blank line outside a block
    blank_only = False
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            if lines[i].strip():
                last_nonblank = lines[i].strip()
                blank_only = False
            i += 1
            continue
        start = i
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"docs/api.md:{start + 1}: unclosed code block"
        marker = MARKER_RE.match(last_nonblank) if last_nonblank else None
        blocks.append(Block(m.group("lang"), "\n".join(body), start + 1, marker, blank_only))
        i += 1
        last_nonblank = None
        blank_only = True
    return blocks


def parse_examples(text):
    blocks = parse_blocks(text)
    examples = []
    for idx, b in enumerate(blocks):
        if b.marker is None:
            continue
        script = b.marker.group("script")
        if script:
            assert b.lang == script, (f"docs/api.md:{b.line}: example {b.marker.group('name')} "
                                      f"is a {script} script in a ```{b.lang} block")
            examples.append(Example(b.marker.group("name"), False, b.marker.group("setup"),
                                    b.text, None, b.line, script=script))
            continue
        if b.lang != "sh":
            continue
        nxt = blocks[idx + 1] if idx + 1 < len(blocks) else None
        cli = bool(b.marker.group("cli"))
        if cli:
            expected = nxt.text if nxt and nxt.lang == "json" and nxt.follows_blank_only else None
        else:
            assert nxt is not None and nxt.lang == "http" and nxt.follows_blank_only, \
                f"docs/api.md:{b.line}: example {b.marker.group('name')} needs a ```http block " \
                "right after its ```sh block"
            expected = nxt.text
        examples.append(Example(b.marker.group("name"), cli, b.marker.group("setup"), b.text,
                                expected, b.line))
    return examples


DOC_TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = parse_examples(DOC_TEXT)


# ---------------------------------------------------------------------------------------------
# Running the examples.


class Outcome:
    def __init__(self, example):
        self.example = example
        self.setup_error = None
        self.rc = None
        self.stdout = b""
        self.stderr = b""
        self.followed = None  # script examples: the answer to the URL they printed


def run_shell(command, env, language="sh"):
    argv = ["/usr/bin/python3", "-c", command] if language == "python" else ["bash", "-c", command]
    return subprocess.run(argv, env=env, capture_output=True, timeout=COMMAND_TIMEOUT_S)


def example_env(server, token, bindir, adserver_token):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("THRAD_") and k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env["BASE"] = f"http://127.0.0.1:{server.port}"
    env["THRAD_PARTNER_TOKEN"] = token
    env["THRAD_ADSERVER_TOKEN"] = adserver_token
    env["THRAD_SIGNING_KID"] = DOC_SIGNING_KID
    env["THRAD_SIGNING_SECRET"] = DOC_SIGNING_SECRET
    env["THRAD_DB"] = str(server.store.path)
    env["PATH"] = f"{bindir}:{env.get('PATH', '/usr/bin:/bin')}"
    env["NO_PROXY"] = "*"
    return env


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("docs-examples")
    bindir = workdir / "bin"
    bindir.mkdir()
    (bindir / "thrad-events").symlink_to(os.path.abspath(BIN))
    store = SqliteStore(workdir / "docs.db")
    # A click TTL of 100 years keeps the documented clicks (fixed clicked_at) taking conversions.
    server = Server(store, workdir, ("--click-ttl", "36500d"), name="docs")
    server.start()
    try:
        cli = Cli(store)
        token = cli.create_key(PARTNER, LABEL)["key"]
        adserver = cli.create_key("adplatform", "Ad server", scopes="clicks")["key"]
        reports = cli.create_key(PARTNER, "Acme dashboard", scopes="reports")["key"]
        admin = cli.create_key("ops", "Operations", scopes="admin")["key"]
        cli.run("signing-keys create", "--kid", DOC_SIGNING_KID, "--secret", DOC_SIGNING_SECRET)
        env = example_env(server, token, bindir, adserver)
        env["THRAD_REPORTS_TOKEN"] = reports
        env["THRAD_ADMIN_TOKEN"] = admin
        results = {}
        for ex in EXAMPLES:
            out = Outcome(ex)
            results[ex.name] = out
            if ex.setup:
                proc = run_shell(ex.setup, env)
                if proc.returncode != 0:
                    out.setup_error = (f"setup `{ex.setup}` exited {proc.returncode}: "
                                       f"{proc.stderr.decode(errors='replace')}")
                    continue
            proc = run_shell(ex.command, env, ex.script or "sh")
            out.rc, out.stdout, out.stderr = proc.returncode, proc.stdout, proc.stderr
            if ex.script and proc.returncode == 0:
                out.followed = request_path(server, proc.stdout.decode().strip())
        yield results
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# Comparing.


def parse_expected_http(text, name):
    lines = text.split("\n")
    m = re.match(r"^HTTP/1\.1 (\d{3}) (.+)$", lines[0].strip())
    assert m, f"{name}: the ```http block must start with a status line, got {lines[0]!r}"
    headers = []
    i = 1
    while i < len(lines) and lines[i].strip():
        key, sep, value = lines[i].partition(":")
        assert sep, f"{name}: bad header line {lines[i]!r}"
        headers.append((key.strip(), value.strip()))
        i += 1
    body = "\n".join(lines[i:]).strip()
    return int(m.group(1)), m.group(2).strip(), headers, body


def parse_curl_output(raw, name):
    """`curl -i` output: the final response's status, reason, headers and body."""
    rest = raw
    while True:
        head, sep, rest = rest.partition(b"\r\n\r\n")
        assert sep, f"{name}: no HTTP response head in the output: {raw[:500]!r}"
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"^HTTP/1\.[01] (\d{3}) ?(.*)$", lines[0])
        assert m, f"{name}: bad status line {lines[0]!r}"
        status = int(m.group(1))
        if 100 <= status < 200:
            continue
        headers = []
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers.append((key.strip(), value.strip()))
        return status, m.group(2).strip(), headers, rest


def header(headers, name):
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None


def load_json(text, what):
    try:
        return json.loads(text, parse_float=decimal.Decimal)
    except ValueError as e:
        raise AssertionError(f"{what} is not JSON ({e}): {text[:800]!r}") from None


def mask_volatile(value):
    if isinstance(value, dict):
        return {k: ("<volatile>" if k in VOLATILE else mask_volatile(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_volatile(v) for v in value]
    return value


def sends_request_id(command):
    return re.search(r"X-Request-Id\s*:", command, re.IGNORECASE) is not None


def check_http(out):
    ex = out.example
    assert re.match(r"^curl\s+-i\b", ex.command.strip()), \
        f"{ex.name}: an HTTP example must be one `curl -i ...` command"
    assert out.stdout, (f"{ex.name}: curl printed nothing (exit {out.rc}); stderr: "
                        f"{out.stderr.decode(errors='replace')[-500:]}")
    status, reason, headers, body = parse_curl_output(out.stdout, ex.name)
    e_status, e_reason, e_headers, e_body = parse_expected_http(ex.expected, ex.name)
    actual = f"\n--- actual response ---\n{out.stdout.decode(errors='replace')[:3000]}"

    assert (status, reason) == (e_status, e_reason), \
        f"{ex.name}: status {status} {reason}, documented {e_status} {e_reason}{actual}"

    rid = header(headers, "X-Request-Id")
    assert rid and REQUEST_ID_RE.match(rid), f"{ex.name}: bad X-Request-Id {rid!r}{actual}"
    for name, value in e_headers:
        got = header(headers, name)
        if name.lower() == "x-request-id" and not sends_request_id(ex.command):
            continue  # generated: checked above
        assert got == value, f"{ex.name}: header {name}: {got!r}, documented {value!r}{actual}"
    documented = {k.lower() for k, _ in e_headers}
    for name, value in headers:
        if name.lower() in SIGNIFICANT_HEADERS:
            assert name.lower() in documented, \
                f"{ex.name}: the response has {name}: {value}, the example does not list it{actual}"

    if not e_body:
        assert body == b"", f"{ex.name}: documented without a body{actual}"
        return
    e_ctype = (header(e_headers, "Content-Type") or "").split(";")[0].strip().lower()
    if e_ctype == "application/json":
        got = load_json(body.decode("utf-8"), f"{ex.name}: the response body")
        want = load_json(e_body, f"{ex.name}: the documented body")
        if isinstance(got, dict) and "request_id" in got:
            assert got["request_id"] == rid, f"{ex.name}: request_id differs from X-Request-Id"
            if isinstance(want, dict) and "request_id" in want and not sends_request_id(ex.command):
                assert isinstance(want["request_id"], str)
                want = {**want, "request_id": rid}
        assert got == want, (f"{ex.name}: body differs\n  actual:     {json.dumps(got, default=str)}"
                             f"\n  documented: {json.dumps(want, default=str)}")
    else:
        got_lines = body.decode("utf-8").splitlines()
        pos = 0
        for line in e_body.split("\n"):
            if line.strip() in ELLIPSIS or not line.strip():
                continue
            try:
                pos = got_lines.index(line, pos) + 1
            except ValueError:
                raise AssertionError(f"{ex.name}: documented line {line!r} not found (in that "
                                     f"order) in the response{actual}") from None


def check_cli(out):
    ex = out.example
    assert ex.command.strip().startswith("thrad-events "), \
        f"{ex.name}: a cli example must be one `thrad-events ...` command line"
    stdout = out.stdout.decode(errors="replace")
    assert out.rc == 0, (f"{ex.name}: exited {out.rc}\nstdout: {stdout}\nstderr: "
                         f"{out.stderr.decode(errors='replace')}")
    if ex.expected is None:
        return
    lines = [l for l in stdout.splitlines() if l.strip()]
    assert len(lines) == 1, f"{ex.name}: expected one line of output, got {lines}"
    got = mask_volatile(load_json(lines[0], f"{ex.name}: the output"))
    want = mask_volatile(load_json(ex.expected, f"{ex.name}: the documented output"))
    assert got == want, (f"{ex.name}: output differs\n  actual:     {json.dumps(got, default=str)}"
                         f"\n  documented: {json.dumps(want, default=str)}")


def request_path(server, url):
    """GET `url` (which must be on this server) without following redirects."""
    base = f"http://127.0.0.1:{server.port}"
    assert url.startswith(base + "/"), f"{url!r} is not a URL of the server at {base}"
    return server.get(url[len(base):])


def check_script(out):
    ex = out.example
    stdout = out.stdout.decode(errors="replace")
    assert out.rc == 0, (f"{ex.name}: exited {out.rc}\nstdout: {stdout}\nstderr: "
                         f"{out.stderr.decode(errors='replace')}")
    lines = [l for l in stdout.splitlines() if l.strip()]
    assert len(lines) == 1 and "/v1/click?" in lines[0], f"{ex.name}: printed {lines}"
    r = out.followed
    assert r is not None and r.status == 302, f"{ex.name}: following {lines[0]} answered {r}"
    assert "thrad_click_id=" in r.headers.get("Location"), r.headers


# ---------------------------------------------------------------------------------------------
# Tests.


def test_every_curl_block_is_a_checked_example():
    names = [ex.name for ex in EXAMPLES]
    assert len(names) == len(set(names)), f"duplicate example names: {names}"
    for b in parse_blocks(DOC_TEXT):
        if b.lang == "sh" and "curl " in b.text:
            assert b.marker is not None, \
                f"docs/api.md:{b.line}: a curl block without an <!-- example: ... --> comment"
            assert not b.marker.group("cli"), f"docs/api.md:{b.line}: curl block marked cli"
    for ex in EXAMPLES:
        if not ex.cli and not ex.script:
            assert ex.command.count("curl ") == 1, f"{ex.name}: one curl command per example"
            assert '"$BASE/' in ex.command, f"{ex.name}: the URL must start with \"$BASE/"


def test_required_examples_are_documented():
    names = {ex.name for ex in EXAMPLES}
    missing = [n for n in REQUIRED if n not in names]
    assert not missing, f"docs/api.md lacks the examples {missing}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[ex.name for ex in EXAMPLES])
def test_example(outcomes, example):
    out = outcomes[example.name]
    assert out.setup_error is None, out.setup_error
    if example.script:
        check_script(out)
    elif example.cli:
        check_cli(out)
    else:
        check_http(out)


def test_the_python_and_shell_click_url_examples_mint_the_same_url(outcomes):
    python, shell = outcomes["click-url-python"], outcomes["click-url-shell"]
    assert python.rc == 0 and shell.rc == 0, (python.stderr, shell.stderr)
    assert python.stdout.strip() == shell.stdout.strip(), (python.stdout, shell.stdout)
    # The documented example signature: the spec's algorithm, computed independently here.
    from click_signing import click_url_signature
    sig = click_url_signature(DOC_SIGNING_SECRET, "acme", "bid-7", "cmp-42", "pub_001",
                              "https://shop.example.com/landing?utm_source=thrad#top",
                              4102444800)
    assert python.stdout.decode().strip().endswith(f"&kid={DOC_SIGNING_KID}&sig={sig}")
