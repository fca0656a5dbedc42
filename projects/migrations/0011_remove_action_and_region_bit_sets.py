"""The directory filters initiatives by semi-joins on their rows and organisations: no bit sets kept on them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0005_action_number_without_upper_limit"),
        ("projects", "0010_project_version"),
        ("stakeholders", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="project",
            name="project_listing_idx",
        ),
        migrations.RemoveField(
            model_name="project",
            name="action_mask",
        ),
        migrations.RemoveField(
            model_name="project",
            name="region_mask",
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["title", "slug"], include=("id", "status", "is_new"), name="project_listing_idx"
            ),
        ),
    ]
