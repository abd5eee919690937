"""Reads of meetings and their records, scoped to the requesting user.

Every function takes ``user`` and returns only rows of the wards that user may see (their
own ward; every ward for a superuser). ``*_get`` functions raise ``Http404`` outside that
scope, so another ward's meetings do not even show that they exist. Counts (attendance by
status, contributions, conclusions) are computed in SQL, as correlated subqueries on the
meeting row, so they never multiply the rows of a join and the number of queries does not
depend on how many rows a meeting has.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    Meeting,
    MeetingEvent,
)
from plans.models import Plan
from wardwork.models import Organization, Person
from wardwork.selectors import get_for_user, scope_to_user


def _count(model, **conditions):
    """COUNT of ``model`` rows of the outer meeting, 0 when none (a scalar subquery)."""
    rows = (
        model.objects.filter(meeting=OuterRef("pk"), **conditions)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _with_counts(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.annotate(
        contribution_count=_count(Contribution),
        conclusion_count=_count(Conclusion),
        invited_count=_count(Attendance),
        present_count=_count(Attendance, status=AttendanceStatus.PRESENT),
        absent_count=_count(Attendance, status=AttendanceStatus.ABSENT),
        excused_count=_count(Attendance, status=AttendanceStatus.EXCUSED),
    )


def meeting_list(*, user, filters: dict | None = None) -> QuerySet[Meeting]:
    """Meetings of the user's ward(s), newest first, filtered by ``year``, ``kind``,
    ``status`` and folded words ``q``; each annotated with ``contribution_count``,
    ``conclusion_count``, ``invited_count`` and ``present_count`` (one query per page)."""
    filters = filters or {}
    qs = scope_to_user(Meeting.objects.all(), user).select_related("ward")
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("q"):
        qs = qs.search(filters["q"])
    return _with_counts(qs).order_by("-held_at", "-pk")


@dataclass(frozen=True)
class AttendanceCounts:
    """Attendance of one meeting by status ("Có mặt 25 · Vắng 2 · Có lý do 1")."""

    invited: int
    present: int
    absent: int
    excused: int

    @property
    def unmarked(self) -> int:
        return self.invited - self.present - self.absent - self.excused

    @classmethod
    def of(cls, meeting: Meeting) -> AttendanceCounts:
        return cls(
            invited=meeting.invited_count,
            present=meeting.present_count,
            absent=meeting.absent_count,
            excused=meeting.excused_count,
        )


def _people():
    return Person.objects.select_related("organization")


def _conclusions():
    bodies = Organization.objects.order_by("kind", "name")
    return Conclusion.objects.select_related("task", "plan").prefetch_related(
        Prefetch("lead_organizations", queryset=bodies),
        Prefetch("supporting_organizations", queryset=bodies),
    )


def meeting_get(*, user, pk) -> Meeting:
    """One meeting of the user's ward(s), or ``Http404``, with everything its page shows:
    chairs, presenter, reviewed plans (with issuer), attendances (person, organisation),
    contributions (speaker, organisation), conclusions (lead and supporting bodies, plan,
    task), events (actor) and the documents already issued, prefetched in order; the counts
    of ``_with_counts`` annotated and ``attendance_counts`` (:class:`AttendanceCounts`) set.
    A fixed number of queries whatever the size of the meeting."""
    qs = _with_counts(
        Meeting.objects.select_related("ward", "presenter__organization", "concluded_by")
    ).prefetch_related(
        Prefetch("chairs", queryset=_people().order_by("sort_key", "pk")),
        Prefetch(
            "reviewed_plans",
            queryset=Plan.objects.select_related("issuer").order_by("issued_on", "pk"),
        ),
        Prefetch(
            "attendances",
            queryset=Attendance.objects.select_related("person", "organization"),
        ),
        Prefetch(
            "contributions",
            queryset=Contribution.objects.select_related("speaker", "organization").order_by(
                "ordinal"
            ),
        ),
        Prefetch("conclusions", queryset=_conclusions().order_by("ordinal")),
        Prefetch(
            "events",
            queryset=MeetingEvent.objects.select_related("actor__person").order_by("at", "pk"),
        ),
        "issued_documents",
    )
    meeting = get_for_user(qs, user, pk=pk)
    meeting.attendance_counts = AttendanceCounts.of(meeting)
    return meeting


def meeting_get_for_change(*, user, pk) -> Meeting:
    """One meeting of the user's ward(s) without its records, for forms and status steps;
    ``Http404`` outside the user's scope."""
    return get_for_user(Meeting.objects.select_related("ward"), user, pk=pk)


