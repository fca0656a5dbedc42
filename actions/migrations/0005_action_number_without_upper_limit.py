"""Actions may have any positive number: no initiative keeps its actions as bits of an integer any more."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0004_contentversion_moved_to_core"),
    ]

    operations = [
        migrations.AlterField(
            model_name="action",
            name="number",
            field=models.PositiveSmallIntegerField(
                unique=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name="number"
            ),
        ),
    ]
