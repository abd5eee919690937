"""Removed contributions and conclusions of a meeting, and putting them back.

Records are archived, not deleted: a contribution or conclusion removed from the meeting
page (``services.contribution_delete`` / ``conclusion_delete``) stays in its history as a
"-" record (who removed it, when, and what it said). The meeting page lists those not since
restored, under the section, for whoever may manage the section while the meeting is open;
restoring puts the line back at the end (the next number) under its old id, so its history
goes on: the text, the speaker or the bodies (the conclusion's history keeps its lead and
supporting bodies), and for a conclusion whose task was cancelled when it was removed, the
task back to the status it had.

Keyword-only functions, like ``meetings.services``: each checks the actor's right first
(``PermissionDenied``), then the read-only rule and the closed quarter under the lock on the
meeting row, runs in one transaction and records the actor in the history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from meetings.models import Conclusion, Contribution, Meeting
from meetings.services import (
    _lock,
    _sync_task,
    can_manage_meetings,
    can_record_contributions,
)
from plans.models import Plan, Task, TaskStatus
from wardwork.models import Organization, User
from wardwork.roles import require

MESSAGE_BODY_GONE = _("A body of this conclusion no longer exists; it cannot be restored.")
MESSAGE_ROW_GONE = _("Something this line names no longer exists; it cannot be restored.")


# --- reads -------------------------------------------------------------------------------------


def _removed(model, meeting_id: int) -> list:
    """The latest "-" record of each row of ``model`` removed from the meeting and not since
    restored, oldest removal first, with who removed it: one query."""
    records = (
        model.history.filter(meeting_id=meeting_id, history_type="-")
        .exclude(id__in=model.objects.filter(meeting_id=meeting_id).values("pk"))
        .select_related("history_user__person")
        .order_by("-history_date", "-history_id")
    )
    latest: dict[int, object] = {}
    for record in records:
        latest.setdefault(record.id, record)
    return sorted(latest.values(), key=lambda r: (r.history_date, r.history_id))


def removed_contributions(*, meeting: Meeting) -> list:
    """Historical records of the meeting's removed contributions (``content``,
    ``history_user``, ``history_date``), for the meeting page."""
    return _removed(Contribution, meeting.pk)


def removed_conclusions(*, meeting: Meeting) -> list:
    """Historical records of the meeting's removed conclusions (``text``, ``history_user``,
    ``history_date``), for the meeting page."""
    return _removed(Conclusion, meeting.pk)


def removed_record(model, pk: int):
    """The latest "-" record of the row ``pk`` of ``model`` that is not since restored, or
    ``Http404``. Its meeting is not checked here: the view opens it within the user's scope."""
    if model.objects.filter(pk=pk).exists():
        raise Http404
    record = model.history.filter(id=pk, history_type="-").order_by("-history_date").first()
    if record is None:
        raise Http404
    return record


# --- restoring --------------------------------------------------------------------------------


def _record_for(model, locked: Meeting, pk: int):
    """Read again under the meeting's lock: another restore may have been quicker."""
    record = removed_record(model, pk)
    if record.meeting_id != locked.pk:
        raise Http404
    return record


@transaction.atomic
def contribution_restore(*, actor, meeting: Meeting, pk: int) -> Contribution:
    """Put a removed contribution back, as the meeting's last one."""
    require(can_record_contributions(actor, meeting))
    locked = _lock(meeting)
    record = _record_for(Contribution, locked, pk)
    contribution = record.instance
    contribution.meeting = locked
    contribution.ordinal = (locked.contributions.aggregate(m=Max("ordinal"))["m"] or 0) + 1
    if not User.objects.filter(pk=contribution.recorded_by_id).exists():
        contribution.recorded_by = None  # the account is gone; the line stays
    contribution._history_user = actor
    try:
        contribution.full_clean()
    except ValidationError as error:
        raise ValidationError(str(MESSAGE_ROW_GONE)) from error
    contribution.save(force_insert=True)
    return contribution


def _bodies(record) -> tuple[list[int], list[int]]:
    """Lead and supporting bodies as they were just before the removal (the "-" record
    itself has none: the rows linking them are gone before it is written)."""
    before = record.prev_record
    if before is None:
        return [], []
    leads = [row.organization_id for row in before.lead_organizations.all()]
    supporting = [row.organization_id for row in before.supporting_organizations.all()]
    return leads, supporting


def _task_status_before_removal(task: Task, record) -> str | None:
    """The task's status before the removal cancelled it, when the task is still as the
    removal left it; ``None`` when there is nothing to give back."""
    if task.status != TaskStatus.CANCELLED:
        return None
    latest = task.history.order_by("-history_date", "-history_id").first()
    if latest is None or latest.history_date > record.history_date:
        return None  # changed after the removal: whoever did it decided
    before = latest.prev_record
    if before is None or before.status == TaskStatus.CANCELLED:
        return None  # it was cancelled already
    return before.status


@transaction.atomic
def conclusion_restore(*, actor, meeting: Meeting, pk: int) -> Conclusion:
    """Put a removed conclusion back, as the meeting's last one, with its bodies; a task its
    removal cancelled gets back the status it had."""
    require(can_manage_meetings(actor, meeting))
    locked = _lock(meeting)
    record = _record_for(Conclusion, locked, pk)
    conclusion = record.instance
    conclusion.meeting = locked
    conclusion.ordinal = (locked.conclusions.aggregate(m=Max("ordinal"))["m"] or 0) + 1
    conclusion.version = (record.version or 0) + 1  # a form opened before is stale
    if conclusion.plan_id and not Plan.objects.filter(pk=conclusion.plan_id).exists():
        conclusion.plan = None
    task = Task.objects.filter(pk=conclusion.task_id).first() if conclusion.task_id else None
    if task is not None and Conclusion.objects.filter(task=task).exists():
        task = None  # taken by another conclusion since: this one gets a new one if concluded
    conclusion.task = task
    leads, supporting = _bodies(record)
    found = set(Organization.objects.filter(pk__in=leads + supporting).values_list("pk", flat=True))
    if not leads or not set(leads + supporting) <= found:
        raise ValidationError(str(MESSAGE_BODY_GONE))
    conclusion._history_user = actor
    try:
        conclusion.full_clean()
    except ValidationError as error:
        raise ValidationError(str(MESSAGE_ROW_GONE)) from error
    conclusion.save(force_insert=True)
    ward = {"ward_id": locked.ward_id}  # the rows linking the bodies carry the meeting's ward
    conclusion.lead_organizations.set(leads, through_defaults=ward)
    conclusion.supporting_organizations.set(
        [o for o in supporting if o not in leads], through_defaults=ward
    )
    if task is not None:
        status = _task_status_before_removal(task, record)
        if status is not None:
            task.status = status
            task._history_user = actor
            task.save(update_fields=["status", "updated_at"])
        if task.status != TaskStatus.CANCELLED:
            _sync_task(conclusion, actor=actor)  # its number and text follow, as on editing
    return conclusion
