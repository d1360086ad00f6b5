"""`thrad-events tags` on both stores (TAG.md section 1): add, list, update and remove, their JSON
and text, the tag id and origin rules with their errors, and a missing SQLite database. The
origin rule's details are unit-tested (tests/unit/model/tag_origin_test.cc); here the CLI shows
that what it stores is the normalized form and that bad input is refused with exit 1 and a
message naming it."""

import json
import subprocess

import pytest

from helpers import BIN, Cli, parse_time, uid
from processes import CLI_TIMEOUT_S, child_env


def lines(proc):
    return [json.loads(l) for l in proc.stdout.decode().splitlines() if l.strip()]


@pytest.fixture
def cli(store):
    """The CLI on an existing, migrated store (read-only commands refuse a missing database)."""
    c = Cli(store)
    c.create_key("fixture-partner", "makes the database")
    return c


def add(cli, partner, tag, origins, check=True):
    return cli.run("tags add", "--partner", partner, "--tag", tag, "--origins", origins, "--json",
                   check=check)


def listed(cli, *args):
    return {t["tag_id"]: t for t in lines(cli.run("tags list", "--json", *args))}


def fails(proc, message):
    err = proc.stderr.decode()
    assert proc.returncode == 1, (proc.returncode, err, proc.stdout)
    assert message in err, err
    return err


def test_add_list_update_remove(cli):
    assert cli.run("tags list").stdout.decode() == "no tags\n"
    assert lines(cli.run("tags list", "--json")) == []

    p1, p2 = uid("p-"), uid("p-")
    [shop] = lines(add(cli, p1, "shop.web:main-1",
                       "HTTPS://Shop.Example.com:443, https://*.example.com,http://localhost:3000"))
    assert shop["tag_id"] == "shop.web:main-1" and shop["partner_id"] == p1, shop
    assert shop["origins"] == ["https://shop.example.com", "https://*.example.com",
                               "http://localhost:3000"], shop  # normalized, in order
    assert shop["state"] == "active" and shop["removed_at"] is None, shop
    assert parse_time(shop["created_at"]) == parse_time(shop["updated_at"])

    text = cli.run("tags add", "--partner", p2, "--tag", "blog", "--origins",
                   "https://a.example:443,https://a.example,http://[::1]:8080").stdout.decode()
    assert "tag:      blog" in text and p2 in text and "within 5 seconds" in text, text
    assert "https://a.example\n" in text and "http://[::1]:8080" in text, text

    tags = listed(cli)
    assert list(tags) == ["shop.web:main-1", "blog"]  # oldest first
    assert tags["blog"]["origins"] == ["https://a.example", "http://[::1]:8080"]  # one a.example
    assert tags["shop.web:main-1"] == shop
    assert list(listed(cli, "--partner", p2)) == ["blog"]
    assert listed(cli, "--partner", "nobody") == {}
    table = cli.run("tags list").stdout.decode()
    assert table.splitlines()[0].split() == ["TAG", "PARTNER", "STATE", "CREATED", "ORIGINS"]
    assert "shop.web:main-1" in table and "https://*.example.com" in table and "active" in table

    out = cli.run("tags update", "blog", "--origins", "https://B.example:8443,https://*.c.example")
    assert b"updated blog" in out.stdout and b"within 5 seconds" in out.stdout, out
    blog = listed(cli)["blog"]
    assert blog["origins"] == ["https://b.example:8443", "https://*.c.example"], blog
    assert parse_time(blog["updated_at"]) > parse_time(blog["created_at"]), blog

    out = cli.run("tags remove", "blog")
    assert b"removed blog" in out.stdout and b"stored data stays" in out.stdout, out
    removed_at = listed(cli)["blog"]["removed_at"]
    cli.run("tags remove", "blog")  # twice is fine and keeps the first time
    blog = listed(cli)["blog"]
    assert blog["state"] == "removed" and blog["removed_at"] == removed_at, blog
    assert blog["origins"] == ["https://b.example:8443", "https://*.c.example"]  # data stays
    assert "removed" in cli.run("tags list", "--partner", p2).stdout.decode()

    # A removed tag cannot be changed, and its id is never reused, by any partner.
    fails(cli.run("tags update", "blog", "--origins", "https://z.example", check=False),
          "tag 'blog' is removed")
    for partner in (p2, p1):
        fails(add(cli, partner, "blog", "https://z.example", check=False), "tag 'blog' exists")
    fails(add(cli, p2, "shop.web:main-1", "https://z.example", check=False),
          "tag 'shop.web:main-1' exists")
    assert len(listed(cli)) == 2


