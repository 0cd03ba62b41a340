"""A real SMTP server for tests (aiosmtpd): every message it accepts is appended to a file as
one JSON line with its envelope, subject, text and HTML parts.

Usage: smtp_sink.py PORT OUTFILE   (prints "ready" once it listens; runs until killed)
"""
import email
import email.policy
import json
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


controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
