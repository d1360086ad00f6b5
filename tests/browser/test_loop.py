"""TAG.md §7 in a real browser: an ad's signed click URL -> 302 to the advertiser's landing
page (another origin) -> tag.js keeps the landing parameters -> the order page's
thradTag('conversion', ...) stores a conversion on the click -> the S2S conversion of the
same order is a duplicate -> the campaigns report counts one conversion. The pages are the
guide's snippets (docs/browser.md)."""

import datetime
import decimal
import time
import urllib.parse

import helpers
from browser import html_page
from docs_snippets import snippet

LANDING = ["thrad_click_id", "thrad_exp", "thrad_sig", "thrad_bid_id"]
NINETY_DAYS = 90 * 24 * 3600


def click_url(server, tag, landing_url, bid, campaign):
    out = server.cli.run("clicks url", "--partner", tag.partner.id, "--bid", bid, "--campaign",
                         campaign, "--tag", "pub_001", "--url", landing_url, "--base",
                         server.base).stdout.decode().strip()
    assert out.startswith(server.base + "/v1/click?"), out
    return out


def advertiser_pages(server, site, tag, order_id):
    landing = site.page(f"/landing-{tag.id}", html_page(
        snippet("advertiser-page", server.base, {"acme-web": tag.id})))
    order = site.page(f"/order-{tag.id}", html_page(
        snippet("order-page", server.base, {"acme-web": tag.id, "ord-1001": order_id})))
    return landing, order


def stored(predicate, timeout=10):
    value, waited = helpers.wait_for(predicate, timeout, interval=0.2)
    assert waited is not None, "not stored in time"
    return value


def test_click_landing_conversion_then_s2s_duplicate(server, site, page, new_tag):
    tag = new_tag()
    order_id = helpers.uid("ord-")
    bid, campaign = helpers.uid("bid-"), helpers.uid("cmp-")
    landing, order = advertiser_pages(server, site, tag, order_id)

    # The ad's click URL: 302 to the landing page with the four parameters.
    start = int(time.time())
    went = page.goto(click_url(server, tag, landing + "?utm_source=thrad", bid, campaign))
    final = urllib.parse.urlsplit(went["url"])
    assert went["url"].startswith(landing + "?utm_source=thrad&thrad_click_id="), went
    q = dict(urllib.parse.parse_qsl(final.query))
    assert q["thrad_bid_id"] == bid, q
    click_id = q["thrad_click_id"]

    # tag.js kept them: cookies (Path=/, 90 days, SameSite=Lax, not Secure on http) and
    # localStorage, all four under their own names.
    page.wait_for("document.cookie.includes('thrad_sig=')")
    cookies = page.cookies()
    for name in LANDING:
        c = cookies[name]
        assert urllib.parse.unquote(c["value"]) == q[name], c
        assert c["path"] == "/" and c["sameSite"] == "Lax" and c["secure"] is False, c
        assert c["domain"] == "127.0.0.1", c  # the page's own host
        assert start + NINETY_DAYS - 5 <= c["expires"] <= time.time() + NINETY_DAYS + 5, c
    assert {k: v for k, v in page.local_storage().items() if k in LANDING} == {
        k: q[k] for k in LANDING}

    # The landing page's page_view is stored with the click it came from.
    (view,) = stored(lambda: [e for e in tag.events() if e["event_name"] == "page_view"])
    assert view["click_id"] == click_id and view["bid_id"] == bid, view
    assert view["page_url"] == went["url"] and view["channel"] == "web", view
    assert view["params"]["integration"] == "tag", view

    # The order page (no parameters in its URL) converts with the kept ones.
    page.goto(order)
    (conv,) = stored(lambda: [c for c in tag.conversions() if c.get("order_id") == order_id])
    assert conv["click_id"] == click_id, conv
    assert conv["bid_id"] == bid and conv["campaign_id"] == campaign, conv
    assert decimal.Decimal(str(conv["conversion_value"])) == decimal.Decimal("49.9"), conv
    assert conv["currency"] == "EUR", conv
    assert conv["params"]["integration"] == "tag", conv
    answers = [r for r in page.log()["responses"] if r["url"].endswith("/v1/t/conversion")]
    assert [r["status"] for r in answers] == [200], answers

    # Again from the page: the same order is a duplicate, and the promise says so.
    again = page.eval(f"thradTag('conversion', {{order_id: '{order_id}', value: 49.90, "
                      f"currency: 'EUR'}})")
    assert again == {"status": "duplicate"}, again

    # The advertiser's backend reports the same order: counted once.
    r = tag.partner.conversion({"click_id": click_id, "conversion_time": helpers.rfc3339(
        helpers.parse_time(conv["conversion_time"])), "conversion_value": 49.90,
        "currency": "EUR", "order_id": order_id})
    assert r.status == 200 and r.json() == {"status": "duplicate"}, r
    assert len([c for c in tag.conversions() if c.get("order_id") == order_id]) == 1

    # The campaigns report (REPORTS.md §3) counts the click and ONE conversion for the
    # campaign, worth the order's value once, read with a `reports` key of the same partner.
    reader = helpers.Partner(server, partner_id=tag.partner.id, scopes="reports")
    day = datetime.datetime.fromtimestamp(start, datetime.timezone.utc).date()
    span = f"from={day - datetime.timedelta(days=1)}&to={day + datetime.timedelta(days=1)}"
    report = server.get(f"/v1/api/reports/campaigns?{span}&granularity=total",
                        headers=reader.headers())
    assert report.status == 200, report
    rows = [row for row in report.json()["rows"] if row["campaign_id"] == campaign]
    assert len(rows) == 1, report.json()
    row = rows[0]
    assert (row["clicks"], row["filtered_clicks"], row["conversions"]) == (1, 0, 1), row
    assert row["value"] == {"EUR": "49.9"} and row["conversion_rate"] == 1, row


