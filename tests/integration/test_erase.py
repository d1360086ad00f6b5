"""Issue 17 point 3: `erase` removes one person's rows of one partner while the server serves
(short batches: every request still gets its 204), on both stores. Its output and --json
counts, --dry-run, usage errors, a missing --db that stays missing, and its audit line."""

import json
import re

import pytest

from helpers import Cli, LoadClient, Partner, run_load, uid


def erase(cli, *args, check=True):
    return cli.run("erase", *args, check=check)


def collect_as(partner, n, client_id=None, session_id=None, ip=None):
    """`n` events of `partner` for this person; every one must be stored (204)."""
    for i in range(n):
        body = {"event_name": "view", "event_id": uid("e-")}
        if client_id is not None:
            body["client_id"] = client_id
        if session_id is not None:
            body["session_id"] = session_id
        r = partner.collect(body, headers={"X-Forwarded-For": ip} if ip else None)
        assert r.status == 204, (r.status, r.body)


def clients(partner):
    return sorted(e["client_id"] or "-" for e in partner.events())


def audit_lines(proc):
    return [l for l in proc.stderr.decode().splitlines() if "audit: erase" in l]


def test_erase_by_client_id_while_the_server_serves(make_server):
    server = make_server()
    p, q = Partner(server), Partner(server)
    collect_as(p, 25, client_id="victim", session_id="s-victim")
    collect_as(p, 10, client_id="bystander")
    collect_as(q, 7, client_id="victim")  # the same client_id at another partner stays
    click = p.add_click()
    r = p.conversion({"click_id": click, "conversion_time": "2026-02-19T18:00:00Z",
                      "conversion_value": 10, "currency": "USD", "client_id": "victim"},
                     idem=uid("i-"))
    assert r.status == 200, r.body
    r = q.conversion({"click_id": q.add_click(), "conversion_time": "2026-02-19T18:00:00Z",
                      "conversion_value": 10, "currency": "USD", "client_id": "victim"},
                     idem=uid("i-"))
    assert r.status == 200, r.body

    # ~3 s of collect requests from two clients; the erase runs in the middle of them, in
    # batches of 5 rows so that it takes many short transactions.
    done = {}

    def run_erase():
        done["proc"] = erase(server.cli, "--partner", p.id, "--client-id", "victim", "--json",
                             "--batch-size", "5", "--pause-ms", "1")

    load = [LoadClient(p, "collect", uid(f"load{i}-"), max_requests=100000, deadline_s=3.0)
            for i in range(2)]
    run_load(load, seconds_before=1.0, action=run_erase)
    for c in load:
        assert c.errors == [] and c.refused == [], (c.errors, c.refused[:5])
        assert len(c.acked) > 10, len(c.acked)

    proc = done["proc"]
    assert json.loads(proc.stdout) == {"partner_id": p.id, "selector": "client_id",
                                       "dry_run": False, "events": 25, "conversions": 1,
                                       "clicks": 0}
    [line] = audit_lines(proc)
    for part in (f"partner={p.id}", "selector=client_id", "value=victim", "dry_run=false",
                 "events=25", "conversions=1", "clicks=0"):
        assert part in line, (part, line)

    stored = p.events()
    assert sorted(e["client_id"] or "-" for e in stored if e["event_name"] == "view") == (
        ["bystander"] * 10)
    loaded = {e["event_id"] for e in stored if e["event_name"] == "load"}
    assert loaded == {i for c in load for i in c.acked}
    assert p.conversions() == []
    assert clients(q) == ["victim"] * 7
    assert len(q.conversions()) == 1
    assert len(server.cli.export("clicks", partner=p.id)) == 1  # clicks go by IP only

    # Nothing left: a second run erases nothing.
    proc = erase(server.cli, "--partner", p.id, "--client-id", "victim")
    assert proc.stdout.decode() == (
        f"erased 0 events, 0 conversions and 0 clicks of partner {p.id} (client_id)\n")


def test_dry_run_counts_and_erases_nothing(server):
    p = Partner(server)
    collect_as(p, 3, session_id="s-1")
    collect_as(p, 1, session_id="s-1", client_id="c")
    collect_as(p, 2, session_id="s-2")
    proc = erase(server.cli, "--partner", p.id, "--session-id", "s-1", "--dry-run")
    assert proc.stdout.decode() == (
        f"would erase 4 events, 0 conversions and 0 clicks of partner {p.id} (session_id)\n")
    [line] = audit_lines(proc)
    assert "dry_run=true" in line and "events=4" in line, line
    assert len(p.events()) == 6
    proc = erase(server.cli, "--partner", p.id, "--session-id", "s-1", "--dry-run", "--json")
    assert json.loads(proc.stdout)["events"] == 4
    proc = erase(server.cli, "--partner", p.id, "--session-id", "s-1")
    assert proc.stdout.decode() == (
        f"erased 4 events, 0 conversions and 0 clicks of partner {p.id} (session_id)\n")
    assert [e["session_id"] for e in p.events()] == ["s-2", "s-2"]


def test_erase_by_ip_matches_the_address_and_its_anonymized_form(make_server):
    server = make_server("--trust-proxy")
    p, q = Partner(server), Partner(server)
    collect_as(p, 2, client_id="full", ip="203.0.113.77")
    collect_as(p, 3, client_id="anon", ip="203.0.113.0")  # as serve --ip-anonymize stores it
    collect_as(p, 1, client_id="neighbour", ip="203.0.113.78")
    collect_as(p, 1, client_id="v6", ip="2001:db8::1")
    collect_as(q, 1, client_id="other-partner", ip="203.0.113.77")
    proc = erase(server.cli, "--partner", p.id, "--ip", "203.0.113.77", "--json")
    assert json.loads(proc.stdout) == {"partner_id": p.id, "selector": "ip", "dry_run": False,
                                       "events": 5, "conversions": 0, "clicks": 0}
    assert clients(p) == ["neighbour", "v6"]
    assert clients(q) == ["other-partner"]


USAGE = [
    ([], "give exactly one of --client-id, --session-id or --ip (0 given)"),
    (["--client-id", "c", "--session-id", "s"],
     "give exactly one of --client-id, --session-id or --ip (2 given)"),
    (["--client-id", "c", "--ip", "203.0.113.7"], "(2 given)"),
    (["--ip", "300.1.2.3"], "--ip: '300.1.2.3' is not an IP address"),
    (["--ip", "nope"], "--ip: 'nope' is not an IP address"),
]


@pytest.mark.parametrize("args,message", USAGE, ids=[" ".join(a) or "none" for a, _ in USAGE])
def test_usage_errors(store, args, message):
    cli = Cli(store)
    cli.create_key("acme", "makes the database")
    proc = erase(cli, "--partner", "acme", *args, check=False)
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err)
    assert message in err, err
    assert proc.stdout == b""
    assert audit_lines(proc) == []


def test_partner_is_required(store):
    proc = erase(Cli(store), "--client-id", "c", check=False)
    assert proc.returncode == 2
    assert re.search(r"--partner is required", proc.stderr.decode()), proc.stderr


def test_a_missing_database_is_not_created(tmp_path):
    db = tmp_path / "typo" / "missing.db"
    cli = Cli(type("S", (), {"args": ["--db", str(db)]})())
    proc = erase(cli, "--partner", "acme", "--client-id", "c", check=False)
    assert proc.returncode == 1, proc
    assert f"no such database: {db}" in proc.stderr.decode()
    assert list(tmp_path.iterdir()) == []
