"""The HTML examples of docs/browser.md, which the browser tests put on their pages.

An example is an HTML comment `<!-- example: NAME -->` right before a ```html block. The
tests swap the guide's placeholders (the server's address, tag ids, the order id) for their own.
"""

import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "browser.md"
MARKER = re.compile(r"^<!--\s*example:\s*([A-Za-z0-9_.-]+)\s*-->$")
BASE = "https://events.thrad.ai"


def examples(text=None):
    """name -> the text of its ```html block."""
    lines = (text if text is not None else DOC.read_text()).splitlines()
    found = {}
    for i, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if not m:
            continue
        assert i + 1 < len(lines) and lines[i + 1].strip() == "```html", \
            f"example {m.group(1)} is not followed by a ```html block"
        end = lines.index("```", i + 2)
        assert m.group(1) not in found, f"example {m.group(1)} twice"
        found[m.group(1)] = "\n".join(lines[i + 2:end])
    return found


def html_blocks(text=None):
    """Every ```html block of the guide (examples or not)."""
    return re.findall(r"^```html\n(.*?)^```$", text if text is not None else DOC.read_text(),
                      re.S | re.M)


def snippet(name, base, replacements=None):
    """Example `name` with the server's address `base` and the given replacements."""
    text = examples()[name]
    assert BASE in text or name in ("publisher-slot",), f"{name} does not name {BASE}"
    text = text.replace(BASE, base)
    for old, new in (replacements or {}).items():
        assert old in text, f"{old!r} not in example {name}"
        text = text.replace(old, new)
    return text
