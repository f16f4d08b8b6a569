#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtp-send.py -- send message files over SMTP in parallel sessions.

    smtp-send.py PORT SESSIONS RCPT FILE...

Spreads the files over SESSIONS parallel SMTP connections to 127.0.0.1:PORT
(one connection per session, many messages each), envelope recipient RCPT
(several separated by commas).
Prints "sent N" and exits 0 when every message got 250, else 1.
Not a test itself (the runner only runs t-*.sh).
"""
import smtplib
import sys
import threading


def session(port, rcpt, files, errors, sent):
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
            s.ehlo("client.test")
            for path in files:
                with open(path, "rb") as f:
                    data = f.read()
                s.sendmail("noreply@reporter.test", rcpt.split(","), data)
                sent.append(path)
    except Exception as e:  # report, do not hide
        errors.append("%s: %s" % (files[0] if files else "-", e))


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    port, n, rcpt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    files = sys.argv[4:]
    errors, sent = [], []
    threads = []
    for i in range(n):
        share = files[i::n]
        if not share:
            continue
        th = threading.Thread(target=session,
                              args=(port, rcpt, share, errors, sent))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    print("sent %d" % len(sent))
    for e in errors:
        print("error: %s" % e, file=sys.stderr)
    sys.exit(1 if errors or len(sent) != len(files) else 0)


if __name__ == "__main__":
    main()
