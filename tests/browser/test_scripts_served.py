"""TAG.md §6: the server serves tag.js and ptag.js itself, each at most 12 KB, with
Content-Type text/javascript, an ETag (304 on If-None-Match), an hour of public caching, and
HEAD; and the files it serves are the ones in web/."""

import hashlib
import pathlib

import pytest

import helpers

WEB = pathlib.Path(__file__).resolve().parents[2] / "web"
MAX_BYTES = 12 * 1024
SCRIPTS = ["tag.js", "ptag.js"]


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_is_served_with_type_validator_and_caching(server, name):
    r = server.get(f"/{name}")
    assert r.status == 200, r
    assert r.headers.get("Content-Type") == "text/javascript", r
    assert r.headers.get("Cache-Control") == "public, max-age=3600", r
    assert r.body == (WEB / name).read_bytes(), "served bytes differ from web/" + name
    etag = r.headers.get("ETag")
    assert etag == '"' + hashlib.sha256(r.body).hexdigest()[:32] + '"', r


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_is_at_most_12_kb(server, name):
    r = server.get(f"/{name}")
    assert r.status == 200, r
    assert len(r.body) <= MAX_BYTES, f"{name} is {len(r.body)} bytes, over {MAX_BYTES}"
    assert int(r.headers.get("Content-Length")) == len(r.body)


@pytest.mark.parametrize("name", SCRIPTS)
def test_if_none_match_is_304_without_a_body(server, name):
    etag = server.get(f"/{name}").headers.get("ETag")
    for header in (etag, "W/" + etag, f'"other", {etag}', "*"):
        r = server.get(f"/{name}", headers={"If-None-Match": header})
        assert r.status == 304, (header, r)
        assert r.body == b"", r
        assert r.headers.get("ETag") == etag, r
        assert r.headers.get("Cache-Control") == "public, max-age=3600", r
        assert r.headers.get("Content-Length") is None, r
    r = server.get(f"/{name}", headers={"If-None-Match": '"not-it"'})
    assert r.status == 200, r


@pytest.mark.parametrize("name", SCRIPTS)
def test_head_has_the_headers_and_no_body(server, name):
    got = server.get(f"/{name}")
    r = helpers.request(server.port, "HEAD", f"/{name}")
    assert r.status == 200, r
    assert r.body == b"", r
    assert r.headers.get("ETag") == got.headers.get("ETag"), r
    assert r.headers.get("Content-Type") == "text/javascript", r
    assert int(r.headers.get("Content-Length")) == len(got.body), r


@pytest.mark.parametrize("name", SCRIPTS)
def test_post_is_405(server, name):
    r = server.post(f"/{name}", {})
    helpers.assert_error(r, 405)
    assert r.headers.get("Allow") == "GET, HEAD", r
