"""POST /v1/api/collect/batch: per-event results, dedup, atomic commit, limits (docs/api.md)."""

import json
import threading

import pytest

from helpers import (Partner, assert_422_at, assert_error, bearer, build_request, chunked,
                     parse_metrics, uid)

BATCH = "/v1/api/collect/batch"
BATCH_PATHS = (BATCH, "/api/collect/batch")
MIB = 1024 * 1024


def post_batch(partner, body, query=None, path=BATCH, headers=None):
    if query:
        path += "?" + query
    return partner.server.post(path, body, partner.headers(headers))


def ok_body(resp):
    assert resp.status == 200, resp
    assert (resp.headers.get("Content-Type") or "").startswith("application/json"), resp
    body = resp.json()
    assert set(body) >= {"accepted", "duplicates", "rejected", "results"}, body
    return body


def sized_batch(events, size):
    """{"events": events} padded to exactly `size` bytes with an ignored top-level member."""
    base = json.dumps({"events": events, "pad": ""}).encode()
    assert size >= len(base), (size, len(base))
    return json.dumps({"events": events, "pad": "x" * (size - len(base))}).encode()


def post_raw(server, secret, body, chunk_size=None, path=BATCH):
    raw = server.raw()
    hdrs = {"Content-Type": "application/json", **bearer(secret)}
    if chunk_size:
        hdrs["Transfer-Encoding"] = "chunked"
        body = chunked(body, chunk_size)
    raw.send_tolerant(build_request("POST", path, body, hdrs))
    try:
        return raw.read_response()
    finally:
        raw.close()


# --- success ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", BATCH_PATHS)
def test_valid_events_are_all_stored(partner, path):
    ids = [uid("b-") for _ in range(3)]
    events = [{"event_name": "page_view", "event_id": ids[0], "page_url": "https://Shop.Example/p"},
              {"event_name": "add_to_cart", "event_id": ids[1], "tag_id": "tag-9",
               "timestamp": 1771524000, "params": {"sku": "A-1"}, "custom": "kept"},
              {"event_name": "purchase", "event_id": ids[2], "view_time_ms": 10}]
    body = ok_body(post_batch(partner, {"events": events}, path=path))
    assert body == {"accepted": 3, "duplicates": 0, "rejected": 0, "results": []}
    rows = {r["event_id"]: r for r in partner.events()}
    assert set(rows) == set(ids)
    assert rows[ids[0]]["tag_id"] == "site:shop.example"
    assert rows[ids[1]]["tag_id"] == "tag-9" and rows[ids[1]]["timestamp"] == 1771524000
    params = rows[ids[1]]["params"]
    assert params["sku"] == "A-1" and params["extra"] == {"custom": "kept"}, params
    assert params["integration"] == "partner_s2s" and params["partner_id"] == partner.id
    assert params["api_key_label"] == partner.label
    for r in rows.values():
        assert r["channel"] == "server" and r["key_id"] == partner.key_id
        assert r["client_ip"] == "127.0.0.1"


def test_batch_rows_equal_single_event_rows(new_partner):
    single, batch = new_partner(), new_partner()
    event = {"event_name": " e ", "event_id": "same", "page_url": "https://a.example:8443/x",
             "timestamp": 1e3, "consent": {"gdpr": True}, "params": {"n": [1, {"a": None}]},
             "bad key!": 1, "other": "v"}
    assert single.collect(event).status == 204
    ok_body(post_batch(batch, {"events": [event]}))
    a, b = single.event("same"), batch.event("same")
    skip = {"id", "partner_id", "key_id", "received_at", "params"}
    assert {k: v for k, v in a.items() if k not in skip} == \
        {k: v for k, v in b.items() if k not in skip}
    strip = lambda p: {k: v for k, v in p.items() if k not in ("partner_id", "api_key_label")}
    assert strip(a["params"]) == strip(b["params"])


# --- per-event errors ------------------------------------------------------------------------

def test_invalid_events_are_reported_and_the_valid_ones_stored(partner):
    ids = [uid("e-") for _ in range(5)]
    events = [{"event_name": "ok", "event_id": ids[0]},
              {"event_name": "ok", "event_id": ids[1], "timestamp": -5, "page_url": 7},
              {"event_name": "ok", "event_id": ids[2]},
              {"event_id": ids[3]},
              "not an object",
              {"event_name": "ok", "event_id": ids[4]}]
    body = ok_body(post_batch(partner, {"events": events}))
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (3, 0, 3), body
    results = body["results"]
    assert [r["index"] for r in results] == [1, 3, 4], results
    assert all(r["status"] == "error" for r in results), results
    locs = {r["index"]: sorted(tuple(e["loc"]) for e in r["errors"]) for r in results}
    assert locs[1] == [("body", "events", 1, "page_url"), ("body", "events", 1, "timestamp")]
    assert locs[3] == [("body", "events", 3, "event_name")]
    assert locs[4] == [("body", "events", 4)]
    for r in results:
        for e in r["errors"]:
            assert isinstance(e["msg"], str) and e["msg"] and isinstance(e["type"], str), e
    assert sorted(r["event_id"] for r in partner.events()) == sorted([ids[0], ids[2], ids[4]])


