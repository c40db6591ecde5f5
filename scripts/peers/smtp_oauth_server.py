"""aiosmtpd on 127.0.0.1 offering only AUTH XOAUTH2 (Google's SASL mechanism), STARTTLS required.

usage: smtp_oauth_server.py PORT CERT KEY

Tokens (tests use these, nothing else is accepted):
  ya29.good-token-for-tests      succeeds (235)
  ya29.expired-token-for-tests   fails as Gmail does: a 334 failure challenge carrying base64 JSON
                                 {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"},
                                 then, after the client's required empty response, 535 5.7.8.
Each AUTH is logged to stdout as one line (user, outcome, how the client answered the failure
challenge); tokens are never logged. Accepted messages go to $MAILENGINE_SMTP_SINK when set.
"""
import base64
import json
import os
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, AuthResult

GOOD = "ya29.good-token-for-tests"
EXPIRED = "ya29.expired-token-for-tests"
# Gmail's failure challenge, byte for byte (https://developers.google.com/gmail/imap/xoauth2-protocol).
FAILURE = json.dumps({"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"},
                     separators=(",", ":"))


def log(line: str) -> None:
    print(line, flush=True)


class OAuthHandler:
    async def auth_XOAUTH2(self, server, args):
        # The initial response on the AUTH line, or after an empty 334 (RFC 4954 §4).
        if len(args) > 1:
            try:
                raw = base64.b64decode(args[1], validate=True)
            except ValueError:
                await server.push("501 5.5.2 Cannot decode response")
                return AuthResult(success=False, handled=True)
        else:
            raw = await server.challenge_auth("", encode_to_b64=False)
            if raw is MISSING:
                log("XOAUTH2 cancelled by the client")
                return AuthResult(success=False, handled=True)
        # user=<user>^Aauth=Bearer <token>^A^A
        fields = dict(f.split("=", 1) for f in raw.decode("utf-8", "replace").split("\x01") if "=" in f)
        user = fields.get("user", "")
        auth = fields.get("auth", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if token == GOOD:
            log(f"XOAUTH2 user={user}: accepted")
            return AuthResult(success=True, auth_data=user)
        answer = await server.challenge_auth(FAILURE, encode_to_b64=True)
        if answer is MISSING:
            log(f"XOAUTH2 user={user}: failure challenge answered with a cancel (*)")
            return AuthResult(success=False, handled=True)
        how = "an empty line" if answer == b"" else f"{len(answer)} bytes (not empty: wrong)"
        kind = "expired" if token == EXPIRED else "unknown"
        log(f"XOAUTH2 user={user}: {kind} token; failure challenge answered with {how}")
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Username and Password not accepted. Learn more at "
                                  "https://support.google.com/mail/?p=BadCredentials")

    async def handle_DATA(self, server, session, envelope):
        sink = os.environ.get("MAILENGINE_SMTP_SINK")
        if sink:
            with open(os.path.join(sink, f"oauth-{time.time_ns()}.eml"), "wb") as f:
                f.write(envelope.original_content or envelope.content)
        log(f"DATA from {envelope.mail_from} to {','.join(envelope.rcpt_tos)}: {len(envelope.content)} bytes")
        return "250 2.0.0 OK 1733050000 oauth-queue-1 - gsmtp"


def main() -> None:
    port = int(sys.argv[1])
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    controller = Controller(OAuthHandler(), hostname="127.0.0.1", port=port, server_hostname="localhost",
                            ready_timeout=10, tls_context=ctx, require_starttls=True, auth_require_tls=True,
                            auth_exclude_mechanism=["LOGIN", "PLAIN"])
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
