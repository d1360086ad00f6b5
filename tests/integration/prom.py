"""A small, strict parser of the Prometheus text exposition format (version 0.0.4).

Strict means: anything the format does not allow, and a few things our conventions forbid,
raises PromFormatError instead of being skipped. Checked:

- every line ends with "\\n"; no blank lines;
- `# HELP name text` and `# TYPE name type` at most once per family, TYPE before the
  family's first sample; every sample belongs to a TYPEd family (no untyped samples);
- metric and label names match the format's regular expressions; label values use only the
  escapes \\\\, \\" and \\n; no label name twice in one sample; no `__` label names;
- values are Go floats (including +Inf, -Inf, NaN); an optional integer timestamp;
- a family's samples are contiguous and no series (name + label set) appears twice;
- counters are >= 0; histograms have, per label set, ascending `le` buckets with
  non-decreasing cumulative counts, a `+Inf` bucket equal to `_count`, and a `_sum`.
"""

import math
import re

NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
FLOAT_RE = re.compile(r"[+-]?(?:Inf|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class PromFormatError(AssertionError):
    pass


class Family:
    def __init__(self, name):
        self.name = name
        self.type = None
        self.help = None
        self.samples = []  # (sample name, labels dict, value)

    def value(self, sample_name=None, **labels):
        """The value of the one sample with exactly these labels (None when absent)."""
        sample_name = sample_name or self.name
        for name, got, value in self.samples:
            if name == sample_name and got == labels:
                return value
        return None


def _parse_float(text, where):
    if not FLOAT_RE.fullmatch(text):
        raise PromFormatError(f"{where}: bad value {text!r}")
    return float(text.replace("Inf", "inf").replace("NaN", "nan"))


def _parse_labels(text, pos, where):
    """Parses `{a="x",b="y"}` starting at text[pos] == "{"; returns (labels, end)."""
    labels = {}
    pos += 1
    if pos < len(text) and text[pos] == "}":
        return labels, pos + 1
    while True:
        m = LABEL_RE.match(text, pos)
        if not m:
            raise PromFormatError(f"{where}: bad label name at column {pos}")
        name = m.group(0)
        if name.startswith("__"):
            raise PromFormatError(f"{where}: reserved label name {name!r}")
        if name in labels:
            raise PromFormatError(f"{where}: label {name!r} twice")
        pos = m.end()
        if text[pos:pos + 2] != '="':
            raise PromFormatError(f"{where}: expected =\" after label {name!r}")
        pos += 2
        value = []
        while True:
            if pos >= len(text):
                raise PromFormatError(f"{where}: unterminated label value")
            c = text[pos]
            if c == "\\":
                nxt = text[pos + 1:pos + 2]
                if nxt not in ("\\", '"', "n"):
                    raise PromFormatError(f"{where}: bad escape \\{nxt} in a label value")
                value.append("\n" if nxt == "n" else nxt)
                pos += 2
            elif c == '"':
                pos += 1
                break
            elif c == "\n":
                raise PromFormatError(f"{where}: newline in a label value")
            else:
                value.append(c)
                pos += 1
        labels[name] = "".join(value)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if pos < len(text) and text[pos] == "}":
            return labels, pos + 1
        raise PromFormatError(f"{where}: expected , or }} after a label")


def _family_of(sample_name, families):
    if sample_name in families:
        return families[sample_name]
    for suffix in ("_bucket", "_sum", "_count"):
        if sample_name.endswith(suffix):
            base = families.get(sample_name[:-len(suffix)])
            if base is not None and base.type in ("histogram", "summary"):
                if suffix == "_bucket" and base.type != "histogram":
                    break
                return base
    return None


def parse(text):
    """Parses an exposition; returns {family name: Family} in order of appearance."""
    if not text.endswith("\n"):
        raise PromFormatError("the exposition does not end with a newline")
    families = {}
    finished = set()  # families whose samples are over (another family's sample came)
    current = None
    series = set()
    for lineno, line in enumerate(text[:-1].split("\n"), 1):
        where = f"line {lineno}"
        if line == "":
            raise PromFormatError(f"{where}: blank line")
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME_RE.fullmatch(name):
                    raise PromFormatError(f"{where}: bad metric name {name!r}")
                fam = families.setdefault(name, Family(name))
                if name in finished or (fam.samples and parts[1] == "TYPE"):
                    raise PromFormatError(f"{where}: {parts[1]} of {name} after its samples")
                if parts[1] == "TYPE":
                    if fam.type is not None:
                        raise PromFormatError(f"{where}: second TYPE for {name}")
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise PromFormatError(f"{where}: bad TYPE line")
                    fam.type = parts[3]
                else:
                    if fam.help is not None:
                        raise PromFormatError(f"{where}: second HELP for {name}")
                    help_text = parts[3] if len(parts) == 4 else ""
                    if re.search(r"\\[^\\n]", help_text):
                        raise PromFormatError(f"{where}: bad escape in HELP")
                    fam.help = help_text
            continue  # any other comment
        m = NAME_RE.match(line)
        if not m:
            raise PromFormatError(f"{where}: bad metric name in {line!r}")
        sample_name = m.group(0)
        pos = m.end()
        labels = {}
        if pos < len(line) and line[pos] == "{":
            labels, pos = _parse_labels(line, pos, where)
        if pos >= len(line) or line[pos] != " ":
            raise PromFormatError(f"{where}: expected one space before the value")
        rest = line[pos + 1:].split(" ")
        if len(rest) not in (1, 2) or "" in rest:
            raise PromFormatError(f"{where}: expected `value [timestamp]`, got {line[pos:]!r}")
        value = _parse_float(rest[0], where)
        if len(rest) == 2 and not re.fullmatch(r"-?\d+", rest[1]):
            raise PromFormatError(f"{where}: bad timestamp {rest[1]!r}")
        fam = _family_of(sample_name, families)
        if fam is None or fam.type is None:
            raise PromFormatError(f"{where}: sample {sample_name} has no TYPE line before it")
        if fam.name in finished:
            raise PromFormatError(f"{where}: samples of {fam.name} are not contiguous")
        if current is not None and current is not fam:
            finished.add(current.name)
        current = fam
        key = (sample_name, tuple(sorted(labels.items())))
        if key in series:
            raise PromFormatError(f"{where}: series {sample_name}{labels} twice")
        series.add(key)
        if fam.type == "counter" and not value >= 0:
            raise PromFormatError(f"{where}: counter {sample_name} is {value}")
        if fam.type == "histogram" and sample_name == fam.name:
            raise PromFormatError(f"{where}: bare histogram sample {sample_name}")
        fam.samples.append((sample_name, labels, value))
    for fam in families.values():
        if fam.type == "histogram":
            _check_histogram(fam)
    return families


def _check_histogram(fam):
    groups = {}
    for name, labels, value in fam.samples:
        rest = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        g = groups.setdefault(rest, {"buckets": [], "sum": None, "count": None})
        if name == fam.name + "_bucket":
            if "le" not in labels:
                raise PromFormatError(f"{fam.name}: bucket without le")
            g["buckets"].append((_parse_float(labels["le"], fam.name), value))
        elif name == fam.name + "_sum":
            g["sum"] = value
        elif name == fam.name + "_count":
            g["count"] = value
    for rest, g in groups.items():
        where = f"{fam.name}{dict(rest)}"
        bounds = [b for b, _ in g["buckets"]]
        if not bounds or bounds[-1] != math.inf:
            raise PromFormatError(f"{where}: no +Inf bucket last")
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise PromFormatError(f"{where}: le bounds not ascending")
        counts = [c for _, c in g["buckets"]]
        if counts != sorted(counts):
            raise PromFormatError(f"{where}: bucket counts not cumulative")
        if g["count"] is None or g["sum"] is None:
            raise PromFormatError(f"{where}: _count or _sum missing")
        if g["count"] != counts[-1]:
            raise PromFormatError(f"{where}: _count {g['count']} != +Inf bucket {counts[-1]}")
