#!/usr/bin/python3
"""A real SMTP server on loopback for the monthly mail's tests (aiosmtpd):
TLS required (STARTTLS, or implicit TLS with --smtps), a login required,
and each message kept as DIR/msg-N.eml, its first line the envelope's
recipients ("X-Envelope-To: a, b"). While DIR/refuse exists it answers
every message with a temporary failure (451), as a mail server that is
down for maintenance would.

Usage: smtp_sink.py DIR CERT KEY USER PASSWORD [--smtps]
Writes the port it listens on to DIR/port once it is ready, and serves
until SIGTERM."""
import os
import signal
import socket
import ssl
import sys
import threading
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Keep:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.folder, "refuse")):
            return "451 4.3.0 Mail server busy, try again later"
        with self.lock:
            self.count += 1
            path = os.path.join(self.folder, f"msg-{self.count}.eml")
        data = envelope.original_content or envelope.content
        with open(path + ".part", "wb") as out:
            out.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            out.write(data)
        os.rename(path + ".part", path)
        return "250 2.0.0 Kept"


def main():
    # aiosmtpd 1.4 logs a warning at its own use of Session.login_data.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    folder, cert, key, user, password = sys.argv[1:6]
    smtps = "--smtps" in sys.argv[6:]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    port = free_port()
    options = dict(hostname="127.0.0.1", port=port, authenticator=authenticator,
                   auth_required=True, auth_require_tls=True)
    if smtps:
        # aiosmtpd counts only STARTTLS as TLS for its AUTH rule; here the
        # whole connection is TLS from the first byte.
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        options.update(tls_context=context, require_starttls=True)
    controller = Controller(Keep(folder), **options)
    controller.start()
    with open(os.path.join(folder, "port.part"), "w") as out:
        out.write(f"{port}\n")
    os.rename(os.path.join(folder, "port.part"), os.path.join(folder, "port"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
