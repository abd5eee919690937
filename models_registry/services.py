"""Workflow of 'Dân vận khéo' registrations.

Each function is keyword-only, checks the actor's right first (``PermissionDenied``),
checks the transition (``ValidationError`` with one of the ``MESSAGE_*`` texts), validates
with ``full_clean()``, saves in one transaction and writes one ``RegistrationEvent``.
Emails go out after commit and never break the step.

    draft ─submit→ submitted ─approve→ approved ─recognise→ recognised
      ↑  └withdraw→ withdrawn    └return→ returned ─submit→ …   └not achieved→ not_achieved
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from models_registry import notifications
from models_registry.models import (
    CONTENT_FIELDS,
    Recognition,
    Registration,
    RegistrationEvent,
    RegistrationRevision,
    RegistrationStatus,
    RegistrationUpdate,
)
from models_registry.rules import can_edit_registration, can_review_registration
from wardwork.concurrency import claim
from wardwork.models import Organization
from wardwork.periods import ensure_period_open
from wardwork.quarters import Quarter
from wardwork.roles import is_ward_staff, require
from wardwork.text import fold

S = RegistrationStatus

MESSAGE_NOT_EDITABLE = _("Only a draft or a returned registration can be changed.")
MESSAGE_CANNOT_SUBMIT = _("Only a draft or a returned registration can be submitted.")
MESSAGE_CANNOT_REVIEW = _("Only a submitted registration can be approved or returned.")
MESSAGE_NOTE_REQUIRED = _("Say what needs to change: the unit reads this note.")
MESSAGE_CANNOT_WITHDRAW = _("A registration can be withdrawn only before it is approved.")
MESSAGE_CANNOT_CONCLUDE = _("Only an approved model can be recognised or marked not achieved.")
MESSAGE_CANNOT_ADJUST = _("Only an approved model can be adjusted; change a draft directly.")
MESSAGE_REASON_REQUIRED = _("Give the reason for the adjustment.")
MESSAGE_NOTHING_CHANGED = _("Nothing was changed.")
MESSAGE_CANNOT_UPDATE = _("Quarterly results are reported for approved or recognised models.")
MESSAGE_DUPLICATE = _("This unit already registered a model with this name for the year.")


WORKFLOW_FIELDS = (
    "status",
    "review_note",
    "submitted_at",
    "reviewed_at",
    "reviewed_by_id",
    "created_by_id",
    "ward_id",
)


def _event(
    registration: Registration, *, actor, action: str, from_status: str, note: str = ""
) -> None:
    RegistrationEvent.objects.create(
        registration=registration,
        ward_id=registration.ward_id,
        action=action,
        from_status=from_status,
        to_status=registration.status,
        note=note,
        actor=actor,
    )


def _save(registration: Registration, *, actor) -> None:
    registration._history_user = actor
    registration.full_clean()
    registration.save()


def registration_duplicate(*, registration: Registration) -> Registration | None:
    """Another registration of the same unit, year and title (case and accents ignored), in
    the registration's ward (the unit's: the unique constraint's order, ward first)."""
    return (
        Registration.objects.filter(
            ward_id=registration.ward_id,
            registered_by_unit_id=registration.registered_by_unit_id,
            year=registration.year,
            title_key=fold(registration.title)[:300],
        )
        .exclude(pk=registration.pk)
        .exclude(status=S.WITHDRAWN)
        .first()
    )


def _refuse_duplicate(registration: Registration) -> None:
    if registration_duplicate(registration=registration):
        raise ValidationError({"title": str(MESSAGE_DUPLICATE)})


