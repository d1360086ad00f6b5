"""CLICKS.md sections 1-6 over real HTTP: the signed click redirect, click registration, the
click look-up and signed landing parameters on conversions, on both stores.

Click URLs are minted in Python with the documented algorithm (click_signing.py), never by
the server, so a server that drifted from the documented algorithm fails here.
"""

import re
import threading
import time
import urllib.parse

import pytest

from click_signing import SigningKey, click_params, click_path, landing_params
from helpers import Partner, assert_422_at, assert_error, request, uid, wait_for

LANDING = "https://shop.example.com/landing?utm_source=thrad&b=%41+x#top"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
T0 = "2026-02-19T18:00:00Z"


@pytest.fixture
def clicks(make_server):
    """A fresh server with its own signing key and an advertiser that may read its clicks."""
    srv = make_server()
    return ClickEnv(srv)


class ClickEnv:
    def __init__(self, srv):
        self.srv = srv
        self.key = SigningKey(srv.cli)
        self.advertiser = Partner(srv)  # collect + conversion

    def follow(self, path, method="GET", headers=None):
        return request(self.srv.port, method, path, headers=headers)

    def click(self, bid=None, url=LANDING, **kwargs):
        """Follows a fresh signed click URL; returns the answer."""
        return self.follow(self.key.mint(self.advertiser.id, bid or uid("bid-"), url, **kwargs))

    def lookup(self, click_id, partner=None):
        p = partner or self.advertiser
        return self.srv.get(f"/v1/api/clicks/{urllib.parse.quote(click_id)}", headers=p.headers())

    def stored_clicks(self):
        return self.srv.cli.export("clicks", partner=self.advertiser.id)

    def convert(self, click_id, partner=None, **fields):
        body = {"click_id": click_id, "conversion_time": T0, "conversion_value": 10,
                "currency": "USD", "order_id": uid("o-")}
        body.update(fields)
        return (partner or self.advertiser).conversion(body)


def eventually(predicate, timeout):
    """Waits until predicate() holds; fails the test if it does not within `timeout` s."""
    value, waited = wait_for(predicate, timeout)
    assert waited is not None, f"not true within {timeout}s"
    return waited


def location_of(resp):
    assert resp.status == 302, resp
    assert resp.headers.get("Cache-Control") == "no-store", resp.headers
    return resp.headers.get("Location")


def landing_of(resp):
    params, fragment = landing_params(location_of(resp))
    return dict(params), params, fragment


# --- 2-3. the redirect ---------------------------------------------------------------------------

def test_a_signed_click_lands_with_the_landing_parameters_and_is_stored(clicks):
    before = int(time.time())
    r = clicks.follow(
        clicks.key.mint(clicks.advertiser.id, "bid-7", LANDING, campaign="cmp-42", tag="pub_001"),
        headers={"User-Agent": "Mozilla/5.0 test", "Referer": "https://pub.example/article"})
    values, params, fragment = landing_of(r)
    location = r.headers.get("Location")
    # The URL's own parameters first, unchanged; then the four, in order; the fragment last.
    assert location.startswith("https://shop.example.com/landing?utm_source=thrad&b=%41+x&"), location
    assert [k for k, _ in params] == ["utm_source", "b", "thrad_click_id", "thrad_exp",
                                      "thrad_sig", "thrad_bid_id"], params
    assert fragment == "top"
    click_id, exp = values["thrad_click_id"], int(values["thrad_exp"])
    assert UUID4.match(click_id), click_id
    assert before + 90 * 86400 <= exp <= int(time.time()) + 90 * 86400 + 1
    assert values["thrad_sig"] == clicks.key.landing_signature(click_id, exp)
    assert values["thrad_bid_id"] == "bid-7"

    got = clicks.lookup(click_id)
    assert got.status == 200, got
    body = got.json()
    assert body["click_id"] == click_id and body["bid_id"] == "bid-7"
    assert body["campaign_id"] == "cmp-42" and body["tag_id"] == "pub_001"
    assert body["exp"] == exp and body["source"] == "redirect" and body["filter_reason"] is None
    assert body["conversions"] == 0

    [row] = [c for c in clicks.stored_clicks() if c["click_id"] == click_id]
    assert row["landing_url"] == "https://shop.example.com/landing?utm_source=thrad&b=%41+x#top"
    assert row["user_agent"] == "Mozilla/5.0 test"
    assert row["referrer"] == "https://pub.example/article"
    assert row["client_ip"] == "127.0.0.1"

    # The loop closes: a conversion on the click handed out, with its signature.
    conv = clicks.convert(click_id, thrad_exp=exp, thrad_sig=values["thrad_sig"])
    assert conv.status == 200 and conv.json() == {"status": "ok"}, conv
    assert clicks.lookup(click_id).json()["conversions"] == 1
    [stored] = [c for c in clicks.advertiser.conversions() if c["click_id"] == click_id]
    assert stored["bid_id"] == "bid-7" and stored["campaign_id"] == "cmp-42"
    assert stored["click_time"] == body["clicked_at"]
    assert "thrad_sig" not in stored["params"].get("extra", {})


