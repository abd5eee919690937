"""What is recorded at the meeting: attendance, contributions and conclusions. Thin, like
``meetings.views`` (whose helpers it shares): rows come from ``selectors``, rights from the
predicates of ``services``, every change goes through ``services``. Under htmx, a change
answers with the part of the page it changes (a row with the counts, the numbered list with
its count) so the meeting goes on without leaving the page; without JavaScript, a normal POST
redirects back to the tab.

Removed contributions and conclusions are listed under their section and restored from
there (``record_services``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from meetings import record_services, selectors, services
from meetings.forms import AttendanceMarkForm, ConclusionForm, ContributionForm, InviteForm
from meetings.models import Conclusion, Contribution
from meetings.services import can_manage_meetings, can_record_contributions
from meetings.views import (
    back,
    errors_to_form,
    page_with_errors,
    refuse,
    refuse_read_only,
    require,
    tab_url,
)
from wardwork.text import two_digits

# --- attendance -----------------------------------------------------------------------------------


@require_POST
def meeting_invite(request, pk: int):
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    require(can_manage_meetings(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "attendance")
    form = InviteForm(request.POST)
    if not form.is_valid():
        return page_with_errors(request, meeting, "attendance", invite_form=form)
    try:
        added = services.meeting_invite(
            actor=request.user, meeting=meeting, groups=form.cleaned_data["groups"]
        )
    except ValidationError as error:
        return refuse(request, meeting, error, "attendance")
    messages.success(
        request,
        ngettext("%(n)s person or body invited.", "%(n)s people and bodies invited.", added)
        % {"n": added},
    )
    return back(request, meeting, "attendance")


@require_POST
def attendance_mark(request, pk: int):
    """Present, absent or excused for one row; htmx swaps the row and the counts."""
    attendance = selectors.attendance_get(user=request.user, pk=pk)
    meeting = attendance.meeting
    require(can_manage_meetings(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "attendance")
    form = AttendanceMarkForm(request.POST, instance=attendance, prefix=f"a{attendance.pk}")
    saved = False
    if form.is_valid():
        try:
            services.attendance_mark(
                actor=request.user,
                attendance=attendance,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, meeting, error, "attendance")
            errors_to_form(form, error)
        else:
            saved = True
    if request.htmx:
        attendance.form = (
            AttendanceMarkForm(instance=attendance, prefix=f"a{attendance.pk}") if saved else form
        )
        context = {
            "attendance": attendance,
            "meeting": meeting,
            "can_manage": True,
            "saved": saved,
            "oob_counts": selectors.attendance_counts(meeting=meeting),
        }
        return render(request, "meetings/_attendance_row.html", context)
    if saved:
        return redirect(tab_url(meeting, "attendance").replace("#attendance", f"#a{pk}"))
    return page_with_errors(request, meeting, "attendance", attendance_form=form)


# --- contributions --------------------------------------------------------------------------------


def _contributions_section(request, meeting, *, form, added=None, restored=None):
    contributions = selectors.meeting_contributions(meeting=meeting)
    return render(
        request,
        "meetings/_contributions.html",
        {
            "meeting": meeting,
            "contributions": contributions,
            "contribution_count": two_digits(len(contributions)),
            "contribution_form": form,
            "can_record": True,
            "added": added,
            "restored": restored,
            "oob": True,
        },
    )


@require_POST
def contribution_add(request, pk: int):
    """The next numbered contribution; htmx appends it without leaving the page."""
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    require(can_record_contributions(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "contributions")
    form = ContributionForm(request.POST, ward=meeting.ward)
    if form.is_valid():
        try:
            contribution = services.contribution_add(
                actor=request.user, meeting=meeting, **form.cleaned_data
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, meeting, error, "contributions")
            errors_to_form(form, error)
        else:
            if request.htmx:
                fresh = ContributionForm(ward=meeting.ward)
                return _contributions_section(request, meeting, form=fresh, added=contribution)
            messages.success(
                request, _("Contribution %(n)s recorded.") % {"n": contribution.ordinal}
            )
            return back(request, meeting, "contributions")
    if request.htmx:
        return _contributions_section(request, meeting, form=form)
    return page_with_errors(request, meeting, "contributions", contribution_form=form)


@require_POST
def contribution_delete(request, pk: int):
    contribution = selectors.contribution_get(user=request.user, pk=pk)
    meeting = contribution.meeting
    require(can_record_contributions(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "contributions")
    try:
        services.contribution_delete(actor=request.user, contribution=contribution)
    except ValidationError as error:
        return refuse(request, meeting, error, "contributions")
    if request.htmx:
        return _contributions_section(request, meeting, form=ContributionForm(ward=meeting.ward))
    messages.success(request, _("Contribution removed; the ones after it moved up."))
    return back(request, meeting, "contributions")


# --- conclusions ----------------------------------------------------------------------------------


def _conclusions_section(request, meeting, *, form, added=None, restored=None):
    conclusions = selectors.meeting_conclusions(meeting=meeting)
    return render(
        request,
        "meetings/_conclusions.html",
        {
            "meeting": meeting,
            "conclusions": conclusions,
            "conclusion_count": two_digits(len(conclusions)),
            "conclusion_form": form,
            "can_manage": True,
            "added": added,
            "restored": restored,
            "oob": True,
        },
    )


def _save_conclusion(request, form):
    return services.conclusion_save(
        actor=request.user,
        conclusion=form.instance,
        lead_organizations=form.cleaned_data["lead_organizations"],
        supporting_organizations=form.cleaned_data["supporting_organizations"],
        expected_version=form.expected_version,
        edited_fields=form.edited_fields,
    )


@require_POST
def conclusion_create(request, pk: int):
    """The next numbered conclusion; htmx appends it without leaving the page."""
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    require(can_manage_meetings(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "conclusions")
    form = ConclusionForm(request.POST, meeting=meeting, instance=Conclusion(meeting=meeting))
    if form.is_valid():
        try:
            conclusion = _save_conclusion(request, form)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, meeting, error, "conclusions")
            errors_to_form(form, error)
        else:
            if request.htmx:
                fresh = ConclusionForm(meeting=meeting)
                return _conclusions_section(request, meeting, form=fresh, added=conclusion)
            messages.success(request, _("Conclusion %(n)s recorded.") % {"n": conclusion.ordinal})
            return back(request, meeting, "conclusions")
    if request.htmx:
        return _conclusions_section(request, meeting, form=form)
    return page_with_errors(request, meeting, "conclusions", conclusion_form=form)


def conclusion_update(request, pk: int):
    conclusion = selectors.conclusion_get(user=request.user, pk=pk)
    meeting = conclusion.meeting
    require(can_manage_meetings(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "conclusions")
    form = ConclusionForm(request.POST or None, meeting=meeting, instance=conclusion)
    if request.method == "POST" and form.is_valid():
        try:
            _save_conclusion(request, form)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, meeting, error, "conclusions")
            errors_to_form(form, error)
        else:
            messages.success(request, _("Conclusion %(n)s saved.") % {"n": conclusion.ordinal})
            return back(request, meeting, "conclusions")
    return render(
        request,
        "meetings/conclusion_form.html",
        {"form": form, "conclusion": conclusion, "meeting": meeting},
        status=400 if form.errors else 200,
    )


@require_POST
def conclusion_delete(request, pk: int):
    conclusion = selectors.conclusion_get(user=request.user, pk=pk)
    meeting = conclusion.meeting
    require(can_manage_meetings(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "conclusions")
    try:
        services.conclusion_delete(actor=request.user, conclusion=conclusion)
    except ValidationError as error:
        return refuse(request, meeting, error, "conclusions")
    if request.htmx:
        return _conclusions_section(request, meeting, form=ConclusionForm(meeting=meeting))
    messages.success(request, _("Conclusion removed; the ones after it moved up."))
    return back(request, meeting, "conclusions")


# --- removed lines, restored ----------------------------------------------------------------------


def _meeting_of_removed(request, model, pk: int):
    """The meeting a removed row belonged to, within the user's scope; else 404."""
    record = record_services.removed_record(model, pk)
    return selectors.meeting_get_for_change(user=request.user, pk=record.meeting_id)


