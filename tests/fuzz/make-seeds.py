#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make-seeds.py -- write the committed seed corpora of tests/fuzz/corpus/.

Run from the top of the tree. The seeds come from tests/data/cases (report
JSON, messages, gzip files), from gzip/zlib streams made here with fixed
headers (so every run writes the same bytes), from store lines given in a
file (RECORD_LINES, made by encoding the valid cases with
tlsrpt_record_encode(); optional, existing record seeds are kept otherwise)
and from small configuration files. The shared corpus (../shared/corpus)
is never copied here: `make fuzz` reads it at run time.
"""
import glob
import gzip
import os
import sys
import zlib

TOP = "tests/fuzz/corpus"
CASES = "tests/data/cases"


def put(harness, name, data):
    d = os.path.join(TOP, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    cases = sorted(glob.glob(os.path.join(CASES, "*")))
    jsons = {}
    for c in cases:
        name = os.path.basename(c)
        for inp in glob.glob(os.path.join(c, "input.*")):
            data = read(inp)
            ext = inp.rsplit("input", 1)[1]
            if ext == ".json":
                jsons[name] = data
                put("report", name + ".json", data)
            else:
                put("message", name + ext, data)
            if ext == ".json.gz":
                put("inflate", name + ".gz", data)

    # A few bare reports for the message harness (it sniffs JSON and gzip).
    for name in ("01-valid-minimal-sts", "22-valid-microsoft-tlsa-array",
                 "35-invalid-json-syntax"):
        if name in jsons:
            put("message", name + ".json", jsons[name])
            put("message", name + ".json.gz", gz(jsons[name]))

    one = jsons.get("01-valid-minimal-sts", b'{"policies":[]}')
    two = jsons.get("02-valid-full-schema", one)
    put("inflate", "gzip", gz(one))
    put("inflate", "zlib", zlib.compress(two, 9))
    put("inflate", "two-members", gz(one) + gz(two))
    put("inflate", "trailing-nuls", gz(one) + b"\0\0\r\n")
    put("inflate", "truncated", gz(two)[:-9])
    put("inflate", "bad-crc", gz(one)[:-8] + b"\0\0\0\0" + gz(one)[-4:])
    put("inflate", "ratio-bomb", gz(b"\0" * 200000))
    put("inflate", "empty-member", gz(b""))
    put("inflate", "stored", zlib.compress(one, 0))

    lines = os.environ.get("RECORD_LINES")
    if lines:
        seen = set()
        n = 0
        for line in read(lines).splitlines():
            key = (len(line) // 64, line[:40])
            if key in seen or len(line) > 4000:
                continue
            seen.add(key)
            n += 1
            put("record", "line-%02d" % n, line)
        put("record", "truncated", read(lines).splitlines()[0][:300])

    put("config", "empty", b"")
    put("config", "comments", b"# nothing set\n\n   # indented\n")
    put("config", "typical",
        b"Socket inet:8895@127.0.0.1\n"
        b"UserID tlsrpt:tlsrpt\n"
        b"PidFile /run/tlsrpt-milter.pid\n"
        b"Umask 0007\n"
        b"SyslogFacility mail\n"
        b"LogLevel info\n"
        b"StoreDirectory /var/lib/tlsrpt\n"
        b"ReportAddresses tlsrpt@example.com, tls-reports@example.org\n"
        b"DetectByHeaders yes\n"
        b"Disposition deliver\n"
        b"OnStoreFailure tempfail\n"
        b"AddHeader yes\n"
        b"TrustedAuthservIDs mx.example.test\n"
        b"RequireDKIM no\n"
        b"HostName mx1.example.com\n"
        b"DedupDays 60\n"
        b"Fsync report\n")
    put("config", "limits",
        b"MaxMessageSize 10M\n"
        b"MaxReportSize 16M\n"
        b"MaxInflateRatio 1000\n"
        b"MaxJSONDepth 16\n"
        b"MaxPolicies 1000\n"
        b"MaxFailureDetails 1000\n"
        b"MaxPolicyStrings 1000\n"
        b"MaxStringLength 8k\n"
        b"MaxReportsPerMessage 16\n"
        b"MaxMIMEDepth 8\n"
        b"MaxMIMEParts 256\n")
    put("config", "odd",
        b"socket\tunix:/run/tlsrpt/milter.sock   # trailing comment\r\n"
        b"disposition QUARANTINE\n"
        b"Chroot /var/spool/postfix\n"
        b"UserID nobody\n"
        b"LogLevel debug\n"
        b"OnStoreFailure accept\n"
        b"Fsync none\n")
    put("config", "duplicate", b"LogLevel info\nloglevel debug\n")
    put("config", "unknown-key", b"NoSuchKey 1\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
