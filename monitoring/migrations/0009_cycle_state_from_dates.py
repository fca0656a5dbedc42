"""A cycle's state follows from its dates: the stored status goes.

A cycle is planned before its submission window opens, open until the window's last day, closed after it, and
published once its report is (``published_on``). Before the status goes, the dates are made to say what it said,
so that no Secretariat decision is undone: a published cycle keeps its report's publication day; a cycle closed
early has its window end yesterday; an open cycle whose window had not started yet opens today; a planned cycle
whose window has started opens tomorrow. An "open" cycle whose window's last day has passed is closed now, as the
clock says.
"""

import datetime

from django.db import migrations, models
from django.utils import timezone


def dates_say_the_status(apps, schema_editor):
    ReportingCycle = apps.get_model("monitoring", "ReportingCycle")
    StocktakingReport = apps.get_model("monitoring", "StocktakingReport")
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    for cycle in ReportingCycle.objects.all():
        if cycle.status == "published":
            report = StocktakingReport.objects.filter(cycle=cycle, published_at__isnull=False).first()
            cycle.published_on = timezone.localdate(report.published_at) if report else today
        elif cycle.status == "closed" and cycle.submission_closes >= today:
            cycle.submission_closes = today - day
            cycle.submission_opens = min(cycle.submission_opens, cycle.submission_closes)
        elif cycle.status == "open" and cycle.submission_opens > today:
            cycle.submission_opens = today
            cycle.submission_closes = max(cycle.submission_closes, today)
        elif cycle.status == "planned" and cycle.submission_opens <= today:
            cycle.submission_opens = today + day
            cycle.submission_closes = max(cycle.submission_closes, cycle.submission_opens)
        cycle.save()


def status_from_dates(apps, schema_editor):
    ReportingCycle = apps.get_model("monitoring", "ReportingCycle")
    today = timezone.localdate()
    for cycle in ReportingCycle.objects.all():
        if cycle.published_on:
            cycle.status = "published"
        elif today < cycle.submission_opens:
            cycle.status = "planned"
        elif today <= cycle.submission_closes:
            cycle.status = "open"
        else:
            cycle.status = "closed"
        cycle.save()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0008_update_search_vector"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalreportingcycle",
            name="late_submissions_until",
            field=models.DateField(
                blank=True,
                help_text="Optional: after the window closes, updates may still be submitted until this day (included).",
                null=True,
                verbose_name="late submissions accepted until",
            ),
        ),
        migrations.AddField(
            model_name="historicalreportingcycle",
            name="published_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="Set when the stocktaking report is published: the cycle is then frozen.",
                null=True,
                verbose_name="report published on",
            ),
        ),
        migrations.AddField(
            model_name="reportingcycle",
            name="late_submissions_until",
            field=models.DateField(
                blank=True,
                help_text="Optional: after the window closes, updates may still be submitted until this day (included).",
                null=True,
                verbose_name="late submissions accepted until",
            ),
        ),
        migrations.AddField(
            model_name="reportingcycle",
            name="published_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="Set when the stocktaking report is published: the cycle is then frozen.",
                null=True,
                verbose_name="report published on",
            ),
        ),
        migrations.AlterField(
            model_name="historicalreportingcycle",
            name="submission_closes",
            field=models.DateField(help_text="The window's last day.", verbose_name="submissions close"),
        ),
        migrations.AlterField(
            model_name="historicalreportingcycle",
            name="submission_opens",
            field=models.DateField(help_text="The window's first day.", verbose_name="submissions open"),
        ),
        migrations.AlterField(
            model_name="reportingcycle",
            name="submission_closes",
            field=models.DateField(help_text="The window's last day.", verbose_name="submissions close"),
        ),
        migrations.AlterField(
            model_name="reportingcycle",
            name="submission_opens",
            field=models.DateField(help_text="The window's first day.", verbose_name="submissions open"),
        ),
        migrations.AddConstraint(
            model_name="reportingcycle",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("late_submissions_until__isnull", True),
                    ("late_submissions_until__gt", models.F("submission_closes")),
                    _connector="OR",
                ),
                name="cycle_late_submissions_after_window",
                violation_error_message="Late submissions are accepted after the window closes: choose a later day.",
            ),
        ),
        migrations.RunPython(dates_say_the_status, status_from_dates),
        migrations.RemoveConstraint(
            model_name="reportingcycle",
            name="cycle_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="reportingcycle",
            name="at_most_one_open_cycle",
        ),
        migrations.RemoveField(
            model_name="historicalreportingcycle",
            name="status",
        ),
        migrations.RemoveField(
            model_name="reportingcycle",
            name="status",
        ),
    ]
