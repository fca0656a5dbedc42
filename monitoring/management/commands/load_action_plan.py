from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from monitoring.plan_loader import load_cycles
from projects.plan_loader import PlanDataError, load_plan
from stakeholders.services import ensure_secretariat_group


class Command(BaseCommand):
    help = (
        "Load the ASEM Education 2030 Action Plan (objectives, subgoals, actions, countries, "
        "organisations, initiatives with their rows, milestones and indicators) from fixtures/plan. "
        "Idempotent: running it again changes nothing. Also creates the Secretariat group."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", help="Directory holding the plan's YAML files (default: fixtures/plan).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, then roll back.")

    def handle(self, *args, path=None, dry_run=False, verbosity=1, **options):
        try:
            with transaction.atomic():
                report = load_plan(path)
                load_cycles(path, report=report)  # meetings and reporting cycles (cycles.yaml)
                group_created = ensure_secretariat_group()
                if dry_run:
                    transaction.set_rollback(True)
        except PlanDataError as exc:
            raise CommandError(f"The plan's data is inconsistent: {exc}") from exc
        if verbosity >= 1:
            prefix = "Dry run, nothing saved. " if dry_run else ""
            self.stdout.write(prefix + report.summary())
            if group_created and verbosity >= 2:
                self.stdout.write("Created the Secretariat group.")
