"""The quarterly review's services: opening, its meeting, the report's text, what finalising
needs, finalising (figures frozen) and reopening; each step audited with its actor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from meetings import review_services as services
from meetings.models import (
    REPORT_SECTIONS,
    DocumentKind,
    IssuedDocument,
    Meeting,
    MeetingKind,
    MeetingStatus,
    QuarterlyReview,
    QuarterlyReviewEvent,
    ReviewStatus,
)
from meetings.review_figures import quarter_figures
from meetings.services import meeting_conclude, meeting_hold
from tests.factories import PersonFactory, PositionFactory
from tests.meetings.conftest import make_meeting
from tests.meetings.review_fixtures import Q1, at, make_review_world, mark_report_generated
from tests.models_registry.factories import RegistrationFactory
from tests.plans.conftest import make_plans
from wardwork.models import PositionRole
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db


def _review(home, quarter=Q1) -> QuarterlyReview:
    return services.review_get_or_create(ward=home.ward, quarter=quarter, actor=home.secretary)


def _events(review) -> list[tuple]:
    return list(
        QuarterlyReviewEvent.objects.filter(review=review)
        .order_by("at", "pk")
        .values_list("action", "from_status", "to_status", "actor_id")
    )


def _messages(excinfo) -> list[str]:
    return excinfo.value.messages


def _ready(home) -> QuarterlyReview:
    """A review whose meeting is concluded and whose report is generated."""
    make_meeting(home, MeetingStatus.CONCLUDED)
    review = _review(home)
    mark_report_generated(review, home.secretary)
    return review


# --- opening --------------------------------------------------------------------------------------
def test_first_visit_creates_the_review_once(home):
    review = _review(home)
    assert (review.ward, review.year, review.quarter) == (home.ward, 2021, 1)
    assert review.status == ReviewStatus.OPEN
    assert review.meeting is None
    assert review.created_by == home.secretary
    again = services.review_get_or_create(ward=home.ward, quarter=Q1, actor=home.staff)
    assert again.pk == review.pk
    assert QuarterlyReview.objects.filter(ward=home.ward).count() == 1
    assert _events(review) == [("created", "", "open", home.secretary.pk)]


def test_a_review_meeting_made_first_is_linked_and_the_review_is_in_review(home):
    meeting = make_meeting(home, MeetingStatus.PLANNED)
    review = _review(home)
    assert review.meeting == meeting
    assert review.status == ReviewStatus.IN_REVIEW
    assert _events(review) == [("created", "", "in_review", home.secretary.pk)]


def test_a_review_meeting_made_later_on_the_meetings_page_is_linked_on_the_next_visit(home):
    review = _review(home)
    meeting = make_meeting(home, MeetingStatus.PLANNED)
    # Another kind of meeting, or another quarter's review, is not the review meeting.
    make_meeting(home, kind=MeetingKind.BRIEFING, quarter=1)
    again = services.review_get_or_create(ward=home.ward, quarter=Q1, actor=home.staff)
    assert again.meeting == meeting
    assert again.status == ReviewStatus.IN_REVIEW
    review.refresh_from_db()
    assert (review.meeting_id, review.status) == (meeting.pk, ReviewStatus.IN_REVIEW)
    assert _events(review)[-1] == ("meeting_linked", "open", "in_review", home.staff.pk)


def test_two_first_visits_at_once_make_one_review(home, monkeypatch):
    """The other request inserts the row between this one's look-up and its insert."""
    other = QuarterlyReview.objects.create(ward=home.ward, year=2021, quarter=1)
    manager = QuarterlyReview.objects
    original = manager.select_related

    def stale_lookup(*fields):
        if "finalized_by__person" in fields:  # the look-up before the insert: not there yet
            return manager.none()
        return original(*fields)

    monkeypatch.setattr(manager, "select_related", stale_lookup)
    review = services.review_get_or_create(ward=home.ward, quarter=Q1, actor=home.secretary)
    assert review.pk == other.pk
    assert QuarterlyReview.objects.filter(ward=home.ward).count() == 1


