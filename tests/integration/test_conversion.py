"""Spec sections 4 and 6 for POST /v1/api/conversion."""

import datetime
import decimal

import pytest

from helpers import (CONVERSION_PATHS, assert_422_at, assert_error, assert_replayed, dumps_raw,
                     error_locs, parse_time, uid)

QUICKSTART_CLICK = "11111111-1111-4111-8111-111111111111"
QUICKSTART_BODY = b"""{
    "click_id":"11111111-1111-4111-8111-111111111111",
    "conversion_time":"2026-02-19T18:00:00Z",
    "conversion_value":49.99,
    "currency":"USD",
    "order_id":"order-123",
    "event_type":"purchase_completed"
  }"""

CONVERSION_FIELDS = ["id", "partner_id", "key_id", "click_id", "bid_id", "campaign_id",
                     "conversion_time", "conversion_value", "conversion_value_micros", "currency",
                     "event_type", "order_id", "event_id", "tag_id", "session_id", "client_id",
                     "page_url", "referrer", "user_agent", "dedup_key", "dedup_source", "params",
                     "client_ip", "received_at"]
STRING_LIMITS = {"order_id": 256, "event_id": 256, "tag_id": 256, "session_id": 256,
                 "client_id": 256, "page_url": 2048, "referrer": 2048, "user_agent": 1024,
                 "event_type": 64}
DUPLICATE_MISMATCH = "Idempotency key reused with a different payload"
T0 = "2026-02-19T18:00:00Z"


def body_for(click, /, **fields):
    body = {"click_id": click, "conversion_time": T0, "conversion_value": 49.99,
            "currency": "USD"}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not ...}


def assert_status(resp, status):
    assert resp.status == 200, resp
    ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    assert ctype == "application/json", resp
    assert resp.json() == {"status": status}, resp
    assert_replayed(resp, status == "duplicate")


def only_row(partner, **match):
    rows = [r for r in partner.conversions() if all(r.get(k) == v for k, v in match.items())]
    assert len(rows) == 1, f"expected one conversion matching {match}, got {rows}"
    return rows[0]


def assert_utc_time(got, expected):
    """RFC 3339 in UTC ("Z"); the instant must match (fraction digits are not prescribed)."""
    assert isinstance(got, str) and got.endswith("Z"), got
    assert parse_time(got) == parse_time(expected), f"stored {got}, expected {expected}"


def stamp(partner):
    return {"integration": "partner_s2s", "partner_id": partner.id,
            "api_key_label": partner.label}


# --- the quickstart and click lookup ---------------------------------------------------------

def test_quickstart_conversion(partner):
    partner.cli.add_click(partner.id, click_id=QUICKSTART_CLICK, bid_id="b1")
    assert_status(partner.conversion(QUICKSTART_BODY, idem="order-123"), "ok")
    assert_status(partner.conversion(QUICKSTART_BODY, idem="order-123"), "duplicate")
    rows = partner.conversions()
    assert len(rows) == 1, rows
    row = rows[0]
    missing = [f for f in CONVERSION_FIELDS if f not in row]
    assert not missing, f"export lacks fields {missing}: {row}"
    expected = {"partner_id": partner.id, "key_id": partner.key_id, "click_id": QUICKSTART_CLICK,
                "bid_id": "b1", "campaign_id": None,
                "conversion_value": decimal.Decimal("49.99"),
                "conversion_value_micros": 49_990_000, "currency": "USD",
                "event_type": "purchase_completed", "order_id": "order-123", "event_id": None,
                "dedup_key": "order-123", "dedup_source": "header", "client_ip": "127.0.0.1"}
    assert {k: row[k] for k in expected} == expected
    assert_utc_time(row["conversion_time"], T0)
    assert {k: v for k, v in row["params"].items() if not (k == "extra" and v == {})} == \
        stamp(partner)
    assert row["received_at"]


def test_unknown_click_is_404(partner):
    r = partner.conversion(body_for(uid("no-such-click-")))
    assert_error(r, 404, "Click not found")
    assert partner.conversions() == []


def test_another_partners_click_is_404(new_partner):
    owner, other = new_partner(), new_partner()
    click = owner.add_click()
    assert_error(other.conversion(body_for(click)), 404, "Click not found")
    assert other.conversions() == [] and owner.conversions() == []
    assert_status(owner.conversion(body_for(click)), "ok")


def test_click_without_bid_id_is_400(partner):
    click = partner.add_click(bid_id=None)
    assert_error(partner.conversion(body_for(click)), 400, "Click missing bid id")
    assert partner.conversions() == []


@pytest.mark.parametrize("path", CONVERSION_PATHS)
def test_aliases(partner, path):
    eid = uid("alias-")
    assert_status(partner.conversion(body_for(partner.add_click(), event_id=eid), path=path), "ok")
    assert only_row(partner, event_id=eid)["event_type"] == "purchase_completed"


