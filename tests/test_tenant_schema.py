"""Can the schema be distributed by ward (Citus, docs/scaling.md)? Every table of the project
apps is classified here, explicitly:

- a **tenant table** is distributed by ``ward_id``: it carries the ward itself (a foreign key
  named ``ward``, NOT NULL on the live tables), and every unique constraint, unique field
  and unique_together includes the ward, because Citus only enforces uniqueness that
  contains the distribution column. The primary key ``id`` is exempt here: the Citus
  migration turns it into ``(ward_id, id)`` in SQL (docs/scaling.md, "What has to change");
- a **global table** becomes a Citus reference table (copied to every node) or stays on the
  coordinator: a short list, each with its reason. A reference table may not point at a
  distributed one, which is checked too.

Every table complies since 27/11/2026 (the migrations of that day added the ward to the
child tables and the many-to-many tables, copied the higher committees into each ward, and
widened the unique constraints). Should a table ever have to wait for its change, list it
below with the reason: it is then marked ``xfail(strict=True)``, and the day it is fixed the
strict xfail fails until the entry is removed. A model added without being classified fails
``test_every_table_is_classified``.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from wardwork.models import Ward

PROJECT_APPS = ("wardwork", "plans", "models_registry", "meetings")

# --- Global tables: Citus reference tables (or coordinator-local), with why --------------------

GLOBAL_TABLES = {
    "wardwork.Ward": "the tenants themselves: 3,321 rows, joined from every tenant table",
    "wardwork.HistoricalWard": "history of the ward list",
    "wardwork.User": (
        "a login is looked up by user name before its ward is known, user names are unique "
        "nationally, and superusers have no ward"
    ),
    "wardwork.HistoricalUser": "history of the accounts",
    "wardwork.User_groups": "accounts' Django groups (auth tables are global)",
    "wardwork.User_user_permissions": "accounts' Django permissions (auth tables are global)",
    "models_registry.Field": "the four official fields of the movement and local topics",
    "meetings.DocumentTemplate": (
        "a handful of Word layouts; a ward-less one is the national default for every ward"
    ),
    "meetings.HistoricalDocumentTemplate": "history of the layouts",
}

# --- Tenant tables ----------------------------------------------------------------------------

TENANT_TABLES = {
    # wardwork
    "wardwork.Organization",
    "wardwork.HistoricalOrganization",
    "wardwork.Person",
    "wardwork.HistoricalPerson",
    "wardwork.Position",
    "wardwork.HistoricalPosition",
    # plans
    "plans.Plan",
    "plans.HistoricalPlan",
    "plans.Task",
    "plans.HistoricalTask",
    "plans.TaskSupportingOrganization",
    "plans.HistoricalTaskSupportingOrganization",
    "plans.ProgressReport",
    "plans.HistoricalProgressReport",
    "plans.DocumentSequence",
    # models_registry
    "models_registry.Registration",
    "models_registry.HistoricalRegistration",
    "models_registry.RegistrationEvent",
    "models_registry.RegistrationRevision",
    "models_registry.RegistrationUpdate",
    "models_registry.HistoricalRegistrationUpdate",
    "models_registry.Recognition",
    "models_registry.HistoricalRecognition",
    # meetings
    "meetings.Meeting",
    "meetings.HistoricalMeeting",
    "meetings.MeetingChair",
    "meetings.HistoricalMeetingChair",
    "meetings.MeetingReviewedPlan",
    "meetings.HistoricalMeetingReviewedPlan",
    "meetings.MeetingEvent",
    "meetings.Attendance",
    "meetings.HistoricalAttendance",
    "meetings.Contribution",
    "meetings.HistoricalContribution",
    "meetings.Conclusion",
    "meetings.HistoricalConclusion",
    "meetings.ConclusionLeadOrganization",
    "meetings.HistoricalConclusionLeadOrganization",
    "meetings.ConclusionSupportingOrganization",
    "meetings.HistoricalConclusionSupportingOrganization",
    "meetings.IssuedDocument",
    "meetings.QuarterlyReview",
    "meetings.HistoricalQuarterlyReview",
    "meetings.QuarterlyReviewEvent",
    "meetings.Reminder",
}

# Tenant tables without their own ward column today: how they reach the ward.
NO_WARD_COLUMN: dict[str, str] = {}

# A ward column that may be empty (Citus refuses NULL in the distribution column).
NULLABLE_WARD: dict[str, str] = {}

# Tenant tables with a unique constraint (or unique field) that leaves the ward out.
UNIQUE_WITHOUT_WARD: dict[str, str] = {}

# Global tables with a database foreign key to a tenant table (a Citus reference table
# cannot reference a distributed table).
GLOBAL_POINTING_AT_TENANT: dict[str, str] = {}


def project_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in PROJECT_APPS
    ]


def is_history(model) -> bool:
    """A django-simple-history table: rows are never unique, FKs carry no DB constraint."""
    return model.__name__.startswith("Historical") and hasattr(model, "instance_type")


def ward_column_problem(model) -> str | None:
    try:
        field = model._meta.get_field("ward")
    except Exception:  # FieldDoesNotExist
        return "no ward column"
    if not getattr(field, "concrete", False) or field.related_model is not Ward:
        return "`ward` is not a foreign key to Ward"
    if field.null and not is_history(model):
        return "`ward` is nullable"
    return None


def unique_sets(model) -> list[tuple[str, tuple[str, ...]]]:
    """Every uniqueness the database enforces on the table, except the primary key."""
    found = []
    opts = model._meta
    for field in opts.concrete_fields:
        if field.unique and not field.primary_key:
            found.append((f"{field.name} (unique field)", (field.name,)))
    for names in opts.unique_together:
        found.append((f"unique_together {names}", tuple(names)))
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names = tuple(constraint.fields) or tuple(
                str(expression) for expression in constraint.expressions
            )
            found.append((constraint.name, names))
    return found


def params(labels, expected_failures, message):
    return [
        pytest.param(
            label,
            marks=pytest.mark.xfail(strict=True, reason=message % expected_failures[label]),
            id=label,
        )
        if label in expected_failures
        else pytest.param(label, id=label)
        for label in sorted(labels)
    ]


# --- Classification ----------------------------------------------------------------------------


def test_every_table_is_classified():
    """A new model is a tenant table (with its ward) or, rarely, a justified global one."""
    labels = {model._meta.label for model in project_models()}
    unclassified = labels - TENANT_TABLES - set(GLOBAL_TABLES)
    assert not unclassified, (
        f"Classify {sorted(unclassified)} in tests/test_tenant_schema.py: a tenant table "
        "carries `ward` and includes it in its unique constraints (docs/scaling.md)"
    )
    assert not TENANT_TABLES & set(GLOBAL_TABLES)
    stale = (TENANT_TABLES | set(GLOBAL_TABLES)) - labels
    assert not stale, f"no such model any more: {sorted(stale)}"
    assert set(NO_WARD_COLUMN) <= TENANT_TABLES
    assert set(NULLABLE_WARD) <= TENANT_TABLES
    assert set(UNIQUE_WITHOUT_WARD) <= TENANT_TABLES
    assert set(GLOBAL_POINTING_AT_TENANT) <= set(GLOBAL_TABLES)


def test_the_global_list_stays_short_and_justified():
    assert len(GLOBAL_TABLES) <= 10
    for label, reason in GLOBAL_TABLES.items():
        assert len(reason) > 15, label


# --- Tenant tables: the ward column and the unique constraints ---------------------------------


def ward_column_expected_failures() -> dict[str, str]:
    reasons = {label: f"reaches it through {how}" for label, how in NO_WARD_COLUMN.items()}
    reasons |= {label: f"nullable, {why}" for label, why in NULLABLE_WARD.items()}
    return reasons


@pytest.mark.parametrize(
    "label", params(TENANT_TABLES, ward_column_expected_failures(), "no ward column yet: %s")
)
def test_tenant_table_carries_the_ward(label):
    problem = ward_column_problem(apps.get_model(label))
    assert problem is None, f"{label}: {problem}"


@pytest.mark.parametrize(
    "label",
    params(TENANT_TABLES, UNIQUE_WITHOUT_WARD, "unique without the ward: %s"),
)
def test_tenant_table_unique_constraints_include_the_ward(label):
    model = apps.get_model(label)
    missing = [name for name, fields in unique_sets(model) if "ward" not in fields]
    assert not missing, f"{label}: {missing} leave out the ward"


def test_history_tables_have_no_unique_constraint_to_fix():
    """simple-history keeps every version: its tables enforce no uniqueness, so only their
    ward column matters (checked above)."""
    for model in project_models():
        if is_history(model):
            assert unique_sets(model) == [], model._meta.label


# --- Global tables: no database reference into a tenant table ----------------------------------


def points_at_tenant(model) -> list[str]:
    found = []
    for field in model._meta.concrete_fields:
        if field.is_relation and getattr(field, "db_constraint", True):
            target = field.related_model._meta.label
            if target in TENANT_TABLES:
                found.append(f"{field.name} -> {target}")
    return found


@pytest.mark.parametrize(
    "label",
    params(
        GLOBAL_TABLES,
        GLOBAL_POINTING_AT_TENANT,
        "a reference table cannot point at a distributed one: %s",
    ),
)
def test_global_table_references_no_tenant_table(label):
    found = points_at_tenant(apps.get_model(label))
    assert not found, f"{label}: {found}"


# --- The checks themselves -----------------------------------------------------------------------


def test_the_checks_see_what_they_look_for():
    from meetings.models import Conclusion, IssuedDocument, Meeting
    from models_registry.models import Field
    from plans.models import Plan, ProgressReport

    assert ward_column_problem(Plan) is None
    assert ward_column_problem(ProgressReport) is None
    assert ward_column_problem(Field) == "no ward column"
    plan_sets = dict(unique_sets(Plan))
    assert plan_sets["plan_unique_symbol_per_issuer_year"] == (
        "ward",
        "issuer",
        "year",
        "symbol_key",
    )
    assert dict(unique_sets(Conclusion))["conclusion_one_per_task"] == ("ward", "task")
    assert "issued_document_one_per_quarter" in dict(unique_sets(IssuedDocument))
    assert unique_sets(Meeting) == []


@isolate_apps("tests")
def test_the_checks_catch_a_table_that_breaks_the_rules():
    """What a newly added model would be told: a nullable ward, a one-to-one and a unique
    constraint without the ward, a global table pointing at a tenant one."""

    from plans.models import Task

    class Note(models.Model):  # noqa: DJ008
        ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, related_name="+")
        task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="+")
        number = models.IntegerField()

        class Meta:
            app_label = "tests"
            constraints = [models.UniqueConstraint(fields=["task", "number"], name="note_u")]

    class Child(models.Model):  # noqa: DJ008
        owner = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "tests"

    assert ward_column_problem(Note) == "`ward` is nullable"
    assert ward_column_problem(Child) == "no ward column"
    assert dict(unique_sets(Note)) == {
        "task (unique field)": ("task",),
        "note_u": ("task", "number"),
    }
    assert points_at_tenant(Note) == ["task -> plans.Task"]