@require_POST
def contribution_restore(request, pk: int):
    """Put a removed contribution back at the end of the list."""
    meeting = _meeting_of_removed(request, Contribution, pk)
    require(can_record_contributions(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "contributions")
    try:
        contribution = record_services.contribution_restore(
            actor=request.user, meeting=meeting, pk=pk
        )
    except ValidationError as error:
        return refuse(request, meeting, error, "contributions")
    if request.htmx:
        fresh = ContributionForm(ward=meeting.ward)
        return _contributions_section(request, meeting, form=fresh, restored=contribution)
    messages.success(
        request, _("Contribution restored as number %(n)s.") % {"n": contribution.ordinal}
    )
    return back(request, meeting, "contributions")


@require_POST
def conclusion_restore(request, pk: int):
    """Put a removed conclusion back at the end of the list, with its bodies (and its task
    as it was before the removal cancelled it)."""
    meeting = _meeting_of_removed(request, Conclusion, pk)
    require(can_manage_meetings(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting, "conclusions")
    try:
        conclusion = record_services.conclusion_restore(actor=request.user, meeting=meeting, pk=pk)
    except ValidationError as error:
        return refuse(request, meeting, error, "conclusions")
    if request.htmx:
        fresh = ConclusionForm(meeting=meeting)
        return _conclusions_section(request, meeting, form=fresh, restored=conclusion)
    messages.success(request, _("Conclusion restored as number %(n)s.") % {"n": conclusion.ordinal})
    return back(request, meeting, "conclusions")
