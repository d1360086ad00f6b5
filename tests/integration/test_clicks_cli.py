"""The click commands on both stores (CLICKS.md sections 1, 2, 3 and 7): `signing-keys`
(create, list without secrets, retire, revoke), `clicks add` with its landing parameters,
`clicks url`, `export clicks` and `prune` of clicks. Signatures are checked with the spec's
algorithm computed here (hmac, hashlib, base64), not with the server's code."""

import base64
import datetime
import hashlib
import hmac
import json
import time
import urllib.parse

import pytest

from helpers import Cli, parse_time, remember_secret, uid

# CLICKS.md's test vector secret: the bytes 0..31.
VECTOR_SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
CLICK_TTL_S = 90 * 24 * 3600  # clicks add: thrad_exp = clicked_at + 90 days
LANDING = "https://shop.example.com/landing?utm_source=thrad&thrad_sig=old#top"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hmac_b64url(secret_b64, message):
    return b64url(hmac.new(b64url_decode(secret_b64), message.encode(), hashlib.sha256).digest())


def landing_sig(kid, secret_b64, click_id, exp):
    return f"v1.{kid}." + hmac_b64url(secret_b64, f"thrad-landing.v1\n{click_id}\n{exp}")


def lines(proc):
    return [json.loads(l) for l in proc.stdout.decode().splitlines() if l.strip()]


@pytest.fixture
def cli(store):
    """The CLI on an existing, migrated store (read-only commands refuse a missing database)."""
    c = Cli(store)
    c.create_key("fixture-partner", "makes the database")
    return c


def create_key(cli, secret=None):
    args = ["--json"] + (["--secret", secret] if secret else [])
    [key] = lines(cli.run("signing-keys create", *args))
    remember_secret(key["secret"])
    return key


def test_signing_keys_lifecycle_and_list_never_shows_a_secret(cli):
    assert cli.run("signing-keys list").stdout.decode() == "no signing keys\n"
    assert lines(cli.run("signing-keys list", "--json")) == []

    first = create_key(cli)
    assert first["kid"].startswith("sk_") and 4 <= len(first["kid"]) <= 35, first
    assert first["kid"][3:].isalnum() and first["kid"].isascii(), first
    assert len(first["secret"]) == 43 and len(b64url_decode(first["secret"])) == 32, first
    parse_time(first["created_at"])
    time.sleep(0.01)
    text = cli.run("signing-keys create", "--secret", VECTOR_SECRET).stdout.decode()
    assert VECTOR_SECRET in text and "kid:" in text, text
    second_kid = text.split("kid:")[1].split()[0]
    other = create_key(cli)
    assert len({first["kid"], second_kid, other["kid"]}) == 3

    listed = cli.run("signing-keys list").stdout.decode()
    listed_json = cli.run("signing-keys list", "--json").stdout.decode()
    for secret in (first["secret"], VECTOR_SECRET, other["secret"]):
        assert secret not in listed and secret not in listed_json
    rows = [json.loads(l) for l in listed_json.splitlines()]
    assert [r["kid"] for r in rows] == [first["kid"], second_kid, other["kid"]]
    assert {r["state"] for r in rows} == {"active"}
    assert [r["signs"] for r in rows] == [False, False, True]  # the newest active key signs
    assert all("secret" not in r for r in rows)
    assert "KID" in listed and "STATE" in listed and other["kid"] in listed

    # Retire the newest: it stops signing (the next newest active key signs) but is listed.
    out = cli.run("signing-keys retire", other["kid"]).stdout.decode()
    assert "retired" in out and other["kid"] in out
    cli.run("signing-keys revoke", first["kid"])
    cli.run("signing-keys revoke", first["kid"])  # twice is fine
    states = {r["kid"]: (r["state"], r["signs"], r["retired_at"], r["revoked_at"])
              for r in lines(cli.run("signing-keys list", "--json"))}
    assert states[other["kid"]][:2] == ("retired", False) and states[other["kid"]][2]
    assert states[first["kid"]][:2] == ("revoked", False) and states[first["kid"]][3]
    assert states[second_kid][:2] == ("active", True)

    # Clear errors, non-zero exits.
    proc = cli.run("signing-keys retire", first["kid"], check=False)
    assert proc.returncode == 1 and b"revoked" in proc.stderr, proc
    for command in ("signing-keys retire", "signing-keys revoke"):
        proc = cli.run(command, "sk_nosuchkey", check=False)
        assert proc.returncode == 1 and b"no signing key 'sk_nosuchkey'" in proc.stderr, proc
    bad_secrets = [VECTOR_SECRET[:-1], VECTOR_SECRET + "AA", VECTOR_SECRET + "=",
                   "!" + VECTOR_SECRET[1:], VECTOR_SECRET[:-1] + "h"]  # last: unused bits set
    for bad in bad_secrets:
        proc = cli.run("signing-keys create", "--secret", bad, check=False)
        assert proc.returncode == 1, proc
        assert b"--secret must decode to exactly 32 bytes" in proc.stderr, proc
        assert bad.encode() not in proc.stderr + proc.stdout, "the secret is echoed"
    assert len(lines(cli.run("signing-keys list", "--json"))) == 3