def test_a_batch_of_only_invalid_events_stores_nothing(partner):
    body = ok_body(post_batch(partner, {"events": [{}, {"event_name": ""}, 3]}))
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (0, 0, 3), body
    assert partner.events() == []


@pytest.mark.parametrize("payload, loc", [
    ({}, ("body", "events")),
    ({"events": None}, ("body", "events")),
    ({"event_name": "a single event"}, ("body", "events")),
    ({"events": {"event_name": "x"}}, ("body", "events")),
    ({"events": "x"}, ("body", "events")),
    ({"events": []}, ("body", "events")),
    ([{"event_name": "x"}], ("body",)),
])
def test_whole_body_problems_are_422(partner, payload, loc):
    assert_422_at(post_batch(partner, payload), loc)
    assert partner.events() == []


def test_malformed_json_is_422_at_body(partner):
    assert_422_at(post_batch(partner, b'{"events":[{"event_name":"x"}'), ("body",))


# --- dedup -----------------------------------------------------------------------------------

def test_dedup_within_a_batch(partner):
    eid = uid("in-")
    events = [{"event_name": "first", "event_id": eid, "tag_id": "t"},
              {"event_name": "again", "event_id": eid, "tag_id": "t"},
              {"event_name": "other tag", "event_id": eid, "tag_id": "u"},
              {"event_name": "no id", "tag_id": "t"},
              {"event_name": "no id", "tag_id": "t"}]
    body = ok_body(post_batch(partner, {"events": events}))
    assert body == {"accepted": 4, "duplicates": 1, "rejected": 0,
                    "results": [{"index": 1, "status": "duplicate"}]}, body
    rows = partner.events()
    assert len(rows) == 4
    assert [r["event_name"] for r in rows if r["event_id"] == eid and r["tag_id"] == "t"] == \
        ["first"]


def test_dedup_across_batches_and_with_single_events(partner):
    a, b, c = uid("x-"), uid("x-"), uid("x-")
    assert partner.collect({"event_name": "single", "event_id": c, "tag_id": "t"}).status == 204
    first = ok_body(post_batch(partner, {"events": [{"event_name": "a", "event_id": a,
                                                     "tag_id": "t"}]}))
    assert first["accepted"] == 1
    second = ok_body(post_batch(partner, {"events": [
        {"event_name": "a2", "event_id": a, "tag_id": "t"},
        {"event_name": "b", "event_id": b, "tag_id": "t"},
        {"event_name": "c2", "event_id": c, "tag_id": "t"}]}))
    assert second == {"accepted": 1, "duplicates": 2, "rejected": 0,
                      "results": [{"index": 0, "status": "duplicate"},
                                  {"index": 2, "status": "duplicate"}]}, second
    # and the other way round: a batch's event makes a later single one a replay
    r = partner.collect({"event_name": "b2", "event_id": b, "tag_id": "t"})
    assert r.status == 204 and r.headers.get("Idempotent-Replayed") == "true", r
    names = sorted(r["event_name"] for r in partner.events())
    assert names == ["a", "b", "single"], names


def test_dedup_is_per_partner(new_partner):
    p, q = new_partner(), new_partner()
    events = {"events": [{"event_name": "e", "event_id": "shared", "tag_id": "t"}]}
    assert ok_body(post_batch(p, events))["accepted"] == 1
    assert ok_body(post_batch(q, events))["accepted"] == 1


def test_duplicates_are_counted_in_metrics(make_server):
    srv = make_server()
    p = Partner(srv)
    events = {"events": [{"event_name": "e", "event_id": "d1"}, {"event_name": "e",
                                                                 "event_id": "d1"}]}
    ok_body(post_batch(p, events))
    ok_body(post_batch(p, events))
    text = srv.get("/metrics").body.decode()
    assert 'thrad_duplicates_total{kind="collect"} 3' in text, text
    assert 'route="collect_batch",status="200"} 2' in text, text


# --- one commit ------------------------------------------------------------------------------

def test_all_valid_events_of_a_request_commit_in_one_op(make_server):
    srv = make_server()
    p = Partner(srv)
    before = parse_metrics(srv.get("/metrics").body.decode())
    events = [{"event_name": "e", "event_id": f"one-op-{i}"} for i in range(250)]
    events.insert(7, {"event_name": ""})
    body = ok_body(post_batch(p, {"events": events}))
    assert (body["accepted"], body["rejected"]) == (250, 1), body
    after = parse_metrics(srv.get("/metrics").body.decode())
    assert after["thrad_store_committed_ops_total"] - before["thrad_store_committed_ops_total"] == 1
    assert len(p.events()) == 250


# --- deferred WAL sync (docs/architecture.md, Durability) ---------------------------------

