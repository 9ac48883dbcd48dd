"""Expire overdue offers and give free places to activity queues. Idempotent:
run every few minutes from cron or a systemd timer."""

from django.core.management.base import BaseCommand

from backend.bookings.services import waiting_lists_process


class Command(BaseCommand):
    help = "Expire overdue offers (passing places on) and fill places from activity queues."

    def handle(self, *args, **options):
        expired, placed = waiting_lists_process()
        self.stdout.write(f"offers expired: {expired}; places given from queues: {placed}")
