#!/usr/bin/env python3
"""Seeds a Dovecot Maildir++ folder with N generated messages of about SIZE bytes (files owned by mail)."""
import base64, os, pwd, sys, time
maildir, folder, n, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
base = os.path.join(maildir, "." + folder)
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(base, sub), exist_ok=True)
open(os.path.join(base, "maildirfolder"), "w").close()
mail = pwd.getpwnam("mail")
now = int(time.time())
total = 0
for i in range(n):
    head = ("From: Customer %d <c%d@example.test>\r\nTo: shop@example.test\r\nSubject: Order %d\r\n"
            "Message-ID: <seed-%d@example.test>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n" % (i, i, i, i))
    if size > 100_000:
        raw = os.urandom(size * 3 // 4)
        body = ('Content-Type: application/pdf; name="scan.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
                + base64.encodebytes(raw).decode().replace("\n", "\r\n"))
    else:
        line = "Please send the invoice for order %d again, thank you.\r\n" % i
        body = "Content-Type: text/plain; charset=utf-8\r\n\r\n" + line * max(1, (size - len(head)) // len(line))
    data = (head + body).encode()
    total += len(data)
    path = os.path.join(base, "cur", "%d.M%dP1.bench,S=%d:2,S" % (now, i, len(data)))
    with open(path, "wb") as f:
        f.write(data)
for root, dirs, files in os.walk(maildir):
    for name in dirs + files:
        os.chown(os.path.join(root, name), mail.pw_uid, mail.pw_gid)
os.chown(maildir, mail.pw_uid, mail.pw_gid)
print(total)
