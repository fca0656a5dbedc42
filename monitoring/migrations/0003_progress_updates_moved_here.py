import django.db.models.deletion
import monitoring.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MOVED = ("progressupdate", "historicalprogressupdate", "milestonereport", "indicatorvalue", "evidence", "updatetransition")


def _relabel(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=to_label, model=model).exists():
            ContentType.objects.filter(app_label=from_label, model=model).update(app_label=to_label)


def move_content_types(apps, schema_editor):
    _relabel(apps, "projects", "monitoring")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "monitoring", "projects")


class Migration(migrations.Migration):
    """Progress updates and their parts move here from the projects app, beside their cycle. Their tables keep their
    names (``db_table``), so only Django's idea of the models changes; the rows, the history and the content types
    (renamed, so the admin's log and the permissions keep pointing at them) stay as they are."""

    dependencies = [
        ('monitoring', '0002_stocktaking_report_files'),
        ('projects', '0008_update_excerpt'),
        ('stakeholders', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalProgressUpdate',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('approved', 'Approved')], default='draft', max_length=20, verbose_name='status')),
                        ('period_start', models.DateField(verbose_name='reporting period from')),
                        ('period_end', models.DateField(verbose_name='reporting period to')),
                        ('achievements', models.TextField(blank=True, verbose_name='achievements')),
                        ('challenges', models.TextField(blank=True, verbose_name='challenges')),
                        ('next_steps', models.TextField(blank=True, verbose_name='next steps')),
                        ('version', models.PositiveIntegerField(default=1, help_text='Raised by every save.', verbose_name='version')),
                        ('return_reason', models.TextField(blank=True, verbose_name='reason for returning')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted')),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('author', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('cycle', models.ForeignKey(blank=True, db_constraint=False, help_text='The cycle open when the update was written (set by the services); empty before cycles.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='monitoring.reportingcycle', verbose_name='reporting cycle')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(blank=True, db_constraint=False, help_text='The organisation reporting; its members share the draft.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='stakeholders.organisation', verbose_name='organisation')),
                        ('project', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.project', verbose_name='initiative')),
                        ('reviewed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by')),
                    ],
                    options={
                        'verbose_name': 'historical progress update',
                        'verbose_name_plural': 'historical progress updates',
                        'db_table': 'projects_historicalprogressupdate',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='ProgressUpdate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('approved', 'Approved')], default='draft', max_length=20, verbose_name='status')),
                        ('period_start', models.DateField(verbose_name='reporting period from')),
                        ('period_end', models.DateField(verbose_name='reporting period to')),
                        ('achievements', models.TextField(blank=True, verbose_name='achievements')),
                        ('challenges', models.TextField(blank=True, verbose_name='challenges')),
                        ('next_steps', models.TextField(blank=True, verbose_name='next steps')),
                        ('excerpt', models.TextField(blank=True, editable=False, verbose_name='excerpt')),
                        ('excerpt_cut', models.BooleanField(default=False, editable=False, verbose_name='excerpt cut short')),
                        ('version', models.PositiveIntegerField(default=1, help_text='Raised by every save.', verbose_name='version')),
                        ('return_reason', models.TextField(blank=True, verbose_name='reason for returning')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted')),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='progress_updates', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('cycle', models.ForeignKey(blank=True, help_text='The cycle open when the update was written (set by the services); empty before cycles.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='updates', to='monitoring.reportingcycle', verbose_name='reporting cycle')),
                        ('organisation', models.ForeignKey(help_text='The organisation reporting; its members share the draft.', on_delete=django.db.models.deletion.PROTECT, related_name='progress_updates', to='stakeholders.organisation', verbose_name='organisation')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='updates', to='projects.project', verbose_name='initiative')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reviewed_updates', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by')),
                    ],
                    options={
                        'verbose_name': 'progress update',
                        'verbose_name_plural': 'progress updates',
                        'db_table': 'projects_progressupdate',
                        'ordering': ['-period_end', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='MilestoneReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('outcome', models.CharField(choices=[('achieved', 'Achieved'), ('on_track', 'On track'), ('delayed', 'Delayed'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='outcome')),
                        ('achieved_on', models.DateField(blank=True, null=True, verbose_name='achieved on')),
                        ('new_date', models.DateField(blank=True, null=True, verbose_name='delayed to')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('previous_state', models.JSONField(blank=True, editable=False, null=True, verbose_name='state before approval')),
                        ('milestone', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='projects.milestone', verbose_name='milestone')),
                        ('update', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='milestone_reports', to='monitoring.progressupdate', verbose_name='update')),
                    ],
                    options={
                        'verbose_name': 'milestone report',
                        'verbose_name_plural': 'milestone reports',
                        'db_table': 'projects_milestonereport',
                        'ordering': ['milestone__planned_start', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='IndicatorValue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='value')),
                        ('as_of', models.DateField(verbose_name='as of')),
                        ('applied', models.BooleanField(default=False, editable=False, verbose_name='applied to the initiative')),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='values', to='projects.indicator', verbose_name='indicator')),
                        ('update', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicator_values', to='monitoring.progressupdate', verbose_name='update')),
                    ],
                    options={
                        'verbose_name': 'indicator value',
                        'verbose_name_plural': 'indicator values',
                        'db_table': 'projects_indicatorvalue',
                        'ordering': ['indicator__pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Evidence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                        ('url', models.URLField(blank=True, max_length=500, verbose_name='link')),
                        ('file', models.FileField(blank=True, max_length=300, upload_to=monitoring.models.evidence_upload_to, verbose_name='file')),
                        ('content_type', models.CharField(blank=True, editable=False, max_length=100, verbose_name='file type')),
                        ('size', models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='size in bytes')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='added')),
                        ('update', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='monitoring.progressupdate', verbose_name='update')),
                    ],
                    options={
                        'verbose_name': 'evidence',
                        'verbose_name_plural': 'evidence',
                        'db_table': 'projects_evidence',
                        'ordering': ['pk'],
                    },
                ),
                migrations.AlterField(
                    model_name='workplanitemreport',
                    name='update',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='work_plan_reports', to='monitoring.progressupdate', verbose_name='update'),
                ),
                migrations.CreateModel(
                    name='UpdateTransition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_status', models.CharField(blank=True, choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('approved', 'Approved')], max_length=20, verbose_name='from')),
                        ('to_status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('approved', 'Approved')], max_length=20, verbose_name='to')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('at', models.DateTimeField(auto_now_add=True, verbose_name='at')),
                        ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('update', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='monitoring.progressupdate', verbose_name='update')),
                    ],
                    options={
                        'verbose_name': 'update transition',
                        'verbose_name_plural': 'update transitions',
                        'db_table': 'projects_updatetransition',
                        'ordering': ['at', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='progressupdate',
                    index=models.Index(fields=['status', '-period_end'], name='update_status_period_idx'),
                ),
                migrations.AddIndex(
                    model_name='progressupdate',
                    index=models.Index(fields=['project', 'status'], name='update_project_status_idx'),
                ),
                migrations.AddIndex(
                    model_name='progressupdate',
                    index=models.Index(fields=['cycle', 'status'], include=('id', 'reviewed_at'), name='update_cycle_status_idx'),
                ),
                migrations.AddConstraint(
                    model_name='progressupdate',
                    constraint=models.CheckConstraint(condition=models.Q(('period_end__gte', models.F('period_start'))), name='update_period_end_not_before_start', violation_error_message='The period cannot end before it starts.'),
                ),
                migrations.AddConstraint(
                    model_name='progressupdate',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'submitted', 'returned', 'approved'])), name='update_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='progressupdate',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'returned'), _negated=True), models.Q(('return_reason', ''), _negated=True), _connector='OR'), name='update_returned_has_reason', violation_error_message='A returned update needs a reason.'),
                ),
                migrations.AddConstraint(
                    model_name='milestonereport',
                    constraint=models.UniqueConstraint(fields=('update', 'milestone'), name='milestone_report_once_per_update'),
                ),
                migrations.AddConstraint(
                    model_name='milestonereport',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('outcome', 'achieved'), _negated=True), ('achieved_on__isnull', False), _connector='OR'), name='milestone_report_achieved_has_date', violation_error_message='Say when the milestone was achieved.'),
                ),
                migrations.AddConstraint(
                    model_name='milestonereport',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('outcome', 'delayed'), _negated=True), ('new_date__isnull', False), _connector='OR'), name='milestone_report_delayed_has_date', violation_error_message='Give the new date of a delayed milestone.'),
                ),
                migrations.AddIndex(
                    model_name='indicatorvalue',
                    index=models.Index(fields=['indicator', '-as_of'], name='indicator_value_latest_idx'),
                ),
                migrations.AddConstraint(
                    model_name='indicatorvalue',
                    constraint=models.UniqueConstraint(fields=('update', 'indicator'), name='indicator_value_once_per_update'),
                ),
                migrations.AddConstraint(
                    model_name='indicatorvalue',
                    constraint=models.CheckConstraint(condition=models.Q(('value__gte', 0)), name='indicator_value_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='evidence',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('url', ''), models.Q(('file', ''), _negated=True)), models.Q(models.Q(('url', ''), _negated=True), ('file', '')), _connector='OR'), name='evidence_is_a_link_or_a_file', violation_error_message='Evidence is either a link or a file.'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
