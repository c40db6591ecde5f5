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
import sys

from aiosmtpd.smtp import MISSING, AuthResult

sys.dont_write_bytecode = True  # importing aiosmtpd_peer leaves no __pycache__ in the source tree
from aiosmtpd_peer import save_to_sink, serve, server_tls_context  # noqa: E402 (after the line above)

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
        save_to_sink(envelope, prefix="oauth-")
        log(f"DATA from {envelope.mail_from} to {','.join(envelope.rcpt_tos)}: {len(envelope.content)} bytes")
        return "250 2.0.0 OK 1733050000 oauth-queue-1 - gsmtp"


def main() -> None:
    port = int(sys.argv[1])
    ctx = server_tls_context(sys.argv[2], sys.argv[3])
    serve(OAuthHandler(), port, tls_context=ctx, require_starttls=True, auth_require_tls=True,
          auth_exclude_mechanism=["LOGIN", "PLAIN"])


if __name__ == "__main__":
    main()