def test_one_hundred_origins_and_no_more(cli):
    partner = uid("p-")
    hundred = [f"https://s{i}.example" for i in range(100)]
    [tag] = lines(add(cli, partner, "t100", ",".join(hundred)))
    assert tag["origins"] == hundred
    err = fails(add(cli, partner, "t101", ",".join(hundred + ["https://s100.example"]), check=False),
                "at most 100 origins per tag, got 101")
    assert err.startswith("error: --origins: "), err
    fails(cli.run("tags update", "t100", "--origins",
                  ",".join(hundred + ["https://s100.example"]), check=False), "got 101")
    assert listed(cli)["t100"]["origins"] == hundred  # unchanged
    assert "t101" not in listed(cli)


@pytest.mark.parametrize("tag", ["", "a b", "a/b", "ä", "x" * 257, "tag*", "a,b"])
def test_bad_tag_ids_are_refused(cli, tag):
    fails(add(cli, "p", tag, "https://a.example", check=False),
          "--tag must be 1-256 characters of [A-Za-z0-9_.:-]")
    assert listed(cli) == {}


BAD_ORIGINS = [
    ("https://shop.example.com/", "no path"),
    ("https://shop.example.com/checkout", "no path"),
    ("https://shop.example.com?x=1", "no path, query"),
    ("https://user:pw@shop.example.com", "no user name"),
    ("ftp://shop.example.com", "http or https"),
    ("shop.example.com", "scheme://host[:port]"),
    ("null", "scheme://host[:port]"),
    ("https://shop.*.example.com", "whole first label"),
    ("https://*", "whole first label"),
    ("https://a.example:99999", "1-65535"),
    ("https://a..example", "not a valid host name"),
]


@pytest.mark.parametrize("origin,why", BAD_ORIGINS, ids=[o for o, _ in BAD_ORIGINS])
def test_bad_origins_are_refused_naming_the_origin(cli, origin, why):
    err = fails(add(cli, "p", "t", f"https://ok.example,{origin}", check=False), why)
    assert f"origin '{origin}'" in err, err
    assert listed(cli) == {}


def test_empty_origin_lists_are_refused(cli):
    for origins in ("", ",", "https://a.example,,https://b.example", "https://a.example,"):
        fails(add(cli, "p", "t", origins, check=False), "--origins: empty origin")
    assert listed(cli) == {}


def test_unknown_tags_and_usage_errors(cli):
    for command in (["tags update", "nope", "--origins", "https://a.example"],
                    ["tags remove", "nope"]):
        fails(cli.run(*command, check=False), "no tag 'nope'")
    fails(cli.run("tags remove", "bad tag", check=False), "TAG_ID must be 1-256 characters")
    [tag] = lines(add(cli, "p", "t", "https://a.example"))
    fails(cli.run("tags update", "t", "--origins", "https://a.example/x", check=False),
          "origin 'https://a.example/x'")
    assert listed(cli)["t"]["origins"] == ["https://a.example"]
    # Missing required flags are usage errors (exit 2), like every command's.
    for command in (["tags add", "--partner", "p", "--tag", "t2"],
                    ["tags add", "--tag", "t2", "--origins", "https://a.example"],
                    ["tags update", "t"], ["tags remove"]):
        proc = cli.run(*command, check=False)
        assert proc.returncode == 2, (command, proc)
    fails(cli.run("tags add", "--partner", " ", "--tag", "t3", "--origins", "https://a.example",
                  check=False), "--partner must not be blank")


def run(*args):
    return subprocess.run([BIN, *[str(a) for a in args]], capture_output=True,
                          timeout=CLI_TIMEOUT_S, env=child_env())


def test_a_missing_database_is_created_only_by_add(tmp_path):
    db = tmp_path / "missing" / "tags.db"
    for command in (["tags", "list"], ["tags", "list", "--json", "--partner", "p"],
                    ["tags", "update", "t", "--origins", "https://a.example"],
                    ["tags", "remove", "t"]):
        proc = run(*command, "--db", db)
        assert proc.returncode == 1, (command, proc)
        assert f"no such database: {db}" in proc.stderr.decode(), (command, proc.stderr)
        assert proc.stdout == b""
    assert list(tmp_path.iterdir()) == []
    proc = run("tags", "add", "--partner", "p", "--tag", "t", "--origins", "https://a.example",
               "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert db.exists()
    proc = run("tags", "list", "--json", "--db", db)
    assert proc.returncode == 0 and json.loads(proc.stdout)["tag_id"] == "t", proc
