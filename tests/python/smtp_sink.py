"""A real SMTP server for tests (aiosmtpd): every message it accepts is appended to a file as
one JSON line with its envelope, subject, text and HTML parts.

Usage: smtp_sink.py PORT OUTFILE [starttls|tls CERT KEY]
(prints "ready" once it listens; runs until killed). With `starttls` the server offers STARTTLS
and refuses mail until the client has used it; with `tls` it speaks TLS from the first byte
(SMTPS). CERT and KEY are PEM files.
"""
import email
import email.policy
import json
import logging
import ssl
import sys
import time

from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), sys.argv[2]


class Sink:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "messageId": str(message["message-id"]),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
        }
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


# A client that refuses the certificate is a case the tests make on purpose: no tracebacks.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

options = {}
if len(sys.argv) > 3:
    mode, cert, key = sys.argv[3], sys.argv[4], sys.argv[5]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    if mode == "starttls":
        options = {"tls_context": context, "require_starttls": True}
    elif mode == "tls":
        options = {"ssl_context": context}
    else:
        sys.exit(f"unknown mode {mode!r}")

controller = Controller(Sink(), hostname="127.0.0.1", port=port, **options)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
