#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""hostile_strings.py -- the shared hostile-strings fixture
(tests/data/hostile-strings.json) made into reports, and the checks of
every output they reach; driven by t-hostile-strings.sh.

    hostile_strings.py make FIXTURE TEMPLATE OUTDIR
        one report JSON file per string, the string in every field a
        sender writes (organisation, contact, report id, policy domain,
        type, strings and MX hosts, every failure-detail field)
    hostile_strings.py check KIND FILE...
        KIND: terminal (no control character, bidi override or line
        separator but LF), csv (no cell a spreadsheet reads as a formula;
        the fixture's formula is there, neutralised), html (parses as
        strict HTML5, no element or attribute from the fixture), json
        (parses, holds the fixture's strings unchanged), jsonl (one JSON
        document a line), mail (parses without defects, every header one
        line and inert), lonedot (the mail's HTML part keeps the fixture's
        lone-dot line), argv (what the alert
        program got: no fixture string in argv or environment)

Exit 0 when every file passes, else 1 with the reasons.
Not a test itself (the runner only runs t-*.sh).
"""
import csv
import email
import io
import json
import os
import sys
from email import policy

UNSAFE = set(range(0x20)) | set(range(0x7f, 0xa0)) | {
    0x061c, 0x200e, 0x200f} | set(range(0x2028, 0x202f)) | set(
        range(0x2066, 0x206a))
FORMULA = "=+-@\t\r"


def make(fixture, template, outdir):
    strings = json.load(open(fixture))
    base = json.load(open(template))
    for i, s in enumerate(strings):
        r = json.loads(json.dumps(base))
        r["organization-name"] = s
        r["contact-info"] = s
        r["report-id"] = "hs-%02d %s" % (i, s)
        pol = r["policies"][0]
        pol["policy"].update({"policy-domain": s, "policy-string": [s],
                              "mx-host": [s]})
        for d in pol["failure-details"]:
            d.update({"sending-mta-ip": s, "receiving-mx-hostname": s,
                      "receiving-mx-helo": s, "receiving-ip": s,
                      "additional-information": s,
                      "failure-reason-code": s})
        pol["failure-details"][1]["result-type"] = s
        with open(os.path.join(outdir, "hs-%02d.json" % i), "w") as f:
            json.dump(r, f)


def bad_char(text):
    for n, c in enumerate(text):
        if ord(c) in UNSAFE and c != "\n":
            return "U+%04X at %d: %r" % (ord(c), n, text[max(0, n - 30):n + 10])
    return None


def check_terminal(path, data):
    text = data.decode("utf-8")  # raises on invalid UTF-8
    why = bad_char(text)
    assert why is None, "raw control character: " + why


def is_number(cell):
    try:
        float(cell)
        return True
    except ValueError:
        return False


def check_csv(path, data):
    text = data.decode("utf-8")
    # Lines as RFC 4180 has them (CRLF): not str.splitlines(), which
    # also breaks at U+0085 and U+2028 inside a field.
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows, "no rows"
    width = len(rows[0])
    for row in rows:
        assert len(row) == width, "row of %d cells, header %d: %r" % (
            len(row), width, row)
        for cell in row:
            assert not cell or cell[0] not in FORMULA or is_number(cell), \
                "formula cell %r" % cell[:60]


def check_html(path, data):
    import html5lib
    doc = html5lib.HTMLParser(strict=True,
                              namespaceHTMLElements=False).parse(data)
    for el in doc.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        assert tag not in ("script", "img", "iframe", "a", "link"), \
            "element <%s> in the page" % tag
        for attr in el.attrib:
            assert not attr.startswith("on"), "attribute %s" % attr


def check_json(path, data, strings):
    doc = json.loads(data)
    flat = json.dumps(doc, ensure_ascii=False)
    found = [s for s in strings if json.dumps(s, ensure_ascii=False)[1:-1]
             in flat]
    assert found, "no fixture string kept as it was"


def check_jsonl(path, data):
    for n, line in enumerate(data.decode("utf-8").split("\n")[:-1]):
        json.loads(line)
        # jansson escapes C0; C1 and bidi stay UTF-8, as JSON allows.
        assert not any(ord(c) < 0x20 for c in line), \
            "line %d: raw C0 control" % (n + 1)


def check_mail(path, data):
    head = data.split(b"\n\n", 1)[0].decode("ascii")  # 2047: ASCII only
    for line in head.split("\n"):
        assert line and (line[0] in " \t" or ":" in line), \
            "broken header line %r" % line
        assert "\r" not in line, "CR in header line %r" % line
    m = email.message_from_bytes(data, policy=policy.default)
    assert not m.defects, m.defects
    for name, value in m.items():
        why = bad_char(str(value))
        assert why is None, "header %s: %s" % (name, why)
    for part in m.walk():
        assert not part.defects, part.defects


def check_lonedot(path, data):
    m = email.message_from_bytes(data, policy=policy.default)
    html = [p for p in m.walk() if p.get_content_type() == "text/html"]
    assert html, "no text/html part"
    assert "before\n.\nafter" in html[0].get_content(), \
        "the fixture's lone-dot line is not in the HTML part"


def check_argv(path, data, strings):
    text = data.decode("utf-8", "replace")
    for s in strings:
        if len(s) > 3:
            assert s not in text, "fixture string %r in argv/env" % s[:40]


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    if len(sys.argv) < 4 or sys.argv[1] != "check":
        sys.exit(__doc__)
    kind = sys.argv[2]
    fixture = os.path.join(os.environ.get("TLSRPT_TOP", "."),
                           "tests/data/hostile-strings.json")
    strings = json.load(open(fixture))
    failed = 0
    for path in sys.argv[3:]:
        data = open(path, "rb").read()
        try:
            if kind == "json":
                check_json(path, data, strings)
            elif kind == "argv":
                check_argv(path, data, strings)
            else:
                globals()["check_" + kind](path, data)
        except Exception as e:  # report every file, not only the first
            print("%s (%s): %s" % (path, kind, e))
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
