"""Reminders to units (meetings/reminders.py) and ``manage.py send_reminders``: what each
unit owes (hand-counted), who gets the mail, what it says, once a day per unit (also when
two runs race), the refusals, mail failures, the audit rows and the query count."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings import reminders
from meetings.models import QuarterlyReview, QuarterlyReviewEvent, Reminder, ReviewStatus
from meetings.reminders import (
    MESSAGE_FINALIZED,
    reminder_quarter,
    reminders_preview,
    reminders_send,
    unit_recipients,
)
from meetings.review_services import MESSAGE_FUTURE_QUARTER
from models_registry.notifications import unit_emails
from plans.models import TaskStatus
from tests.factories import (
    HigherCommitteeFactory,
    OrganizationFactory,
    PersonFactory,
    PositionFactory,
    UserFactory,
)
from tests.plans.factories import PlanFactory, ProgressReportFactory, TaskFactory
from wardwork.models import PositionRole as R
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

Q1 = Quarter(2021, 1)
TODAY = dt.date(2021, 4, 10)  # before the review meeting of 13/04/2021
SITE = "https://wardwork.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE + "/"


class Owed:
    """The ward's tasks in quarter I/2021 (plan 28-KH/ĐU of 15/01/2021), as of 10/04/2021:

    t1  cell leads, women support, due 31/03    both missing, both overdue
    t2  other_cell leads, district supports,    other_cell missing (the district is above
        due II/2021                             the ward: not reminded)
    t3  cell leads, reported this quarter       nothing
    t4  cell leads, cancelled                   nothing
    t5  cell leads, reported done in IV/2020,   nothing (done earlier)
        due 01/02
    t6  cell leads, given 02/04 by a meeting,   cell overdue only (not a task of I/2021)
        due 08/04
    t7  women lead and reported done,           other_cell missing and overdue
        other_cell supports, due I/2021
    t8  bloc leads, reported this quarter,      bloc: nothing due
        due II/2021
    and in ``away``: a task of its cell with no report (never in home's results).

    cell: missing [t1], overdue [t1, t6]; women: [t1], [t1]; other_cell: [t2, t7], [t7].
    """

    def __init__(self, home, away):
        self.home = home
        plan = PlanFactory(ward=home.ward, number=28, issued_on=dt.date(2021, 1, 15))
        self.plan = plan
        district = HigherCommitteeFactory(ward=home.ward)
        self.t1 = TaskFactory(
            plan=plan,
            title="Tuyên truyền Kế hoạch số 18-KH/QU đến từng hộ gia đình",
            lead_organization=home.cell,
            supporting_organizations=[home.women],
            due_date=dt.date(2021, 3, 31),
        )
        self.t2 = TaskFactory(
            plan=plan,
            title="Xây dựng mô hình Dân vận khéo trên lĩnh vực văn hóa",
            lead_organization=home.other_cell,
            supporting_organizations=[district],
            due_quarter=Quarter(2021, 2),
        )
        self.t3 = TaskFactory(plan=plan, lead_organization=home.cell, due_quarter=Quarter(2021, 2))
        ProgressReportFactory(task=self.t3)
        self.t4 = TaskFactory(
            plan=plan,
            lead_organization=home.cell,
            status=TaskStatus.CANCELLED,
            due_date=dt.date(2021, 2, 1),
        )
        self.t5 = TaskFactory(
            plan=plan,
            lead_organization=home.cell,
            status=TaskStatus.IN_PROGRESS,
            due_date=dt.date(2021, 2, 1),
        )
        ProgressReportFactory(
            task=self.t5, year=2020, quarter=4, status=TaskStatus.DONE, percent=100
        )
        self.t6 = TaskFactory(
            plan=None,
            ward=home.ward,
            ordinal=1,
            title="Rà soát các mô hình đăng ký năm 2021",
            lead_organization=home.cell,
            assigned_on=dt.date(2021, 4, 2),
            due_date=dt.date(2021, 4, 8),
        )
        self.t7 = TaskFactory(
            plan=plan,
            title="Vận động nhân dân giữ gìn vệ sinh môi trường",
            lead_organization=home.women,
            supporting_organizations=[home.other_cell],
            due_quarter=Q1,
        )
        ProgressReportFactory(task=self.t7, status=TaskStatus.DONE, percent=100)
        self.t8 = TaskFactory(plan=plan, lead_organization=home.bloc, due_quarter=Quarter(2021, 2))
        ProgressReportFactory(task=self.t8)
        TaskFactory(
            plan=PlanFactory(ward=away.ward, issued_on=dt.date(2021, 1, 20)),
            lead_organization=away.cell,
            due_date=dt.date(2021, 3, 1),
        )


@pytest.fixture
def owed(home, away) -> Owed:
    return Owed(home, away)


def _by_unit(results):
    return {r.organization.pk: r for r in results}


def _send(home, **kwargs):
    return reminders_send(ward=home.ward, quarter=Q1, today=kwargs.pop("today", TODAY), **kwargs)


def _mail_to(address):
    return [m for m in mail.outbox if address in m.to]


# --- what each unit owes --------------------------------------------------------------------------
def test_each_unit_owes_the_hand_counted_tasks(home, owed):
    results = reminders_preview(ward=home.ward, quarter=Q1, today=TODAY)
    by_unit = _by_unit(results)
    assert set(by_unit) == {home.cell.pk, home.women.pk, home.other_cell.pk, home.bloc.pk}
    cell, women, other, bloc = (
        by_unit[u.pk] for u in (home.cell, home.women, home.other_cell, home.bloc)
    )
    assert (cell.missing_tasks, cell.overdue_tasks) == ([owed.t1], [owed.t1, owed.t6])
    assert (women.missing_tasks, women.overdue_tasks) == ([owed.t1], [owed.t1])
    assert (other.missing_tasks, other.overdue_tasks) == ([owed.t2, owed.t7], [owed.t7])
    assert (cell.missing, cell.overdue, other.missing, other.overdue) == (1, 2, 2, 1)
    assert bloc.status == "nothing_due"
    assert (cell.status, women.status, other.status) == ("due", "due", "due")
    assert not mail.outbox and not Reminder.objects.exists()  # a preview writes nothing


def test_missing_counts_are_the_quarter_pages(home, owed):
    """The page counts units' missing reports with ``quarter_figures``: same numbers."""
    from meetings.review_figures import quarter_figures

    figures = quarter_figures(ward=home.ward, quarter=Q1, today=TODAY)
    district = owed.t2.supporting_organizations.get()  # above the ward: not reminded
    expected = {u["id"]: u["missing"] for u in figures["tasks"]["units"] if u["id"] != district.pk}
    results = reminders_preview(ward=home.ward, quarter=Q1, today=TODAY)
    assert {r.organization.pk: r.missing for r in results} == expected


# --- recipients -----------------------------------------------------------------------------------
def _manager(home, unit, role=R.DEPUTY_HEAD, **user_values):
    person = PersonFactory(ward=home.ward, organization=unit)
    PositionFactory(person=person, organization=unit, role=role)
    return UserFactory(ward=home.ward, person=person, **user_values)


def test_recipients_are_the_units_active_managers_with_an_email(
    home, away, owed, django_capture_on_commit_callbacks
):
    deputy = _manager(home, home.cell)
    _manager(home, home.cell, role=R.MEMBER)  # a member, not a manager
    _manager(home, home.cell, is_active=False)  # an account switched off
    _manager(home, home.cell, email="")  # no address
    moved = _manager(home, home.cell)
    moved.ward = away.ward  # the account went to another ward
    moved.save()
    former = PersonFactory(ward=home.ward)
    PositionFactory(
        person=former,
        organization=home.cell,
        role=R.CELL_SECRETARY,
        started_on=dt.date(2015, 1, 1),
        ended_on=dt.date(2020, 6, 30),
    )
    UserFactory(ward=home.ward, person=former)  # no longer holds the post

    with django_capture_on_commit_callbacks(execute=True):
        by_unit = _by_unit(_send(home))

    assert by_unit[home.cell.pk].recipients == sorted([home.cell_secretary.email, deputy.email])
    assert by_unit[home.women.pk].recipients == [home.mass_head.email]
    assert by_unit[home.other_cell.pk].recipients == [home.other_cell_secretary.email]
    (cell_mail,) = _mail_to(home.cell_secretary.email)
    assert sorted(cell_mail.to) == sorted([home.cell_secretary.email, deputy.email])
    assert len(mail.outbox) == 3  # one mail per unit, never one per task


def test_bulk_recipients_agree_with_unit_emails(home):
    units = [home.committee, home.bloc, home.cell, home.other_cell, home.women]
    bulk = unit_recipients([u.pk for u in units], on=timezone.localdate())
    assert {u.pk: bulk.get(u.pk, []) for u in units} == {u.pk: unit_emails(u.pk) for u in units}


def test_unit_emails_leaves_out_an_account_moved_to_another_ward(home, away):
    moved = _manager(home, home.cell)
    moved.ward = away.ward
    moved.save()
    assert moved.email not in unit_emails(home.cell.pk)


def test_a_unit_without_an_address_is_reported_not_emailed(home, owed):
    lonely = OrganizationFactory(ward=home.ward, name="Chi bộ số 3 Phúc Đồng")
    TaskFactory(plan=owed.plan, lead_organization=lonely)
    results = _by_unit(_send(home))
    assert results[lonely.pk].status == "no_recipients"
    assert results[lonely.pk].missing == 1
    assert not Reminder.objects.filter(organization=lonely).exists()  # can be sent later today


# --- the message ----------------------------------------------------------------------------------
def test_the_mail_lists_the_missing_reports_with_links_and_the_overdue_tasks(
    home, owed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _send(home)
    (message,) = _mail_to(home.cell_secretary.email)
    assert "Quý I/2021" in message.subject
    assert home.cell.name in message.subject
    body = message.body
    assert home.cell.name in body and "Quý I/2021" in body
    link = f"{SITE}/plans/my-tasks/?quarter=2021-Q1#task-{owed.t1.pk}-{home.cell.pk}"
    assert f"- 28-KH/ĐU – {owed.t1.ordinal}. {owed.t1.title}\n" in body
    assert link in body
    assert "31/03/2021" in body and "08/04/2021" in body  # the deadlines of t1 and t6
    assert f"{owed.t6.title} – " in body
    assert f"{SITE}/plans/tasks/{owed.t6.pk}/" in body
    for task in (owed.t2, owed.t3, owed.t4, owed.t5, owed.t7, owed.t8):
        assert task.title not in body  # reported, cancelled, done earlier or someone else's
    # Missing first, overdue after: t1 is listed in both, t6 only as overdue.
    assert body.index(link) < body.index("31/03/2021") < body.index(owed.t6.title)
    other = _mail_to(home.other_cell_secretary.email)[0].body
    assert f"#task-{owed.t2.pk}-{home.other_cell.pk}" in other
    assert f"#task-{owed.t7.pk}-{home.other_cell.pk}" in other


def test_the_link_opens_the_report_form_of_that_task(client, home, owed):
    results = _by_unit(_send(home))
    body = results[home.cell.pk].reminder.body
    link = next(line for line in body.splitlines() if "#task-" in line).split(SITE, 1)[1]
    path, anchor = link.split("#")
    client.force_login(home.cell_secretary)
    response = client.get(path)
    assert response.status_code == 200
    assert f'id="{anchor}"' in response.content.decode()
    assert response.context["quarter"] == Q1


def test_the_reminder_row_keeps_what_was_sent(home, owed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        results = _by_unit(_send(home, actor=home.staff))
    row = Reminder.objects.get(organization=home.cell)
    assert results[home.cell.pk].reminder == row
    assert (row.ward, row.year, row.quarter, row.sent_on) == (home.ward, 2021, 1, TODAY)
    assert (row.missing_reports, row.overdue_tasks, row.sent_by) == (1, 2, home.staff)
    assert row.recipients == home.cell_secretary.email
    assert row.body == _mail_to(home.cell_secretary.email)[0].body
    assert Reminder.objects.count() == 3


def test_mails_leave_only_after_commit(home, owed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(home)
    assert mail.outbox == []  # a rolled back transaction would email nobody
    assert len(callbacks) == 1  # every unit's mail in one callback


# --- once a day -----------------------------------------------------------------------------------
def test_a_second_call_the_same_day_sends_nothing(home, owed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(home)
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        again = _by_unit(_send(home))
    assert len(mail.outbox) == 3
    cell = again[home.cell.pk]
    assert cell.status == "already_sent"
    assert cell.recipients == [home.cell_secretary.email]
    assert cell.reminder == Reminder.objects.get(organization=home.cell)
    assert Reminder.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        next_day = _by_unit(_send(home, today=TODAY + dt.timedelta(days=1)))
    assert next_day[home.cell.pk].status == "sent"
    assert len(mail.outbox) == 6
    assert Reminder.objects.filter(organization=home.cell).count() == 2


def test_a_run_that_lost_the_race_says_already_sent(
    home, owed, monkeypatch, django_capture_on_commit_callbacks
):
    """Another run reminds the cell between this run's check and its insert: the unique
    row decides, the cell is not emailed twice, the other units are."""
    real = reminders.unit_recipients

    def racing(ids, **kwargs):
        Reminder.objects.create(
            ward=home.ward,
            organization=home.cell,
            year=2021,
            quarter=1,
            sent_on=TODAY,
            recipients="other-run@example.test",
        )
        return real(ids, **kwargs)

    monkeypatch.setattr(reminders, "unit_recipients", racing)
    with django_capture_on_commit_callbacks(execute=True):
        results = _by_unit(_send(home))
    assert results[home.cell.pk].status == "already_sent"
    assert results[home.cell.pk].recipients == ["other-run@example.test"]
    assert results[home.women.pk].status == "sent"
    assert _mail_to(home.cell_secretary.email) == []
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(organization=home.cell).count() == 1


@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_moment_email_each_unit_once(home, away):
    """Four runs at once (cron and three clicks). On PostgreSQL they really race and the
    unique constraint makes the losers wait and then say already_sent; SQLite has one
    writer at a time, so there the runs take turns (see the meetings numbering test)."""
    Owed(home, away)
    serialise = connection.vendor == "sqlite"
    turn = threading.Lock()
    start = threading.Barrier(4)
    statuses: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def run():
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=30)
            if serialise:
                with turn:
                    results = _send(home)
            else:
                results = _send(home)
            statuses.extend((r.organization.pk, r.status) for r in results)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    for unit in (home.cell, home.women, home.other_cell):
        mine = sorted(status for pk, status in statuses if pk == unit.pk)
        assert mine == ["already_sent", "already_sent", "already_sent", "sent"]
        assert Reminder.objects.filter(organization=unit).count() == 1
    assert len(mail.outbox) == 3


# --- what is refused ------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["cell_secretary", "dvk", "mass_head", "plain"])
def test_only_ward_staff_send_reminders(home, owed, who):
    with pytest.raises(PermissionDenied):
        _send(home, actor=getattr(home, who))
    assert not Reminder.objects.exists()


def test_staff_of_another_ward_cannot_remind_this_one(home, away, owed):
    with pytest.raises(PermissionDenied):
        _send(home, actor=away.secretary)


@pytest.mark.parametrize("who", ["secretary", "staff", "superuser"])
def test_ward_staff_and_superusers_send_reminders(home, owed, superuser, who):
    actor = superuser if who == "superuser" else getattr(home, who)
    results = _send(home, actor=actor)
    assert [r.status for r in results].count("sent") == 3
    assert set(Reminder.objects.values_list("sent_by", flat=True)) == {actor.pk}


def test_a_finalised_quarter_is_not_reminded_of(home, owed):
    QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.FINALIZED
    )
    with pytest.raises(ValidationError) as refused:
        _send(home, actor=home.secretary)
    assert refused.value.messages == [str(MESSAGE_FINALIZED) % {"quarter": str(Q1)}]
    with pytest.raises(ValidationError):
        reminders_preview(ward=home.ward, quarter=Q1, today=TODAY)
    assert not Reminder.objects.exists() and not mail.outbox


def test_a_quarter_that_has_not_begun_is_refused(home, owed):
    with pytest.raises(ValidationError) as refused:
        reminders_send(ward=home.ward, quarter=Quarter(2021, 3), today=TODAY)
    assert refused.value.messages == [str(MESSAGE_FUTURE_QUARTER)]


# --- one unit, as the page asks -------------------------------------------------------------------
def test_only_the_units_asked_for(home, away, owed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        results = _send(home, organization_ids=[home.cell.pk, home.committee.pk, away.cell.pk])
    assert [(r.organization, r.status) for r in results] == [
        (home.cell, "sent"),
        (home.committee, "nothing_due"),  # asked for, owes nothing
    ]  # the other ward's cell is ignored
    assert [m.to for m in mail.outbox] == [[home.cell_secretary.email]]


# --- audit ----------------------------------------------------------------------------------------
def test_the_quarters_review_records_the_reminders(home, owed):
    review = QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.IN_REVIEW
    )
    lonely = OrganizationFactory(ward=home.ward, name="Chi bộ số 3 Phúc Đồng")
    TaskFactory(plan=owed.plan, lead_organization=lonely)
    _send(home, actor=home.staff)
    (event,) = QuarterlyReviewEvent.objects.filter(review=review, action="reminded")
    assert (event.actor, event.from_status, event.to_status) == (
        home.staff,
        ReviewStatus.IN_REVIEW,
        ReviewStatus.IN_REVIEW,
    )
    for unit in (home.cell, home.women, home.other_cell, lonely):
        assert unit.display_name in event.note
    assert home.bloc.display_name not in event.note
    _send(home, actor=home.staff)  # nothing sent: no second event
    assert QuarterlyReviewEvent.objects.filter(action="reminded").count() == 1


def test_no_review_is_created_for_reminders(home, owed):
    _send(home)
    assert not QuarterlyReview.objects.exists()


# --- mail failures --------------------------------------------------------------------------------
def test_a_failed_mail_is_logged_and_tried_again_later_the_same_day(
    home, owed, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    women_email = home.mass_head.email
    real = EmailBackend.send_messages

    def flaky(self, messages):
        if any(women_email in m.to for m in messages):
            raise smtplib.SMTPRecipientsRefused({women_email: (550, b"mailbox full")})
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with (
        caplog.at_level(logging.ERROR, logger="meetings.reminders"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        results = _by_unit(_send(home))  # nothing raised
    assert results[home.women.pk].status == "sent"  # handed over; the mail server refused
    assert "Could not send reminder" in caplog.text
    assert len(mail.outbox) == 2
    assert not Reminder.objects.filter(organization=home.women).exists()
    assert Reminder.objects.count() == 2

    monkeypatch.setattr(EmailBackend, "send_messages", real)
    with django_capture_on_commit_callbacks(execute=True):
        again = _by_unit(_send(home))
    assert again[home.women.pk].status == "sent"
    assert again[home.cell.pk].status == "already_sent"
    assert [m.to for m in mail.outbox[2:]] == [[women_email]]


def test_an_unreachable_mail_server_breaks_nothing(
    home, owed, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(reminders, "get_connection", down)
    with (
        caplog.at_level(logging.ERROR, logger="meetings.reminders"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _send(home)
    assert "Could not reach the mail server" in caplog.text
    assert not Reminder.objects.exists()  # the next run tries every unit again


# --- queries --------------------------------------------------------------------------------------
def test_queries_do_not_grow_with_the_tasks(home, away, django_assert_num_queries):
    """Review (1), tasks with their annotations (1) and supporting units (1), reports (1),
    today's reminders (1), recipients (1), the transaction (savepoint + release: 2), then
    per unit reminded a savepoint, the insert and its release (3 x 2 units): 14. The
    same with three times the tasks."""
    plan = PlanFactory(ward=home.ward, number=28, issued_on=dt.date(2021, 1, 15))

    def add_tasks(n):
        for _ in range(n):
            TaskFactory(
                plan=plan,
                lead_organization=home.cell,
                supporting_organizations=[home.women],
                due_date=dt.date(2021, 3, 31),
            )

    add_tasks(2)
    with django_assert_num_queries(14):
        results = _send(home)
    assert [r.missing for r in results if r.status == "sent"] == [2, 2]
    add_tasks(4)
    with CaptureQueriesContext(connection) as queries:
        results = _send(home, today=TODAY + dt.timedelta(days=1))
    assert len(queries) == 14
    assert [r.missing for r in results if r.status == "sent"] == [6, 6]


# --- the daily job --------------------------------------------------------------------------------
def _command(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_sends_and_prints_one_line_per_unit(
    home, away, owed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        out = _command("--date", "2021-04-10")
    lines = out.splitlines()
    ward = home.ward.name
    assert (
        f"{ward} | I/2021 | {home.cell.name} | sent | {home.cell_secretary.email} "
        "| missing 1 | overdue 2"
    ) in lines
    assert (
        f"{ward} | I/2021 | {home.other_cell.name} | sent | {home.other_cell_secretary.email} "
        "| missing 2 | overdue 1"
    ) in lines
    assert f"{ward} | I/2021 | {home.bloc.name} | nothing due | - | missing 0 | overdue 0" in lines
    assert (
        f"{away.ward.name} | I/2021 | {away.cell.name} | sent | {away.cell_secretary.email} "
        "| missing 1 | overdue 1"
    ) in lines
    assert lines[-1] == (
        "Reminders: 4 sent, 0 already sent today, 0 without recipients, 1 with nothing due; "
        "2 ward(s)."
    )
    assert len(mail.outbox) == 4
    assert all(r.sent_by is None for r in Reminder.objects.all())  # sent by the job

    with django_capture_on_commit_callbacks(execute=True):
        again = _command("--date", "2021-04-10").splitlines()
    assert len(mail.outbox) == 4
    assert (
        f"{ward} | I/2021 | {home.cell.name} | already sent | {home.cell_secretary.email} "
        "| missing 1 | overdue 2"
    ) in again
    assert again[-1].startswith("Reminders: 0 sent, 4 already sent today")


def test_a_dry_run_sends_and_records_nothing(home, away, owed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        out = _command("--date", "2021-04-10", "--dry-run", "--quarter", "I/2021")
    assert (
        f"{home.ward.name} | I/2021 | {home.cell.name} | would send | "
        f"{home.cell_secretary.email} | missing 1 | overdue 2"
    ) in out.splitlines()
    assert "4 would be sent (dry run: nothing sent or recorded)" in out
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_the_command_for_one_ward_by_id_or_name(
    home, away, owed, django_capture_on_commit_callbacks
):
    for ward in (str(home.ward.pk), home.ward.name, "phuc dong"):
        out = _command("--date", "2021-04-10", "--dry-run", "--ward", ward)
        assert home.cell.name in out
        assert away.ward.name not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2021-Q5"], "Not a quarter: '2021-Q5'"),
        (["--quarter", "quý năm"], "Not a quarter"),
        (["--quarter", "2021-Q3"], "III/2021 has not begun on 10/04/2021"),
        (["--ward", "Phường Không Có"], "No ward 'Phường Không Có'"),
        (["--date", "10-04-2021x"], "Not a date"),
    ],
)
def test_bad_arguments_are_clear_errors(home, args, message):
    with pytest.raises(CommandError, match=message):
        _command(*(["--date", "2021-04-10"] if "--date" not in args else []), *args)


def test_a_finalised_quarter_is_reported_and_skipped(home, away, owed):
    QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.FINALIZED
    )
    out = _command("--date", "2021-04-10", "--quarter", "2021-Q1")
    lines = out.splitlines()
    assert f"{home.ward.name} | I/2021 | {MESSAGE_FINALIZED % {'quarter': str(Q1)}}" in lines
    assert f"{away.ward.name} | I/2021 | {away.cell.name} | sent" in out
    assert "1 not reminded" in lines[-1]
    assert not Reminder.objects.filter(ward=home.ward).exists()


def test_the_default_quarter_is_the_one_units_report_on(home):
    # First month of a quarter: the previous one, while it is not finalised.
    assert reminder_quarter(ward=home.ward, today=dt.date(2021, 4, 10)) == Q1
    assert reminder_quarter(ward=home.ward, today=dt.date(2021, 1, 5)) == Quarter(2020, 4)
    # Later in the quarter: the quarter itself.
    assert reminder_quarter(ward=home.ward, today=dt.date(2021, 5, 2)) == Quarter(2021, 2)
    assert reminder_quarter(ward=home.ward, today=dt.date(2021, 3, 31)) == Q1
    QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.FINALIZED
    )
    assert reminder_quarter(ward=home.ward, today=dt.date(2021, 4, 10)) == Quarter(2021, 2)


def test_the_command_reminds_each_ward_of_its_own_quarter(home, away, owed):
    QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.FINALIZED
    )
    out = _command("--date", "2021-04-10", "--dry-run")
    assert f"{home.ward.name} | II/2021 | {home.cell.name} |" in out
    assert f"{away.ward.name} | I/2021 | {away.cell.name} |" in out


def test_settings_give_the_sites_address_for_links_in_emails():
    import importlib
    import os

    module = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    assert getattr(module, "SITE_URL", "").startswith("http")
