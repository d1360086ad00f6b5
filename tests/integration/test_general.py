"""Spec section 1: request ids, error bodies, routing, limits, content types, transport."""

import re

import pytest

from helpers import (COLLECT, COLLECT_PATHS, CONVERSION, CONVERSION_PATHS, Partner,
                     assert_422_at, assert_error, assert_no_content, bearer, build_request,
                     chunked, request, uid)

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
BAD_KEY = {"Authorization": "Bearer thr_this-key-does-not-exist"}
ALL_PATHS = COLLECT_PATHS + CONVERSION_PATHS


def padded_event(size):
    """A valid collect body of exactly `size` bytes (JSON allows trailing whitespace)."""
    body = b'{"event_name":"padded"}'
    assert size >= len(body)
    return body + b" " * (size - len(body))


# --- X-Request-Id ---------------------------------------------------------------------------

@pytest.mark.parametrize("rid", ["abc", "A-Z.a_z:0-9", "r" * 128, "1"])
def test_valid_request_id_is_echoed_on_success_and_error(server, partner, rid):
    ok = partner.collect({"event_name": "e"}, headers={"X-Request-Id": rid})
    assert_no_content(ok)
    assert ok.headers.get("X-Request-Id") == rid, ok
    err = server.get("/no/such/path", headers={"X-Request-Id": rid})
    assert err.headers.get("X-Request-Id") == rid, err
    assert assert_error(err, 404)["request_id"] == rid


@pytest.mark.parametrize("rid", ["bad id", "r" * 129, "a/b", "semi;colon", "{x}"])
def test_invalid_request_id_is_replaced(server, rid):
    r = server.get("/no/such/path", headers={"X-Request-Id": rid})
    got = r.headers.get("X-Request-Id")
    assert got and got != rid, r
    assert REQUEST_ID_RE.match(got), r
    assert assert_error(r, 404)["request_id"] == got


def test_absent_request_id_is_generated_and_unique(server, partner):
    ids = []
    for _ in range(3):
        r = partner.collect({"event_name": "e"})
        assert_no_content(r)
        ids.append(r.headers.get("X-Request-Id"))
    ids.append(server.get("/healthz").headers.get("X-Request-Id"))
    for rid in ids:
        assert rid and REQUEST_ID_RE.match(rid), ids
    assert len(set(ids)) == len(ids), ids


# --- routing --------------------------------------------------------------------------------

@pytest.mark.parametrize("method,path", [("GET", "/nope"), ("POST", "/nope"),
                                         ("POST", "/v1/api/collect/extra"),
                                         ("POST", "/v2/api/collect"), ("GET", "/")])
def test_unknown_path_is_404(server, method, path):
    r = request(server.port, method, path, body={} if method == "POST" else None)
    body = assert_error(r, 404, "Not found")
    assert set(body) == {"detail", "request_id"}, body


@pytest.mark.parametrize("path", ALL_PATHS)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(server, method, path):
    r = request(server.port, method, path, body={"event_name": "x"} if method != "GET" else None)
    assert_error(r, 405, "Method not allowed")
    allow = [m.strip().upper() for m in (r.headers.get("Allow") or "").split(",")]
    assert allow == ["POST"], r


@pytest.mark.parametrize("path", COLLECT_PATHS)
def test_collect_aliases_store_the_event(partner, path):
    eid = uid("alias-")
    assert_no_content(partner.collect({"event_name": "alias", "event_id": eid}, path=path))
    assert partner.event(eid)["event_name"] == "alias"


def test_healthz_and_readyz(server):
    r = server.get("/healthz")
    assert r.status == 200, r
    assert r.json() == {"status": "ok"}
    assert server.get("/readyz").status == 200


# --- size limit ------------------------------------------------------------------------------

def test_default_body_limit_is_64_kib(server, partner):
    assert_no_content(partner.collect(padded_event(64 * 1024)))
    raw = server.raw()
    raw.send_tolerant(build_request("POST", COLLECT, padded_event(64 * 1024 + 1),
                                    {**bearer(partner.secret), "Content-Type": "application/json"}))
    assert_error(raw.read_response(), 413, "Request body too large")
    raw.close()


def post_raw(server, body, headers, chunk_size=None):
    raw = server.raw()
    hdrs = {"Content-Type": "application/json", **headers}
    if chunk_size:
        hdrs["Transfer-Encoding"] = "chunked"
        body = chunked(body, chunk_size)
    raw.send_tolerant(build_request("POST", COLLECT, body, hdrs))
    try:
        return raw.read_response()
    finally:
        raw.close()


def test_configured_body_limit_exact_and_chunked(make_server):
    srv = make_server("--body-limit", "1024")
    p = Partner(srv)
    auth = bearer(p.secret)
    assert_no_content(post_raw(srv, padded_event(1024), auth))
    assert_error(post_raw(srv, padded_event(1025), auth), 413, "Request body too large")
    assert_no_content(post_raw(srv, padded_event(1000), auth, chunk_size=100))
    assert_error(post_raw(srv, padded_event(1025), auth, chunk_size=100), 413,
                 "Request body too large")
    assert_error(post_raw(srv, padded_event(50_000), auth, chunk_size=4096), 413,
                 "Request body too large")
    assert len(p.events()) == 2


