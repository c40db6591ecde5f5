"""What the aiosmtpd peers (smtp_server.py, smtp_oauth_server.py) share: the server's TLS context,
the message sink ($MAILENGINE_SMTP_SINK) and running a Controller on 127.0.0.1 until SIGTERM/SIGINT.
"""
import os
import signal
import ssl
import threading
import time

from aiosmtpd.controller import Controller


def server_tls_context(cert: str, key: str) -> ssl.SSLContext:
    """A server-side TLS context with this certificate chain and key."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def save_to_sink(envelope, prefix: str = "") -> None:
    """Writes the message as received to $MAILENGINE_SMTP_SINK/<prefix><ns>.eml when the variable is set."""
    sink = os.environ.get("MAILENGINE_SMTP_SINK")
    if sink:
        with open(os.path.join(sink, f"{prefix}{time.time_ns()}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)


def serve(handler, port: int, **kwargs) -> None:
    """Runs aiosmtpd with `handler` on 127.0.0.1:`port` (server name localhost) until SIGTERM or SIGINT.

    `kwargs` go to the Controller (TLS, STARTTLS, AUTH and size options).
    """
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="localhost",
                            ready_timeout=10, **kwargs)
    controller.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()
