"""State changes of meetings: scheduling, invitations, attendance, contributions,
conclusions and the planned -> held -> concluded flow (with reopening).

Keyword-only functions; each checks the actor's right first (``PermissionDenied``) and the
read-only rule (``ValidationError(MESSAGE_READ_ONLY)`` once concluded), runs in one
transaction, and records who did it (history rows, ``MeetingEvent`` for status steps).
Numbers of contributions and conclusions are given under a lock on the meeting row, so two
added at the same moment get consecutive numbers, never the same one.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from plans.models import Task, TaskStatus
from plans.services import task_next_ordinal
from wardwork.concurrency import claim
from wardwork.models import OrganizationKind, Position, PositionRole
from wardwork.periods import ensure_period_open
from wardwork.quarters import Quarter
from wardwork.roles import (
    is_mass_mobilization_member,
    is_superuser,
    is_ward_secretary,
    is_ward_staff,
    require,
)
from wardwork.tenancy import WardOwnedModel
from wardwork.text import normalize

MESSAGE_READ_ONLY = _(
    "This meeting is concluded and its record is read-only. The ward secretary can reopen it."
)
MESSAGE_CANNOT_HOLD = _("Only a planned meeting can be marked as held.")
MESSAGE_CANNOT_CONCLUDE = _("Only a held meeting can be concluded.")
MESSAGE_CANNOT_REOPEN = _("Only a concluded meeting can be reopened.")
MESSAGE_REASON_REQUIRED = _("Give the reason for reopening.")
MESSAGE_NO_LEAD = _("Choose at least one body to carry out the conclusion.")
MESSAGE_EMPTY_CONTRIBUTION = _("Write what was said.")
MESSAGE_WRONG_MEETING = _("This row belongs to another meeting.")

can_manage_meetings = is_superuser | is_ward_staff
can_record_contributions = is_superuser | is_ward_staff | is_mass_mobilization_member
can_reopen_meetings = is_superuser | is_ward_secretary


def _lock(meeting: Meeting) -> Meeting:
    """The meeting row, locked until the transaction ends; refuses a concluded meeting."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_period_open(locked.ward_id, locked.period)
    if locked.is_read_only:
        raise ValidationError(str(MESSAGE_READ_ONLY))
    return locked


def _event(meeting: Meeting, *, actor, action: str, from_status: str, note: str = "") -> None:
    MeetingEvent.objects.create(
        meeting=meeting,
        action=action,
        from_status=from_status,
        to_status=meeting.status,
        note=note,
        actor=actor,
    )


# --- the meeting ----------------------------------------------------------------------------------


def _meeting_rows() -> list[tuple[type, str]]:
    """Every meetings table whose ward is a meeting's (its rows, their rows), with the lookup
    from the table to the meeting."""
    found = []
    for model in apps.get_app_config("meetings").get_models():
        lookup, current = [], model
        while issubclass(current, WardOwnedModel):
            lookup.append(current.ward_parent)
            current = current._meta.get_field(current.ward_parent).related_model
            if current is Meeting:
                found.append((model, "__".join(lookup)))
                break
    return found


def meeting_rows_follow_ward(meeting: Meeting) -> int:
    """After the meeting's ward was corrected (the admin, superusers), its rows carry the
    new ward too. Returns the rows moved."""
    moved = 0
    for model, lookup in _meeting_rows():
        moved += (
            model._base_manager.filter(**{lookup: meeting.pk})
            .exclude(ward_id=meeting.ward_id)
            .update(ward_id=meeting.ward_id)
        )
    return moved


@transaction.atomic
def meeting_save(
    *,
    actor,
    meeting: Meeting,
    chairs=None,
    reviewed_plans=None,
    expected_version=None,
    edited_fields=None,
) -> Meeting:
    """Create or edit a meeting (ward staff). A concluded meeting is refused; with
    ``expected_version``, so is a save made meanwhile by someone else to ``edited_fields``."""
    require(can_manage_meetings(actor, meeting.ward))
    creating = meeting.pk is None
    if not creating:
        stored = _lock(meeting)
        # The right is checked on the stored meeting too (no moving it into one's ward), and
        # an edit never moves the workflow: those fields change only in their own steps.
        require(can_manage_meetings(actor, stored.ward))
        for name in ("ward_id", "status", "concluded_at", "concluded_by_id", "created_by_id"):
            setattr(meeting, name, getattr(stored, name))
        claim(meeting, expected_version, edited_fields)
    else:
        meeting.created_by = actor
        meeting.status = MeetingStatus.PLANNED
    meeting._history_user = actor
    meeting.full_clean()
    meeting.save()
    if chairs is not None:
        _same_ward(chairs, meeting, "chairs")
        meeting.chairs.set(chairs, through_defaults={"ward_id": meeting.ward_id})
    if reviewed_plans is not None:
        _same_ward(reviewed_plans, meeting, "reviewed_plans")
        meeting.reviewed_plans.set(reviewed_plans, through_defaults={"ward_id": meeting.ward_id})
    if creating:
        _event(meeting, actor=actor, action="created", from_status="")
    return meeting