def test_clicks_add_prints_landing_parameters_that_verify(cli):
    # No active key yet: the click is stored, with no signature and the bare landing URL.
    partner = uid("p-")
    proc = cli.run("clicks add", "--partner", partner, "--bid-id", "bid-0", "--landing-url",
                   LANDING, "--json")
    [unsigned] = lines(proc)
    assert unsigned["thrad_sig"] is None and unsigned["landing_url"] == LANDING, unsigned
    assert b"no active signing key" in proc.stderr

    key = create_key(cli, VECTOR_SECRET)
    # CLICKS.md's landing test vector: click 1111...-1111 with thrad_exp 1798761600 (so clicked
    # 90 days before) gives the HMAC 4_zvQx127wD_8vbooTWEgvVlI2FRy6tb0lkmYtWJCiE.
    vector_click = "11111111-1111-4111-8111-111111111111"
    [v] = lines(cli.run("clicks add", "--partner", partner, "--click-id", vector_click,
                        "--bid-id", "bid-7", "--clicked-at", "2026-10-03T00:00:00Z", "--json"))
    assert v["thrad_exp"] == 1798761600 == v["exp"], v
    assert v["thrad_sig"] == f"v1.{key['kid']}.4_zvQx127wD_8vbooTWEgvVlI2FRy6tb0lkmYtWJCiE", v

    [c] = lines(cli.run("clicks add", "--partner", partner, "--bid-id", "bid 7/é", "--campaign",
                        "cmp-42", "--tag", "pub_001", "--landing-url", LANDING, "--clicked-at",
                        "2026-02-19T18:00:00.250Z", "--json"))
    clicked = int(datetime.datetime(2026, 2, 19, 18, tzinfo=datetime.timezone.utc).timestamp())
    assert c["thrad_click_id"] == c["click_id"] and c["source"] == "cli", c
    assert c["thrad_exp"] == clicked + CLICK_TTL_S == c["exp"], c
    assert c["thrad_bid_id"] == "bid 7/é" and c["tag_id"] == "pub_001", c
    assert c["thrad_sig"] == landing_sig(key["kid"], VECTOR_SECRET, c["click_id"], c["thrad_exp"])
    # The landing URL keeps its own parameters and fragment, loses a stale thrad_sig and gets
    # the four landing parameters appended in order.
    url = urllib.parse.urlsplit(c["landing_url"])
    assert (url.scheme, url.netloc, url.path, url.fragment) == (
        "https", "shop.example.com", "/landing", "top"), c
    assert urllib.parse.parse_qsl(url.query) == [
        ("utm_source", "thrad"), ("thrad_click_id", c["click_id"]),
        ("thrad_exp", str(c["thrad_exp"])), ("thrad_sig", c["thrad_sig"]),
        ("thrad_bid_id", "bid 7/é")], c

    proc = cli.run("clicks add", "--partner", partner, "--landing-url", "ftp://x/", check=False)
    assert proc.returncode == 1 and b"--landing-url" in proc.stderr, proc
    proc = cli.run("clicks add", "--partner", partner, "--clicked-at", "yesterday", check=False)
    assert proc.returncode == 1 and b"--clicked-at" in proc.stderr, proc
    # Text output is still the click id alone.
    out = cli.run("clicks add", "--partner", partner).stdout.decode()
    assert len(out.split()) == 1


