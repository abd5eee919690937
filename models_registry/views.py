"""Registry pages. Thin: registrations come from ``selectors`` (scoped to the user, 404
outside what they may see), permissions from ``models_registry.rules`` (403), and every
state change goes through ``services``; a refused step is shown at the form's field."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from models_registry import selectors, services, spreadsheets
from models_registry.forms import (
    AdjustForm,
    ImportForm,
    NotAchievedForm,
    RecognitionForm,
    RegistrationForm,
    RegistryFilterForm,
    ReturnForm,
    UpdateForm,
)
from models_registry.models import (
    CONTENT_FIELDS,
    EDITABLE_BY_OWNER,
    Field,
    Registration,
    RegistrationStatus,
    RegistrationUpdate,
)
from models_registry.rules import (
    can_edit_registration,
    can_review_registration,
    reviews_registrations,
)
from plans.selectors import plan_options
from wardwork.models import Organization
from wardwork.quarters import Quarter
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


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


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


def _errors_to_form(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


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
    filters = form.filters()
    return form, filters, filters.get("year", default_year)


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
        },
    )


def registry_export(request):
    _, filters, _year = _registry_filters(request)
    registrations = selectors.registration_list(user=request.user, filters=filters)
    name = f"dan-van-kheo-{filters['year']}.xlsx" if "year" in filters else "dan-van-kheo.xlsx"
    return _xlsx_response(spreadsheets.registrations_workbook(registrations), name)


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
    _require(_may_create(request.user))
    return _registration_form(request, Registration(ward=request.user.ward))


def edit(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    _require(_owns(request.user, registration))
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
            saved = services.registration_save_draft(actor=request.user, registration=form.instance)
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
    _require(_owns(request.user, registration))
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
    _require(_owns(request.user, registration))
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


def review_queue(request, failed: dict | None = None, status: int = 200):
    """Submitted registrations, oldest first; each row approves or returns in place."""
    _require(reviews_registrations(request.user))
    page = _page(request, selectors.review_queue(user=request.user))
    failed = failed or {}
    for registration in page:
        registration.return_form = failed.get(registration.pk) or ReturnForm(
            prefix=f"r{registration.pk}"
        )
    return render(request, "models_registry/review_queue.html", {"page_obj": page}, status=status)


def _review(request, pk: int, *, approve: bool):
    registration = selectors.registration_get(user=request.user, pk=pk)
    _require(can_review_registration(request.user, registration))
    form = ReturnForm(None if approve else request.POST, prefix=f"r{registration.pk}")
    problem = ""
    try:
        if approve:
            services.registration_approve(actor=request.user, registration=registration)
        elif form.is_valid():
            services.registration_return(
                actor=request.user, registration=registration, note=form.cleaned_data["note"]
            )
    except ValidationError as error:
        if approve or not hasattr(error, "error_dict"):
            problem = " ".join(error.messages)
        else:
            _errors_to_form(form, error, aliases={"review_note": "note"})
    if problem or form.errors:
        if request.htmx:
            # htmx swaps 200 responses only: the row comes back with its error in place.
            registration.return_form = form
            registration.review_error = problem
            return render(request, "models_registry/_review_row.html", {"r": registration})
        if form.errors:
            return review_queue(request, failed={registration.pk: form}, status=400)
        messages.error(request, problem)
        return redirect(_safe_next(request, reverse("models_registry:review_queue")))
    registration.refresh_from_db()
    if request.htmx:
        return render(request, "models_registry/_review_done.html", {"r": registration})
    if approve:
        text = _("Approved: %(title)s") % {"title": registration.title}
    else:
        text = _("Returned to %(unit)s: %(title)s") % {
            "unit": registration.registered_by_unit.display_name,
            "title": registration.title,
        }
    messages.success(request, text)
    return redirect(_safe_next(request, reverse("models_registry:review_queue")))


@require_POST
def approve(request, pk: int):
    return _review(request, pk, approve=True)


@require_POST
def return_for_changes(request, pk: int):
    return _review(request, pk, approve=False)


# --- after approval -----------------------------------------------------------------------------


def _action_form(request, registration, *, form, title: str, button: str, run, done: str):
    """GET shows ``form``; a valid POST runs ``run(cleaned_data)`` (a service) and goes back
    to the detail page; a refused step is shown at the form."""
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error, aliases={"review_note": "note"})
        else:
            messages.success(request, done)
            return redirect("models_registry:detail", pk=registration.pk)
    return render(
        request,
        "models_registry/action_form.html",
        {"form": form, "registration": registration, "title": title, "button": button},
        status=400 if form.errors else 200,
    )


def _refuse_status(request, registration, allowed, message):
    """A page for a step the registration's status does not allow: back to its page."""
    if registration.status in allowed:
        return None
    messages.info(request, message)
    return redirect("models_registry:detail", pk=registration.pk)


def recognize(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    _require(_concludes(request.user, registration))
    refused = _refuse_status(
        request, registration, (S.APPROVED, S.RECOGNIZED), services.MESSAGE_CANNOT_CONCLUDE
    )
    if refused:
        return refused
    form = RecognitionForm(request.POST or None, ward=registration.ward)
    return _action_form(
        request,
        registration,
        form=form,
        title=_("Record a recognition"),
        button=_("Record"),
        run=lambda data: services.registration_recognize(
            actor=request.user, registration=registration, **data
        ),
        done=_("Recognition recorded: the model is exemplary."),
    )


def not_achieved(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    _require(_concludes(request.user, registration))
    refused = _refuse_status(request, registration, (S.APPROVED,), services.MESSAGE_CANNOT_CONCLUDE)
    if refused:
        return refused
    form = NotAchievedForm(request.POST or None)
    return _action_form(
        request,
        registration,
        form=form,
        title=_("Mark as not achieved"),
        button=_("Mark as not achieved"),
        run=lambda data: services.registration_mark_not_achieved(
            actor=request.user, registration=registration, note=data["note"]
        ),
        done=_("The model is marked as not achieved."),
    )


def adjust(request, pk: int):
    registration = selectors.registration_get(user=request.user, pk=pk)
    _require(_owns(request.user, registration))
    refused = _refuse_status(request, registration, (S.APPROVED,), services.MESSAGE_CANNOT_ADJUST)
    if refused:
        return refused
    form = AdjustForm(request.POST or None, registration=registration)
    return _action_form(
        request,
        registration,
        form=form,
        title=_("Adjust the registered content"),
        button=_("Save the adjustment"),
        run=lambda data: services.registration_adjust(
            actor=request.user,
            registration=registration,
            changes=form.changes(),
            reason=data["reason"],
        ),
        done=_("Adjustment saved; the previous content is kept as a revision."),
    )


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
    _require(_owns(request.user, registration))
    quarter = _quarter_from(request, _default_quarter(registration))
    updates = list(
        registration.updates.select_related("reported_by__person").order_by("-year", "-quarter")
    )
    existing = next(
        (u for u in updates if (u.year, u.quarter) == (quarter.year, quarter.number)), None
    )
    initial = {"results": existing.results, "percent": existing.percent} if existing else None
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


def import_registrations(request):
    """Upload a filled-in template: every row is created, or none and each bad row is shown."""
    _require(_may_create(request.user))
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
    _require(_may_create(request.user))
    return _xlsx_response(spreadsheets.import_template(), "mau-dang-ky-dan-van-kheo.xlsx")
