"""Plan, Task and ProgressReport models: derived overdue, constraints, clean(), QuarterField."""

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plans.models import Plan, ProgressReport, Task, TaskStatus
from tests.plans.factories import PlanFactory, ProgressReportFactory, TaskFactory
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

TODAY = dt.date(2021, 5, 15)  # quarter II/2021


# --- overdue ------------------------------------------------------------------------------------
def test_open_task_past_its_due_date_is_overdue():
    task = TaskFactory(due_date=dt.date(2021, 5, 14))
    assert task.deadline == dt.date(2021, 5, 14)
    assert task.is_overdue(today=TODAY)
    assert not task.is_overdue(today=dt.date(2021, 5, 14))  # due today is not late yet


def test_task_in_progress_past_its_due_date_is_overdue():
    task = TaskFactory(due_date=dt.date(2021, 3, 31), status=TaskStatus.IN_PROGRESS)
    assert task.is_overdue(today=TODAY)


@pytest.mark.parametrize("status", [TaskStatus.DONE, TaskStatus.CANCELLED])
def test_finished_task_is_never_overdue(status):
    task = TaskFactory(due_date=dt.date(2021, 1, 31), status=status)
    assert not task.is_overdue(today=TODAY)


def test_task_due_in_an_ended_quarter_is_overdue():
    task = TaskFactory(due_quarter=Quarter(2021, 1))
    assert task.deadline == dt.date(2021, 3, 31)
    assert task.is_overdue(today=TODAY)


def test_task_due_in_the_current_quarter_is_not_overdue():
    task = TaskFactory(due_quarter=Quarter(2021, 2))
    assert task.deadline == dt.date(2021, 6, 30)
    assert not task.is_overdue(today=TODAY)
    assert not task.is_overdue(today=dt.date(2021, 6, 30))
    assert task.is_overdue(today=dt.date(2021, 7, 1))


def test_task_without_a_deadline_is_never_overdue():
    task = TaskFactory(due_date=None, due_quarter=None)
    assert task.deadline is None
    assert not task.is_overdue(today=dt.date(2099, 1, 1))


def test_due_date_wins_over_due_quarter():
    task = TaskFactory(due_date=dt.date(2021, 12, 31), due_quarter=Quarter(2021, 1))
    assert task.deadline == dt.date(2021, 12, 31)
    assert not task.is_overdue(today=TODAY)


def test_overdue_queryset_agrees_with_is_overdue():
    plan = PlanFactory()
    cases = [
        # (due_date, due_quarter, status, expected overdue on TODAY)
        (dt.date(2021, 5, 14), None, TaskStatus.OPEN, True),
        (dt.date(2021, 5, 15), None, TaskStatus.OPEN, False),
        (dt.date(2021, 5, 16), None, TaskStatus.IN_PROGRESS, False),
        (dt.date(2021, 1, 10), None, TaskStatus.IN_PROGRESS, True),
        (dt.date(2021, 1, 10), None, TaskStatus.DONE, False),
        (dt.date(2021, 1, 10), None, TaskStatus.CANCELLED, False),
        (None, Quarter(2020, 4), TaskStatus.OPEN, True),
        (None, Quarter(2021, 1), TaskStatus.IN_PROGRESS, True),
        (None, Quarter(2021, 1), TaskStatus.DONE, False),
        (None, Quarter(2021, 2), TaskStatus.OPEN, False),
        (None, Quarter(2021, 3), TaskStatus.OPEN, False),
        (None, Quarter(2022, 1), TaskStatus.OPEN, False),
        (dt.date(2021, 12, 1), Quarter(2021, 1), TaskStatus.OPEN, False),
        (dt.date(2021, 4, 1), Quarter(2021, 4), TaskStatus.OPEN, True),
        (None, None, TaskStatus.OPEN, False),
    ]
    expected = set()
    for due_date, due_quarter, status, overdue in cases:
        task = TaskFactory(plan=plan, due_date=due_date, due_quarter=due_quarter, status=status)
        if overdue:
            expected.add(task.pk)
    tasks = list(Task.objects.filter(plan=plan))  # reloaded: due_quarter read back from the DB
    assert len(tasks) == len(cases)
    assert {t.pk for t in tasks if t.is_overdue(today=TODAY)} == expected
    assert set(
        Task.objects.filter(plan=plan).overdue(today=TODAY).values_list("pk", flat=True)
    ) == (expected)


def test_overdue_queryset_across_a_year_boundary():
    plan = PlanFactory()
    late = TaskFactory(plan=plan, due_quarter=Quarter(2020, 4))
    TaskFactory(plan=plan, due_quarter=Quarter(2021, 1))
    assert list(Task.objects.overdue(today=dt.date(2021, 1, 2))) == [late]


# --- ProgressReport -----------------------------------------------------------------------------
def test_one_report_per_task_unit_and_quarter_is_enforced_by_the_database():
    report = ProgressReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(
            task=report.task,
            organization=report.organization,
            year=report.year,
            quarter=report.quarter,
            status=TaskStatus.DONE,
            percent=100,
        )
    assert ProgressReport.objects.filter(task=report.task).count() == 1


