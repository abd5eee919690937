"""Reads of quarterly reviews, scoped to the requesting user.

The quarter page is read here: ``quarter_page(user=, ward=, quarter=)`` gathers the review
(created on first visit), its figures (frozen once finalised), what stands between it and
its finalisation, its history, the issued report, the previous quarter's direction and the
data of its charts, in a fixed number of queries whatever the size of the ward.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Subquery
from django.db.models.fields.json import KT
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.models import (
    IssuedDocument,
    Meeting,
    MeetingStatus,
    QuarterlyReview,
    QuarterlyReviewEvent,
    Reminder,
    ReviewStatus,
)
from meetings.review_figures import CATEGORIES
from meetings.review_services import (
    latest_quarter_allowed,
    review_direction_text,
    review_get_or_create,
    review_missing,
    review_report_document,
)
from wardwork.models import Ward
from wardwork.quarters import Quarter
from wardwork.roles import sees_whole_ward
from wardwork.text import two_digits

# The first quarter a review page may be opened for (the model's own lower bound).
EARLIEST_YEAR = 2000

DONE, CURRENT, TODO, INCOMPLETE = "done", "current", "todo", "incomplete"


def working_quarter(*, ward: Ward, today=None) -> Quarter:
    """The quarter the ward is working on, the one its staff's home page opens:
    the earliest review in progress; else the quarter after the latest finalised one (if it
    has begun); else the calendar quarter. One query."""
    current = Quarter.containing(today or timezone.localdate())
    rows = list(
        QuarterlyReview.objects.filter(ward=ward)
        .exclude(status=ReviewStatus.OPEN)
        .values_list("year", "quarter", "status")
    )
    in_review = sorted(Quarter(y, q) for y, q, s in rows if s == ReviewStatus.IN_REVIEW)
    if in_review:
        return in_review[0]
    finalized = sorted(Quarter(y, q) for y, q, s in rows if s == ReviewStatus.FINALIZED)
    if finalized and finalized[-1].next() <= current:
        return finalized[-1].next()
    return current


def quarter_in_range(quarter: Quarter) -> bool:
    """A review page exists from 2000 up to the next quarter (to prepare it)."""
    return quarter.year >= EARLIEST_YEAR and quarter <= latest_quarter_allowed()


def review_for_user(*, user, ward: Ward | None, quarter: Quarter) -> QuarterlyReview:
    """The ward's review of ``quarter`` (created on first visit), for a user who sees the
    whole ward: ward staff, Khối Dân vận, superusers (``PermissionDenied`` otherwise);
    ``Http404`` for a quarter out of range or no ward at all."""
    if ward is None or not quarter_in_range(quarter):
        raise Http404
    if not sees_whole_ward(user, ward):
        raise PermissionDenied
    try:
        return review_get_or_create(ward=ward, quarter=quarter, actor=user)
    except ValidationError as exc:  # a quarter that has not begun: nothing to review
        raise Http404 from exc


@dataclass
class Step:
    """One step of the quarter's stepper."""

    key: str
    label: str
    done: bool
    detail: str
    state: str = TODO  # done, current, todo, or incomplete (skipped, later steps done)
    warning: str = ""


@dataclass
class QuarterPage:
    ward: Ward
    quarter: Quarter
    review: QuarterlyReview
    figures: dict
    frozen_on: dt.date | None  # the figures are the snapshot kept at finalisation
    report: IssuedDocument | None
    missing: list[str]
    steps: list[Step]
    events: list[QuarterlyReviewEvent]
    direction: str
    previous_review: QuarterlyReview | None
    previous_direction: str
    units_missing: list[dict] = field(default_factory=list)
    task_rows: list[dict] = field(default_factory=list)
    follow_up: list[dict] = field(default_factory=list)
    charts: dict = field(default_factory=dict)

    @property
    def current_step(self) -> Step | None:
        return next((s for s in self.steps if s.state == CURRENT), None)