def test_a_landing_url_without_query_or_fragment(clicks):
    values, params, fragment = landing_of(clicks.click(url="https://shop.example.com"))
    assert [k for k, _ in params] == ["thrad_click_id", "thrad_exp", "thrad_sig", "thrad_bid_id"]
    assert fragment == ""


def test_old_landing_parameters_in_the_url_are_replaced(clicks):
    url = "https://s.example/p?thrad_sig=old&a=1&thrad_click_id=x&thrad_exp=1&thrad_bid_id=y"
    values, params, _ = landing_of(clicks.click(url=url, bid="b-new"))
    assert [k for k, _ in params] == ["a", "thrad_click_id", "thrad_exp", "thrad_sig",
                                      "thrad_bid_id"]
    assert values["thrad_bid_id"] == "b-new" and values["thrad_click_id"] != "x"


def base_params(clicks, **over):
    return click_params(clicks.key.kid, clicks.key.secret, over.pop("partner", clicks.advertiser.id),
                        over.pop("bid", "bid-1"), over.pop("url", "https://x.example/"), **over)


def with_param(params, name, value):
    out = [(k, value if k == name else v) for k, v in params]
    return out


def without(params, name):
    return [(k, v) for k, v in params if k != name]


@pytest.mark.parametrize("case", ["no_partner", "no_bid", "no_url", "no_exp", "no_kid", "no_sig",
                                  "long_partner", "long_bid", "long_campaign", "bad_url_scheme",
                                  "relative_url", "long_url", "exp_not_digits", "control_char",
                                  "twice"])
def test_a_malformed_click_url_is_400(clicks, case):
    p = base_params(clicks)
    bad = {
        "no_partner": without(p, "partner"),
        "no_bid": without(p, "bid"),
        "no_url": without(p, "url"),
        "no_exp": without(p, "exp"),
        "no_kid": without(p, "kid"),
        "no_sig": without(p, "sig"),
        "long_partner": with_param(p, "partner", "p" * 129),
        "long_bid": with_param(p, "bid", "b" * 257),
        "long_campaign": p + [("campaign", "c" * 257)],
        "bad_url_scheme": with_param(p, "url", "ftp://x.example/"),
        "relative_url": with_param(p, "url", "/landing"),
        "long_url": with_param(p, "url", "https://x.example/" + "a" * 2040),
        "exp_not_digits": with_param(p, "exp", "12x"),
        "control_char": with_param(p, "bid", "b\n1"),
        "twice": p + [("bid", "other")],
    }[case]
    r = clicks.follow(click_path(bad))
    assert_error(r, 400, "Invalid click URL")
    assert r.headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize("field", ["partner", "bid", "campaign", "tag", "url", "exp"])
def test_a_changed_byte_in_any_signed_value_is_403(clicks, field):
    p = click_params(clicks.key.kid, clicks.key.secret, clicks.advertiser.id, "bid-1",
                     "https://x.example/a", campaign="cmp", tag="tag", ttl=3600)
    changed = [(k, (v[:-1] + ("0" if v[-1] != "0" else "1")) if k == field else v) for k, v in p]
    assert_error(clicks.follow(click_path(changed)), 403, "Invalid click signature")
    r = clicks.follow(click_path(p))  # the original still works
    assert r.status == 302, r


