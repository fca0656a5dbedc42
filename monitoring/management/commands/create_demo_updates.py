from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from monitoring.demo import ensure_demo_updates


class Command(BaseCommand):
    help = (
        "Local demo only: a demo reporting cycle around today (open, with days left) when none takes updates, a "
        "demo work plan and approved demo progress updates (by the demo accounts) in it, so that the stocktaking "
        "report at /reports/ shows something. Idempotent. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production).")

    def handle(self, *args, force=False, verbosity=1, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo updates are for local use: DEBUG is off. Use --force to create them anyway.")
        for line in ensure_demo_updates():
            if verbosity >= 1:
                self.stdout.write(line)
