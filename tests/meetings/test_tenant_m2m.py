"""The many-to-many tables of meetings and conclusions carry their ward (Citus distributes by
ward): chairs and plans under review (the meeting's ward), lead and supporting bodies (the
conclusion's). Rows made by the services, the pages' forms, the admin and a bare ``add()``
carry it; a duplicate is refused by the unique (ward, owner, target); the history of the
relations is still kept; migration 0008 keeps the rows of the tables it turns into through
models and fills their ward."""

from __future__ import annotations

import pytest
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth.models import Permission
from django.core import checks
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import (
    Conclusion,
    ConclusionLeadOrganization,
    ConclusionSupportingOrganization,
    Meeting,
    MeetingChair,
    MeetingKind,
    MeetingReviewedPlan,
)
from meetings.record_services import conclusion_restore
from tests.meetings.conftest import make_meeting
from tests.meetings.factories import APRIL_13_2021
from tests.meetings.test_admin import _admin_url, _change_data, _prefix, _row_index
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

THROUGH = [
    MeetingChair,
    MeetingReviewedPlan,
    ConclusionLeadOrganization,
    ConclusionSupportingOrganization,
]
# The query that fills a row's ward from its meeting when the caller did not give it.
WARD_LOOKUP = 'SELECT "meetings_meeting"."id", "meetings_meeting"."ward_id" FROM'


def _wards(model, **filters) -> set:
    return set(model.objects.filter(**filters).values_list("ward_id", flat=True))


def _new_meeting(setup, **values) -> Meeting:
    return Meeting(
        ward=setup.ward,
        kind=MeetingKind.QUARTERLY_REVIEW,
        title="Hội nghị đánh giá quý I/2021",
        year=2021,
        quarter=1,
        held_at=APRIL_13_2021,
        **values,
    )


# --- the models -----------------------------------------------------------------------------------
def test_the_relations_go_through_ward_owned_models_on_the_old_tables():
    tables = {
        Meeting.chairs: ("meetings_meeting_chairs", "meeting"),
        Meeting.reviewed_plans: ("meetings_meeting_reviewed_plans", "meeting"),
        Conclusion.lead_organizations: ("meetings_conclusion_lead_organizations", "conclusion"),
        Conclusion.supporting_organizations: (
            "meetings_conclusion_supporting_organizations",
            "conclusion",
        ),
    }
    for descriptor, (table, parent) in tables.items():
        through = descriptor.through
        assert through in THROUGH
        assert (through._meta.db_table, through.ward_parent) == (table, parent)
        assert not through._meta.get_field("ward").null
        assert through._meta.unique_together == ()
        (constraint,) = through._meta.constraints
        assert constraint.fields[:2] == ("ward", parent)


def test_the_history_models_are_named_after_the_through_models():
    history = {
        Meeting.history.model.chairs.model: "HistoricalMeetingChair",
        Meeting.history.model.reviewed_plans.model: "HistoricalMeetingReviewedPlan",
        Conclusion.history.model.lead_organizations.model: "HistoricalConclusionLeadOrganization",
        Conclusion.history.model.supporting_organizations.model: (
            "HistoricalConclusionSupportingOrganization"
        ),
    }
    for model, name in history.items():
        assert model.__name__ == name
        assert model._meta.db_table == f"meetings_{name.lower()}"
        assert model._meta.get_field("ward").null  # history rows may lack it


def test_the_database_has_only_the_unique_with_the_ward():
    """Migration 0008 dropped the (owner, target) unique Django made with each table."""
    with connection.cursor() as cursor:
        for model in THROUGH:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            uniques = [
                c["columns"] for c in constraints.values() if c["unique"] and not c["primary_key"]
            ]
            parent = model.ward_parent
            target = next(
                f.column
                for f in model._meta.concrete_fields
                if f.is_relation and f.name not in ("ward", parent)
            )
            assert uniques == [["ward_id", f"{parent}_id", target]], model.__name__


def test_the_meetings_admin_passes_djangos_checks():
    """No admin.E013 for the relations shown through their through models."""
    errors = checks.run_checks(tags=[checks.Tags.admin])
    assert [e for e in errors if getattr(e.obj, "__module__", "").startswith("meetings.")] == []


