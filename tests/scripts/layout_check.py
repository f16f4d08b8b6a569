# SPDX-License-Identifier: BSD-2-Clause
"""layout_check.py DOM EXPECTED WIDE|NARROW -- check what layout_probe.js
measured in a tlsrpt-summary HTML page of the gen-fleet store.

DOM is Chromium's --dump-dom of the page with the probe appended; EXPECTED
is gen-fleet's output: "<kind> <domain> <n>" per problem domain, in order
of impact, kinds failing, silent, not-ready and below.

Both widths: nothing runs off the right edge (scrollWidth within the
viewport, no element past it) and the first action row starts on the
first screen. WIDE (1280x800) also: the rows of #action name the failing,
silent and not-ready domains in the order of impact, all of them within
the first screen, and no text on the first screen names a healthy domain.
The below-threshold domain (one failure in a million sessions, under the
default noise threshold) is a row of #below, never of #action.
"""
import html
import re
import sys

NAME = re.compile(r"domain\d{4}\.example")


def fail(msg):
    sys.exit("layout_check: %s: %s" % (sys.argv[1], msg))


def probe(path):
    dom = open(path, encoding="utf-8").read()
    m = re.findall(r'<pre id="layout-probe">(.*?)</pre>', dom, re.S)
    if not m:
        fail("no probe output: the probe script did not run")
    return [html.unescape(line) for line in m[-1].split("\n")]


def main():
    lines = probe(sys.argv[1])
    expected = [l.split() for l in open(sys.argv[2]) if l[:1].islower()]
    expected = [(k, d) for k, d, *_ in expected if k != "total"]
    wide = sys.argv[3] == "WIDE"
    vw = vh = scroll = None
    rows, over, screen = [], [], []
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "viewport":
            vw, vh = map(int, rest.split())
        elif word == "scroll":
            scroll = int(rest)
        elif word == "row":
            head, top, bottom = rest.rsplit(" ", 2)
            box, name = head.split(" ", 1)
            rows.append((box, name, int(top), int(bottom)))
        elif word == "over":
            over.append(rest)
        elif word == "screen":
            screen.append(rest)
    if vw is None or scroll is None:
        fail("the probe wrote no viewport")
    if scroll > vw:
        fail("the page is %d pixels wide in a %d-pixel viewport: %s"
             % (scroll, vw, "; ".join(over[:5])))
    if over:
        fail("past the right edge: %s" % "; ".join(over[:5]))
    action = [r for r in rows if r[0] == "action"]
    if not action or action[0][2] >= vh:
        fail("the first screen does not open with what needs action: %s"
             % (action[:1],))
    if wide and vh != 800:
        fail("laid out %d pixels high, not the first screen's 800" % vh)
    if not wide:
        print("layout_check: %s: %d wide, no overflow, first action row at "
              "y=%d" % (sys.argv[1], vw, action[0][2]))
        return
    below = [d for k, d in expected if k == "below"]
    want = [d for k, d in expected if k == "failing"]
    want += [d for k, d in expected if k in ("silent", "not-ready")]
    got = [r[1] for r in action if NAME.fullmatch(r[1])]
    if got != want:
        fail("action rows %s, want in order of impact %s" % (got, want))
    got_below = [r[1] for r in rows if r[0] == "below"]
    if got_below != below:
        fail("below-threshold rows %s, want %s" % (got_below, below))
    late = [(r[1], r[3]) for r in action if r[3] > vh]
    if late:
        fail("action rows below the first %d pixels: %s" % (vh, late))
    problems = {d for k, d in expected}
    healthy = sorted({n for s in screen for n in NAME.findall(s)} - problems)
    if healthy:
        fail("the first screen names healthy domains: %s" % healthy[:5])
    print("layout_check: %s: %dx%d, %d action rows in order of impact, "
          "last ends at y=%d, nothing healthy on the first screen"
          % (sys.argv[1], vw, vh, len(got), action[-1][3]))


main()
