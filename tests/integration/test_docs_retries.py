"""Issue 19, item 17: docs/api.md tells a partner which answers to retry and how, for every
error status it documents, and where the click_id comes from and how long it is valid. The
table's promises are checked against the server elsewhere (503 and 429 carry Retry-After:
test_overload.py, test_rate_limit.py; a resent event or conversion is a duplicate, never stored
twice: test_collect.py, test_conversion.py, test_race.py)."""

import pathlib
import re

DOC = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()


def section(title):
    m = re.search(rf"^### {re.escape(title)}\n(.*?)(?=^##)", DOC, flags=re.M | re.S)
    assert m, f"docs/api.md has no section '### {title}'"
    return m.group(1)


def table_rows(text):
    return [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]


def test_every_error_status_has_a_retry_rule():
    statuses = {re.match(r"\| (\d{3}) ", row).group(1) for row in table_rows(section("Statuses"))
                if re.match(r"\| [45]\d\d ", row)}
    retries = section("Retries")
    rules = table_rows(retries)
    for status in sorted(statuses):
        assert any(re.search(rf"\b{status}\b", row) for row in rules), \
            f"the retry table says nothing about {status}"
    text = " ".join(rules)
    for needed in ("Retry-After", "Idempotency-Key", "event_id", "timeout", "reset",
                   "Click not found"):
        assert needed in text, f"the retry table does not mention {needed}"


def test_where_the_click_id_comes_from_and_how_long_it_holds():
    retries = section("Retries")
    for needed in ("thrad_click_id", "90 days", "--click-ttl"):
        assert needed in retries, f"the retry section does not mention {needed}"
