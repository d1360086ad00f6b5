"""TAG.md §2 and §6 in a real browser: a page on a disallowed origin is refused and its console
says why; consent denied keeps nothing in cookies or localStorage and sends `consent`; the
pixel of a no-referrer page is refused (docs/browser.md)."""

import time
import urllib.parse

import helpers
from browser import html_page
from docs_snippets import snippet

LANDING = ["thrad_click_id", "thrad_exp", "thrad_sig", "thrad_bid_id"]


def stored(predicate, timeout=10):
    value, waited = helpers.wait_for(predicate, timeout, interval=0.2)
    assert waited is not None, "not stored in time"
    return value


def responses_to(page, path):
    return [r for r in page.log()["responses"] if urllib.parse.urlsplit(r["url"]).path == path]


def test_a_page_on_an_origin_the_tag_does_not_allow_is_refused_and_told_why(server, site, page,
                                                                         new_tag):
    tag = new_tag()
    # Another partner's tag allows the other origin, so the server's 403 is readable there.
    elsewhere = site.named_origin(helpers.uid("elsewhere-"))
    new_tag(origins=[elsewhere])
    url = site.page(f"/elsewhere-{tag.id}", html_page(
        snippet("advertiser-page", server.base, {"acme-web": tag.id})))
    page.expect_console_error(r"status of 403")  # Chromium's own line for the failed load
    page.expect_console_error(r"^\[thrad\] event \"page_view\" refused \(403\): Origin not "
                              r"allowed for this tag: add " + elsewhere)
    page.goto(url.replace(site.origin, elsewhere))
    page.wait_for("window.thradTag && window.thradTag.loaded")
    msgs, _ = helpers.wait_for(lambda: [m for m in page.console_errors() if "[thrad]" in m], 10)
    assert msgs, page.log()["console"]
    assert [r["status"] for r in responses_to(page, "/v1/t/collect")] == [403]
    assert tag.events() == []


def test_an_origin_no_tag_allows_is_blocked_by_cors_and_the_console_says_so(server, site, page,
                                                                         new_tag):
    tag = new_tag()
    url = site.page(f"/nowhere-{tag.id}", html_page(
        snippet("advertiser-page", server.base, {"acme-web": tag.id})))
    page.expect_console_error(r"blocked by CORS policy")
    page.expect_console_error(r"net::ERR_FAILED|status of 403")
    page.goto(url.replace(site.origin, site.named_origin(helpers.uid("nowhere-"))))
    warned, _ = helpers.wait_for(lambda: [m["text"] for m in page.log()["console"]
                                         if m["text"].startswith("[thrad]")], 10)
    assert warned and "not among the origins of any tag" in warned[0], warned
    time.sleep(0.3)
    assert tag.events() == []


def test_consent_denied_keeps_nothing_and_sends_consent(server, site, page, new_tag):
    tag = new_tag()
    landing = site.page(f"/consent-{tag.id}", html_page(
        snippet("consent-page", server.base, {"acme-web": tag.id})))
    bid = helpers.uid("bid-")
    click = server.cli.run("clicks url", "--partner", tag.partner.id, "--bid", bid, "--url",
                           landing, "--base", server.base).stdout.decode().strip()
    went = page.goto(click)
    assert "thrad_click_id=" in went["url"], went
    (view,) = stored(lambda: [e for e in tag.events() if e["event_name"] == "page_view"])
    assert view["consent"] == {"analytics_storage": "denied"}, view
    assert not [c for c in page.cookies() if c in LANDING], page.cookies()
    assert page.local_storage() == {}
    # A conversion on the landing page itself still uses this page's parameters.
    order_id = helpers.uid("ord-")
    answer = page.eval(f"thradTag('conversion', {{order_id: '{order_id}', value: 5, "
                       f"currency: 'USD'}})")
    assert answer == {"status": "ok"}, answer
    (conv,) = [c for c in tag.conversions() if c.get("order_id") == order_id]
    assert conv["bid_id"] == bid, conv
    # Still nothing kept; granting consent stores the page's parameters.
    assert page.local_storage() == {} and not (set(page.cookies()) & set(LANDING))
    page.eval("thradTag('consent', 'update', {analytics_storage: 'granted'})")
    assert set(LANDING) <= set(page.cookies()), page.cookies()
    assert set(LANDING) <= set(page.local_storage()), page.local_storage()
    # ...and denying it again deletes them.
    page.eval("thradTag('consent', 'update', {analytics_storage: 'denied'})")
    assert not (set(page.cookies()) & set(LANDING)), page.cookies()
    assert page.local_storage() == {}
    page.eval("thradTag('event', 'scroll')")
    (scroll,) = stored(lambda: [e for e in tag.events() if e["event_name"] == "scroll"])
    assert scroll["consent"] == {"analytics_storage": "denied"}, scroll


def test_the_guides_pixel_works_with_a_referrer_and_is_refused_without(server, site, page,
                                                                    new_tag):
    tag = new_tag()
    pixel = snippet("pixel", server.base, {"acme-web": tag.id})
    page.goto(site.page(f"/pixel-{tag.id}", html_page(pixel)))
    (e,) = stored(lambda: [e for e in tag.events() if e["event_name"] == "page_view"])
    assert e["params"]["campaign"] == "spring", e
    assert [r["status"] for r in responses_to(page, "/v1/t/p.gif")] == [200]

    page.expect_console_error(r"status of 403")
    page.goto(site.page(f"/pixel-no-referrer-{tag.id}", html_page(
        pixel.replace("page_view", "hidden_view")), headers={"Referrer-Policy": "no-referrer"}))
    statuses, _ = helpers.wait_for(lambda: [r["status"] for r in
                                            responses_to(page, "/v1/t/p.gif")][1:], 10)
    assert statuses == [403], statuses
    assert [e for e in tag.events() if e["event_name"] == "hidden_view"] == []


def test_every_html_block_of_the_guide_is_an_example_the_tests_use():
    from docs_snippets import examples, html_blocks
    names = examples()
    assert sorted(names) == ["advertiser-page", "consent-page", "order-page", "pixel",
                             "publisher-script", "publisher-slot"], sorted(names)
    assert len(html_blocks()) == len(names), "an ```html block of docs/browser.md is no example"
