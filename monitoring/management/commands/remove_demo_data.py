from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from core.exceptions import WorkflowError
from monitoring.demo import remove_demo_data


class Command(BaseCommand):
    help = (
        "Remove all demonstration data (the progress updates and work-plan items create_demo_updates made, flagged "
        "is_demo): each approval is withdrawn through the update services first, so that nothing it changed on an "
        "initiative stays. Idempotent; --dry-run says what would go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the demonstration data, remove nothing.")
        parser.add_argument(
            "--user",
            default="secretariat",
            help="The Secretariat member (or superuser) who withdraws the demo approvals (default: secretariat).",
        )

    def handle(self, *args, dry_run=False, user="secretariat", verbosity=1, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None and not dry_run:
            raise CommandError(f"No active user {user!r}: name a Secretariat member with --user.")
        try:
            lines = remove_demo_data(actor=actor, dry_run=dry_run)
        except (WorkflowError, PermissionDenied) as error:
            raise CommandError(f"Nothing was removed: {error}") from error
        if verbosity >= 1:
            for line in lines:
                self.stdout.write(line)
