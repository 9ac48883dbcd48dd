"""Queue notifications (inside the caller's transaction) and deliver them."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from backend.accounts.models import Participant

from .messages import DISCREET, DISCREET_FALLBACK, MESSAGES
from .models import Notification
from .sms import get_backend
from .wording import wording

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
    language (templates from the server catalogue, values written by
    wording.py: her dates and digits, charity-typed text bidi-isolated), so what
    was said is what is recorded. A discreet text uses only `when` (and a
    position or expiry) from the context. Give datetimes, ints and (venue,
    room) tuples as they are: they are written in her language here."""
    subject_text, body_text = DISCREET.get(kind, DISCREET_FALLBACK) if discreet else MESSAGES[kind]
    with translation.override(participant.preferred_language or settings.LANGUAGE_CODE):
        values = wording(context)
        subject = str(subject_text).format(**values)
        body = str(body_text).format(**values)
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


def _claim(*, batch: int, lease: timedelta) -> list[Notification]:
    """Claim up to `batch` due rows in a short transaction of its own. SKIP
    LOCKED lets several workers claim at once, each a different set; the
    lease keeps them ours after the commit, while we send."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Notification.Status.PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .select_related("participant")
            .order_by("created_at", "pk")[:batch]
        )
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            claimed_until=now + lease
        )
    return rows


def _deliver(note: Notification, sms) -> None:
    if note.channel == Notification.Channel.EMAIL:
        send_mail(note.subject, note.body, None, [note.participant.email])
    else:
        sms.send(note.participant.phone, f"{note.subject}. {note.body}")


def notifications_send(*, limit: int = 500, batch: int = 20) -> tuple[int, int]:
    """Deliver pending notifications; safe to run from several servers at once.

    Rows are claimed a batch at a time (SKIP LOCKED on PostgreSQL; SQLite has
    one writer) and each is marked sent only after its send succeeded, in its
    own short write, so no transaction is held open across a send. A worker
    that dies leaves its unsent rows claimed until the lease runs out; then
    the next run sends them. (The one row being sent at the moment of a crash
    may go twice: at least once, never lost.)"""
    lease = timedelta(seconds=settings.HARBOUR_OUTBOX_LEASE_SECONDS)
    sent = failed = 0
    sms = get_backend()
    while sent + failed < limit:
        rows = _claim(batch=min(batch, limit - sent - failed), lease=lease)
        if not rows:
            break
        for note in rows:
            try:
                _deliver(note, sms)
            except Exception as exc:  # a failed send is recorded and retried, not lost
                logger.warning("notification %s failed: %s", note.pk, exc)
                attempts = note.attempts + 1
                # It stays claimed: retried by a run after the lease, not at
                # once in this loop against a provider that just failed.
                Notification.objects.filter(pk=note.pk).update(
                    attempts=attempts,
                    last_error=str(exc)[:300],
                    status=Notification.Status.FAILED
                    if attempts >= 5
                    else Notification.Status.PENDING,
                    updated_at=timezone.now(),
                )
                failed += 1
            else:
                Notification.objects.filter(pk=note.pk).update(
                    attempts=note.attempts + 1,
                    status=Notification.Status.SENT,
                    sent_at=timezone.now(),
                    claimed_until=None,
                    updated_at=timezone.now(),
                )
                sent += 1
    return sent, failed
