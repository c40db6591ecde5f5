#!/usr/bin/env python3
"""Writes the messages and peer configs the SMTP cases send: small.eml (2 KB), big.eml (a 5 MB
base64 attachment), curl config files (one process, one connection, N uploads), an msmtprc."""
import base64, os, sys
work, small_n, small_size, big_n, big_size, port, ca = sys.argv[1:8]
small_n, small_size, big_n, big_size = int(small_n), int(small_size), int(big_n), int(big_size)
head = "From: Shop <shop@example.test>\r\nTo: customer@example.test\r\nSubject: Invoice\r\n" \
       "Message-ID: <bench@example.test>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
small = head + "Content-Type: text/plain; charset=utf-8\r\n\r\n"
line = "Thank you for your order. This line pads the message to its size.\r\n"
while len(small) + len(line) <= small_size:
    small += line
small += "x" * (small_size - len(small) - 2) + "\r\n"
assert len(small) == small_size, len(small)
open(os.path.join(work, "small.eml"), "w", newline="").write(small)
payload = os.urandom(big_size * 3 // 4 - 1024)
b64 = base64.encodebytes(payload).decode().replace("\n", "\r\n")
big = head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nInvoice attached.\r\n' \
      '--b\r\nContent-Type: application/pdf; name="invoice.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + b64 + "--b--\r\n"
open(os.path.join(work, "big.eml"), "w", newline="").write(big)
for name, src, n in (("curl-small.cfg", "small.eml", small_n), ("curl-big.cfg", "big.eml", big_n)):
    with open(os.path.join(work, name), "w") as f:
        f.write('mail-from = "shop@example.test"\nmail-rcpt = "customer@example.test"\nuser = "bench:bench"\n'
                'ssl-reqd\ncacert = "%s"\n' % ca)
        for _ in range(n):
            f.write('url = "smtp://localhost:%s"\nupload-file = "%s"\n' % (port, os.path.join(work, src)))
with open(os.path.join(work, "msmtprc"), "w") as f:
    f.write("account default\nhost localhost\nport %s\ntls on\ntls_starttls on\ntls_trust_file %s\nauth plain\n"
            "user bench\npassword bench\nfrom shop@example.test\n" % (port, ca))
os.chmod(os.path.join(work, "msmtprc"), 0o600)
