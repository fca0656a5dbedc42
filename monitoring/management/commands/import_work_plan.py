from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.models import ReportingCycle
from monitoring.workplan_import import WorkPlanFileError, import_work_plan, read_rows


class Command(BaseCommand):
    help = (
        "Import a reporting cycle's work plan (the annex of the Chair's Conclusions) from a CSV or XLSX file with "
        "the columns initiative (slug or title), planned activity, expected output. Every row is checked first: "
        "on any error nothing is imported and the errors are listed by row. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .csv (UTF-8) or .xlsx file.")
        parser.add_argument("--cycle", type=int, required=True, help="The cycle's number.")
        parser.add_argument("--replace", action="store_true", help="Delete the cycle's items missing from the file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, save nothing.")

    def handle(self, *args, file, cycle, replace=False, dry_run=False, verbosity=1, **options):
        try:
            the_cycle = ReportingCycle.objects.get(number=cycle)
        except ReportingCycle.DoesNotExist:
            raise CommandError(f"There is no reporting cycle {cycle}.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            rows = read_rows(path.read_bytes(), path.name)
        except WorkPlanFileError as error:
            raise CommandError(str(error)) from error
        result = import_work_plan(cycle=the_cycle, rows=rows, replace=replace, dry_run=dry_run)
        if not result.ok:
            raise CommandError("\n".join([result.summary(), *(str(error) for error in result.errors)]))
        if verbosity >= 1:
            self.stdout.write(result.summary())
