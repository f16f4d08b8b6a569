#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""prom_check.py FILE... -- check Prometheus text exposition format (0.0.4)
as node_exporter's textfile collector reads it, without promtool.

Checks the grammar of every line (metric and label names, label value
escapes, sample values), that HELP/TYPE come once per family and before
its samples, that a family's lines are contiguous, that no series
(name + label set) appears twice, that no sample has a timestamp (the
textfile collector refuses them) and promtool's naming lint (counters end
in _total, nothing else does). Exit 0 when every file is fine, 1 with one
line per problem ("FILE:LINE: reason") otherwise. "-" reads stdin.
"""
import re
import sys

METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?"
                   r"|Inf|NaN)$")
# Suffixes a histogram or summary family adds to its base name.
SUFFIXES = ("_bucket", "_count", "_sum")


def parse_labels(s, i, where, problems):
    """Parse {...} starting at s[i] == '{'; return (labels, next index)."""
    labels = []
    i += 1
    while True:
        if i < len(s) and s[i] == "}":
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m:
            problems.append(f"{where}: bad label name at column {i + 1}")
            return None, i
        name = m.group(0)
        if name.startswith("__"):
            problems.append(f"{where}: reserved label name {name}")
        i = m.end()
        if s[i:i + 2] != '="':
            problems.append(f"{where}: expected =\" after label {name}")
            return None, i
        i += 2
        value = []
        while True:
            if i >= len(s):
                problems.append(f"{where}: unterminated label value")
                return None, i
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    problems.append(
                        f"{where}: invalid escape \\{nxt} in label {name}")
                    return None, i
                value.append({"\\": "\\", '"': '"', "n": "\n"}[nxt])
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                value.append(c)
                i += 1
        if any(n == name for n, _ in labels):
            problems.append(f"{where}: label {name} given twice")
        labels.append((name, "".join(value)))
        if i < len(s) and s[i] == ",":
            i += 1
        elif i < len(s) and s[i] == "}":
            pass
        else:
            problems.append(f"{where}: expected , or }} after label {name}")
            return None, i


def family_of(name, types):
    for suf in SUFFIXES:
        base = name[:-len(suf)]
        if name.endswith(suf) and types.get(base) in ("histogram",
                                                      "summary"):
            return base
    return name


def check(path, data, problems):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(f"{path}: not UTF-8: {e}")
        return
    if text and not text.endswith("\n"):
        problems.append(f"{path}: last line does not end with a line feed")
    helps, types, seen_series = {}, {}, set()
    done, current = set(), None
    for n, line in enumerate(text.split("\n")[:-1] if text else [], 1):
        where = f"{path}:{n}"
        if line.strip() == "":
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                kind, name = parts[1], parts[2]
                if not METRIC.fullmatch(name):
                    problems.append(f"{where}: bad metric name {name!r}")
                    continue
                if name in done:
                    problems.append(
                        f"{where}: {kind} for {name} after its family ended")
                if current is not None and current != name:
                    done.add(current)
                current = name
                if kind == "HELP":
                    if name in helps:
                        problems.append(f"{where}: second HELP for {name}")
                    doc = parts[3] if len(parts) > 3 else ""
                    if re.search(r"\\[^\\n]", doc):
                        problems.append(f"{where}: bad escape in HELP")
                    helps[name] = doc
                else:
                    t = parts[3] if len(parts) > 3 else ""
                    if t not in TYPES:
                        problems.append(f"{where}: unknown type {t!r}")
                    if name in types:
                        problems.append(f"{where}: second TYPE for {name}")
                    if any(family_of(s[0], {}) == name
                           for s in seen_series):
                        problems.append(
                            f"{where}: TYPE for {name} after its samples")
                    types[name] = t
                    if t == "counter" and not name.endswith("_total"):
                        problems.append(f"{where}: counter {name} should "
                                        "end in _total")
                    if t != "counter" and name.endswith("_total"):
                        problems.append(f"{where}: non-counter {name} "
                                        "should not end in _total")
            continue
        m = METRIC.match(line)
        if not m:
            problems.append(f"{where}: bad metric name")
            continue
        name, i = m.group(0), m.end()
        labels = []
        if i < len(line) and line[i] == "{":
            labels, i = parse_labels(line, i, where, problems)
            if labels is None:
                continue
        rest = line[i:]
        if not rest.startswith(" "):
            problems.append(f"{where}: expected a space before the value")
            continue
        fields = rest.split()
        if len(fields) not in (1, 2):
            problems.append(f"{where}: expected a value and no more")
            continue
        if not FLOAT.match(fields[0]):
            problems.append(f"{where}: bad value {fields[0]!r}")
        if len(fields) == 2:
            problems.append(f"{where}: a timestamp (the textfile collector "
                            "refuses them)")
        fam = family_of(name, types)
        if fam in done:
            problems.append(f"{where}: {fam} samples after its family ended")
        if current is not None and current != fam:
            done.add(current)
        current = fam
        series = (name, tuple(sorted(labels)))
        if series in seen_series:
            problems.append(f"{where}: duplicate series {name}{labels}")
        seen_series.add(series)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    problems = []
    for path in argv[1:]:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                data = f.read()
        check(path, data, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
