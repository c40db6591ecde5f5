#!/usr/bin/env python3
"""Python imaplib: UID FETCH every message of a folder over TLS, whole (BODY.PEEK[]) or ENVELOPE."""
import imaplib, ssl, sys
host, port, ca, user, password, folder, what = sys.argv[1:8]
m = imaplib.IMAP4_SSL(host, int(port), ssl_context=ssl.create_default_context(cafile=ca))
m.login(user, password)
typ, data = m.select(folder, readonly=True)
exists = int(data[0])
item = "(BODY.PEEK[])" if what == "whole" else "(ENVELOPE)"
got = 0
for start in range(1, exists + 1, 500):
    typ, data = m.fetch("%d:%d" % (start, min(start + 499, exists)), item)
    got += sum(1 for d in data if isinstance(d, tuple) or (what != "whole" and d))
if got < exists:
    sys.exit("fetched %d of %d" % (got, exists))
m.logout()
