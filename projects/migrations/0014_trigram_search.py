"""pg_trgm, and trigram indexes on the initiatives' titles and summaries: a search that finds nothing as typed
looks for similar words there (monitoring.filters, measured in docs/performance.md). ``TrigramExtension`` does
nothing on other databases, where the indexes are plain ones."""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0005_action_number_without_upper_limit'),
        ('projects', '0013_indexes_of_the_directory_filters'),
        ('stakeholders', '0001_initial'),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name='project',
            index=django.contrib.postgres.indexes.GinIndex(fields=['title'], name='project_title_trgm_idx', opclasses=['gin_trgm_ops']),
        ),
        migrations.AddIndex(
            model_name='project',
            index=django.contrib.postgres.indexes.GinIndex(fields=['summary'], name='project_summary_trgm_idx', opclasses=['gin_trgm_ops']),
        ),
    ]
