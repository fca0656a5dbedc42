from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.models import StrategicObjective
from core.cache import bump_content_version
from projects.models import Project


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
            # The initiatives' search documents are written by the database's triggers as the rows arrive
            # (projects.search), whatever the backup holds of them.
            call_command("loaddata", file, verbosity=0)
            bump_content_version()
        if verbosity:
            self.stdout.write(f"Restored {file}.")
