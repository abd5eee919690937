"""State changes of the quarterly review: opening it, preparing its meeting, editing the
report's text, generating the report, finalising (which locks the quarter) and reopening.

Keyword-only functions; each checks the actor's right first (``PermissionDenied``), runs in
one transaction, and leaves a ``QuarterlyReviewEvent`` (who, when, why). A finalised review
refuses every change but reopening; the lock it puts on the quarter's progress reports,
registration updates and meeting records is enforced in those layers through
``wardwork.periods`` (see ``review_locks.py``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from meetings.review_figures import quarter_figures, relabeled, review_meeting_of
from meetings.services import can_manage_meetings, meeting_invite, meeting_save
from plans.models import Plan
from wardwork.concurrency import claim
from wardwork.models import Person, Position, PositionRole, Ward
from wardwork.quarters import Quarter
from wardwork.roles import is_superuser, is_ward_secretary, require
from wardwork.text import normalize

MESSAGE_FINALIZED = _(
    "This quarter is finalised and locked. The ward secretary can reopen it, giving a reason."
)
MESSAGE_NOT_FINALIZED = _("Only a finalised quarter can be reopened.")
MESSAGE_REASON_REQUIRED = _("Give the reason for reopening.")
MESSAGE_HAS_MEETING = _("This quarter already has its review meeting.")
MESSAGE_MISSING_MEETING = _("Create the quarter's review meeting.")
MESSAGE_MEETING_NOT_CONCLUDED = _("Conclude the review meeting (it is %(status)s).")
MESSAGE_MISSING_REPORT = _("Generate the quarterly report.")
MESSAGE_REPORT_STALE = _(
    "The report's text was edited after the report was generated: generate it again."
)
MESSAGE_CANNOT_FINALIZE = _("The quarter cannot be finalised yet: %(missing)s")
MESSAGE_FUTURE_QUARTER = _("This quarter has not begun yet.")

can_manage_reviews = can_manage_meetings  # ward staff of the ward, superusers
can_reopen_reviews = is_superuser | is_ward_secretary


def _event(review: QuarterlyReview, *, actor, action: str, from_status: str, note: str = ""):
    QuarterlyReviewEvent.objects.create(
        review=review,
        action=action,
        from_status=from_status,
        to_status=review.status,
        note=note,
        actor=actor,
    )


def _lock(review: QuarterlyReview) -> QuarterlyReview:
    """The review row, locked until the transaction ends; refuses a finalised review."""
    # The review row only, never its ward's (see ``review_locks.finalized_quarter_message``).
    locked = (
        QuarterlyReview.objects.select_for_update(of=("self",), no_key=True)
        .select_related("ward")
        .get(pk=review.pk)
    )
    if locked.is_finalized:
        raise ValidationError(str(MESSAGE_FINALIZED))
    return locked


# ``review_missing`` reads the report itself unless given it (``None``: there is none).
NOT_READ = object()


def latest_quarter_allowed(today: dt.date | None = None) -> Quarter:
    """The last quarter a review page may be opened for: the next one (to prepare it)."""
    return Quarter.containing(today or timezone.localdate()).next()


def review_get_or_create(*, ward: Ward, quarter: Quarter, actor=None) -> QuarterlyReview:
    """The ward's review of ``quarter``, created (open) on first visit and linked to the
    quarter's review meeting if one exists. Safe under concurrent first visits. Quarters
    after the next one are refused (``ValidationError``): nothing to review there yet."""
    if quarter > latest_quarter_allowed():
        raise ValidationError(str(MESSAGE_FUTURE_QUARTER))
    review = (
        QuarterlyReview.objects.select_related("ward", "finalized_by__person", "meeting")
        .filter(ward=ward, year=quarter.year, quarter=quarter.number)
        .first()
    )
    if review is None:
        try:
            with transaction.atomic():
                review = QuarterlyReview(
                    ward=ward, year=quarter.year, quarter=quarter.number, created_by=actor
                )
                review.meeting = review_meeting_of(ward, quarter)
                if review.meeting is not None:
                    review.status = ReviewStatus.IN_REVIEW
                review._history_user = actor
                review.save()
                _event(review, actor=actor, action="created", from_status="")
        except IntegrityError:
            review = QuarterlyReview.objects.select_related("ward").get(
                ward=ward, year=quarter.year, quarter=quarter.number
            )
    elif review.meeting_id is None and not review.is_finalized:
        meeting = review_meeting_of(ward, quarter)
        if meeting is not None:
            # The meeting was made on the meetings page: the review follows it.
            _link_meeting(review, meeting, actor=actor)
    return review


@transaction.atomic
def _link_meeting(review: QuarterlyReview, meeting: Meeting, *, actor) -> None:
    locked = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
    if locked.meeting_id:
        review.meeting_id, review.status = locked.meeting_id, locked.status
        return
    from_status = locked.status
    locked.meeting = meeting
    if locked.status == ReviewStatus.OPEN:
        locked.status = ReviewStatus.IN_REVIEW
    locked._history_user = actor
    locked.save(update_fields=["meeting", "status", "updated_at"])
    _event(locked, actor=actor, action="meeting_linked", from_status=from_status)
    review.meeting, review.status = meeting, locked.status


@transaction.atomic
def review_start(*, actor, review: QuarterlyReview) -> QuarterlyReview:
    """Open -> in review: the ward staff begin assessing the quarter."""
    require(can_manage_reviews(actor, review.ward))
    locked = _lock(review)
    if locked.status == ReviewStatus.OPEN:
        locked.status = ReviewStatus.IN_REVIEW
        locked._history_user = actor
        locked.save(update_fields=["status", "updated_at"])
        _event(locked, actor=actor, action="started", from_status=ReviewStatus.OPEN)
    return locked


# --- the review meeting ---------------------------------------------------------------------------

DEFAULT_INVITE_GROUPS = [
    "ward_leaders",
    "mass_organization_heads",
    "cell_secretaries",
    "mass_mobilization_bloc",
    "registrants",
]


def review_meeting_defaults(*, review: QuarterlyReview) -> dict:
    """What the meeting form starts with: title, a date early in the next quarter at 8:00,
    the plans whose tasks run in the quarter, the chairs (secretary and standing deputy)
    and the presenter (the standing deputy)."""
    quarter = review.period
    ward = review.ward
    held_on = quarter.next().start + dt.timedelta(days=12)
    figures_plans = (
        Plan.objects.filter(ward=ward, tasks__in=_quarter_task_ids(ward, quarter))
        .distinct()
        .order_by("issued_on", "pk")
    )
    leaders = list(
        Position.objects.current(on=min(held_on, timezone.localdate()))
        .filter(
            organization__ward=ward,
            role__in=[PositionRole.SECRETARY, PositionRole.STANDING_DEPUTY_SECRETARY],
            organization__kind="ward_committee",
        )
        .select_related("person")
        .order_by("role")
    )
    by_role = {p.role: p.person for p in leaders}
    chairs = [
        by_role[r]
        for r in (PositionRole.SECRETARY, PositionRole.STANDING_DEPUTY_SECRETARY)
        if r in by_role
    ]
    return {
        "title": gettext("Quarterly review %(quarter)s") % {"quarter": quarter.short_label},
        "held_at": timezone.make_aware(dt.datetime.combine(held_on, dt.time(8, 0))),
        "reviewed_plans": list(figures_plans),
        "chairs": chairs,
        "presenter": by_role.get(PositionRole.STANDING_DEPUTY_SECRETARY),
        "groups": list(DEFAULT_INVITE_GROUPS),
    }


def _quarter_task_ids(ward: Ward, quarter: Quarter):
    from meetings.review_figures import live_q
    from plans.models import Task, TaskStatus

    return (
        Task.objects.filter(ward=ward)
        .filter(live_q(quarter))
        .exclude(status=TaskStatus.CANCELLED)
        .values("pk")
    )


@transaction.atomic
def review_meeting_create(
    *,
    actor,
    review: QuarterlyReview,
    held_at: dt.datetime,
    venue: str = "",
    title: str = "",
    chairs: list[Person] | None = None,
    presenter: Person | None = None,
    reviewed_plans: list[Plan] | None = None,
    groups: list[str] | None = None,
) -> Meeting:
    """Create the quarter's review meeting from the review page, with its plans, chairs and
    invitations (by role group) pre-filled; the review moves to "in review"."""
    require(can_manage_reviews(actor, review.ward))
    locked = _lock(review)
    if locked.meeting_id or review_meeting_of(locked.ward, locked.period):
        raise ValidationError(str(MESSAGE_HAS_MEETING))
    defaults = review_meeting_defaults(review=locked)
    meeting = Meeting(
        ward=locked.ward,
        kind=MeetingKind.QUARTERLY_REVIEW,
        title=normalize(title) or defaults["title"],
        year=locked.year,
        quarter=locked.quarter,
        held_at=held_at,
        venue=venue,
        presenter=presenter if presenter is not None else defaults["presenter"],
    )
    meeting = meeting_save(
        actor=actor,
        meeting=meeting,
        chairs=chairs if chairs is not None else defaults["chairs"],
        reviewed_plans=reviewed_plans if reviewed_plans is not None else defaults["reviewed_plans"],
    )
    chosen = DEFAULT_INVITE_GROUPS if groups is None else groups
    if chosen:
        meeting_invite(actor=actor, meeting=meeting, groups=list(chosen))
    from_status = locked.status
    locked.meeting = meeting
    locked.status = ReviewStatus.IN_REVIEW
    locked._history_user = actor
    locked.save(update_fields=["meeting", "status", "updated_at"])
    _event(locked, actor=actor, action="meeting_created", from_status=from_status)
    return meeting


# --- the report's text ----------------------------------------------------------------------------


def review_texts(*, review: QuarterlyReview, figures: dict | None = None) -> dict[str, str]:
    """The report's narrative sections: as edited and kept with the review, or, for a
    section never edited, pre-filled from the data."""
    from meetings.review_report import default_texts

    saved = {name: getattr(review, name) for name in REPORT_SECTIONS}
    if all(saved.values()):
        return saved
    defaults = default_texts(review=review, figures=figures or review_figures(review=review))
    return {name: saved[name] or defaults[name] for name in REPORT_SECTIONS}


def review_direction_text(*, review: QuarterlyReview, figures: dict) -> str:
    """``review_texts(...)["direction_text"]`` alone (what the quarter page shows): as
    edited, else pre-filled from the figures' meeting direction or its conclusions,
    without reading what the other sections need."""
    if review.direction_text:
        return review.direction_text
    from meetings.review_narrative import _direction

    counted = figures.get("meeting") or {}
    meeting_id = review.meeting_id or counted.get("id")
    # Only its conclusions are read, and only when the figures carry no direction and do
    # not already say the meeting has none.
    none_to_read = meeting_id == counted.get("id") and counted.get("conclusions") == 0
    meeting = Meeting(pk=meeting_id) if meeting_id and not none_to_read else None
    return "\n".join(_direction(figures, meeting))


@transaction.atomic
def review_text_save(
    *, actor, review: QuarterlyReview, expected_version=None, **texts: str
) -> QuarterlyReview:
    """Keep the edited narrative of the report with the review (ward staff). With
    ``expected_version`` (the version the page showed), a text saved meanwhile by someone
    else is not overwritten (``StaleEdit``)."""
    require(can_manage_reviews(actor, review.ward))
    unknown = set(texts) - set(REPORT_SECTIONS)
    if unknown:
        raise TypeError(f"Unknown report sections: {sorted(unknown)}")
    locked = _lock(review)
    claim(locked, expected_version, REPORT_SECTIONS)
    for name, value in texts.items():
        setattr(locked, name, normalize(value or ""))
    locked.text_edited_at = timezone.now()
    locked.text_edited_by = actor
    locked._history_user = actor
    locked.save(update_fields=[*texts, "text_edited_at", "text_edited_by", "updated_at"])
    _event(locked, actor=actor, action="text_saved", from_status=locked.status)
    return locked


# --- figures, report and annex --------------------------------------------------------------------


def review_figures(*, review: QuarterlyReview) -> dict:
    """The quarter's figures: frozen at finalisation, computed from the data otherwise."""
    if review.is_finalized and review.figures:
        return relabeled(review.figures)
    return quarter_figures(ward=review.ward, quarter=review.period)