def test_unknown_kid_and_foreign_signatures_are_403(clicks):
    p = base_params(clicks)
    assert_error(clicks.follow(click_path(with_param(p, "kid", "sk_nosuchkey"))), 403,
                 "Invalid click signature")
    other = click_params(clicks.key.kid, "A" * 43, clicks.advertiser.id, "bid-1",
                         "https://x.example/")
    assert_error(clicks.follow(click_path(other)), 403, "Invalid click signature")
    # The same bytes spelled otherwise (padding) do not verify.
    sig = dict(p)["sig"]
    assert_error(clicks.follow(click_path(with_param(p, "sig", sig + "="))), 403)


def test_expired_click_urls_are_410_after_the_signature_check(clicks):
    past = int(time.time()) - 10
    p = base_params(clicks, exp=past)
    assert_error(clicks.follow(click_path(p)), 410, "Click URL expired")
    # Expired and forged: the signature is checked first.
    assert_error(clicks.follow(click_path(with_param(p, "bid", "other"))), 403)
    # Expired and malformed: the form is checked first.
    assert_error(clicks.follow(click_path(without(p, "partner"))), 400)


def test_head_checks_and_redirects_to_the_bare_url_without_storing(clicks):
    before = len(clicks.stored_clicks())
    r = clicks.follow(clicks.key.mint(clicks.advertiser.id, "b-head", "https://x.example/h?q=1"),
                      method="HEAD")
    assert location_of(r) == "https://x.example/h?q=1"
    forged = clicks.follow(click_path(with_param(base_params(clicks), "bid", "zz")), method="HEAD")
    assert forged.status == 403 and forged.body == b"", forged
    assert len(clicks.stored_clicks()) == before


