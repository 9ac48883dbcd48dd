"""Run lottery draws whose time has come, expire overdue offers and give free
places to activity queues. Idempotent: run every few minutes from cron or a
systemd timer."""

from django.core.management.base import BaseCommand

from backend.bookings.draws import draws_run_due
from backend.bookings.services import waiting_lists_process


class Command(BaseCommand):
    help = "Draw due lotteries, expire overdue offers and fill places from activity queues."

    def handle(self, *args, **options):
        drawn = draws_run_due()
        expired, placed = waiting_lists_process()
        self.stdout.write(
            f"draws drawn: {drawn}; offers expired: {expired}; places given from queues: {placed}"
        )