def _same_ward(objects, meeting: Meeting, field: str) -> None:
    for obj in objects:
        if getattr(obj, "ward_id", meeting.ward_id) not in (None, meeting.ward_id):
            raise ValidationError({field: str(_("This belongs to another ward."))})


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting) -> Meeting:
    require(can_manage_meetings(actor, meeting))
    locked = _lock(meeting)
    if locked.status != MeetingStatus.PLANNED:
        raise ValidationError(str(MESSAGE_CANNOT_HOLD))
    locked.status = MeetingStatus.HELD
    locked._history_user = actor
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, actor=actor, action="held", from_status=MeetingStatus.PLANNED)
    return locked


@transaction.atomic
def meeting_conclude(*, actor, meeting: Meeting) -> Meeting:
    """Conclude a held meeting: every conclusion becomes (or updates) its ``plans.Task``,
    assigned to its bodies, so it is followed up next quarter. The record is then read-only."""
    require(can_manage_meetings(actor, meeting))
    locked = _lock(meeting)
    if locked.status != MeetingStatus.HELD:
        raise ValidationError(str(MESSAGE_CANNOT_CONCLUDE))
    conclusions = list(
        locked.conclusions.select_related("task", "plan").prefetch_related(
            "lead_organizations", "supporting_organizations"
        )
    )
    for conclusion in conclusions:
        _sync_task(conclusion, actor=actor)
    locked.status = MeetingStatus.CONCLUDED
    locked.concluded_at = timezone.now()
    locked.concluded_by = actor
    locked._history_user = actor
    locked.save(update_fields=["status", "concluded_at", "concluded_by", "updated_at"])
    _event(locked, actor=actor, action="concluded", from_status=MeetingStatus.HELD)
    return locked