@pytest.mark.parametrize("headers,reason", [
    ({"Sec-Purpose": "prefetch;prerender"}, "prefetch"),
    ({"Purpose": "prefetch"}, "prefetch"),
    ({"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
     "bot"),
    ({"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                    "Gecko) Chrome/131.0.0.0 Safari/537.36"}, None),
])
def test_prefetches_and_bots_are_stored_and_redirected_with_their_reason(clicks, headers, reason):
    r = clicks.follow(clicks.key.mint(clicks.advertiser.id, uid("b-"), "https://x.example/"),
                      headers=headers)
    values, _, _ = landing_of(r)
    assert clicks.lookup(values["thrad_click_id"]).json()["filter_reason"] == reason


def test_without_an_active_key_the_redirect_is_503_but_head_and_readyz_still_answer(make_server):
    srv = make_server()
    key = SigningKey(srv.cli)
    partner = Partner(srv)
    path = key.mint(partner.id, "b1", "https://x.example/")
    key.retire()  # still verifies, no longer signs
    
    def status():
        return request(srv.port, "GET", path).status

    eventually(lambda: status() == 503, timeout=6)
    assert_error(request(srv.port, "GET", path), 503)
    assert request(srv.port, "HEAD", path).status == 302
    assert srv.get("/readyz").status == 200
    # The checks before it still come first.
    assert_error(request(srv.port, "GET", click_path(without(
        click_params(key.kid, key.secret, partner.id, "b1", "https://x.example/"), "bid"))), 400)


def test_retiring_keeps_old_urls_working_with_the_newer_key_signing(make_server):
    srv = make_server()
    old = SigningKey(srv.cli)
    partner = Partner(srv)
    path = old.mint(partner.id, "b1", "https://x.example/")
    first, _, _ = landing_of(request(srv.port, "GET", path))
    assert first["thrad_sig"].startswith(f"v1.{old.kid}.")
    time.sleep(0.01)
    new = SigningKey(srv.cli)
    old.retire()

    def signed_by_new():
        values, _, _ = landing_of(request(srv.port, "GET", path))  # the old key's URL
        return values["thrad_sig"].startswith(f"v1.{new.kid}.")

    eventually(signed_by_new, timeout=6)
    values, _, _ = landing_of(request(srv.port, "GET", path))
    assert values["thrad_sig"] == new.landing_signature(values["thrad_click_id"],
                                                        int(values["thrad_exp"]))
    # Landing signatures made with the retired key still verify on conversions.
    conv = {"click_id": first["thrad_click_id"], "conversion_time": T0, "conversion_value": 1,
            "currency": "USD", "thrad_exp": int(first["thrad_exp"]), "thrad_sig": first["thrad_sig"]}
    r = partner.conversion(conv)
    assert r.status == 200 and r.json() == {"status": "ok"}, r


def test_revoking_a_key_stops_its_urls_on_every_server_within_5_s(make_server, store_kind):
    a = make_server()
    b = make_server(store=a.store)  # a second server on the same database
    key = SigningKey(a.cli)
    SigningKey(a.cli)  # another key keeps signing after the revocation
    partner = Partner(a)
    path = key.mint(partner.id, "b1", "https://x.example/")
    for srv in (a, b):
        eventually(lambda srv=srv: request(srv.port, "GET", path).status == 302, timeout=6)
    key.revoke()
    start = time.monotonic()
    for srv in (a, b):
        eventually(lambda srv=srv: request(srv.port, "GET", path).status == 403, timeout=6)
    assert time.monotonic() - start < 5.5


def test_two_servers_on_one_database_share_keys_and_clicks(make_server):
    a = make_server()
    b = make_server(store=a.store)
    key = SigningKey(a.cli)
    partner = Partner(a)
    path = key.mint(partner.id, "b-shared", "https://x.example/")
    eventually(lambda: request(b.port, "GET", path).status == 302, timeout=6)
    values, _, _ = landing_of(request(b.port, "GET", path))
    got = a.get(f"/v1/api/clicks/{values['thrad_click_id']}", headers=partner.headers())
    assert got.status == 200 and got.json()["bid_id"] == "b-shared", got


def test_per_ip_rate_limit_lands_the_visitor_without_storing(make_server):
    srv = make_server("--click-rate-limit-rps", "1", "--click-rate-limit-burst", "2")
    key = SigningKey(srv.cli)
    partner = Partner(srv)
    locations = [location_of(request(srv.port, "GET",
                                     key.mint(partner.id, f"b{i}", "https://x.example/")))
                 for i in range(5)]
    landed_with_id = [l for l in locations if "thrad_click_id=" in l]
    bare = [l for l in locations if l == "https://x.example/"]
    assert len(landed_with_id) == 2 and len(bare) == 3, locations
    text = srv.get("/metrics").body.decode()
    assert 'thrad_click_redirects_unrecorded_total{reason="rate_limited"} 3' in text, text
    assert 'thrad_clicks_stored_total{source="redirect",filter_reason="none"} 2' in text


def test_an_overloaded_store_still_lands_the_visitor_without_a_click_id(make_server):
    srv = make_server("--max-queue", "1", "--debug-commit-delay-ms", "300")
    key = SigningKey(srv.cli)
    partner = Partner(srv)
    paths = [key.mint(partner.id, f"b{i}", "https://x.example/o") for i in range(12)]
    results = [None] * len(paths)

    def follow(i):
        results[i] = location_of(request(srv.port, "GET", paths[i]))

    threads = [threading.Thread(target=follow, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    bare = [l for l in results if l == "https://x.example/o"]
    with_id = [l for l in results if l and "thrad_click_id=" in l]
    assert bare and with_id and len(bare) + len(with_id) == len(paths), results
    # Every click id handed out is stored; none that was not handed out is.
    handed = {dict(landing_params(l)[0])["thrad_click_id"] for l in with_id}
    stored = {c["click_id"] for c in srv.cli.export("clicks", partner=partner.id)}
    assert handed == stored
    text = srv.get("/metrics").body.decode()
    assert f'thrad_click_redirects_unrecorded_total{{reason="store_unavailable"}} {len(bare)}' in text


def test_refusals_are_counted_by_reason(clicks):
    p = base_params(clicks)
    clicks.follow(click_path(without(p, "bid")))
    clicks.follow(click_path(with_param(p, "bid", "x")))
    clicks.follow(click_path(base_params(clicks, exp=1)))
    text = clicks.srv.get("/metrics").body.decode()
    for reason in ("invalid_url", "invalid_signature", "expired"):
        assert f'thrad_click_redirects_refused_total{{reason="{reason}"}} 1' in text, reason


# --- 6. look-up -----------------------------------------------------------------------------------

def test_lookup_of_another_partners_click_or_none_is_404(clicks):
    values, _, _ = landing_of(clicks.click())
    other = Partner(clicks.srv)
    assert_error(clicks.lookup(values["thrad_click_id"], partner=other), 404, "Click not found")
    assert_error(clicks.lookup("no-such-click"), 404, "Click not found")
    collect_only = Partner(clicks.srv, scopes="collect")
    assert_error(clicks.lookup(values["thrad_click_id"], partner=collect_only), 403)
    r = clicks.srv.get(f"/v1/api/clicks/{values['thrad_click_id']}")
    assert_error(r, 401)


# --- 5. signed landing parameters on conversions --------------------------------------------------

def test_conversion_signatures_are_checked_before_the_click_lookup(clicks):
    values, _, _ = landing_of(clicks.click())
    click_id, exp, sig = values["thrad_click_id"], int(values["thrad_exp"]), values["thrad_sig"]
    r = clicks.convert(click_id, thrad_exp=exp + 1, thrad_sig=sig)
    assert_422_at(r, ("body", "thrad_sig"))
    assert r.json()["errors"][0]["type"] == "invalid_signature"
    # A forged signature for a click that does not exist: 422, not 404 (no look-up).
    r = clicks.convert("no-such-click", thrad_exp=exp, thrad_sig=sig)
    assert_422_at(r, ("body", "thrad_sig"))
    # A valid signature that expired: click_expired (signed here with the same key).
    past = int(time.time()) - 5
    r = clicks.convert(click_id, thrad_exp=past,
                       thrad_sig=clicks.key.landing_signature(click_id, past))
    assert_422_at(r, ("body", "thrad_exp"))
    assert r.json()["errors"][0]["type"] == "click_expired"
    # One without the other.
    assert_422_at(clicks.convert(click_id, thrad_exp=exp), ("body", "thrad_sig"))
    assert_422_at(clicks.convert(click_id, thrad_sig=sig), ("body", "thrad_exp"))
    # Unsigned conversions still work as before.
    r = clicks.convert(click_id)
    assert r.status == 200 and r.json() == {"status": "ok"}, r


# --- 4. registration --------------------------------------------------------------------------------

def register(srv, ad_server, clicks_body, query=None):
    path = "/v1/api/clicks" + (f"?{query}" if query else "")
    return srv.post(path, clicks_body, ad_server.headers())


def test_registration_needs_the_clicks_scope_which_keys_never_get_by_default(clicks):
    body = {"clicks": [{"bid_id": "b1"}]}
    assert_error(register(clicks.srv, clicks.advertiser, body), 403)
    ad_server = Partner(clicks.srv, scopes="clicks")
    r = register(clicks.srv, ad_server, body)
    assert r.status == 200, r


def test_registration_answers_every_item_in_order_with_landing_parameters(clicks):
    ad_server = Partner(clicks.srv, scopes="clicks")
    advertiser = clicks.advertiser
    given = uid("clk-")
    clicked = int(time.time()) - 60
    clicked_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(clicked))
    body = {"clicks": [
        {"partner_id": advertiser.id, "click_id": given, "bid_id": "b-1", "campaign_id": "c-1",
         "tag_id": "t-1", "landing_url": "https://shop.example/p?x=1#f",
         "clicked_at": clicked_at, "client_ip": "2001:db8::1",
         "user_agent": "UA/1", "referrer": "https://pub.example/"},
        {"partner_id": advertiser.id, "bid_id": "b-2"},
        {"partner_id": advertiser.id, "bid_id": "b-3", "clicked_at": "yesterday"},
    ]}
    r = register(clicks.srv, ad_server, body)
    assert r.status == 200, r
    out = r.json()
    assert (out["accepted"], out["duplicates"], out["rejected"]) == (2, 0, 1), out
    first, second, third = out["results"]
    assert [x["index"] for x in out["results"]] == [0, 1, 2]
    assert first["status"] == "ok" and first["click_id"] == given
    exp0 = clicked + 90 * 86400  # clicked_at + the click TTL
    assert first["thrad_exp"] == exp0
    assert first["thrad_sig"] == clicks.key.landing_signature(given, exp0)
    params, fragment = landing_params(first["landing_url"])
    assert [k for k, _ in params] == ["x", "thrad_click_id", "thrad_exp", "thrad_sig",
                                      "thrad_bid_id"] and fragment == "f"
    assert dict(params)["thrad_sig"] == first["thrad_sig"]
    assert second["status"] == "ok" and UUID4.match(second["click_id"])
    assert "landing_url" not in second
    assert second["thrad_sig"] == clicks.key.landing_signature(second["click_id"],
                                                               second["thrad_exp"])
    assert third["status"] == "error"
    assert third["errors"][0]["loc"] == ["body", "clicks", 2, "clicked_at"], third

    got = clicks.lookup(given).json()
    assert got["source"] == "api" and got["clicked_at"] == clicked_at
    [row] = [c for c in clicks.stored_clicks() if c["click_id"] == given]
    assert row["client_ip"] == "2001:db8::1" and row["user_agent"] == "UA/1"
    assert row["landing_url"] == "https://shop.example/p?x=1#f"
    # The advertiser converts on the registered click.
    conv = clicks.convert(given, thrad_exp=first["thrad_exp"], thrad_sig=first["thrad_sig"])
    assert conv.status == 200 and conv.json() == {"status": "ok"}, conv

    # Sent again: duplicates, with the stored click's values, nothing written.
    again = register(clicks.srv, ad_server, {"clicks": [
        {"partner_id": advertiser.id, "click_id": given, "bid_id": "other",
         "clicked_at": "2026-02-20T00:00:00Z"}]}).json()
    assert (again["accepted"], again["duplicates"]) == (0, 1), again
    dup = again["results"][0]
    assert dup == {"index": 0, "status": "duplicate", "click_id": given, "thrad_exp": exp0,
                   "thrad_sig": first["thrad_sig"]}, dup
    assert clicks.lookup(given).json()["bid_id"] == "b-1"


def test_registration_validate_only_writes_nothing(clicks):
    ad_server = Partner(clicks.srv, scopes="clicks")
    click_id = uid("v-")
    r = register(clicks.srv, ad_server, {"clicks": [{"partner_id": clicks.advertiser.id,
                                                     "click_id": click_id}]},
                 query="validate_only=true")
    assert r.status == 200, r
    assert_error(clicks.lookup(click_id), 404)


def test_registration_body_errors_are_422(clicks):
    ad_server = Partner(clicks.srv, scopes="clicks")
    for body, loc in [({}, ("body", "clicks")), ({"clicks": []}, ("body", "clicks")),
                      ({"clicks": "x"}, ("body", "clicks")),
                      ({"clicks": [{}] * 1001}, ("body", "clicks"))]:
        assert_422_at(register(clicks.srv, ad_server, body), loc)


def test_registration_without_an_active_key_is_503(make_server):
    srv = make_server()
    key = SigningKey(srv.cli)
    ad_server = Partner(srv, scopes="clicks")
    key.revoke()
    eventually(lambda: register(srv, ad_server, {"clicks": [{}]}).status == 503, timeout=6)
    assert_error(register(srv, ad_server, {"clicks": [{}]}), 503)


def test_an_imported_secret_keeps_the_kid_the_ad_servers_know(store):
    from helpers import Cli
    cli = Cli(store)
    proc = cli.run("signing-keys create", "--kid", "sk_adserver1", "--secret",
                   "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "--json")
    assert '"kid":"sk_adserver1"' in proc.stdout.decode(), proc.stdout
    again = cli.run("signing-keys create", "--kid", "sk_adserver1", check=False)
    assert again.returncode != 0 and b"exists" in again.stderr, again.stderr
    bad = cli.run("signing-keys create", "--kid", "adserver1", check=False)
    assert bad.returncode != 0 and b"--kid must be sk_" in bad.stderr, bad.stderr
