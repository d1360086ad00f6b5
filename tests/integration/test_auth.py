"""Spec section 2: bearer keys, revocation, expiry, scopes, and keeping secrets secret."""

import datetime
import math
import time

import pytest

import helpers
from helpers import (COLLECT, CONVERSION, assert_error, assert_no_content, parse_time, rfc3339,
                     wait_for)

MISSING = "Missing bearer token"
INVALID = "Invalid API key"
EVENT = {"event_name": "auth_check"}


def assert_401(resp, detail, challenge):
    body = assert_error(resp, 401, detail)
    assert set(body) == {"detail", "request_id"}, body
    assert resp.headers.get("WWW-Authenticate") == challenge, resp


@pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer ",
                                           "bearer \t ", "Token abc", "Bearerabc", ""])
@pytest.mark.parametrize("path", [COLLECT, CONVERSION])
def test_missing_bearer_token(server, authorization, path):
    headers = {} if authorization is None else {"Authorization": authorization}
    assert_401(server.post(path, EVENT, headers=headers), MISSING, "Bearer")


@pytest.mark.parametrize("scheme", ["Bearer ", "bearer ", "BEARER ", "bEaReR ", "Bearer   "])
def test_scheme_is_case_insensitive(partner, scheme):
    r = partner.server.post(COLLECT, EVENT, headers={"Authorization": scheme + partner.secret})
    assert_no_content(r)


@pytest.mark.parametrize("path", [COLLECT, CONVERSION])
def test_unknown_keys_are_invalid(partner, path):
    tokens = ["thr_" + "A" * 43, partner.secret + "x", partner.secret[:-1], partner.key_id,
              partner.secret.upper() if partner.secret.upper() != partner.secret else "X"]
    for token in tokens:
        if token != partner.key_id:  # the key id is public and may be logged
            helpers.remember_secret(token)
        r = partner.server.post(path, EVENT, headers={"Authorization": f"Bearer {token}"})
        assert_401(r, INVALID, 'Bearer error="invalid_token"')


def test_revoked_key_is_refused_within_5_seconds(new_partner):
    p = new_partner()
    other = helpers.Partner(p.server, partner_id=p.id)  # second key of the same partner
    assert_no_content(p.collect(EVENT))
    p.cli.revoke(p.key_id)
    revoked_at = time.monotonic()
    last, waited = wait_for(lambda: (r := p.collect(EVENT)).status == 401 and r, timeout=6,
                            interval=0.1)
    assert waited is not None and time.monotonic() - revoked_at <= 5.5, \
        f"revoked key still accepted after 5 s: {last}"
    assert_401(last, INVALID, 'Bearer error="invalid_token"')
    assert_no_content(other.collect(EVENT))
    listed = {k["id"]: k for k in p.cli.list_keys(partner=p.id)}
    assert listed[p.key_id].get("revoked_at"), listed
    assert not listed[other.key_id].get("revoked_at"), listed


def expiry_in(seconds):
    """(Unix seconds, RFC 3339 text) of a whole second at least `seconds` from now."""
    expires_unix = math.ceil(time.time()) + seconds
    return expires_unix, rfc3339(datetime.datetime.fromtimestamp(expires_unix,
                                                                 datetime.timezone.utc))


def test_key_expired_before_its_first_use_is_invalid(new_partner):
    # keys create refuses an expiry in the past (issue 19, item 8), so the key expires between
    # its creation and its first use.
    expires_unix, expires = expiry_in(1)
    p = new_partner(expires=expires)
    time.sleep(max(0.0, expires_unix - time.time()) + 0.1)
    assert_401(p.collect(EVENT), INVALID, 'Bearer error="invalid_token"')
    assert p.events() == []


def test_key_expiring_two_seconds_after_creation(new_partner):
    expires_unix, expires = expiry_in(2)
    p = new_partner(expires=expires)
    assert_no_content(p.collect(EVENT))
    seen = []

    def refused():
        r = p.collect(EVENT)
        seen.append((time.time(), r.status))
        return r.status == 401 and r

    last, waited = wait_for(refused, timeout=expires_unix - time.time() + 5.5, interval=0.2)
    assert waited is not None, f"key still accepted 5 s after its expiry: {last}"
    assert_401(last, INVALID, 'Bearer error="invalid_token"')
    early = [t for t, status in seen if status == 401 and t < expires_unix - 0.5]
    assert not early, f"key refused before it expired at {expires}: {seen}"
    assert all(s in (204, 401) for _, s in seen), seen


@pytest.mark.parametrize("body", [EVENT, b"{not json", b"[]"])
def test_key_without_collect_scope_is_403(new_partner, body):
    p = new_partner(scopes="conversion")
    r = p.collect(body)
    body = assert_error(r, 403, "API key not permitted for this endpoint")
    assert set(body) == {"detail", "request_id"}, body
    assert p.events() == []


def test_keys_list_never_prints_a_secret(new_partner):
    p = new_partner()
    second = helpers.Partner(p.server, partner_id=p.id, scopes="collect")
    rows = p.cli.list_keys(partner=p.id)
    assert sorted(r["id"] for r in rows) == sorted([p.key_id, second.key_id]), rows
    for r in rows:
        assert r["partner_id"] == p.id, r
    assert {r["label"] for r in rows} == {p.label, second.label}, rows
    outputs = [p.cli.list_keys_text(partner=p.id), p.cli.list_keys_text(as_json=False),
               p.cli.list_keys_text(partner=p.id, as_json=False), p.cli.list_keys_text()]
    assert p.key_id in outputs[1] and p.key_id in outputs[3], outputs
    for out in outputs:
        for secret in list(helpers.SECRETS):
            assert secret not in out, f"keys list printed a secret: {out}"


def test_last_used_at_is_set_after_use(partner):
    def row():
        return next(k for k in partner.cli.list_keys(partner=partner.id) if k["id"] == partner.key_id)

    assert row().get("last_used_at") is None, row()
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2)
    assert_no_content(partner.collect(EVENT))
    used, waited = wait_for(lambda: row().get("last_used_at"), timeout=10, interval=0.25)
    assert waited is not None, f"last_used_at still unset 10 s after use: {row()}"
    assert parse_time(used) >= before, used


def test_secrets_never_appear_in_the_server_log(server, new_partner):
    p = new_partner()
    assert_no_content(p.collect(EVENT))
    p.server.post(COLLECT, EVENT, headers={"Authorization": f"Bearer {p.secret}zz"})
    helpers.remember_secret(p.secret + "zz")
    p.server.post(COLLECT, b"{bad", headers={"Authorization": f"Bearer {p.secret}"})
    p.server.post("/nope", EVENT, headers={"Authorization": f"Bearer {p.secret}"})
    time.sleep(0.5)  # let an asynchronous log sink flush
    log = server.log_text()
    assert p.secret in helpers.SECRETS
    for secret in sorted(helpers.SECRETS):
        assert secret not in log, f"secret {secret[:6]}... found in the server log"
        tail = secret[-16:]
        if len(secret) >= 32:
            assert tail not in log, f"part of secret {secret[:6]}... found in the server log"
