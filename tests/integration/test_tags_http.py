"""The browser endpoints over real HTTP on both stores (TAG.md sections 2-5): POST /v1/t/collect,
GET /v1/t/p.gif and POST /v1/t/conversion with the origin rule (exact, wildcard and refused
origins, the Referer fallback), CORS headers and preflights, text/plain bodies, unknown and
removed tags, every 403/404/422/429, a batch mixing partners, dedup, the pixel's GIF, a forged
or expired signature refused before any store look-up, and browser + S2S conversions of one
order counted once in both orders. The pure rules are unit-tested in tests/unit/api."""

import json
import re
import time
import urllib.parse

import pytest

from click_signing import SigningKey, landing_params
from helpers import Partner, assert_422_at, assert_error, request, uid, wait_for

PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}
# The pixel's body, whatever the status: a 1x1 transparent GIF89a.
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f904010000000"
                    "02c00000000010001000002024401003b")
LANDING = "https://landing.example/land?x=1"


def add_tag(cli, partner, origins, tag=None):
    tag = tag or uid("tag.")
    cli.run("tags add", "--partner", partner, "--tag", tag, "--origins", origins, "--json")
    return tag


def origin_of(name):
    return f"https://{name}.shop.example"


def preflight(srv, path="/v1/t/collect", origin=None):
    headers = {"Origin": origin} if origin else {}
    return request(srv.port, "OPTIONS", path, headers=headers)


def wait_active(srv, origin):
    """Waits (the tag ring refreshes every 2 s; TAG.md: within 5 s) until `origin` is allowed."""
    allowed = lambda: preflight(srv, origin=origin).headers.get("Access-Control-Allow-Origin")
    value, waited = wait_for(lambda: allowed() == origin, 6)
    assert waited is not None, f"{origin} not allowed within 6 s"


def post(srv, path, body, origin=None, referer=None, content_type="text/plain", headers=None):
    h = {"Content-Type": content_type}
    if origin:
        h["Origin"] = origin
    if referer:
        h["Referer"] = referer
    h.update(headers or {})
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return request(srv.port, "POST", path, body=data, headers=h)


def pixel(srv, params, origin=None, referer=None, method="GET"):
    h = {}
    if origin:
        h["Origin"] = origin
    if referer:
        h["Referer"] = referer
    path = "/v1/t/p.gif?" + urllib.parse.urlencode(params)
    return request(srv.port, method, path, headers=h)


def assert_cors(resp, origin):
    assert resp.headers.get("Access-Control-Allow-Origin") == origin, resp
    assert resp.headers.get("Vary") == "Origin", resp
    assert "Access-Control-Allow-Credentials" not in resp.headers, resp
    assert "Set-Cookie" not in resp.headers, resp


def assert_no_cors(resp):
    assert "Access-Control-Allow-Origin" not in resp.headers, resp


def labeled(srv, name):
    """{labels text: value} of one labeled metric."""
    text = request(srv.port, "GET", "/metrics").body.decode()
    out = {}
    for m in re.finditer(rf"^{name}\{{(.*?)\}} (\S+)$", text, re.M):
        out[m.group(1)] = float(m.group(2))
    return out


def committed_ops(srv):
    return srv.metrics()["thrad_store_committed_ops_total"]


class Site:
    """A fresh server with a partner, its tag on a fresh origin (active), and a signing key."""

    def __init__(self, srv, signing=False):
        self.srv = srv
        self.partner = Partner(srv)
        self.origin = origin_of(uid("o"))
        self.tag = add_tag(srv.cli, self.partner.id, self.origin)
        self.key = SigningKey(srv.cli) if signing else None
        wait_active(srv, self.origin)

    def collect(self, body, **kw):
        kw.setdefault("origin", self.origin)
        return post(self.srv, "/v1/t/collect", body, **kw)

    def convert(self, body, **kw):
        kw.setdefault("origin", self.origin)
        return post(self.srv, "/v1/t/conversion", body, **kw)

    def events(self):
        return self.partner.events()

    def click(self):
        """A real click through the redirect: its landing parameters as a dict."""
        r = request(self.srv.port, "GET", self.key.mint(self.partner.id, uid("bid-"), LANDING,
                                                        campaign="camp-1"))
        assert r.status == 302, r
        params, _ = landing_params(r.headers.get("Location"))
        return dict(params)


