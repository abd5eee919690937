"""Reminders to units: the progress reports they owe for a quarter and their overdue tasks.

``reminders_send(ward=, quarter=)`` emails each unit of the ward that owes something ONE
message listing the tasks still missing its report for the quarter (with a link to the
report form) and its overdue tasks (with their deadline), and keeps a ``Reminder`` row.
The quarter page calls it (one unit or all), and so does ``manage.py send_reminders``
(cron).

What a unit owes follows the definitions of ``review_figures`` (what the page counts):
    missing report   a task of the quarter (given by its end, not cancelled) assigned to the
                     unit (lead or supporting), not reported done by the unit in an earlier
                     quarter, and without the unit's report for the quarter;
    overdue task     ``Task.objects.overdue(today)`` assigned to the unit, unless the unit
                     has reported its part done.
Only units of the ward are reminded (not bodies above it). The recipients are the active
accounts with an email of the people managing the unit today (its cell secretary, head or
deputy head, as ``unit_emails``), whose account belongs to the unit's ward (an account
moved to another ward has no say over the unit any more, as in ``wardwork.roles``).

Guarantees
- at most one reminder per unit, quarter and day (the ``Reminder`` unique constraint
  decides, so two runs at once cannot both email a unit): a second call the same day says
  ``already_sent`` and sends nothing;
- a finalised quarter is refused (``ValidationError``): its reports can no longer change;
  so is a quarter that has not begun;
- the mails go out after the transaction commits; a mail that fails is logged and its
  ``Reminder`` row removed, so the next run (or click) tries that unit again the same day;
  nothing here breaks because of the mail server;
- a fixed number of queries per ward whatever the number of tasks (plus one insert per
  unit reminded).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meetings.models import QuarterlyReview, QuarterlyReviewEvent, Reminder
from meetings.review_figures import live_q
from meetings.review_services import MESSAGE_FUTURE_QUARTER, can_manage_reviews
from plans.models import ProgressReport, Task, TaskStatus
from wardwork.models import Organization, OrganizationKind, Position, Ward
from wardwork.quarters import Quarter
from wardwork.roles import UNIT_MANAGER_ROLES, require

logger = logging.getLogger(__name__)

SENT, ALREADY_SENT, NO_RECIPIENTS, NOTHING_DUE = (
    "sent",
    "already_sent",
    "no_recipients",
    "nothing_due",
)
# Only from ``reminders_preview``: the unit would be emailed now.
DUE = "due"

MESSAGE_FINALIZED = _(
    "%(quarter)s is finalised: its reports can no longer change, so there is nothing to "
    "remind the units of."
)


@dataclass
class ReminderResult:
    """What happened (or, from ``reminders_preview``, would happen) for one unit."""

    organization: Organization
    status: str  # sent, already_sent, no_recipients, nothing_due (due: preview only)
    recipients: list[str] = field(default_factory=list)
    missing: int = 0
    overdue: int = 0
    reminder: Reminder | None = None  # the row written, or today's earlier one
    missing_tasks: list[Task] = field(default_factory=list)
    overdue_tasks: list[Task] = field(default_factory=list)

    @property
    def sent(self) -> bool:
        return self.status == SENT


# --- what each unit owes --------------------------------------------------------------------------
def _ward_tasks(ward: Ward, quarter: Quarter, today: dt.date) -> list[Task]:
    """The ward's tasks of the quarter or overdue today, each annotated ``_live`` and
    ``_overdue`` (one query, plus one for the supporting units)."""
    same = Task.objects.filter(pk=OuterRef("pk"))
    return list(
        Task.objects.filter(ward=ward)
        .exclude(status=TaskStatus.CANCELLED)
        .annotate(
            _live=Exists(same.filter(live_q(quarter))),
            _overdue=Exists(Task.objects.overdue(today).filter(pk=OuterRef("pk"))),
        )
        .filter(Q(_live=True) | Q(_overdue=True))
        .select_related("plan", "lead_organization")
        .prefetch_related(
            Prefetch("supporting_organizations", queryset=Organization.objects.order_by("pk"))
        )
        .order_by(F("plan__issued_on").asc(nulls_last=True), "plan_id", "ordinal", "pk")
    )


def _owed(ward: Ward, quarter: Quarter, today: dt.date):
    """(units, missing, overdue): the ward's units with tasks of the quarter or overdue
    ones, and for each unit id its tasks missing a report and its overdue tasks."""
    tasks = _ward_tasks(ward, quarter, today)
    this_quarter, done_before, done_ever = set(), set(), set()
    for task_id, unit_id, year, number, status in (
        ProgressReport.objects.filter(task__ward=ward)
        .filter(Q(year=quarter.year, quarter=quarter.number) | Q(status=TaskStatus.DONE))
        .values_list("task_id", "organization_id", "year", "quarter", "status")
    ):
        key = (task_id, unit_id)
        if (year, number) == (quarter.year, quarter.number):
            this_quarter.add(key)
        if status == TaskStatus.DONE:
            done_ever.add(key)
            if (year, number) < (quarter.year, quarter.number):
                done_before.add(key)
    units: dict[int, Organization] = {}
    missing: dict[int, list[Task]] = defaultdict(list)
    overdue: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        assigned = [task.lead_organization, *task.supporting_organizations.all()]
        for unit in assigned:
            if unit.ward_id != ward.pk or unit.kind == OrganizationKind.HIGHER_COMMITTEE:
                continue  # a body above the ward (the ward's copy of it) is not reminded
            key = (task.pk, unit.pk)
            if task._live and key not in done_before:
                units[unit.pk] = unit
                if key not in this_quarter:
                    missing[unit.pk].append(task)
            if task._overdue and key not in done_ever:
                units[unit.pk] = unit
                overdue[unit.pk].append(task)
    for tasks_of_unit in overdue.values():
        tasks_of_unit.sort(key=lambda t: (t.deadline, t.pk))  # the most overdue first
    return units, missing, overdue


def unit_recipients(organization_ids, *, on: dt.date | None = None) -> dict[int, list[str]]:
    """The emails of the people managing each unit on ``on`` (today): active accounts with
    an email, of the unit's ward, holding a unit manager's position in the (active) unit.
    One query for any number of units."""
    by_unit: dict[int, set[str]] = defaultdict(set)
    rows = (
        Position.objects.current(on)
        .filter(
            organization_id__in=list(organization_ids),
            organization__is_active=True,
            role__in=UNIT_MANAGER_ROLES,
            person__user__is_active=True,
            person__user__ward_id=F("organization__ward_id"),
        )
        .exclude(person__user__email="")
        .values_list("organization_id", "person__user__email")
    )
    for unit_id, email in rows:
        by_unit[unit_id].add(email)
    return {unit_id: sorted(emails) for unit_id, emails in by_unit.items()}


def _review_of(ward: Ward, quarter: Quarter) -> QuarterlyReview | None:
    return QuarterlyReview.objects.filter(
        ward=ward, year=quarter.year, quarter=quarter.number
    ).first()


def _check_quarter(ward: Ward, quarter: Quarter, today: dt.date) -> QuarterlyReview | None:
    """The quarter's review (None when there is none yet); ``ValidationError`` when the
    quarter is finalised or has not begun."""
    if quarter > Quarter.containing(today):
        raise ValidationError(str(MESSAGE_FUTURE_QUARTER), code="future_quarter")
    review = _review_of(ward, quarter)
    if review is not None and review.is_finalized:
        raise ValidationError(
            str(MESSAGE_FINALIZED) % {"quarter": str(quarter)}, code="quarter_finalized"
        )
    return review


def _results(
    ward: Ward, quarter: Quarter, organization_ids, today: dt.date
) -> list[ReminderResult]:
    units, missing, overdue = _owed(ward, quarter, today)
    if organization_ids is not None:
        wanted = {int(pk) for pk in organization_ids}
        units = {pk: unit for pk, unit in units.items() if pk in wanted}
        others = wanted - set(units)
        if others:  # asked for, owing nothing (units of other wards are ignored)
            units.update({o.pk: o for o in Organization.objects.filter(ward=ward, pk__in=others)})
    results = [
        ReminderResult(
            organization=unit,
            status=DUE,
            missing=len(missing.get(pk, [])),
            overdue=len(overdue.get(pk, [])),
            missing_tasks=missing.get(pk, []),
            overdue_tasks=overdue.get(pk, []),
        )
        for pk, unit in units.items()
    ]
    results.sort(key=lambda r: (r.organization.kind, r.organization.name))
    owing = [r for r in results if r.missing or r.overdue]
    for result in results:
        if not (result.missing or result.overdue):
            result.status = NOTHING_DUE
    if not owing:
        return results
    owing_ids = [r.organization.pk for r in owing]
    earlier = {
        r.organization_id: r
        for r in Reminder.objects.filter(
            organization_id__in=owing_ids,
            year=quarter.year,
            quarter=quarter.number,
            sent_on=today,
        )
    }
    emails = unit_recipients(owing_ids, on=today)
    for result in owing:
        pk = result.organization.pk
        if pk in earlier:
            result.status = ALREADY_SENT
            result.reminder = earlier[pk]
            result.recipients = _split(earlier[pk].recipients)
        elif not emails.get(pk):
            result.status = NO_RECIPIENTS
        else:
            result.recipients = emails[pk]
    return results


def _split(recipients: str) -> list[str]:
    return [e.strip() for e in recipients.split(",") if e.strip()]


def reminder_quarter(*, ward: Ward, today: dt.date | None = None) -> Quarter:
    """The quarter a daily job reminds the ward's units of: during the first month of a
    quarter, units are still reporting on the previous one (its review meeting comes then),
    so that one unless it is already finalised; otherwise the current quarter. One quarter
    per run, so a unit never gets two mails a day listing the same overdue tasks."""
    today = today or timezone.localdate()
    current = Quarter.containing(today)
    if today.month == current.start.month:
        previous = current.previous()
        review = _review_of(ward, previous)
        if review is None or not review.is_finalized:
            return previous
    return current


def reminders_preview(
    *, ward: Ward, quarter: Quarter, organization_ids=None, today: dt.date | None = None
) -> list[ReminderResult]:
    """What ``reminders_send`` would do, without writing or sending anything: status
    ``due`` for a unit that would be emailed. Same refusals (finalised, future quarter)."""
    today = today or timezone.localdate()
    _check_quarter(ward, quarter, today)
    return _results(ward, quarter, organization_ids, today)


# --- the message ----------------------------------------------------------------------------------
def _absolute(path: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def report_link(task: Task, unit: Organization, quarter: Quarter) -> str:
    """The unit's report form for the task and quarter (on "Việc của đơn vị tôi"; the
    report is posted from there, so the link opens that page at the task)."""
    return _absolute(f"{reverse('plans:my_tasks')}?quarter={quarter.slug}#task-{task.pk}-{unit.pk}")


def _task_label(task: Task) -> str:
    title = f"{task.ordinal}. {task.title}" if task.ordinal else task.title
    return f"{task.plan.symbol} – {title}" if task.plan_id else title


def _message(result: ReminderResult, ward: Ward, quarter: Quarter) -> tuple[str, str]:
    """(subject, body) in the site's language."""
    unit = result.organization
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Reminder: %(quarter)s reports of %(unit)s") % {
            "quarter": str(quarter),
            "unit": unit.display_name,
        }
        lines = [
            gettext("To: %(unit)s") % {"unit": unit.name},
            "",
            gettext(
                "The office of the Party committee of %(ward)s reminds your unit of what it "
                "still owes for %(quarter)s."
            )
            % {"ward": ward.name, "quarter": str(quarter)},
        ]
        if result.missing_tasks:
            lines += [
                "",
                gettext("Tasks without your unit's progress report for %(quarter)s (%(n)s):")
                % {"quarter": str(quarter), "n": len(result.missing_tasks)},
            ]
            for task in result.missing_tasks:
                lines.append(f"- {_task_label(task)}")
                lines.append(
                    "  " + gettext("Report: %(link)s") % {"link": report_link(task, unit, quarter)}
                )
        if result.overdue_tasks:
            lines += [
                "",
                gettext("Overdue tasks (%(n)s):") % {"n": len(result.overdue_tasks)},
            ]
            for task in result.overdue_tasks:
                lines.append(
                    f"- {_task_label(task)} – "
                    + gettext("due %(date)s") % {"date": f"{task.deadline:%d/%m/%Y}"}
                )
                lines.append(
                    "  "
                    + gettext("Open it: %(link)s")
                    % {"link": _absolute(reverse("plans:task_detail", args=[task.pk]))}
                )
        lines += [
            "",
            gettext("Your unit's tasks: %(link)s")
            % {"link": _absolute(f"{reverse('plans:my_tasks')}?quarter={quarter.slug}")},
            "",
            gettext("This message was sent by Wardwork; replies are not read."),
        ]
    return subject, "\n".join(lines)


