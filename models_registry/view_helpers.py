"""Helpers shared by the registry views: permissions of the buttons, form errors, paging."""

from __future__ import annotations

from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from models_registry import selectors
from models_registry.forms import RegistryFilterForm
from models_registry.models import (
    EDITABLE_BY_OWNER,
    RegistrationStatus,
)
from models_registry.rules import (
    can_edit_registration,
    can_review_registration,
)
from wardwork.forms import errors_to_form as _errors_to_form  # noqa: F401 - re-exported to the views
from wardwork.models import Organization
from wardwork.roles import is_ward_staff, roles_of

PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
S = RegistrationStatus

ACTION_LABELS = {
    "created": gettext_lazy("Created as a draft"),
    "submitted": gettext_lazy("Submitted"),
    "approved": gettext_lazy("Approved"),
    "returned": gettext_lazy("Returned for changes"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "recognized": gettext_lazy("Recognised"),
    "not_achieved": gettext_lazy("Not achieved"),
    "adjusted": gettext_lazy("Content adjusted"),
}


def _owns(user, registration) -> bool:
    """The owning unit's managers, or ward staff acting for the unit (as the services allow)."""
    return bool(can_edit_registration(user, registration) or is_ward_staff(user, registration))


def _concludes(user, registration) -> bool:
    """Recognising or marking not achieved: the committee's staff, not the bloc alone."""
    return bool(
        can_review_registration(user, registration)
        and (user.is_superuser or is_ward_staff(user, registration))
    )


def _may_create(user) -> bool:
    return bool(user.ward_id and (roles_of(user).managed_unit_ids or is_ward_staff(user)))


def _actions(user, registration) -> dict[str, bool]:
    """Which buttons of the detail page the user may use, for the registration's status."""
    owner = _owns(user, registration)
    status = registration.status
    return {
        "edit": owner and status in EDITABLE_BY_OWNER,
        "submit": owner and status in EDITABLE_BY_OWNER,
        "withdraw": owner and status in (S.DRAFT, S.SUBMITTED, S.RETURNED),
        "review": bool(can_review_registration(user, registration)) and status == S.SUBMITTED,
        "recognize": _concludes(user, registration) and status in (S.APPROVED, S.RECOGNIZED),
        "not_achieved": _concludes(user, registration) and status == S.APPROVED,
        "adjust": owner and status == S.APPROVED,
        "update": owner and status in (S.APPROVED, S.RECOGNIZED),
    }


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _safe_next(request, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    return response


# --- the registry -------------------------------------------------------------------------------


def _fetch_choices(field) -> None:
    """A model choice field's options read with one plain query, the same options its
    widget would read itself through a server-side cursor (three round trips)."""
    iterator = field.iterator(field)
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [*empty, *(iterator.choice(obj) for obj in list(field.queryset))]


def _registry_filters(request):
    """The filter form, the filters it gives, and the year whose totals are shown: the
    chosen year, else the current year if it has registrations, else the latest that has."""
    visible = selectors.visible_registrations(user=request.user)
    years = list(visible.values_list("year", flat=True).distinct().order_by("-year"))
    this_year = timezone.localdate().year
    default_year = this_year if this_year in years or not years else years[0]
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(default_year)
    units = Organization.objects.filter(pk__in=visible.values("registered_by_unit_id")).order_by(
        "name"
    )
    form = RegistryFilterForm(data, years=sorted({*years, default_year}, reverse=True), units=units)
    form.is_valid()
    for name in ("field", "unit"):
        _fetch_choices(form.fields[name])
    filters = form.filters()
    return form, filters, filters.get("year", default_year)
