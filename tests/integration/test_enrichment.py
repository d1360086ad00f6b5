"""Enrichment (issue 17) over real HTTP on both stores: geo from `serve --geoip-db` (an MMDB
built here at test time by tests/tools/make_mmdb.pl from Debian's libmaxmind-db-writer-perl;
no database is committed), device from uap-core's regexes, `--ip-anonymize`, and reloading the
database on SIGHUP under load.

Client addresses come from `X-Forwarded-For` under `--trust-proxy`, so one loopback client can
speak as any IPv4 or IPv6 address.
"""

import decimal
import json
import os
import pathlib
import signal
import subprocess
import threading
import time

import pytest

import prom
from click_signing import SigningKey
from helpers import Partner, assert_no_content, request, uid, wait_for

MAKE_MMDB = pathlib.Path(__file__).resolve().parents[1] / "tools" / "make_mmdb.pl"

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

GEO_FIELDS = ("geo_country", "geo_region", "geo_city", "geo_lat", "geo_lon")
UA_FIELDS = ("ua_browser", "ua_browser_version", "ua_os", "ua_device", "is_bot")

SAN_FRANCISCO = {"geo_country": "US", "geo_region": "US-CA", "geo_city": "San Francisco",
                 "geo_lat": 37.7749, "geo_lon": -122.4194}
OAKLAND = {"geo_country": "US", "geo_region": "US-CA", "geo_city": "Oakland",
           "geo_lat": 37.8044, "geo_lon": -122.2712}
BERLIN = {"geo_country": "DE", "geo_region": "DE-BE", "geo_city": "Berlin",
          "geo_lat": 52.52, "geo_lon": 13.405}
PARIS = {"geo_country": "FR", "geo_region": "FR-IDF", "geo_city": "Paris",
         "geo_lat": 48.8566, "geo_lon": 2.3522}
NO_GEO = dict.fromkeys(GEO_FIELDS)


def city(geo):
    """An MMDB record of the GeoIP2 City layout for one of the dicts above."""
    country, subdivision = geo["geo_region"].split("-")
    return {"country": {"iso_code": country, "names": {"en": country}},
            "subdivisions": [{"iso_code": subdivision}],
            "city": {"names": {"en": geo["geo_city"]}},
            "location": {"latitude": geo["geo_lat"], "longitude": geo["geo_lon"]}}


def make_mmdb(path, networks, database_type="GeoIP2-City"):
    """Writes an MMDB file at `path` (atomically: a rename) with the networks given."""
    spec = path.with_suffix(".json")
    spec.write_text(json.dumps({"database_type": database_type, "networks": networks}))
    tmp = path.with_name(path.name + ".tmp")
    subprocess.run(["perl", str(MAKE_MMDB), str(spec), str(tmp)], check=True, timeout=60)
    os.replace(tmp, path)
    return path


@pytest.fixture
def geo_db(tmp_path):
    # 203.0.113.7/32 is inside 203.0.113.0/24 but in another city: a look-up made after
    # anonymization (203.0.113.0) would answer Oakland instead of San Francisco.
    return make_mmdb(tmp_path / "city.mmdb", {
        "203.0.113.0/24": city(OAKLAND),
        "203.0.113.7/32": city(SAN_FRANCISCO),
        "2001:db8::/32": city(BERLIN),
    })


def only(row, fields):
    """The row's `fields`; numbers as floats (export lines parse numbers as Decimal)."""
    return {f: float(row[f]) if isinstance(row.get(f), decimal.Decimal) else row.get(f)
            for f in fields}


def collect(p, ip, header_ua=None, **fields):
    """Sends one event from `ip` (with `header_ua` as User-Agent); returns its stored row."""
    eid = uid("e-")
    headers = {"X-Forwarded-For": ip}
    if header_ua is not None:
        headers["User-Agent"] = header_ua
    assert_no_content(p.collect({"event_name": "view", "event_id": eid, **fields},
                                headers=headers))
    return p.event(eid)


