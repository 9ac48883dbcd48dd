"""`manage.py send_reminders`: queue the reminders that are due (idempotent;
cron every 10 minutes, before send_notifications)."""

from django.core.management.base import BaseCommand

from backend.notifications.reminders import reminders_send


class Command(BaseCommand):
    help = "Queue reminders for booked sessions (the day before, outside quiet hours)."

    def handle(self, *args, **options):
        self.stdout.write(f"reminded {reminders_send()} booking(s)")
