import time

from django.core.management.base import BaseCommand, CommandError

from monitoring import synthetic


class Command(BaseCommand):
    help = (
        "Add a realistic synthetic plan on top of the real one: SCALE × 100 initiatives with organisations, "
        "members, milestones, indicators and ~10 progress updates each across three reporting cycles. "
        "Deterministic for a seed. Refuses to run when synthetic data exists unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Hundreds of initiatives to add (default 1).")
        parser.add_argument("--seed", type=int, default=2030)
        parser.add_argument("--replace", action="store_true", help="Remove earlier synthetic data first.")
        parser.add_argument("--remove", action="store_true", help="Only remove the synthetic data.")
        parser.add_argument(
            "--compact",
            action="store_true",
            help="Then rewrite the initiatives' and indicators' tables without the first copies of their rows "
            "(PostgreSQL VACUUM FULL: locks them while it runs; for a benchmark database, not a serving one).",
        )

    def handle(self, *args, scale, seed, replace, remove, compact, verbosity=1, **options):
        if remove or replace:
            synthetic.remove()
            if remove:
                if verbosity:
                    self.stdout.write("Synthetic data removed.")
                return
        started = time.monotonic()
        try:
            counts = synthetic.generate(scale, seed=seed)
        except synthetic.SyntheticDataError as exc:
            raise CommandError(str(exc)) from exc
        synthetic.analyze(compact=compact)  # outside the transaction: fresh statistics for the new rows
        if verbosity:
            self.stdout.write(f"Created {counts} in {time.monotonic() - started:.1f} s.")