@pytest.fixture
def site(server):
    return Site(server)


@pytest.fixture
def shop(make_server):
    """A site on a server of its own, with a signing key (conversions)."""
    return Site(make_server(), signing=True)


# --- section 2: origins, CORS, preflight, content types ------------------------------------------


def test_an_allowed_origin_stores_the_event_with_cors_headers(site):
    r = site.collect({"tag_id": site.tag, "event_name": "page_view", "event_id": "e1",
                      "page_url": site.origin + "/p", "params": {"api_key_label": "x", "a": 1}})
    assert r.status == 204, r
    assert_cors(r, site.origin)
    [e] = site.events()
    assert e["tag_id"] == site.tag and e["channel"] == "web" and e["key_id"] == "", e
    assert e["params"] == {"a": 1, "integration": "tag", "partner_id": site.partner.id}, e


def test_wildcard_origins_allow_subdomains_not_the_bare_domain(server):
    p = Partner(server)
    base = uid("w") + ".example"
    tag = add_tag(server.cli, p.id, f"https://*.{base}")
    wait_active(server, f"https://a.{base}")
    for origin in (f"https://a.{base}", f"https://x.y.{base}"):
        r = post(server, "/v1/t/collect", {"tag_id": tag, "event_name": "v"}, origin=origin)
        assert r.status == 204, (origin, r)
        assert_cors(r, origin)
    for origin in (f"https://{base}", f"http://a.{base}", f"https://a.{base}:8443"):
        r = post(server, "/v1/t/collect", {"tag_id": tag, "event_name": "v"}, origin=origin)
        assert_error(r, 403, "Origin not allowed for this tag")
        assert_no_cors(r)  # no active tag allows it
    assert len(p.events()) == 2


def test_a_refused_origin_stores_nothing_and_cors_follows_some_tag(server):
    a, b = Site(server), Site(server)
    # b's origin is allowed for b's tag, not a's: 403, with CORS (some tag allows it).
    r = a.collect({"tag_id": a.tag, "event_name": "v"}, origin=b.origin)
    assert_error(r, 403, "Origin not allowed for this tag")
    assert_cors(r, b.origin)
    for origin in ("https://evil.example", "null"):
        r = a.collect({"tag_id": a.tag, "event_name": "v"}, origin=origin)
        assert_error(r, 403, "Origin not allowed for this tag")
        assert_no_cors(r)
    r = a.collect({"tag_id": a.tag, "event_name": "v"}, origin=None)  # no Origin, no Referer
    assert_error(r, 403, "Origin not allowed for this tag")
    assert a.events() == []


def test_the_referer_is_the_fallback_origin_but_never_overrides_origin(site):
    r = site.collect({"tag_id": site.tag, "event_name": "v"}, origin=None,
                     referer=site.origin + "/cart?x=1#f")
    assert r.status == 204, r
    r = site.collect({"tag_id": site.tag, "event_name": "v"}, origin="https://evil.example",
                     referer=site.origin + "/cart")
    assert_error(r, 403, "Origin not allowed for this tag")
    assert len(site.events()) == 1


def test_preflight_answers_204_with_the_exact_headers(site):
    for path in ("/v1/t/collect", "/v1/t/conversion", "/v1/t/p.gif"):
        r = preflight(site.srv, path, origin=site.origin)
        assert r.status == 204 and r.body == b"", r
        for name, value in PREFLIGHT_HEADERS.items():
            assert r.headers.get(name) == value, (path, name, r)
        assert_cors(r, site.origin)
        r = preflight(site.srv, path, origin="https://evil.example")
        assert r.status == 204, r
        assert r.headers.get("Access-Control-Allow-Methods") == "GET, POST, OPTIONS", r
        assert_no_cors(r)
    r = request(site.srv.port, "GET", "/v1/t/collect")
    assert_error(r, 405)
    assert r.headers.get("Allow") == "POST, OPTIONS", r


