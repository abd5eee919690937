"""The change history panel (``{% object_history obj %}``) on each object's page.

A change made by a named user shows on the page, as the owner ward's staff see it, with the
user's name, the date and time (dd/mm/yyyy HH:MM, local time), and each changed field's
old → new value as the user reads it; creation shows "created"; a workflow step shows its
reason; private and excluded fields never show; the number of queries does not grow with
the number of records.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from meetings.models import Meeting
from meetings.services import meeting_save
from models_registry.services import registration_return, registration_submit
from plans.models import Plan, Task, TaskStatus
from plans.services import plan_save, task_save
from tests.factories import OrganizationFactory, PersonFactory
from tests.meetings.factories import MeetingFactory
from tests.models_registry.factories import RegistrationFactory
from tests.plans.factories import PlanFactory, TaskFactory
from wardwork.history import object_history

pytestmark = pytest.mark.django_db

# 01:30 UTC is 08:30 in Hà Nội: the page shows local time.
WHEN = dt.datetime(2021, 4, 13, 1, 30, tzinfo=dt.UTC)
WHEN_SHOWN = "13/04/2021 08:30"


def _pin_latest(obj, when=WHEN):
    """Date the object's latest history record ``when`` and the older ones a minute apart
    before it (so that the page shows a known time, in the same order)."""
    records = list(obj.history.order_by("-history_date", "-history_id"))
    for n, record in enumerate(records):
        type(record).objects.filter(pk=record.pk).update(
            history_date=when - dt.timedelta(minutes=n)
        )


def _panel(response) -> str:
    """The history panel's text, tags kept, entities decoded."""
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r'<details class="card mb-3 object-history".*?</details>', html, re.S)
    assert match, "no history panel on the page"
    return unescape(match.group(0))


def _label(model, name: str) -> str:
    text = str(model._meta.get_field(name).verbose_name)
    return text[:1].upper() + text[1:]


def _shows_change(panel: str, label: str, old: str, new: str) -> bool:
    pattern = (
        rf"<li data-field=\"\w+\"><span class=\"text-muted\">{re.escape(label)}:</span>\s*"
        rf"<del>{re.escape(old)}</del> → <ins>{re.escape(new)}</ins></li>"
    )
    return re.search(pattern, panel) is not None


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


# --- each page ------------------------------------------------------------------------------------


def test_plan_page_shows_who_when_and_what_changed(client, home):
    plan = PlanFactory(ward=home.ward, title="Kế hoạch cũ", theme="")
    plan.title = "Kế hoạch mới"
    plan.is_active = True
    plan_save(actor=home.secretary, plan=plan)
    _pin_latest(plan)
    panel = _panel(_get(client, home.staff, reverse("plans:plan_detail", args=[plan.pk])))
    assert home.secretary.person.full_name in panel
    assert WHEN_SHOWN in panel
    assert gettext("changed") in panel
    assert _shows_change(panel, _label(Plan, "title"), "Kế hoạch cũ", "Kế hoạch mới")
    # The factory created it without a user: "system".
    assert gettext("created") in panel
    assert gettext("system") in panel


def test_plan_archive_shows_yes_no(client, home):
    plan = PlanFactory(ward=home.ward)
    from plans.services import plan_archive

    plan_archive(actor=home.secretary, plan=plan, active=False)
    panel = _panel(_get(client, home.staff, reverse("plans:plan_detail", args=[plan.pk])))
    assert _shows_change(panel, _label(Plan, "is_active"), gettext("Yes"), gettext("No"))


def test_task_page_shows_choices_dates_units_and_supporting_units(client, home):
    task = TaskFactory(ward=home.ward, lead_organization=home.cell, due_date=None)
    task._history_user = home.secretary
    task.due_date = dt.date(2021, 6, 30)
    task.status = TaskStatus.IN_PROGRESS
    task.lead_organization = home.other_cell
    task_save(actor=home.secretary, task=task, supporting_organizations=[home.women])
    _pin_latest(task)
    panel = _panel(_get(client, home.staff, reverse("plans:task_detail", args=[task.pk])))
    assert home.secretary.person.full_name in panel
    assert WHEN_SHOWN in panel
    assert _shows_change(panel, _label(Task, "due_date"), "–", "30/06/2021")
    assert _shows_change(
        panel,
        _label(Task, "status"),
        str(TaskStatus.OPEN.label),
        str(TaskStatus.IN_PROGRESS.label),
    )
    assert _shows_change(
        panel, _label(Task, "lead_organization"), home.cell.name, home.other_cell.name
    )
    assert _shows_change(panel, _label(Task, "supporting_organizations"), "–", home.women.name)
    assert gettext("created") in panel