def review_report_document(*, review: QuarterlyReview) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(
        ward=review.ward,
        kind=DocumentKind.QUARTERLY_REPORT,
        meeting=None,
        year=review.year,
        quarter=review.quarter,
    ).first()


def review_report_docx(*, actor, review: QuarterlyReview, draft: bool = False):
    """The quarterly report (Báo cáo kết quả … quý I/2021) as ``(docx bytes,
    IssuedDocument)``. The first generation takes the next "-BC/ĐU" number (ward staff);
    later ones reuse it. The figures are the frozen ones once the quarter is finalised.
    ``draft=True`` renders without taking a number."""
    from meetings.documents import issue_party_document
    from meetings.review_report import report_context

    figures = review_figures(review=review)
    texts = review_texts(review=review, figures=figures)
    existing = review_report_document(review=review)
    if not draft and existing is None and review.is_finalized:
        raise ValidationError(str(MESSAGE_FINALIZED))

    def build(header: dict, committee) -> dict:
        return report_context(review=review, figures=figures, texts=texts, header=header)

    issued_on = existing.issued_on if existing else _report_day(review)
    data, document = issue_party_document(
        actor=actor,
        kind=DocumentKind.QUARTERLY_REPORT,
        ward=review.ward,
        issued_on=issued_on,
        build_context=build,
        year=review.year,
        quarter=review.quarter,
        draft=draft,
    )
    if document is not None and existing is None:
        _event(
            review,
            actor=actor,
            action="report_numbered",
            from_status=review.status,
            note=document.symbol,
        )
    return data, document


