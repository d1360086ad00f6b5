"""Issue 19: commands that could do harm or confuse. Read-only commands never create a database
(item 5); `keys create --expires` in the past, `prune --dry-run` and `clicks add` without a bid
id (item 8)."""

import subprocess

import pytest

from helpers import BIN
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
