"""Spec sections 3 and 6 for POST /v1/api/collect: fields, tag_id, stamping, dedup, client IP."""

import datetime

import pytest

from helpers import (Partner, assert_422_at, assert_error, assert_no_content, assert_replayed,
                     error_locs, parse_time, uid)

QUICKSTART_BODY = b"""{
    "event_name":"page_view",
    "event_id":"pv-checkout-step-1",
    "page_url":"https://example.com/checkout",
    "params":{"step":"shipping"}
  }"""

EVENT_FIELDS = ["id", "partner_id", "key_id", "event_name", "tag_id", "event_id", "timestamp",
                "page_url", "referrer", "user_agent", "session_id", "client_id",
                "attribution_type", "impression_id", "click_id", "bid_id", "impression_state",
                "view_time_ms", "consent", "params", "channel", "client_ip", "received_at"]

STRING_LIMITS = {"event_name": 128, "tag_id": 256, "event_id": 256, "page_url": 2048,
                 "referrer": 2048, "user_agent": 1024, "session_id": 256, "client_id": 256,
                 "attribution_type": 256, "impression_id": 256, "click_id": 256, "bid_id": 256,
                 "impression_state": 256}
STRING_FIELDS = sorted(STRING_LIMITS) + ["channel"]


def stamped(partner, **client_params):
    return {**client_params, "integration": "partner_s2s", "partner_id": partner.id,
            "api_key_label": partner.label}


def without_empty_extra(params):
    return {k: v for k, v in params.items() if not (k == "extra" and v == {})}


def text_of_length(field, n):
    if field in ("page_url", "referrer"):
        prefix = "https://example.com/"
        return prefix + "a" * (n - len(prefix))
    return "a" * n


def test_quickstart_event_is_stored(partner):
    assert_no_content(partner.collect(QUICKSTART_BODY))
    row = partner.event("pv-checkout-step-1")
    missing = [f for f in EVENT_FIELDS if f not in row]
    assert not missing, f"export lacks fields {missing}: {row}"
    assert row["event_name"] == "page_view"
    assert row["page_url"] == "https://example.com/checkout"
    assert row["tag_id"] == "site:example.com"
    assert row["channel"] == "server"
    assert row["partner_id"] == partner.id and row["key_id"] == partner.key_id
    assert without_empty_extra(row["params"]) == stamped(partner, step="shipping"), row
    assert row["timestamp"] == int(parse_time(row["received_at"]).timestamp()), row
    assert row["client_ip"] == "127.0.0.1", row


def test_every_field_round_trips(partner):
    eid = uid("full-")
    body = {"event_name": "impression", "tag_id": "tag:42", "event_id": eid,
            "timestamp": 1771524000, "page_url": "https://shop.example/p?q=1",
            "referrer": "https://google.example/", "user_agent": "Mozilla/5.0 (X11)",
            "session_id": "s1", "client_id": "c1", "attribution_type": "view",
            "impression_id": "imp1", "click_id": "clk_1", "bid_id": "bid1",
            "impression_state": "visible", "view_time_ms": 1500,
            "consent": {"gdpr": True, "tcf": "CP-abc", "purposes": [1, 2]},
            "params": {"nested": {"a": [1, "b", None]}}}
    assert_no_content(partner.collect(body))
    row = partner.event(eid)
    for field, value in body.items():
        if field != "params":
            assert row[field] == value, (field, row)
    assert without_empty_extra(row["params"]) == stamped(partner, nested=body["params"]["nested"])


def test_nulls_mean_absent(partner):
    eid = uid("null-")
    body = {f: None for f in STRING_FIELDS if f not in ("event_name", "event_id")}
    body.update(event_name="n", event_id=eid, timestamp=None, view_time_ms=None, consent=None,
                params=None)
    assert_no_content(partner.collect(body))
    row = partner.event(eid)
    assert row["tag_id"] == "site:unknown" and row["channel"] == "server", row
    assert row["page_url"] is None and row["view_time_ms"] is None and row["consent"] is None


def test_missing_timestamp_is_the_receive_time(partner):
    eid = uid("ts-")
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    assert_no_content(partner.collect({"event_name": "t", "event_id": eid}))
    row = partner.event(eid)
    received = parse_time(row["received_at"])
    assert row["timestamp"] == int(received.timestamp()), row
    assert before <= received <= before + datetime.timedelta(minutes=2), row