def _report_day(review: QuarterlyReview) -> dt.date:
    """A quarterly report is dated the day it is first issued, or the meeting's day when
    the meeting came first (as in the seed: the report presented on 13/04/2021)."""
    today = timezone.localdate()
    if review.meeting_id and review.meeting.held_at:
        held = timezone.localtime(review.meeting.held_at).date()
        if held <= today:
            return held
    return today


def review_annex_xlsx(*, review: QuarterlyReview) -> bytes:
    """The detailed tables of the report (tasks by unit, tasks, registrations, follow-up)."""
    from meetings.review_report import annex_xlsx

    return annex_xlsx(review=review, figures=review_figures(review=review))


# --- finalising and reopening ---------------------------------------------------------------------


def review_missing(*, review: QuarterlyReview, document=NOT_READ) -> list[str]:
    """What stands between the review and its finalisation, each as a sentence; empty when
    it can be finalised. ``document``: the review's report (``review_report_document``)
    when the caller has read it already."""
    missing = []
    meeting = review.meeting if review.meeting_id else review_meeting_of(review.ward, review.period)
    if meeting is None:
        missing.append(str(MESSAGE_MISSING_MEETING))
    elif meeting.status != MeetingStatus.CONCLUDED:
        missing.append(
            str(MESSAGE_MEETING_NOT_CONCLUDED) % {"status": meeting.get_status_display().lower()}
        )
    if document is NOT_READ:
        document = review_report_document(review=review)
    if document is None or document.generated_at is None:
        missing.append(str(MESSAGE_MISSING_REPORT))
    elif review.text_edited_at and review.text_edited_at > document.generated_at:
        missing.append(str(MESSAGE_REPORT_STALE))
    return missing


