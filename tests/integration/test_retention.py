"""Retention and backup while the server serves: `prune --older-than` deletes old events and
conversions in batches without disturbing writes; `backup PATH` makes a consistent, private,
restorable copy of the SQLite store."""

import datetime
import json
import os
import shutil
import sqlite3
import stat
import time

import pytest

from helpers import (LoadClient, Partner, acked, assert_no_content, parse_time, uid,
                     wait_for)
from processes import SqliteStore


def conversion(click, order):
    return {"click_id": click, "conversion_time": "2026-02-19T18:00:00Z",
            "conversion_value": 3.5, "currency": "EUR", "order_id": order}


def test_prune_while_serving(make_server):
    srv = make_server()
    p = Partner(srv)
    click = p.add_click(bid_id="bid-r")
    old_ids = [uid("old-") for _ in range(20)]
    for ev in old_ids:
        assert_no_content(p.collect({"event_name": "old", "event_id": ev}))
    for i in range(3):
        assert p.conversion(conversion(click, f"old-{i}")).json() == {"status": "ok"}
    time.sleep(1.2)

    # Writes go on during the prune; all of them are newer than the cutoff.
    load = [LoadClient(p, "collect", uid("new"), max_requests=400, deadline_s=10)]
    for c in load:
        c.start()
    wait_for(lambda: len(load[0].acked) >= 20, timeout=5, interval=0.01)
    out = srv.cli.run("prune", "--older-than", "1s", "--batch-size", "7", "--json")
    for c in load:
        c.join(20)
    report = json.loads(out.stdout.decode())
    assert report["events_deleted"] == 20, report
    assert report["conversions_deleted"] == 3, report
    assert report["cutoff"].endswith("Z"), report

    stored = {e["event_id"] for e in p.events()}
    assert not stored & set(old_ids), "old events survived"
    new = set(acked(load))
    assert new and new <= stored, f"{len(new - stored)} new events lost"
    assert load[0].refused == [] and load[0].errors == [], (load[0].refused[:3], load[0].errors)
    assert p.conversions() == []
    # The click is kept: new conversions for it still work.
    assert p.conversion(conversion(click, "after")).json() == {"status": "ok"}

    proc = srv.cli.run("prune", "--older-than", "soon", check=False)
    assert proc.returncode == 2 and b"--older-than" in proc.stderr, proc


def test_a_pruned_click_takes_no_more_conversions(make_server):
    """The click is deleted by `prune` (another process) while the server serves, after
    conversions for it have been stored: the next conversion for it is a 404. (It also guards
    any cache of clicks a server might keep: session 17 tried one in SQLite's writer.)"""
    srv = make_server()
    p = Partner(srv)
    click = uid("clk_old_")
    # Clicked long ago: its landing parameters expired (clicked_at + 90 days), so prune takes it.
    srv.cli.run("clicks add", "--partner", p.id, "--bid-id", "bid-old", "--click-id", click,
                "--clicked-at", "2025-01-02T03:04:05Z")
    for i in range(3):
        assert p.conversion(conversion(click, f"before-{i}")).json() == {"status": "ok"}

    time.sleep(1.1)
    out = srv.cli.run("prune", "--older-than", "1s", "--json")
    report = json.loads(out.stdout.decode())
    assert report["clicks_deleted"] == 1, report
    assert report["conversions_deleted"] == 3, report

    r = p.conversion(conversion(click, "after"))
    assert r.status == 404 and r.json()["detail"] == "Click not found", (r.status, r.body)
    assert p.conversions() == []


def test_export_since_cuts_at_received_at(make_server):
    # SQLite finds these rows through event_spans (one row per write transaction), not an
    # index on received_at: the cut must still be exact to the microsecond.
    srv = make_server()
    p = Partner(srv)
    early = [uid("early-") for _ in range(5)]
    for ev in early:
        assert_no_content(p.collect({"event_name": "early", "event_id": ev}))
    stored = {e["event_id"]: parse_time(e["received_at"]) for e in p.events()}
    last_early = max(stored.values())
    at_last_early = {ev for ev, t in stored.items() if t == last_early}
    time.sleep(0.01)
    late = [uid("late-") for _ in range(5)]
    for ev in late:
        assert_no_content(p.collect({"event_name": "late", "event_id": ev}))

    def since(t):
        return {e["event_id"] for e in srv.cli.export("events", partner=p.id,
                                                      since=t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))}

    micro = datetime.timedelta(microseconds=1)
    assert since(last_early + micro) == set(late)
    assert since(last_early) == set(late) | at_last_early
    assert since(last_early - datetime.timedelta(days=1)) == set(early) | set(late)
    assert since(last_early + datetime.timedelta(days=1)) == set()


def test_backup_while_serving_is_consistent_private_and_restorable(make_server, store_kind,
                                                                    tmp_path):
    if store_kind != "sqlite":
        pytest.skip("backup copies the SQLite store; PostgreSQL has its own tools")
    srv = make_server()
    p = Partner(srv)
    click = p.add_click(bid_id="bid-b")
    assert p.conversion(conversion(click, "b-1")).json() == {"status": "ok"}
    load = [LoadClient(p, "collect", uid("bk"), max_requests=3000, deadline_s=10)]
    for c in load:
        c.start()
    wait_for(lambda: len(load[0].acked) >= 50, timeout=5, interval=0.01)
    committed_before = set(load[0].acked)  # acknowledged, so committed before the backup
    dest = tmp_path / "backups" / "thrad.db"
    dest.parent.mkdir()
    out = srv.cli.run("backup", str(dest), "--json")
    committed_during = set(load[0].acked)
    for c in load:
        c.stop_event.set()
        c.join(20)
    report = json.loads(out.stdout.decode())
    assert report["path"] == str(dest) and report["bytes"] > 0, report
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert sorted(os.listdir(dest.parent)) == ["thrad.db"], os.listdir(dest.parent)

    db = sqlite3.connect(f"file:{dest}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        ids = {r[0] for r in db.execute("SELECT event_id FROM events WHERE partner_id = ?",
                                        (p.id,))}
        assert committed_before <= ids, f"{len(committed_before - ids)} committed events missing"
        assert ids <= set(load[0].sent), "the backup holds events nobody sent"
        count, max_id = db.execute("SELECT count(*), max(id) FROM events").fetchone()
        assert count == max_id, "a gap: not one snapshot"
        assert db.execute("SELECT count(*) FROM conversions").fetchone() == (1,)
        assert db.execute("SELECT id FROM api_keys").fetchall() == [(p.key_id,)]
        versions = [r[0] for r in db.execute("SELECT version FROM schema_migrations")]
        assert max(versions) >= 2, versions
    finally:
        db.close()
    assert len(ids) <= len(committed_during) + 64  # sanity: no more than was in flight

    # Restore: copy the file into place and serve from it.
    restored = tmp_path / "restored.db"
    shutil.copyfile(dest, restored)
    srv2 = make_server(store=SqliteStore(restored))
    got = {e["event_id"] for e in _as_partner(srv2, p).events()}
    assert got == ids
    r = srv2.post("/v1/api/collect", {"event_name": "after-restore"}, headers=p.headers())
    assert r.status == 204, r

    proc = srv.cli.run("backup", str(dest), check=False)
    assert proc.returncode == 1 and b"exists" in proc.stderr, proc


def _as_partner(server, p):
    """`p`'s key and partner id, on another server (the restored copy)."""
    q = Partner.__new__(Partner)
    q.server, q.cli, q.id, q.label = server, server.cli, p.id, p.label
    q.key, q.key_id, q.secret = p.key, p.key_id, p.secret
    return q
