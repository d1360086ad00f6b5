"""TAG.md §6, ptag: impressions and the IAB viewability rule in a real browser, stored by the
real server. The page is the guide's publisher snippet (docs/browser.md) on a long page."""

import json
import time

import helpers
from browser import html_page
from docs_snippets import snippet

AD_HEIGHT = 250
VIEWPORT_HEIGHT = 720


def states(events, bid):
    return [e["impression_state"] for e in events if e.get("bid_id") == bid]


def impressions(tag):
    return [e for e in tag.events() if e.get("event_name") == "impression"]


def wait_for_states(tag, expected, timeout=10):
    """Waits until the stored impressions' states per bid are `expected` (a dict)."""
    def done():
        evs = impressions(tag)
        got = {bid: sorted(states(evs, bid)) for bid in expected}
        return evs if got == {b: sorted(s) for b, s in expected.items()} else None

    evs, waited = helpers.wait_for(done, timeout, interval=0.2)
    assert waited is not None, f"stored impressions {[(e.get('bid_id'), e['impression_state']) for e in impressions(tag)]}, want {expected}"
    return evs


def long_page(server, tag):
    slot_a = snippet("publisher-slot", server.base)
    slot_b = (slot_a.replace("bid-7", "bid-8").replace("imp-7", "imp-8"))
    script = snippet("publisher-script", server.base, {"pub_001": tag.id})
    body = (f'<div style="height:1500px">top of the article</div>{slot_a}'
            f'<div style="height:3000px">more article</div>{slot_b}'
            f'<div style="height:3000px">the end</div>{script}')
    return html_page(body, head='<style>.thrad-ad{width:300px;height:250px}</style>')


def show_ad(page, bid, ms):
    """Scrolls the ad of `bid` wholly into view for `ms` milliseconds, then back to the top:
    timed inside the page, so no round trip to the test stretches it."""
    page.eval(f"""(async () => {{
      const el = document.querySelector('[data-thrad-bid-id="{bid}"]');
      window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 200);
      await new Promise((r) => setTimeout(r, {ms}));
      window.scrollTo(0, 0);
    }})()""")


def test_an_ad_below_the_fold_is_rendered_then_in_view_viewable_and_view_end(server, site,
                                                                          page, new_tag):
    tag = new_tag()
    url = site.page(f"/article-{tag.id}", long_page(server, tag))
    page.goto(url)
    # At load both slots are in the page, neither in view.
    wait_for_states(tag, {"bid-7": ["rendered"], "bid-8": ["rendered"]})
    time.sleep(1.2)  # nothing else happens while they stay below the fold
    wait_for_states(tag, {"bid-7": ["rendered"], "bid-8": ["rendered"]}, timeout=1)

    # Ad A in view for 1.6 s: in_view, viewable after a continuous second, then view_end.
    show_ad(page, "bid-7", 1600)
    evs = wait_for_states(tag, {"bid-7": ["rendered", "in_view", "viewable", "view_end"],
                                "bid-8": ["rendered"]})
    (end,) = [e for e in evs if e.get("bid_id") == "bid-7" and e["impression_state"] == "view_end"]
    assert 1400 <= end["view_time_ms"] <= 2600, end

    # Ad B in view for half a second: in_view and view_end, never viewable.
    show_ad(page, "bid-8", 500)
    evs = wait_for_states(tag, {"bid-7": ["rendered", "in_view", "viewable", "view_end"],
                                "bid-8": ["rendered", "in_view", "view_end"]})
    time.sleep(1.5)  # a viewable timer that was not cancelled would fire by now
    evs = wait_for_states(tag, {"bid-8": ["rendered", "in_view", "view_end"]}, timeout=1)
    (end_b,) = [e for e in evs if e.get("bid_id") == "bid-8" and e["impression_state"] == "view_end"]
    assert 300 <= end_b["view_time_ms"] < 1000, end_b

    # What every stored impression carries.
    for e in evs:
        assert e["tag_id"] == tag.id, e
        assert e["channel"] == "web", e
        assert e["impression_id"] == "imp-" + e["bid_id"].split("-")[1], e
        assert e["page_url"] == url, e
        assert e.get("event_id"), e
        assert e["params"]["integration"] == "tag", e
    # Each state at most once per element, whatever the scrolling did.
    for bid in ("bid-7", "bid-8"):
        s = states(evs, bid)
        assert len(s) == len(set(s)), (bid, s)


def test_trackImpressions_options_and_the_queued_form(server, site, page, new_tag):
    tag = new_tag()
    # A slot above the fold, tracked through the pre-load queue with sendOnInView off and
    # params; a second matching slot is past `max`.
    body = (f'<div class="slot" data-thrad-bid-id="q-1" data-thrad-impression-id="i-1" '
            f'style="width:300px;height:250px"></div>'
            f'<div class="slot" data-thrad-bid-id="q-2" style="width:300px;height:250px"></div>'
            f'<script>window.ptag = window.ptag || function () {{'
            f'(ptag.q = ptag.q || []).push(arguments); }};'
            f'ptag("config", {json.dumps(tag.id)}, {{params: {{site: "news"}}}});'
            f'ptag("trackImpressions", ".slot", {{max: 1, sendOnInView: false, '
            f'params: {{slot: "top"}}}});</script>'
            f'<script async src="{server.base}/ptag.js"></script>')
    page.goto(site.page(f"/queued-{tag.id}", html_page(body)))
    evs = wait_for_states(tag, {"q-1": ["rendered", "viewable"], "q-2": []})
    for e in evs:
        assert e["params"]["site"] == "news" and e["params"]["slot"] == "top", e
    assert page.eval("ptag.trackImpressions('.slot')") == 1  # q-2 now; q-1 is tracked already
    wait_for_states(tag, {"q-1": ["rendered", "viewable"], "q-2": ["rendered", "in_view",
                                                                   "viewable"]})
