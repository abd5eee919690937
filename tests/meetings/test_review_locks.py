"""The lock of a finalised quarter (the acceptance: "After finalising I/2021, a progress
report for I/2021 is refused everywhere (form, admin, service) with a clear message").

Every write path of a progress report, a registration update and a meeting record of the
finalised quarter is refused with the lock's sentence and leaves the data as it was; the
next quarter, another ward's same quarter and a reopened quarter stay writable.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from meetings import services as meeting_services
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    Meeting,
    MeetingKind,
    MeetingStatus,
    QuarterlyReview,
)
from meetings.review_services import review_finalize, review_get_or_create, review_reopen
from models_registry.models import RegistrationStatus, RegistrationUpdate
from models_registry.services import registration_update_submit
from plans.models import ProgressReport, Task, TaskStatus
from plans.services import progress_report_submit
from tests.meetings.conftest import make_meeting
from tests.meetings.review_fixtures import Q1, at, mark_report_generated
from tests.meetings.test_admin import _add_row, _change_data, _prefix, _row_index
from tests.models_registry.factories import RegistrationFactory, RegistrationUpdateFactory
from tests.plans.conftest import PlanSetup, make_plans
from wardwork.periods import ensure_period_open, period_closed_message
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

Q2 = Quarter(2021, 2)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Closed:
    """``home`` with I/2021 finalised: its plans (a report of other_cell in I/2021), an
    approved registration of home.cell with its I/2021 update, the concluded meeting."""

    plans: PlanSetup
    registration: object
    update: RegistrationUpdate
    meeting: Meeting
    review: QuarterlyReview
    message: str


def _finalise(setup) -> QuarterlyReview:
    review = review_get_or_create(ward=setup.ward, quarter=Q1, actor=setup.secretary)
    mark_report_generated(review, setup.secretary)
    return review_finalize(actor=setup.secretary, review=review)


@pytest.fixture
def closed(home) -> Closed:
    plans = make_plans(home)
    registration = RegistrationFactory(
        ward=home.ward,
        organization=home.cell,
        status=RegistrationStatus.APPROVED,
        submitted_at=at(2021, 1, 20),
    )
    update = RegistrationUpdateFactory(registration=registration, percent=30)
    meeting = make_meeting(home, MeetingStatus.CONCLUDED)
    review = _finalise(home)
    message = period_closed_message(home.ward.pk, Q1)
    return Closed(plans, registration, update, meeting, review, message)


def _refused(action, message: str, field: str | None = None) -> None:
    with pytest.raises(ValidationError) as excinfo:
        action()
    if field is None:
        assert excinfo.value.messages == [message]
    else:
        assert excinfo.value.message_dict == {field: [message]}


def _snapshot(closed: Closed) -> dict:
    """What the lock must keep as it is."""
    meeting = Meeting.objects.get(pk=closed.meeting.pk)
    return {
        "reports": sorted(
            ProgressReport.objects.values_list("pk", "task_id", "status", "percent", "narrative")
        ),
        "updates": sorted(RegistrationUpdate.objects.values_list("pk", "results", "percent")),
        "meeting": (meeting.title, meeting.status, meeting.venue, meeting.year, meeting.quarter),
        "meetings": Meeting.objects.count(),
        "attendances": sorted(Attendance.objects.values_list("pk", "status", "note")),
        "contributions": sorted(Contribution.objects.values_list("pk", "ordinal", "content")),
        "conclusions": sorted(Conclusion.objects.values_list("pk", "ordinal", "text")),
    }


def test_the_message_says_what_and_who_can_undo_it(home, closed):
    day = timezone.localtime(closed.review.finalized_at).date()
    with translation.override("en"):
        assert period_closed_message(home.ward.pk, Q1) == (
            f"Quarter I/2021 was finalised on {day:%d/%m/%Y} and is locked: its reports and "
            "records can no longer change. The ward secretary can reopen the quarter."
        )
    assert period_closed_message(home.ward.pk, Q2) is None


# --- progress reports -----------------------------------------------------------------------------
def test_service_refuses_a_new_report(home, closed):
    before = _snapshot(closed)
    _refused(
        lambda: progress_report_submit(
            actor=home.cell_secretary,
            task=closed.plans.task,
            organization=home.cell,
            quarter=Q1,
            status=TaskStatus.DONE,
            percent=100,
        ),
        closed.message,
    )
    assert _snapshot(closed) == before
    assert Task.objects.get(pk=closed.plans.task.pk).status == TaskStatus.OPEN


def test_service_refuses_to_change_a_report(home, closed):
    before = _snapshot(closed)
    _refused(
        lambda: progress_report_submit(
            actor=home.other_cell_secretary,
            task=closed.plans.other_task,
            organization=home.other_cell,
            quarter=Q1,
            status=TaskStatus.IN_PROGRESS,
            percent=90,
            narrative="Sửa sau khi chốt.",
        ),
        closed.message,
    )
    assert _snapshot(closed) == before


def test_model_validation_refuses_any_other_path(home, closed):
    new = ProgressReport(
        task=closed.plans.task, organization=home.cell, year=2021, quarter=1, status="done"
    )
    _refused(new.full_clean, closed.message)
    # Moving a report of an open quarter into the finalised one is refused too.
    moved = ProgressReport.objects.create(
        task=closed.plans.task, organization=home.cell, year=2021, quarter=2, status="open"
    )
    moved.quarter = 1
    _refused(moved.full_clean, closed.message)


def _report_form_data(task, unit, **values) -> dict:
    prefix = f"r{task.pk}-{unit.pk}"
    data = {"quarter": "2021-Q1", "unit": unit.pk}
    fields = {"status": "done", "percent": "100", "narrative": "Hoàn thành."} | values
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_report_form_shows_the_lock(client, home, closed, htmx):
    client.force_login(home.cell_secretary)
    before = _snapshot(closed)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        reverse("plans:report_submit", args=[closed.plans.task.pk]),
        _report_form_data(closed.plans.task, home.cell),
        **headers,
    )
    # The form comes back with the sentence (htmx swaps the row in, 200; the page 400).
    assert response.status_code == (200 if htmx else 400)
    form = response.context["row"].form
    assert form.non_field_errors() == [closed.message]
    assert html.escape(closed.message) in response.content.decode()
    assert _snapshot(closed) == before


def test_the_report_form_refuses_to_change_a_report(client, home, closed):
    client.force_login(home.other_cell_secretary)
    before = _snapshot(closed)
    task = closed.plans.other_task
    response = client.post(
        reverse("plans:report_submit", args=[task.pk]),
        _report_form_data(task, home.other_cell, status="in_progress", percent="80"),
    )
    assert response.status_code == 400
    assert response.context["row"].form.non_field_errors() == [closed.message]
    assert _snapshot(closed) == before


# --- the admin (a superuser too) ------------------------------------------------------------------
def _admin(model, action, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_admin_report_change_page_has_no_save_and_refuses_a_post(admin_client, closed):
    report = closed.plans.report
    before = _snapshot(closed)
    page = admin_client.get(_admin(ProgressReport, "change", report.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(
        _admin(ProgressReport, "change", report.pk),
        {
            "task": report.task_id,
            "organization": report.organization_id,
            "year": 2021,
            "quarter": 1,
            "status": "done",
            "percent": 100,
        },
    )
    assert response.status_code == 403
    assert _snapshot(closed) == before


def test_admin_report_delete_is_refused(admin_client, closed):
    report = closed.plans.report
    before = _snapshot(closed)
    assert admin_client.get(_admin(ProgressReport, "delete", report.pk)).status_code == 403
    assert (
        admin_client.post(_admin(ProgressReport, "delete", report.pk), {"post": "yes"}).status_code
        == 403
    )
    # The bulk action asks each row's permission: the report is listed as not deletable,
    # and confirming is refused.
    selected = {"action": "delete_selected", "_selected_action": [report.pk]}
    response = admin_client.post(_admin(ProgressReport, "changelist"), selected)
    assert response.status_code == 200
    assert response.context["perms_lacking"]
    response = admin_client.post(_admin(ProgressReport, "changelist"), {**selected, "post": "yes"})
    assert response.status_code == 403
    assert _snapshot(closed) == before


def test_admin_task_delete_is_refused_while_it_holds_a_locked_report(admin_client, closed):
    task = closed.plans.other_task
    response = admin_client.get(_admin(Task, "delete", task.pk))
    assert response.status_code == 200  # the confirmation page, listing what cannot go
    assert response.context["perms_lacking"]
    response = admin_client.post(_admin(Task, "delete", task.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Task.objects.filter(pk=task.pk).exists()
    assert ProgressReport.objects.filter(pk=closed.plans.report.pk).exists()


def test_admin_plan_inline_refuses_to_delete_a_task_holding_a_locked_report(admin_client, closed):
    from plans.models import Plan

    before = _snapshot(closed)
    plan, task = closed.plans.ward_plan, closed.plans.other_task
    url = _admin(Plan, "change", plan.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    data, prefix = _change_data(page), _prefix(page, Task)
    data[f"{prefix}-{_row_index(data, prefix, task.pk)}-DELETE"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert closed.message in str(response.context["errors"])
    assert Task.objects.filter(pk=task.pk).exists()
    assert _snapshot(closed) == before


def test_admin_report_add_is_refused(admin_client, home, closed):
    before = _snapshot(closed)
    response = admin_client.post(
        _admin(ProgressReport, "add"),
        {
            "task": closed.plans.task.pk,
            "organization": home.cell.pk,
            "year": 2021,
            "quarter": 1,
            "status": "in_progress",
            "percent": 40,
            "narrative": "Thêm sau khi chốt.",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [closed.message]
    assert _snapshot(closed) == before


def _task_page(admin_client, task):
    page = admin_client.get(_admin(Task, "change", task.pk))
    assert page.status_code == 200
    return page, _change_data(page), _prefix(page, ProgressReport)


def test_admin_task_inline_refuses_to_change_a_locked_report(admin_client, closed):
    before = _snapshot(closed)
    task, report = closed.plans.other_task, closed.plans.report
    _page, data, prefix = _task_page(admin_client, task)
    index = _row_index(data, prefix, report.pk)
    data[f"{prefix}-{index}-percent"] = "95"
    response = admin_client.post(_admin(Task, "change", task.pk), data)
    assert response.status_code == 200  # shown again with the error
    assert closed.message in str(response.context["errors"])
    assert _snapshot(closed) == before


def test_admin_task_inline_refuses_to_delete_a_locked_report(admin_client, closed):
    before = _snapshot(closed)
    task, report = closed.plans.other_task, closed.plans.report
    _page, data, prefix = _task_page(admin_client, task)
    data[f"{prefix}-{_row_index(data, prefix, report.pk)}-DELETE"] = "on"
    response = admin_client.post(_admin(Task, "change", task.pk), data)
    assert response.status_code == 200
    assert closed.message in str(response.context["errors"])
    assert _snapshot(closed) == before


def test_admin_task_inline_refuses_a_new_report_of_the_quarter(admin_client, home, closed):
    before = _snapshot(closed)
    task = closed.plans.task
    _page, data, prefix = _task_page(admin_client, task)
    _add_row(
        data,
        prefix,
        {
            "organization": home.cell.pk,
            "year": "2021",
            "quarter": "1",
            "status": "in_progress",
            "percent": "10",
            "narrative": "Thêm.",
        },
    )
    response = admin_client.post(_admin(Task, "change", task.pk), data)
    assert response.status_code == 200
    assert closed.message in str(response.context["errors"])
    assert _snapshot(closed) == before


# --- registration updates -------------------------------------------------------------------------
def test_service_refuses_a_registration_update(home, closed):
    before = _snapshot(closed)
    for actor in (home.cell_secretary, home.staff):
        _refused(
            lambda actor=actor: registration_update_submit(
                actor=actor,
                registration=closed.registration,
                quarter=Q1,
                results="Sửa sau khi chốt.",
                percent=90,
            ),
            closed.message,
        )
    assert _snapshot(closed) == before
    new = RegistrationUpdate(
        registration=closed.registration, year=2021, quarter=1, results="Mới.", percent=1
    )
    _refused(new.clean, closed.message)


def test_the_update_form_shows_the_lock(client, home, closed):
    client.force_login(home.cell_secretary)
    before = _snapshot(closed)
    response = client.post(
        reverse("models_registry:update", args=[closed.registration.pk]) + "?quarter=2021-Q1",
        {"results": "Sửa sau khi chốt.", "percent": "90"},
    )
    assert response.status_code == 400
    assert closed.message in response.context["form"].non_field_errors()
    assert html.escape(closed.message) in response.content.decode()
    assert _snapshot(closed) == before


def test_admin_update_change_and_delete_are_refused(admin_client, closed):
    update = closed.update
    before = _snapshot(closed)
    page = admin_client.get(_admin(RegistrationUpdate, "change", update.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(
        _admin(RegistrationUpdate, "change", update.pk),
        {"year": 2021, "quarter": 1, "results": "Sửa.", "percent": 99},
    )
    assert response.status_code == 403
    assert (
        admin_client.post(
            _admin(RegistrationUpdate, "delete", update.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    assert _snapshot(closed) == before


def test_admin_update_add_is_refused(admin_client, closed):
    other = RegistrationFactory(
        ward=closed.registration.ward,
        organization=closed.registration.organization,
        status=RegistrationStatus.APPROVED,
    )
    response = admin_client.post(
        _admin(RegistrationUpdate, "add"),
        {"registration": other.pk, "year": 2021, "quarter": 1, "results": "Mới.", "percent": 5},
    )
    assert response.status_code == 200
    assert closed.message in str(response.context["errors"])
    assert not RegistrationUpdate.objects.filter(registration=other).exists()


def test_admin_registration_inline_refuses_to_change_or_delete_an_update(admin_client, closed):
    from models_registry.models import Registration

    before = _snapshot(closed)
    url = _admin(Registration, "change", closed.registration.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    data, prefix = _change_data(page), _prefix(page, RegistrationUpdate)
    index = _row_index(data, prefix, closed.update.pk)
    changed = dict(data, **{f"{prefix}-{index}-percent": "99"})
    response = admin_client.post(url, changed)
    assert response.status_code == 200
    assert closed.message in str(response.context["errors"])
    deleted = dict(data, **{f"{prefix}-{index}-DELETE": "on"})
    response = admin_client.post(url, deleted)
    assert response.status_code == 200
    assert closed.message in str(response.context["errors"])
    assert _snapshot(closed) == before


# --- meeting records ------------------------------------------------------------------------------
def test_meeting_services_refuse(home, closed):
    meeting = closed.meeting
    before = _snapshot(closed)
    conclusion = meeting.conclusions.order_by("ordinal").first()
    contribution = meeting.contributions.order_by("ordinal").first()
    attendance = meeting.attendances.first()
    s, sec = meeting_services, home.secretary
    refused = {
        "contribution_add": lambda: s.contribution_add(
            actor=sec, meeting=meeting, content="Ý kiến thêm."
        ),
        "contribution_delete": lambda: s.contribution_delete(actor=sec, contribution=contribution),
        "conclusion_save": lambda: s.conclusion_save(
            actor=sec, conclusion=conclusion, lead_organizations=[home.cell]
        ),
        "conclusion_new": lambda: s.conclusion_save(
            actor=sec,
            conclusion=Conclusion(meeting=meeting, text="Mới."),
            lead_organizations=[home.cell],
        ),
        "conclusion_delete": lambda: s.conclusion_delete(actor=sec, conclusion=conclusion),
        "attendance_mark": lambda: s.attendance_mark(
            actor=sec, attendance=attendance, status=AttendanceStatus.ABSENT
        ),
        "meeting_invite": lambda: s.meeting_invite(
            actor=sec, meeting=meeting, groups=["ward_leaders"]
        ),
        "meeting_hold": lambda: s.meeting_hold(actor=sec, meeting=meeting),
        "meeting_conclude": lambda: s.meeting_conclude(actor=sec, meeting=meeting),
        "meeting_reopen": lambda: s.meeting_reopen(actor=sec, meeting=meeting, reason="Sửa."),
    }
    for name, action in refused.items():
        with pytest.raises(ValidationError) as excinfo:
            action()
        assert excinfo.value.messages == [closed.message], name
    assert _snapshot(closed) == before


def test_meeting_edit_is_refused(home, closed):
    before = _snapshot(closed)
    meeting = Meeting.objects.get(pk=closed.meeting.pk)
    meeting.venue = "Nơi khác"
    _refused(
        lambda: meeting_services.meeting_save(actor=home.secretary, meeting=meeting), closed.message
    )
    assert _snapshot(closed) == before


def test_a_new_meeting_in_the_finalised_quarter_is_refused_at_the_quarter(home, closed):
    before = _snapshot(closed)
    for kind in (MeetingKind.QUARTERLY_REVIEW, MeetingKind.BRIEFING):
        meeting = Meeting(
            ward=home.ward,
            kind=kind,
            title="Họp bổ sung",
            year=2021,
            quarter=1,
            held_at=at(2021, 4, 20, 8),
        )
        _refused(
            lambda meeting=meeting: meeting_services.meeting_save(
                actor=home.secretary, meeting=meeting
            ),
            closed.message,
            field="quarter",
        )
    assert _snapshot(closed) == before


def test_a_meeting_is_not_moved_into_the_finalised_quarter(home, closed):
    later = make_meeting(
        home, MeetingStatus.PLANNED, year=2021, quarter=2, held_at=at(2021, 7, 12, 8)
    )
    later.quarter = 1
    _refused(
        lambda: meeting_services.meeting_save(actor=home.secretary, meeting=later),
        closed.message,
        field="quarter",
    )
    assert Meeting.objects.get(pk=later.pk).quarter == 2


def test_the_meeting_form_shows_the_lock_at_the_quarter(client, home, closed):
    client.force_login(home.staff)
    count = Meeting.objects.count()
    response = client.post(
        reverse("meetings:meeting_create"),
        {
            "kind": "briefing",
            "title": "Giao ban bổ sung quý I/2021",
            "quarter": "1",
            "held_at": "20/04/2021 08:00",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["quarter"] == [closed.message]
    assert Meeting.objects.count() == count


def test_admin_meeting_is_read_only_for_the_superuser_too(admin_client, closed):
    meeting = closed.meeting
    before = _snapshot(closed)
    page = admin_client.get(_admin(Meeting, "change", meeting.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    for inline in page.context["inline_admin_formsets"]:
        assert not inline.has_add_permission, inline.formset.model
        assert not inline.has_change_permission, inline.formset.model
        assert not inline.has_delete_permission, inline.formset.model
    response = admin_client.post(_admin(Meeting, "change", meeting.pk), {"title": "Sửa"})
    assert response.status_code == 403
    assert (
        admin_client.post(_admin(Meeting, "delete", meeting.pk), {"post": "yes"}).status_code == 403
    )
    assert _snapshot(closed) == before


# --- what stays writable --------------------------------------------------------------------------
def test_the_next_quarter_stays_writable(home, closed):
    result = progress_report_submit(
        actor=home.cell_secretary,
        task=closed.plans.task,
        organization=home.cell,
        quarter=Q2,
        status=TaskStatus.IN_PROGRESS,
        percent=30,
    )
    assert result.created and result.report.period == Q2
    update = registration_update_submit(
        actor=home.cell_secretary,
        registration=closed.registration,
        quarter=Q2,
        results="Quý II.",
        percent=50,
    )
    assert update.period == Q2
    meeting = meeting_services.meeting_save(
        actor=home.secretary,
        meeting=Meeting(
            ward=home.ward,
            kind=MeetingKind.QUARTERLY_REVIEW,
            title="Sơ kết quý II/2021",
            year=2021,
            quarter=2,
            held_at=at(2021, 7, 12, 8),
        ),
    )
    assert meeting_services.contribution_add(
        actor=home.secretary, meeting=meeting, content="Ý kiến."
    )
    ensure_period_open(home.ward.pk, Q2)


def test_another_wards_same_quarter_is_not_locked(away, closed):
    plans = make_plans(away)
    result = progress_report_submit(
        actor=away.cell_secretary,
        task=plans.task,
        organization=away.cell,
        quarter=Q1,
        status=TaskStatus.DONE,
        percent=100,
    )
    assert result.created
    meeting = make_meeting(away, MeetingStatus.HELD)
    assert meeting_services.contribution_add(
        actor=away.secretary, meeting=meeting, content="Ý kiến."
    )
    assert period_closed_message(away.ward.pk, Q1) is None


def test_reopening_the_quarter_unlocks_everything(client, admin_client, home, closed):
    review_reopen(actor=home.secretary, review=closed.review, reason="Chi bộ số 1 báo cáo muộn.")
    assert period_closed_message(home.ward.pk, Q1) is None
    result = progress_report_submit(
        actor=home.cell_secretary,
        task=closed.plans.task,
        organization=home.cell,
        quarter=Q1,
        status=TaskStatus.DONE,
        percent=100,
    )
    assert result.created
    update = registration_update_submit(
        actor=home.cell_secretary,
        registration=closed.registration,
        quarter=Q1,
        results="Bổ sung.",
        percent=60,
    )
    assert (update.pk, update.percent) == (closed.update.pk, 60)
    # The meeting is concluded again as before: its own read-only rule, then reopening it.
    with pytest.raises(ValidationError) as excinfo:
        meeting_services.contribution_add(actor=home.secretary, meeting=closed.meeting, content="x")
    assert excinfo.value.messages == [str(meeting_services.MESSAGE_READ_ONLY)]
    meeting_services.meeting_reopen(actor=home.secretary, meeting=closed.meeting, reason="Bổ sung.")
    assert meeting_services.contribution_add(
        actor=home.secretary, meeting=closed.meeting, content="Ý kiến bổ sung."
    )
    page = admin_client.get(_admin(ProgressReport, "change", closed.plans.report.pk))
    assert 'name="_save"' in page.content.decode()


# --- a write racing the finalisation --------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_report_saved_while_the_quarter_is_finalised_is_in_its_frozen_figures(home):
    """The writer checks the lock, then the secretary finalises before the writer commits:
    finalising waits for it, so the frozen figures count the report (on SQLite, where
    writes are serialised anyway, this only checks the outcome)."""
    import threading
    import time

    from django.db import connections, transaction

    plans = make_plans(home)
    make_meeting(home, MeetingStatus.CONCLUDED)
    review = review_get_or_create(ward=home.ward, quarter=Q1, actor=home.secretary)
    mark_report_generated(review, home.secretary)
    if connections["default"].vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    checked = threading.Event()
    errors = []

    def writer():
        try:
            with transaction.atomic():
                progress_report_submit(
                    actor=home.cell_secretary,
                    task=plans.task,
                    organization=home.cell,
                    quarter=Q1,
                    status=TaskStatus.DONE,
                    percent=100,
                )
                checked.set()
                time.sleep(0.5)  # the secretary finalises meanwhile
        except Exception as exc:  # reported below
            errors.append(exc)
            checked.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert checked.wait(10)
    review = review_finalize(actor=home.secretary, review=review)
    thread.join(10)
    assert errors == []
    reports = ProgressReport.objects.filter(year=2021, quarter=1).count()
    assert reports == 2  # other_cell's, and the cell's saved during the finalisation
    assert review.figures["tasks"]["received"] == reports


@pytest.mark.django_db(transaction=True)
def test_a_report_numbered_while_a_unit_reports_is_no_deadlock(home):
    """Found by the load test (docs/load-test.md): the first report of a quarter takes its
    number under the ward's lock and records an event of the review; a unit's progress
    report meanwhile checks the quarter's lock. Both must commit: the period check locks
    the review row only (not the ward, which the model's ordering joined) and without
    blocking the event's foreign-key check."""
    import threading
    import time

    from django.db import connections, transaction

    from meetings.review_locks import finalized_quarter_message
    from meetings.review_models import QuarterlyReviewEvent
    from wardwork.models import Ward

    if connections["default"].vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    review = review_get_or_create(ward=home.ward, quarter=Q1, actor=home.secretary)
    inserted, results = threading.Event(), {}

    def first_report():  # what issued_document_reserve and review_report_docx do
        try:
            with transaction.atomic():
                Ward.objects.select_for_update().filter(pk=home.ward.pk).first()
                QuarterlyReviewEvent.objects.create(
                    review=review,
                    action="report_numbered",
                    from_status=review.status,
                    to_status=review.status,
                )
                inserted.set()
                time.sleep(0.5)  # rendering the document
            results["report"] = "committed"
        except Exception as exc:
            results["report"] = repr(exc)
            inserted.set()
        finally:
            connections.close_all()

    def progress_report():  # the period check of progress_report_submit
        assert inserted.wait(10)
        try:
            with transaction.atomic():
                finalized_quarter_message(home.ward.pk, Q1)
            results["progress"] = "committed"
        except Exception as exc:
            results["progress"] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_report), threading.Thread(target=progress_report)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {"report": "committed", "progress": "committed"}
