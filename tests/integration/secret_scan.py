"""What the secrets checks look for: a key the suite knows, the end of one, or anything shaped
like a key, in a log or an output. test_zz_secrets checks its process's logs at its end, and
conftest.py checks every process's logs after the whole run (the run's record, processes.py)."""

import pathlib
import re

import processes

# What a key looks like (auth/api_key.h: "thr_" + base64url of 32 bytes = 43 characters).
KEY_SHAPE = re.compile(r"thr_[A-Za-z0-9_-]{20,}")


def leaks(texts, secrets):
    """One line per leak in `texts` (name -> text) of any of `secrets`; empty when clean."""
    found = []
    for name, text in texts.items():
        for secret in secrets:
            if secret in text:
                found.append(f"a key ({secret[:6]}...) is in {name}")
            elif secret[-16:] in text:
                found.append(f"the end of a key ({secret[:6]}...) is in {name}")
        shaped = KEY_SHAPE.findall(text)
        if shaped:
            found.append(f"something shaped like a key is in {name}: {shaped[0][:8]}...")
    return found


def read_logs(paths):
    texts = {}
    for path in map(pathlib.Path, paths):
        if path.exists():
            texts[str(path)] = path.read_text(errors="replace")
    return texts


def scan_run_record():
    """(leaks, logs read, secrets known) over the run's record: every worker's logs and keys."""
    secrets = set(processes.read_record("secrets"))
    texts = read_logs(dict.fromkeys(processes.read_record("logs")))
    return leaks(texts, secrets), len(texts), len(secrets)
