"""Appoint (or remove) a protected space's coordinator from the server's command
line. This is how a space gets its first coordinator; the appointment is
audited with no actor (the operator)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backend.access import services
from backend.access.models import Space


class Command(BaseCommand):
    help = "Appoint a coordinator of a protected space (the operator's bootstrap step)."

    def add_arguments(self, parser):
        parser.add_argument("--space", required=True, help="The space's name.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--remove", action="store_true", help="Remove instead of appoint.")

    def handle(self, *args, space, username, remove=False, **options):
        found = Space.objects.filter(name=space)
        if found.count() != 1:
            raise CommandError(
                f"Expected exactly one space named {space!r}, found {found.count()}."
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if remove:
            services.space_coordinator_remove(space=found.get(), user=user)
            self.stdout.write(f"{username} no longer coordinates {space}.")
        else:
            services.space_coordinator_appoint(space=found.get(), user=user, note="command line")
            self.stdout.write(f"{username} now coordinates {space} (and has access to it).")
