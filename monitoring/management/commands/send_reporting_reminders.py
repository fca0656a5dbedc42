import datetime

from django.core.management.base import BaseCommand, CommandError

from monitoring.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail the members of lead and partner organisations of active initiatives with no submitted update in the "
        "open reporting cycle, when the submission window closes within --days days. For cron (daily or weekly): "
        "each person gets at most one reminder a day, recorded in the admin (Monitoring › Reminders sent). "
        "The reminders are queued in the e-mail outbox, which `send_mail` (or `runmailer`) delivers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=14, help="Remind when the window closes within this many days.")
        parser.add_argument("--dry-run", action="store_true", help="List who would be reminded; send nothing.")
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD), for testing a schedule.")

    def handle(self, *args, days=14, dry_run=False, today=None, verbosity=1, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must be a date such as 2023-10-01.") from None
        run = send_reminders(days=days, today=day, dry_run=dry_run)
        if verbosity < 1:
            return
        if run.reason:
            self.stdout.write(f"Nothing to send. {run.reason}")
            return
        verb = "Would remind" if dry_run else "Reminded"
        for address, titles in run.sent:
            self.stdout.write(f"{verb} {address}: {'; '.join(titles)}")
        self.stdout.write(
            f"{len(run.sent)} {'to remind' if dry_run else 'queued in the outbox'}, "
            f"{run.already_sent_today} already reminded today; "
            f"the window of cycle {run.cycle.number} closes in {run.days_left} days."
        )
