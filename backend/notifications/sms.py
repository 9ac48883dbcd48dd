"""SMS backends. Set HARBOUR_SMS_BACKEND to a dotted path of a class with
`send(phone: str, text: str) -> None` (raise on failure). The default prints."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS to {phone}: {text}\n")


def get_backend():
    return import_string(settings.HARBOUR_SMS_BACKEND)()
