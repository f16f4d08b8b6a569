#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""corpus_check.py INGEST CORPUS -- compare tlsrpt-ingest --dry-run with an
independent reading of every .eml, .json and .json.gz sample (Python's own
MIME, gzip and JSON code): same reports, same policies, same counts."""
import email
import email.policy
import gzip
import json
import os
import subprocess
import sys

NOT_REPORTS = {"kravietz_tlsrpt-rs/empty.eml"}


def payloads(path):
    data = open(path, "rb").read()
    if path.endswith(".eml"):
        msg = email.message_from_bytes(data, policy=email.policy.default)
        for part in msg.walk():
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            name = part.get_filename() or ""
            if ctype.startswith("application/") or name.endswith((".gz", ".json")):
                raw = part.get_payload(decode=True)
                yield raw
        return
    yield data


def expected(path):
    out = []
    for raw in payloads(path):
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        doc = json.loads(raw)
        out.append([(p.get("summary", {}).get("total-successful-session-count"),
                     p.get("summary", {}).get("total-failure-session-count", 0),
                     sum(d.get("failed-session-count", 0)
                         for d in p.get("failure-details") or []))
                    for p in doc["policies"]])
    return out


def main():
    ingest, corpus = sys.argv[1], sys.argv[2]
    checked = failed = 0
    for root, _, files in sorted(os.walk(corpus)):
        for f in sorted(files):
            if not f.endswith((".eml", ".json", ".json.gz")):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, corpus)
            run = subprocess.run([ingest, "-c", "/dev/null", "--dry-run", path],
                                 capture_output=True, text=True)
            if rel in NOT_REPORTS:
                ok = run.returncode == 65 and "no TLS report" in run.stderr
                got = want = "not a report"
            else:
                got = [[(p["summary"]["total-successful-session-count"],
                         p["summary"]["total-failure-session-count"],
                         sum(d["failed-session-count"] for d in p["failure-details"]))
                        for p in json.loads(line)["policies"]]
                       for line in run.stdout.splitlines()]
                want = expected(path)
                ok = run.returncode == 0 and got == want
            checked += 1
            if not ok:
                failed += 1
                print("MISMATCH %s: exit %d, got %s, want %s\n%s"
                      % (rel, run.returncode, got, want, run.stderr))
    print("corpus: %d samples checked, %d mismatches" % (checked, failed))
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