def _event_note(results: list[ReminderResult], quarter: Quarter) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        sent = [
            gettext("%(unit)s (%(missing)s missing, %(overdue)s overdue)")
            % {"unit": r.organization.display_name, "missing": r.missing, "overdue": r.overdue}
            for r in results
            if r.status == SENT
        ]
        note = gettext("Reminders for %(quarter)s sent to: %(units)s.") % {
            "quarter": str(quarter),
            "units": "; ".join(sent),
        }
        unreachable = [r.organization.display_name for r in results if r.status == NO_RECIPIENTS]
        if unreachable:
            note += " " + gettext("No email address for: %(units)s.") % {
                "units": "; ".join(unreachable)
            }
    return note


# --- sending --------------------------------------------------------------------------------------
def _deliver(messages: list[tuple[int, EmailMessage]]) -> None:
    """Send each unit's mail (after commit). A failure is logged and that unit's
    ``Reminder`` row removed, so a later run the same day tries it again."""
    failed = []
    try:
        with get_connection() as connection:
            for reminder_id, message in messages:
                message.connection = connection
                try:
                    message.send()
                except Exception:
                    logger.exception("Could not send reminder %s", reminder_id)
                    failed.append(reminder_id)
    except Exception:
        logger.exception("Could not reach the mail server to send reminders")
        failed = [reminder_id for reminder_id, _message in messages]
    if failed:
        try:
            Reminder.objects.filter(pk__in=failed).delete()
        except Exception:
            logger.exception("Could not remove the reminders that failed: %s", failed)