def test_every_geo_field_for_ipv4_and_ipv6_and_nulls_for_unknown_addresses(make_server, geo_db):
    p = Partner(make_server("--trust-proxy", "--geoip-db", geo_db))
    assert only(collect(p, "203.0.113.7"), GEO_FIELDS) == SAN_FRANCISCO
    assert only(collect(p, "203.0.113.200"), GEO_FIELDS) == OAKLAND
    assert only(collect(p, "2001:db8:1::5"), GEO_FIELDS) == BERLIN
    assert only(collect(p, "198.51.100.1"), GEO_FIELDS) == NO_GEO
    assert only(collect(p, "2001:db9::1"), GEO_FIELDS) == NO_GEO


def test_a_country_database_fills_the_country_only(make_server, tmp_path):
    db = make_mmdb(tmp_path / "country.mmdb",
                   {"203.0.113.0/24": {"country": {"iso_code": "NL"}}},
                   database_type="GeoLite2-Country")
    p = Partner(make_server("--trust-proxy", "--geoip-db", db))
    assert only(collect(p, "203.0.113.9"), GEO_FIELDS) == {**NO_GEO, "geo_country": "NL"}


def test_device_comes_from_the_user_agent_field_else_the_header(make_server):
    p = Partner(make_server())  # no --geoip-db: geo fields are null, device still parsed
    row = collect(p, "127.0.0.1", header_ua=CHROME_WINDOWS)
    assert only(row, GEO_FIELDS) == NO_GEO
    assert only(row, UA_FIELDS) == {"ua_browser": "Chrome", "ua_browser_version": "131",
                                    "ua_os": "Windows", "ua_device": "desktop", "is_bot": False}
    # The body's user_agent wins over the header (a backend sends its visitor's agent).
    row = collect(p, "127.0.0.1", header_ua=CHROME_WINDOWS, user_agent=SAFARI_IPHONE)
    assert only(row, UA_FIELDS) == {"ua_browser": "Mobile Safari", "ua_browser_version": "17",
                                    "ua_os": "iOS", "ua_device": "mobile", "is_bot": False}
    row = collect(p, "127.0.0.1", header_ua=GOOGLEBOT)
    assert row["ua_device"] == "bot" and row["is_bot"] is True, row


def test_ip_anonymize_stores_the_network_and_keeps_geo_exact(make_server, geo_db):
    p = Partner(make_server("--trust-proxy", "--geoip-db", geo_db, "--ip-anonymize"))
    row = collect(p, "203.0.113.7")
    assert row["client_ip"] == "203.0.113.0"
    assert only(row, GEO_FIELDS) == SAN_FRANCISCO  # looked up before the last octet went
    row = collect(p, "2001:db8:1:2:3:4:5:6")
    assert row["client_ip"] == "2001:db8:1::"
    assert only(row, GEO_FIELDS) == BERLIN


def test_conversions_and_clicks_are_enriched(make_server, geo_db):
    srv = make_server("--trust-proxy", "--geoip-db", geo_db)
    p = Partner(srv)
    key = SigningKey(srv.cli)
    r = request(srv.port, "GET", key.mint(p.id, uid("bid-"), "https://shop.example.com/"),
                headers={"X-Forwarded-For": "203.0.113.7", "User-Agent": SAFARI_IPHONE})
    assert r.status == 302, r
    [click] = srv.cli.export("clicks", partner=p.id)
    assert only(click, GEO_FIELDS) == SAN_FRANCISCO
    assert click["ua_device"] == "mobile" and click["ua_os"] == "iOS", click
    looked_up = srv.get(f"/v1/api/clicks/{click['click_id']}", headers=p.headers()).json()
    assert only(looked_up, GEO_FIELDS + UA_FIELDS) == only(click, GEO_FIELDS + UA_FIELDS)

    body = {"click_id": click["click_id"], "conversion_time": "2026-02-19T18:00:00Z",
            "conversion_value": 9.99, "currency": "USD", "order_id": uid("o-"),
            "user_agent": CHROME_WINDOWS}
    r = p.conversion(body, headers={"X-Forwarded-For": "2001:db8::9"})
    assert r.status == 200 and r.json()["status"] == "ok", r
    [conversion] = p.conversions()
    assert only(conversion, GEO_FIELDS) == BERLIN
    assert conversion["ua_browser"] == "Chrome" and conversion["ua_device"] == "desktop"