def test_organization_page(client, home):
    org = OrganizationFactory(ward=home.ward, name="Chi bộ số 9", short_name="")
    org._history_user = home.secretary
    org.short_name = "CB9"
    org.save()
    _pin_latest(org)
    url = reverse("directory:organization_detail", args=[org.pk])
    panel = _panel(_get(client, home.staff, url))
    assert home.secretary.person.full_name in panel
    assert WHEN_SHOWN in panel
    assert _shows_change(panel, _label(type(org), "short_name"), "–", "CB9")
    assert gettext("created") in panel


def test_person_page_shows_the_change_but_never_the_private_values(client, home):
    person = PersonFactory(ward=home.ward, title="Bí thư", email="old@example.org")
    person._history_user = home.staff
    person.title = "Phó Bí thư"
    person.email = "secret@example.org"
    person.phone = "0912345678"
    person.save()
    _pin_latest(person)
    url = reverse("directory:person_detail", args=[person.pk])
    response = _get(client, home.staff, url)
    panel = _panel(response)
    assert home.staff.person.full_name in panel
    assert WHEN_SHOWN in panel
    assert _shows_change(panel, pgettext_title(), "Bí thư", "Phó Bí thư")
    assert gettext("changed (not shown here)") in panel
    page = response.content.decode()
    for value in ("old@example.org", "secret@example.org", "0912345678"):
        assert value not in page


def pgettext_title() -> str:
    from wardwork.models import Person

    return _label(Person, "title")


def test_meeting_page_history_tab(client, home):
    meeting = MeetingFactory(ward=home.ward, venue="Hội trường A", created_by=home.secretary)
    meeting.venue = "Hội trường B"
    meeting_save(actor=home.secretary, meeting=meeting)
    _pin_latest(meeting)
    url = reverse("meetings:meeting_detail", args=[meeting.pk]) + "?tab=history"
    panel = _panel(_get(client, home.staff, url))
    assert home.secretary.person.full_name in panel
    assert WHEN_SHOWN in panel
    assert _shows_change(panel, _label(Meeting, "venue"), "Hội trường A", "Hội trường B")
    assert gettext("created") in panel


def test_registration_page_shows_the_return_and_its_reason(client, home):
    registration = RegistrationFactory(ward=home.ward, organization=home.cell)
    registration_submit(actor=home.cell_secretary, registration=registration)
    registration_return(
        actor=home.secretary, registration=registration, note="Bổ sung tiến độ từng quý"
    )
    registration.refresh_from_db()
    _pin_latest(registration)
    url = reverse("models_registry:detail", args=[registration.pk])
    panel = _panel(_get(client, home.staff, url))
    assert home.secretary.person.full_name in panel
    assert home.cell_secretary.person.full_name in panel
    assert WHEN_SHOWN in panel
    model = type(registration)
    assert _shows_change(
        panel,
        _label(model, "status"),
        str(model._meta.get_field("status").flatchoices[1][1]),  # Submitted
        str(dict(model._meta.get_field("status").flatchoices)["returned"]),
    )
    # The reason of the workflow step is the review note the model stores.
    assert _shows_change(panel, _label(model, "review_note"), "–", "Bổ sung tiến độ từng quý")
    assert _shows_change(panel, _label(model, "reviewed_by"), "–", home.secretary.person.full_name)


# --- the selector ---------------------------------------------------------------------------------


def test_a_recorded_change_reason_is_shown(client, home):
    plan = PlanFactory(ward=home.ward)
    plan._history_user = home.secretary
    plan._change_reason = "Sửa theo văn bản của Quận ủy"
    plan.theme = "Chủ đề mới"
    plan.save()
    rows = object_history(plan)
    assert rows[0].reason == "Sửa theo văn bản của Quận ủy"
    panel = _panel(_get(client, home.staff, reverse("plans:plan_detail", args=[plan.pk])))
    assert "Sửa theo văn bản của Quận ủy" in panel
    assert gettext("Reason:") in panel