def test_text_plain_json_and_no_content_type_are_all_json(site):
    for ct in ("text/plain", "text/plain;charset=UTF-8", "application/json", None):
        h = {"Origin": site.origin}
        if ct:
            h["Content-Type"] = ct
        else:
            h["Content-Type"] = None
        body = json.dumps({"tag_id": site.tag, "event_name": "v", "event_id": f"ct-{ct}"})
        r = request(site.srv.port, "POST", "/v1/t/collect", body=body, headers=h)
        assert r.status == 204, (ct, r)
    r = post(site.srv, "/v1/t/collect", {"tag_id": site.tag, "event_name": "v"},
             origin=site.origin, content_type="application/x-www-form-urlencoded")
    assert_error(r, 415)
    assert_cors(r, site.origin)
    assert len(site.events()) == 4


def test_unknown_and_removed_tags_are_404_and_store_nothing(server):
    site = Site(server)
    r = site.collect({"tag_id": "no-such-tag-" + uid(), "event_name": "v"})
    assert_error(r, 404, "Tag not found")
    assert_cors(r, site.origin)  # the origin is allowed for some (other) tag
    server.cli.run("tags remove", site.tag)
    probe = {"tag_id": site.tag}  # 422 (nothing stored) while the tag is active, then 404
    value, waited = wait_for(lambda: site.collect(probe).status == 404, 6)
    assert waited is not None, "a removed tag still accepted after 6 s"
    r = site.collect({"tag_id": site.tag, "event_name": "v"})
    assert_error(r, 404, "Tag not found")
    assert_no_cors(r)  # no active tag allows the origin any more
    assert site.events() == []


def test_updated_origins_reach_the_server_within_5_seconds(server):
    site = Site(server)
    moved = origin_of(uid("moved"))
    server.cli.run("tags update", site.tag, "--origins", moved)
    started = time.monotonic()
    wait_active(server, moved)
    assert time.monotonic() - started < 5.5
    assert site.collect({"tag_id": site.tag, "event_name": "v"}, origin=moved).status == 204
    assert_error(site.collect({"tag_id": site.tag, "event_name": "v"}), 403)


def test_per_ip_rate_limit_answers_429_with_retry_after_and_cors(make_server):
    srv = make_server("--tag-rate-limit-rps", "1", "--tag-rate-limit-burst", "2")
    site = Site(srv)  # its wait used preflights, which the limit does not count
    body = {"tag_id": site.tag, "event_name": "v"}
    statuses = [site.collect(body).status for _ in range(2)]
    assert statuses == [204, 204], statuses
    r = site.collect(body)
    assert_error(r, 429, "Rate limit exceeded")
    assert int(r.headers.get("Retry-After")) >= 1, r
    assert_cors(r, site.origin)
    r = pixel(srv, {"tag_id": site.tag, "event_name": "v"}, referer=site.origin + "/")
    assert r.status == 429 and r.body == GIF, r
    assert labeled(srv, "thrad_tag_requests_refused_total")['reason="rate_limited"'] == 2
    assert preflight(srv, origin=site.origin).status == 204  # preflights are not limited
    assert len(site.events()) == 2


# --- section 3: POST /v1/t/collect -----------------------------------------------------------------


def test_a_batch_with_a_default_tag_id_is_stored_whole(site):
    other = add_tag(site.srv.cli, site.partner.id, site.origin)
    wait_for(lambda: site.collect({"tag_id": other}).status == 422, 6)  # active: stores nothing
    events = [{"event_name": "a", "event_id": "b1"}, {"event_name": "b", "tag_id": other},
              {"event_name": "c", "event_id": "b1"}]  # a repeat of the first: stored once
    r = site.collect({"tag_id": site.tag, "events": events})
    assert r.status == 204, r
    stored = site.events()
    assert sorted((e["event_name"], e["tag_id"]) for e in stored) == sorted(
        [("a", site.tag), ("b", other)]), stored


