"""Approved progress updates in the initiatives' own search documents, instead of a document per update.

Measured at the benchmark's scale (9,000 initiatives, 82,000 approved updates; docs/performance.md): matching a
common word against every update's own document read tens of thousands of documents (about a second), while the
initiatives' documents are read from their GIN index. So each initiative's document (projects.search: title A,
summary B, rows C) now also holds the words of its approved updates (achievements, challenges, next steps) with
weight D, stripped of their positions (a few hundred bytes more: matching needs the words, ranking weighs D least).

The database keeps it, as it keeps the rest of the document (projects migration 0012): this migration widens the
one SQL function that makes a document, ``projects_search_document``, to read the approved updates too (monitoring
knows the initiatives; the initiatives do not know the updates), and three statement-level triggers on the
updates' table remake the documents of the initiatives whose approved updates a statement added, changed (texts,
status, initiative) or removed, once per initiative per statement, whoever writes (the services, the admin, bulk
inserts, ``loaddata``). Other databases (SQLite in development) keep no document: nothing is made there.

It replaces migration 0008's per-update document, its trigger and its index.
"""

from django.db import migrations

DROP_UPDATE_DOCUMENT = """
DROP TRIGGER monitoring_update_search_document ON projects_progressupdate;
DROP FUNCTION monitoring_update_search_document();
"""

RESTORE_UPDATE_DOCUMENT = """
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

#: projects migration 0012's document, for going back.
OWN_TEXTS_ONLY = """
CREATE OR REPLACE FUNCTION projects_search_document(title text, summary text, project bigint) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce((
            SELECT string_agg(concat(plan_row.activities, ' ', plan_row.expected_outcomes), ' ' ORDER BY plan_row.id)
            FROM projects_actioncontribution AS plan_row
            WHERE plan_row.project_id = project
        ), '')), 'C')
$$;

DROP TRIGGER monitoring_updates_inserted ON projects_progressupdate;
DROP TRIGGER monitoring_updates_changed ON projects_progressupdate;
DROP TRIGGER monitoring_updates_deleted ON projects_progressupdate;
DROP FUNCTION monitoring_updates_inserted();
DROP FUNCTION monitoring_updates_changed();
DROP FUNCTION monitoring_updates_deleted();

UPDATE projects_project SET search_vector = projects_search_document(title, summary, id);
"""

WITH_APPROVED_UPDATES = """
CREATE OR REPLACE FUNCTION projects_search_document(title text, summary text, project bigint) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce((
            SELECT string_agg(concat(plan_row.activities, ' ', plan_row.expected_outcomes), ' ' ORDER BY plan_row.id)
            FROM projects_actioncontribution AS plan_row
            WHERE plan_row.project_id = project
        ), '')), 'C')
        || setweight(strip(to_tsvector('english'::regconfig, coalesce((
            SELECT string_agg(concat_ws(' ', update_row.achievements, update_row.challenges, update_row.next_steps),
                              ' ' ORDER BY update_row.id)
            FROM projects_progressupdate AS update_row
            WHERE update_row.project_id = project AND update_row.status = 'approved'
        ), ''))), 'D')
$$;

CREATE FUNCTION monitoring_updates_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE projects_project SET search_vector = projects_search_document(title, summary, id)
    WHERE id IN (SELECT project_id FROM inserted WHERE status = 'approved');
    RETURN NULL;
END
$$;

CREATE FUNCTION monitoring_updates_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only what a search reads: an approved update before or after, whose texts, status or initiative changed.
    UPDATE projects_project SET search_vector = projects_search_document(title, summary, id)
    WHERE id IN (
        SELECT unnest(ARRAY[before.project_id, after.project_id])
        FROM old_rows AS before JOIN new_rows AS after ON after.id = before.id
        WHERE (before.status = 'approved' OR after.status = 'approved')
          AND (before.status IS DISTINCT FROM after.status
               OR before.project_id IS DISTINCT FROM after.project_id
               OR before.achievements IS DISTINCT FROM after.achievements
               OR before.challenges IS DISTINCT FROM after.challenges
               OR before.next_steps IS DISTINCT FROM after.next_steps)
    );
    RETURN NULL;
END
$$;

CREATE FUNCTION monitoring_updates_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE projects_project SET search_vector = projects_search_document(title, summary, id)
    WHERE id IN (SELECT project_id FROM deleted WHERE status = 'approved');
    RETURN NULL;
END
$$;

CREATE TRIGGER monitoring_updates_inserted AFTER INSERT ON projects_progressupdate
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION monitoring_updates_inserted();
CREATE TRIGGER monitoring_updates_changed AFTER UPDATE ON projects_progressupdate
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_updates_changed();
CREATE TRIGGER monitoring_updates_deleted AFTER DELETE ON projects_progressupdate
REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION monitoring_updates_deleted();

-- The documents already there, made again by the widened function.
UPDATE projects_project SET search_vector = projects_search_document(title, summary, id);
"""


def on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0012_demo_data_flag'),
        ('projects', '0016_summary_needs_no_trigram_index'),
    ]

    operations = [
        migrations.RunPython(on_postgresql(DROP_UPDATE_DOCUMENT), on_postgresql(RESTORE_UPDATE_DOCUMENT)),
        migrations.RemoveIndex(
            model_name='progressupdate',
            name='update_search_vector_idx',
        ),
        migrations.RemoveField(
            model_name='progressupdate',
            name='search_vector',
        ),
        migrations.RunPython(on_postgresql(WITH_APPROVED_UPDATES), on_postgresql(OWN_TEXTS_ONLY)),
    ]
