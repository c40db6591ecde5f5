#!/usr/bin/python3
"""Reports how Python's `email` package (policy.default) reads each message file given.

Used by Tests/MIMETests/PythonInteropTests.swift to check MailEngine's output against an
independent parser. Prints one JSON object per file, in a JSON list.
"""
import email
import email.policy
import hashlib
import json
import sys


def summary(part):
    if part.is_multipart():
        return part.get_content_subtype() + "(" + ", ".join(summary(p) for p in part.iter_parts()) + ")"
    name = part.get_filename()
    if name is not None:
        return '%s "%s"' % (part.get_content_type(), name)
    return part.get_content_type()


def addresses(msg, field):
    header = msg[field]
    if header is None:
        return []
    return [{"name": a.display_name, "addr": a.addr_spec} for a in header.addresses]


def content(part):
    try:
        return part.get_content()
    except LookupError:   # an unknown charset: Python gives up; report the raw bytes as Latin-1
        return (part.get_payload(decode=True) or b"").decode("latin-1")


def report(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    files = []
    text = html = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if name is not None:
            payload = part.get_payload(decode=True) or b""
            files.append({"filename": name, "type": part.get_content_type(),
                          "sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload),
                          "cid": (part["Content-ID"] or "").strip("<>") or None})
        elif part.get_content_type() == "text/plain" and text is None:
            text = content(part)
        elif part.get_content_type() == "text/html" and html is None:
            html = content(part)
    defects = [type(d).__name__ for p in msg.walk() for d in p.defects]
    return {
        "summary": summary(msg),
        "subject": msg["Subject"] and str(msg["Subject"]),
        "from": addresses(msg, "From"),
        "to": addresses(msg, "To"),
        "cc": addresses(msg, "Cc"),
        "bcc": msg["Bcc"] is not None,
        "messageID": msg["Message-ID"] and str(msg["Message-ID"]),
        "text": text,
        "html": html,
        "files": files,
        "defects": defects,
    }


if __name__ == "__main__":
    print(json.dumps([report(p) for p in sys.argv[1:]], ensure_ascii=False))