def test_rows_say_who_when_and_what(home):
    org = OrganizationFactory(ward=home.ward, name="Tổ dân phố 3", is_active=True)
    org._history_user = home.secretary
    org.is_active = False
    org.save()
    rows = object_history(org)
    assert [r.kind for r in rows] == ["~", "+"]
    assert rows[0].who == home.secretary.person.full_name
    assert rows[0].action == gettext("changed")
    assert rows[0].when.tzinfo is not None
    assert [(c.name, c.old, c.new) for c in rows[0].changes] == [
        ("is_active", gettext("Yes"), gettext("No"))
    ]
    assert rows[1].who == gettext("system")
    assert rows[1].action == gettext("created")


def test_a_save_that_changes_nothing_shown_is_left_out(home):
    org = OrganizationFactory(ward=home.ward)
    org.save()  # only updated_at and search_key move
    assert [r.kind for r in object_history(org)] == ["+"]


def test_deletion_is_shown(home):
    person = PersonFactory(ward=home.ward)
    person._history_user = home.secretary
    pk = person.pk
    person.delete()
    rows = object_history(type(person)(pk=pk, ward=home.ward))
    assert rows[0].kind == "-"
    assert rows[0].action == gettext("deleted")
    assert rows[0].who == home.secretary.person.full_name


def test_long_texts_are_shortened(home):
    plan = PlanFactory(ward=home.ward, title="Ngắn")
    plan._history_user = home.secretary
    plan.title = "Dài " * 200
    plan.save()
    (change,) = object_history(plan)[0].changes
    assert len(change.new) <= 120


def test_an_account_history_never_shows_its_password(home):
    user = home.plain
    user._history_user = home.secretary
    user.set_password("a-new-secret-2021")
    user.first_name = "Long"
    user.save()
    rows = object_history(user)
    names = {c.name for r in rows for c in r.changes}
    assert "first_name" in names
    assert not names & {"password", "last_login"}
    assert all(
        "a-new-secret" not in c.new and "pbkdf2" not in c.new for r in rows for c in r.changes
    )


def test_another_wards_object_is_never_named(client, home, away):
    """Should a foreign key ever point into another ward, the panel does not name it."""
    task = TaskFactory(ward=home.ward, lead_organization=home.cell)
    task._history_user = home.secretary
    task.lead_organization = away.cell  # bypasses clean(): the ORM, not the service
    task.save()
    (change,) = object_history(task)[0].changes
    assert change.new == gettext("(another ward)")
    panel = _panel(_get(client, home.staff, reverse("plans:task_detail", args=[task.pk])))
    assert away.cell.name not in panel


def test_the_other_ward_cannot_open_the_page(client, home, away):
    plan = PlanFactory(ward=home.ward)
    client.force_login(away.staff)
    assert client.get(reverse("plans:plan_detail", args=[plan.pk])).status_code == 404


def test_more_records_than_the_limit(home):
    org = OrganizationFactory(ward=home.ward, short_name="0")
    for n in range(1, 6):
        org.short_name = str(n)
        org.save()
    _pin_latest(org)
    rows = object_history(org, limit=3)
    assert len(rows) == 3 and rows.truncated
    assert [(c.old, c.new) for c in rows[-1].changes] == [("2", "3")]
    assert not object_history(org).truncated


# --- query count ----------------------------------------------------------------------------------


def _changed_task(home, changes: int) -> Task:
    """A task changed ``changes`` times: its lead unit, supporting units, plan, status and
    its creator move on each change, by a different user each time."""
    plans = [PlanFactory(ward=home.ward), PlanFactory(ward=home.ward)]
    units = [home.cell, home.other_cell, home.women, home.bloc]
    users = [home.secretary, home.staff, home.dvk]
    task = TaskFactory(ward=home.ward, plan=plans[0], lead_organization=units[0])
    for n in range(changes):
        task._history_user = users[n % 3]
        task.lead_organization = units[(n + 1) % 4]
        task.plan = plans[(n + 1) % 2]
        task.ordinal = 100 + n
        task.status = TaskStatus.IN_PROGRESS if n % 2 == 0 else TaskStatus.OPEN
        task.created_by = users[(n + 1) % 3]
        task.save()
        task.supporting_organizations.set([units[(n + 2) % 4]])
    return task


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_the_selector_query_count_does_not_grow_with_the_records(home):
    few, many = _changed_task(home, 2), _changed_task(home, 20)
    rows_few, rows_many = object_history(few), object_history(many)
    assert len(rows_many) > len(rows_few) > 2
    assert _queries(lambda: object_history(few)) == _queries(lambda: object_history(many))


