"""An initiative's status comes from its approved progress updates: empty ("not reported yet") until one states it.

The plan states no status: every initiative loaded from it read "ongoing", the old default. Those become empty.
A status anyone chose (planned, completed) is kept; "suspended" is no longer a status and becomes "discontinued",
the nearest of the statuses a contributor states. History keeps the old values as they were.
"""

from django.db import migrations, models


def statuses_from_updates(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Project.objects.filter(status="ongoing").update(status=None)
    Project.objects.filter(status="suspended").update(status="discontinued")


def statuses_as_before(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Project.objects.filter(status__isnull=True).update(status="ongoing")
    Project.objects.filter(status__in=["delayed", "discontinued"]).update(status="suspended")


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0005_action_number_without_upper_limit'),
        ('projects', '0014_trigram_search'),
        ('stakeholders', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='project',
            name='project_status_valid',
        ),
        migrations.AlterField(
            model_name='historicalproject',
            name='status',
            field=models.CharField(blank=True, choices=[('planned', 'Planned'), ('ongoing', 'Ongoing'), ('completed', 'Completed'), ('delayed', 'Delayed'), ('discontinued', 'Discontinued')], default=None, help_text='Set from the latest approved progress update, where the contributor states it; empty ("not reported yet") until then. Correct it here only if an update stated it wrongly.', max_length=20, null=True, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='project',
            name='status',
            field=models.CharField(blank=True, choices=[('planned', 'Planned'), ('ongoing', 'Ongoing'), ('completed', 'Completed'), ('delayed', 'Delayed'), ('discontinued', 'Discontinued')], default=None, help_text='Set from the latest approved progress update, where the contributor states it; empty ("not reported yet") until then. Correct it here only if an update stated it wrongly.', max_length=20, null=True, verbose_name='status'),
        ),
        migrations.RunPython(statuses_from_updates, statuses_as_before),
        migrations.AddConstraint(
            model_name='project',
            constraint=models.CheckConstraint(condition=models.Q(('status__isnull', True), ('status__in', ['planned', 'ongoing', 'completed', 'delayed', 'discontinued']), _connector='OR'), name='project_status_valid'),
        ),
    ]
