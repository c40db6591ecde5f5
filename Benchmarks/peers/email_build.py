#!/usr/bin/env python3
"""Python email: build a message with one file attachment and serialise it (to memory, /dev/null or a file)."""
import sys
from email.message import EmailMessage
from email.policy import SMTP
att, target = sys.argv[1], sys.argv[2]
m = EmailMessage()
m["From"] = "Shop <shop@example.test>"
m["To"] = "customer@example.test"
m["Subject"] = "Invoice 1042"
m.set_content("Invoice attached.\n")
m.add_attachment(open(att, "rb").read(), maintype="application", subtype="pdf", filename="Invoice 1042.pdf")
data = m.as_bytes(policy=SMTP)
if target == "memory":
    pass
elif target == "/dev/null":
    open("/dev/null", "wb").write(data)
else:
    open(target, "wb").write(data)
