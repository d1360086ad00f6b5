"""GET /openapi.json (REPORTS.md section 7) on every store: the served document is the repository's
web/openapi.json, a real OpenAPI 3.1 validator accepts it (tests/openapi: an npm package pinned
in its package-lock.json, installed by scripts/setup), and real answers of every documented
operation (successes and the main refusals) match the schema the document gives for their
status, which must be documented for that operation. Schemas are checked with Debian's
python3-jsonschema (Draft 2020-12, the dialect of OpenAPI 3.1).

The route table and the document are held to each other by tests/unit/http/openapi_test.cc."""

import collections
import copy
import json
import os
import pathlib
import subprocess
import time
import urllib.parse

import jsonschema
import pytest

import processes
from click_signing import SigningKey, landing_params
from helpers import Partner, Server, make_store, remember_secret, request, uid, wait_for

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "web" / "openapi.json"
VALIDATOR_DIR = ROOT / "tests" / "openapi"
VALIDATOR = VALIDATOR_DIR / "node_modules" / "@seriousme" / "openapi-schema-validator" / "bin" / \
    "validate-api-cli.js"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
LANDING = "https://landing.example/land?x=1"
EVENT = {"event_name": "page_view"}

# (store kind, path, method) of every operation a test exercised with a 2xx answer.
EXERCISED = collections.defaultdict(set)


class Contract:
    """The served document, and checks of real answers against it."""

    def __init__(self, doc, store_kind):
        self.doc = doc
        self.store_kind = store_kind
        self.checked = 0

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), ref
            node = self.doc
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def validate(self, instance, schema):
        # The schema sits in a document that also holds the components, so the local $refs
        # ("#/components/schemas/…") resolve; 2020-12 ignores the unknown "components" member.
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": self.doc["components"], "allOf": [schema]}
        validator = jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(
            f"{list(e.absolute_path)}: {e.message}" for e in errors) + f"\nbody: {instance!r}"

    def check(self, path, method, resp):
        """Asserts that `resp` (an answer of `method` on the documented `path`) is documented."""
        item = self.doc["paths"][path]
        status = str(resp.status)
        head = method == "head"
        if method == "head" and "head" not in item and "get" in item:
            method = "get"  # GET implies HEAD: the same answer without a body
            assert resp.body == b"", resp
        elif method not in item:  # no such operation: 405, documented on the path's operations
            assert status == "405", (path, method, resp)
            method = next(m for m in item if m in METHODS)
        op = item[method]
        assert status in op["responses"], f"{method.upper()} {path}: {status} not documented: {resp}"
        r = self.resolve(op["responses"][status])
        content = r.get("content")
        ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content is None:
            assert resp.body == b"", (path, method, resp)
        elif not head:
            assert ctype in content, f"{method.upper()} {path} {status}: {ctype} not in {list(content)}"
            schema = content[ctype].get("schema", {})
            if ctype == "application/json":
                self.validate(json.loads(resp.body), schema)
        for name, header in r.get("headers", {}).items():
            header = self.resolve(header)
            if name in ("Retry-After", "RateLimit-Reset", "WWW-Authenticate", "Allow", "Location"):
                assert name in resp.headers, f"{method.upper()} {path} {status}: no {name}: {resp}"
            if name in resp.headers and header.get("schema", {}).get("type") == "integer":
                assert resp.headers.get(name).isdigit(), (name, resp)
        if 200 <= resp.status < 400:
            EXERCISED[self.store_kind].add((path, method))
        self.checked += 1
        return resp