def _concurrent_batches(srv, p, prefix, requests=12, size=300):
    """`requests` batches of `size` unique events, 4 at a time; returns the 200 answers."""
    answers = []

    def send(i):
        events = [{"event_name": "e", "event_id": f"{prefix}-{i}-{j}"} for j in range(size)]
        answers.append(ok_body(post_batch(p, {"events": events})))

    threads = [threading.Thread(target=lambda k=k: [send(i) for i in range(k, requests, 4)])
               for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


@pytest.mark.parametrize("mode", ["pipelined", "inline"])
def test_large_commits_are_answered_after_their_sync_in_either_mode(make_server, store_kind,
                                                                    mode):
    srv = make_server("--sqlite-sync", mode)
    p = Partner(srv)
    before = parse_metrics(srv.get("/metrics").body.decode())
    answers = _concurrent_batches(srv, p, f"sync-{mode}")
    assert len(answers) == 12 and all(a["accepted"] == 300 for a in answers), answers[:1]
    after = parse_metrics(srv.get("/metrics").body.decode())
    syncs = after["thrad_store_deferred_syncs_total"] - before["thrad_store_deferred_syncs_total"]
    commits = after["thrad_store_commits_total"] - before["thrad_store_commits_total"]
    # Every 300-row transaction of a pipelined SQLite store is synced on the sync thread,
    # one sync covering one or more of them; PostgreSQL and inline SQLite sync in COMMIT.
    if store_kind == "sqlite" and mode == "pipelined":
        assert 1 <= syncs <= commits, (syncs, commits)
    else:
        assert syncs == 0, syncs
    assert len(p.events()) == 12 * 300
    # A restart (a SIGKILL: nothing is flushed on the way out) finds every acknowledged row.
    srv.kill()
    srv.start()
    assert len(p.events()) == 12 * 300


# --- validate_only ---------------------------------------------------------------------------

def test_validate_only_reports_every_event_and_stores_nothing(partner):
    eid = uid("v-")
    assert partner.collect({"event_name": "stored", "event_id": eid, "tag_id": "t"}).status == 204
    events = [{"event_name": "v", "page_url": "https://Valid.Example:8080/"},
              {"event_name": "v", "event_id": eid, "tag_id": "t"},
              {"event_name": ""}]
    body = ok_body(post_batch(partner, {"events": events}, query="validate_only=true"))
    assert body["status"] == "valid"
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 1, 1), body
    assert body["results"][0] == {"index": 0, "status": "ok", "tag_id": "site:valid.example"}
    assert body["results"][1] == {"index": 1, "status": "duplicate", "tag_id": "t"}
    assert body["results"][2]["status"] == "error"
    assert len(partner.events()) == 1


# --- limits ----------------------------------------------------------------------------------

def test_at_most_1000_events(partner):
    events = [{"event_name": "e", "event_id": f"{i}"} for i in range(1000)]
    assert ok_body(post_batch(partner, {"events": events}))["accepted"] == 1000
    events.append({"event_name": "e", "event_id": "1000"})
    r = post_batch(partner, {"events": events})
    assert_422_at(r, ("body", "events"))
    assert r.json()["errors"][0]["type"] == "too_long"
    assert len(partner.events()) == 1000


def test_batch_body_limit_is_1_mib_while_collect_keeps_64_kib(server, partner):
    events = [{"event_name": "e", "event_id": uid("big-")}]
    exact = sized_batch(events, MIB)
    assert ok_body(post_batch(partner, exact))["accepted"] == 1
    assert_error(post_raw(server, partner.secret, sized_batch(events, MIB + 1)), 413,
                 "Request body too large")
    assert_error(post_raw(server, partner.secret, sized_batch(events, 2 * MIB), chunk_size=65536),
                 413, "Request body too large")
    # the single-event endpoint still refuses what the batch endpoint takes
    big_single = json.dumps({"event_name": "e", "pad": "x" * (100 * 1024)}).encode()
    assert_error(post_raw(server, partner.secret, big_single, path="/v1/api/collect"), 413,
                 "Request body too large")
    assert len(partner.events()) == 1


def test_configured_batch_body_limit(make_server):
    srv = make_server("--batch-body-limit", "4096")
    p = Partner(srv)
    events = [{"event_name": "e", "event_id": "lim"}]
    assert ok_body(post_batch(p, sized_batch(events, 4096)))["accepted"] == 1
    assert_error(post_raw(srv, p.secret, sized_batch(events, 4097)), 413,
                 "Request body too large")
    assert_error(post_raw(srv, p.secret, sized_batch(events, 5000), chunk_size=100), 413,
                 "Request body too large")


# --- the general rules apply -----------------------------------------------------------------

def test_auth_scope_content_type_and_method(server, new_partner):
    events = {"events": [{"event_name": "e"}]}
    assert_error(server.post(BATCH, events), 401, "Missing bearer token")
    assert_error(server.post(BATCH, events, bearer("thr_not-a-real-key")), 401, "Invalid API key")
    conversion_only = new_partner(scopes="conversion")
    assert_error(post_batch(conversion_only, events), 403,
                 "API key not permitted for this endpoint")
    p = new_partner()
    assert_error(post_batch(p, events, headers={"Content-Type": "text/plain"}), 415)
    r = server.get(BATCH)
    assert_error(r, 405, "Method not allowed")
    assert r.headers.get("Allow") == "POST", r
    assert p.events() == [] and conversion_only.events() == []
