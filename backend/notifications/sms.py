"""SMS backends: how a text leaves Harbour.

HARBOUR_SMS_BACKEND is the dotted path of a class with
`send(phone: str, text: str) -> None`, made once per `send_notifications`
run. It raises on any failure: the outbox row then stays pending and is
retried by a later run (5 attempts, then `failed`); returning means sent.
`text` is already in her language (UTF-8; Arabic and Persian need the
gateway's Unicode mode) and `phone` is as the coordinator typed it.

- ConsoleSmsBackend (the default): prints, for development.
- HttpSmsBackend: a generic HTTP gateway. POSTs JSON {"to": phone, "text":
  text} to HARBOUR_SMS_GATEWAY_URL with `Authorization: Bearer
  HARBOUR_SMS_GATEWAY_TOKEN`; any answer but 2xx, or no answer within 10 s,
  raises. A gateway that wants other field names is a subclass overriding
  `payload` (or `request`).
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS to {phone}: {text}\n")


class HttpSmsBackend:
    timeout = 10

    def __init__(self):
        self.url = settings.HARBOUR_SMS_GATEWAY_URL
        self.token = settings.HARBOUR_SMS_GATEWAY_TOKEN
        if not self.url.startswith(("https://", "http://")):
            raise SmsError("HARBOUR_SMS_GATEWAY_URL must be an http(s) address")

    def payload(self, phone: str, text: str) -> dict:
        return {"to": phone, "text": text}

    def request(self, phone: str, text: str) -> urllib.request.Request:
        body = json.dumps(self.payload(phone, text), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # The scheme is checked in __init__ (http or https only).
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310

    def send(self, phone: str, text: str) -> None:
        try:
            # The scheme is checked in __init__ (http or https only).
            with urllib.request.urlopen(self.request(phone, text), timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except OSError as exc:  # URLError, HTTPError (non-2xx), timeouts
            raise SmsError(f"SMS gateway: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered {status}")


def get_backend():
    return import_string(settings.HARBOUR_SMS_BACKEND)()