def _day(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT") if value else ""


def _steps(review: QuarterlyReview, figures: dict, report, missing: list[str]) -> list[Step]:
    tasks = figures["tasks"]
    meeting = figures["meeting"]
    if tasks["expected"] == 0:
        reports_detail = _("No report is due this quarter.")
    elif tasks["missing"] == 0:
        reports_detail = _("All %(n)s expected reports received.") % {"n": tasks["expected"]}
    else:
        reports_detail = ngettext(
            "%(missing)s of %(expected)s reports missing, from %(units)s unit.",
            "%(missing)s of %(expected)s reports missing, from %(units)s units.",
            len(tasks["units_missing"]),
        ) % {
            "missing": tasks["missing"],
            "expected": tasks["expected"],
            "units": len(tasks["units_missing"]),
        }
    if meeting is None:
        meeting_detail = _("Not created yet.")
    elif meeting["status"] == MeetingStatus.CONCLUDED:
        meeting_detail = _(
            "Concluded on %(date)s: %(contributions)s contributions, %(conclusions)s conclusions."
        ) % {
            "date": meeting["held_on"],
            "contributions": meeting["contributions_text"],
            "conclusions": meeting["conclusions_text"],
        }
    elif meeting["status"] == MeetingStatus.HELD:
        meeting_detail = _("Held on %(date)s, not concluded yet.") % {"date": meeting["held_on"]}
    else:
        meeting_detail = _("Planned for %(date)s.") % {"date": meeting["held_on"]}
    generated = report is not None and report.generated_at is not None
    stale = generated and bool(
        review.text_edited_at and review.text_edited_at > report.generated_at
    )
    if generated:
        report_detail = _("%(symbol)s, generated on %(date)s.") % {
            "symbol": report.symbol,
            "date": _day(report.generated_at),
        }
    else:
        report_detail = _("Not generated yet.")
    if review.is_finalized:
        final_detail = _("Finalised on %(date)s; the quarter is locked.") % {
            "date": _day(review.finalized_at)
        }
    elif missing:
        final_detail = _("Waiting for the steps above.")
    else:
        final_detail = _("Ready to be finalised.")
    steps = [
        Step("reports", _("Units report"), tasks["missing"] == 0, reports_detail),
        Step(
            "meeting",
            _("Review meeting"),
            meeting is not None and meeting["status"] == MeetingStatus.CONCLUDED,
            meeting_detail,
        ),
        Step(
            "report",
            _("Quarterly report"),
            generated and not stale,
            report_detail,
            warning=_("The text was edited after it was generated.") if stale else "",
        ),
        Step("finalized", _("Finalised"), review.is_finalized, final_detail),
    ]
    # The current step is the first one not done after the last one done: units that have
    # not reported do not hold the meeting back, they only leave their step incomplete.
    last_done = max((i for i, s in enumerate(steps) if s.done), default=-1)
    for i, step in enumerate(steps):
        if step.done:
            step.state = DONE
        elif i < last_done:
            step.state = INCOMPLETE
        elif i == last_done + 1:
            step.state = CURRENT
    return steps


def _charts(figures: dict) -> dict:
    """The data of the page's three charts, with their labels (translated here, so the
    script that draws them needs no catalogue)."""
    tasks = figures["tasks"]
    registrations = figures["registrations"]
    history = figures["history"]
    category_labels = {
        "done": _("Done"),
        "in_progress": _("In progress"),
        "late": _("Late"),
        "not_reported": _("Not reported"),
    }
    return {
        "fields": {
            "labels": [row["name"] or _("No field") for row in registrations["by_field"]],
            "datasets": [
                {
                    "label": _("Registrations"),
                    "data": [r["count"] for r in registrations["by_field"]],
                }
            ],
        },
        "units": {
            "labels": [u["name"] for u in tasks["units"]],
            "datasets": [
                {"key": c, "label": category_labels[c], "data": [u[c] for u in tasks["units"]]}
                for c in CATEGORIES
            ],
        },
        "history": {
            "labels": [row["label"] for row in history],
            "datasets": [
                {"key": key, "label": label, "data": [row[key] for row in history]}
                for key, label in (
                    ("tasks", _("Tasks")),
                    ("tasks_done", _("Tasks done")),
                    ("registrations", _("Registrations counted")),
                    ("conclusions", _("Conclusions")),
                )
            ],
        },
    }


def _dated(rows: list[dict]) -> list[dict]:
    """Copies of figure rows with their ISO deadline written dd/mm/yyyy (``deadline_text``)."""
    out = []
    for row in rows:
        deadline = row.get("deadline")
        text = dt.date.fromisoformat(deadline).strftime("%d/%m/%Y") if deadline else ""
        out.append({**row, "deadline_text": text})
    return out


def _previous_direction(previous: QuarterlyReview | None, previous_meeting_id) -> str:
    """The direction the previous quarter set for this one: its review's text as edited,
    else the one its figures kept (``kept_direction``), else its meeting's "next period"
    direction (``meeting_direction``): both read with it."""
    if previous is not None and previous.direction_text:
        return previous.direction_text
    if previous is not None and previous.kept_direction:
        return previous.kept_direction
    if previous is not None and previous_meeting_id:
        return previous.meeting_direction or ""
    return ""


def quarter_page(*, user, ward: Ward | None, quarter: Quarter) -> QuarterPage:
    """Everything the quarter page shows, for a user who sees the whole ward (see
    ``review_for_user`` for the errors). The figures are the frozen ones once the quarter
    is finalised. At most 15 queries with the session's, whatever the size of the ward."""
    review = review_for_user(user=user, ward=ward, quarter=quarter)
    from meetings.review_services import review_figures

    figures = review_figures(review=review)
    frozen_on = (
        timezone.localtime(review.finalized_at).date()
        if review.is_finalized and review.figures and review.finalized_at
        else None
    )
    report = review_report_document(review=review)
    missing = [] if review.is_finalized else review_missing(review=review, document=report)
    previous = (
        QuarterlyReview.objects.filter(
            ward=ward, year=quarter.previous().year, quarter=quarter.previous().number
        )
        # Of its figures only the direction they kept, not the whole snapshot.
        .only("pk", "status", "year", "quarter", "ward_id", "direction_text")
        .annotate(
            kept_direction=KT("figures__meeting__direction"),
            # The previous meeting's "next period" direction, the last fallback.
            meeting_direction=Subquery(
                Meeting.objects.filter(pk=figures.get("previous_meeting_id") or 0).values(
                    "next_period_direction"
                )[:1]
            ),
        )
        .first()
    )
    events = list(review.events.select_related("actor__person").order_by("at", "pk"))
    owing = [unit for unit in figures["tasks"]["units"] if unit["missing"]]
    reminded = {}
    if owing:  # the reminders are only shown next to a unit still owing reports
        for reminder in (
            Reminder.objects.filter(ward=ward, year=quarter.year, quarter=quarter.number)
            .select_related("sent_by__person")
            .order_by("sent_at")
        ):
            reminded[reminder.organization_id] = reminder  # the latest wins
    units_missing = [
        {**unit, "reminder": reminded.get(unit["id"]), "missing_text": two_digits(unit["missing"])}
        for unit in owing
    ]
    return QuarterPage(
        ward=ward,
        quarter=quarter,
        review=review,
        figures=figures,
        frozen_on=frozen_on,
        report=report,
        missing=missing,
        steps=_steps(review, figures, report, missing),
        events=events,
        direction=review_direction_text(review=review, figures=figures),
        previous_review=previous,
        previous_direction=_previous_direction(previous, figures.get("previous_meeting_id"))
        if previous is not None
        else "",
        units_missing=units_missing,
        task_rows=_dated(figures["tasks"]["rows"]),
        follow_up=_dated(figures["follow_up"]),
        charts=_charts(figures),
    )


def review_for_change(*, user, ward: Ward | None, quarter: Quarter) -> QuarterlyReview:
    """The review an action works on: the same scope as the page (``review_for_user``)."""
    return review_for_user(user=user, ward=ward, quarter=quarter)
