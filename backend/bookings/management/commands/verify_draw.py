"""Re-run a lottery draw from its audit record and compare the winners: what a
trustee runs to check a draw (docs/fair-shares.md). Exit status 1 on a mismatch."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from backend.bookings.draws import draw_verify
from backend.bookings.models import QueueDraw


class Command(BaseCommand):
    help = "Re-run a lottery draw from its record and check it gives the recorded winners."

    def add_arguments(self, parser):
        parser.add_argument("draw_id")

    def handle(self, *args, draw_id, **options):
        try:
            draw = QueueDraw.objects.select_related("activity").get(pk=uuid.UUID(draw_id))
        except (ValueError, QueueDraw.DoesNotExist):
            raise CommandError(f"No draw {draw_id}.") from None
        if draw.status != QueueDraw.Status.DRAWN:
            raise CommandError(f"Draw {draw.pk} is {draw.status}, not drawn yet.")
        result = draw_verify(draw)
        out = self.stdout.write
        out(f"draw {draw.pk} for {draw.activity.title}, drawn {draw.drawn_at.isoformat()}")
        out(f"seed {result['seed']} (sha256 {result['seed_sha256']})")
        out(f"{result['entrants']} entrants, {result['places']} places")
        out("recorded winners:   " + " ".join(result["recorded"]))
        out("recomputed winners: " + " ".join(result["recomputed"]))
        if not result["matches"]:
            raise CommandError("MISMATCH: the record does not give the recorded winners.")
        out(self.style.SUCCESS("MATCH: the same winners."))
