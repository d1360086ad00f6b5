"""Issue 19, item 9: the suite tests the clone's own binary unless THRAD_BIN says otherwise."""

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]


def default_bin(env):
    proc = subprocess.run([sys.executable, "-c", "import processes; print(processes.BIN)"],
                          cwd=HERE, capture_output=True, timeout=30, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode().strip()


def test_default_binary_is_the_clones_own_build():
    env = {k: v for k, v in os.environ.items() if k != "THRAD_BIN"}
    assert default_bin(env) == str(REPO / "build" / "thrad-events")
    assert default_bin({**env, "THRAD_BIN": "/elsewhere/thrad-events"}) == "/elsewhere/thrad-events"
