"""aiosmtpd on 127.0.0.1 as a real SMTP peer: plain, STARTTLS (required) or implicit TLS.

usage: smtp_server.py PORT [plain|plain-small|starttls|implicit] [CERT KEY]
plain-small: plain text, with a data limit of SMALL_LIMIT bytes (EHLO SIZE, 552 above it).
Accepted messages are appended to $MAILENGINE_SMTP_SINK (a directory) when set.
"""
import os
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

SMALL_LIMIT = 16384


class Sink:
    async def handle_DATA(self, server, session, envelope):
        sink = os.environ.get("MAILENGINE_SMTP_SINK")
        if sink:
            name = os.path.join(sink, f"{time.time_ns()}.eml")
            with open(name, "wb") as f:
                f.write(envelope.original_content or envelope.content)
        return "250 2.0.0 Ok: queued as TEST1"


def main() -> None:
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "plain"
    ctx = None
    if mode not in ("plain", "plain-small"):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    kwargs = {}
    if mode == "starttls":
        kwargs = dict(tls_context=ctx, require_starttls=True)
    elif mode == "implicit":
        kwargs = dict(ssl_context=ctx)
    elif mode == "plain-small":
        kwargs = dict(data_size_limit=SMALL_LIMIT)
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, server_hostname="localhost",
                            ready_timeout=10, **kwargs)
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
