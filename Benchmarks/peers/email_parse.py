#!/usr/bin/env python3
"""Python email: parse a message and decode every attachment."""
import sys
from email import message_from_binary_file, policy
m = message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
total = sum(len(p.get_content()) for p in m.iter_attachments())
if total == 0:
    sys.exit("no attachment decoded")
