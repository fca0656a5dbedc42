"""Indexes for the directory's semi-joins (measured in docs/performance.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0005_action_number_without_upper_limit'),
        ('projects', '0012_search_vector_triggers'),
        ('stakeholders', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='actioncontribution',
            index=models.Index(fields=['action', 'project'], name='row_action_project_idx'),
        ),
        migrations.AddIndex(
            model_name='projectorganisation',
            index=models.Index(condition=models.Q(('role__in', ('lead', 'partner'))), fields=['organisation', 'project'], name='taking_part_idx'),
        ),
    ]
