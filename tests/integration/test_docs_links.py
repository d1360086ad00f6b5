"""Issue 19, item 13: the project's docs stand alone. README.md and docs/ name files only inside
the repository, and every file they link or name with a relative path exists (the API
contract once was `../shared/spec/API.md`, outside any clone)."""

import pathlib
import re

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FILES = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
# A Markdown link's target, or a path that climbs out of its directory ("../x/y.md").
LINK_RE = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
CLIMBING_RE = re.compile(r"(?<![\w/.])((?:\.\./)+[\w./-]+)")


def references(text):
    refs = [m.group(1) for m in LINK_RE.finditer(text)]
    refs += [m.group(1) for m in CLIMBING_RE.finditer(text)]
    return [r for r in refs if not re.match(r"^[a-z]+:", r)]  # not http:, mailto:, ...


def test_references_are_found():
    assert references("see [api](api.md#x) and `../shared/spec/API.md`, https://x/y") == [
        "api.md", "../shared/spec/API.md"]


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_docs_name_only_files_of_the_repository(path):
    for ref in references(path.read_text()):
        target = (path.parent / ref).resolve()
        assert target.is_relative_to(REPO), f"{path.name} names {ref}, outside the repository"
        assert target.exists(), f"{path.name} names {ref}, which does not exist"