def test_dedup_by_partner_tag_and_event_id(site):
    body = {"tag_id": site.tag, "event_name": "v", "event_id": "same"}
    assert site.collect(body).status == 204
    assert site.collect(body).status == 204  # a duplicate: answered like a success
    assert site.collect({"events": [body, body]}).status == 204
    assert len(site.events()) == 1
    assert site.partner.event("same")["channel"] == "web"


def test_a_batch_mixing_partners_is_422_at_body_events(server):
    a, b = Site(server), Site(server)
    both = a.origin + "," + b.origin
    server.cli.run("tags update", a.tag, "--origins", both)
    server.cli.run("tags update", b.tag, "--origins", both)
    body = {"events": [{"tag_id": a.tag, "event_name": "x"}, {"tag_id": b.tag, "event_name": "y"}]}
    value, waited = wait_for(lambda: a.collect(body).status == 422, 6)
    assert waited is not None
    r = a.collect(body)
    assert_422_at(r, ("body", "events"))
    assert_cors(r, a.origin)
    assert a.events() == [] and b.events() == []


def test_each_event_is_checked_against_its_own_tag(server):
    a, b = Site(server), Site(server)
    body = {"events": [{"tag_id": a.tag, "event_name": "x"}, {"tag_id": b.tag, "event_name": "y"}]}
    assert_error(a.collect(body), 403, "Origin not allowed for this tag")
    body["events"][1]["tag_id"] = "missing-" + uid()
    assert_error(a.collect(body), 404, "Tag not found")
    assert a.events() == [] and b.events() == []


def test_422_lists_every_problem_and_stores_nothing(site):
    r = site.collect({"tag_id": site.tag, "events": [
        {"event_name": "ok"},
        {"event_name": "", "timestamp": "soon", "params": 3},
        "not an object",
        {"event_name": "x", "tag_id": 5},
    ]})
    assert_422_at(r, ("body", "events", 1, "event_name"), ("body", "events", 1, "timestamp"),
                  ("body", "events", 1, "params"), ("body", "events", 2),
                  ("body", "events", 3, "tag_id"))
    assert_cors(r, site.origin)
    assert_422_at(site.collect({"event_name": "no tag"}), ("body", "tag_id"))
    assert_422_at(site.collect({"tag_id": site.tag}), ("body", "event_name"))
    assert_422_at(site.collect("{not json"), ("body",))
    assert_422_at(site.collect({"events": []}), ("body", "events"))
    assert_422_at(site.collect({"tag_id": site.tag, "events": [{"event_name": "e"}] * 51}),
                  ("body", "events"))
    assert site.events() == []


# --- section 4: the pixel -----------------------------------------------------------------------------


def test_the_pixel_stores_its_query_as_an_event_and_answers_a_gif(site):
    r = pixel(site.srv, {"tag_id": site.tag, "event_name": "pv", "event_id": "px1",
                         "timestamp": "1771524000", "page_url": site.origin + "/a b",
                         "params.color": "blue", "utm": "x"}, referer=site.origin + "/page")
    assert r.status == 200, r
    assert r.body == GIF and len(GIF) == 43
    assert r.headers.get("Content-Type") == "image/gif", r
    assert r.headers.get("Cache-Control") == "no-store", r
    assert_cors(r, site.origin)
    e = site.partner.event("px1")
    assert e["event_name"] == "pv" and e["channel"] == "web" and e["page_url"].endswith("/a b"), e
    assert e["params"]["color"] == "blue" and e["params"]["integration"] == "tag", e
    assert e["params"]["extra"] == {"utm": "x"}, e
    assert e["timestamp"] == 1771524000, e


