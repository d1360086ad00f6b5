"""Rate limits per API key: a token bucket with a server-wide default and per-key overrides
(`keys create|update --rate-limit-rps/--rate-limit-burst`); 429 with Retry-After and RateLimit-*
headers; other keys unaffected; checked after authentication."""

import json

import helpers
from helpers import COLLECT, Partner, assert_error, assert_no_content, uid, wait_for

EVENT = {"event_name": "rl"}


def rate_limited_total(server):
    return server.metrics()["thrad_rate_limited_total"]


def keyed(server, partner_id, *args):
    """A Partner whose key was created with extra `keys create` arguments."""
    proc = server.cli.run("keys create", "--partner", partner_id, "--label", "rl", *args, "--json")
    key = json.loads(proc.stdout.decode())
    helpers.remember_secret(key["key"])
    p = Partner.__new__(Partner)
    p.server, p.cli, p.id = server, server.cli, partner_id
    p.label, p.key, p.key_id, p.secret = "rl", key, key["id"], key["key"]
    return p, key


def test_429_with_headers_and_a_second_key_is_unaffected(make_server):
    # 0.5 tokens/s: nothing refills noticeably while the test runs.
    srv = make_server("--rate-limit-rps", "0.5", "--rate-limit-burst", "3")
    a, b = Partner(srv), Partner(srv)
    before = rate_limited_total(srv)
    for _ in range(3):
        assert_no_content(a.collect(EVENT))
    r = a.collect(EVENT)
    body = assert_error(r, 429, "Rate limit exceeded")
    assert body["request_id"] == r.headers.get("X-Request-Id")
    assert r.headers.get("Retry-After") == "2", r  # one token at 0.5/s
    assert r.headers.get("RateLimit-Limit") == "3", r
    assert r.headers.get("RateLimit-Remaining") == "0", r
    assert 1 <= int(r.headers.get("RateLimit-Reset")) <= 6, r
    # Checked after authentication, before the body: an invalid body still gets 429.
    assert a.collect({"event_name": 7}).status == 429
    # The other key has its own bucket.
    for _ in range(3):
        assert_no_content(b.collect(EVENT))
    assert rate_limited_total(srv) - before == 2
    # A bad key is refused as such and never rate limited.
    for _ in range(5):
        assert srv.post(COLLECT, EVENT, headers={"Authorization": "Bearer thr_nope"}).status == 401
    # Nothing refused was stored.
    assert len(a.events()) == 3


def test_per_key_overrides_create_update_and_exempt(make_server):
    srv = make_server("--rate-limit-rps", "0.5", "--rate-limit-burst", "50",
                      "--key-cache-ttl-ms", "100")
    fast, key = keyed(srv, uid("p-"), "--rate-limit-rps", "1000", "--rate-limit-burst", "100")
    assert key["rate_limit_rps"] == 1000 and key["rate_limit_burst"] == 100, key
    exempt, _ = keyed(srv, uid("p-"), "--rate-limit-rps", "0")
    for _ in range(60):  # more than the server default's burst
        assert_no_content(fast.collect(EVENT))
        assert_no_content(exempt.collect(EVENT))

    # keys update on a running server: applied within the key cache's TTL.
    slow = Partner(srv)
    assert_no_content(slow.collect(EVENT))
    out = srv.cli.run("keys update", slow.key_id, "--rate-limit-rps", "0.1",
                      "--rate-limit-burst", "1", "--json").stdout.decode()
    assert json.loads(out) == {"id": slow.key_id, "partner_id": slow.id, "rate_limit_rps": 0.1,
                               "rate_limit_burst": 1}

    def refused():
        r = slow.collect(EVENT)
        return r if r.status == 429 and r.headers.get("RateLimit-Limit") == "1" else None

    r, waited = wait_for(refused, timeout=5, interval=0.05)
    assert waited is not None, "keys update never took effect"
    assert r.headers.get("RateLimit-Limit") == "1" and r.headers.get("Retry-After") == "10", r

    listed = {k["id"]: k for k in srv.cli.list_keys(slow.id)}
    assert float(listed[slow.key_id]["rate_limit_rps"]) == 0.1
    assert listed[slow.key_id]["rate_limit_burst"] == 1
    srv.cli.run("keys update", slow.key_id, "--clear-rate-limit")
    listed = {k["id"]: k for k in srv.cli.list_keys(slow.id)}
    assert listed[slow.key_id]["rate_limit_rps"] is None
    assert listed[slow.key_id]["rate_limit_burst"] is None

    text = srv.cli.list_keys_text(fast.id, as_json=False)
    assert "1000/s burst 100" in text, text


def test_keys_update_errors(server, partner):
    proc = server.cli.run("keys update", "key_doesnotexist", "--rate-limit-rps", "1", check=False)
    assert proc.returncode == 1 and b"no key with id" in proc.stderr, proc
    proc = server.cli.run("keys update", partner.key_id, check=False)
    assert proc.returncode == 2 and b"nothing to update" in proc.stderr, proc
    proc = server.cli.run("keys update", partner.key_id, "--rate-limit-burst", "0", check=False)
    assert proc.returncode == 2, proc