def test_chunked_body_over_default_limit_is_413(server, partner):
    r = post_raw(server, padded_event(70_000), bearer(partner.secret), chunk_size=4096)
    assert_error(r, 413, "Request body too large")


# --- content type and body shape -----------------------------------------------------------

@pytest.mark.parametrize("ctype", ["text/plain", "text/plain; charset=utf-8",
                                   "application/x-www-form-urlencoded", "multipart/form-data",
                                   "application/jsonx"])
@pytest.mark.parametrize("path", [COLLECT, CONVERSION])
def test_other_media_type_is_415(partner, ctype, path):
    r = partner.server.post(path, {"event_name": "x"},
                            headers={**bearer(partner.secret), "Content-Type": ctype})
    assert_error(r, 415, "Content-Type must be application/json")


@pytest.mark.parametrize("ctype", ["application/json", "application/json; charset=utf-8",
                                   "application/json;charset=UTF-8", "Application/JSON", None])
def test_json_media_type_with_params_or_absent_is_accepted(partner, ctype):
    assert_no_content(partner.collect({"event_name": "ct"}, headers={"Content-Type": ctype}))


NOT_AN_OBJECT = {
    "malformed": b'{"event_name":',
    "trailing_garbage": b'{"event_name":"x"} x',
    "array": b'[{"event_name":"x"}]',
    "number": b"1",
    "string": b'"event_name"',
    "null": b"null",
    "invalid_utf8": b'{"event_name":"\xff\xfe"}',
    "empty": b"",
}


@pytest.mark.parametrize("name", list(NOT_AN_OBJECT))
@pytest.mark.parametrize("path", [COLLECT, CONVERSION])
def test_body_that_is_not_a_json_object_is_422_at_body(partner, name, path):
    r = partner.server.post(path, NOT_AN_OBJECT[name], headers=bearer(partner.secret))
    assert_422_at(r, ("body",))


# --- order of checks -------------------------------------------------------------------------

def test_bad_key_wins_over_bad_body_and_media_type(server):
    for body, ctype in [(b"{oops", "application/json"), (b"[]", "application/json"),
                        (b"hello", "text/plain")]:
        for headers in (BAD_KEY, {}):
            r = server.post(COLLECT, body, headers={**headers, "Content-Type": ctype})
            detail = "Invalid API key" if headers else "Missing bearer token"
            assert_error(r, 401, detail)


def test_media_type_is_checked_before_body(partner):
    r = partner.server.post(COLLECT, b"{oops", headers={**bearer(partner.secret),
                                                        "Content-Type": "text/plain"})
    assert_error(r, 415)


def test_route_and_method_win_over_bad_key(server):
    assert_error(server.post("/v1/api/nope", {"event_name": "x"}, headers=BAD_KEY), 404)
    r = request(server.port, "PUT", COLLECT, body={"event_name": "x"}, headers=BAD_KEY)
    assert_error(r, 405)


def test_size_wins_over_bad_key(server):
    r = post_raw(server, padded_event(64 * 1024 + 10), BAD_KEY)
    assert_error(r, 413, "Request body too large")


# --- transport -------------------------------------------------------------------------------

def test_keep_alive_serves_several_requests_on_one_connection(server, partner):
    raw = server.raw()
    auth = {**bearer(partner.secret), "Content-Type": "application/json"}
    try:
        for i in range(3):
            raw.send(build_request("POST", COLLECT, b'{"event_name":"ka"}', auth))
            assert_no_content(raw.read_response())
            raw.send(build_request("GET", "/nope"))
            assert_error(raw.read_response(), 404)
            raw.send(build_request("POST", COLLECT, b'{"event_name":1}', auth))
            assert_422_at(raw.read_response(), ("body", "event_name"))
        raw.send(build_request("GET", "/healthz"))
        assert raw.read_response().status == 200
        assert not raw.is_closed_by_peer(0.2)
    finally:
        raw.close()
    assert len(partner.events()) == 3


def test_pipelined_requests_are_answered_in_order(server, partner):
    auth = {**bearer(partner.secret), "Content-Type": "application/json"}
    ids = [uid("pipe-") for _ in range(4)]
    data = (build_request("POST", COLLECT, b'{"event_name":"p1"}', {**auth, "X-Request-Id": ids[0]})
            + build_request("POST", COLLECT, b'{"event_name":"p2"}', {**auth, "X-Request-Id": ids[1]})
            + build_request("GET", "/nope", headers={"X-Request-Id": ids[2]})
            + build_request("GET", "/healthz", headers={"X-Request-Id": ids[3]}))
    raw = server.raw()
    try:
        raw.send(data)
        responses = [raw.read_response() for _ in ids]
    finally:
        raw.close()
    assert [r.headers.get("X-Request-Id") for r in responses] == ids, responses
    assert [r.status for r in responses] == [204, 204, 404, 200], responses
    assert sorted(e["event_name"] for e in partner.events()) == ["p1", "p2"]