def test_click_ids_of_both_shapes(partner):
    longest = "clk_" + uid() + "c" * 240  # 256 characters
    for click_id in (uid("clk_"), "22222222-2222-4222-8222-" + uid()[:12], longest):
        partner.add_click(click_id=click_id)
        assert_status(partner.conversion(body_for(click_id)), "ok")
        assert only_row(partner, click_id=click_id)["bid_id"] == "bid-1"


def test_bid_and_campaign_come_from_the_click(partner):
    click = partner.add_click(bid_id="bid-7", campaign="cmp-9")
    assert_status(partner.conversion(body_for(click)), "ok")
    row = only_row(partner, click_id=click)
    assert (row["bid_id"], row["campaign_id"]) == ("bid-7", "cmp-9")


def test_key_without_conversion_scope_is_403(new_partner):
    p = new_partner(scopes="collect")
    click = p.add_click()
    for body in (body_for(click), b"{broken"):
        assert_error(p.conversion(body), 403, "API key not permitted for this endpoint")
    assert p.conversions() == []


# --- validation ------------------------------------------------------------------------------

BAD_FIELDS = {
    "click_id": [..., None, "", "   ", 123, "c" * 257, ["x"]],
    "conversion_time": [..., None, "", "yesterday", "2026-02-19", "2026-02-19T18:00",
                        "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-02-19T25:00:00Z",
                        "2026-02-19T18:00:00+25:00", "2026-02-19T18:00:00ZZ",
                        "19/02/2026 18:00:00", 1771524000],
    "conversion_value": [..., None, "49.99", -0.01, 1e13, True, [], {}],
    "currency": [..., None, "", "US", "USDX", "ABC", "U$D", 840],
    "event_type": ["", "   ", "e" * 65, 1, True],
}
BAD_CASES = [(f, v) for f, values in BAD_FIELDS.items() for v in values]
BAD_CASES += [(f, 123) for f in STRING_LIMITS if f != "event_type"]


@pytest.mark.parametrize("field,value", BAD_CASES,
                         ids=[f"{f}={'absent' if v is ... else repr(v)[:20]}" for f, v in BAD_CASES])
def test_field_error(partner, field, value):
    # Validation comes before the click lookup, so an unknown click still gets the 422.
    body = body_for("unknown-click", **{field: value})
    assert_422_at(partner.conversion(body), ("body", field))


@pytest.mark.parametrize("raw", ["1000000000000.000001", "1e13", "-0.000001"])
def test_value_out_of_range(partner, raw):
    body = dumps_raw(body_for("unknown-click"), {"conversion_value": raw})
    assert_422_at(partner.conversion(body), ("body", "conversion_value"))


def test_value_beyond_double_range_is_422(partner):
    # Not finite once parsed; whether the JSON layer or the field check refuses it is open.
    body = dumps_raw(body_for("unknown-click"), {"conversion_value": "1e400"})
    locs = error_locs(partner.conversion(body))
    assert locs in ([("body",)], [("body", "conversion_value")]), locs


def test_every_error_is_listed(partner):
    body = {"click_id": "", "conversion_time": "soon", "conversion_value": -1, "currency": "ABC",
            "event_type": "", "order_id": 5, "page_url": "x" * 2049}
    r = partner.conversion(body, idem="k" * 256)
    assert_422_at(r, ("body", "click_id"), ("body", "conversion_time"),
                  ("body", "conversion_value"), ("body", "currency"), ("body", "event_type"),
                  ("body", "order_id"), ("body", "page_url"), ("header", "Idempotency-Key"))


@pytest.mark.parametrize("field", sorted(STRING_LIMITS))
def test_string_limit(partner, field):
    n = STRING_LIMITS[field]
    click = partner.add_click()
    value = ("https://example.com/" + "a" * (n - 20)) if field in ("page_url", "referrer") \
        else "a" * n
    assert len(value) == n
    assert_status(partner.conversion(body_for(click, **{field: value})), "ok")
    assert only_row(partner, click_id=click)[field] == value
    assert_422_at(partner.conversion(body_for(click, **{field: value + "a"})), ("body", field))


# --- normalization ---------------------------------------------------------------------------

