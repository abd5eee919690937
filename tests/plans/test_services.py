"""Plan, task and progress-report services; committee terms and document numbering."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from plans.models import DocumentSequence, Plan, ProgressReport, Task, TaskStatus
from plans.services import (
    committee_term_start_year,
    document_number_next,
    issuer_candidates,
    plan_archive,
    plan_save,
    progress_report_submit,
    symbol_read,
    task_save,
)
from tests.factories import HigherCommitteeFactory, OrganizationFactory
from tests.plans.factories import DocumentSequenceFactory, PlanFactory, TaskFactory
from wardwork.models import OrganizationKind
from wardwork.quarters import Quarter

Q1 = Quarter(2021, 1)


def new_plan(setup, *, symbol="18-KH/QU", year=2021, issuer=None, title=None, **extra) -> Plan:
    """An unsaved plan as a form would hand it to ``plan_save``."""
    return Plan(
        ward=setup.ward,
        issuer=issuer or setup.committee.parent,
        symbol=symbol,
        issued_on=extra.pop("issued_on", dt.date(year, 2, 5)),
        year=year,
        title=title or "Kế hoạch thực hiện chủ đề Năm Dân vận khéo 2021",
        **extra,
    )


# --- symbols and issuers ------------------------------------------------------------------------
def test_issuer_candidates_find_the_ward_committee_and_the_district_above(home, away):
    assert issuer_candidates(ward=home.ward, issuer_code="ĐU") == [home.committee]
    assert issuer_candidates(ward=home.ward, issuer_code=" ĐU ") == [home.committee]
    assert issuer_candidates(ward=home.ward, issuer_code="QU") == [home.committee.parent]
    assert issuer_candidates(ward=away.ward, issuer_code="QU") == [away.committee.parent]


def test_issuer_candidates_walk_up_the_parent_chain(home):
    city = HigherCommitteeFactory(ward=home.ward, name="Thành ủy Hà Nội", symbol_code="TU")
    district = home.committee.parent
    district.parent = city
    district.save()
    assert issuer_candidates(ward=home.ward, issuer_code="TU") == [city]


def test_issuer_candidates_fall_back_to_bodies_above_wards(home):
    central = HigherCommitteeFactory(
        ward=home.ward, name="Ban Chấp hành Trung ương", symbol_code="TW"
    )
    assert issuer_candidates(ward=home.ward, issuer_code="TW") == [central]
    assert issuer_candidates(ward=home.ward, issuer_code="XYZ") == []


def test_issuer_candidates_put_the_committee_before_its_standing_committee(home):
    standing = OrganizationFactory(
        ward=home.ward,
        name="Ban Thường vụ Đảng ủy",
        kind=OrganizationKind.STANDING_COMMITTEE,
        symbol_code="ĐU",
    )
    assert issuer_candidates(ward=home.ward, issuer_code="ĐU") == [home.committee, standing]


def test_symbol_read_parses_and_finds_the_issuer(home):
    symbol, issuer = symbol_read(ward=home.ward, text="18-KH/QU")
    assert (symbol.number, symbol.doc_type) == (18, "KH")
    assert issuer == home.committee.parent
    symbol, issuer = symbol_read(ward=home.ward, text="123/KH-UBND")
    assert symbol.form == "state"
    assert issuer is None


def test_symbol_read_rejects_on_the_symbol_field(home):
    with pytest.raises(ValidationError) as error:
        symbol_read(ward=home.ward, text="<script>")
    assert "symbol" in error.value.message_dict


# --- plan_save ----------------------------------------------------------------------------------
def test_plan_save_fills_type_and_number_from_the_symbol(home):
    plan = plan_save(actor=home.secretary, plan=new_plan(home, symbol="18-KH/QU"))
    plan.refresh_from_db()
    assert (plan.doc_type, plan.number, plan.symbol) == ("KH", 18, "18-KH/QU")
    assert plan.created_by == home.secretary
    assert plan.history.get().history_user == home.secretary


def test_plan_save_reads_the_state_form(home):
    ubnd = OrganizationFactory(
        ward=home.ward,
        name="UBND phường",
        kind=OrganizationKind.PEOPLE_COMMITTEE,
        symbol_code="UBND",
    )
    plan = plan_save(actor=home.staff, plan=new_plan(home, symbol="45/2021/QĐ-UBND", issuer=ubnd))
    assert (plan.doc_type, plan.number) == ("QĐ", 45)


def test_plan_save_keeps_a_type_already_chosen(home):
    plan = plan_save(actor=home.staff, plan=new_plan(home, symbol="05-CTr/ĐU", doc_type="CTr"))
    assert (plan.doc_type, plan.number) == ("CTr", 5)


@pytest.mark.parametrize("written", ["18-KH/QU", "18 - KH/QU", "18-kh/qu"])
def test_plan_save_refuses_the_same_symbol_twice_in_a_year_naming_the_plan(home, written):
    plan_save(
        actor=home.secretary,
        plan=new_plan(home, title="Kế hoạch thực hiện Năm Dân vận khéo 2021"),
    )
    with pytest.raises(ValidationError) as error:
        plan_save(actor=home.secretary, plan=new_plan(home, symbol=written, title="Khác"))
    messages = error.value.message_dict["symbol"]
    assert any("Kế hoạch thực hiện Năm Dân vận khéo 2021" in m for m in messages)
    assert Plan.objects.filter(ward=home.ward).count() == 1


def test_plan_save_allows_editing_a_plan_without_calling_it_a_duplicate(home):
    plan = plan_save(actor=home.secretary, plan=new_plan(home))
    plan.title = "Kế hoạch (sửa)"
    plan_save(actor=home.secretary, plan=plan)
    plan.refresh_from_db()
    assert plan.title == "Kế hoạch (sửa)"
    assert plan.history.count() == 2


def test_plan_save_allows_the_same_symbol_in_another_year(home):
    plan_save(actor=home.secretary, plan=new_plan(home, year=2021))
    plan_save(actor=home.secretary, plan=new_plan(home, year=2022))
    assert Plan.objects.filter(ward=home.ward, symbol="18-KH/QU").count() == 2


def test_plan_save_allows_the_same_symbol_in_another_ward(home, away):
    # A body above wards: each ward records its plans with its own copy of it.
    plan_save(actor=home.secretary, plan=new_plan(home, issuer=home.committee.parent))
    plan_save(actor=away.secretary, plan=new_plan(away, issuer=away.committee.parent))
    assert Plan.objects.filter(symbol="18-KH/QU").count() == 2


def test_plan_save_allows_the_same_symbol_from_another_issuer(home, away):
    plan_save(actor=home.secretary, plan=new_plan(home, issuer=home.committee.parent))
    other = HigherCommitteeFactory(ward=home.ward, name="Quận ủy Khác")
    plan_save(actor=home.secretary, plan=new_plan(home, issuer=other))
    assert Plan.objects.filter(ward=home.ward).count() == 2


@pytest.mark.parametrize("who", ["cell_secretary", "mass_head", "dvk", "plain"])
def test_plan_save_is_for_ward_staff_only(home, who):
    with pytest.raises(PermissionDenied):
        plan_save(actor=getattr(home, who), plan=new_plan(home))
    assert not Plan.objects.exists()


def test_plan_save_refuses_staff_of_another_ward(home, away):
    with pytest.raises(PermissionDenied):
        plan_save(actor=away.secretary, plan=new_plan(home))


def test_superuser_may_save_a_plan_in_any_ward(home, superuser):
    assert plan_save(actor=superuser, plan=new_plan(home)).pk


@pytest.mark.parametrize("symbol", ["abc", "KH/QU", "0-KH/QU", "<script>", "18-KH/QU/../x"])
def test_plan_save_rejects_invalid_symbols_on_the_symbol_field(home, symbol):
    with pytest.raises(ValidationError) as error:
        plan_save(actor=home.secretary, plan=new_plan(home, symbol=symbol))
    assert "symbol" in error.value.message_dict
    assert not Plan.objects.exists()


def test_plan_save_requires_a_symbol(home):
    with pytest.raises(ValidationError) as error:
        plan_save(actor=home.secretary, plan=new_plan(home, symbol=""))
    assert "symbol" in error.value.message_dict


def test_plan_archive_stops_following_a_plan_and_resumes_it(home):
    plan = PlanFactory(ward=home.ward)
    plan_archive(actor=home.staff, plan=plan)
    plan.refresh_from_db()
    assert not plan.is_active
    assert plan.history.latest().history_user == home.staff
    assert not Plan.objects.active().filter(pk=plan.pk).exists()
    plan_archive(actor=home.staff, plan=plan, active=True)
    plan.refresh_from_db()
    assert plan.is_active


def test_plan_archive_is_for_ward_staff_only(home):
    plan = PlanFactory(ward=home.ward)
    with pytest.raises(PermissionDenied):
        plan_archive(actor=home.cell_secretary, plan=plan)


# --- task_save ----------------------------------------------------------------------------------
def new_task(setup, plan, **extra) -> Task:
    return Task(
        ward=setup.ward,
        plan=plan,
        title=extra.pop("title", "Tuyên truyền giải phóng mặt bằng"),
        lead_organization=extra.pop("lead_organization", setup.cell),
        **extra,
    )


def test_task_save_gives_the_next_number_when_the_number_is_left_empty(home):
    plan = PlanFactory(ward=home.ward)
    first = task_save(actor=home.staff, task=new_task(home, plan, ordinal=None))
    second = task_save(actor=home.staff, task=new_task(home, plan, ordinal=None))
    assert (first.ordinal, second.ordinal) == (1, 2)
    assert first.created_by == home.staff


def test_task_save_gives_the_next_number_to_a_new_task(home):
    plan = PlanFactory(ward=home.ward)
    first = task_save(actor=home.staff, task=new_task(home, plan))
    second = task_save(actor=home.staff, task=new_task(home, plan))
    assert (first.ordinal, second.ordinal) == (1, 2)


def test_task_save_keeps_a_number_given_explicitly(home):
    plan = PlanFactory(ward=home.ward)
    task = task_save(actor=home.staff, task=new_task(home, plan, ordinal=6))
    assert task.ordinal == 6
    assert task_save(actor=home.staff, task=new_task(home, plan, ordinal=None)).ordinal == 7


def test_task_save_sets_supporting_units_without_the_lead(home):
    plan = PlanFactory(ward=home.ward)
    task = task_save(
        actor=home.staff,
        task=new_task(home, plan, ordinal=None, lead_organization=home.cell),
        supporting_organizations=[home.cell, home.women, home.other_cell],
    )
    assert set(task.supporting_organizations.all()) == {home.women, home.other_cell}
    task = task_save(actor=home.staff, task=task, supporting_organizations=[home.women])
    assert list(task.supporting_organizations.all()) == [home.women]


def test_task_save_refuses_a_supporting_unit_of_another_ward(home, away):
    plan = PlanFactory(ward=home.ward)
    with pytest.raises(ValidationError) as error:
        task_save(
            actor=home.staff,
            task=new_task(home, plan, ordinal=None),
            supporting_organizations=[away.women],
        )
    assert "supporting_organizations" in error.value.message_dict
    assert not Task.objects.filter(plan=plan).exists()  # the whole save is undone


def test_task_save_is_for_ward_staff_only(home):
    plan = PlanFactory(ward=home.ward)
    with pytest.raises(PermissionDenied):
        task_save(actor=home.cell_secretary, task=new_task(home, plan, ordinal=None))


# --- progress_report_submit ---------------------------------------------------------------------
@pytest.fixture
def task(home):
    """A task of the ward led by ``cell``, supported by ``women``."""
    return TaskFactory(
        plan=PlanFactory(ward=home.ward),
        lead_organization=home.cell,
        supporting_organizations=[home.women],
    )


def submit(task, actor, organization, **extra):
    values = {"quarter": Q1, "status": TaskStatus.IN_PROGRESS, "percent": 40, **extra}
    return progress_report_submit(actor=actor, task=task, organization=organization, **values)


def test_cell_secretary_reports_for_an_assigned_unit(home, task):
    result = submit(task, home.cell_secretary, home.cell, narrative="Đã họp chi bộ")
    assert result.created
    report = result.report
    assert (report.task, report.organization, report.year, report.quarter) == (
        task,
        home.cell,
        2021,
        1,
    )
    assert report.reported_by == home.cell_secretary
    assert report.percent == 40
    assert report.narrative == "Đã họp chi bộ"
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_head_of_a_supporting_unit_reports_too(home, task):
    assert submit(task, home.mass_head, home.women).created


def test_second_submission_updates_the_report_and_history_keeps_both(home, task):
    first = submit(task, home.cell_secretary, home.cell, percent=30, narrative="Bước 1")
    second = submit(task, home.staff, home.cell, percent=70, narrative="Bước 2")
    assert not second.created
    assert second.report.pk == first.report.pk
    assert ProgressReport.objects.filter(task=task).count() == 1
    report = ProgressReport.objects.get(task=task)
    assert (report.percent, report.narrative, report.reported_by) == (70, "Bước 2", home.staff)
    history = list(report.history.order_by("history_date", "history_id"))
    assert len(history) == 2
    assert report.history.count() == 2
    assert [(h.percent, h.narrative) for h in history] == [(30, "Bước 1"), (70, "Bước 2")]
    assert [h.history_user for h in history] == [home.cell_secretary, home.staff]


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_report_keeps_its_evidence_when_resubmitted_without_a_file(home, task, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    first = submit(task, home.cell_secretary, home.cell, attachment=evidence).report
    assert first.attachment.name.endswith(".pdf")
    second = submit(task, home.cell_secretary, home.cell, percent=80).report
    second.refresh_from_db()
    assert second.attachment.name == first.attachment.name
    assert second.percent == 80


def test_report_with_a_fake_evidence_file_is_refused(home, task, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("bien-ban.pdf", b"not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        submit(task, home.cell_secretary, home.cell, attachment=fake)
    assert "attachment" in error.value.message_dict
    assert not ProgressReport.objects.exists()


def test_percent_above_100_is_refused(home, task):
    with pytest.raises(ValidationError) as error:
        submit(task, home.cell_secretary, home.cell, percent=150)
    assert "percent" in error.value.message_dict


def test_another_quarter_is_another_report(home, task):
    submit(task, home.cell_secretary, home.cell)
    submit(task, home.cell_secretary, home.cell, quarter=Q1.next())
    assert ProgressReport.objects.filter(task=task).count() == 2


def test_reporting_for_an_unassigned_unit_is_refused_on_organization(home, task):
    with pytest.raises(ValidationError) as error:
        submit(task, home.staff, home.other_cell)
    assert "organization" in error.value.message_dict
    assert not ProgressReport.objects.exists()


def test_cell_secretary_cannot_report_for_another_assigned_unit(home, task):
    with pytest.raises(ValidationError) as error:
        submit(task, home.cell_secretary, home.women)
    assert "organization" in error.value.message_dict


@pytest.mark.parametrize("who", ["other_cell_secretary", "plain", "dvk"])
def test_users_of_unassigned_units_cannot_report(home, task, who):
    with pytest.raises(PermissionDenied):
        submit(task, getattr(home, who), home.cell)
    assert not ProgressReport.objects.exists()


def test_users_of_another_ward_cannot_report(away, task, home):
    with pytest.raises(PermissionDenied):
        submit(task, away.secretary, home.cell)


@pytest.mark.parametrize("who", ["secretary", "staff"])
def test_ward_staff_report_on_behalf_of_any_assigned_unit(home, task, who):
    actor = getattr(home, who)
    for unit in (home.cell, home.women):
        result = submit(task, actor, unit)
        assert result.created
        assert result.report.reported_by == actor
    assert ProgressReport.objects.filter(task=task).count() == 2


def test_lead_unit_reporting_done_finishes_the_task_at_100_percent(home, task):
    report = submit(task, home.cell_secretary, home.cell, status=TaskStatus.DONE, percent=60).report
    report.refresh_from_db()
    assert report.percent == 100
    assert report.status == TaskStatus.DONE
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert not task.is_overdue(today=dt.date(2099, 1, 1))


def test_supporting_unit_reporting_done_only_starts_the_task(home, task):
    report = submit(task, home.mass_head, home.women, status=TaskStatus.DONE, percent=10).report
    assert report.percent == 100
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_cancelled_task_stays_cancelled(home, task):
    task.status = TaskStatus.CANCELLED
    task.save()
    submit(task, home.cell_secretary, home.cell, status=TaskStatus.DONE)
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


# --- committee terms ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "term"),
    [
        (dt.date(2021, 4, 13), 2020),
        (dt.date(2020, 3, 1), 2015),
        (dt.date(2025, 7, 1), 2025),
        (dt.date(2025, 6, 30), 2020),
        (dt.date(2020, 7, 1), 2020),
        (dt.date(2030, 7, 1), 2030),
    ],
)
def test_committee_term_start_year(day, term):
    assert committee_term_start_year(day) == term


# --- document numbering -------------------------------------------------------------------------
APRIL_2021 = dt.date(2021, 4, 13)


def test_document_numbers_run_1_2_3(home):
    numbers = [
        document_number_next(issuer=home.committee, doc_type="BC", on=APRIL_2021) for _ in range(3)
    ]
    assert numbers == [1, 2, 3]
    sequence = DocumentSequence.objects.get(issuer=home.committee, doc_type="BC")
    assert (sequence.term_start_year, sequence.last_number) == (2020, 3)


def test_document_numbers_start_after_plans_already_recorded(home):
    PlanFactory(ward=home.ward, issuer=home.committee, number=28, symbol="28-KH/ĐU")
    PlanFactory(ward=home.ward, issuer=home.committee, number=3, symbol="03-KH/ĐU")
    # Another type, another issuer, another term: none of them count.
    PlanFactory(ward=home.ward, issuer=home.committee, doc_type="BC", number=40, symbol="40-BC/ĐU")
    PlanFactory(ward=home.ward, issuer=home.committee.parent, number=90, symbol="90-KH/QU")
    PlanFactory(
        ward=home.ward,
        issuer=home.committee,
        number=77,
        symbol="77-KH/ĐU",
        issued_on=dt.date(2019, 12, 1),
    )
    assert document_number_next(issuer=home.committee, doc_type="KH", on=APRIL_2021) == 29
    assert document_number_next(issuer=home.committee, doc_type="KH", on=APRIL_2021) == 30


def test_document_numbers_continue_an_existing_sequence(home):
    DocumentSequenceFactory(issuer=home.committee, doc_type="TB", last_number=11)
    assert document_number_next(issuer=home.committee, doc_type="TB", on=APRIL_2021) == 12


def test_document_numbers_restart_in_the_next_term(home):
    PlanFactory(ward=home.ward, issuer=home.committee, number=28, symbol="28-KH/ĐU")
    assert document_number_next(issuer=home.committee, doc_type="KH", on=APRIL_2021) == 29
    assert document_number_next(issuer=home.committee, doc_type="KH", on=dt.date(2025, 7, 1)) == 1
    assert document_number_next(issuer=home.committee, doc_type="KH", on=dt.date(2025, 9, 1)) == 2
    assert document_number_next(issuer=home.committee, doc_type="KH", on=dt.date(2025, 6, 30)) == 30


def test_document_numbers_are_separate_per_type_and_issuer(home, away):
    assert document_number_next(issuer=home.committee, doc_type="KH", on=APRIL_2021) == 1
    assert document_number_next(issuer=home.committee, doc_type="KH", on=APRIL_2021) == 2
    assert document_number_next(issuer=home.committee, doc_type="BC", on=APRIL_2021) == 1
    assert document_number_next(issuer=home.committee, doc_type="TB", on=APRIL_2021) == 1
    assert document_number_next(issuer=away.committee, doc_type="KH", on=APRIL_2021) == 1
    assert document_number_next(issuer=home.committee, doc_type="KH", on=APRIL_2021) == 3


THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_document_numbers_are_unique():
    """Eight requests asking at once for the next number get 1..8, each exactly once.

    On PostgreSQL the threads really race: the sequence row is created by one of them (the
    others hit the unique constraint and re-read it) and the UPDATE's row lock serialises
    the increments. SQLite (the zero-setup development database, in memory under tests)
    has one writer at a time and no row locks: a deferred transaction that read and then
    tries to write fails at once with "database is locked"/"database table is locked"
    instead of waiting. So on SQLite only, the same eight threads take turns through a lock:
    it still checks that each thread's own connection sees the previous thread's committed
    number, but not the race itself.
    """
    issuer = OrganizationFactory(
        name="Đảng ủy phường Thử Nghiệm", kind=OrganizationKind.WARD_COMMITTEE, symbol_code="ĐU"
    )
    serialise = connection.vendor == "sqlite"
    turn = threading.Lock()
    start = threading.Barrier(THREADS)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker():
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=30)
            if serialise:
                with turn:
                    number = document_number_next(issuer=issuer, doc_type="KH", on=APRIL_2021)
            else:
                number = document_number_next(issuer=issuer, doc_type="KH", on=APRIL_2021)
            results.append(number)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sorted(results) == list(range(1, THREADS + 1))
    assert DocumentSequence.objects.get(issuer=issuer, doc_type="KH").last_number == THREADS
