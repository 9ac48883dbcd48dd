"""The generic HTTP SMS backend against a local stand-in gateway: what it
sends, and that any failure raises so the outbox retries the row."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from backend.accounts.models import Participant
from backend.notifications.models import Notification
from backend.notifications.services import notifications_send
from backend.notifications.sms import HttpSmsBackend, SmsError


class Gateway(BaseHTTPRequestHandler):
    status = 200
    received: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            {"auth": self.headers.get("Authorization"), "body": json.loads(self.rfile.read(length))}
        )
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received = []
    Gateway.status = 200
    settings.HARBOUR_SMS_BACKEND = "backend.notifications.sms.HttpSmsBackend"
    settings.HARBOUR_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.HARBOUR_SMS_GATEWAY_TOKEN = "t0ken"
    yield Gateway
    server.shutdown()
    server.server_close()


def test_it_posts_her_text_as_utf8_json_with_the_token(gateway):
    text = "تذكير: \u2068Bike repair\u2069"
    HttpSmsBackend().send("07700 900123", text)
    assert gateway.received == [
        {"auth": "Bearer t0ken", "body": {"to": "07700 900123", "text": text}}
    ]


@pytest.mark.parametrize("status", [400, 500, 503])
def test_a_refusal_raises(gateway, status):
    gateway.status = status
    with pytest.raises(SmsError):
        HttpSmsBackend().send("07700 900123", "Hello")


def test_no_gateway_raises(settings):
    settings.HARBOUR_SMS_GATEWAY_URL = "http://127.0.0.1:9/nothing-listens"
    with pytest.raises(SmsError):
        HttpSmsBackend().send("07700 900123", "Hello")
    settings.HARBOUR_SMS_GATEWAY_URL = "file:///etc/passwd"
    with pytest.raises(SmsError):
        HttpSmsBackend()


def test_the_outbox_marks_sent_only_what_the_gateway_took(db, gateway):
    person = Participant.objects.create(known_as="Amal", phone="07700 900123")
    note = Notification.objects.create(
        participant=person, channel="sms", kind="session_reminder", language="en",
        subject="Reminder", body="Tomorrow",
    )  # fmt: skip
    gateway.status = 500
    assert notifications_send() == (0, 1)
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("pending", 1)
    Notification.objects.filter(pk=note.pk).update(claimed_until=None)  # the lease ran out
    gateway.status = 200
    assert notifications_send() == (1, 0)
    note.refresh_from_db()
    assert note.status == "sent"
    assert [r["body"]["text"] for r in gateway.received] == ["Reminder. Tomorrow"] * 2
