"""Reviewing registrations: the queue with approve / return in place, recognition, not
achieved, and adjustment of an approved model."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from models_registry import selectors, services
from models_registry.forms import (
    AdjustForm,
    NotAchievedForm,
    RecognitionForm,
    ReturnForm,
)
from models_registry.rules import (
    can_review_registration,
    reviews_registrations,
)
from models_registry.view_helpers import (
    S,
    _concludes,
    _errors_to_form,
    _owns,
    _page,
    _safe_next,
)
from wardwork.roles import require


def review_queue(request, failed: dict | None = None, status: int = 200):
    """Submitted registrations, oldest first; each row approves or returns in place."""
    require(reviews_registrations(request.user))
    page = _page(request, selectors.review_queue(user=request.user))
    failed = failed or {}
    for registration in page:
        registration.return_form = failed.get(registration.pk) or ReturnForm(
            prefix=f"r{registration.pk}"
        )
    return render(request, "models_registry/review_queue.html", {"page_obj": page}, status=status)


def _review(request, pk: int, *, approve: bool):
    registration = selectors.registration_get(user=request.user, pk=pk)
    require(can_review_registration(request.user, registration))
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
    require(_concludes(request.user, registration))
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
    require(_concludes(request.user, registration))
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
    require(_owns(request.user, registration))
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
