#!/usr/bin/env python3
"""Python smtplib: N copies of one message on one connection, STARTTLS + AUTH PLAIN."""
import smtplib, ssl, sys
host, port, ca, path, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
data = open(path, "rb").read()
s = smtplib.SMTP(host, port, timeout=60)
s.starttls(context=ssl.create_default_context(cafile=ca))
s.login("bench", "bench")
for _ in range(n):
    s.sendmail("shop@example.test", ["customer@example.test"], data)
s.quit()