def test_a_quarter_after_the_next_one_is_refused(home):
    current = Quarter.current()
    assert _review(home, current.next()).period == current.next()  # prepared ahead
    with pytest.raises(ValidationError) as excinfo:
        _review(home, current.next().next())
    assert _messages(excinfo) == [str(services.MESSAGE_FUTURE_QUARTER)]
    assert not QuarterlyReview.objects.filter(
        year=current.next().next().year, quarter=current.next().next().number
    ).exists()


def test_start(home):
    review = _review(home)
    started = services.review_start(actor=home.staff, review=review)
    assert started.status == ReviewStatus.IN_REVIEW
    services.review_start(actor=home.staff, review=review)  # again: nothing more happens
    assert _events(review)[1:] == [("started", "open", "in_review", home.staff.pk)]


@pytest.mark.parametrize("role", ["cell_secretary", "dvk", "mass_head", "plain"])
def test_start_is_for_ward_staff(home, role):
    review = _review(home)
    with pytest.raises(PermissionDenied):
        services.review_start(actor=getattr(home, role), review=review)
    assert QuarterlyReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


def test_staff_of_another_ward_cannot_start(home, away):
    with pytest.raises(PermissionDenied):
        services.review_start(actor=away.secretary, review=_review(home))


# --- the review meeting ---------------------------------------------------------------------------
@pytest.fixture
def deputy(home):
    person = PersonFactory(ward=home.ward, full_name="Đỗ Văn Khánh", organization=home.committee)
    PositionFactory(
        person=person, organization=home.committee, role=PositionRole.STANDING_DEPUTY_SECRETARY
    )
    return person