class World:
    """A server of its own (a signing key, a tag, keys of every scope) and its document."""

    def __init__(self, srv, store_kind):
        self.srv = srv
        r = request(srv.port, "GET", "/openapi.json")
        assert r.status == 200, r
        self.served = r
        self.api = Contract(json.loads(r.body), store_kind)
        self.partner = Partner(srv)  # collect, conversion
        self.reader = Partner(srv, partner_id=self.partner.id, scopes="reports")
        self.admin = Partner(srv, partner_id="ops", scopes="admin")
        self.clicker = Partner(srv, partner_id="adplatform", scopes="clicks")
        self.signing = SigningKey(srv.cli)
        key = json.loads(srv.cli.run("keys create", "--partner", uid("p-"), "--label", "slow",
                                     "--rate-limit-rps", "0.001", "--rate-limit-burst", "1",
                                     "--json").stdout.decode())
        remember_secret(key["key"])
        self.slow = {"Authorization": f"Bearer {key['key']}"}
        self.origin = f"https://{uid('o')}.shop.example"
        self.tag = uid("tag.")
        srv.cli.run("tags add", "--partner", self.partner.id, "--tag", self.tag, "--origins",
                    self.origin, "--json")

    def call(self, path, method, target=None, body=None, headers=None):
        """Sends one request to `target` (default: `path`) and checks the answer for `path`."""
        resp = request(self.srv.port, method.upper(), target or path, body=body, headers=headers)
        return self.api.check(path, method, resp)

    def keyed(self, partner, path, method, target=None, body=None, headers=None):
        return self.call(path, method, target, body, partner.headers(headers))


@pytest.fixture(scope="module")
def world(store_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"openapi-{store_kind}")
    srv = Server(make_store(store_kind, workdir), workdir, name="openapi")
    srv.start()
    yield World(srv, store_kind)
    if srv.running:
        srv.stop()


def statuses(*resps):
    return [r.status for r in resps]


# --- the document itself ----------------------------------------------------------------------


