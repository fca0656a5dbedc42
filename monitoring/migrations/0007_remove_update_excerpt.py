"""An update's excerpt is cut where it is shown (monitoring.report), not stored with it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0006_one_update_in_progress_per_period"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="progressupdate",
            name="excerpt",
        ),
        migrations.RemoveField(
            model_name="progressupdate",
            name="excerpt_cut",
        ),
    ]
