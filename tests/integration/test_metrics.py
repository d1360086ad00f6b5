"""/metrics: strictly valid Prometheus text, conventional names, bounded labels, and counters
that move with the traffic a test sends."""

import re
import time

import pytest

import prom
from helpers import COLLECT, Partner, assert_no_content, uid, wait_for

ROUTES = {"collect", "collect_batch", "conversion", "healthz", "readyz", "metrics", "click",
          "clicks", "click_lookup", "tag_collect", "tag_pixel", "tag_conversion", "tag_js",
          "ptag_js", "report", "conversion_list", "diagnostics", "openapi", "me", "dashboard", "unknown"}

# Every family the operations issue asks for, with its type.
REQUIRED = {
    "thrad_http_requests_total": "counter",
    "thrad_http_request_duration_seconds": "histogram",
    "thrad_store_commit_batch_ops": "histogram",
    "thrad_store_commit_duration_seconds": "histogram",
    "thrad_store_queue_depth": "gauge",
    "thrad_store_queue_capacity": "gauge",
    "thrad_duplicates_total": "counter",
    "thrad_idempotency_mismatches_total": "counter",
    "thrad_extra_fields_dropped_total": "counter",
    "thrad_auth_failures_total": "counter",
    "thrad_rate_limited_total": "counter",
    "thrad_tag_requests_refused_total": "counter",
    "thrad_http_open_connections": "gauge",
    "thrad_http_refused_connections_total": "counter",
    "thrad_log_dropped_total": "counter",
    "thrad_build_info": "gauge",
}

# The standard process metrics every Prometheus client library exports (issue 19, item 14),
# under their standard names: the only families without the thrad_ prefix.
PROCESS = {
    "process_cpu_seconds_total": "counter",
    "process_resident_memory_bytes": "gauge",
    "process_virtual_memory_bytes": "gauge",
    "process_open_fds": "gauge",
    "process_max_fds": "gauge",
    "process_start_time_seconds": "gauge",
}


def scrape(server):
    r = server.get("/metrics")
    assert r.status == 200, r
    ctype = r.headers.get("Content-Type") or ""
    assert ctype.startswith("text/plain; version=0.0.4"), ctype
    return prom.parse(r.body.decode("utf-8"))


def test_exposition_is_strictly_valid_and_conventional(server):
    families = scrape(server)
    for name, kind in REQUIRED.items():
        assert name in families, f"/metrics lacks {name}"
        assert families[name].type == kind, (name, families[name].type)
        assert families[name].help, f"{name} has no HELP"
    for fam in families.values():
        assert re.fullmatch(r"thrad_[a-z0-9_]+", fam.name) or fam.name in PROCESS, fam.name
        if fam.type == "counter":
            assert fam.name.endswith("_total"), f"counter {fam.name} does not end in _total"
        else:
            assert not fam.name.endswith("_total"), f"{fam.type} {fam.name} ends in _total"
        if fam.type == "histogram" and "duration" in fam.name:
            assert fam.name.endswith("_seconds"), fam.name
        for _, labels, _ in fam.samples:
            # Bounded label values: never a key, a click, or a raw path.
            if "route" in labels:
                assert labels["route"] in ROUTES, labels
            if "status" in labels:
                assert re.fullmatch(r"\d{3}|other", labels["status"]), labels
            assert not any(v.startswith(("key_", "thr_", "/")) for v in labels.values()), labels
    build = families["thrad_build_info"].samples
    assert len(build) == 1 and build[0][2] == 1 and build[0][1].get("version"), build


def test_strict_parser_rejects_what_the_format_forbids():
    good = "# TYPE a_total counter\na_total 1\n"
    prom.parse(good)
    for bad in [
        "a_total 1\n",                                         # no TYPE
        "# TYPE a_total counter\na_total 1",                   # no final newline
        "# TYPE a_total counter\na_total{x=\"1\",x=\"2\"} 1\n",  # label twice
        "# TYPE a_total counter\na_total one\n",               # bad value
        "# TYPE a_total counter\na_total -1\n",                # negative counter
        "# TYPE a_total counter\na_total 1\na_total 2\n",      # series twice
        "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"y\"} 1\n",  # not contiguous
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  # no +Inf
        "# TYPE a gauge\na{x=\"\\t\"} 1\n",                    # bad escape
        "# TYPE a gauge\n\na 1\n",                             # blank line
    ]:
        with pytest.raises(prom.PromFormatError):
            prom.parse(bad)


