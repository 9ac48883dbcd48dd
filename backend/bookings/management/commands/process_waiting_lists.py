"""Expire overdue offers, give free places to activity queues, and serve
courses' lines (docs/courses.md). Idempotent:
run every few minutes from cron or a systemd timer."""

from django.core.management.base import BaseCommand

from backend.bookings.courses import course_lines_process
from backend.bookings.services import waiting_lists_process


class Command(BaseCommand):
    help = "Expire overdue offers (passing places on) and fill places from activity queues."

    def handle(self, *args, **options):
        expired, placed = waiting_lists_process()
        enrolled = course_lines_process()
        self.stdout.write(
            f"offers expired: {expired}; places given from queues: {placed}; "
            f"enrolled from course lines: {enrolled}"
        )