@transaction.atomic
def meeting_reopen(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Reopen a concluded meeting (ward secretary), with a reason that is kept."""
    require(can_reopen_meetings(actor, meeting))
    if not (reason or "").strip():
        raise ValidationError({"reason": str(MESSAGE_REASON_REQUIRED)})
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_period_open(locked.ward_id, locked.period)
    if locked.status != MeetingStatus.CONCLUDED:
        raise ValidationError(str(MESSAGE_CANNOT_REOPEN))
    locked.status = MeetingStatus.HELD
    locked._history_user = actor
    locked.save(update_fields=["status", "updated_at"])
    _event(
        locked,
        actor=actor,
        action="reopened",
        from_status=MeetingStatus.CONCLUDED,
        note=reason.strip(),
    )
    return locked


# --- attendance -----------------------------------------------------------------------------------

INVITE_GROUPS = {
    # ward leaders: the committee, its standing committee, UBND and HĐND leadership
    "ward_leaders": (
        {
            OrganizationKind.WARD_COMMITTEE,
            OrganizationKind.STANDING_COMMITTEE,
            OrganizationKind.PEOPLE_COMMITTEE,
            OrganizationKind.PEOPLE_COUNCIL,
        },
        {
            PositionRole.SECRETARY,
            PositionRole.STANDING_DEPUTY_SECRETARY,
            PositionRole.DEPUTY_SECRETARY,
            PositionRole.HEAD,
            PositionRole.DEPUTY_HEAD,
        },
    ),
    "mass_organization_heads": (
        {OrganizationKind.FATHERLAND_FRONT, OrganizationKind.MASS_ORGANIZATION},
        {PositionRole.HEAD},
    ),
    "cell_secretaries": ({OrganizationKind.PARTY_CELL}, {PositionRole.CELL_SECRETARY}),
    "mass_mobilization_bloc": ({OrganizationKind.MASS_MOBILIZATION_BLOC}, None),
}
INVITE_GROUP_LABELS = {
    "ward_leaders": _("Ward leaders (Party committee, People's Committee, People's Council)"),
    "mass_organization_heads": _("Heads of the Fatherland Front and mass organisations"),
    "cell_secretaries": _("Party cell secretaries"),
    "mass_mobilization_bloc": _("Mass mobilisation bloc"),
    "registrants": _("Collectives and individuals with a Dân vận khéo registration this year"),
}


@transaction.atomic
def meeting_invite(*, actor, meeting: Meeting, groups: list[str]) -> int:
    """Invite everyone of the chosen groups who is not invited yet; returns how many were
    added. A person holding several positions is invited once, for their first body."""
    require(can_manage_meetings(actor, meeting))
    locked = _lock(meeting)
    on = timezone.localtime(locked.held_at).date()
    invited_people = set(
        locked.attendances.exclude(person=None).values_list("person_id", flat=True)
    )
    invited_bodies = set(
        locked.attendances.filter(person=None).values_list("organization_id", flat=True)
    )
    rows: list[Attendance] = []
    unknown = [g for g in groups if g not in INVITE_GROUP_LABELS]
    if unknown:
        raise ValidationError({"groups": str(_("Choose among the groups offered."))})
    for group in groups:
        if group == "registrants":
            rows.extend(_registrant_rows(locked, invited_people, invited_bodies))
            continue
        kinds, roles = INVITE_GROUPS[group]
        positions = Position.objects.current(on=on).filter(
            organization__ward=locked.ward,
            organization__kind__in=kinds,
            organization__is_active=True,
        )
        if roles:
            positions = positions.filter(role__in=roles)
        for position in positions.select_related("organization").order_by(
            "organization__kind", "organization__name"
        ):
            if position.person_id in invited_people:
                continue
            invited_people.add(position.person_id)
            rows.append(
                Attendance(
                    meeting=locked, person_id=position.person_id, organization=position.organization
                )
            )
    Attendance.objects.bulk_create(rows)
    return len(rows)


def _registrant_rows(
    meeting: Meeting, invited_people: set, invited_bodies: set
) -> list[Attendance]:
    from models_registry.models import COUNTED_STATUSES, Registration

    rows = []
    registrations = Registration.objects.filter(
        ward=meeting.ward, year=meeting.year, status__in=COUNTED_STATUSES
    ).order_by("kind", "organization__name")
    for registration in registrations:
        if registration.person_id:
            if registration.person_id not in invited_people:
                invited_people.add(registration.person_id)
                rows.append(
                    Attendance(
                        meeting=meeting,
                        person_id=registration.person_id,
                        organization_id=registration.organization_id,
                    )
                )
        elif registration.organization_id not in invited_bodies:
            invited_bodies.add(registration.organization_id)
            rows.append(Attendance(meeting=meeting, organization_id=registration.organization_id))
    return rows


@transaction.atomic
def attendance_mark(*, actor, attendance: Attendance, status: str, note: str = "") -> Attendance:
    require(can_manage_meetings(actor, attendance.meeting))
    _lock(attendance.meeting)
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": str(_("Choose present, absent or excused."))})
    attendance.status = status
    attendance.note = normalize(note or "")[:255]
    attendance._history_user = actor
    attendance.save(update_fields=["status", "note"])
    return attendance


# --- contributions --------------------------------------------------------------------------------


@transaction.atomic
def contribution_add(
    *, actor, meeting: Meeting, content: str, speaker=None, organization=None
) -> Contribution:
    """Record what someone said; it takes the next number (ward staff, Khối Dân vận)."""
    require(can_record_contributions(actor, meeting))
    locked = _lock(meeting)
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": str(MESSAGE_EMPTY_CONTRIBUTION)})
    if organization is None and speaker is not None:
        organization = speaker.organization
    _same_ward([o for o in (speaker, organization) if o is not None], locked, "speaker")
    number = (locked.contributions.aggregate(m=Max("ordinal"))["m"] or 0) + 1
    contribution = Contribution(
        meeting=locked,
        ordinal=number,
        speaker=speaker,
        organization=organization,
        content=content,
        recorded_by=actor,
    )
    contribution._history_user = actor
    contribution.full_clean()
    contribution.save()
    return contribution


@transaction.atomic
def contribution_delete(*, actor, contribution: Contribution) -> None:
    """Remove a contribution recorded by mistake; the later ones move up, leaving no gap."""
    require(can_record_contributions(actor, contribution.meeting))
    locked = _lock(contribution.meeting)
    # Read the number again under the lock: another deletion may have moved it up.
    contribution = locked.contributions.get(pk=contribution.pk)
    removed = contribution.ordinal
    contribution._history_user = actor
    contribution.delete()
    for later in locked.contributions.filter(ordinal__gt=removed).order_by("ordinal"):
        later.ordinal -= 1
        later._history_user = actor
        later.save(update_fields=["ordinal"])


# --- conclusions ----------------------------------------------------------------------------------


@transaction.atomic
def conclusion_save(
    *,
    actor,
    conclusion: Conclusion,
    lead_organizations,
    supporting_organizations=(),
    expected_version=None,
    edited_fields=None,
) -> Conclusion:
    """Create or edit a conclusion (ward staff). A new one takes the next number. When it
    already has a task (the meeting was concluded, then reopened) the task follows."""
    require(can_manage_meetings(actor, conclusion.meeting))
    locked = _lock(conclusion.meeting)
    leads = list(lead_organizations)
    if not leads:
        raise ValidationError({"lead_organizations": str(MESSAGE_NO_LEAD)})
    _same_ward(leads + list(supporting_organizations), locked, "lead_organizations")
    if conclusion.pk is None:
        conclusion.ordinal = (locked.conclusions.aggregate(m=Max("ordinal"))["m"] or 0) + 1
    else:
        # Number and task as stored now, not as read when the form opened.
        stored = locked.conclusions.get(pk=conclusion.pk)
        conclusion.ordinal, conclusion.task_id = stored.ordinal, stored.task_id
        claim(conclusion, expected_version, edited_fields)
    conclusion._history_user = actor
    conclusion.full_clean()
    conclusion.save()
    ward = {"ward_id": locked.ward_id}  # the rows linking the bodies carry the meeting's ward
    conclusion.lead_organizations.set(leads, through_defaults=ward)
    conclusion.supporting_organizations.set(
        [o for o in supporting_organizations if o not in leads], through_defaults=ward
    )
    if conclusion.task_id:
        _sync_task(conclusion, actor=actor)
    return conclusion


@transaction.atomic
def conclusion_delete(*, actor, conclusion: Conclusion) -> None:
    """Remove a conclusion before the meeting is concluded; a task it already had is
    cancelled (kept, so its history stays); the later conclusions move up."""
    require(can_manage_meetings(actor, conclusion.meeting))
    locked = _lock(conclusion.meeting)
    conclusion = locked.conclusions.select_related("task").get(pk=conclusion.pk)
    if conclusion.task_id:
        task = conclusion.task
        task.status = TaskStatus.CANCELLED
        task._history_user = actor
        task.save(update_fields=["status", "updated_at"])
    removed = conclusion.ordinal
    conclusion._history_user = actor
    conclusion.delete()
    for later in locked.conclusions.filter(ordinal__gt=removed).order_by("ordinal"):
        later.ordinal -= 1
        later._history_user = actor
        later.save(update_fields=["ordinal"])


def conclusion_task_title(conclusion: Conclusion) -> str:
    first = conclusion.text.split("\n", 1)[0]
    return first if len(first) <= 300 else first[:297].rstrip() + "…"


def _sync_task(conclusion: Conclusion, *, actor) -> Task:
    """Create or update the conclusion's task: lead = its first lead body (by kind then
    name), supporting = the other lead bodies and the supporting bodies; due date or due
    quarter as given, else the quarter after the one the meeting reviewed."""
    meeting = conclusion.meeting
    leads = sorted(conclusion.lead_organizations.all(), key=lambda o: (o.kind, o.name))
    supporting = [o for o in leads[1:]] + [
        o for o in conclusion.supporting_organizations.all() if o.pk not in {x.pk for x in leads}
    ]
    task = conclusion.task or Task(ward=meeting.ward, created_by=actor)
    plan_changed = task.pk is None or task.plan_id != conclusion.plan_id
    task.plan = conclusion.plan
    if conclusion.plan_id is None:
        task.ordinal = conclusion.ordinal
    elif plan_changed:
        task.ordinal = task_next_ordinal(plan=conclusion.plan)
    task.title = conclusion_task_title(conclusion)
    task.description = conclusion.text
    task.lead_organization = leads[0]
    task.assigned_on = timezone.localtime(meeting.held_at).date()
    task.due_date = conclusion.due_date
    task.due_quarter = conclusion.due_quarter
    if not (conclusion.due_quarter or conclusion.due_date):
        # Followed up in the quarter after the one reviewed (I/2021 reviewed in April -> II/2021).
        reviewed = meeting.period or Quarter.containing(timezone.localtime(meeting.held_at).date())
        task.due_quarter = reviewed.next()
    if task.status == TaskStatus.CANCELLED:
        task.status = TaskStatus.OPEN
    task._history_user = actor
    task.full_clean()
    task.save()
    task.supporting_organizations.set(supporting)
    if conclusion.task_id != task.pk:
        conclusion.task = task
        conclusion.save(update_fields=["task"])
    return task