# --- rows made by the services ------------------------------------------------------------------
def test_meeting_save_gives_chairs_and_plans_the_meetings_ward_without_a_query(home):
    plan = PlanFactory(ward=home.ward, symbol="28-KH/ĐU")
    with CaptureQueriesContext(connection) as queries:
        meeting = services.meeting_save(
            actor=home.staff,
            meeting=_new_meeting(home),
            chairs=[home.secretary.person, home.staff.person],
            reviewed_plans=[plan],
        )
    assert not [q for q in queries if q["sql"].startswith(WARD_LOOKUP)]
    assert _wards(MeetingChair, meeting=meeting) == {home.ward.pk}
    assert MeetingChair.objects.filter(meeting=meeting).count() == 2
    assert _wards(MeetingReviewedPlan, meeting=meeting) == {home.ward.pk}

    services.meeting_save(
        actor=home.staff, meeting=Meeting.objects.get(pk=meeting.pk), chairs=[home.dvk.person]
    )
    assert list(meeting.chairs.all()) == [home.dvk.person]
    assert _wards(MeetingChair, meeting=meeting) == {home.ward.pk}


def test_conclusion_save_gives_the_bodies_the_ward_without_a_query(home):
    meeting = make_meeting(home)
    conclusion = Conclusion(meeting=meeting, text="Rà soát các hộ chưa bàn giao mặt bằng.")
    with CaptureQueriesContext(connection) as queries:
        conclusion = services.conclusion_save(
            actor=home.staff,
            conclusion=conclusion,
            lead_organizations=[home.cell, home.bloc],
            supporting_organizations=[home.women],
        )
    assert not [q for q in queries if q["sql"].startswith(WARD_LOOKUP)]
    assert _wards(ConclusionLeadOrganization, conclusion=conclusion) == {home.ward.pk}
    assert ConclusionLeadOrganization.objects.filter(conclusion=conclusion).count() == 2
    assert _wards(ConclusionSupportingOrganization, conclusion=conclusion) == {home.ward.pk}


def test_a_restored_conclusion_gets_its_bodies_back_with_the_ward(home):
    meeting = make_meeting(home)
    conclusion = meeting.conclusions.get(ordinal=1)  # led by home.cell, home.women supporting
    services.conclusion_delete(actor=home.secretary, conclusion=conclusion)
    assert not ConclusionLeadOrganization.objects.filter(conclusion_id=conclusion.pk).exists()
    restored = conclusion_restore(actor=home.secretary, meeting=meeting, pk=conclusion.pk)
    assert list(restored.lead_organizations.all()) == [home.cell]
    assert list(restored.supporting_organizations.all()) == [home.women]
    assert _wards(ConclusionLeadOrganization, conclusion=restored) == {home.ward.pk}
    assert _wards(ConclusionSupportingOrganization, conclusion=restored) == {home.ward.pk}


def test_a_bare_add_fills_the_ward_from_the_owner(home, away):
    meeting = make_meeting(home)
    Meeting.objects.get(pk=meeting.pk).chairs.add(home.dvk.person)
    assert _wards(MeetingChair, meeting=meeting) == {home.ward.pk}
    conclusion = Conclusion.objects.get(pk=meeting.conclusions.get(ordinal=2).pk)
    conclusion.supporting_organizations.add(home.women)
    assert _wards(ConclusionSupportingOrganization, conclusion=conclusion) == {home.ward.pk}
    # reverse side too: the person's meetings
    other = make_meeting(away)
    away.dvk.person.chaired_meetings.add(other)
    assert _wards(MeetingChair, meeting=other) == {away.ward.pk}


def test_a_duplicate_row_is_refused(home):
    meeting = make_meeting(home)  # chaired by the secretary
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingChair.objects.create(meeting=meeting, person=home.secretary.person)
    conclusion = meeting.conclusions.get(ordinal=1)  # led by home.cell
    with pytest.raises(IntegrityError), transaction.atomic():
        ConclusionLeadOrganization.objects.create(conclusion=conclusion, organization=home.cell)
    # adding a body already there is a no-op, as before
    conclusion.lead_organizations.add(home.cell)
    assert ConclusionLeadOrganization.objects.filter(conclusion=conclusion).count() == 1


