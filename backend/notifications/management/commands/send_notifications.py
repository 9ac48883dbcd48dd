"""Deliver pending notifications (email and SMS). Idempotent; run every minute."""

from django.core.management.base import BaseCommand

from backend.notifications.services import notifications_send


class Command(BaseCommand):
    help = "Send pending notifications from the outbox."

    def handle(self, *args, **options):
        sent, failed = notifications_send()
        self.stdout.write(f"notifications: {sent} sent, {failed} failed")
