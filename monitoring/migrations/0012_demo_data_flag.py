"""Demonstration data is flagged in the data: the cycles, progress updates and work-plan items that
create_demo_updates adds (``is_demo``). Those made before this flag existed are recognised by the marks their texts
carry."""

from django.db import migrations, models

#: The marks monitoring.demo wrote into its texts before the flag existed.
DEMO_TEXT = "(Demo data, not a real report.)"
DEMO_ITEM = "(demo work-plan item)"
DEMO_CYCLE_NOTE = "Demo data, added by `make run`"


def flag_existing_demo_data(apps, schema_editor):
    ProgressUpdate = apps.get_model("monitoring", "ProgressUpdate")
    WorkPlanItem = apps.get_model("monitoring", "WorkPlanItem")
    ReportingCycle = apps.get_model("monitoring", "ReportingCycle")
    ProgressUpdate.objects.filter(achievements__startswith=DEMO_TEXT).update(is_demo=True)
    WorkPlanItem.objects.filter(planned_activity__endswith=DEMO_ITEM).update(is_demo=True)
    ReportingCycle.objects.filter(note__startswith=DEMO_CYCLE_NOTE).update(is_demo=True)


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0011_update_nothing_to_report_and_assessments'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalprogressupdate',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, help_text='Made up by create_demo_updates to show the portal; removed by remove_demo_data.', verbose_name='demonstration data'),
        ),
        migrations.AddField(
            model_name='historicalreportingcycle',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, help_text='Added by create_demo_updates to show a cycle at work; removed by remove_demo_data.', verbose_name='demonstration data'),
        ),
        migrations.AddField(
            model_name='historicalworkplanitem',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, help_text='Made up by create_demo_updates to show the portal; removed by remove_demo_data.', verbose_name='demonstration data'),
        ),
        migrations.AddField(
            model_name='progressupdate',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, help_text='Made up by create_demo_updates to show the portal; removed by remove_demo_data.', verbose_name='demonstration data'),
        ),
        migrations.AddField(
            model_name='reportingcycle',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, help_text='Added by create_demo_updates to show a cycle at work; removed by remove_demo_data.', verbose_name='demonstration data'),
        ),
        migrations.AddField(
            model_name='workplanitem',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, help_text='Made up by create_demo_updates to show the portal; removed by remove_demo_data.', verbose_name='demonstration data'),
        ),
        migrations.AddIndex(
            model_name='progressupdate',
            index=models.Index(condition=models.Q(('is_demo', True)), fields=['is_demo'], name='update_demo_idx'),
        ),
        migrations.RunPython(flag_existing_demo_data, migrations.RunPython.noop),
    ]
