"""Excel: export of the filtered registry, the import page and its template."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from models_registry import selectors, spreadsheets
from models_registry.forms import (
    ImportForm,
)
from models_registry.view_helpers import (
    _errors_to_form,
    _may_create,
    _registry_filters,
    _xlsx_response,
)
from wardwork.roles import require


def registry_export(request):
    _, filters, _year = _registry_filters(request)
    registrations = selectors.registration_list(user=request.user, filters=filters)
    name = f"dan-van-kheo-{filters['year']}.xlsx" if "year" in filters else "dan-van-kheo.xlsx"
    return _xlsx_response(spreadsheets.registrations_workbook(registrations), name)


def import_registrations(request):
    """Upload a filled-in template: every row is created, or none and each bad row is shown."""
    require(_may_create(request.user))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = spreadsheets.import_registrations(
                actor=request.user, ward=request.user.ward, file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        except PermissionDenied as refused:
            # A row names a unit the user may not register for: say which, refuse it all.
            form.add_error("file", str(refused) or _("You may not import these registrations."))
            return render(
                request, "models_registry/import.html", {"form": form, "result": None}, status=403
            )
        else:
            if result.ok:
                count = len(result.created)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s registration created.",
                        "%(count)s registrations created.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("models_registry:list")
    return render(
        request,
        "models_registry/import.html",
        {"form": form, "result": result},
        status=400 if form.errors or (result and not result.ok) else 200,
    )


def import_template(request):
    require(_may_create(request.user))
    return _xlsx_response(spreadsheets.import_template(), "mau-dang-ky-dan-van-kheo.xlsx")
