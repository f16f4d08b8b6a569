# SPDX-License-Identifier: BSD-2-Clause
"""fake-smtp.py MODE ADDR PORT -- a misbehaving SMTP host on ADDR:PORT for
t-probe.sh, each connection served in turn until killed. Prints "ready"
once listening. MODE:

  silent  accepts connections and never says a word (connections held)
  notls   offers STARTTLS, says 220 to it, then sends no TLS at all
  drip    offers STARTTLS, then drips a TLS record a byte every 0.2 s:
          each read gets a byte within the timeout, the handshake never
          ends
  nocode  a greeting without a three-digit reply code
"""
import socket
import sys
import time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode not in ("silent", "notls", "drip", "nocode"):
    sys.exit(f"fake-smtp.py: unknown mode {mode}")
s = socket.socket()
s.bind((addr, port))
s.listen(8)
print("ready", flush=True)
held = []


def starttls_offered(c, name):
    """The dialogue up to the 220 that answers STARTTLS."""
    f = c.makefile("rwb", buffering=0)
    f.write(b"220 %s ESMTP\r\n" % name)
    f.readline()
    f.write(b"250-%s\r\n250 STARTTLS\r\n" % name)
    f.readline()
    f.write(b"220 go ahead\r\n")
    return f


while True:
    c = s.accept()[0]
    if mode == "silent":
        held.append(c)
        continue
    try:
        if mode == "notls":
            starttls_offered(c, b"mx-notls.test").write(
                b"this is not TLS\r\n" * 4)
        elif mode == "drip":
            starttls_offered(c, b"mx-drip.test")
            for b in b"\x16\x03\x03\x40\x00" + b"\x00" * 60:
                c.send(bytes([b]))
                time.sleep(0.2)
        else:
            c.sendall(b"-99 not smtp\r\n")
            c.recv(100)
    except OSError:
        pass
    c.close()
