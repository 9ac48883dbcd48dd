"""`manage.py catalogues extract|compile|check`: see backend/common/catalogues.py."""

from pathlib import Path

import polib
from django.core.management.base import BaseCommand, CommandError

from backend.common import catalogues


class Command(BaseCommand):
    help = (
        "extract: merge the app's strings and the API error codes into every "
        "locale/<code>/LC_MESSAGES/djangojs.po, and the server's messages into "
        "django.po; compile: write the .mo files; "
        "check: fail if a .mo is out of date."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["extract", "compile", "check"])
        parser.add_argument(
            "--frontend", type=Path, default=None, help="Where the app's JavaScript is."
        )

    def handle(self, *args, action, frontend, **options):
        paths = catalogues.catalogue_paths()
        if action == "extract":
            try:
                messages = catalogues.collect(frontend)
            except catalogues.CatalogueError as exc:
                raise CommandError(str(exc)) from None
            server = catalogues.collect_python()
            work = [(path, messages) for path in paths]
            work += [(path, server) for path in catalogues.server_catalogue_paths()]
            for path, found in work:
                po = polib.pofile(str(path), wrapwidth=0)
                counts = catalogues.merge(po, found)
                po.save(str(path))
                self.stdout.write(
                    f"{path}: {counts['added']} new, {counts['kept']} kept, "
                    f"{counts['obsolete']} obsolete; {po.percent_translated()}% translated"
                )
        elif action == "compile":
            for path in paths + catalogues.catalogue_paths(catalogues.PY_DOMAIN):
                path.with_suffix(".mo").write_bytes(catalogues.compiled(path))
                self.stdout.write(f"compiled {path.with_suffix('.mo')}")
        else:
            stale = catalogues.stale_catalogues()
            if stale:
                names = ", ".join(str(p) for p in stale)
                raise CommandError(f"out of date: {names}; run `make messages`")
            self.stdout.write("catalogues compiled and up to date")