def delta(before, after, name, sample=None, **labels):
    b = before[name].value(sample, **labels) or 0
    a = after[name].value(sample, **labels) or 0
    return a - b


def wait_for_quiet_store(server, quiet_s=1.5, timeout_s=20):
    """Waits until no write op has committed for quiet_s. Refusals are stored off the request
    path, about once a second, as one write op of their own (REPORTS.md section 5): this lets
    those of earlier tests commit before a test counts ops."""
    name = "thrad_store_committed_ops_total"
    last, since = scrape(server)[name].value(), time.monotonic()
    deadline = since + timeout_s
    while time.monotonic() - since < quiet_s:
        assert time.monotonic() < deadline, "the store never went quiet"
        time.sleep(0.25)
        now = scrape(server)[name].value()
        if now != last:
            last, since = now, time.monotonic()


def test_counters_move_with_traffic(server):
    p = Partner(server)
    click = p.add_click(bid_id="bid-m")
    wait_for_quiet_store(server)
    before = scrape(server)

    # Writes that nothing refuses first: 3 new events, a duplicate, an event with extras, a
    # conversion and its retry: 7 ops, counted exactly (no refusal can be flushed meanwhile).
    ev = uid("m-")
    for i in range(3):
        assert_no_content(p.collect({"event_name": "x", "event_id": f"{ev}-{i}"}))
    assert_no_content(p.collect({"event_name": "x", "event_id": f"{ev}-0"}))  # duplicate
    # One extra key with a bad name (dropped) and one string with a control character.
    assert_no_content(p.collect({"event_name": "x", "bad key!": 1, "note": "a\u0001b"}))
    conv = {"click_id": click, "conversion_time": "2026-02-19T18:00:00Z",
            "conversion_value": 10, "currency": "USD"}
    idem = uid("idem-")
    assert p.conversion(conv, idem=idem).status == 200
    assert p.conversion(conv, idem=idem).json() == {"status": "duplicate"}
    writes = scrape(server)
    batch = "thrad_store_commit_batch_ops"
    assert delta(before, writes, batch, batch + "_sum") == 7
    assert 1 <= delta(before, writes, batch, batch + "_count") <= 7
    commit = "thrad_store_commit_duration_seconds"
    assert delta(before, writes, commit, commit + "_count") == delta(before, writes, batch,
                                                                     batch + "_count")
    assert delta(before, writes, "thrad_store_committed_ops_total") == 7

    # Then the refused ones.
    assert p.collect({"event_name": ""}).status == 422
    assert server.post(COLLECT, {"event_name": "x"},
                       headers={"Authorization": "Bearer thr_notakey"}).status == 401
    assert server.post(COLLECT, {"event_name": "x"}).status == 401  # no token
    assert server.get("/no/such/" + uid()).status == 404
    assert p.conversion({**conv, "conversion_value": 11}, idem=idem).status == 422

    after = scrape(server)
    req = "thrad_http_requests_total"
    assert delta(before, after, req, route="collect", status="204") == 5
    assert delta(before, after, req, route="collect", status="422") == 1
    assert delta(before, after, req, route="collect", status="401") == 2
    assert delta(before, after, req, route="unknown", status="404") == 1
    assert delta(before, after, req, route="conversion", status="200") == 2
    assert delta(before, after, req, route="conversion", status="422") == 1
    assert delta(before, after, req, route="metrics", status="200") == 2  # the first two scrapes
    lat = "thrad_http_request_duration_seconds"
    assert delta(before, after, lat, lat + "_count", route="collect") == 8
    assert delta(before, after, "thrad_duplicates_total", kind="collect") == 1
    assert delta(before, after, "thrad_duplicates_total", kind="conversion") == 1
    assert delta(before, after, "thrad_idempotency_mismatches_total") == 1
    assert delta(before, after, "thrad_auth_failures_total", reason="invalid_key") == 1
    assert delta(before, after, "thrad_auth_failures_total", reason="missing_token") == 1
    dropped = "thrad_extra_fields_dropped_total"
    assert delta(before, after, dropped, what="key") == 1
    assert delta(before, after, dropped, what="control_chars") == 1
    # The mismatched retry is an op the writer answers (then maybe a refusals' flush too).
    assert delta(writes, after, "thrad_store_committed_ops_total") >= 1
    assert after["thrad_http_open_connections"].value() >= 1
    assert after["thrad_store_queue_depth"].value() == 0
    assert after["thrad_store_queue_capacity"].value() == 16384