def test_registered_clicks_are_enriched_from_their_own_ip_and_agent(make_server, geo_db):
    srv = make_server("--geoip-db", geo_db)
    SigningKey(srv.cli)  # registration hands out signed landing parameters
    ad_server = Partner(srv, scopes="clicks")
    advertiser = uid("adv-")
    item = {"click_id": uid("c-"), "partner_id": advertiser, "bid_id": uid("bid-"),
            "client_ip": "2001:db8::77", "user_agent": GOOGLEBOT}
    r = srv.post("/v1/api/clicks", {"clicks": [item]}, ad_server.headers())
    assert r.status == 200 and r.json()["results"][0]["status"] == "ok", r
    [click] = srv.cli.export("clicks", partner=advertiser)
    assert only(click, GEO_FIELDS) == BERLIN
    assert click["is_bot"] is True and click["ua_device"] == "bot", click


def test_a_missing_or_corrupt_database_stops_the_start_with_its_reason(make_server, tmp_path):
    bad = tmp_path / "corrupt.mmdb"
    bad.write_bytes(b"this is not an MMDB file" * 100)
    for path, reason in ((tmp_path / "absent.mmdb", "absent.mmdb"), (bad, "corrupt.mmdb")):
        srv = make_server("--geoip-db", path, start=False)
        with pytest.raises(AssertionError) as failure:
            srv.start()
        assert "--geoip-db" in str(failure.value) and reason in str(failure.value), failure.value


def test_sighup_reloads_the_database_under_load_without_a_failed_request(make_server, geo_db):
    srv = make_server("--trust-proxy", "--geoip-db", geo_db)
    p = Partner(srv)
    statuses, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            r = p.collect({"event_name": "load", "event_id": uid("l-")},
                          headers={"X-Forwarded-For": "203.0.113.7"})
            statuses.append(r.status)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        make_mmdb(geo_db, {"203.0.113.0/24": city(PARIS)})  # replaced by a rename
        srv.send_signal(signal.SIGHUP)
        _, waited = wait_for(lambda: only(collect(p, "203.0.113.7"), GEO_FIELDS) == PARIS, 10)
        assert waited is not None, srv.log_tail()
        # Log lines are written by the logger's own thread: a little after the reload.
        _, waited = wait_for(lambda: "geoip database reloaded" in srv.log_text(), 10)
        assert waited is not None, srv.log_tail()

        # A bad file, copied over the good one in place (as `cp` does), keeps the database in
        # use and says why; the server's own copy is untouched by the overwrite.
        geo_db.write_bytes(b"garbage" * 1000)
        srv.send_signal(signal.SIGHUP)
        _, waited = wait_for(lambda: "geoip database not reloaded" in srv.log_text(), 10)
        assert waited is not None, srv.log_tail()
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert only(collect(p, "203.0.113.7"), GEO_FIELDS) == PARIS
    assert statuses and set(statuses) == {204}, {s: statuses.count(s) for s in set(statuses)}
    assert srv.running
    reloads = prom.parse(srv.get("/metrics").body.decode())["thrad_geoip_reloads_total"]
    assert reloads.value(result="ok") == 1 and reloads.value(result="error") == 1, reloads.samples


def test_ua_regexes_off_leaves_the_device_null_and_a_missing_file_stops_the_start(make_server,
                                                                                   tmp_path):
    p = Partner(make_server("--ua-regexes", "off"))
    row = collect(p, "127.0.0.1", header_ua=GOOGLEBOT)
    assert only(row, UA_FIELDS) == dict.fromkeys(UA_FIELDS), row
    srv = make_server("--ua-regexes", tmp_path / "no-regexes.yaml", start=False)
    with pytest.raises(AssertionError) as failure:
        srv.start()
    assert "--ua-regexes" in str(failure.value) and "no-regexes.yaml" in str(failure.value)
    assert "uap-core" in str(failure.value), failure.value
