from django.core.management import call_command
from django.core.management.base import BaseCommand

#: What a backup holds: the plan, the stakeholders, initiatives and updates (with their
#: history and audit trail), monitoring, and the accounts and groups that own them.
BACKUP_LABELS = ["auth.user", "auth.group", "actions", "stakeholders", "projects", "monitoring", "admin.logentry"]


class Command(BaseCommand):
    help = (
        "Export all of the portal's data (plan, stakeholders, initiatives, progress updates, monitoring, "
        "history, users and groups) as one JSON file, for backups. Restore with import_data. "
        "Uploaded evidence files live in MEDIA_ROOT (or the configured storage) and are backed up apart."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="The JSON file to write.")

    def handle(self, *args, output, verbosity=1, **options):
        call_command(
            "dumpdata",
            *BACKUP_LABELS,
            exclude=["core.ContentVersion"],  # a cache counter, not data
            natural_foreign=True,
            output=output,
            verbosity=0,
        )
        if verbosity:
            self.stdout.write(f"Exported {', '.join(BACKUP_LABELS)} to {output}.")
