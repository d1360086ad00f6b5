"""Fixtures of the browser suite: the real server (on each store), a headless Chromium, and the
advertiser's web site on a second loopback origin.

Run: /usr/bin/python3 -m pytest tests/browser   (THRAD_BIN overrides the binary path;
THRAD_TEST_DATABASE_URL adds a PostgreSQL run). Needs Debian's chromium and
`npm ci --prefix tests/browser` (both done by scripts/setup).
"""

import json
import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "integration"))

import helpers  # noqa: E402  (the integration suite's server and CLI layer)
from browser import Browser, Site  # noqa: E402


@pytest.fixture(scope="session", params=helpers.store_kinds())
def store_kind(request):
    return request.param


@pytest.fixture(scope="session")
def server(store_kind, tmp_path_factory):
    """One server per store, with a signing key (for click URLs)."""
    workdir = tmp_path_factory.mktemp(f"browser-{store_kind}")
    srv = helpers.Server(helpers.make_store(store_kind, workdir), workdir, name="browser")
    srv.cli.run("signing-keys create")
    srv.start()
    srv.base = f"http://{helpers.HOST}:{srv.port}"
    yield srv
    if srv.running:
        srv.stop()


@pytest.fixture(scope="session")
def chromium():
    b = Browser()
    yield b
    b.quit()


@pytest.fixture(scope="session")
def site():
    s = Site()
    yield s
    s.stop()


class Page:
    """The browser of one test, in a fresh context (no cookies, no storage).

    At the end of the test every console error and page error must have been expected with
    `expect_console_error(pattern)`.
    """

    def __init__(self, browser):
        self.browser = browser
        self.expected = []
        browser.open()

    def __getattr__(self, name):
        return getattr(self.browser, name)

    def expect_console_error(self, pattern):
        self.expected.append(re.compile(pattern))

    def unexpected_errors(self):
        log = self.browser.log()
        errors = [m["text"] for m in log["console"] if m["type"] == "error"]
        errors += [f"page error: {e}" for e in log["page_errors"]]
        return [e for e in errors if not any(p.search(e) for p in self.expected)]


@pytest.fixture
def page(chromium):
    p = Page(chromium)
    yield p
    unexpected = p.unexpected_errors()
    chromium.close()
    assert not unexpected, f"unexpected console errors: {unexpected}"


class Tag:
    """A partner with an API key and a browser tag whose origins are `origins`."""

    def __init__(self, server, origins, partner=None):
        self.server = server
        self.partner = partner or helpers.Partner(server)
        self.id = helpers.uid("tag-")
        self.origins = origins
        server.cli.run("tags add", "--partner", self.partner.id, "--tag", self.id,
                       "--origins", ",".join(origins))
        self.wait_until_served()

    def wait_until_served(self, timeout=10):
        """Servers read new tags within 5 s (TAG.md §1): wait until this one answers for the
        tag. A body without event_name is 422 for a known tag (checked after the tag and the
        origin, so nothing is stored) and 404 before the server knows it."""
        def known():
            r = self.server.post("/v1/t/collect", {"tag_id": self.id},
                                 {"Origin": self.origins[0]})
            return r.status == 422
        _, waited = helpers.wait_for(known, timeout, interval=0.2)
        assert waited is not None, f"tag {self.id} not served within {timeout}s"

    def events(self):
        return [e for e in self.partner.events() if e.get("tag_id") == self.id]

    def conversions(self):
        return self.partner.conversions()


@pytest.fixture
def new_tag(server, site):
    """Factory: a fresh partner and tag allowing the site's origin (or the given ones)."""

    def make(origins=None, partner=None):
        return Tag(server, origins or [site.origin], partner=partner)

    return make


def json_lines(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the browser's log and the server's log tail to the report."""
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    p = funcargs.get("page")
    if isinstance(p, Page):
        try:
            log = p.browser.log()
            rep.sections.append(("browser console", "\n".join(
                f"{m['type']}: {m['text']}" for m in log["console"])))
            rep.sections.append(("browser requests", "\n".join(
                f"{r['method']} {r['url']} {r.get('post_data') or ''}" for r in log["requests"])))
            rep.sections.append(("browser responses", "\n".join(
                f"{r['status']} {r['url']}" for r in log["responses"])))
        except Exception as e:  # noqa: BLE001 - the report must not fail
            rep.sections.append(("browser log", f"unavailable: {e!r}"))
    srv = funcargs.get("server")
    if isinstance(srv, helpers.Server):
        rep.sections.append(("server log", srv.log_tail(60)))
