"""Emails about registrations. Sending happens after the transaction commits and never
breaks the action: a failure is logged, the workflow step stands."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from wardwork.models import Organization, Position, User
from wardwork.roles import UNIT_MANAGER_ROLES, WARD_STAFF_KINDS, WARD_STAFF_ROLES

logger = logging.getLogger(__name__)


def ward_staff_emails(ward_id: int) -> list[str]:
    person_ids = (
        Position.objects.current()
        .filter(
            organization__ward_id=ward_id,
            organization__kind__in=WARD_STAFF_KINDS,
            role__in=WARD_STAFF_ROLES,
        )
        .values("person_id")
    )
    return _emails(User.objects.filter(ward_id=ward_id, person_id__in=person_ids))


def unit_emails(organization_id: int) -> list[str]:
    person_ids = (
        Position.objects.current()
        .filter(organization_id=organization_id, role__in=UNIT_MANAGER_ROLES)
        .values("person_id")
    )
    # Only accounts of the unit's own ward: a position counts there only (wardwork.roles).
    ward_id = Organization.objects.filter(pk=organization_id).values("ward_id")
    return _emails(User.objects.filter(person_id__in=person_ids, ward_id__in=ward_id))


def _emails(users) -> list[str]:
    return sorted({u.email for u in users.filter(is_active=True).exclude(email="")})


def _send(messages: list[tuple[str, str, str, list[str]]]) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        logger.exception("Could not send registration notifications")


def _link(registration) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return base + reverse("models_registry:detail", args=[registration.pk])


def notify(event: str, registration, note: str = "") -> None:
    """Queue the email for ``event`` (submitted, approved, returned) after commit. Nothing
    here may break the workflow step: any failure building the mail is logged and dropped."""
    try:
        _queue(event, registration, note)
    except Exception:
        logger.exception(
            "Could not prepare the %s notification of registration %s", event, registration.pk
        )


def _queue(event: str, registration, note: str) -> None:
    if event == "submitted":
        recipients = ward_staff_emails(registration.ward_id)
    else:
        recipients = unit_emails(registration.registered_by_unit_id)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subjects = {
            "submitted": _("New Dân vận khéo registration to review: %(title)s"),
            "approved": _("Your Dân vận khéo registration was approved: %(title)s"),
            "returned": _("Your Dân vận khéo registration was returned for changes: %(title)s"),
        }
        subject = subjects[event] % {"title": registration.title[:120]}
        lines = [
            _("Model: %(title)s") % {"title": registration.title},
            _("Unit: %(unit)s") % {"unit": registration.registered_by_unit.name},
            _("Year: %(year)s") % {"year": registration.year},
        ]
        if note:
            lines.append(_("Note: %(note)s") % {"note": note})
        lines.append(_("Open it: %(link)s") % {"link": _link(registration)})
    body = "\n".join(lines)
    message = (subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    transaction.on_commit(lambda: _send([message]))