# --- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("field", STRING_FIELDS)
@pytest.mark.parametrize("value", [123, True, [], {"a": 1}, 1.5])
def test_wrong_type_of_string_field(partner, field, value):
    body = {"event_name": "x", field: value}
    assert_422_at(partner.collect(body), ("body", field))


@pytest.mark.parametrize("field", ["timestamp", "view_time_ms"])
@pytest.mark.parametrize("value", ["abc", "12", 1.5, True, [], {}, -1])
def test_wrong_integer(partner, field, value):
    assert_422_at(partner.collect({"event_name": "x", field: value}), ("body", field))


@pytest.mark.parametrize("field", ["consent", "params"])
@pytest.mark.parametrize("value", ["x", 1, [], [{"a": 1}], True])
def test_wrong_object(partner, field, value):
    assert_422_at(partner.collect({"event_name": "x", field: value}), ("body", field))


@pytest.mark.parametrize("body", [{}, {"event_name": None}, {"event_name": ""},
                                  {"event_name": "   "}, {"event_name": "\t \n"}],
                         ids=["absent", "null", "empty", "spaces", "whitespace"])
def test_event_name_required_and_not_blank(partner, body):
    assert_422_at(partner.collect(body), ("body", "event_name"))


@pytest.mark.parametrize("field", sorted(STRING_LIMITS))
def test_string_limit(partner, field):
    n = STRING_LIMITS[field]
    eid = uid("lim-")
    body = {"event_name": "lim", "event_id": eid}
    ok = {**body, field: text_of_length(field, n)}
    assert_no_content(partner.collect(ok))
    stored = partner.event(ok["event_id"])
    assert stored[field] == ok[field]
    assert_422_at(partner.collect({**body, field: text_of_length(field, n + 1)}), ("body", field))


def test_limits_count_characters_not_bytes(partner):
    eid = uid("utf8-")
    assert_no_content(partner.collect({"event_name": "é" * 128, "event_id": eid}))
    assert partner.event(eid)["event_name"] == "é" * 128
    assert_422_at(partner.collect({"event_name": "é" * 129}), ("body", "event_name"))


def test_zero_is_allowed_for_integers(partner):
    eid = uid("zero-")
    assert_no_content(partner.collect({"event_name": "z", "event_id": eid, "timestamp": 0,
                                       "view_time_ms": 0}))
    row = partner.event(eid)
    assert row["timestamp"] == 0 and row["view_time_ms"] == 0, row


def test_every_error_is_listed(partner):
    body = {"event_name": "", "tag_id": 5, "timestamp": -1, "view_time_ms": "x", "consent": [],
            "page_url": "https://example.com/" + "a" * 2048, "session_id": False}
    r = partner.collect(body)
    assert_422_at(r, ("body", "event_name"), ("body", "tag_id"), ("body", "timestamp"),
                  ("body", "view_time_ms"), ("body", "consent"), ("body", "page_url"),
                  ("body", "session_id"))
    assert partner.events() == []


# --- tag_id ----------------------------------------------------------------------------------

TAG_CASES = {
    "page_url": ({"page_url": "https://Shop.Example.COM:8443/x?y=1#z"}, {}, "site:shop.example.com"),
    "trailing_dot": ({"page_url": "http://example.org./a"}, {}, "site:example.org"),
    "userinfo": ({"page_url": "https://user:pw@Host.Example/"}, {}, "site:host.example"),
    "origin": ({}, {"Origin": "https://Origin.Example:443"}, "site:origin.example"),
    "referer": ({}, {"Referer": "http://ref.example/page"}, "site:ref.example"),
    "page_beats_headers": ({"page_url": "https://page.example/"},
                           {"Origin": "https://origin.example", "Referer": "https://ref.example/"},
                           "site:page.example"),
    "origin_beats_referer": ({}, {"Origin": "https://origin.example",
                                  "Referer": "https://ref.example/"}, "site:origin.example"),
    "unknown": ({}, {}, "site:unknown"),
    "non_http_skipped": ({"page_url": "ftp://files.example/x"},
                         {"Origin": "null", "Referer": "https://ref.example/"}, "site:ref.example"),
    "relative_skipped": ({"page_url": "example.com/checkout"}, {"Origin": "/relative"},
                         "site:unknown"),
    "path_only_skipped": ({"page_url": "/checkout"}, {"Origin": "https://o.example"},
                          "site:o.example"),
    "blank_tag": ({"tag_id": "   ", "page_url": "https://blank.example"}, {}, "site:blank.example"),
    "empty_tag": ({"tag_id": "", "page_url": "https://empty.example"}, {}, "site:empty.example"),
    "given_tag": ({"tag_id": "custom:1", "page_url": "https://given.example"}, {}, "custom:1"),
}