def test_clicks_url_is_signed_by_the_spec_algorithm(cli):
    proc = cli.run("clicks url", "--partner", "acme", "--bid", "b", "--url", LANDING, check=False)
    assert proc.returncode == 1 and b"no active signing key" in proc.stderr, proc
    assert proc.stdout == b""

    old = create_key(cli)
    time.sleep(0.01)
    key = create_key(cli, VECTOR_SECRET)
    campaign, tag, bid = "cmp 42&x=1", "pub_001", "bid-7+é"
    before = int(time.time())
    out = cli.run("clicks url", "--partner", "acme", "--bid", bid, "--campaign", campaign,
                  "--tag", tag, "--url", LANDING, "--ttl", "2h",
                  "--base", "https://events.thrad.ai/").stdout.decode().strip()
    after = int(time.time())
    url = urllib.parse.urlsplit(out)
    assert (url.scheme, url.netloc, url.path) == ("https", "events.thrad.ai", "/v1/click"), out
    assert "+" not in url.query and " " not in url.query, out  # every reserved byte as %XX
    params = urllib.parse.parse_qsl(url.query, keep_blank_values=True, strict_parsing=True)
    assert [k for k, _ in params] == ["partner", "bid", "campaign", "tag", "url", "exp", "kid",
                                      "sig"], out
    q = dict(params)
    assert (q["partner"], q["bid"], q["campaign"], q["tag"], q["url"]) == (
        "acme", bid, campaign, tag, LANDING), q
    assert before + 7200 <= int(q["exp"]) <= after + 7200, q
    assert q["kid"] == key["kid"], (q, old)  # the newest active key
    message = "\n".join(["thrad-click-url.v1", "acme", bid, campaign, tag, LANDING, q["exp"]])
    assert q["sig"] == hmac_b64url(VECTOR_SECRET, message), q

    # Absent optional values are signed as empty strings; the default TTL is 30 days.
    out = cli.run("clicks url", "--partner", "acme", "--bid", "b", "--url",
                  "http://x.example/").stdout.decode().strip()
    assert out.startswith("/v1/click?partner=acme&bid=b&url="), out
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(out).query))
    assert "campaign" not in q and "tag" not in q
    assert abs(int(q["exp"]) - (int(time.time()) + 30 * 86400)) <= 5, q
    message = "\n".join(["thrad-click-url.v1", "acme", "b", "", "", "http://x.example/", q["exp"]])
    assert q["sig"] == hmac_b64url(VECTOR_SECRET, message), q

    # A retired key no longer signs; with no active key left, a clear error.
    cli.run("signing-keys retire", key["kid"])
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cli.run(
        "clicks url", "--partner", "acme", "--bid", "b", "--url", LANDING).stdout.decode()).query))
    assert q["kid"] == old["kid"], q
    cli.run("signing-keys revoke", old["kid"])
    proc = cli.run("clicks url", "--partner", "acme", "--bid", "b", "--url", LANDING, check=False)
    assert proc.returncode == 1 and b"no active signing key" in proc.stderr, proc
    for bad in (["--url", "javascript:alert(1)"], ["--url", LANDING, "--ttl", "soon"],
                ["--url", LANDING, "--bid", "x" * 257]):
        args = ["--partner", "acme", "--bid", "b", *bad]
        assert cli.run("clicks url", *args, check=False).returncode != 0, bad


