"""The initiatives' search documents are kept by PostgreSQL itself (see projects.search).

One SQL function makes an initiative's document (title A, summary B, its rows' activities and expected outcomes
C, in the ``english`` configuration, as projects.search.SEARCH_CONFIG); two triggers call it:

- on ``projects_project``, before a row is inserted or its title or summary written: the row's own document;
- on ``projects_actioncontribution``, after a row of the plan is inserted, deleted, moved to another initiative
  or has its texts changed: the documents of the initiatives it belongs (or belonged) to.

Every writer is covered (forms, the admin, queryset updates, bulk inserts, ``loaddata``), and the Python code
refreshes nothing. Other databases (SQLite in development) keep no document: nothing is made there.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION projects_search_document(title text, summary text, project bigint) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce((
            SELECT string_agg(concat(plan_row.activities, ' ', plan_row.expected_outcomes), ' ' ORDER BY plan_row.id)
            FROM projects_actioncontribution AS plan_row
            WHERE plan_row.project_id = project
        ), '')), 'C')
$$;

CREATE FUNCTION projects_project_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := projects_search_document(NEW.title, NEW.summary, NEW.id);
    RETURN NEW;
END
$$;

CREATE TRIGGER projects_project_search_document
BEFORE INSERT OR UPDATE OF title, summary ON projects_project
FOR EACH ROW EXECUTE FUNCTION projects_project_search_document();

CREATE FUNCTION projects_row_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- OLD is NULL after an INSERT and NEW after a DELETE: their project_id is then NULL, which matches nothing.
    UPDATE projects_project
    SET search_vector = projects_search_document(title, summary, id)
    WHERE id IN (OLD.project_id, NEW.project_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER projects_row_search_document
AFTER INSERT OR DELETE OR UPDATE OF project_id, activities, expected_outcomes ON projects_actioncontribution
FOR EACH ROW EXECUTE FUNCTION projects_row_search_document();

-- The documents already there, made again by the same function.
UPDATE projects_project SET search_vector = projects_search_document(title, summary, id);
"""

DROP = """
DROP TRIGGER projects_row_search_document ON projects_actioncontribution;
DROP FUNCTION projects_row_search_document();
DROP TRIGGER projects_project_search_document ON projects_project;
DROP FUNCTION projects_project_search_document();
DROP FUNCTION projects_search_document(text, text, bigint);
"""


def on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0011_remove_action_and_region_bit_sets"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