def test_pixel_errors_answer_their_status_with_the_same_gif(site):
    cases = [
        ({"tag_id": site.tag, "event_name": "v"}, {}, 403),  # neither Origin nor Referer
        ({"tag_id": site.tag, "event_name": "v"}, {"referer": "https://evil.example/"}, 403),
        ({"tag_id": "none-" + uid(), "event_name": "v"}, {"referer": site.origin + "/"}, 404),
        ({"tag_id": site.tag}, {"referer": site.origin + "/"}, 422),
        ({"tag_id": site.tag, "event_name": "v", "timestamp": "-1"},
         {"referer": site.origin + "/"}, 422),
    ]
    for params, headers, status in cases:
        r = pixel(site.srv, params, **headers)
        assert r.status == status, (params, headers, r)
        assert r.body == GIF and r.headers.get("Content-Type") == "image/gif", r
        assert r.headers.get("Cache-Control") == "no-store", r
    r = pixel(site.srv, {"tag_id": site.tag, "event_name": "v"}, method="HEAD",
              referer=site.origin + "/")
    assert r.status == 200, r  # checked, nothing stored
    assert site.events() == []


# --- section 5: POST /v1/t/conversion ------------------------------------------------------------


def forged(sig):
    """`sig` with the first character of its MAC changed: always another signature (changing its
    last characters to "AA" left it whole about once in a thousand runs, when they were "AA")."""
    head, mac = sig.rsplit(".", 1)
    return f"{head}.{'C' if mac[0] == 'B' else 'B'}{mac[1:]}"


def conversion_body(site, landing, order=None, **fields):
    body = {"tag_id": site.tag, "thrad_click_id": landing["thrad_click_id"],
            "thrad_exp": int(landing["thrad_exp"]), "thrad_sig": landing["thrad_sig"],
            "thrad_bid_id": landing["thrad_bid_id"], "order_id": order or uid("order-"),
            "value": 49.99, "currency": "eur"}
    body.update(fields)
    return body


def test_a_browser_conversion_is_stored_with_its_click(shop):
    landing = shop.click()
    body = conversion_body(shop, landing, coupon="X")
    r = shop.convert(body)
    assert r.status == 200 and r.json() == {"status": "ok"}, r
    assert_cors(r, shop.origin)
    [c] = shop.partner.conversions()
    assert c["click_id"] == landing["thrad_click_id"] and c["bid_id"] == landing["thrad_bid_id"]
    assert c["campaign_id"] == "camp-1" and c["currency"] == "EUR" and c["key_id"] == "", c
    assert c["dedup_key"] == body["order_id"] and c["dedup_source"] == "order_id", c
    assert c["params"]["integration"] == "tag" and c["params"]["extra"] == {"coupon": "X"}, c
    assert c["event_type"] == "purchase_completed" and c["tag_id"] == shop.tag, c
    r = shop.convert(dict(body, value=1))  # same order again, another payload: still duplicate
    assert r.status == 200 and r.json() == {"status": "duplicate"}, r
    assert len(shop.partner.conversions()) == 1


def test_conversion_checks_come_in_order(shop):
    landing = shop.click()
    good = conversion_body(shop, landing)
    other = Site(shop.srv)
    # 1. tag and origin, before the fields.
    assert_error(shop.convert(dict(good, order_id=None, tag_id="nope-" + uid())), 404,
                 "Tag not found")
    assert_error(shop.convert(dict(good, order_id=None), origin=other.origin), 403,
                 "Origin not allowed for this tag")
    # 2. fields (every problem), before the signature.
    r = shop.convert(dict(good, order_id=None, thrad_sig="forged", value=-1, currency="XXX1"))
    assert_422_at(r, ("body", "order_id"), ("body", "value"), ("body", "currency"))
    assert_422_at(shop.convert({"tag_id": shop.tag}), ("body", "thrad_click_id"),
                  ("body", "thrad_exp"), ("body", "thrad_sig"), ("body", "order_id"))
    # 3. the signature.
    assert_error(shop.convert(dict(good, thrad_sig=forged(landing["thrad_sig"]))), 403,
                 "Invalid click signature")
    past = int(time.time()) - 10
    expired = dict(good, thrad_exp=past, thrad_sig=shop.key.landing_signature(
        landing["thrad_click_id"], past))
    assert_error(shop.convert(expired), 403, "Click expired")
    # 4. the click: unknown (signed, so the signature passes), another partner's.
    ghost = uid("clk-")
    exp = int(time.time()) + 3600
    r = shop.convert(dict(good, thrad_click_id=ghost, thrad_exp=exp,
                          thrad_sig=shop.key.landing_signature(ghost, exp)))
    assert_error(r, 404, "Click not found")
    assert_cors(r, shop.origin)
    theirs = shop.srv.cli.add_click(other.partner.id, bid_id="b-2")["click_id"]
    r = shop.convert(dict(good, thrad_click_id=theirs, thrad_exp=exp,
                          thrad_sig=shop.key.landing_signature(theirs, exp)))
    assert_error(r, 404, "Click not found")
    nobid = shop.srv.cli.add_click(shop.partner.id)["click_id"]
    r = shop.convert(dict(good, thrad_click_id=nobid, thrad_exp=exp,
                          thrad_sig=shop.key.landing_signature(nobid, exp)))
    assert_error(r, 400, "Click missing bid id")
    assert shop.partner.conversions() == []
    assert shop.convert(good).json() == {"status": "ok"}