@transaction.atomic
def review_finalize(*, actor, review: QuarterlyReview) -> QuarterlyReview:
    """Check the prerequisites (review meeting concluded, report generated after the last
    text edit), keep the figures as they stand, and lock the quarter."""
    require(can_manage_reviews(actor, review.ward))
    locked = _lock(review)
    missing = review_missing(review=locked)
    if missing:
        raise ValidationError(str(MESSAGE_CANNOT_FINALIZE) % {"missing": " ".join(missing)})
    from_status = locked.status
    if locked.meeting_id is None:
        # Made on the meetings page and not linked yet: the finalised review keeps it.
        locked.meeting = review_meeting_of(locked.ward, locked.period)
    locked.figures = quarter_figures(ward=locked.ward, quarter=locked.period)
    locked.status = ReviewStatus.FINALIZED
    locked.finalized_at = timezone.now()
    locked.finalized_by = actor
    locked._history_user = actor
    locked.save(
        update_fields=[
            "meeting",
            "figures",
            "status",
            "finalized_at",
            "finalized_by",
            "updated_at",
        ]
    )
    _event(locked, actor=actor, action="finalized", from_status=from_status)
    return locked


@transaction.atomic
def review_reopen(*, actor, review: QuarterlyReview, reason: str) -> QuarterlyReview:
    """Reopen a finalised quarter (ward secretary), with a reason that is kept; its figures
    are computed from the data again until it is finalised anew."""
    require(can_reopen_reviews(actor, review.ward))
    reason = normalize(reason or "")
    if not reason:
        raise ValidationError({"reason": str(MESSAGE_REASON_REQUIRED)})
    locked = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
    if not locked.is_finalized:
        raise ValidationError(str(MESSAGE_NOT_FINALIZED))
    locked.status = ReviewStatus.IN_REVIEW
    locked.finalized_at = None
    locked.finalized_by = None
    locked._history_user = actor
    locked.save(update_fields=["status", "finalized_at", "finalized_by", "updated_at"])
    _event(locked, actor=actor, action="reopened", from_status=ReviewStatus.FINALIZED, note=reason)
    return locked
