from django.db import migrations


class Migration(migrations.Migration):
    """Progress updates now belong to the monitoring app (monitoring 0003): only Django's state forgets them here;
    their tables stay."""

    dependencies = [
        ('monitoring', '0003_progress_updates_moved_here'),
        ('projects', '0008_update_excerpt'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalprogressupdate',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressupdate',
                    name='cycle',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressupdate',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressupdate',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressupdate',
                    name='project',
                ),
                migrations.RemoveField(
                    model_name='historicalprogressupdate',
                    name='reviewed_by',
                ),
                migrations.RemoveField(
                    model_name='indicatorvalue',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='indicatorvalue',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='milestonereport',
                    name='milestone',
                ),
                migrations.RemoveField(
                    model_name='milestonereport',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='progressupdate',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='progressupdate',
                    name='cycle',
                ),
                migrations.RemoveField(
                    model_name='progressupdate',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='progressupdate',
                    name='project',
                ),
                migrations.RemoveField(
                    model_name='progressupdate',
                    name='reviewed_by',
                ),
                migrations.RemoveField(
                    model_name='updatetransition',
                    name='update',
                ),
                migrations.RemoveField(
                    model_name='updatetransition',
                    name='actor',
                ),
                migrations.DeleteModel(
                    name='Evidence',
                ),
                migrations.DeleteModel(
                    name='HistoricalProgressUpdate',
                ),
                migrations.DeleteModel(
                    name='IndicatorValue',
                ),
                migrations.DeleteModel(
                    name='MilestoneReport',
                ),
                migrations.DeleteModel(
                    name='ProgressUpdate',
                ),
                migrations.DeleteModel(
                    name='UpdateTransition',
                ),
            ],
            database_operations=[],
        ),
    ]
