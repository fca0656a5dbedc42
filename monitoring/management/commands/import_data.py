from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.models import StrategicObjective
from core.cache import bump_content_version
from monitoring.excerpts import refresh_excerpts
from projects.facets import refresh_facets
from projects.models import Project
from projects.search import refresh_search_vectors


class Command(BaseCommand):
    help = (
        "Restore a backup written by export_data into an empty database (after migrate). "
        "All or nothing: a failure leaves the database as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file written by export_data.")
        parser.add_argument("--force", action="store_true", help="Load even if the database holds plan data.")

    def handle(self, *args, file, force=False, verbosity=1, **options):
        if not force and (StrategicObjective.objects.exists() or Project.objects.exists()):
            raise CommandError("The database already holds plan data: restore into an empty database, or --force.")
        with transaction.atomic():
            call_command("loaddata", file, verbosity=0)
            # Derived data: a backup may predate it, and loaddata sends no signal that would derive it.
            refresh_facets()
            refresh_search_vectors()
            refresh_excerpts()
            bump_content_version()
        if verbosity:
            self.stdout.write(f"Restored {file}.")
