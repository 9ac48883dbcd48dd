"""Extend every activity's sessions to the horizon. Idempotent: run it daily."""

from django.core.management.base import BaseCommand

from backend.timetable.services import sessions_generate_all


class Command(BaseCommand):
    help = "Generate sessions for every activity up to the horizon (default 12 weeks)."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=None, help="Horizon in weeks.")

    def handle(self, *args, weeks=None, **options):
        result = sessions_generate_all(horizon_weeks=weeks)
        self.stdout.write(
            f"sessions: {result.created} created, {result.updated} updated, "
            f"{result.deleted} deleted, {result.flagged} flagged for review"
        )
