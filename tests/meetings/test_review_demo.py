"""The quarterly review demo: IV/2020 finalised, I/2021 in review, II/2021 open."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from meetings.models import (
    REPORT_SECTIONS,
    DocumentKind,
    Meeting,
    MeetingStatus,
    QuarterlyReview,
    ReviewStatus,
)
from meetings.review_figures import quarter_figures
from meetings.review_selectors import working_quarter
from meetings.review_services import (
    MESSAGE_MISSING_REPORT,
    review_figures,
    review_finalize,
    review_missing,
    review_report_document,
    review_report_docx,
)
from plans.models import ProgressReport, Task, TaskStatus
from wardwork.models import Organization, User, Ward
from wardwork.periods import period_closed_message
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

Q4_2020, Q1_2021, Q2_2021 = Quarter(2020, 4), Quarter(2021, 1), Quarter(2021, 2)


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def ward(demo) -> Ward:
    return Ward.objects.get(name="Phường Phúc Đồng")


def _review(ward, quarter) -> QuarterlyReview:
    return QuarterlyReview.objects.select_related("meeting").get(
        ward=ward, year=quarter.year, quarter=quarter.number
    )


def _local_day(moment) -> dt.date:
    return timezone.localtime(moment).date()


# --- IV/2020: finalised -------------------------------------------------------------------------


def test_iv_2020_is_finalised_by_the_ward_secretary_with_its_figures_kept(ward):
    review = _review(ward, Q4_2020)
    assert review.status == ReviewStatus.FINALIZED
    assert review.finalized_by.username == "ngoc"
    assert _local_day(review.finalized_at) == dt.date(2021, 1, 11)
    figures = review.figures
    assert figures["quarter"] == "2020-Q4"
    assert figures["meeting"]["id"] == review.meeting_id
    assert (figures["meeting"]["contributions"], figures["meeting"]["conclusions"]) == (3, 3)
    # The four exemplary models of 2020 are the quarter's registrations.
    assert figures["registrations"]["collective"] == 4
    assert review_figures(review=review) == figures  # the snapshot (relabelled copy)
    events = list(review.events.select_related("actor"))
    assert [e.action for e in events] == ["created", "report_numbered", "finalized"]
    assert events[-1].to_status == ReviewStatus.FINALIZED
    assert {e.actor.username for e in events} == {"ngoc"}
    assert [_local_day(e.at) for e in events] == [
        dt.date(2021, 1, 4),
        dt.date(2021, 1, 8),
        dt.date(2021, 1, 11),
    ]
    assert review.history.filter(history_user__username="ngoc").exists()


def test_iv_2020_report_took_the_terms_first_bc_number(ward):
    review = _review(ward, Q4_2020)
    document = review_report_document(review=review)
    assert document.kind == DocumentKind.QUARTERLY_REPORT
    assert re.fullmatch(r"\d+-BC/ĐU", document.symbol)
    assert document.number == 1
    assert document.issued_on == dt.date(2021, 1, 8)  # the meeting's day
    assert document.generated_by.username == "ngoc"
    assert _local_day(document.generated_at) == dt.date(2021, 1, 8)


def test_iv_2020_meeting_is_small_concluded_and_its_tasks_fall_in_quarter_i(ward):
    review = _review(ward, Q4_2020)
    meeting = review.meeting
    assert (meeting.year, meeting.quarter) == (2020, 4)
    assert meeting.status == MeetingStatus.CONCLUDED
    assert _local_day(meeting.held_at) == dt.date(2021, 1, 8)
    assert meeting.concluded_by.username == "khanh"
    assert {p.full_name for p in meeting.chairs.all()} == {"Nguyễn Thị Ngọc", "Nguyễn Hữu Khanh"}
    assert "quý I/2021" in meeting.next_period_direction
    attendances = list(meeting.attendances.select_related("person"))
    assert 5 <= len(attendances) <= 15
    assert {a.person.full_name for a in attendances} >= {"Nguyễn Thị Ngọc", "Nguyễn Hữu Khanh"}
    contributions = list(meeting.contributions.select_related("speaker"))
    assert [c.ordinal for c in contributions] == [1, 2, 3]
    present = {a.person_id for a in attendances if a.status == "present"}
    assert {c.speaker_id for c in contributions} <= present
    conclusions = list(meeting.conclusions.select_related("task"))
    assert [c.ordinal for c in conclusions] == [1, 2, 3]
    assert "kế hoạch" in conclusions[0].text and "18-KH/QU" in conclusions[0].text
    assert "đăng ký mô hình" in conclusions[1].text
    for conclusion in conclusions:
        task = conclusion.task
        assert task.due_quarter == Q1_2021
        assert task.assigned_on == dt.date(2021, 1, 8)
        assert task.plan is None
        assert task.status == TaskStatus.DONE
        lead_report = ProgressReport.objects.get(
            task=task, organization=task.lead_organization, year=2021, quarter=1
        )
        assert lead_report.status == TaskStatus.DONE


def test_iv_2020_is_locked(ward):
    review = _review(ward, Q4_2020)
    assert period_closed_message(ward.pk, Q4_2020)
    meeting = review.meeting
    meeting.venue = "Hội trường"
    with pytest.raises(ValidationError):
        meeting.full_clean()


def test_quarter_i_follows_up_iv_2020s_conclusions(ward):
    follow_up = quarter_figures(ward=ward, quarter=Q1_2021)["follow_up"]
    assert [row["ordinal"] for row in follow_up] == [1, 2, 3]
    assert {row["task_status"] for row in follow_up} == {TaskStatus.DONE}
    assert all(row["reported"] for row in follow_up)


# --- I/2021: in review, ready to generate and finalise ------------------------------------------


def test_i_2021_is_in_review_with_the_meeting_of_13_04_2021(ward):
    review = _review(ward, Q1_2021)
    assert review.status == ReviewStatus.IN_REVIEW
    assert _local_day(review.meeting.held_at) == dt.date(2021, 4, 13)
    assert review.meeting.status == MeetingStatus.CONCLUDED
    assert not any(getattr(review, name) for name in REPORT_SECTIONS)  # the defaults
    assert review.text_edited_at is None
    assert review_report_document(review=review) is None
    assert review.figures is None
    figures = review_figures(review=review)
    registrations = figures["registrations"]
    assert (registrations["collective_text"], registrations["individual_text"]) == ("18", "03")
    meeting = figures["meeting"]
    assert (meeting["contributions_text"], meeting["conclusions_text"]) == ("05", "06")
    with translation.override("en"):
        assert review_missing(review=review) == [str(MESSAGE_MISSING_REPORT)]
        assert str(MESSAGE_MISSING_REPORT) == "Generate the quarterly report."


def test_i_2021_still_misses_some_units_reports(ward):
    tasks = quarter_figures(ward=ward, quarter=Q1_2021)["tasks"]
    missing = set(
        Organization.objects.filter(pk__in=tasks["units_missing"]).values_list("name", flat=True)
    )
    assert {
        "Chi bộ Khu dân cư số 2",
        "Chi bộ Khu dân cư số 5",
        "Hội Người cao tuổi phường Phúc Đồng",
    } <= missing
    assert "Chi bộ Khu dân cư số 1" not in missing


def test_the_demos_working_quarter_is_i_2021(ward):
    assert working_quarter(ward=ward) == Q1_2021


def test_i_2021_can_be_generated_and_finalised(ward):
    ngoc = User.objects.get(username="ngoc")
    review = _review(ward, Q1_2021)
    data, document = review_report_docx(actor=ngoc, review=review)
    assert data[:2] == b"PK"
    assert document.symbol == "02-BC/ĐU"  # after IV/2020's
    assert review_missing(review=review) == []
    review = review_finalize(actor=ngoc, review=review)
    assert review.status == ReviewStatus.FINALIZED
    assert working_quarter(ward=ward) == Q2_2021


# --- II/2021: open, the conclusions of 13/04/2021 as its tasks -----------------------------------


def test_ii_2021_is_open_with_the_six_conclusions_as_its_tasks(ward):
    review = _review(ward, Q2_2021)
    assert review.status == ReviewStatus.OPEN
    assert review.meeting is None
    meeting_of_13_04 = Meeting.objects.get(ward=ward, year=2021, quarter=1)
    conclusion_tasks = set(meeting_of_13_04.conclusions.values_list("task_id", flat=True))
    assert len(conclusion_tasks) == 6
    figures = quarter_figures(ward=ward, quarter=Q2_2021)
    assert conclusion_tasks <= {row["id"] for row in figures["tasks"]["rows"]}
    assert {row["task_id"] for row in figures["follow_up"]} == conclusion_tasks
    assert not Task.objects.filter(pk__in=conclusion_tasks, status=TaskStatus.CANCELLED).exists()
    # The starting list: the direction of I/2021.
    assert "quý II/2021" in meeting_of_13_04.next_period_direction
    # IV/2020's conclusions were done in quarter I: they are not carried into quarter II.
    done = Task.objects.filter(conclusion__meeting__year=2020).values_list("pk", flat=True)
    assert not set(done) & {row["id"] for row in figures["tasks"]["rows"]}


# --- loading ------------------------------------------------------------------------------------


def test_the_summary_counts_the_reviews(demo):
    assert "QuarterlyReview: 3" in demo
    assert "IssuedDocument: 1" in demo


def test_loading_twice_changes_no_row_count(demo, capsys):
    before = _row_counts()
    reviews = list(QuarterlyReview.objects.values())
    call_command("load_demo")
    assert _row_counts() == before
    assert list(QuarterlyReview.objects.values()) == reviews
    assert "nothing changed" in capsys.readouterr().out
