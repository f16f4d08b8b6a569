#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtp-send-retry.py -- send message files like a real MTA: retry on
temporary failure (4xx, refused or dropped connections) until accepted.

    smtp-send-retry.py PORT SESSIONS RCPT DEADLINE_S FILE...

Spreads the files over SESSIONS parallel connections to 127.0.0.1:PORT.
A message refused with 4xx, or whose connection broke, is sent again
(after 0.2 s, on a new connection) until it gets 250 or DEADLINE_S
seconds have passed. Prints "sent N, retries M" and exits 0 when every
message got 250, 1 otherwise (a 5xx is final: an error).
Not a test itself (the runner only runs t-*.sh).
"""
import smtplib
import sys
import threading
import time


def session(port, rcpt, files, deadline, stats, lock):
    conn = None
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        while True:
            try:
                if conn is None:
                    conn = smtplib.SMTP("127.0.0.1", port, timeout=30)
                    conn.ehlo("client.test")
                conn.sendmail("noreply@reporter.test", [rcpt], data)
                with lock:
                    stats["sent"] += 1
                break
            except smtplib.SMTPResponseException as e:
                code = e.smtp_code
            except smtplib.SMTPRecipientsRefused as e:
                code = list(e.recipients.values())[0][0]
            except (OSError, smtplib.SMTPException):
                code = 421
            if conn is not None:
                try:
                    conn.close()
                except Exception:
                    pass
                conn = None
            if code >= 500 or time.time() > deadline:
                with lock:
                    stats["errors"].append("%s: %s" % (path, code))
                break
            with lock:
                stats["retries"] += 1
            time.sleep(0.2)
    if conn is not None:
        try:
            conn.quit()
        except Exception:
            pass


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    port, n, rcpt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    deadline = time.time() + float(sys.argv[4])
    files = sys.argv[5:]
    stats = {"sent": 0, "retries": 0, "errors": []}
    lock = threading.Lock()
    threads = [threading.Thread(target=session,
                                args=(port, rcpt, files[i::n], deadline,
                                      stats, lock))
               for i in range(n) if files[i::n]]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print("sent %d, retries %d" % (stats["sent"], stats["retries"]))
    for e in stats["errors"]:
        print("error: %s" % e, file=sys.stderr)
    sys.exit(1 if stats["errors"] or stats["sent"] != len(files) else 0)


if __name__ == "__main__":
    main()