def test_copy_counters_move_with_new_and_resent_events(make_server, store_kind):
    """PostgreSQL writes a batch of new events with COPY; a resent event makes COPY fail whole
    and the deduplicating INSERT answer it (a replay), and COPY then pauses for 16 commits.
    SQLite has no COPY: both counters stay 0."""
    server = make_server()
    p = Partner(server)
    ev = uid("copy-")
    copies, conflicts = "thrad_store_copy_commits_total", "thrad_store_copy_conflicts_total"
    before = scrape(server)
    assert_no_content(p.collect({"event_name": "x", "event_id": ev}))
    r = p.collect({"event_name": "x", "event_id": ev})
    assert_no_content(r)
    assert r.headers.get("Idempotent-Replayed") == "true", r
    for i in range(17):  # 16 commits on the INSERT path, then COPY again
        assert_no_content(p.collect({"event_name": "x", "event_id": f"{ev}-{i}"}))
    after = scrape(server)
    if store_kind == "postgres":
        assert delta(before, after, copies) == 2
        assert delta(before, after, conflicts) == 1
    else:
        assert delta(before, after, copies) == delta(before, after, conflicts) == 0
    assert len(p.events()) == 18


def test_validate_only_is_not_counted_as_duplicate(server):
    p = Partner(server)
    ev = uid("v-")
    assert_no_content(p.collect({"event_name": "x", "event_id": ev}))
    before = scrape(server)
    r = p.collect({"event_name": "x", "event_id": ev}, query="validate_only=true")
    assert r.status == 200 and r.json()["status"] == "duplicate", r
    after = scrape(server)
    assert delta(before, after, "thrad_duplicates_total", kind="collect") == 0


def test_standard_process_metrics(make_server):
    started = time.time()
    srv = make_server()
    families = scrape(srv)
    for name, kind in PROCESS.items():
        assert name in families, f"/metrics lacks {name}"
        assert families[name].type == kind, (name, families[name].type)
        assert families[name].help, f"{name} has no HELP"
    value = {name: families[name].value() for name in PROCESS}
    assert started - 2 <= value["process_start_time_seconds"] <= time.time() + 1, value
    # thrad_process_start_time_seconds stays, and agrees.
    assert abs(families["thrad_process_start_time_seconds"].value()
               - value["process_start_time_seconds"]) < 2, value
    assert 1 << 20 < value["process_resident_memory_bytes"] <= value["process_virtual_memory_bytes"]
    assert 3 <= value["process_open_fds"] <= value["process_max_fds"], value
    assert value["process_cpu_seconds_total"] >= 0
    # File descriptors follow connections; CPU time only grows. The baseline is the least of a
    # few scrapes: the connections of earlier requests may still be closing on the server side.
    samples = []
    for _ in range(5):
        samples.append(scrape(srv)["process_open_fds"].value())
        time.sleep(0.1)
    baseline = min(samples)
    # 10 connections held open, and at least 5 more descriptors seen: slack for descriptors
    # the server closes meanwhile (store connections it re-opens, scrapes' own connections).
    conns = [srv.connect() for _ in range(10)]
    for c in conns:
        c.connect()
    last, grew = wait_for(lambda: (n := scrape(srv)["process_open_fds"].value()) >= baseline + 5
                          and n, timeout=5)
    assert grew is not None, (baseline, last)
    for c in conns:
        c.close()
    assert scrape(srv)["process_cpu_seconds_total"].value() >= value["process_cpu_seconds_total"]
