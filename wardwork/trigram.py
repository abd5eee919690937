"""Trigram indexes for the ``search_key`` columns, on PostgreSQL only.

Searches filter with ``search_key__contains=word``, which Django writes as
``"search_key"::text LIKE '%word%'``: a B-tree cannot serve a pattern that starts with ``%``,
a GIN index with ``gin_trgm_ops`` (extension ``pg_trgm``) can, and PostgreSQL matches it
through the ``::text`` cast. SQLite has no such index: there the migrations do nothing and the
search stays a plain ``LIKE`` scan, which is fine at one ward.

The indexes are not in any model's ``Meta.indexes`` (a ``GinIndex`` there would be created on
SQLite too, and fail), so the migration state does not know them; ``TRIGRAM_INDEXES`` lists
them for the tests that check they exist.
"""

from __future__ import annotations

from django.db import migrations

# table -> index name. One per searchable model.
TRIGRAM_INDEXES: dict[str, str] = {
    "wardwork_ward": "ward_search_trgm",
    "wardwork_organization": "organization_search_trgm",
    "wardwork_person": "person_search_trgm",
    "plans_plan": "plan_search_trgm",
    "plans_task": "task_search_trgm",
    "models_registry_registration": "registration_search_trgm",
    "meetings_meeting": "meeting_search_trgm",
}


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def create_extension(apps, schema_editor) -> None:
    if _postgres(schema_editor):
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def trigram_indexes(*tables: str) -> migrations.RunPython:
    """A migration operation that adds the trigram index of each table's ``search_key`` on
    PostgreSQL (and drops it when the migration is reversed); nothing on other databases."""

    def forwards(apps, schema_editor):
        if not _postgres(schema_editor):
            return
        quote = schema_editor.quote_name
        for table in tables:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(TRIGRAM_INDEXES[table])} "
                f"ON {quote(table)} USING gin ({quote('search_key')} gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if not _postgres(schema_editor):
            return
        for table in tables:
            schema_editor.execute(
                f"DROP INDEX IF EXISTS {schema_editor.quote_name(TRIGRAM_INDEXES[table])}"
            )

    return migrations.RunPython(forwards, backwards, elidable=False)