@transaction.atomic
def registration_save_draft(
    *, actor, registration: Registration, expected_version=None, edited_fields=None
) -> Registration:
    """Create a draft, or save changes to a draft or returned registration (owning unit's
    managers, or ward staff for the unit). With ``expected_version`` (the version the form
    showed), a save made meanwhile by someone else to ``edited_fields`` is refused."""
    require(can_edit_registration(actor, registration) or is_ward_staff(actor, registration))
    creating = registration.pk is None
    if not creating:
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status not in (S.DRAFT, S.RETURNED):
            raise ValidationError(str(MESSAGE_NOT_EDITABLE))
        claim(registration, expected_version, edited_fields)
        # Saving content never moves the workflow: those fields change only in their steps.
        for name in WORKFLOW_FIELDS:
            setattr(registration, name, getattr(current, name))
    else:
        registration.status = S.DRAFT
        registration.created_by = actor
    _refuse_duplicate(registration)
    _save(registration, actor=actor)
    if creating:
        _event(registration, actor=actor, action="created", from_status="")
    return registration


def _related_missing(registrations: list[Registration]) -> set[int]:
    """Indexes of the registrations naming a related row (unit, person, field, plan, model,
    user) that does not exist: one query per related model, whatever the number of rows."""
    wanted: dict[type, dict[int, set[int]]] = {}
    for index, registration in enumerate(registrations):
        for field in registration._meta.concrete_fields:
            value = getattr(registration, field.attname) if field.is_relation else None
            if value is not None:
                wanted.setdefault(field.related_model, {}).setdefault(value, set()).add(index)
    missing: set[int] = set()
    for model, by_pk in wanted.items():
        found = set(
            model._base_manager.filter(pk__in=by_pk).order_by().values_list("pk", flat=True)
        )
        for pk in by_pk.keys() - found:
            missing |= by_pk[pk]
    return missing


@transaction.atomic
def registration_create_drafts(
    *, actor, registrations: list[Registration]
) -> list[ValidationError | None]:
    """Create many drafts at once (the Excel import) with what ``registration_save_draft``
    does for each new one: the same right (``PermissionDenied``), the same refusals in the
    same order (a name the unit already used that year, then ``full_clean``'s messages) and
    the same rows: each registration, its "created" history row and its "created" event,
    both signed by ``actor``. A name taken by an earlier registration of the list counts,
    as if they had been saved one by one.

    Returns one entry per registration: ``None`` when it passed, else its
    ``ValidationError``. Nothing is written unless every one passed. The queries do not
    grow with the number of registrations (the inserts go in batches): the names already
    taken and the related rows are read once, not once per registration."""
    for registration in registrations:
        require(can_edit_registration(actor, registration) or is_ward_staff(actor, registration))
        registration.status = S.DRAFT
        registration.created_by = actor
    taken = set(
        Registration.objects.filter(
            ward_id__in={r.ward_id for r in registrations},
            registered_by_unit_id__in={r.registered_by_unit_id for r in registrations},
            year__in={r.year for r in registrations},
        )
        .exclude(status=S.WITHDRAWN)
        .values_list("ward_id", "registered_by_unit_id", "year", "title_key")
    )
    missing = _related_missing(registrations)
    relations = [f for f in Registration._meta.concrete_fields if f.is_relation]
    results: list[ValidationError | None] = []
    for index, registration in enumerate(registrations):
        name = (
            registration.ward_id,
            registration.registered_by_unit_id,
            registration.year,
            fold(registration.title)[:300],
        )
        if name in taken:
            results.append(ValidationError({"title": str(MESSAGE_DUPLICATE)}))
            continue
        # The related rows were checked above (a missing one: the full check, its message);
        # the name's uniqueness too, against the database and the list.
        loaded = (
            None
            if index in missing
            else [f.name for f in relations if getattr(registration, f.attname) is not None]
        )
        try:
            registration.full_clean(exclude=loaded, validate_constraints=False)
        except ValidationError as error:
            results.append(error)
            continue
        taken.add(name)
        results.append(None)
    if any(results) or not registrations:
        return results
    for registration in registrations:
        registration.fill_derived()
    Registration.objects.bulk_create(registrations)
    Registration.history.bulk_history_create(registrations, default_user=actor)
    RegistrationEvent.objects.bulk_create(
        RegistrationEvent(
            registration=registration,
            ward_id=registration.ward_id,
            action="created",
            from_status="",
            to_status=registration.status,
            note="",
            actor=actor,
        )
        for registration in registrations
    )
    return results


