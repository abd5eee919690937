"""Registry pages: the list, exemplary models, a unit's models, the registration form and
page, and quarterly updates. Thin: registrations come from ``selectors`` (scoped to the
user, 404 outside what they may see), permissions from ``rules`` (403), every state change
goes through ``services``; a refused step is shown at the form's field."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from models_registry import selectors, services
from models_registry.forms import (
    QUARTER_FILTERS,
    RegistrationForm,
    ReturnForm,
    UpdateForm,
)
from models_registry.models import (
    CONTENT_FIELDS,
    EDITABLE_BY_OWNER,
    Field,
    Registration,
    RegistrationUpdate,
)
from models_registry.view_helpers import (
    ACTION_LABELS,
    S,
    _actions,
    _errors_to_form,
    _may_create,
    _owns,
    _page,
    _registry_filters,
)
from plans.selectors import plan_options
from wardwork.quarters import Quarter
from wardwork.roles import is_ward_staff, require, roles_of


def registry_list(request):
    form, filters, year = _registry_filters(request)
    page = _page(request, selectors.registration_list(user=request.user, filters=filters))
    totals = selectors.registration_totals(user=request.user, year=year)
    by_status = [(S(k).label, n) for k in S.values if (n := totals.by_status.get(k))]
    return render(
        request,
        "models_registry/registry_list.html",
        {
            "form": form,
            "page_obj": page,
            "totals": totals,
            "totals_year": year,
            "by_status": by_status,
            "can_create": _may_create(request.user),
            "can_import": _may_create(request.user),
            "query": request.GET.urlencode(),
            "link_filters": _link_filters(form),
        },
    )


def _link_filters(form) -> list[tuple[str, str]]:
    """The filters a link from the quarter page added (not among the visible fields), as
    (label, value) pairs the page names, so the reader knows why rows are left out."""
    data = getattr(form, "cleaned_data", {})
    shown = []
    for name in (*QUARTER_FILTERS, "replicates"):
        value = data.get(name)
        if value:
            shown.append((form.fields[name].label, value.short_label if value is not True else ""))
    return shown


def exemplary(request):
    page = _page(request, selectors.exemplary_models(user=request.user))
    return render(request, "models_registry/exemplary.html", {"page_obj": page})


def unit_list(request):
    """ "Mô hình của đơn vị": the registrations of the units the user manages."""
    page = _page(request, selectors.unit_registrations(user=request.user))
    return render(
        request,
        "models_registry/unit_list.html",
        {
            "page_obj": page,
            "has_units": bool(roles_of(request.user).managed_unit_ids),
            "can_create": _may_create(request.user),
        },
    )


# --- one registration ---------------------------------------------------------------------------


def _content_label(name: str) -> str:
    return capfirst(Registration._meta.get_field(name.removesuffix("_id")).verbose_name)


def _readable_revisions(registration, revisions, user) -> list[dict]:
    """Each revision's previous content with names instead of ids, and what it changed
    (compared with the next version: the following revision, or the current content)."""
    if not revisions:
        return []
    field_ids = {r.previous.get("field_id") for r in revisions} | {registration.field_id}
    plan_ids = {r.previous.get("plan_id") for r in revisions} | {registration.plan_id}
    field_names = dict(Field.objects.filter(pk__in=field_ids - {None}).values_list("pk", "name"))
    plan_symbols = dict(
        plan_options(user=user).filter(pk__in=plan_ids - {None}).values_list("pk", "symbol")
    )

    def shown(name, value):
        if name == "field_id":
            return field_names.get(value, "")
        if name == "plan_id":
            return plan_symbols.get(value, "")
        return value or ""

    after = registration.content_snapshot()
    rows = []
    for revision in sorted(revisions, key=lambda r: r.number, reverse=True):
        before = revision.previous
        rows.append(
            {
                "revision": revision,
                "changed": [
                    _content_label(n) for n in CONTENT_FIELDS if before.get(n) != after.get(n)
                ],
                "previous": [
                    {
                        "name": n.removesuffix("_id"),
                        "label": _content_label(n),
                        "value": shown(n, before.get(n)),
                    }
                    for n in CONTENT_FIELDS
                ],
            }
        )
        after = before
    return rows


def detail(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    data = selectors.registration_page_data(registration=registration, user=request.user)
    events = list(data.pop("events"))
    revisions = _readable_revisions(registration, list(data.pop("revisions")), request.user)
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action)
    selectors.attach_reviewer(registration, events)
    return render(
        request,
        "models_registry/detail.html",
        {
            "registration": registration,
            "events": events,
            "revisions": revisions,
            **data,
            "actions": _actions(request.user, registration),
            "return_form": ReturnForm(prefix=f"r{registration.pk}"),
        },
    )


def create(request):
    require(_may_create(request.user))
    return _registration_form(request, Registration(ward=request.user.ward))


def edit(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    require(_owns(request.user, registration))
    if registration.status not in EDITABLE_BY_OWNER:
        messages.info(request, services.MESSAGE_NOT_EDITABLE)
        return redirect("models_registry:detail", pk=registration.pk)
    return _registration_form(request, registration)


def _registration_form(request, registration):
    """One form, two buttons: "Save draft" keeps it; "Submit" saves, then sends it in."""
    creating = registration.pk is None
    roles = roles_of(request.user)
    form = RegistrationForm(
        request.POST or None,
        instance=registration,
        ward=registration.ward,
        managed_unit_ids=roles.managed_unit_ids,
        whole_ward=bool(is_ward_staff(request.user, registration)),
    )
    if request.method == "POST" and form.is_valid():
        submitting = "submit" in request.POST
        try:
            saved = services.registration_save_draft(
                actor=request.user,
                registration=form.instance,
                expected_version=form.expected_version,
                edited_fields=form.edited_fields,
            )
            if submitting:
                saved = services.registration_submit(actor=request.user, registration=saved)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if submitting:
                messages.success(request, _("Registration submitted: the ward will review it."))
            else:
                messages.success(request, _("Draft saved. Submit it when it is ready."))
            return redirect("models_registry:detail", pk=saved.pk)
    return render(
        request,
        "models_registry/registration_form.html",
        {"form": form, "registration": registration, "creating": creating},
        status=400 if form.errors else 200,
    )


@require_POST
def submit(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    require(_owns(request.user, registration))
    try:
        services.registration_submit(actor=request.user, registration=registration)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Registration submitted: the ward will review it."))
    return redirect("models_registry:detail", pk=registration.pk)


@require_POST
def withdraw(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    require(_owns(request.user, registration))
    try:
        services.registration_withdraw(
            actor=request.user,
            registration=registration,
            reason=request.POST.get("reason", "")[:2000],
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Registration withdrawn."))
    return redirect("models_registry:detail", pk=registration.pk)


# --- review -------------------------------------------------------------------------------------


def _default_quarter(registration) -> Quarter:
    """This quarter, within the registration's year (its last quarter for a past year)."""
    current = Quarter.current()
    if registration.year < current.year:
        return Quarter(registration.year, 4)
    if registration.year > current.year:
        return Quarter(registration.year, 1)
    return current