def test_the_served_document_is_the_repositorys_with_etag_and_304(world):
    r = world.served
    assert r.body == DOCUMENT.read_bytes()
    assert r.headers.get("Content-Type") == "application/json", r
    etag = r.headers.get("ETag")
    assert etag and etag.startswith('"'), r
    assert r.headers.get("Access-Control-Allow-Origin") == "*", r
    again = request(world.srv.port, "GET", "/openapi.json", headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b"", again
    head = request(world.srv.port, "HEAD", "/openapi.json")
    assert head.status == 200 and head.body == b"", head
    assert request(world.srv.port, "POST", "/openapi.json", body=b"").status == 405
    version = world.api.doc["info"]["version"]
    out = subprocess.run([os.environ.get("THRAD_BIN", str(ROOT / "build" / "thrad-events")),
                          "--version"], capture_output=True, text=True, check=False)
    if out.returncode == 0:
        assert version in out.stdout, (version, out.stdout)


def test_a_real_openapi_31_validator_accepts_the_served_document(world, tmp_path):
    if not VALIDATOR.exists():
        pytest.fail(f"{VALIDATOR} is missing: run scripts/setup (npm ci in tests/openapi)")
    served = tmp_path / "openapi.json"
    served.write_bytes(world.served.body)
    out = subprocess.run(["node", str(VALIDATOR), str(served)], capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0, f"validator: {out.stdout}\n{out.stderr}"
    assert json.loads(out.stdout)["valid"] is True, out.stdout
    assert world.api.doc["openapi"].startswith("3.1."), world.api.doc["openapi"]


def test_the_validator_catches_a_broken_document(tmp_path):
    """The validator is real: a wrong type and a dangling $ref are refused (once, no store)."""
    if not VALIDATOR.exists():
        pytest.fail(f"{VALIDATOR} is missing: run scripts/setup (npm ci in tests/openapi)")
    doc = json.loads(DOCUMENT.read_bytes())
    wrong_type = copy.deepcopy(doc)
    wrong_type["paths"]["/v1/api/collect"]["post"]["responses"]["204"] = {"content": 7}
    dangling = copy.deepcopy(doc)
    dangling["paths"]["/v1/api/collect"]["post"]["requestBody"]["content"]["application/json"][
        "schema"] = {"$ref": "#/components/schemas/Nope"}
    for name, broken in (("wrong_type", wrong_type), ("dangling", dangling)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(broken))
        out = subprocess.run(["node", str(VALIDATOR), str(path)], capture_output=True, text=True,
                             timeout=60, check=False)
        assert json.loads(out.stdout)["valid"] is False, (name, out.stdout)


# --- collect and batch ------------------------------------------------------------------------


def test_collect_answers_match_the_document(world):
    p, path = world.partner, "/v1/api/collect"
    event = {"event_name": "page_view", "event_id": uid("e-"), "page_url": "https://shop.example/x"}
    assert world.keyed(p, path, "post", body=event).status == 204
    assert world.keyed(p, path, "post", body=event).status == 204  # duplicate
    assert world.keyed(p, path, "post", "/api/collect", body=EVENT).status == 204  # alias
    assert world.keyed(p, path, "post", path + "?validate_only=true", body=event).status == 200
    assert world.keyed(p, path, "post", path + "?validate_only=true", body=EVENT).status == 200
    refusals = [
        world.call(path, "post", body=EVENT),
        world.call(path, "post", body=EVENT, headers={"Authorization": "Bearer thr_nope"}),
        world.keyed(world.reader, path, "post", body=EVENT),
        world.keyed(p, path, "get"),
        world.keyed(p, path, "post", body={"event_name": "x", "pad": "x" * 70000}),
        world.keyed(p, path, "post", body=b'{"event_name":"x"}',
                    headers={"Content-Type": "application/x-www-form-urlencoded"}),
        world.keyed(p, path, "post", body={"event_name": "  ", "timestamp": -5, "consent": "y"}),
        world.keyed(p, path, "post", body=b'{"event_name":'),
        world.keyed(p, path, "post", path + "?validate_only=yes", body=EVENT),
    ]
    assert statuses(*refusals) == [401, 401, 403, 405, 413, 415, 422, 422, 422]


def test_rate_limited_answers_match_the_document(world):
    resps = [world.call("/v1/api/collect", "post", body=EVENT, headers=world.slow) for _ in range(3)]
    assert statuses(*resps)[0] == 204 and statuses(*resps)[-1] == 429, resps
    r = world.call("/v1/api/reports/{kind}", "get", "/v1/api/reports/events?from=2026-01-01&to=2026-01-01",
                   headers=world.slow)
    assert r.status in (403, 429), r  # checked after auth: a collect key has no reports scope


def test_batch_answers_match_the_document(world):
    p, path = world.partner, "/v1/api/collect/batch"
    eid = uid("e-")
    body = {"events": [{"event_name": "a", "event_id": eid}, {"event_name": "a", "event_id": eid},
                       {"event_id": "no-name"}, 7, {"event_name": "b", "tag_id": "t1"}]}
    r = world.keyed(p, path, "post", body=body)
    assert r.status == 200 and r.json()["accepted"] == 2, r
    r = world.keyed(p, path, "post", path + "?validate_only=1", body=body)
    assert r.status == 200 and r.json()["status"] == "valid", r
    assert world.keyed(p, path, "post", "/api/collect/batch", body={"events": [EVENT]}).status == 200
    refusals = [
        world.keyed(p, path, "post", body={"events": []}),
        world.keyed(p, path, "post", body={"events": "x"}),
        world.keyed(p, path, "post", body=[1]),
        world.keyed(p, path, "post", body={"events": [EVENT] * 1001}),
        world.keyed(p, path, "post", body={"events": [{"event_name": "x" * 1000}] * 1100}),
        world.call(path, "post", body={"events": [EVENT]}),
        world.keyed(world.clicker, path, "post", body={"events": [EVENT]}),
        world.keyed(p, path, "get"),
    ]
    assert statuses(*refusals) == [422, 422, 422, 422, 413, 401, 403, 405]


# --- conversions ------------------------------------------------------------------------------


def conversion_body(click_id, **extra):
    body = {"click_id": click_id, "conversion_time": "2026-02-19T18:00:00Z",
            "conversion_value": 49.99, "currency": "usd", "order_id": uid("o-")}
    body.update(extra)
    return body


def test_conversion_answers_match_the_document(world):
    p, path = world.partner, "/v1/api/conversion"
    click = p.add_click(bid_id="bid-7", campaign="cmp-1")
    body = conversion_body(click)
    idem = {"Idempotency-Key": uid("k-")}
    r = world.keyed(p, path, "post", path + "?validate_only=true", body=body, headers=idem)
    assert r.status == 200 and r.json()["status"] == "valid", r
    assert world.keyed(p, path, "post", body=body, headers=idem).json() == {"status": "ok"}
    r = world.keyed(p, path, "post", body=body, headers=idem)
    assert r.json() == {"status": "duplicate"} and r.headers.get("Idempotent-Replayed") == "true"
    r = world.keyed(p, path, "post", path + "?validate_only=true", body=body, headers=idem)
    assert r.json() == {"status": "duplicate"}, r
    for alias in ("/api/conversion", "/v1/conversion"):
        assert world.keyed(p, path, "post", alias, body=conversion_body(click)).status == 200
    no_bid = p.add_click(bid_id=None)
    refusals = [
        world.keyed(p, path, "post", body=dict(body, conversion_value=1), headers=idem),
        world.keyed(p, path, "post", body=conversion_body(uid("missing-"))),
        world.keyed(p, path, "post", body=conversion_body(no_bid)),
        world.keyed(p, path, "post", body={"click_id": "", "currency": "XXX"}),
        world.keyed(p, path, "post", body=conversion_body(click), headers={"Idempotency-Key": ""}),
        world.keyed(p, path, "post", body=conversion_body(click, thrad_exp=4102444800, thrad_sig="v1.x.y")),
        world.call(path, "post", body=body),
        world.keyed(world.reader, path, "post", body=body),
        world.keyed(p, path, "get"),
        world.keyed(p, path, "post", body=b"[]", headers={"Content-Type": "text/plain"}),
    ]
    assert statuses(*refusals) == [422, 404, 400, 422, 422, 422, 401, 403, 405, 415]
    assert refusals[0].json()["detail"] == "Idempotency key reused with a different payload"


# --- clicks -----------------------------------------------------------------------------------


def test_click_redirect_answers_match_the_document(world):
    path, s = "/v1/click", world.signing
    target = s.mint(world.partner.id, uid("bid-"), LANDING, campaign="c1", tag="pub1")
    r = world.call(path, "get", target)
    assert r.status == 302, r
    params, _ = landing_params(r.headers.get("Location"))
    assert "thrad_click_id" in dict(params)
    assert world.call(path, "head", target).status == 302
    forged = target.replace("bid=", "bid=x")
    expired = s.mint(world.partner.id, "b", LANDING, exp=int(time.time()) - 10)
    refusals = [world.call(path, "get", "/v1/click?partner=a"), world.call(path, "get", forged),
                world.call(path, "get", expired), world.call(path, "post", target, body=b"")]
    assert statuses(*refusals) == [400, 403, 410, 405]


def test_click_registration_and_lookup_answers_match_the_document(world):
    path = "/v1/api/clicks"
    click_id = uid("clk_")
    items = [{"partner_id": world.partner.id, "click_id": click_id, "bid_id": "b-1",
              "campaign_id": "c-1", "tag_id": "pub1", "landing_url": LANDING,
              "client_ip": "203.0.113.7", "user_agent": "Mozilla/5.0"},
             {"partner_id": world.partner.id, "clicked_at": "tomorrow"},
             {"partner_id": world.partner.id, "clikc_id": "typo"}]
    r = world.keyed(world.clicker, path, "post", body={"clicks": items})
    assert r.status == 200 and r.json()["accepted"] == 1, r
    r = world.keyed(world.clicker, path, "post", body={"clicks": items[:1]})
    assert r.json()["duplicates"] == 1, r
    r = world.keyed(world.clicker, path, "post", path + "?validate_only=true",
                    body={"clicks": [{"partner_id": world.partner.id}]})
    assert r.status == 200 and r.json()["status"] == "valid", r
    refusals = [world.keyed(world.clicker, path, "post", body={"clicks": []}),
                world.keyed(world.partner, path, "post", body={"clicks": items}),
                world.call(path, "post", body={"clicks": items}),
                world.keyed(world.clicker, path, "get")]
    assert statuses(*refusals) == [422, 403, 401, 405]

    lookup = "/v1/api/clicks/{click_id}"
    r = world.keyed(world.partner, lookup, "get", f"/v1/api/clicks/{click_id}")
    assert r.status == 200 and r.json()["click_id"] == click_id, r
    r = world.keyed(world.reader, lookup, "get", f"/v1/api/clicks/{click_id}")
    assert r.status == 200, r
    refusals = [world.keyed(world.partner, lookup, "get", "/v1/api/clicks/" + uid("none-")),
                world.keyed(world.clicker, lookup, "get", f"/v1/api/clicks/{click_id}"),
                world.call(lookup, "get", f"/v1/api/clicks/{click_id}"),
                world.keyed(world.partner, lookup, "post", f"/v1/api/clicks/{click_id}", body=b"")]
    assert statuses(*refusals) == [404, 403, 401, 405]


def test_without_an_active_signing_key_the_503s_match_the_document(world, make_server):
    srv = make_server(start=False)
    key = SigningKey(srv.cli)
    key.retire()  # verifies, never signs
    srv.start()
    clicker = Partner(srv, partner_id="adplatform", scopes="clicks")
    target = key.mint(uid("p-"), uid("bid-"), LANDING)
    r = world.api.check("/v1/click", "get", request(srv.port, "GET", target))
    assert r.status == 503 and r.headers.get("Retry-After"), r
    r = world.api.check("/v1/api/clicks", "post",
                        request(srv.port, "POST", "/v1/api/clicks", body={"clicks": [{}]},
                                headers=clicker.headers()))
    assert r.status == 503, r


# --- reports ----------------------------------------------------------------------------------


def test_report_answers_match_the_document(world):
    p = world.partner
    click = p.add_click(bid_id="bid-r", campaign="cmp-r")
    world.keyed(p, "/v1/api/conversion", "post",
                body=conversion_body(click, conversion_time="2026-02-20T09:30:00Z", currency="EUR"))
    world.keyed(p, "/v1/api/collect", "post", body={"event_name": "v", "timestamp": 1771581000})
    path = "/v1/api/reports/{kind}"
    day = "from=2026-02-19&to=2026-02-21"
    today = time.strftime("%Y-%m-%d", time.gmtime())
    queries = [f"events?{day}&group_by=tag_id,event_name",
               f"events?from={today}&to={today}&granularity=hour",
               f"clicks?from={today}&to={today}&granularity=total&group_by=campaign_id,tag_id",
               f"conversions?{day}&tz=America/New_York&group_by=currency,event_type,campaign_id",
               f"campaigns?{day}&granularity=total&group_by=tag_id",
               f"campaigns?from={today}&to={today}"]
    for q in queries:
        r = world.keyed(world.reader, path, "get", "/v1/api/reports/" + q)
        assert r.status == 200, (q, r)
    assert any(world.keyed(world.reader, path, "get", "/v1/api/reports/" + q).json()["rows"]
               for q in queries)
    r = world.keyed(world.admin, path, "get", f"/v1/api/reports/conversions?{day}")
    assert r.status == 200 and r.json()["partner"] is None, r
    r = world.keyed(world.admin, path, "get", f"/v1/api/reports/clicks?{day}&partner={p.id}")
    assert r.status == 200, r
    refusals = [
        world.keyed(world.reader, path, "get", "/v1/api/reports/sales?" + day),
        world.keyed(world.reader, path, "get",
                    "/v1/api/reports/events?from=2026-02-30&tz=Mars/Olympus&granularity=week"),
        world.keyed(p, path, "get", "/v1/api/reports/events?" + day),
        world.call(path, "get", "/v1/api/reports/events?" + day),
        world.keyed(world.reader, path, "post", "/v1/api/reports/events", body=b""),
    ]
    assert statuses(*refusals) == [404, 422, 403, 401, 405]


def test_conversion_list_answers_match_the_document(world):
    p, path = world.partner, "/v1/api/conversions"
    click = p.add_click(bid_id="bid-l")
    for _ in range(3):
        world.keyed(p, "/v1/api/conversion", "post", body=conversion_body(click))
    today = time.strftime("%Y-%m-%d", time.gmtime())

    def first_page():
        # On PostgreSQL a row shows up once every older write transaction of the cluster has
        # ended (docs/architecture.md), other tests' too: wait for it, bounded.
        r = world.keyed(world.reader, path, "get", f"{path}?from={today}&to={today}&limit=2")
        assert r.status == 200, r
        return r if len(r.json()["rows"]) == 2 else None
    r, waited = wait_for(first_page, processes.PG_CURSOR_WAIT_S, interval=0.05)
    assert waited is not None, ("the conversions never showed up in the list",
                                processes.pg_xid_holders(world.srv.store))
    assert r.json()["next_cursor"], r
    cursor = urllib.parse.quote(r.json()["next_cursor"])
    r = world.keyed(world.reader, path, "get", f"{path}?from={today}&to={today}&cursor={cursor}")
    assert r.status == 200 and r.json()["rows"], r
    r = world.keyed(world.admin, path, "get", f"{path}?from=2026-01-01&to=2026-01-31")
    assert r.status == 200 and r.json() == {"rows": [], "next_cursor": None}, r
    refusals = [world.keyed(world.reader, path, "get", f"{path}?from={today}&to={today}&cursor=x"),
                world.keyed(world.reader, path, "get", f"{path}?limit=0"),
                world.keyed(p, path, "get", f"{path}?from={today}&to={today}"),
                world.call(path, "get", f"{path}?from={today}&to={today}"),
                world.keyed(world.reader, path, "post", body=b"")]
    assert statuses(*refusals) == [422, 422, 403, 401, 405]


def test_diagnostics_answers_match_the_document(world):
    p, path = world.partner, "/v1/api/diagnostics"
    refused = world.keyed(p, "/v1/api/collect", "post", body={"event_id": "no-name"})
    assert refused.status == 422, refused
    request_id = refused.headers.get("X-Request-Id")
    assert request_id, refused

    def listed():  # refusals reach the store about once a second
        r = world.keyed(world.reader, path, "get", f"{path}?hours=1")
        assert r.status == 200, r
        return any(s["request_id"] == request_id for s in r.json()["recent"])
    _, waited = wait_for(listed, 10, interval=0.2)
    assert waited is not None, "the refusal never reached diagnostics"
    r = world.keyed(world.admin, path, "get", path)  # every partner: each sample has `partner`
    assert r.status == 200 and r.json()["recent"] and "partner" in r.json()["recent"][0], r
    r = world.keyed(world.admin, path, "get", f"{path}?partner={p.id}&hours=168")
    assert r.status == 200, r
    refusals = [world.keyed(world.reader, path, "get", f"{path}?hours=0"),
                world.keyed(p, path, "get", path),
                world.call(path, "get", path),
                world.keyed(world.reader, path, "post", body=b"")]
    assert statuses(*refusals) == [422, 403, 401, 405]


def test_me_answers_match_the_document(world):
    path = "/v1/api/me"
    r = world.keyed(world.reader, path, "get")
    assert r.status == 200 and r.json()["partner_id"] == world.partner.id, r
    assert r.json()["scopes"] == ["reports"], r
    r = world.keyed(world.admin, path, "get")
    assert r.status == 200 and "admin" in r.json()["scopes"], r
    refusals = [world.keyed(world.partner, path, "get"), world.call(path, "get"),
                world.keyed(world.reader, path, "post", body=b"")]
    assert statuses(*refusals) == [403, 401, 405]


# --- the browser routes -----------------------------------------------------------------------


def test_tag_answers_match_the_document(world):
    origin = {"Origin": world.origin}
    text = dict(origin, **{"Content-Type": "text/plain"})

    def allowed():
        r = request(world.srv.port, "OPTIONS", "/v1/t/collect", headers=origin)
        return r.headers.get("Access-Control-Allow-Origin") == world.origin

    assert wait_for(allowed, 6)[1] is not None, "the tag did not become active"
    for path in ("/v1/t/collect", "/v1/t/p.gif", "/v1/t/conversion"):
        assert world.call(path, "options", headers=origin).status == 204
    path = "/v1/t/collect"
    body = {"tag_id": world.tag, "events": [{"event_name": "view", "event_id": uid("e-")}]}
    assert world.call(path, "post", body=json.dumps(body), headers=text).status == 204
    assert world.call(path, "post", body={"tag_id": world.tag, **EVENT}, headers=origin).status == 204
    refusals = [
        world.call(path, "post", body=json.dumps(body), headers={"Origin": "https://evil.example"}),
        world.call(path, "post", body=json.dumps(dict(body, tag_id=uid("none."))), headers=text),
        world.call(path, "post", body=b"{}", headers=dict(origin, **{"Content-Type": "text/html"})),
        world.call(path, "post", body=json.dumps({"tag_id": world.tag, "event_name": 5}), headers=text),
        world.call(path, "get", headers=origin),
    ]
    assert statuses(*refusals) == [403, 404, 415, 422, 405]

    pixel = "/v1/t/p.gif"
    q = urllib.parse.urlencode({"tag_id": world.tag, "event_name": "view"})
    assert world.call(pixel, "get", f"{pixel}?{q}", headers=origin).status == 200
    assert world.call(pixel, "get", f"{pixel}?{q}", headers={"Origin": "https://evil.example"}).status == 403
    assert world.call(pixel, "post", body=b"", headers=origin).status == 405

    conv = "/v1/t/conversion"
    r = request(world.srv.port, "GET", world.signing.mint(world.partner.id, uid("bid-"), LANDING))
    land = dict(landing_params(r.headers.get("Location"))[0])
    order = {"tag_id": world.tag, "thrad_click_id": land["thrad_click_id"],
             "thrad_exp": int(land["thrad_exp"]), "thrad_sig": land["thrad_sig"],
             "order_id": uid("o-"), "value": 10, "currency": "EUR"}
    assert world.call(conv, "post", body=json.dumps(order), headers=text).json() == {"status": "ok"}
    r = world.call(conv, "post", body=json.dumps(order), headers=text)
    assert r.json() == {"status": "duplicate"}, r
    refusals = [
        world.call(conv, "post", body=json.dumps(dict(order, thrad_exp=order["thrad_exp"] + 1)),
                   headers=text),
        world.call(conv, "post", body=json.dumps({"tag_id": world.tag}), headers=text),
    ]
    assert statuses(*refusals) == [403, 422]


# --- every operation ran ----------------------------------------------------------------------


def test_every_documented_operation_was_exercised(world):
    """Sorts last in this file: each documented operation got a success checked above."""
    documented = {(path, m) for path, item in world.api.doc["paths"].items()
                  for m in item if m in METHODS}
    missing = documented - EXERCISED[world.api.store_kind]
    assert not missing, sorted(missing)
    assert world.api.checked > 100