def meeting_contributions(*, meeting: Meeting) -> list[Contribution]:
    """A meeting's contributions in order (speaker, organisation), for the list that is
    swapped in after one is added or removed."""
    return list(meeting.contributions.select_related("speaker", "organization").order_by("ordinal"))


def meeting_conclusions(*, meeting: Meeting) -> list[Conclusion]:
    """A meeting's conclusions in order with their bodies, plan and task."""
    return list(_conclusions().filter(meeting=meeting).order_by("ordinal"))


def attendance_counts(*, meeting: Meeting) -> AttendanceCounts:
    """The meeting's attendance by status, in one query."""
    return AttendanceCounts.of(_with_counts(Meeting.objects.filter(pk=meeting.pk)).get())


def attendance_get(*, user, pk) -> Attendance:
    """One attendance row with its meeting, person and organisation; 404 outside scope."""
    qs = Attendance.objects.select_related("meeting__ward", "person", "organization")
    return get_for_user(qs, user, ward_field="meeting__ward", pk=pk)


def contribution_get(*, user, pk) -> Contribution:
    """One contribution with its meeting; 404 outside the user's scope."""
    qs = Contribution.objects.select_related("meeting__ward", "speaker", "organization")
    return get_for_user(qs, user, ward_field="meeting__ward", pk=pk)


def conclusion_get(*, user, pk) -> Conclusion:
    """One conclusion with its meeting, bodies, plan and task; 404 outside scope."""
    qs = _conclusions().select_related("meeting__ward")
    return get_for_user(qs, user, ward_field="meeting__ward", pk=pk)


def meeting_people(*, ward) -> QuerySet[Person]:
    """People of the meeting's ward, in Vietnamese name order, for the speaker and chair
    choices."""
    return Person.objects.filter(ward=ward).select_related("organization").by_name()


def meeting_bodies(*, ward) -> QuerySet[Organization]:
    """Active organisations of the meeting's ward, by kind then name, for the unit and the
    lead and supporting body choices."""
    return Organization.objects.filter(ward=ward, is_active=True).order_by("kind", "name")


def meeting_plans(*, ward) -> QuerySet[Plan]:
    """Plans of the meeting's ward, newest first, for the plans under review."""
    return Plan.objects.filter(ward=ward).select_related("issuer").order_by("-year", "symbol")


def minutes_preview(*, meeting: Meeting) -> dict:
    """The minutes as the Word document words them (``document_context.minutes_context``),
    for the printable page: the number already issued, or a blank number; reading never
    reserves one. Multi-paragraph texts come as lists of paragraphs. ``ValidationError``
    when the ward has no Party committee recorded."""
    from meetings import document_context, documents
    from meetings.models import DOCUMENT_DOC_TYPES, DocumentKind

    committee = documents.ward_committee(meeting.ward)
    issued = documents.document_issued(meeting, DocumentKind.MINUTES)
    header = documents.party_header(
        ward=meeting.ward,
        committee=committee,
        doc_type=DOCUMENT_DOC_TYPES[DocumentKind.MINUTES],
        number=issued.number if issued else None,
        issued_on=issued.issued_on if issued else timezone.localtime(meeting.held_at).date(),
    )
    context = document_context.minutes_context(meeting, header, committee=committee)

    def split(text: str) -> list[str]:
        return [p for p in (text or "").split(document_context.PARAGRAPH_BREAK) if p]

    context["report_summary"] = split(context["report_summary"])
    context["direction"] = split(context["direction"])
    for row in context["contributions"]:
        row["content"] = split(row["content"])
    for row in context["conclusions"]:
        row["text"] = split(row["text"])
    return context
