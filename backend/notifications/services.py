"""Queue notifications (inside the caller's transaction) and deliver them."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from backend.accounts.models import Participant

from .messages import DISCREET, DISCREET_FALLBACK, MESSAGES
from .models import Notification
from .sms import get_backend

logger = logging.getLogger(__name__)


def is_discreet(*, participant: Participant, session) -> bool:
    """A message about a women-only session is discreet unless she chose the
    full wording (her one shared-phone preference, kept with her calendar feed)."""
    from backend.feeds.selectors import wants_discreet

    return session.activity.space_id is not None and wants_discreet(user=participant.user)


def notification_queue(
    *, participant: Participant, kind: str, discreet: bool = False, **context
) -> list[Notification]:
    """One row per channel she can be reached on. Texts are rendered now, in her
    language, so what was said is what is recorded. A discreet text uses only
    `when` (and a position or expiry) from the context."""
    subject_text, body_text = DISCREET.get(kind, DISCREET_FALLBACK) if discreet else MESSAGES[kind]
    with translation.override(participant.preferred_language):
        subject = str(subject_text).format(**context)
        body = str(body_text).format(**context)
    channels = []
    if participant.email:
        channels.append(Notification.Channel.EMAIL)
    if participant.phone:
        channels.append(Notification.Channel.SMS)
    return [
        Notification.objects.create(
            participant=participant,
            channel=channel,
            kind=kind,
            language=participant.preferred_language,
            subject=subject,
            body=body,
        )
        for channel in channels
    ]


def notifications_send(*, limit: int = 500) -> tuple[int, int]:
    """Deliver pending notifications. Idempotent and safe to run from several
    servers at once (rows are claimed with SKIP LOCKED where supported)."""
    sent = failed = 0
    sms = get_backend()
    with transaction.atomic():
        batch = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING)
            .select_related("participant")
            .order_by("created_at")[:limit]
        )
        for note in batch:
            note.attempts += 1
            try:
                if note.channel == Notification.Channel.EMAIL:
                    send_mail(note.subject, note.body, None, [note.participant.email])
                else:
                    sms.send(note.participant.phone, f"{note.subject}. {note.body}")
            except Exception as exc:  # a failed send is recorded, not lost
                logger.warning("notification %s failed: %s", note.pk, exc)
                note.last_error = str(exc)[:300]
                if note.attempts >= 5:
                    note.status = Notification.Status.FAILED
                failed += 1
            else:
                note.status = Notification.Status.SENT
                note.sent_at = timezone.now()
                sent += 1
            note.save()
    return sent, failed