@transaction.atomic
def registration_submit(*, actor, registration: Registration) -> Registration:
    require(can_edit_registration(actor, registration) or is_ward_staff(actor, registration))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError(str(MESSAGE_CANNOT_SUBMIT))
    before = registration.status
    registration.status = S.SUBMITTED
    registration.submitted_at = timezone.now()
    _refuse_duplicate(registration)
    _save(registration, actor=actor)
    _event(registration, actor=actor, action="submitted", from_status=before)
    notifications.notify("submitted", registration)
    return registration


@transaction.atomic
def registration_approve(*, actor, registration: Registration, note: str = "") -> Registration:
    return _review(actor=actor, registration=registration, to=S.APPROVED, note=note)


@transaction.atomic
def registration_return(*, actor, registration: Registration, note: str) -> Registration:
    require(can_review_registration(actor, registration))
    if not (note or "").strip():
        raise ValidationError({"review_note": str(MESSAGE_NOTE_REQUIRED)})
    return _review(actor=actor, registration=registration, to=S.RETURNED, note=note)


def _review(*, actor, registration: Registration, to: str, note: str) -> Registration:
    require(can_review_registration(actor, registration))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != S.SUBMITTED:
        raise ValidationError(str(MESSAGE_CANNOT_REVIEW))
    registration.status = to
    registration.review_note = note.strip()
    registration.reviewed_at = timezone.now()
    registration.reviewed_by = actor
    _save(registration, actor=actor)
    _event(
        registration, actor=actor, action=to, from_status=S.SUBMITTED, note=registration.review_note
    )
    notifications.notify(
        "approved" if to == S.APPROVED else "returned", registration, note=registration.review_note
    )
    return registration


@transaction.atomic
def registration_withdraw(*, actor, registration: Registration, reason: str = "") -> Registration:
    require(can_edit_registration(actor, registration) or is_ward_staff(actor, registration))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in (S.DRAFT, S.SUBMITTED, S.RETURNED):
        raise ValidationError(str(MESSAGE_CANNOT_WITHDRAW))
    before = registration.status
    registration.status = S.WITHDRAWN
    _save(registration, actor=actor)
    _event(registration, actor=actor, action="withdrawn", from_status=before, note=reason.strip())
    return registration


@transaction.atomic
def registration_recognize(
    *,
    actor,
    registration: Registration,
    level: str,
    title: str,
    decision_symbol: str = "",
    decided_on: dt.date | None = None,
    issuer: Organization | None = None,
) -> Recognition:
    """Record a recognition (ward staff); an approved model becomes recognised (exemplary).
    A recognised model may receive further recognitions (district, city)."""
    require(can_review_registration(actor, registration) and not _is_bloc_only(actor, registration))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in (S.APPROVED, S.RECOGNIZED):
        raise ValidationError(str(MESSAGE_CANNOT_CONCLUDE))
    recognition = Recognition(
        registration=registration,
        ward_id=registration.ward_id,
        level=level,
        title=title.strip(),
        decision_symbol=decision_symbol.strip(),
        decided_on=decided_on,
        issuer=issuer,
        recorded_by=actor,
    )
    recognition._history_user = actor
    recognition.full_clean()
    recognition.save()
    before = registration.status
    registration.status = S.RECOGNIZED
    _save(registration, actor=actor)
    _event(
        registration, actor=actor, action="recognized", from_status=before, note=recognition.title
    )
    return recognition


def _is_bloc_only(actor, registration) -> bool:
    """Khối Dân vận members review, but recognitions are decided by the committee's staff."""
    return not (actor.is_superuser or is_ward_staff(actor, registration))


