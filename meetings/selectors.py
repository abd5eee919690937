"""Reads of meetings and their records, scoped to the requesting user.

Every function takes ``user`` and returns only rows of the wards that user may see (their
own ward; every ward for a superuser). ``*_get`` functions raise ``Http404`` outside that
scope, so another ward's meetings do not even show that they exist. Counts (attendance by
status, contributions, conclusions) are computed in SQL, as correlated subqueries on the
meeting row, so they never multiply the rows of a join and the number of queries does not
depend on how many rows a meeting has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    IssuedDocument,
    Meeting,
    MeetingEvent,
)
from plans.models import Plan, Task
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


# --- small lists folded into the meeting's row ----------------------------------------------------


class _JSONArray(Aggregate):
    """The rows of a subquery as one JSON array (``JSON_GROUP_ARRAY`` on SQLite, ``JSONB_AGG``
    on PostgreSQL: Django reads jsonb as text and decodes it, as for a ``JSONField``)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra)


def _json_object(model, prefix: str, related: dict) -> JSONObject:
    """Every concrete field of ``model`` (by attname), and each of ``related`` (a tree of
    foreign keys) as a nested object under ``@name``."""
    values = {f.attname: F(prefix + f.attname) for f in model._meta.concrete_fields}
    for name, deeper in related.items():
        target = model._meta.get_field(name).related_model
        values[f"@{name}"] = _json_object(target, f"{prefix}{name}__", deeper)
    return JSONObject(**values)


def _json_list(qs: QuerySet, link: str, related: dict | None = None) -> Subquery:
    """``qs`` rows whose ``link`` is the outer meeting, as a JSON array of objects."""
    rows = (
        qs.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(rows=_JSONArray(_json_object(qs.model, "", related or {})))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def _from_json(model, row: dict | None, related: dict):
    """A model instance (as if loaded from the database) from an object of ``_json_object``;
    ``None`` for a missing foreign key (its primary key is null)."""
    if row is None or row.get(model._meta.pk.attname) is None:
        return None
    values = []
    for f in model._meta.concrete_fields:
        value = row.get(f.attname)
        if value is not None and isinstance(f, DateTimeField) and isinstance(value, str):
            value = parse_datetime(value)
            if timezone.is_naive(value):  # SQLite keeps UTC without an offset
                value = value.replace(tzinfo=dt.UTC)
        elif value is not None and not isinstance(f, (models.FileField, models.ForeignKey)):
            value = f.to_python(value)
        values.append(value)
    obj = model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in model._meta.concrete_fields], values)
    for name, deeper in related.items():
        field = model._meta.get_field(name)
        field.set_cached_value(obj, _from_json(field.related_model, row.get(f"@{name}"), deeper))
    return obj


def _set_prefetched(obj, name: str, objs: list) -> None:
    """Fill ``obj.<name>.all()`` as ``prefetch_related`` would, without a query."""
    qs = getattr(obj, name).all()
    qs._result_cache = objs
    qs._prefetch_done = True
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}
    obj._prefetched_objects_cache[name] = qs


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


def _by_kind_and_name(org: Organization) -> tuple:
    return (org.kind, org.name)


def _conclusions():
    """Conclusions with their task and plan, and their lead and supporting bodies as JSON on
    the row (``_with_bodies`` puts them where ``lead_organizations.all()`` finds them)."""
    bodies = Organization.objects.all()
    return Conclusion.objects.select_related("task", "plan").annotate(
        lead_json=_json_list(bodies, "led_conclusions"),
        supporting_json=_json_list(bodies, "supported_conclusions"),
    )


def _with_bodies(conclusions):
    """The bodies of ``_conclusions()`` rows, by kind then name (the database's order: its
    collation is C, code point order, as Python's), as if prefetched."""
    for conclusion in conclusions:
        for name in ("lead", "supporting"):
            rows = getattr(conclusion, f"{name}_json", None) or []
            bodies = sorted((_from_json(Organization, r, {}) for r in rows), key=_by_kind_and_name)
            _set_prefetched(conclusion, f"{name}_organizations", bodies)
    return conclusions


# The small lists of the meeting page, read as JSON on the meeting's row: the relation, how
# each row links to the meeting, the foreign keys loaded with it, the order of the page.
_ON_THE_ROW = {
    "chairs": (Person.objects.all(), "chaired_meetings", {"organization": {}}, ("sort_key", "pk")),
    "reviewed_plans": (Plan.objects.all(), "review_meetings", {"issuer": {}}, ("issued_on", "pk")),
    "events": (
        MeetingEvent.objects.all(),
        "meeting",
        {"actor": {"person": {}}},
        ("at", "pk"),
    ),
    "issued_documents": (IssuedDocument.objects.all(), "meeting", {}, ("pk",)),
}


def _meeting_page_qs() -> QuerySet[Meeting]:
    """The query of ``meeting_get``. Built once, at import (``_MEETING_PAGE``): resolving its
    JSON lists costs more than running it. A constant: never evaluated itself, only
    filtered (cloned), so it holds no row."""
    lists = {
        f"{name}_json": _json_list(qs, link, related)
        for name, (qs, link, related, _order) in _ON_THE_ROW.items()
    }
    return (
        _with_counts(
            Meeting.objects.select_related("ward", "presenter__organization", "concluded_by")
        )
        .annotate(**lists)
        .prefetch_related(
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
        )
    )


_MEETING_PAGE = _meeting_page_qs()


def meeting_get(*, user, pk) -> Meeting:
    """One meeting of the user's ward(s), or ``Http404``, with everything its page shows:
    chairs, presenter, reviewed plans (with issuer), attendances (person, organisation),
    contributions (speaker, organisation), conclusions (lead and supporting bodies, plan,
    task), events (actor) and the documents already issued, in order; the counts of
    ``_with_counts`` annotated and ``attendance_counts`` (:class:`AttendanceCounts`) set.

    Four queries whatever the size of the meeting: the meeting, with its counts and its
    small lists (chairs, plans, events, documents) as JSON arrays on its row; its
    attendances; its contributions; its conclusions with their bodies as JSON on theirs.
    ``meeting.chairs.all()`` and the others then read them without a query, as after
    ``prefetch_related``."""
    meeting = get_for_user(_MEETING_PAGE, user, pk=pk)
    for name, (qs, _link, related, order) in _ON_THE_ROW.items():
        rows = getattr(meeting, f"{name}_json") or []
        objs = [_from_json(qs.model, row, related) for row in rows]
        _set_prefetched(meeting, name, sorted(objs, key=_sort_key(order)))
    _with_bodies(meeting.conclusions.all())
    meeting.attendance_counts = AttendanceCounts.of(meeting)
    return meeting


def _sort_key(fields):
    """The database's ascending order on ``fields`` (nulls last, as PostgreSQL does)."""

    def key(obj):
        values = (getattr(obj, name) for name in fields)
        return tuple((value is None, 0 if value is None else value) for value in values)

    return key


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
    return _with_bodies(list(_conclusions().filter(meeting=meeting).order_by("ordinal")))


def task_conclusion(task: Task) -> Conclusion | None:
    """The conclusion the task was made of, or None: at most one per task
    (``conclusion_one_per_task``; ``task.conclusions`` is the relation)."""
    return Conclusion.objects.filter(ward_id=task.ward_id, task=task).first()


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
    conclusion = get_for_user(qs, user, ward_field="meeting__ward", pk=pk)
    _with_bodies([conclusion])
    return conclusion


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