def test_a_forged_or_expired_signature_never_reaches_the_store(shop):
    """No op is submitted for a forged or expired click: the store's committed ops (every click
    look-up of a conversion happens inside a write) and rejected ops stay the same, while a
    signed unknown click does reach it."""
    landing = shop.click()
    good = conversion_body(shop, landing)
    time.sleep(0.3)
    before = committed_ops(shop.srv)
    past = int(time.time()) - 10
    for body in (dict(good, thrad_sig="v1.nokid.AAAA"),
                 dict(good, thrad_sig=forged(landing["thrad_sig"])),
                 dict(good, thrad_exp=past,
                      thrad_sig=shop.key.landing_signature(landing["thrad_click_id"], past))):
        assert shop.convert(body).status == 403
    assert committed_ops(shop.srv) == before
    refused = labeled(shop.srv, "thrad_tag_requests_refused_total")
    assert refused['reason="invalid_signature"'] == 2 and refused['reason="click_expired"'] == 1
    ghost = uid("clk-")
    exp = int(time.time()) + 3600
    r = shop.convert(dict(good, thrad_click_id=ghost, thrad_exp=exp,
                          thrad_sig=shop.key.landing_signature(ghost, exp)))
    assert r.status == 404
    assert committed_ops(shop.srv) == before + 1  # the look-up went through the writer


@pytest.mark.parametrize("browser_first", [True, False])
def test_browser_and_server_conversions_of_one_order_count_once(shop, browser_first):
    landing = shop.click()
    order = uid("order-")
    browser = conversion_body(shop, landing, order=order, value=10, currency="USD")
    server_body = {"click_id": landing["thrad_click_id"], "conversion_time": "2026-02-19T18:00:00Z",
                   "conversion_value": 99, "currency": "EUR", "order_id": order}
    send_browser = lambda: shop.convert(browser)
    send_server = lambda: shop.partner.conversion(server_body, idem=order)
    first, second = (send_browser, send_server) if browser_first else (send_server, send_browser)
    r = first()
    assert r.status == 200 and r.json() == {"status": "ok"}, r
    r = second()  # another source, another payload: a duplicate, not 422
    assert r.status == 200 and r.json() == {"status": "duplicate"}, r
    [c] = shop.partner.conversions()
    assert c["params"]["integration"] == ("tag" if browser_first else "partner_s2s"), c
    # Between two S2S requests the payload rule stays (only when the S2S one was stored first).
    if not browser_first:
        r = shop.partner.conversion(dict(server_body, conversion_value=1), idem=order)
        assert_error(r, 422, "Idempotency key reused with a different payload")


def test_access_log_and_metrics_name_the_tag_routes(shop):
    assert shop.collect({"tag_id": shop.tag, "event_name": "v"}).status == 204
    text = request(shop.srv.port, "GET", "/metrics").body.decode()
    assert re.search(r'thrad_http_requests_total\{route="tag_collect",status="204"\} [1-9]', text)
    value, waited = wait_for(
        lambda: any("tag_collect" in l and shop.partner.id in l for l in shop.srv.log_text()
                    .splitlines()), 3)
    assert waited is not None, shop.srv.log_tail()