def test_another_quarter_or_unit_may_report_on_the_same_task():
    report = ProgressReportFactory(year=2021, quarter=1)
    ProgressReportFactory(task=report.task, year=2021, quarter=2)
    ProgressReportFactory(task=report.task, year=2022, quarter=1)
    assert ProgressReport.objects.filter(task=report.task).count() == 3


def test_duplicate_report_is_also_refused_by_full_clean():
    report = ProgressReportFactory()
    duplicate = ProgressReport(
        task=report.task,
        organization=report.organization,
        year=report.year,
        quarter=report.quarter,
        status=TaskStatus.IN_PROGRESS,
        percent=10,
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()


@pytest.mark.parametrize(("field", "value"), [("percent", 101), ("quarter", 5), ("quarter", 0)])
def test_report_ranges_are_checked_by_the_database(field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(**{field: value})


def test_report_period_is_a_quarter():
    assert ProgressReportFactory(year=2021, quarter=1).period == Quarter(2021, 1)


# --- Plan.clean ---------------------------------------------------------------------------------
def test_a_plan_cannot_implement_itself(home):
    plan = PlanFactory(ward=home.ward)
    plan.implements = plan
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert "implements" in error.value.message_dict


def test_a_plan_cannot_implement_a_plan_of_another_ward(home, away):
    district_plan = PlanFactory(ward=away.ward, issuer=away.committee.parent, symbol="18-KH/QU")
    plan = PlanFactory(ward=home.ward, implements=district_plan)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert "implements" in error.value.message_dict


def test_a_plan_implements_one_of_its_own_ward(home):
    district_plan = PlanFactory(
        ward=home.ward, issuer=home.committee.parent, number=18, symbol="18-KH/QU"
    )
    plan = PlanFactory(ward=home.ward, number=28, symbol="28-KH/ĐU", implements=district_plan)
    plan.full_clean()
    assert plan.chain_up() == [district_plan]
    assert list(district_plan.implemented_by.all()) == [plan]


def test_a_circle_of_plans_is_refused(home):
    first = PlanFactory(ward=home.ward)
    second = PlanFactory(ward=home.ward, implements=first)
    first.implements = second
    with pytest.raises(ValidationError) as error:
        first.full_clean()
    assert "implements" in error.value.message_dict


def test_issuer_of_another_ward_is_refused(home, away):
    plan = PlanFactory.build(ward=home.ward, issuer=away.committee)
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert "issuer" in error.value.message_dict


def test_plan_symbol_is_stored_nfc_with_its_key(home):
    plan = PlanFactory(ward=home.ward, symbol=unicodedata.normalize("NFD", " 05-CTr/ĐU "))
    plan.refresh_from_db()
    assert plan.symbol == "05-CTr/ĐU"
    assert plan.symbol_key == "05-ctr/du"


def test_same_symbol_twice_for_an_issuer_and_year_is_refused_by_the_database(home):
    PlanFactory(ward=home.ward, symbol="18-KH/ĐU", year=2021)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(ward=home.ward, symbol="18 - KH/ĐU", year=2021)
    assert Plan.objects.filter(ward=home.ward).count() == 1


# --- QuarterField -------------------------------------------------------------------------------
def test_quarter_field_round_trip():
    task = TaskFactory(due_quarter="II/2021")
    task = Task.objects.get(pk=task.pk)
    assert task.due_quarter == Quarter(2021, 2)
    assert Task.objects.filter(pk=task.pk).values_list("due_quarter", flat=True).get() == (
        Quarter(2021, 2)
    )
    assert Task.objects.filter(due_quarter="2021-Q2").get() == task
    assert Task.objects.filter(due_quarter=Quarter(2021, 2)).get() == task


@pytest.mark.parametrize("written", ["II/2021", "2/2021", "2021-Q2", "Quý II/2021"])
def test_quarter_field_accepts_the_forms_people_type(written):
    task = TaskFactory(due_quarter=written)
    task.refresh_from_db()
    assert task.due_quarter == Quarter(2021, 2)


def test_quarter_field_empty_reads_as_none():
    task = TaskFactory(due_quarter=None)
    task.refresh_from_db()
    assert task.due_quarter is None


def test_quarter_field_rejects_nonsense_in_full_clean():
    task = TaskFactory()
    task.due_quarter = "V/2021"
    with pytest.raises(ValidationError) as error:
        task.full_clean()
    assert "due_quarter" in error.value.message_dict


# --- factories ----------------------------------------------------------------------------------
def test_factories_keep_wards_consistent(home):
    plan = PlanFactory(ward=home.ward)
    assert plan.issuer == home.committee
    task = TaskFactory(plan=plan, supporting_organizations=[home.women])
    assert task.ward == plan.ward == task.lead_organization.ward
    assert list(task.supporting_organizations.all()) == [home.women]
    assert TaskFactory(plan=plan).ordinal == task.ordinal + 1
    task = TaskFactory(ward=home.ward)
    assert task.plan.ward == task.ward == home.ward
    assert TaskFactory(plan=None, ward=home.ward).plan is None
    report = ProgressReportFactory(task=task)
    assert report.organization == task.lead_organization
    task.full_clean()
    plan.full_clean()