# --- the history --------------------------------------------------------------------------------
def test_the_history_of_chairs_and_bodies_is_still_kept(home):
    meeting = make_meeting(home)
    services.meeting_save(
        actor=home.staff,
        meeting=Meeting.objects.get(pk=meeting.pk),
        chairs=[home.secretary.person, home.dvk.person],
    )
    latest = meeting.history.latest()
    rows = list(latest.chairs.all())
    assert {row.person_id for row in rows} == {home.secretary.person.pk, home.dvk.person.pk}
    assert {row.ward_id for row in rows} == {home.ward.pk}
    assert [row.person_id for row in latest.prev_record.chairs.all()] == [home.secretary.person.pk]

    conclusion = meeting.conclusions.get(ordinal=1)
    services.conclusion_save(
        actor=home.staff,
        conclusion=conclusion,
        lead_organizations=[home.bloc],
        supporting_organizations=[home.women],
    )
    latest = conclusion.history.latest()
    assert [row.organization_id for row in latest.lead_organizations.all()] == [home.bloc.pk]
    assert {row.ward_id for row in latest.lead_organizations.all()} == {home.ward.pk}
    assert home.cell.pk in {
        row.organization_id
        for record in conclusion.history.all()
        for row in record.lead_organizations.all()
    }


# --- rows made by the pages' forms ----------------------------------------------------------------
def test_the_meeting_form_gives_chairs_and_plans_the_ward(client, home):
    plan = PlanFactory(ward=home.ward, symbol="28-KH/ĐU")
    client.force_login(home.staff)
    response = client.post(
        reverse("meetings:meeting_create"),
        {
            "kind": "quarterly_review",
            "title": "Hội nghị sơ kết quý II/2021",
            "quarter": "2",
            "held_at": "12/07/2021 08:30",
            "chairs": [home.secretary.person.pk],
            "reviewed_plans": [plan.pk],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Hội nghị sơ kết quý II/2021")
    assert list(meeting.chairs.all()) == [home.secretary.person]
    assert _wards(MeetingChair, meeting=meeting) == {home.ward.pk}
    assert _wards(MeetingReviewedPlan, meeting=meeting) == {home.ward.pk}


def test_the_conclusion_form_gives_the_bodies_the_ward(client, home):
    meeting = make_meeting(home)
    client.force_login(home.staff)
    response = client.post(
        reverse("meetings:conclusion_create", args=[meeting.pk]),
        {
            "text": "Chi bộ rà soát các hộ chưa bàn giao mặt bằng.",
            "lead_organizations": [home.other_cell.pk],
            "supporting_organizations": [home.women.pk],
        },
    )
    assert response.status_code in (200, 302)
    conclusion = Conclusion.objects.get(meeting=meeting, ordinal=3)
    assert list(conclusion.lead_organizations.all()) == [home.other_cell]
    assert _wards(ConclusionLeadOrganization, conclusion=conclusion) == {home.ward.pk}
    assert _wards(ConclusionSupportingOrganization, conclusion=conclusion) == {home.ward.pk}


# --- the admin ----------------------------------------------------------------------------------
def test_the_admin_shows_the_relations_as_autocomplete_multiple_choices(client, home, away):
    meeting = make_meeting(home)
    home.staff.is_staff = True
    home.staff.save()
    home.staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="meetings"))
    client.force_login(home.staff)
    response = client.get(_admin_url(Meeting, "change", meeting.pk))
    assert response.status_code == 200
    fields = response.context["adminform"].form.fields
    for name in ("chairs", "reviewed_plans"):
        assert isinstance(fields[name].widget.widget, AutocompleteSelectMultiple)
    # choices limited to the user's ward, as for the other relations
    assert home.secretary.person in fields["chairs"].queryset
    assert away.secretary.person not in fields["chairs"].queryset
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is Conclusion:
            form = inline.formset.forms[0]
            for name in ("lead_organizations", "supporting_organizations"):
                assert isinstance(form.fields[name].widget.widget, AutocompleteSelectMultiple)
            assert away.cell not in form.fields["lead_organizations"].queryset
            break
    else:
        raise AssertionError("no conclusion inline")


