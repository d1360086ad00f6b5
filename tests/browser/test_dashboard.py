"""REPORTS.md §6: the dashboard (GET /dashboard/) in a real headless Chromium against the real
server, on data stored through the real API (events, registered clicks, conversions).

Sign-in with a reports key (kept in sessionStorage, sent as a bearer token, never in a URL or a
cookie); the overview's charts hold the reports API's numbers; the campaigns table sorts; an
admin key's partner selector switches the data; bad keys and lost sessions go back to the
sign-in with a message; every request stays on the server's origin and every dashboard answer
carries the Content-Security-Policy. Screenshots of each view: THRAD_DASHBOARD_SCREENSHOTS=DIR
writes them there (docs/images for the README), else to a temporary directory.
"""

import datetime
import decimal
import hashlib
import json
import os
import pathlib
import urllib.parse

import pytest

import helpers

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART_JS = pathlib.Path("/usr/share/javascript/chart.js/chart.min.js")
CSP = "default-src 'self'"
UTC = datetime.timezone.utc
KEY_ITEM = "thrad.dashboard.key"

# Campaign -> (clicks, conversions as (amount, currency)) of the reports partner.
CAMPAIGNS_A = {
    "c-alpha": (5, [("10.5", "EUR")]),
    "c-beta": (2, [("20", "USD"), ("4.25", "EUR")]),
    "c-gamma": (3, []),
}
# Days ago -> events, of the reports partner.
EVENTS_A = {0: 2, 1: 4, 3: 1, 9: 5, 20: 3}
CAMPAIGNS_B = {"c-other": (1, [("1500", "JPY")])}
EVENTS_B = {2: 3}