def test_export_clicks_every_field_since_and_partner(cli):
    a, b = uid("pa-"), uid("pb-")
    cli.run("clicks add", "--partner", a, "--click-id", "clk_a1", "--bid-id", "bid-1",
            "--campaign", "cmp-1", "--tag", "pub_1", "--landing-url", "https://a.example/x",
            "--clicked-at", "2026-02-19T18:00:00Z")
    cli.run("clicks add", "--partner", b, "--click-id", "clk_b1", "--clicked-at",
            "2026-02-19T18:00:01Z")
    cli.run("clicks add", "--partner", a, "--click-id", "clk_a2", "--clicked-at",
            "2026-02-19T18:00:02.5Z")

    rows = cli.export("clicks")
    assert [r["click_id"] for r in rows] == ["clk_a1", "clk_b1", "clk_a2"]
    assert rows[0] == {
        "partner_id": a, "click_id": "clk_a1", "bid_id": "bid-1", "campaign_id": "cmp-1",
        "tag_id": "pub_1", "landing_url": "https://a.example/x",
        "clicked_at": "2026-02-19T18:00:00Z", "exp": 1771524000 + CLICK_TTL_S, "source": "cli",
        "filter_reason": None, "client_ip": None, "user_agent": None, "referrer": None,
        **{k: None for k in ("geo_country", "geo_region", "geo_city", "geo_lat", "geo_lon",
                             "ua_browser", "ua_browser_version", "ua_os", "ua_device", "is_bot")}}
    assert rows[1]["bid_id"] is None and rows[1]["landing_url"] is None
    assert parse_time(rows[2]["clicked_at"]) == datetime.datetime(
        2026, 2, 19, 18, 0, 2, 500000, tzinfo=datetime.timezone.utc)

    assert [r["click_id"] for r in cli.export("clicks", partner=a)] == ["clk_a1", "clk_a2"]
    assert [r["click_id"] for r in cli.export("clicks", since="2026-02-19T18:00:01Z")] == [
        "clk_b1", "clk_a2"]
    assert [r["click_id"] for r in cli.export("clicks", partner=a,
                                               since="2026-02-19T18:00:00.000001Z")] == ["clk_a2"]
    assert cli.export("clicks", since="2026-02-20T00:00:00Z") == []


def test_prune_keeps_clicks_until_they_are_old_and_expired(cli):
    p = uid("p-")
    now = datetime.datetime.now(datetime.timezone.utc)

    def add(click_id, days_ago):
        at = (now - datetime.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cli.run("clicks add", "--partner", p, "--click-id", click_id, "--clicked-at", at)

    add("clk_expired", 100)  # past its exp (clicked_at + 90 days)
    add("clk_expired_young", 95)  # past its exp too
    add("clk_old_valid", 80)  # its landing parameters still work
    add("clk_new", 0)
    # Only what is older than the age AND past its exp goes; a dry run counts it first.
    dry = json.loads(cli.run("prune", "--older-than", "1d", "--dry-run", "--json").stdout.decode())
    assert dry["clicks_to_delete"] == 2 and dry["dry_run"] is True, dry
    assert len(cli.export("clicks", partner=p)) == 4
    report = json.loads(cli.run("prune", "--older-than", "99d", "--json").stdout.decode())
    assert report["clicks_deleted"] == 1, report
    assert report["events_deleted"] == 0 and report["conversions_deleted"] == 0, report
    report = json.loads(cli.run("prune", "--older-than", "1d", "--batch-size", "1",
                                "--json").stdout.decode())
    assert report["clicks_deleted"] == 1, report
    assert {r["click_id"] for r in cli.export("clicks", partner=p)} == {"clk_old_valid",
                                                                        "clk_new"}
    text = cli.run("prune", "--older-than", "1d").stdout.decode()
    assert "0 clicks" in text, text
