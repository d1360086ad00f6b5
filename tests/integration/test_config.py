"""Configuration: flags, THRAD_* environment variables and a --config file, with the
documented precedence flag > environment > file > default; bad configuration fails at start."""

import pathlib
import re
import subprocess

import prom
from helpers import BIN, HOST, wait_for
from processes import child_env

CLI_TIMEOUT_S = 20


def capacity(server):
    """The writer's --max-queue as /metrics reports it."""
    r = server.get("/metrics")
    return prom.parse(r.body.decode())["thrad_store_queue_capacity"].value()


def log_format(server):
    """"text" or "json", from the start-up line (waiting for the log to be flushed)."""
    def find():
        for line in server.log_text().splitlines():
            if " info thrad listening on " in line:
                return "text"
            if line.startswith("{") and '"msg":"listening on ' in line:
                return "json"
        return None

    fmt, waited = wait_for(find, timeout=5, interval=0.05)
    assert waited is not None, server.log_tail(5)
    return fmt


def write_config(tmp_path, text, name="thrad.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_file_env_and_flag_precedence(make_server, tmp_path):
    cfg = write_config(tmp_path, "# thrad-events settings\nmax-queue = 111\n"
                                 "log-format = \"text\"\n")
    from_file = make_server("--config", cfg)
    assert capacity(from_file) == 111
    assert log_format(from_file) == "text"

    # The environment beats the file; the file's other settings still apply.
    env_over_file = make_server("--config", cfg, env={"THRAD_MAX_QUEUE": "222"})
    assert capacity(env_over_file) == 222
    assert log_format(env_over_file) == "text"

    # A flag beats both.
    flag = make_server("--config", cfg, "--max-queue", "333", env={"THRAD_MAX_QUEUE": "222"})
    assert capacity(flag) == 333

    # THRAD_CONFIG names the file too; a [serve] section and underscores are accepted.
    cfg2 = write_config(tmp_path, "[serve]\nmax_queue = 444\n", name="other.ini")
    env_file = make_server(env={"THRAD_CONFIG": str(cfg2)})
    assert capacity(env_file) == 444
    assert log_format(env_file) == "json"  # the default


def run_serve(*args, env=None):
    argv = [BIN, "serve", "--listen", f"{HOST}:0", "--db", "/nonexistent-dir-thrad/x.db", *args]
    return subprocess.run(argv, capture_output=True, timeout=CLI_TIMEOUT_S,
                          env={**child_env(), **(env or {})})


def test_bad_configuration_fails_at_start_with_a_clear_message(tmp_path):
    cases = [
        (["--config", str(tmp_path / "missing.toml")], "missing.toml"),
        (["--config", str(write_config(tmp_path, "no-such-knob = 1\n", "a.toml"))],
         "unknown setting 'no-such-knob'"),
        (["--config", str(write_config(tmp_path, "max-queue = lots\n", "b.toml"))], "max-queue"),
        (["--config", str(write_config(tmp_path, "threads = 0\n", "c.toml"))], "threads"),
        (["--config", str(write_config(tmp_path, "[other]\nthreads = 2\n", "d.toml"))],
         "other.threads"),
        (["--log-format", "xml"], "--log-format"),
        (["--rate-limit-rps", "-1"], "--rate-limit-rps"),
        (["--listen", "nonsense"], "--listen"),
        (["--sqlite-sync", "later"], "--sqlite-sync"),
    ]
    for args, needle in cases:
        proc = run_serve(*args)
        err = proc.stderr.decode()
        assert proc.returncode == 2, (args, proc.returncode, err)
        assert err.startswith("error: ") and needle in err, (args, err)
    proc = run_serve(env={"THRAD_MAX_QUEUE": "many"})
    assert proc.returncode == 2 and "--max-queue" in proc.stderr.decode(), proc.stderr


def test_help_documents_every_knob_with_its_default_and_variable():
    proc = subprocess.run([BIN, "serve", "--help"], capture_output=True, timeout=CLI_TIMEOUT_S,
                          env=child_env())
    assert proc.returncode == 0
    text = proc.stdout.decode()
    # CLI11 prints "  --name TYPE=default (Env:THRAD_NAME)" then the description.
    options = re.findall(r"^\s+(--[a-z-]+)([^\n]*)$", text, flags=re.M)
    names = {name for name, _ in options}
    for knob in ("--listen", "--threads", "--body-limit", "--max-connections", "--max-queue",
                 "--max-batch", "--header-timeout-ms", "--body-timeout-ms", "--idle-timeout-ms",
                 "--write-timeout-ms", "--shutdown-grace-ms", "--key-cache-ttl-ms",
                 "--rate-limit-rps", "--rate-limit-burst", "--log-level", "--log-format",
                 "--access-log", "--log-queue-size", "--trust-proxy", "--db", "--config",
                 "--sqlite-sync"):
        assert knob in names, f"serve --help lacks {knob}"
    for name, rest in options:
        if name == "--help":
            continue
        env = "THRAD_" + name[2:].upper().replace("-", "_")
        if name == "--database-url":
            env = "THRAD_DATABASE_URL"
        assert f"(Env:{env})" in rest, f"{name}: no THRAD_* variable in {rest!r}"
        if name not in ("--config", "--port-file", "--database-url", "--geoip-db"):
            assert "=" in rest, f"{name}: no default shown in {rest!r}"
    assert "--debug-commit-delay-ms" not in text  # a hidden test knob


# Every numeric serve option and the words of its range (issue 19, item 6).
NUMERIC_OPTIONS = {
    "threads": "a whole number from 1 to 256",
    "body-limit": "a whole number from 1 to 67108864",
    "batch-body-limit": "a whole number from 1 to 67108864",
    "key-cache-ttl-ms": "a whole number from 0 to 5000",
    "header-timeout-ms": "a whole number from 1 to 3600000",
    "body-timeout-ms": "a whole number from 1 to 3600000",
    "idle-timeout-ms": "a whole number from 1 to 3600000",
    "write-timeout-ms": "a whole number from 1 to 3600000",
    "shutdown-grace-ms": "a whole number from 0 to 3600000",
    "max-connections": "a whole number from 1 to 1000000",
    "max-header-fields": "a whole number from 1 to 10000",
    "max-queue": "a whole number from 1 to 1000000",
    "max-batch": "a whole number from 1 to 1000000",
    "max-batch-rows": "a whole number from 1 to 10000000",
    "max-queue-rows": "a whole number from 1 to 100000000",
    "probe-interval-ms": "a whole number from 10 to 60000",
    "rate-limit-rps": "a number from 0 to 1000000000",
    "rate-limit-burst": "a whole number from 0 to 1000000000",
    "log-queue-size": "a whole number from 16 to 1048576",
}


def test_numeric_options_say_what_they_expect_from_flag_env_and_file(tmp_path):
    for name, words in NUMERIC_OPTIONS.items():
        for bad in ("lots", "-1" if "from 0" not in words else "-2", "1e999", "99999999999999999999"):
            expected = f"--{name}: expected {words}, got '{bad}'"
            env_name = "THRAD_" + name.upper().replace("-", "_")
            cfg = write_config(tmp_path, f'{name} = "{bad}"\n', name=f"{name}.toml")
            for source, proc in (("flag", run_serve(f"--{name}", bad)),
                                 ("env", run_serve(env={env_name: bad})),
                                 ("file", run_serve("--config", cfg))):
                err = proc.stderr.decode()
                assert proc.returncode == 2, (name, bad, source, err)
                first = err.splitlines()[0]
                assert first.startswith("error: ") and first.endswith(expected), \
                    (name, bad, source, first)
                # One short line: the config file's path (tmp_path's, whose length varies with
                # the runner) aside.
                assert len(first.replace(str(cfg), "")) < 120, first


def test_other_commands_numeric_options_say_what_they_expect(tmp_path):
    db = tmp_path / "x.db"
    cases = [
        (["keys", "create", "--partner", "p", "--label", "l", "--rate-limit-rps", "fast"],
         "--rate-limit-rps: expected a number from 0 to 1000000000, got 'fast'"),
        (["keys", "create", "--partner", "p", "--label", "l", "--rate-limit-burst", "0"],
         "--rate-limit-burst: expected a whole number from 1 to 1000000000, got '0'"),
        (["prune", "--older-than", "1d", "--batch-size", "many"],
         "--batch-size: expected a whole number from 1 to 1000000, got 'many'"),
        (["prune", "--older-than", "1d", "--pause-ms", "1.5"],
         "--pause-ms: expected a whole number from 0 to 60000, got '1.5'"),
    ]
    for args, expected in cases:
        proc = subprocess.run([BIN, *args, "--db", str(db)], capture_output=True,
                              timeout=CLI_TIMEOUT_S, env=child_env())
        first = proc.stderr.decode().splitlines()[0]
        assert proc.returncode == 2 and first == "error: " + expected, (args, proc.returncode, first)
    assert not db.exists()


DEPLOY_TOML = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "thrad-events.toml"
# Settings the example names only in a comment: they have no sensible shared value.
COMMENTED_ONLY = {"database-url", "port-file", "geoip-db"}


def serve_help_defaults():
    """{option name: default as --help shows it (None: no default)} for every serve setting."""
    proc = subprocess.run([BIN, "serve", "--help"], capture_output=True, timeout=CLI_TIMEOUT_S,
                          env=child_env())
    assert proc.returncode == 0, proc.stderr
    options = {}
    for name, rest in re.findall(r"^\s+--([a-z-]+)([^\n]*)$", proc.stdout.decode(), flags=re.M):
        if name in ("help", "config"):
            continue
        m = re.search(r"=(\S+) \(Env:", rest)
        options[name] = m.group(1) if m else None
    return options


def test_deploy_example_names_every_serve_setting_with_its_default():
    """Issue 19, item 12: deploy/thrad-events.toml is complete and cannot drift from serve."""
    text = DEPLOY_TOML.read_text()
    named = {}
    for line in text.splitlines():
        m = re.match(r"^(#\s*)?([a-z][a-z-]*) = (\S+)(.*)$", line)
        if m:
            named[m.group(2)] = (m.group(1) is not None, m.group(3).strip('"'), m.group(4))
    options = serve_help_defaults()
    missing = sorted(set(options) - set(named))
    assert not missing, f"deploy/thrad-events.toml does not name {missing}"
    unknown = sorted(set(named) - set(options))
    assert not unknown, f"deploy/thrad-events.toml names settings serve lacks: {unknown}"
    for name, (commented, value, rest) in named.items():
        assert commented == (name in COMMENTED_ONLY), (name, "commented" if commented else "set")
        if commented or "not the default" in rest:
            continue
        assert value == options[name], f"{name} = {value}, but the default is {options[name]}"


def test_deploy_example_is_accepted_by_serve(make_server):
    srv = make_server("--config", DEPLOY_TOML)  # the test's --listen and --db win over it
    assert srv.get("/readyz").status == 200
    assert capacity(srv) == 16384
