from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from stakeholders.services import DEMO_ACCOUNTS, ensure_demo_accounts


class Command(BaseCommand):
    help = (
        "Create the demo accounts for local use (a superuser, a Secretariat reviewer, a coordinator and "
        "contributors) and print their credentials. Idempotent. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production).")

    def handle(self, *args, force=False, verbosity=1, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts are for local use: DEBUG is off. Use --force to create them anyway.")
        ensure_demo_accounts()
        if verbosity >= 1:
            User = get_user_model()
            self.stdout.write("Demo accounts (local use only):")
            for account in DEMO_ACCOUNTS:
                if User.objects.filter(username=account.username).exists():
                    self.stdout.write(f"  {account.description:<48} {account.username} / {account.password}")