@pytest.mark.parametrize("case", list(TAG_CASES))
def test_tag_id(partner, case):
    fields, headers, expected = TAG_CASES[case]
    eid = uid("tag-")
    assert_no_content(partner.collect({"event_name": "t", "event_id": eid, **fields},
                                      headers=headers))
    assert partner.event(eid)["tag_id"] == expected


# --- stamping, channel -----------------------------------------------------------------------

def test_stamping_overrides_client_values(partner):
    eid = uid("stamp-")
    body = {"event_name": "s", "event_id": eid, "channel": "web",
            "params": {"integration": "web_sdk", "partner_id": "someone-else",
                       "api_key_label": "forged", "step": 2}}
    assert_no_content(partner.collect(body))
    row = partner.event(eid)
    assert row["channel"] == "server", row
    assert without_empty_extra(row["params"]) == stamped(partner, step=2), row


# --- dedup -----------------------------------------------------------------------------------

def test_duplicate_event_is_replayed_and_stored_once(partner):
    eid = uid("dup-")
    body = {"event_name": "d", "event_id": eid, "page_url": "https://dup.example/"}
    first = partner.collect(body)
    assert_no_content(first)
    assert_replayed(first, False)
    for name in ("d", "changed"):
        again = partner.collect({**body, "event_name": name})
        assert_no_content(again)
        assert_replayed(again, True)
    rows = [r for r in partner.events() if r["event_id"] == eid]
    assert len(rows) == 1 and rows[0]["event_name"] == "d", rows


def test_same_event_id_with_another_tag_id_is_stored(partner):
    eid = uid("tags-")
    for host in ("a.example", "b.example"):
        r = partner.collect({"event_name": "d", "event_id": eid, "page_url": f"https://{host}/"})
        assert_no_content(r)
        assert_replayed(r, False)
    assert sorted(r["tag_id"] for r in partner.events()) == ["site:a.example", "site:b.example"]


def test_same_event_id_in_another_partner_is_stored(new_partner):
    a, b = new_partner(), new_partner()
    body = {"event_name": "d", "event_id": uid("xp-"), "tag_id": "shared-tag"}
    for p in (a, b):
        r = p.collect(body)
        assert_no_content(r)
        assert_replayed(r, False)
        assert len(p.events()) == 1


def test_events_without_event_id_are_never_deduplicated(partner):
    for _ in range(3):
        r = partner.collect({"event_name": "no-id", "tag_id": "t"})
        assert_no_content(r)
        assert_replayed(r, False)
    assert len(partner.events()) == 3


# --- client IP -------------------------------------------------------------------------------

def test_forwarded_for_is_ignored_without_trust_proxy(partner):
    eid = uid("ip-")
    assert_no_content(partner.collect({"event_name": "ip", "event_id": eid},
                                      headers={"X-Forwarded-For": "203.0.113.7"}))
    assert partner.event(eid)["client_ip"] == "127.0.0.1"


def test_forwarded_for_first_hop_with_trust_proxy(make_server):
    p = Partner(make_server("--trust-proxy"))
    cases = {"203.0.113.7, 10.0.0.1, 10.0.0.2": "203.0.113.7", "198.51.100.9": "198.51.100.9",
             None: "127.0.0.1"}
    for xff, expected in cases.items():
        eid = uid("ip-")
        headers = {"X-Forwarded-For": xff} if xff else {}
        assert_no_content(p.collect({"event_name": "ip", "event_id": eid}, headers=headers))
        assert p.event(eid)["client_ip"] == expected, xff


# --- validate_only ---------------------------------------------------------------------------

def test_validate_only_answers_derived_tag_and_stores_nothing(partner):
    body = {"event_name": "v", "event_id": uid("v-"), "page_url": "https://Valid.Example:8080/"}
    r = partner.collect(body, query="validate_only=true")
    assert r.status == 200, r
    out = r.json()
    assert out.get("status") == "valid" and out.get("tag_id") == "site:valid.example", out
    r = partner.collect({"event_name": "v", "tag_id": "given"}, query="validate_only=true")
    assert r.status == 200 and r.json().get("status") == "valid", r
    assert partner.events() == []