def test_a_conversion_without_landing_parameters_sends_nothing_and_says_so(server, site, page,
                                                                        new_tag):
    tag = new_tag()
    _, order = advertiser_pages(server, site, tag, helpers.uid("ord-"))
    page.goto(order)
    page.wait_for("window.thradTag && window.thradTag.loaded")
    assert page.eval("thradTag('conversion', {order_id: 'x'})")["status"] == "skipped"
    warnings = [m["text"] for m in page.log()["console"] if m["type"] == "warning"]
    assert any("conversion not sent: no landing parameters" in w for w in warnings), warnings
    assert not [r for r in page.log()["requests"] if "/v1/t/conversion" in r["url"]]


def test_events_from_an_advertiser_page_carry_set_defaults_and_params(server, site, page,
                                                                     new_tag):
    tag = new_tag()
    page.goto(site.page(f"/shop-{tag.id}", html_page(
        snippet("advertiser-page", server.base, {"acme-web": tag.id}))))
    page.wait_for("window.thradTag && window.thradTag.loaded")
    page.eval("thradTag('set', {client_id: 'c-1', session_id: 's-1', params: {site: 'eu'}})")
    answer = page.eval("thradTag('event', 'add_to_cart', {sku: 'A-1', value: 12, "
                       "event_id: 'e-1'})")
    assert answer["status"] in ("ok", "sent"), answer
    (e,) = stored(lambda: [e for e in tag.events() if e["event_name"] == "add_to_cart"])
    assert (e["event_id"], e["client_id"], e["session_id"]) == ("e-1", "c-1", "s-1"), e
    assert e["params"]["sku"] == "A-1" and e["params"]["value"] == 12, e
    assert e["params"]["site"] == "eu", e
    assert e["user_agent"] and "Chrome" in e["user_agent"], e
    # Later events go by sendBeacon (text/plain).
    beacons = [r for r in page.log()["requests"]
               if r["url"].endswith("/v1/t/collect") and r["resource_type"] == "ping"]
    assert beacons, page.log()["requests"]
    assert beacons[0]["headers"]["content-type"].startswith("text/plain"), beacons[0]

    # A beacon the browser does not take (over its quota) falls back to fetch with keepalive.
    page.eval("navigator.sendBeacon = () => false")
    answer = page.eval("thradTag('event', 'fallback')")
    assert answer == {"status": "ok"}, answer  # fetch reads the 204
    stored(lambda: [e for e in tag.events() if e["event_name"] == "fallback"])
    last = [r for r in page.log()["requests"] if r["url"].endswith("/v1/t/collect")][-1]
    assert last["resource_type"] == "fetch", last
    assert last["headers"]["content-type"].startswith("text/plain"), last


def test_a_copy_of_tag_js_on_the_sites_cdn_sends_to_the_endpoint_base(server, site, page,
                                                                      new_tag):
    """window.__thradEndpointBase: tag.js loaded from elsewhere (here the site itself) still
    sends to the server; and a second copy of the script on the page changes nothing."""
    tag = new_tag()
    script = server.get("/tag.js").body.decode()
    cdn = site.page(f"/cdn-{tag.id}/tag.js", script, content_type="text/javascript")
    html = snippet("advertiser-page", server.base, {"acme-web": tag.id})
    html = html.replace(f"{server.base}/tag.js", cdn)
    html = (f"<script>window.__thradEndpointBase = {server.base!r};</script>" + html +
            f'<script src="{cdn}"></script>')
    page.goto(site.page(f"/cdn-page-{tag.id}", html_page(html)))
    page.wait_for("window.thradTag && window.thradTag.loaded")
    (view,) = stored(lambda: [e for e in tag.events() if e["event_name"] == "page_view"])
    assert view["tag_id"] == tag.id, view
    sent = [r["url"] for r in page.log()["requests"] if "/v1/t/" in r["url"]]
    assert sent == [server.base + "/v1/t/collect"], sent


def test_a_new_click_replaces_the_kept_parameters_and_expired_ones_are_not_sent(server, site,
                                                                              page, new_tag):
    tag = new_tag()
    order_id = helpers.uid("ord-")
    landing, order = advertiser_pages(server, site, tag, order_id)
    page.goto(click_url(server, tag, landing, "bid-old", "cmp-old"))
    page.wait_for("document.cookie.includes('thrad_bid_id=bid-old')")
    went = page.goto(click_url(server, tag, landing, "bid-new", "cmp-new"))
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(went["url"]).query))
    page.wait_for("document.cookie.includes('thrad_bid_id=bid-new')")
    assert page.local_storage()["thrad_click_id"] == q["thrad_click_id"]
    page.goto(order)
    (conv,) = stored(lambda: [c for c in tag.conversions() if c.get("order_id") == order_id])
    assert (conv["click_id"], conv["bid_id"], conv["campaign_id"]) == (
        q["thrad_click_id"], "bid-new", "cmp-new"), conv

    # Parameters past their thrad_exp are not sent: the server would refuse them.
    page.eval("""(() => {
      const past = String(Math.floor(Date.now() / 1000) - 60);
      document.cookie = 'thrad_exp=' + past + '; Path=/';
      localStorage.setItem('thrad_exp', past);
    })()""")
    answer = page.eval("thradTag('conversion', {order_id: 'late-1', value: 1, currency: 'USD'})")
    assert answer["status"] == "skipped", answer
    sent = [r for r in page.log()["requests"] if r["url"].endswith("/v1/t/conversion")]
    assert len(sent) == 1, sent  # the order page's own conversion only