def _quarter_from(request, default: Quarter) -> Quarter:
    try:
        quarter = Quarter.parse(request.GET.get("quarter") or request.POST.get("quarter") or "")
    except ValueError:
        return default
    # A year the registry cannot hold (and whose neighbours may not exist): the default.
    return quarter if 2000 <= quarter.year <= 2100 else default


def update(request, pk: int):
    """The owning unit's quarterly results for an approved or recognised model."""
    registration = selectors.registration_get(user=request.user, pk=pk)
    require(_owns(request.user, registration))
    quarter = _quarter_from(request, _default_quarter(registration))
    updates = list(
        registration.updates.select_related("reported_by__person").order_by("-year", "-quarter")
    )
    existing = next(
        (u for u in updates if (u.year, u.quarter) == (quarter.year, quarter.number)), None
    )
    initial = (
        {"results": existing.results, "percent": existing.percent, "version": existing.version}
        if existing
        else {"version": 0}
    )
    form = UpdateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_update_submit(
                actor=request.user,
                registration=registration,
                quarter=quarter,
                results=form.cleaned_data["results"],
                percent=form.cleaned_data["percent"],
                attachment=form.cleaned_data.get("attachment"),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Results for %(quarter)s saved.") % {"quarter": quarter})
            return redirect("models_registry:detail", pk=registration.pk)
    return render(
        request,
        "models_registry/update_form.html",
        {
            "form": form,
            "registration": registration,
            "quarter": quarter,
            "existing": existing,
            "updates": updates,
            "open": registration.status in (S.APPROVED, S.RECOGNIZED),
            "closed_message": services.MESSAGE_CANNOT_UPDATE,
        },
        status=400 if form.errors else 200,
    )


def update_evidence(request, pk: int):
    """An update's file, only to users who may see its registration (no public /media/ URL)."""
    visible = selectors.visible_registrations(user=request.user)
    update = RegistrationUpdate.objects.filter(registration__in=visible, pk=pk).first()
    if update is None or not update.attachment:
        raise Http404
    try:
        handle = update.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = update.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


# --- Excel import -------------------------------------------------------------------------------
