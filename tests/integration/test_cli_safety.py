"""Issue 19: commands that could do harm or confuse. Read-only commands never create a database
(item 5); `keys create --expires` in the past, `prune --dry-run` and `clicks add` without a bid
id (item 8)."""

import json
import subprocess

import pytest

from helpers import BIN, Partner
from processes import CLI_TIMEOUT_S, child_env


def run(*args):
    return subprocess.run([BIN, *[str(a) for a in args]], capture_output=True,
                          timeout=CLI_TIMEOUT_S, env=child_env())


# --- item 5: read-only commands create nothing --------------------------------------------------

READ_ONLY = [
    ["keys", "list"],
    ["keys", "list", "--json"],
    ["keys", "revoke", "key_0000000000000000"],
    ["keys", "update", "key_0000000000000000", "--rate-limit-rps", "5"],
    ["export", "events"],
    ["export", "conversions", "--partner", "acme"],
    ["prune", "--older-than", "90d"],
    ["backup", "COPY"],
    ["erase", "--partner", "acme", "--client-id", "c1"],
]


@pytest.mark.parametrize("command", READ_ONLY, ids=[" ".join(c[:2]) for c in READ_ONLY])
def test_commands_on_a_missing_database_fail_and_create_nothing(tmp_path, command):
    for db in (tmp_path / "typo.db", tmp_path / "nonexistent" / "dir" / "x.db"):
        args = [str(tmp_path / "copy.db") if a == "COPY" else a for a in command]
        proc = run(*args, "--db", db)
        err = proc.stderr.decode()
        assert proc.returncode == 1, (command, proc.returncode, err, proc.stdout)
        assert f"no such database: {db}" in err, (command, err)
        assert proc.stdout == b"", (command, proc.stdout)
    assert sorted(p.name for p in tmp_path.iterdir()) == [], list(tmp_path.iterdir())


def test_commands_that_write_still_create_the_database(tmp_path):
    db = tmp_path / "new" / "fresh.db"
    proc = run("keys", "create", "--partner", "p", "--label", "l", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert db.exists()
    db2 = tmp_path / "clicks.db"
    proc = run("clicks", "add", "--partner", "p", "--bid-id", "b", "--db", db2)
    assert proc.returncode == 0, proc.stderr
    assert db2.exists()
    # ... and then every command reads it.
    proc = run("keys", "list", "--db", db)
    assert proc.returncode == 0 and b" p " in proc.stdout, proc


# --- item 8: silent traps -------------------------------------------------------------------

@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.db"
    proc = run("keys", "create", "--partner", "p", "--label", "l", "--db", path)
    assert proc.returncode == 0, proc.stderr
    return path


@pytest.mark.parametrize("expires", ["2020-01-01T00:00:00Z", "1970-01-01T00:00:00Z"])
def test_keys_create_refuses_an_expiry_in_the_past(db, expires):
    proc = run("keys", "create", "--partner", "past", "--label", "l", "--expires", expires,
               "--json", "--db", db)
    assert proc.returncode == 1, proc
    assert proc.stderr.decode() == (f"error: --expires: {expires} is not in the future; the key "
                                    "would never work\n"), proc.stderr
    assert proc.stdout == b""
    listed = run("keys", "list", "--partner", "past", "--json", "--db", db)
    assert listed.returncode == 0 and listed.stdout == b"", listed
    future = run("keys", "create", "--partner", "past", "--label", "l", "--expires",
                 "2999-01-01T00:00:00Z", "--json", "--db", db)
    assert future.returncode == 0, future.stderr


def test_prune_dry_run_counts_per_table_and_deletes_nothing(make_server):
    partner = Partner(make_server())
    click = partner.add_click()
    for i in range(3):
        assert partner.collect({"event_name": "e", "event_id": f"e{i}"}).status == 204
    r = partner.conversion({"click_id": click, "conversion_time": "2026-02-19T18:00:00Z",
                            "conversion_value": 1, "currency": "USD"}, idem="d1")
    assert r.status == 200, r
    cli = partner.cli
    out = cli.run("prune", "--older-than", "0s", "--dry-run").stdout.decode()
    assert out.startswith("dry run: would delete 3 events and 1 conversions received before "), out
    assert out.rstrip().endswith("; nothing was deleted"), out
    dry = json.loads(cli.run("prune", "--older-than", "0s", "--dry-run", "--json").stdout)
    assert dry["dry_run"] is True and dry["events_to_delete"] == 3, dry
    assert dry["conversions_to_delete"] == 1, dry
    assert len(partner.events()) == 3 and len(partner.conversions()) == 1
    # An older cutoff would delete nothing.
    dry = json.loads(cli.run("prune", "--older-than", "1d", "--dry-run", "--json").stdout)
    assert (dry["events_to_delete"], dry["conversions_to_delete"]) == (0, 0), dry
    # The real run deletes exactly what the dry run counted.
    done = json.loads(cli.run("prune", "--older-than", "0s", "--json").stdout)
    assert (done["events_deleted"], done["conversions_deleted"]) == (3, 1), done


def test_clicks_add_without_bid_id_warns(db):
    proc = run("clicks", "add", "--partner", "p", "--click-id", "clk_nobid", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"clk_nobid\n"
    assert proc.stderr.decode() == ("warning: click clk_nobid has no bid id (--bid-id): every "
                                    "conversion on it will be answered 400 Click missing bid id\n")
    proc = run("clicks", "add", "--partner", "p", "--click-id", "clk_bid", "--bid-id", "b",
               "--db", db)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
