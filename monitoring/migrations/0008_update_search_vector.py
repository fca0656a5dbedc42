"""Approved progress updates in the directory's search: each update's full-text document (achievements,
challenges and next steps, in the ``english`` configuration as projects.search.SEARCH_CONFIG), kept by
PostgreSQL itself as the initiatives' documents are (projects migration 0012): a trigger writes it before an
update is inserted or one of its texts is written, whoever writes (the services, the admin, bulk inserts,
``loaddata``). A partial GIN index holds the approved ones only, the ones a search reads. Other databases keep
no document: the search reads the texts with LIKE there.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

CREATE = """
CREATE FUNCTION monitoring_update_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := to_tsvector(
        'english'::regconfig, concat_ws(' ', NEW.achievements, NEW.challenges, NEW.next_steps)
    );
    RETURN NEW;
END
$$;

CREATE TRIGGER monitoring_update_search_document
BEFORE INSERT OR UPDATE OF achievements, challenges, next_steps ON projects_progressupdate
FOR EACH ROW EXECUTE FUNCTION monitoring_update_search_document();

UPDATE projects_progressupdate
SET search_vector = to_tsvector('english'::regconfig, concat_ws(' ', achievements, challenges, next_steps));
"""

DROP = """
DROP TRIGGER monitoring_update_search_document ON projects_progressupdate;
DROP FUNCTION monitoring_update_search_document();
"""


def on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0007_remove_update_excerpt'),
        ('projects', '0014_trigram_search'),
    ]

    operations = [
        migrations.AddField(
            model_name='progressupdate',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='progressupdate',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('status', 'approved')), fields=['search_vector'], name='update_search_vector_idx'),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
