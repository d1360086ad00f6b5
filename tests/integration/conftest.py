"""Fixtures: stores (parameterized), one shared server per store, per-test servers, partners;
and the secrets scan over the whole run.

Run: /usr/bin/python3 -m pytest -n 2 tests/integration   (THRAD_BIN overrides the binary path;
THRAD_TEST_DATABASE_URL adds a PostgreSQL run of every store-parameterized test; `-n 2` runs it in
two processes with pytest-xdist, as ctest does; without it the suite runs in one).
"""

import os
import shutil
import tempfile

import pytest

import helpers
import processes
import secret_scan


def is_worker(config):
    return hasattr(config, "workerinput")  # pytest-xdist's worker processes


def pytest_configure(config):
    # The controlling process (the only one without xdist) makes the run's record; the workers,
    # started after this, inherit its environment.
    if not is_worker(config) and processes.RUN_RECORD_ENV not in os.environ:
        config.thrad_run_record = tempfile.mkdtemp(prefix="thrad-run-record-")
        os.environ[processes.RUN_RECORD_ENV] = config.thrad_run_record


def pytest_sessionfinish(session, exitstatus):
    """After the whole run, in the controlling process: no key of any worker is in any worker's
    server log. A leak fails the run (exit status 1) and is printed."""
    record = getattr(session.config, "thrad_run_record", None)
    if record is None:
        return
    try:
        found, logs, secrets = secret_scan.scan_run_record()
    finally:
        del os.environ[processes.RUN_RECORD_ENV]
        shutil.rmtree(record, ignore_errors=True)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write("\n")
    write = reporter.write_line if reporter is not None else print
    if found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        for line in found:
            write(f"secrets scan after the run: FAILED: {line}")
    elif logs:
        write(f"secrets scan after the run: {logs} server logs clean of {secrets} keys")


@pytest.fixture(scope="session", params=helpers.store_kinds())
def store_kind(request):
    """The store backend every server and CLI call of a test uses ("sqlite", later "postgres")."""
    return request.param


@pytest.fixture
def store(store_kind, tmp_path):
    """A fresh store of the current kind; `store.args` are the flags every subcommand takes."""
    return helpers.make_store(store_kind, tmp_path)


@pytest.fixture(scope="session")
def server(store_kind, tmp_path_factory):
    """The shared server (default flags) that most tests use; stopped gracefully at the end."""
    workdir = tmp_path_factory.mktemp(f"shared-{store_kind}")
    srv = helpers.Server(helpers.make_store(store_kind, workdir), workdir, name="shared")
    srv.start()
    yield srv
    if srv.running:
        srv.stop()


class ServerFactory:
    """Starts servers with special flags on a fresh store (or a given one); stops them after."""

    def __init__(self, store_kind, workdir):
        self.store_kind = store_kind
        self.workdir = workdir
        self.servers = []

    def new_store(self):
        return helpers.make_store(self.store_kind, self.workdir)

    def __call__(self, *extra_args, store=None, start=True, env=None):
        srv = helpers.Server(store or self.new_store(), self.workdir, extra_args, env=env)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def close(self):
        first_error = None
        for srv in self.servers:
            try:
                srv.stop()
            except AssertionError as e:
                first_error = first_error or e
                srv.kill()
        if first_error:
            raise first_error


@pytest.fixture
def make_server(store_kind, tmp_path):
    factory = ServerFactory(store_kind, tmp_path)
    yield factory
    factory.close()


@pytest.fixture
def new_partner(server):
    """Factory: a fresh partner id with a key on the shared server."""

    def make(**kwargs):
        return helpers.Partner(server, **kwargs)

    return make


@pytest.fixture
def partner(new_partner):
    return new_partner()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of every involved server's log to the report."""
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    servers = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, helpers.Server):
            servers.append(value)
        elif isinstance(value, ServerFactory):
            servers.extend(value.servers)
        elif isinstance(value, helpers.Partner):
            servers.append(value.server)
    seen = set()
    for srv in servers:
        if id(srv) in seen:
            continue
        seen.add(id(srv))
        rep.sections.append((f"server log {srv.name}", srv.log_tail(60)))
