"""Run lottery draws whose time has come, expire overdue offers, give free
places to activity queues and serve courses' lines (docs/fair-shares.md,
docs/courses.md). Idempotent: run every few minutes from cron or a systemd
timer."""

from django.core.management.base import BaseCommand

from backend.bookings.courses import course_lines_process
from backend.bookings.draws import draws_run_due
from backend.bookings.services import waiting_lists_process


class Command(BaseCommand):
    help = (
        "Draw due lotteries, expire overdue offers, fill places from activity queues "
        "and serve courses' lines."
    )

    def handle(self, *args, **options):
        drawn = draws_run_due()
        expired, placed = waiting_lists_process()
        enrolled = course_lines_process()
        self.stdout.write(
            f"draws drawn: {drawn}; offers expired: {expired}; places given from queues: "
            f"{placed}; enrolled from course lines: {enrolled}"
        )
