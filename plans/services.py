"""State changes of plans, tasks and progress reports.

Every function is keyword-only, runs in one transaction, validates with ``full_clean()``
before saving, and records who did it (``created_by`` / ``reported_by`` plus the
simple-history row, whose user is set from the request by the history middleware, or from
``actor`` here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import DocumentSequence, Plan, ProgressReport, Task, TaskStatus
from plans.rules import can_manage_plans, can_report_on_task, reportable_units
from plans.symbols import Symbol, SymbolError, parse_symbol, symbol_key
from wardwork.concurrency import claim
from wardwork.models import Organization, OrganizationKind, Ward
from wardwork.periods import ensure_period_open
from wardwork.quarters import Quarter
from wardwork.roles import require
from wardwork.text import normalize

# --- symbols and issuers ------------------------------------------------------------------------


def issuer_candidates(*, ward: Ward, issuer_code: str) -> list[Organization]:
    """Organisations that write ``issuer_code`` in their symbols, as seen from ``ward``: its
    own bodies first, then the bodies above it along the committee's parent chain, then any
    other higher committee the ward records with that code (every body is a row of the
    ward: a Quận ủy is the ward's copy of it)."""
    code = issuer_code.strip()
    own = list(
        Organization.objects.filter(ward=ward, symbol_code=code, is_active=True)
        .exclude(kind=OrganizationKind.HIGHER_COMMITTEE)
        .order_by("kind")
    )
    # A ward committee and its standing committee share "ĐU": the committee issues.
    own.sort(key=lambda o: o.kind != OrganizationKind.WARD_COMMITTEE)
    above: list[Organization] = []
    committee = Organization.objects.filter(ward=ward, kind=OrganizationKind.WARD_COMMITTEE).first()
    node, seen = (committee.parent if committee else None), set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        if node.symbol_code == code:
            above.append(node)
        node = node.parent
    if not above:
        above = list(
            Organization.objects.filter(
                ward=ward,
                kind=OrganizationKind.HIGHER_COMMITTEE,
                symbol_code=code,
                is_active=True,
            )[:2]
        )
    return own + above


def symbol_read(*, ward: Ward, text: str) -> tuple[Symbol, Organization | None]:
    """Parse ``text`` and find its issuer for ``ward``. Raises ``ValidationError`` on the
    ``symbol`` field when the text cannot be a symbol."""
    try:
        symbol = parse_symbol(text)
    except SymbolError as exc:
        raise ValidationError({"symbol": str(exc)}) from exc
    candidates = issuer_candidates(ward=ward, issuer_code=symbol.issuer_code)
    return symbol, (candidates[0] if len(candidates) >= 1 else None)


def plan_duplicate(
    *, ward: Ward, issuer: Organization, year: int, symbol: str, exclude_pk=None
) -> Plan | None:
    qs = Plan.objects.filter(ward=ward, issuer=issuer, year=year, symbol_key=symbol_key(symbol))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def duplicate_message(existing: Plan) -> str:
    return _(
        "%(symbol)s of %(issuer)s for %(year)s is already recorded: “%(title)s” (issued %(date)s)."
    ) % {
        "symbol": existing.symbol,
        "issuer": existing.issuer.name,
        "year": existing.year,
        "title": existing.title[:120],
        "date": existing.issued_on.strftime("%d/%m/%Y"),
    }


# --- plans --------------------------------------------------------------------------------------


@transaction.atomic
def plan_save(*, actor, plan: Plan, expected_version=None, edited_fields=None) -> Plan:
    """Create or update a plan (ward staff only). Fills type and number from the symbol when
    they are empty; refuses the same symbol from the same issuer twice in a year, naming the
    plan already recorded. With ``expected_version`` (the version the form showed), a save
    made meanwhile by someone else to ``edited_fields`` is refused (``StaleEdit``)."""
    require(can_manage_plans(actor, plan.ward))
    claim(plan, expected_version, edited_fields)
    if plan.symbol:
        try:
            symbol = parse_symbol(plan.symbol)
        except SymbolError as exc:
            raise ValidationError({"symbol": str(exc)}) from exc
        plan.doc_type = plan.doc_type or symbol.doc_type
        plan.number = plan.number or symbol.number
    if plan.issuer_id and plan.year:
        existing = plan_duplicate(
            ward=plan.ward,
            issuer=plan.issuer,
            year=plan.year,
            symbol=plan.symbol,
            exclude_pk=plan.pk,
        )
        if existing:
            raise ValidationError({"symbol": duplicate_message(existing)})
    if plan.pk is None:
        plan.created_by = actor
    plan._history_user = actor
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_archive(*, actor, plan: Plan, active: bool = False) -> Plan:
    """Stop (or resume) following a plan; nothing is deleted."""
    require(can_manage_plans(actor, plan.ward))
    plan.is_active = active
    plan._history_user = actor
    plan.save(update_fields=["is_active", "updated_at"])
    return plan


# --- tasks --------------------------------------------------------------------------------------


def task_next_ordinal(*, plan: Plan) -> int:
    return (plan.tasks.aggregate(m=Max("ordinal"))["m"] or 0) + 1


@transaction.atomic
def task_save(
    *, actor, task: Task, supporting_organizations=None, expected_version=None, edited_fields=None
) -> Task:
    """Create or update a task (ward staff only); the next free number in its plan when new.
    A concurrent save is refused as in ``plan_save``."""
    require(can_manage_plans(actor, task.ward))
    claim(task, expected_version, edited_fields)
    if not task.ordinal:
        task.ordinal = task_next_ordinal(plan=task.plan) if task.plan_id else 1
    if task.assigned_on is None:
        task.assigned_on = task.plan.issued_on if task.plan_id else timezone.localdate()
    if task.pk is None:
        task.created_by = actor
    task._history_user = actor
    task.full_clean()
    task.save()
    if supporting_organizations is not None:
        others = [o for o in supporting_organizations if o.pk != task.lead_organization_id]
        for org in others:
            if org.ward_id not in (None, task.ward_id):
                raise ValidationError(
                    {"supporting_organizations": _("This unit belongs to another ward.")}
                )
        task.supporting_organizations.set(others, through_defaults={"ward_id": task.ward_id})
    return task


# --- progress reports ---------------------------------------------------------------------------

MESSAGE_NOT_ASSIGNED = _("This unit is not assigned to the task.")
REPORT_FIELDS = ["status", "percent", "narrative", "attachment"]  # what a report form edits


@dataclass
class ReportResult:
    report: ProgressReport
    created: bool


@transaction.atomic
def progress_report_submit(
    *,
    actor,
    task: Task,
    organization: Organization,
    quarter: Quarter,
    status: str,
    percent: int,
    narrative: str = "",
    attachment=None,
    expected_version: int | None = None,
) -> ReportResult:
    """Record a unit's report on a task for a quarter. A second submission for the same task,
    unit and quarter updates the report; the history keeps the earlier version. A task the
    unit reports done moves to done; a first report moves an open task to in progress.
    ``expected_version`` is the report's version the form showed (0: none yet); a report
    another manager saved meanwhile is not overwritten (``StaleEdit``)."""
    require(can_report_on_task(actor, task))
    ensure_period_open(task.ward_id, quarter)
    if organization.pk not in {u.pk for u in reportable_units(actor, task)}:
        raise ValidationError({"organization": str(MESSAGE_NOT_ASSIGNED)})
    if status == TaskStatus.DONE:
        percent = 100
    report = (
        ProgressReport.objects.select_for_update()
        .filter(
            ward_id=task.ward_id,
            task=task,
            organization=organization,
            year=quarter.year,
            quarter=quarter.number,
        )
        .first()
    )
    created = report is None
    if report is not None:
        claim(report, expected_version, REPORT_FIELDS)
    if created:
        report = ProgressReport(
            task=task, organization=organization, year=quarter.year, quarter=quarter.number
        )
    report.status = status
    report.percent = percent
    report.narrative = normalize(narrative or "")
    if attachment:
        report.attachment = attachment
    report.reported_by = actor
    report.reported_at = timezone.now()
    report._history_user = actor
    report.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        # Two submissions of the same report raced; the other one won. Ask to resend.
        raise ValidationError(
            _("This report was just saved by someone else. Reload and try again.")
        ) from exc
    _task_follow_report(
        task=task, actor=actor, status=status, lead=organization.pk == task.lead_organization_id
    )
    return ReportResult(report=report, created=created)


def _task_follow_report(*, task: Task, actor, status: str, lead: bool) -> None:
    """The lead unit's report sets the task's status; a supporting unit's report only moves
    an untouched task to in progress. A cancelled task stays cancelled."""
    if task.status == TaskStatus.CANCELLED:
        return
    new_status = task.status
    if lead:
        new_status = status
    elif task.status == TaskStatus.OPEN and status != TaskStatus.OPEN:
        new_status = TaskStatus.IN_PROGRESS
    if new_status != task.status:
        task.status = new_status
        task._history_user = actor
        task.save(update_fields=["status", "updated_at"])


# --- document numbering -------------------------------------------------------------------------


def committee_term_start_year(day: dt.date) -> int:
    """Party committee terms last five years from the 2020 congresses (2020–2025,
    2025–2030, …); a term starts on PARTY_TERM_START (month, day) of its first year."""
    first, length = settings.PARTY_TERM_FIRST_YEAR, settings.PARTY_TERM_YEARS
    month, dom = settings.PARTY_TERM_START
    year = day.year if (day.month, day.day) >= (month, dom) else day.year - 1
    return first + ((year - first) // length) * length


@transaction.atomic
def document_number_next(*, issuer: Organization, doc_type: str, on: dt.date | None = None) -> int:
    """Reserve the next free number of ``doc_type`` for ``issuer`` in the committee term of
    ``on``: 01, 02, … Safe under concurrent requests: the increment is one UPDATE, so the
    row lock serialises callers until their transaction ends. A new sequence starts after
    the highest number already recorded in plans of that issuer, type and term."""
    on = on or timezone.localdate()
    term = committee_term_start_year(on)
    sequence = _sequence(issuer=issuer, doc_type=doc_type, term=term)
    row = DocumentSequence.objects.filter(ward_id=sequence.ward_id, pk=sequence.pk)
    row.update(last_number=F("last_number") + 1, updated_at=timezone.now())
    return row.values_list("last_number", flat=True).get()


def _sequence(*, issuer: Organization, doc_type: str, term: int) -> DocumentSequence:
    # The row is the issuer's, in the issuer's ward (the unique key starts with the ward).
    key = {"ward_id": issuer.ward_id, "issuer": issuer, "doc_type": doc_type}
    existing = DocumentSequence.objects.filter(**key, term_start_year=term).first()
    if existing:
        return existing
    month, dom = settings.PARTY_TERM_START
    start = dt.date(term, month, dom)
    end = dt.date(term + settings.PARTY_TERM_YEARS, month, dom)
    used = (
        Plan.objects.filter(
            issuer=issuer, doc_type=doc_type, issued_on__gte=start, issued_on__lt=end
        ).aggregate(m=Max("number"))["m"]
        or 0
    )
    try:
        with transaction.atomic():
            return DocumentSequence.objects.create(**key, term_start_year=term, last_number=used)
    except IntegrityError:
        # Created by a concurrent request between our read and our insert.
        return DocumentSequence.objects.get(**key, term_start_year=term)