def test_the_page_query_count_does_not_grow_with_the_records(client, home):
    few, many = _changed_task(home, 2), _changed_task(home, 20)
    client.force_login(home.staff)

    def page(task):
        return lambda: client.get(reverse("plans:task_detail", args=[task.pk]))

    page(few)()  # warm the session and caches
    assert _queries(page(few)) == _queries(page(many))


def test_the_plan_page_query_count_does_not_grow_with_the_records(client, home):
    def changed_plan(changes):
        plan = PlanFactory(ward=home.ward, issuer=home.committee)
        for n in range(changes):
            plan._history_user = [home.secretary, home.staff][n % 2]
            plan.title = f"Tiêu đề {n}"
            plan.issuer = [home.committee.parent, home.committee][n % 2]
            plan.is_active = bool(n % 2)
            plan.save()
        return plan

    few, many = changed_plan(2), changed_plan(20)
    client.force_login(home.staff)
    client.get(reverse("plans:plan_detail", args=[few.pk]))
    count_few = _queries(lambda: client.get(reverse("plans:plan_detail", args=[few.pk])))
    count_many = _queries(lambda: client.get(reverse("plans:plan_detail", args=[many.pk])))
    assert count_few == count_many


def test_two_many_to_many_fields_and_a_flat_query_count(home):
    """A meeting keeps its chairs and reviewed plans: both show, read in one query."""
    plans = [PlanFactory(ward=home.ward), PlanFactory(ward=home.ward)]
    people = [home.secretary.person, home.staff.person, home.dvk.person]

    def changed_meeting(changes):
        meeting = MeetingFactory(ward=home.ward)
        meeting._history_user = home.secretary
        for n in range(changes):
            meeting.chairs.set([people[n % 3]])
            meeting.reviewed_plans.set([plans[n % 2]])
        return meeting

    few, many = changed_meeting(2), changed_meeting(20)
    _pin_latest(few)  # a minute apart: each record its own row
    _pin_latest(many)
    changes = [(c.name, c.old, c.new) for r in object_history(few) for c in r.changes]
    assert ("chairs", "–", people[0].full_name) in changes
    assert ("reviewed_plans", "–", str(plans[0])) in changes
    assert ("chairs", people[0].full_name, "–") in changes  # set() removes, then adds
    # The records (with their users), the chairs and plans kept with them (one UNION),
    # the people and the plans they name.
    assert _queries(lambda: object_history(few)) == 4
    assert _queries(lambda: object_history(many)) == 4


def test_one_save_is_one_row(home):
    """Saving a task and setting its supporting units writes three records (the fields,
    the units removed, the units added): the panel shows one change, and the creation with
    its units one "created"."""
    task = Task(ward=home.ward, title="Vận động", lead_organization=home.cell, plan=None)
    task_save(actor=home.secretary, task=task, supporting_organizations=[home.women])
    assert [r.kind for r in object_history(task)] == ["+"]
    task.title = "Vận động nhân dân"
    task_save(actor=home.secretary, task=task, supporting_organizations=[home.bloc])
    assert task.history.count() == 5
    rows = object_history(task)
    assert [r.kind for r in rows] == ["~", "+"]
    assert {c.name: (c.old, c.new) for c in rows[0].changes} == {
        "title": ("Vận động", "Vận động nhân dân"),
        "supporting_organizations": (home.women.name, home.bloc.name),
    }


def test_saves_by_different_people_are_not_merged(home):
    org = OrganizationFactory(ward=home.ward, short_name="A")
    for user, name in ((home.secretary, "B"), (home.staff, "C")):
        org._history_user = user
        org.short_name = name
        org.save()
    rows = object_history(org)
    assert [(r.who, [(c.old, c.new) for c in r.changes]) for r in rows[:2]] == [
        (home.staff.person.full_name, [("B", "C")]),
        (home.secretary.person.full_name, [("A", "B")]),
    ]