def ts(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Advertiser:
    """A partner with events, clicks on campaigns and conversions, and a reports key."""

    def __init__(self, server, clicker, campaigns, events):
        self.server = server
        self.writer = helpers.Partner(server)
        self.id = self.writer.id
        self.reader = helpers.Partner(server, partner_id=self.id, scopes="reports")
        now = datetime.datetime.now(UTC).replace(microsecond=0)
        batch = [{"event_name": "page_view", "tag_id": "t1",
                  "timestamp": int((now - datetime.timedelta(days=d, minutes=i)).timestamp())}
                 for d, n in events.items() for i in range(n)]
        r = self.writer.collect({"events": batch}, path="/v1/api/collect/batch")
        assert r.status == 200, r
        self.events = len(batch)
        self.clicks = 0
        self.conversions = 0
        for k, (campaign, (clicks, conversions)) in enumerate(sorted(campaigns.items())):
            clicked = now - datetime.timedelta(days=k + 2, hours=3)
            items = [{"partner_id": self.id, "bid_id": helpers.uid("b-"), "clicked_at": ts(clicked),
                      "campaign_id": campaign, "tag_id": "pub1"} for _ in range(clicks)]
            r = server.post("/v1/api/clicks", {"clicks": items}, clicker.headers())
            assert r.status == 200 and r.json()["accepted"] == clicks, r
            click_ids = [x["click_id"] for x in r.json()["results"]]
            for click_id, (amount, currency) in zip(click_ids, conversions):
                body = {"click_id": click_id, "conversion_time": ts(clicked + datetime.timedelta(hours=1)),
                        "conversion_value": float(amount), "currency": currency,
                        "event_type": "purchase"}
                r = self.writer.conversion(body, idem=helpers.uid("o-"))
                assert r.status == 200, r
            self.clicks += clicks
            self.conversions += len(conversions)


@pytest.fixture(scope="module")
def data(server):
    clicker = helpers.Partner(server, partner_id=helpers.uid("adplatform-"), scopes="clicks")
    a = Advertiser(server, clicker, CAMPAIGNS_A, EVENTS_A)
    b = Advertiser(server, clicker, CAMPAIGNS_B, EVENTS_B)
    admin = helpers.Partner(server, partner_id=helpers.uid("ops-"), scopes="admin")
    return a, b, admin


# ---------------------------------------------------------------------------------------------
# Driving the page.


def sign_in(page, server, key):
    page.goto(server.base + "/dashboard/")
    page.wait_for("!document.getElementById('signin').hidden")
    page.fill("#key-input", key.secret)
    page.click("#signin-button")
    page.wait_for("!document.getElementById('app').hidden")


def show(page, view):
    page.click(f".nav a[data-view={view}]")
    wait_ready(page, view)


def wait_ready(page, view):
    page.wait_for(f"document.getElementById('view-{view}').dataset.status === 'ready'")


def text(page, selector):
    return page.eval(f"document.querySelector({selector!r}).textContent.trim()")


def table_campaigns(page):
    return page.eval("[...document.querySelectorAll('#campaigns-table tbody tr')]"
                     ".map(r => r.dataset.campaign)")


def chart_data(page, canvas_id):
    return page.eval(f"""(() => {{
        const c = Chart.getChart(document.getElementById({canvas_id!r}));
        return c ? {{labels: c.data.labels,
                     datasets: c.data.datasets.map(d => ({{label: d.label, data: d.data}}))}} : null;
    }})()""")


def page_range(page):
    return page.eval("({from: document.getElementById('range-from').value,"
                     " to: document.getElementById('range-to').value,"
                     " tz: Intl.DateTimeFormat().resolvedOptions().timeZone})")


def api_report(server, key, kind, rng, **params):
    q = urllib.parse.urlencode({"from": rng["from"], "to": rng["to"], "tz": rng["tz"], **params})
    r = server.get(f"/v1/api/reports/{kind}?{q}", headers=key.headers())
    assert r.status == 200, r
    return r.json()


def days_of(rng):
    day = datetime.date.fromisoformat(rng["from"])
    out = []
    while day <= datetime.date.fromisoformat(rng["to"]):
        out.append(day.isoformat())
        day += datetime.timedelta(days=1)
    return out


def assert_clean_traffic(page, server, key):
    """Every request to the server's origin (no CDN, nothing elsewhere), the key never in a
    URL or a cookie, the CSP on every dashboard answer."""
    log = page.log()
    assert log["requests"], "no request recorded"
    for r in log["requests"]:
        u = urllib.parse.urlsplit(r["url"])
        assert f"{u.scheme}://{u.netloc}" == server.base, f"request to another origin: {r['url']}"
        assert key.secret not in r["url"], r["url"]
        assert "cookie" not in {h.lower() for h in r["headers"]}, r
        if u.path.startswith("/v1/api/"):
            assert r["headers"].get("authorization") == f"Bearer {key.secret}", r
    assert not log["failed"], log["failed"]
    dashboard = [r for r in log["responses"]
                 if urllib.parse.urlsplit(r["url"]).path.startswith("/dashboard")]
    assert {urllib.parse.urlsplit(r["url"]).path for r in dashboard} >= {
        "/dashboard/", "/dashboard/app.js", "/dashboard/app.css", "/dashboard/chart.js"}
    for r in dashboard:
        assert r["headers"].get("content-security-policy", "").startswith(CSP), r
        assert "set-cookie" not in r["headers"], r
    assert key.secret not in page.eval("location.href")
    assert page.cookies() == {} and page.eval("document.cookie") == ""
    assert page.eval(f"sessionStorage.getItem({KEY_ITEM!r})") == key.secret
    assert page.local_storage() == {}


# ---------------------------------------------------------------------------------------------
# The files, over plain HTTP.


def test_dashboard_files_are_served_with_csp(server):
    r = server.get("/dashboard")
    assert r.status == 301 and r.headers.get("Location") == "/dashboard/", r
    expected_types = {
        "/dashboard/": "text/html; charset=utf-8",
        "/dashboard/app.js": "text/javascript",
        "/dashboard/app.css": "text/css; charset=utf-8",
        "/dashboard/chart.js": "text/javascript",
        "/dashboard/favicon.svg": "image/svg+xml",
    }
    for path, content_type in expected_types.items():
        r = server.get(path)
        assert r.status == 200, (path, r)
        assert r.headers.get("Content-Type") == content_type, (path, r)
        assert r.headers.get("Content-Security-Policy", "").startswith(CSP), (path, r)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", (path, r)
        assert r.headers.get("Referrer-Policy") == "no-referrer", (path, r)
        etag = r.headers.get("ETag")
        assert etag == '"' + hashlib.sha256(r.body).hexdigest()[:32] + '"', (path, r)
        again = server.get(path, headers={"If-None-Match": etag})
        assert again.status == 304 and again.body == b"", (path, again)
        assert again.headers.get("Content-Security-Policy", "").startswith(CSP), (path, again)
        head = helpers.request(server.port, "HEAD", path)
        assert head.status == 200 and head.body == b"", (path, head)
    assert server.get("/dashboard/").body == (ROOT / "web/dashboard/index.html").read_bytes()
    # Chart.js is Debian's file (libjs-chart.js), embedded at build time.
    assert server.get("/dashboard/chart.js").body == CHART_JS.read_bytes()
    # The page names no other origin: scripts and styles are its own files.
    page = server.get("/dashboard/").body.decode()
    assert "http://" not in page and "https://" not in page and "<style" not in page
    assert " style=" not in page and "<script>" not in page
    missing = server.get("/dashboard/missing.js")
    assert missing.status == 404, missing
    assert missing.headers.get("Content-Security-Policy", "").startswith(CSP), missing


# ---------------------------------------------------------------------------------------------
# In the browser.


def test_overview_charts_hold_the_reports_numbers(server, page, data):
    a, _, _ = data
    sign_in(page, server, a.reader)
    wait_ready(page, "overview")
    assert text(page, "#role-badge") == f"Partner {a.id}"
    assert page.eval("document.getElementById('partner-form').hidden") is True
    rng = page_range(page)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert datetime.date.fromisoformat(rng["to"]) - datetime.date.fromisoformat(rng["from"]) == \
        datetime.timedelta(days=29), rng
    assert abs((datetime.date.fromisoformat(rng["to"]) - today).days) <= 1, rng
    days = days_of(rng)

    activity = chart_data(page, "chart-activity")
    assert activity["labels"] == days
    series = {d["label"]: d["data"] for d in activity["datasets"]}
    for label, kind in (("Events", "events"), ("Clicks", "clicks"), ("Conversions", "conversions")):
        rows = api_report(server, a.reader, kind, rng, granularity="day")["rows"]
        per_day = dict.fromkeys(days, 0)
        for row in rows:
            per_day[row["period"][:10]] += row[kind]
        assert series[label] == [per_day[d] for d in days], label
    assert sum(series["Events"]) == a.events
    assert sum(series["Clicks"]) == a.clicks
    assert sum(series["Conversions"]) == a.conversions

    value = chart_data(page, "chart-value")
    rows = api_report(server, a.reader, "conversions", rng, granularity="day")["rows"]
    expected = {}
    for row in rows:
        for currency, amount in row["value"].items():
            expected.setdefault(currency, dict.fromkeys(days, decimal.Decimal(0)))
            expected[currency][row["period"][:10]] += decimal.Decimal(amount)
    assert value["labels"] == days
    assert {d["label"]: d["data"] for d in value["datasets"]} == {
        c: [float(v[d]) for d in days] for c, v in expected.items()}
    assert sorted(expected) == ["EUR", "USD"]

    # The summary cards, with number formatting.
    assert text(page, "#total-events") == f"{a.events:,}"
    assert text(page, "#total-conversions") == f"{a.conversions:,}"
    assert text(page, "#total-value") == "€14.75 · $20.00"

    # The date-range picker: the last 7 days only.
    page.click("[data-days='7']")
    wait_ready(page, "overview")
    rng7 = page_range(page)
    assert rng7["to"] == rng["to"] and len(days_of(rng7)) == 7
    events7 = sum(r["events"] for r in
                  api_report(server, a.reader, "events", rng7, granularity="total")["rows"])
    assert sum(chart_data(page, "chart-activity")["datasets"][0]["data"]) == events7
    assert events7 < a.events
    assert_clean_traffic(page, server, a.reader)


def test_campaigns_table_sorts(server, page, data):
    a, _, _ = data
    sign_in(page, server, a.reader)
    show(page, "campaigns")
    # Default: most conversions first.
    assert table_campaigns(page) == ["c-beta", "c-alpha", "c-gamma"]
    page.click("#campaigns-table button[data-sort=clicks]")
    assert table_campaigns(page) == ["c-alpha", "c-gamma", "c-beta"]
    assert page.eval("document.querySelector('#campaigns-table button[data-sort=clicks]')"
                     ".parentElement.getAttribute('aria-sort')") == "descending"
    page.click("#campaigns-table button[data-sort=clicks]")
    assert table_campaigns(page) == ["c-beta", "c-gamma", "c-alpha"]
    page.click("#campaigns-table button[data-sort=campaign_id]")
    assert table_campaigns(page) == ["c-alpha", "c-beta", "c-gamma"]
    # The cells hold the report's numbers, formatted.
    cells = page.eval("[...document.querySelectorAll('#campaigns-table tbody tr')]"
                      ".map(r => [...r.cells].map(c => c.textContent))")
    rng = page_range(page)
    rows = {r["campaign_id"]: r for r in
            api_report(server, a.reader, "campaigns", rng, granularity="total")["rows"]}
    assert [c[0] for c in cells] == sorted(rows)
    for c in cells:
        row = rows[c[0]]
        assert c[1:4] == [str(row["clicks"]), str(row["filtered_clicks"]), str(row["conversions"])]
    assert cells[1][4] == "100%" and cells[1][5] == "€4.25 · $20.00", cells
    assert cells[2][4] == "0%" and cells[2][5] == "–", cells
    assert_clean_traffic(page, server, a.reader)
    # Signing out forgets the key and leaves none of the data on the page.
    page.click("#signout")
    page.wait_for("!document.getElementById('signin').hidden")
    assert page.eval(f"sessionStorage.getItem({KEY_ITEM!r})") is None
    assert table_campaigns(page) == []
    assert page.eval("Chart.getChart(document.getElementById('chart-activity'))") is None


def test_admin_partner_selector_switches_the_data(server, page, data):
    a, b, admin = data
    sign_in(page, server, admin)
    wait_ready(page, "overview")
    assert page.eval("document.getElementById('partner-form').hidden") is False
    assert text(page, "#role-badge") == "Admin"
    rng = page_range(page)
    # All partners: what the admin report without partner= says.
    show(page, "campaigns")
    everyone = api_report(server, admin, "campaigns", rng, granularity="total")["rows"]
    assert sorted(table_campaigns(page), key=str) == sorted(
        (r["campaign_id"] or "" for r in everyone), key=str)
    assert {"c-alpha", "c-other"} <= set(table_campaigns(page))

    page.fill("#partner-input", b.id)
    page.click("#partner-form button")
    wait_ready(page, "campaigns")
    assert table_campaigns(page) == ["c-other"]
    assert "¥1,500" in text(page, "#campaigns-table tbody")
    show(page, "overview")
    assert text(page, "#total-events") == str(b.events)
    assert f"Partner {b.id}" in text(page, "#overview-scope")

    page.fill("#partner-input", a.id)
    page.click("#partner-form button")
    wait_ready(page, "overview")
    assert text(page, "#total-events") == str(a.events)
    show(page, "campaigns")
    assert sorted(table_campaigns(page)) == ["c-alpha", "c-beta", "c-gamma"]
    # The API was asked for that partner; the chosen partners are offered again.
    reports = [r["url"] for r in page.log()["requests"] if "/v1/api/reports/" in r["url"]]
    assert f"partner={a.id}" in reports[-1], reports[-1]
    assert page.eval("[...document.querySelectorAll('#partner-list option')].map(o => o.value)") \
        == [a.id, b.id]
    assert_clean_traffic(page, server, admin)


def test_bad_keys_and_a_lost_session_go_back_to_sign_in(server, page, data):
    a, _, _ = data
    page.goto(server.base + "/dashboard/")
    page.wait_for("!document.getElementById('signin').hidden")
    # Chromium logs every refused fetch on the console.
    page.expect_console_error(r"status of 401")
    page.expect_console_error(r"status of 403")
    page.fill("#key-input", "thr_not_a_key")
    page.click("#signin-button")
    page.wait_for("!document.getElementById('signin-error').hidden")
    assert "not valid" in text(page, "#signin-error")
    assert page.eval(f"sessionStorage.getItem({KEY_ITEM!r})") is None

    collector = helpers.Partner(server, partner_id=a.id, scopes="collect")
    page.fill("#key-input", collector.secret)
    page.click("#signin-button")
    page.wait_for("document.getElementById('signin-error').textContent.includes('scope')")
    assert page.eval("document.getElementById('app').hidden") is True

    # Signed in, then the key stops working (here: replaced by a bad one): the next load goes
    # back to the sign-in with a message, and the key is forgotten.
    sign_in(page, server, a.reader)
    wait_ready(page, "overview")
    page.eval(f"sessionStorage.setItem({KEY_ITEM!r}, 'thr_revoked')")
    page.goto(server.base + "/dashboard/?reload#campaigns")  # a new document, not a hash change
    page.wait_for("!document.getElementById('signin').hidden")
    page.wait_for("!document.getElementById('signin-error').hidden")
    assert "refused" in text(page, "#signin-error")
    assert page.eval(f"sessionStorage.getItem({KEY_ITEM!r})") is None
    for r in page.log()["requests"]:
        assert a.reader.secret not in r["url"] and collector.secret not in r["url"]


def test_diagnostics_lists_refusals_with_request_ids(server, page, data):
    a, _, _ = data
    # Two refusals of the partner's key: a 422 (missing event_name) and a 404 (unknown click).
    bad = a.writer.collect({"tag_id": "t1"})
    assert bad.status == 422, bad
    unknown = a.writer.conversion({"click_id": "22222222-2222-4222-8222-222222222222",
                                   "conversion_time": ts(datetime.datetime.now(UTC)),
                                   "conversion_value": 1, "currency": "EUR",
                                   "event_type": "purchase"}, idem=helpers.uid("o-"))
    assert unknown.status == 404, unknown
    wanted = {bad.headers.get("X-Request-Id"), unknown.headers.get("X-Request-Id")}

    def flushed():  # each server writes its refusals to the store about once a second
        answer = server.get("/v1/api/diagnostics?hours=24", headers=a.reader.headers()).json()
        return answer if wanted <= {r["request_id"] for r in answer["recent"]} else None
    expected, waited = helpers.wait_for(flushed, 10, interval=0.2)
    assert waited is not None, "the refusals never reached diagnostics"

    sign_in(page, server, a.reader)
    show(page, "diagnostics")
    counts = page.eval("[...document.querySelectorAll('#refusal-counts tbody tr')]"
                       ".map(r => [...r.cells].map(c => c.textContent))")
    assert len(counts) == len(expected["counts"])
    assert ["/v1/api/collect", "422", "Validation error", "body.event_name", "missing", "1"] in counts
    assert ["/v1/api/conversion", "404", "Click not found", "–", "–", "1"] in counts, counts
    ids = page.eval("[...document.querySelectorAll('#refusal-recent tbody tr')]"
                    ".map(r => r.dataset.requestId)")
    assert ids == [r["request_id"] for r in expected["recent"]]
    assert bad.headers.get("X-Request-Id") in ids and unknown.headers.get("X-Request-Id") in ids
    assert_clean_traffic(page, server, a.reader)


# REPORTS.md §5's example answer: the view renders the spec's own example too.
DIAGNOSTICS_EXAMPLE = {
    "hours": 24,
    "counts": [
        {"route": "/v1/api/conversion", "status": 404, "detail": "Click not found", "type": None,
         "count": 12},
        {"route": "/v1/api/collect", "status": 422, "detail": "Validation error", "type": "missing",
         "loc": ["body", "event_name"], "count": 3}],
    "recent": [
        {"at": "2026-12-04T10:00:02.5Z", "route": "/v1/api/collect", "status": 422,
         "detail": "Validation error", "errors": [{"loc": ["body", "event_name"], "type": "missing"}],
         "request_id": "req_0000000000000000000000b2", "key_id": "key_00000000000000a1"},
        {"at": "2026-12-04T10:00:01Z", "route": "/v1/api/conversion", "status": 404,
         "detail": "Click not found", "request_id": "req_0000000000000000000000b1",
         "key_id": "key_00000000000000a1"}],
}


def stub_diagnostics(page):
    """Answers GET /v1/api/diagnostics?hours=24 in the page with §5's example (fetch stubbed
    for that path only)."""
    page.eval(f"""(() => {{
        const real = window.fetch;
        window.fetch = (url, init) => String(url).startsWith('/v1/api/diagnostics?hours=24')
            ? Promise.resolve(new Response(JSON.stringify({json.dumps(DIAGNOSTICS_EXAMPLE)}),
                {{status: 200, headers: {{'Content-Type': 'application/json'}}}}))
            : real(url, init);
    }})()""")


def test_diagnostics_view_renders_the_section_5_answer(server, page, data):
    """The view against §5's JSON, answered in the page (fetch stubbed for that one path) so it
    runs before the route is merged; test_diagnostics_lists_refusals_with_request_ids is the
    real thing."""
    a, _, _ = data
    sign_in(page, server, a.reader)
    wait_ready(page, "overview")
    stub_diagnostics(page)
    show(page, "diagnostics")
    counts = page.eval("[...document.querySelectorAll('#refusal-counts tbody tr')]"
                       ".map(r => [...r.cells].map(c => c.textContent))")
    assert counts == [["/v1/api/conversion", "404", "Click not found", "–", "–", "12"],
                      ["/v1/api/collect", "422", "Validation error", "body.event_name", "missing",
                       "3"]]
    recent = page.eval("[...document.querySelectorAll('#refusal-recent tbody tr')]"
                       ".map(r => [...r.cells].map(c => c.textContent))")
    assert [r[4] for r in recent] == ["req_0000000000000000000000b2", "req_0000000000000000000000b1"]
    assert recent[0][1:4] == ["/v1/api/collect", "422", "Validation errorbody.event_name: missing"]
    assert recent[1][5] == "key_00000000000000a1"
    assert page.eval("document.getElementById('recent-empty').hidden") is True


def test_screenshots_of_each_view(server, page, data, tmp_path, store_kind):
    """The README's pictures (THRAD_DASHBOARD_SCREENSHOTS=docs/images), and a narrow screen
    without a horizontal scroll bar."""
    a, _, _ = data
    out = pathlib.Path(os.environ.get("THRAD_DASHBOARD_SCREENSHOTS") or tmp_path)
    if store_kind != "sqlite" and "THRAD_DASHBOARD_SCREENSHOTS" in os.environ:
        pytest.skip("screenshots come from the SQLite run")
    out.mkdir(parents=True, exist_ok=True)
    page.open(viewport={"width": 1280, "height": 860})
    page.goto(server.base + "/dashboard/")
    page.wait_for("!document.getElementById('signin').hidden")
    page.screenshot(out / "dashboard-signin.png")
    page.fill("#key-input", a.reader.secret)
    page.click("#signin-button")
    wait_ready(page, "overview")
    page.screenshot(out / "dashboard-overview.png", full_page=True)
    show(page, "campaigns")
    page.screenshot(out / "dashboard-campaigns.png")
    for body in ({"tag_id": "t1"}, {"event_name": "x" * 300}, {"event_name": "v", "value": 1}):
        a.writer.collect(body)  # refusals for the picture, flushed about once a second
    helpers.wait_for(lambda: server.get("/v1/api/diagnostics", headers=a.reader.headers())
                     .json()["counts"], 10, interval=0.2)
    show(page, "diagnostics")
    page.screenshot(out / "dashboard-diagnostics.png", full_page=True)
    for name in ("signin", "overview", "campaigns", "diagnostics"):
        assert (out / f"dashboard-{name}.png").stat().st_size > 5000, name

    page.open(viewport={"width": 390, "height": 844})
    page.goto(server.base + "/dashboard/")
    page.fill("#key-input", a.reader.secret)
    page.click("#signin-button")
    wait_ready(page, "overview")
    assert page.eval("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(tmp_path / "dashboard-overview-narrow.png", full_page=True)
