from django.db import migrations, models


class Migration(migrations.Migration):
    """ContentVersion moves here from the actions app: its table (made by actions 0002) stays as it is."""

    initial = True
    dependencies = [("actions", "0003_action_number_limit")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("value", models.BigIntegerField(default=1, verbose_name="version")),
                        ("changed_at", models.DateTimeField(auto_now=True, verbose_name="changed")),
                    ],
                    options={
                        "verbose_name": "content version",
                        "verbose_name_plural": "content version",
                        "db_table": "actions_contentversion",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
