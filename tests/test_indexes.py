"""The indexes the pages' filters and the search box rely on (issue #8).

- The composite indexes that match the pages' filters (ward, year, quarter, status, unit,
  meeting date…) are named in the models' ``Meta.indexes``; they are checked here by name and
  columns, so dropping or changing one is a visible decision, not an accident.
- ``search_key`` is searched with ``LIKE '%word%'``: on PostgreSQL a trigram (GIN,
  ``gin_trgm_ops``) index per searchable model serves it (wardwork/trigram.py), and the plan
  of Django's own SQL (``"search_key"::text LIKE …``) uses it; on SQLite there is no such
  index and the search is a plain ``LIKE``. Either way the search finds the same rows.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from meetings.models import IssuedDocument, Meeting
from meetings.review_models import QuarterlyReview, Reminder
from models_registry.models import Registration, RegistrationUpdate
from plans.models import Plan, ProgressReport, Task
from wardwork.models import Organization, Person, Position, Ward
from wardwork.trigram import TRIGRAM_INDEXES

ON_POSTGRES = connection.vendor == "postgresql"

# model, index name, its columns in order
FILTER_INDEXES = [
    (Organization, "organization_ward_kind_idx", ["ward_id", "kind", "is_active"]),
    (Person, "person_ward_sort_idx", ["ward_id", "sort_key"]),
    (Position, "position_person_org_role_idx", ["person_id", "organization_id", "role"]),
    (Plan, "plan_ward_year_type_idx", ["ward_id", "year", "doc_type"]),
    (Plan, "plan_ward_active_issued_idx", ["ward_id", "is_active", "issued_on"]),
    (Task, "task_ward_status_idx", ["ward_id", "status"]),
    (Task, "task_lead_status_idx", ["lead_organization_id", "status"]),
    (ProgressReport, "report_period_unit_idx", ["ward_id", "year", "quarter", "organization_id"]),
    (
        ProgressReport,
        "report_task_unit_period_idx",
        ["task_id", "organization_id", "year", "quarter"],
    ),
    (ProgressReport, "report_done_idx", ["task_id", "organization_id", "year", "quarter"]),
    (Registration, "registration_ward_status_idx", ["ward_id", "year", "status"]),
    (Registration, "registration_ward_kind_idx", ["ward_id", "year", "kind"]),
    (Registration, "registration_unit_year_idx", ["registered_by_unit_id", "year"]),
    (Registration, "registration_submitted_idx", ["status", "submitted_at"]),
    (RegistrationUpdate, "registration_update_period_idx", ["year", "quarter"]),
    (Meeting, "meeting_ward_period_idx", ["ward_id", "year", "quarter"]),
    (Meeting, "meeting_ward_status_held_idx", ["ward_id", "status", "held_at"]),
    (IssuedDocument, "issued_doc_ward_kind_idx", ["ward_id", "kind", "issued_on"]),
    (QuarterlyReview, "review_period_status_idx", ["year", "quarter", "status"]),
    (Reminder, "reminder_ward_period_idx", ["ward_id", "year", "quarter"]),
]

SEARCHABLE = [Ward, Organization, Person, Plan, Task, Registration, Meeting]


def constraints(model) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, model._meta.db_table)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "name", "columns"), FILTER_INDEXES, ids=[name for _, name, _ in FILTER_INDEXES]
)
def test_filter_index_exists(model, name, columns):
    found = constraints(model)
    assert name in found, f"{model._meta.db_table} lost its index {name}"
    assert found[name]["index"]
    assert found[name]["columns"] == columns


@pytest.mark.django_db
def test_every_searchable_model_has_a_trigram_index_listed():
    assert set(TRIGRAM_INDEXES) == {model._meta.db_table for model in SEARCHABLE}


@pytest.mark.django_db
@pytest.mark.parametrize("model", SEARCHABLE, ids=lambda m: m.__name__)
def test_search_key_index_is_the_trigram_one(model):
    """No B-tree on ``search_key`` (it never served ``LIKE '%word%'``); on PostgreSQL the
    trigram index, and only it."""
    on_search_key = {
        name: info
        for name, info in constraints(model).items()
        if info["index"] and info["columns"] == ["search_key"]
    }
    if ON_POSTGRES:
        assert list(on_search_key) == [TRIGRAM_INDEXES[model._meta.db_table]]
        assert on_search_key[TRIGRAM_INDEXES[model._meta.db_table]]["type"] == "gin"
    else:
        assert on_search_key == {}


@pytest.mark.skipif(not ON_POSTGRES, reason="trigram indexes exist on PostgreSQL only")
@pytest.mark.django_db
@pytest.mark.parametrize("model", SEARCHABLE, ids=lambda m: m.__name__)
def test_search_plan_uses_the_trigram_index(model):
    """The SQL Django writes for ``.search()`` can use the index (the ``::text`` cast does not
    defeat it). Sequential scans are switched off because on an almost empty table the
    planner rightly prefers one."""
    sql, params = model.objects.search("vận động").values("pk").query.sql_with_params()
    assert '"search_key"::text LIKE' in sql
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # and no plain index scan either: a B-tree scanned whole for the ordering (Ward by
        # name) or a sort over another index must not hide whether the LIKE can use trigrams
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert TRIGRAM_INDEXES[model._meta.db_table] in plan, plan


@pytest.mark.django_db
def test_search_finds_the_same_rows_with_or_without_the_index(home, away):
    """Accents and case ignored, every word must match, words shorter than a trigram too."""
    women_home, women_away = home.women, away.women
    assert set(Organization.objects.search("hội PHỤ NU")) == {women_home, women_away}
    assert list(Organization.objects.search("phu nu phuc dong")) == [women_home]
    assert list(Organization.objects.search("nu phúc")) == [women_home]
    assert list(Organization.objects.search("phu nu xyz")) == []
    hung = home.cell_secretary.person
    assert list(Person.objects.filter(ward=home.ward).search("văn hùng")) == [hung]
    assert set(Person.objects.search("van hung")) == {hung, away.cell_secretary.person}
