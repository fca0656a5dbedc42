from django.db import migrations


class Migration(migrations.Migration):
    """ContentVersion now belongs to the shared package (core 0001); the table stays."""

    dependencies = [("actions", "0003_action_number_limit"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ContentVersion")]),
    ]