@pytest.mark.parametrize("given,stored", [
    ("2026-02-19T18:00:00Z", T0),
    ("2026-02-19T20:00:00+02:00", T0),
    ("2026-02-19T12:30:00-05:30", T0),
    ("2026-02-20T00:30:00+06:30", T0),
    ("2026-02-19T18:00:00+00:00", T0),
    ("2026-02-19 18:00:00Z", T0),
    ("2026-02-19T18:00:00", T0),
    ("2026-02-19 18:00:00", T0),
    ("2026-02-19T18:00:00.250Z", "2026-02-19T18:00:00.25+00:00"),
    ("2026-02-19T18:00:00.123456+01:00", "2026-02-19T17:00:00.123456+00:00"),
])
def test_conversion_time_is_stored_in_utc(partner, given, stored):
    click = partner.add_click()
    assert_status(partner.conversion(body_for(click, conversion_time=given)), "ok")
    assert_utc_time(only_row(partner, click_id=click)["conversion_time"], stored)


@pytest.mark.parametrize("raw,micros", [
    ("49.99", 49_990_000), ("0", 0), ("0.000001", 1), ("1e2", 100_000_000),
    ("4.999e1", 49_990_000), ("1000000000000", 10 ** 18), ("999999999999.999999", 10 ** 18 - 1),
    ("123456789.123456", 123_456_789_123_456),
])
def test_conversion_value_is_exact(partner, raw, micros):
    click = partner.add_click()
    assert_status(partner.conversion(dumps_raw(body_for(click), {"conversion_value": raw})), "ok")
    row = only_row(partner, click_id=click)
    assert row["conversion_value_micros"] == micros, row
    assert decimal.Decimal(row["conversion_value"]) == decimal.Decimal(raw), row


@pytest.mark.parametrize("given,stored", [("usd", "USD"), ("eUr", "EUR"), ("JPY", "JPY")])
def test_currency_is_stored_upper_case(partner, given, stored):
    click = partner.add_click()
    assert_status(partner.conversion(body_for(click, currency=given)), "ok")
    assert only_row(partner, click_id=click)["currency"] == stored


@pytest.mark.parametrize("given,stored", [(..., "purchase_completed"),
                                          (None, "purchase_completed"), ("signup", "signup")])
def test_event_type_default(partner, given, stored):
    click = partner.add_click()
    assert_status(partner.conversion(body_for(click, event_type=given)), "ok")
    assert only_row(partner, click_id=click)["event_type"] == stored


def test_stamping_and_extras(partner):
    click = partner.add_click()
    body = body_for(click, integration="evil", partner_id="someone-else", api_key_label="x")
    assert_status(partner.conversion(body), "ok")
    row = only_row(partner, click_id=click)
    assert row["partner_id"] == partner.id
    params = row["params"]
    assert {k: params.get(k) for k in stamp(partner)} == stamp(partner), params
    assert params.get("extra") == {"integration": "evil", "partner_id": "someone-else",
                                   "api_key_label": "x"}, params


# --- dedup and idempotency -------------------------------------------------------------------

@pytest.mark.parametrize("idem,fields,key,source", [
    ("hdr-1", {"event_id": "ev-1", "order_id": "ord-1"}, "hdr-1", "header"),
    (None, {"event_id": "ev-1", "order_id": "ord-1"}, "ev-1", "event_id"),
    (None, {"order_id": "ord-1"}, "ord-1", "order_id"),
])
def test_dedup_key_precedence(partner, idem, fields, key, source):
    click = partner.add_click()
    body = body_for(click, **fields)
    assert_status(partner.conversion(body, idem=idem), "ok")
    assert_status(partner.conversion(body, idem=idem), "duplicate")
    row = only_row(partner, click_id=click)
    assert (row["dedup_key"], row["dedup_source"]) == (key, source), row


def test_without_dedup_key_every_conversion_is_new(partner):
    click = partner.add_click()
    for _ in range(2):
        assert_status(partner.conversion(body_for(click)), "ok")
    rows = partner.conversions()
    assert len(rows) == 2, rows
    assert all(r["dedup_key"] is None and r["dedup_source"] is None for r in rows), rows


@pytest.mark.parametrize("change", [{"conversion_value": 50}, {"currency": "EUR"},
                                    {"conversion_time": "2026-02-19T18:00:01Z"},
                                    {"order_id": "other-order"}])
def test_reused_key_with_different_payload_is_422(partner, change):
    click = partner.add_click()
    body = body_for(click, order_id="o-1")
    assert_status(partner.conversion(body, idem="same"), "ok")
    r = partner.conversion({**body, **change}, idem="same")
    assert_error(r, 422, DUPLICATE_MISMATCH)
    assert_replayed(r, False)
    assert len(partner.conversions()) == 1


def test_same_normalized_payload_is_a_duplicate(partner):
    click = partner.add_click()
    body = body_for(click, order_id="o-1", session_id="s1")
    assert_status(partner.conversion(body, idem="norm"), "ok")
    variants = [{"currency": "usd"}, {"conversion_time": "2026-02-19T20:00:00+02:00"},
                {"conversion_time": "2026-02-19 18:00:00"}, {"session_id": "s2", "extra": 1}]
    for change in variants:
        assert_status(partner.conversion({**body, **change}, idem="norm"), "duplicate")
    raw = dumps_raw(body, {"conversion_value": "49.990"})
    assert_status(partner.conversion(raw, idem="norm"), "duplicate")
    assert len(partner.conversions()) == 1