def test_the_admin_saves_chairs_plans_and_bodies_with_the_ward(client, superuser, home):
    meeting = make_meeting(home)
    plan = PlanFactory(ward=home.ward, symbol="28-KH/ĐU")
    client.force_login(superuser)
    response = client.get(_admin_url(Meeting, "change", meeting.pk))
    data = _change_data(response)
    assert data["chairs"] == [str(home.secretary.person.pk)]
    data["chairs"] = [str(home.secretary.person.pk), str(home.dvk.person.pk)]
    data["reviewed_plans"] = [str(plan.pk)]
    prefix = _prefix(response, Conclusion)
    first = meeting.conclusions.get(ordinal=1)  # led by home.cell, home.women supporting
    index = _row_index(data, prefix, first.pk)
    assert data[f"{prefix}-{index}-lead_organizations"] == [str(home.cell.pk)]
    data[f"{prefix}-{index}-lead_organizations"] = [str(home.cell.pk), str(home.bloc.pk)]
    data[f"{prefix}-{index}-supporting_organizations"] = [str(home.other_cell.pk)]
    response = client.post(_admin_url(Meeting, "change", meeting.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert set(meeting.chairs.all()) == {home.secretary.person, home.dvk.person}
    assert list(meeting.reviewed_plans.all()) == [plan]
    assert set(first.lead_organizations.all()) == {home.cell, home.bloc}
    assert list(first.supporting_organizations.all()) == [home.other_cell]
    for model, owner in (
        (MeetingChair, {"meeting": meeting}),
        (MeetingReviewedPlan, {"meeting": meeting}),
        (ConclusionLeadOrganization, {"conclusion__meeting": meeting}),
        (ConclusionSupportingOrganization, {"conclusion__meeting": meeting}),
    ):
        assert _wards(model, **owner) == {home.ward.pk}, model.__name__
    assert {row.person_id for row in meeting.history.latest().chairs.all()} == {
        home.secretary.person.pk,
        home.dvk.person.pk,
    }


def test_the_admin_refuses_a_chair_of_another_ward(client, superuser, home, away):
    meeting = make_meeting(home)
    client.force_login(superuser)
    response = client.get(_admin_url(Meeting, "change", meeting.pk))
    data = _change_data(response)
    data["chairs"] = [str(away.secretary.person.pk)]
    response = client.post(_admin_url(Meeting, "change", meeting.pk), data)
    assert response.status_code == 200
    assert "chairs" in response.context["adminform"].form.errors
    assert list(meeting.chairs.all()) == [home.secretary.person]


# --- the migration ------------------------------------------------------------------------------
BEFORE = [("meetings", "0007_tenant_ward_children")]


def _migrate(targets=None) -> None:
    """Migrate to ``targets``, by default to the latest migrations."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_rows_and_fills_their_ward(home, away):
    meetings = [make_meeting(home), make_meeting(away)]
    for meeting, setup in zip(meetings, (home, away), strict=True):
        meeting.reviewed_plans.add(PlanFactory(ward=setup.ward))
    counts = {model: model.objects.count() for model in THROUGH}
    histories = {
        model: model.objects.count()
        for model in (
            Meeting.history.model.chairs.model,
            Conclusion.history.model.lead_organizations.model,
        )
    }
    assert all(counts.values()) and all(histories.values())
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM meetings_historicalmeeting_chairs")
            assert cursor.fetchone()[0] == histories[Meeting.history.model.chairs.model]
    finally:
        _migrate()
    assert {model: model.objects.count() for model in THROUGH} == counts
    for meeting in meetings:
        assert _wards(MeetingChair, meeting=meeting) == {meeting.ward_id}
        assert _wards(MeetingReviewedPlan, meeting=meeting) == {meeting.ward_id}
        for model in (ConclusionLeadOrganization, ConclusionSupportingOrganization):
            assert _wards(model, conclusion__meeting=meeting) == {meeting.ward_id}
    for model, count in histories.items():
        assert model.objects.count() == count
        assert set(model.objects.values_list("ward_id", flat=True)) == {
            home.ward.pk,
            away.ward.pk,
        }
    test_the_database_has_only_the_unique_with_the_ward()
