from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring import cycle_services, exporters
from monitoring.models import ReportingCycle

FORMATS = exporters.FORMATS


class Command(BaseCommand):
    help = (
        "Write a cycle's stocktaking report to files (PDF, XLSX, CSV) from the same builder as the site: the frozen "
        "report once published, else the live draft. Read-only; safe to run from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="The cycle's number (default: the open cycle, else the latest).")
        parser.add_argument("--output-dir", default=".", help="Where to write the files (default: here).")
        parser.add_argument(
            "--formats", default=",".join(FORMATS), help="Comma-separated, among pdf, xlsx, csv (default: all)."
        )

    def handle(self, *args, cycle=None, output_dir=".", formats="", verbosity=1, **options):
        wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
        unknown = sorted(set(wanted) - set(FORMATS))
        if unknown or not wanted:
            raise CommandError(f"Unknown formats: {', '.join(unknown) or '(none given)'}; choose among pdf, xlsx, csv.")
        if cycle is not None:
            the_cycle = ReportingCycle.objects.filter(number=cycle).first()
            if the_cycle is None:
                raise CommandError(f"There is no reporting cycle {cycle}.")
        else:
            the_cycle = ReportingCycle.objects.current() or ReportingCycle.objects.order_by("-number").first()
            if the_cycle is None:
                raise CommandError("There is no reporting cycle yet.")
        data, frozen = cycle_services.report_data(the_cycle)
        directory = Path(output_dir)
        directory.mkdir(parents=True, exist_ok=True)
        for extension in wanted:
            body = exporters.render(data, extension)
            target = directory / exporters.filename(data.cycle.number, extension, published=data.published)
            target.write_bytes(body)
            if verbosity >= 1:
                self.stdout.write(f"{target} ({len(body)} bytes)")
        if verbosity >= 2:
            self.stdout.write("The published, frozen report." if frozen else "A draft, built from the data now.")