def test_validate_only_of_a_duplicate(partner):
    body = {"event_name": "v", "event_id": uid("vd-"), "page_url": "https://dup.example/"}
    assert_no_content(partner.collect(body))
    r = partner.collect(body, query="validate_only=true")
    assert r.status == 200, r
    assert r.json().get("status") == "duplicate", r
    assert len(partner.events()) == 1


def test_validate_only_reports_the_real_errors(partner):
    r = partner.collect({"event_name": ""}, query="validate_only=true")
    assert_422_at(r, ("body", "event_name"))
    r = partner.server.post("/v1/api/collect?validate_only=true", {"event_name": "v"},
                            headers={"Authorization": "Bearer thr_not-a-real-key"})
    assert_error(r, 401, "Invalid API key")
    r = partner.server.post("/v1/api/collect?validate_only=true", {"event_name": "v"})
    assert_error(r, 401, "Missing bearer token")
    assert partner.events() == []


def test_validate_only_false_stores(partner):
    eid = uid("vf-")
    assert_no_content(partner.collect({"event_name": "v", "event_id": eid},
                                      query="validate_only=false"))
    assert partner.event(eid)["event_name"] == "v"


@pytest.mark.parametrize("value", ["True", "TRUE", "1", "true"])
def test_validate_only_true_in_any_case_stores_nothing(partner, value):
    eid = uid("vt-")
    r = partner.collect({"event_name": "v", "event_id": eid}, query=f"validate_only={value}")
    assert r.status == 200 and r.json().get("status") == "valid", r
    assert partner.events() == []


@pytest.mark.parametrize("value", ["False", "FALSE", "0"])
def test_validate_only_false_in_any_case_stores(partner, value):
    eid = uid("vf-")
    assert_no_content(partner.collect({"event_name": "v", "event_id": eid},
                                      query=f"validate_only={value}"))
    assert partner.event(eid)["event_name"] == "v"


@pytest.mark.parametrize("query", ["validate_only=yes", "validate_only=", "validate_only",
                                   "validate_only=tru", "validate_only=true%20",
                                   "validate_only=true&validate_only=maybe"])
def test_validate_only_other_values_are_422_and_store_nothing(partner, query):
    eid = uid("vx-")
    r = partner.collect({"event_name": "v", "event_id": eid}, query=query)
    assert_422_at(r, ("query", "validate_only"))
    assert r.json()["errors"] == [{"loc": ["query", "validate_only"],
                                   "msg": "Input should be a valid boolean, unable to interpret input",
                                   "type": "bool_parsing"}]
    # Listed with the body's problems, the query's first.
    r = partner.collect({"event_name": ""}, query=query)
    assert error_locs(r) == [("query", "validate_only"), ("body", "event_name")], r
    # Every write endpoint refuses it the same way.
    r = partner.server.post(f"/v1/api/collect/batch?{query}", {"events": [{"event_name": "b"}]},
                            partner.headers())
    assert_422_at(r, ("query", "validate_only"))
    r = partner.conversion({"click_id": "x", "conversion_time": "2026-02-19T18:00:00Z",
                            "conversion_value": 1, "currency": "USD"}, query=query)
    assert_422_at(r, ("query", "validate_only"))
    assert partner.events() == []
    assert partner.conversions() == []


# --- timestamps in the future (milliseconds sent as seconds) ----------------------------------

def test_timestamp_in_milliseconds_is_refused_naming_the_unit(partner):
    now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    eid = uid("ms-")
    r = partner.collect({"event_name": "x", "event_id": eid, "timestamp": now * 1000 + 123})
    body = assert_error(r, 422, "Validation error")
    assert body["errors"] == [{
        "loc": ["body", "timestamp"], "type": "timestamp_in_future",
        "msg": "Input should be at most 1 day in the future; it looks like milliseconds, "
               "send Unix seconds"}], body
    r = partner.collect({"event_name": "x", "event_id": eid, "timestamp": now + 2 * 86400})
    body = assert_error(r, 422, "Validation error")
    assert body["errors"] == [{"loc": ["body", "timestamp"], "type": "timestamp_in_future",
                               "msg": "Input should be at most 1 day in the future"}], body
    assert partner.events() == []
    # Clock skew of a few hours passes.
    assert_no_content(partner.collect({"event_name": "x", "event_id": eid,
                                       "timestamp": now + 3 * 3600}))
    assert partner.event(eid)["timestamp"] == now + 3 * 3600