def test_identity_includes_event_type_and_click(partner):
    click, click2 = partner.add_click(), partner.add_click()
    assert_status(partner.conversion(body_for(click), idem="k"), "ok")
    assert_status(partner.conversion(body_for(click, event_type="refund"), idem="k"), "ok")
    assert_status(partner.conversion(body_for(click2), idem="k"), "ok")
    assert_status(partner.conversion(body_for(click, event_type="refund"), idem="k"), "duplicate")
    assert len(partner.conversions()) == 3


def test_same_idempotency_key_in_two_partners(new_partner):
    for p in (new_partner(), new_partner()):
        assert_status(p.conversion(body_for(p.add_click(), order_id="o"), idem="order-123"), "ok")
        assert len(p.conversions()) == 1


def test_quoted_idempotency_key_is_unquoted(partner):
    click = partner.add_click()
    assert_status(partner.conversion(body_for(click), idem='"quoted-key"'), "ok")
    assert_status(partner.conversion(body_for(click), idem="quoted-key"), "duplicate")
    row = only_row(partner, click_id=click)
    assert (row["dedup_key"], row["dedup_source"]) == ("quoted-key", "header")


def test_idempotency_key_of_255_printable_characters(partner):
    click = partner.add_click()
    key = ("".join(chr(c) for c in range(0x21, 0x7F)) * 3)[:255]
    assert_status(partner.conversion(body_for(click), idem=key), "ok")
    assert only_row(partner, click_id=click)["dedup_key"] == key


@pytest.mark.parametrize("value", ["k" * 256, "", "caf\xe9".encode("latin-1"),
                                   "café".encode("utf-8"), '"' + "k" * 256 + '"', '""'],
                         ids=["256", "empty", "latin1", "utf8", "quoted256", "quoted_empty"])
def test_bad_idempotency_key_is_422(partner, value):
    click = partner.add_click()
    r = partner.conversion(body_for(click), idem=value)
    assert_422_at(r, ("header", "Idempotency-Key"))
    assert partner.conversions() == []


@pytest.mark.parametrize("value", ["ab\x01cd", "ab\x7fcd"], ids=["ctl", "del"])
def test_control_characters_in_idempotency_key_are_refused(partner, value):
    # Control bytes make the header field itself invalid HTTP (RFC 9110 5.5); the HTTP layer may
    # refuse the message with 400 before the field check would give 422. Never stored.
    click = partner.add_click()
    r = partner.conversion(body_for(click), idem=value)
    if r.status == 400:
        assert_error(r, 400)
    else:
        assert_422_at(r, ("header", "Idempotency-Key"))
    assert partner.conversions() == []


# --- validate_only ---------------------------------------------------------------------------

def test_validate_only_writes_nothing(partner):
    click, no_bid = partner.add_click(), partner.add_click(bid_id=None)
    body = body_for(click, order_id="vo")
    r = partner.conversion(body, idem="vo", query="validate_only=true")
    assert r.status == 200 and r.json().get("status") == "valid", r
    assert partner.conversions() == []
    assert_error(partner.conversion(body_for("nope"), query="validate_only=true"), 404,
                 "Click not found")
    assert_error(partner.conversion(body_for(no_bid), query="validate_only=true"), 400,
                 "Click missing bid id")
    assert_422_at(partner.conversion(body_for(click, currency="ABC"), query="validate_only=true"),
                  ("body", "currency"))
    assert partner.conversions() == []
    assert_status(partner.conversion(body, idem="vo"), "ok")
    r = partner.conversion(body, idem="vo", query="validate_only=true")
    assert r.status == 200 and r.json().get("status") == "duplicate", r
    r = partner.conversion({**body, "conversion_value": 1}, idem="vo", query="validate_only=true")
    assert_error(r, 422, DUPLICATE_MISMATCH)
    assert len(partner.conversions()) == 1


def test_conversion_time_more_than_a_day_ahead_is_refused(partner):
    click = partner.add_click()
    ahead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    r = partner.conversion(body_for(click, conversion_time=ahead.isoformat()), idem=uid("f-"))
    body = assert_error(r, 422, "Validation error")
    assert body["errors"] == [{"loc": ["body", "conversion_time"], "type": "timestamp_in_future",
                               "msg": "Input should be at most 1 day in the future"}], body
    assert partner.conversions() == []
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)
    r = partner.conversion(body_for(click, conversion_time=soon.isoformat()), idem=uid("f-"))
    assert r.status == 200 and r.json() == {"status": "ok"}, r
