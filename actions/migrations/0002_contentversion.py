from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("actions", "ContentVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField(default=1, verbose_name="version")),
                ("changed_at", models.DateTimeField(auto_now=True, verbose_name="changed")),
            ],
            options={"verbose_name": "content version", "verbose_name_plural": "content version"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
