"""Issue 19, item 10: every Markdown file of the project (README.md, docs/) closes each code
fence it opens. An unclosed fence renders the rest of the file as code, and the next fence
(```ini, ```sh) then closes it instead of opening its own block, inverting every later one."""

import pathlib
import re

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FILES = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
# CommonMark: up to 3 spaces (more inside list items), then 3+ backticks or tildes, then an
# optional info string.
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*?)\s*$")


def fence_problems(text):
    """Where the fences of `text` do not balance: a list of messages, empty when they do."""
    problems = []
    open_at = None  # (line number, fence characters) of the block we are in
    for number, line in enumerate(text.splitlines(), start=1):
        m = FENCE.match(line)
        if not m:
            continue
        marks, info = m.group(1), m.group(2)
        if open_at is None:
            open_at = (number, marks)
            continue
        if marks[0] != open_at[1][0] or len(marks) < len(open_at[1]):
            continue  # text of the block (a shorter or other fence shown inside it)
        if not info:
            open_at = None  # the closing fence
        else:
            # A fence that would close the block but for its info string is text to
            # CommonMark; in these docs it is always a block opened while the one above was
            # never closed.
            problems.append(f"line {number}: '{line.strip()}' opens a block inside the block "
                            f"opened at line {open_at[0]}, which is not closed")
    if open_at is not None:
        problems.append(f"line {open_at[0]}: fence '{open_at[1]}' is never closed")
    return problems


def test_the_checker_finds_an_unclosed_fence():
    assert fence_problems("a\n```sh\nx\n```\n") == []
    assert fence_problems("```yaml\nx\n## Next\n```ini\ny\n```\n") == [
        "line 4: '```ini' opens a block inside the block opened at line 1, which is not closed"]
    assert fence_problems("```\nx\n") == ["line 1: fence '```' is never closed"]
    assert fence_problems("````md\n```sh\nx\n```\n````\n") == []  # a longer fence holds shorter
    assert fence_problems("   ```\n   x\n   ```\n") == []  # inside a list item


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_markdown_fences_are_balanced(path):
    assert fence_problems(path.read_text()) == [], path