def test_the_review_meeting_is_created_with_its_defaults(home, deputy):
    plans = make_plans(home)  # 28-KH/ĐU has the tasks; 18-KH/QU has none
    review = _review(home)
    defaults = services.review_meeting_defaults(review=review)
    assert defaults["held_at"] == at(2021, 4, 13, 8)  # early in the next quarter
    assert defaults["chairs"] == [home.secretary.person, deputy]
    assert defaults["presenter"] == deputy
    assert defaults["reviewed_plans"] == [plans.ward_plan]

    meeting = services.review_meeting_create(
        actor=home.staff, review=review, held_at=defaults["held_at"], venue="Hội trường"
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.kind == MeetingKind.QUARTERLY_REVIEW
    assert (meeting.year, meeting.quarter) == (2021, 1)
    assert meeting.title == gettext("Quarterly review %(quarter)s") % {"quarter": "I/2021"}
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.venue == "Hội trường"
    assert list(meeting.chairs.order_by("pk")) == [home.secretary.person, deputy]
    assert meeting.presenter == deputy
    assert list(meeting.reviewed_plans.all()) == [plans.ward_plan]
    # Invited by role: ward leaders (secretary, standing deputy), the head of the women's
    # union, both cell secretaries, the Khối Dân vận member. Not the office staff.
    invited = set(meeting.attendances.values_list("person_id", flat=True))
    assert invited == {
        home.secretary.person_id,
        deputy.pk,
        home.mass_head.person_id,
        home.cell_secretary.person_id,
        home.other_cell_secretary.person_id,
        home.dvk.person_id,
    }
    review.refresh_from_db()
    assert (review.meeting_id, review.status) == (meeting.pk, ReviewStatus.IN_REVIEW)
    assert _events(review)[-1] == ("meeting_created", "open", "in_review", home.staff.pk)


def test_the_review_meeting_takes_what_is_chosen(home, deputy):
    review = _review(home)
    meeting = services.review_meeting_create(
        actor=home.secretary,
        review=review,
        held_at=at(2021, 4, 20, 14),
        title="  Hội nghị sơ kết quý I/2021 ",
        chairs=[home.secretary.person],
        presenter=home.staff.person,
        reviewed_plans=[],
        groups=["cell_secretaries"],
    )
    assert meeting.title == "Hội nghị sơ kết quý I/2021"
    assert list(meeting.chairs.all()) == [home.secretary.person]
    assert meeting.presenter == home.staff.person
    assert not meeting.reviewed_plans.exists()
    assert set(meeting.attendances.values_list("person_id", flat=True)) == {
        home.cell_secretary.person_id,
        home.other_cell_secretary.person_id,
    }


def test_a_second_review_meeting_is_refused(home):
    review = _review(home)
    services.review_meeting_create(actor=home.staff, review=review, held_at=at(2021, 4, 13, 8))
    with pytest.raises(ValidationError) as excinfo:
        services.review_meeting_create(actor=home.staff, review=review, held_at=at(2021, 4, 14))
    assert _messages(excinfo) == [str(services.MESSAGE_HAS_MEETING)]
    assert Meeting.objects.filter(ward=home.ward).count() == 1


def test_a_review_meeting_made_on_the_meetings_page_is_not_made_twice(home):
    review = _review(home)
    make_meeting(home, MeetingStatus.PLANNED)
    with pytest.raises(ValidationError) as excinfo:
        services.review_meeting_create(actor=home.staff, review=review, held_at=at(2021, 4, 14))
    assert _messages(excinfo) == [str(services.MESSAGE_HAS_MEETING)]
    assert Meeting.objects.filter(ward=home.ward).count() == 1


@pytest.mark.parametrize("role", ["cell_secretary", "dvk", "mass_head"])
def test_the_review_meeting_is_created_by_ward_staff(home, role):
    review = _review(home)
    with pytest.raises(PermissionDenied):
        services.review_meeting_create(
            actor=getattr(home, role), review=review, held_at=at(2021, 4, 13, 8)
        )
    assert not Meeting.objects.exists()
    assert QuarterlyReview.objects.get(pk=review.pk).meeting_id is None


# --- the report's text ----------------------------------------------------------------------------
def test_text_is_kept_with_the_review(home):
    review = _review(home)
    before = timezone.now()
    saved = services.review_text_save(
        actor=home.staff,
        review=review,
        leadership_text="  Ban Thường vụ đã lãnh đạo…\nĐoạn hai. ",
        direction_text="Quý II: tập trung giải phóng mặt bằng.",
    )
    stored = QuarterlyReview.objects.get(pk=review.pk)
    assert stored.leadership_text == "Ban Thường vụ đã lãnh đạo…\nĐoạn hai."  # lines kept
    assert stored.direction_text == "Quý II: tập trung giải phóng mặt bằng."
    assert stored.results_text == ""
    assert stored.text_edited_by == home.staff
    assert stored.text_edited_at >= before
    assert saved.text_edited_at == stored.text_edited_at
    assert _events(review)[-1] == ("text_saved", "open", "open", home.staff.pk)


def test_text_of_an_unknown_section_is_a_programming_error(home):
    with pytest.raises(TypeError):
        services.review_text_save(actor=home.staff, review=_review(home), summary_text="x")


def test_text_is_saved_by_ward_staff_only(home):
    review = _review(home)
    for user in (home.cell_secretary, home.dvk):
        with pytest.raises(PermissionDenied):
            services.review_text_save(actor=user, review=review, results_text="x")
    assert QuarterlyReview.objects.get(pk=review.pk).results_text == ""


def test_texts_are_the_saved_ones_or_the_defaults(home, monkeypatch):
    from meetings import review_report

    seen = {}

    def defaults(*, review, figures):
        seen["figures"] = figures
        return {name: f"mặc định {name}" for name in REPORT_SECTIONS}

    monkeypatch.setattr(review_report, "default_texts", defaults)
    review = _review(home)
    texts = services.review_texts(review=review)
    assert texts == {name: f"mặc định {name}" for name in REPORT_SECTIONS}
    assert seen["figures"]["quarter"] == "2021-Q1"  # computed when not given

    review = services.review_text_save(actor=home.staff, review=review, results_text="Kết quả.")
    texts = services.review_texts(review=review, figures={"given": True})
    assert texts["results_text"] == "Kết quả."
    assert texts["leadership_text"] == "mặc định leadership_text"
    assert seen["figures"] == {"given": True}


def test_default_texts_are_written_from_the_data(home):
    make_review_world(home)
    texts = services.review_texts(review=_review(home))
    assert set(texts) == set(REPORT_SECTIONS)
    assert all(texts[name].strip() for name in REPORT_SECTIONS)


# --- what finalising needs ------------------------------------------------------------------------
def test_missing_everything(home):
    review = _review(home)
    with translation.override("en"):
        assert services.review_missing(review=review) == [
            "Create the quarter's review meeting.",
            "Generate the quarterly report.",
        ]


@pytest.mark.parametrize(
    ("status", "word"), [(MeetingStatus.PLANNED, "planned"), (MeetingStatus.HELD, "held")]
)
def test_missing_the_meeting_concluded(home, status, word):
    make_meeting(home, status)
    review = _review(home)
    mark_report_generated(review, home.secretary)
    with translation.override("en"):
        assert services.review_missing(review=review) == [
            f"Conclude the review meeting (it is {word})."
        ]


def test_nothing_missing_when_concluded_and_generated(home):
    assert services.review_missing(review=_ready(home)) == []


def test_a_report_numbered_but_never_generated_is_missing(home):
    make_meeting(home, MeetingStatus.CONCLUDED)
    review = _review(home)
    document = mark_report_generated(review, home.secretary)
    IssuedDocument.objects.filter(pk=document.pk).update(generated_at=None)
    with translation.override("en"):
        assert services.review_missing(review=review) == ["Generate the quarterly report."]


def test_a_report_generated_before_the_last_text_edit_is_stale(home):
    review = _ready(home)
    review = services.review_text_save(actor=home.staff, review=review, results_text="Sửa.")
    with translation.override("en"):
        assert services.review_missing(review=review) == [
            "The report's text was edited after the report was generated: generate it again."
        ]
    mark_report_generated(review, home.secretary)  # generated again
    assert services.review_missing(review=review) == []


# --- finalising -----------------------------------------------------------------------------------
def test_finalising_is_refused_with_what_is_missing(home):
    make_meeting(home, MeetingStatus.HELD)
    review = _review(home)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.review_finalize(actor=home.secretary, review=review)
    assert _messages(excinfo) == [
        "The quarter cannot be finalised yet: Conclude the review meeting (it is held). "
        "Generate the quarterly report."
    ]
    stored = QuarterlyReview.objects.get(pk=review.pk)
    assert (stored.status, stored.figures, stored.finalized_at) == (
        ReviewStatus.IN_REVIEW,
        None,
        None,
    )
    assert [e[0] for e in _events(review)] == ["created"]


def test_finalising_keeps_the_figures_and_locks(home):
    review = _ready(home)
    before = timezone.now()
    finalized = services.review_finalize(actor=home.secretary, review=review)
    stored = QuarterlyReview.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.FINALIZED
    assert stored.finalized_by == home.secretary
    assert stored.finalized_at >= before
    assert finalized.finalized_at == stored.finalized_at
    live = quarter_figures(ward=home.ward, quarter=Q1)
    frozen = dict(stored.figures)
    assert frozen.pop("computed_at") and live.pop("computed_at")
    assert frozen == live
    assert stored.figures["meeting"]["contributions"] == 2
    assert _events(review)[-1] == ("finalized", "in_review", "finalized", home.secretary.pk)


def test_finalising_twice_is_refused(home):
    review = services.review_finalize(actor=home.secretary, review=_ready(home))
    with pytest.raises(ValidationError) as excinfo:
        services.review_finalize(actor=home.secretary, review=review)
    assert _messages(excinfo) == [str(services.MESSAGE_FINALIZED)]


@pytest.mark.parametrize("role", ["cell_secretary", "dvk", "mass_head", "plain"])
def test_finalising_is_for_ward_staff(home, role):
    review = _ready(home)
    with pytest.raises(PermissionDenied):
        services.review_finalize(actor=getattr(home, role), review=review)
    assert QuarterlyReview.objects.get(pk=review.pk).status == ReviewStatus.IN_REVIEW


@pytest.mark.parametrize("role", ["staff", "superuser"])
def test_office_staff_and_superuser_may_finalise(home, superuser, role):
    actor = superuser if role == "superuser" else home.staff
    review = services.review_finalize(actor=actor, review=_ready(home))
    assert review.finalized_by == actor


def test_a_finalised_review_refuses_every_change_but_reopening(home):
    review = services.review_finalize(actor=home.secretary, review=_ready(home))
    refused = [
        lambda: services.review_start(actor=home.secretary, review=review),
        lambda: services.review_text_save(actor=home.secretary, review=review, results_text="x"),
        lambda: services.review_meeting_create(
            actor=home.secretary, review=review, held_at=at(2021, 4, 20)
        ),
    ]
    for action in refused:
        with pytest.raises(ValidationError) as excinfo:
            action()
        assert _messages(excinfo) == [str(services.MESSAGE_FINALIZED)]
    assert QuarterlyReview.objects.get(pk=review.pk).results_text == ""


def test_figures_stay_as_finalised_while_the_data_changes(home):
    review = _ready(home)
    review = services.review_finalize(actor=home.secretary, review=review)
    frozen = services.review_figures(review=review)
    assert frozen == review.figures
    RegistrationFactory(
        ward=home.ward, status="approved", submitted_at=at(2021, 2, 1), organization=home.cell
    )
    assert quarter_figures(ward=home.ward, quarter=Q1)["registrations"]["collective"] == 1
    review = QuarterlyReview.objects.get(pk=review.pk)
    assert services.review_figures(review=review) == frozen
    assert services.review_figures(review=review)["registrations"]["collective"] == 0
    # Reopened: the figures are computed from the data again.
    review = services.review_reopen(actor=home.secretary, review=review, reason="Bổ sung.")
    assert services.review_figures(review=review)["registrations"]["collective"] == 1


# --- reopening ------------------------------------------------------------------------------------
def test_reopening_keeps_the_reason_and_who(home):
    review = services.review_finalize(actor=home.staff, review=_ready(home))
    reopened = services.review_reopen(
        actor=home.secretary, review=review, reason="  Bổ sung báo cáo của Chi bộ số 2.  "
    )
    stored = QuarterlyReview.objects.get(pk=review.pk)
    assert stored.status == ReviewStatus.IN_REVIEW == reopened.status
    assert (stored.finalized_at, stored.finalized_by) == (None, None)
    event = QuarterlyReviewEvent.objects.filter(review=review).order_by("at", "pk").last()
    assert (event.action, event.from_status, event.to_status) == (
        "reopened",
        "finalized",
        "in_review",
    )
    assert event.actor == home.secretary
    assert event.note == "Bổ sung báo cáo của Chi bộ số 2."


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reopening_needs_a_reason(home, reason):
    review = services.review_finalize(actor=home.secretary, review=_ready(home))
    with pytest.raises(ValidationError) as excinfo:
        services.review_reopen(actor=home.secretary, review=review, reason=reason)
    assert excinfo.value.message_dict == {"reason": [str(services.MESSAGE_REASON_REQUIRED)]}
    assert QuarterlyReview.objects.get(pk=review.pk).is_finalized


@pytest.mark.parametrize("role", ["staff", "cell_secretary", "dvk", "plain"])
def test_reopening_is_for_the_ward_secretary(home, role):
    review = services.review_finalize(actor=home.secretary, review=_ready(home))
    with pytest.raises(PermissionDenied):
        services.review_reopen(actor=getattr(home, role), review=review, reason="Sửa số liệu.")
    assert QuarterlyReview.objects.get(pk=review.pk).is_finalized


def test_the_secretary_of_another_ward_cannot_reopen(home, away):
    review = services.review_finalize(actor=home.secretary, review=_ready(home))
    with pytest.raises(PermissionDenied):
        services.review_reopen(actor=away.secretary, review=review, reason="Sửa số liệu.")


def test_superuser_may_reopen(home, superuser):
    review = services.review_finalize(actor=home.secretary, review=_ready(home))
    assert services.review_reopen(actor=superuser, review=review, reason="Sửa.").status == (
        ReviewStatus.IN_REVIEW
    )


def test_only_a_finalised_review_is_reopened(home):
    with pytest.raises(ValidationError) as excinfo:
        services.review_reopen(actor=home.secretary, review=_review(home), reason="Sửa.")
    assert _messages(excinfo) == [str(services.MESSAGE_NOT_FINALIZED)]


# --- the whole quarter, through the real report -------------------------------------------------
def test_every_step_is_audited_with_its_actor(home):
    review = _review(home)
    meeting = services.review_meeting_create(
        actor=home.staff, review=review, held_at=at(2021, 4, 13, 8)
    )
    meeting_hold(actor=home.secretary, meeting=meeting)
    meeting_conclude(actor=home.secretary, meeting=meeting)
    review = services.review_text_save(actor=home.staff, review=review, results_text="Kết quả.")
    data, document = services.review_report_docx(actor=home.secretary, review=review)
    assert data.startswith(b"PK")  # a DOCX (zip)
    assert document.kind == DocumentKind.QUARTERLY_REPORT
    assert document.symbol.endswith("-BC/ĐU")
    assert document.issued_on == dt.date(2021, 4, 13)  # the meeting's day
    assert services.review_missing(review=review) == []
    review = services.review_finalize(actor=home.secretary, review=review)
    services.review_reopen(actor=home.secretary, review=review, reason="Bổ sung.")
    assert _events(review) == [
        ("created", "", "open", home.secretary.pk),
        ("meeting_created", "open", "in_review", home.staff.pk),
        ("text_saved", "in_review", "in_review", home.staff.pk),
        ("report_numbered", "in_review", "in_review", home.secretary.pk),
        ("finalized", "in_review", "finalized", home.secretary.pk),
        ("reopened", "finalized", "in_review", home.secretary.pk),
    ]
    note = QuarterlyReviewEvent.objects.get(review=review, action="report_numbered").note
    assert note == document.symbol


def test_finalising_links_a_meeting_made_on_the_meetings_page(home):
    review = _review(home)  # opened before the meeting existed, not visited since
    meeting = make_meeting(home, MeetingStatus.CONCLUDED)
    mark_report_generated(review, home.secretary)
    services.review_finalize(actor=home.secretary, review=review)
    stored = QuarterlyReview.objects.get(pk=review.pk)
    assert stored.meeting == meeting
    # and the page's next visit keeps showing it
    assert _review(home).meeting == meeting


def test_the_plans_pre_filled_are_those_with_tasks_running_in_the_quarter(home):
    from plans.models import TaskStatus
    from tests.plans.factories import PlanFactory, TaskFactory

    running = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 1, 15))
    TaskFactory(plan=running, lead_organization=home.cell)
    cancelled = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 1, 20))
    TaskFactory(plan=cancelled, lead_organization=home.cell, status=TaskStatus.CANCELLED)
    later = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 4, 2))  # after the quarter
    TaskFactory(plan=later, lead_organization=home.cell)
    defaults = services.review_meeting_defaults(review=_review(home))
    assert defaults["reviewed_plans"] == [running]


def test_the_pages_direction_is_the_reports_direction(home):
    """``review_direction_text`` (the quarter page's direction, read alone) is the report's
    direction section: the meeting's direction, else its conclusions, else the edited
    text, whichever ``review_texts`` pre-fills or keeps."""
    world = make_review_world(home)
    review = services.review_get_or_create(ward=home.ward, quarter=Q1, actor=home.secretary)

    def both() -> tuple[str, str]:
        fresh = QuarterlyReview.objects.get(pk=review.pk)
        figures = quarter_figures(ward=home.ward, quarter=Q1)
        return (
            services.review_direction_text(review=fresh, figures=figures),
            services.review_texts(review=fresh, figures=figures)["direction_text"],
        )

    direction, expected = both()
    assert direction == expected == "Tập trung giải phóng mặt bằng."
    Meeting.objects.filter(pk=world.meeting.pk).update(next_period_direction="")
    direction, expected = both()
    assert direction == expected
    assert direction.startswith("1. ") and "\n2. " in direction  # the two conclusions
    services.review_text_save(
        actor=home.secretary, review=review, direction_text="Hoàn thành giải phóng mặt bằng."
    )
    assert both() == ("Hoàn thành giải phóng mặt bằng.",) * 2
