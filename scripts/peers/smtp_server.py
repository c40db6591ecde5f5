"""aiosmtpd on 127.0.0.1 as a real SMTP peer: plain, STARTTLS (required) or implicit TLS.

usage: smtp_server.py PORT [plain|plain-small|starttls|implicit] [CERT KEY]
plain-small: plain text, with a data limit of SMALL_LIMIT bytes (EHLO SIZE, 552 above it).
Accepted messages are appended to $MAILENGINE_SMTP_SINK (a directory) when set.
"""
import sys

sys.dont_write_bytecode = True  # importing aiosmtpd_peer leaves no __pycache__ in the source tree
from aiosmtpd_peer import save_to_sink, serve, server_tls_context  # noqa: E402 (after the line above)

SMALL_LIMIT = 16384


class Sink:
    async def handle_DATA(self, server, session, envelope):
        save_to_sink(envelope)
        return "250 2.0.0 Ok: queued as TEST1"


def main() -> None:
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "plain"
    ctx = None
    if mode not in ("plain", "plain-small"):
        ctx = server_tls_context(sys.argv[3], sys.argv[4])
    kwargs = {}
    if mode == "starttls":
        kwargs = dict(tls_context=ctx, require_starttls=True)
    elif mode == "implicit":
        kwargs = dict(ssl_context=ctx)
    elif mode == "plain-small":
        kwargs = dict(data_size_limit=SMALL_LIMIT)
    serve(Sink(), port, **kwargs)


if __name__ == "__main__":
    main()