def reminders_send(
    *,
    ward: Ward,
    quarter: Quarter,
    actor=None,
    organization_ids=None,
    today: dt.date | None = None,
) -> list[ReminderResult]:
    """Email each unit of ``ward`` that owes something for ``quarter`` (or only the units
    ``organization_ids``; others are ignored) one reminder, at most once a day.

    ``actor`` None is the daily job; a user must be ward staff of the ward or a superuser
    (``PermissionDenied``). ``ValidationError`` for a finalised or future quarter. One
    transaction; the mails leave after commit. Returns one result per unit, in the order of
    the units (kind, name): every unit asked for, or, when none is asked for, every unit
    with tasks of the quarter or overdue ones (``nothing_due`` when it owes nothing).
    """
    if actor is not None:
        require(can_manage_reviews(actor, ward))
    today = today or timezone.localdate()
    with transaction.atomic():
        review = _check_quarter(ward, quarter, today)
        results = _results(ward, quarter, organization_ids, today)
        messages: list[tuple[int, EmailMessage]] = []
        for result in results:
            if result.status != DUE:
                continue
            subject, body = _message(result, ward, quarter)
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(
                        ward=ward,
                        organization=result.organization,
                        year=quarter.year,
                        quarter=quarter.number,
                        sent_on=today,
                        sent_at=timezone.now(),
                        sent_by=actor,
                        recipients=", ".join(result.recipients),
                        missing_reports=result.missing,
                        overdue_tasks=result.overdue,
                        body=body,
                    )
            except IntegrityError:
                # Another run reminded the unit a moment ago: the unique row decides.
                result.status = ALREADY_SENT
                result.reminder = Reminder.objects.filter(
                    organization=result.organization,
                    year=quarter.year,
                    quarter=quarter.number,
                    sent_on=today,
                ).first()
                if result.reminder is not None:
                    result.recipients = _split(result.reminder.recipients)
                continue
            result.status = SENT
            result.reminder = reminder
            messages.append(
                (
                    reminder.pk,
                    EmailMessage(
                        subject, body, settings.DEFAULT_FROM_EMAIL, list(result.recipients)
                    ),
                )
            )
        if messages and review is not None:
            QuarterlyReviewEvent.objects.create(
                review=review,
                action="reminded",
                from_status=review.status,
                to_status=review.status,
                note=_event_note(results, quarter),
                actor=actor,
            )
        if messages:
            transaction.on_commit(lambda: _deliver(messages))
    return results
