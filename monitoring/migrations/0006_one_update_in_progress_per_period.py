"""One update in progress (draft, returned or submitted) per initiative, organisation and period.

Before the constraint, the migration looks for periods that already have several updates in progress and stops
with their ids if it finds any: which one to keep is for the Secretariat to decide (approve, return and merge, or
change a period in the admin), not for a migration.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count

IN_PROGRESS = ["draft", "returned", "submitted"]


def refuse_duplicates(apps, schema_editor):
    ProgressUpdate = apps.get_model("monitoring", "ProgressUpdate")
    periods = (
        ProgressUpdate.objects.filter(status__in=IN_PROGRESS)
        .values("project", "organisation", "period_start", "period_end")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    clashes = []
    for period in periods[:20]:
        period.pop("n")
        ids = ProgressUpdate.objects.filter(status__in=IN_PROGRESS, **period).values_list("pk", flat=True)
        clashes.append(", ".join(str(pk) for pk in ids))
    if clashes:
        raise RuntimeError(
            "Several progress updates are in progress for the same initiative, organisation and period "
            f"(ids: {'; '.join(clashes)}). Keep one per period (approve, return or change the others' period "
            "in the admin), then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0005_chairs_conclusions_become_documents"),
        ("projects", "0010_project_version"),
        ("stakeholders", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="progressupdate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", IN_PROGRESS)),
                fields=("project", "organisation", "period_start", "period_end"),
                name="update_one_in_progress_per_period",
                violation_error_message=(
                    "The organisation already has an update in progress on this initiative for this period."
                ),
            ),
        ),
    ]