@transaction.atomic
def registration_mark_not_achieved(*, actor, registration: Registration, note: str) -> Registration:
    require(can_review_registration(actor, registration) and not _is_bloc_only(actor, registration))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != S.APPROVED:
        raise ValidationError(str(MESSAGE_CANNOT_CONCLUDE))
    if not (note or "").strip():
        raise ValidationError({"review_note": str(MESSAGE_NOTE_REQUIRED)})
    registration.status = S.NOT_ACHIEVED
    registration.review_note = note.strip()
    _save(registration, actor=actor)
    _event(
        registration,
        actor=actor,
        action="not_achieved",
        from_status=S.APPROVED,
        note=registration.review_note,
    )
    return registration


@transaction.atomic
def registration_adjust(
    *, actor, registration: Registration, changes: dict, reason: str
) -> RegistrationRevision:
    """Adjust an approved model's content during the year ("rà soát, điều chỉnh nội dung đã
    đăng ký"): the previous content is kept as a numbered revision with who, when and why."""
    require(can_edit_registration(actor, registration) or is_ward_staff(actor, registration))
    if not (reason or "").strip():
        raise ValidationError({"reason": str(MESSAGE_REASON_REQUIRED)})
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if current.status != S.APPROVED:
        raise ValidationError(str(MESSAGE_CANNOT_ADJUST))
    previous = current.content_snapshot()
    allowed = {k: v for k, v in changes.items() if k in CONTENT_FIELDS}
    for name, value in allowed.items():
        setattr(current, name, value)
    current._history_user = actor
    current.full_clean()
    if current.content_snapshot() == previous:
        raise ValidationError(str(MESSAGE_NOTHING_CHANGED))
    _refuse_duplicate(current)
    number = (current.revisions.aggregate(m=Max("number"))["m"] or 0) + 1
    revision = RegistrationRevision.objects.create(
        registration=current,
        ward_id=current.ward_id,
        number=number,
        previous=previous,
        reason=reason.strip(),
        changed_by=actor,
    )
    current.save()
    _event(current, actor=actor, action="adjusted", from_status=S.APPROVED, note=revision.reason)
    registration.refresh_from_db()
    return revision


@transaction.atomic
def registration_update_submit(
    *,
    actor,
    registration: Registration,
    quarter: Quarter,
    results: str,
    percent: int,
    attachment=None,
    expected_version: int | None = None,
) -> RegistrationUpdate:
    """The owning unit reports what the model achieved in ``quarter``; a second report for
    the same quarter replaces the first (the history keeps it). ``expected_version``: the
    update's version the form showed (0: none yet); one saved meanwhile by someone else is
    not overwritten (``StaleEdit``)."""
    require(can_edit_registration(actor, registration) or is_ward_staff(actor, registration))
    ensure_period_open(registration.ward_id, quarter)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in (S.APPROVED, S.RECOGNIZED):
        raise ValidationError(str(MESSAGE_CANNOT_UPDATE))
    update = (
        RegistrationUpdate.objects.select_for_update()
        .filter(
            ward_id=registration.ward_id,  # the unique index: ward, registration, quarter
            registration=registration,
            year=quarter.year,
            quarter=quarter.number,
        )
        .first()
    )
    if update is not None:
        claim(update, expected_version, ["results", "percent", "attachment"])
    else:
        update = RegistrationUpdate(
            registration=registration,
            ward_id=registration.ward_id,
            year=quarter.year,
            quarter=quarter.number,
        )
    update.results = (results or "").strip()
    update.percent = percent
    if attachment:
        update.attachment = attachment
    update.reported_by = actor
    update.reported_at = timezone.now()
    update._history_user = actor
    update.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError as exc:
        raise ValidationError(
            str(_("This update was just saved by someone else. Reload and try again."))
        ) from exc
    return update
