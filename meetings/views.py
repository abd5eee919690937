"""Meeting pages. Thin: meetings and their rows come from ``selectors`` (scoped to the
user's ward, 404 outside it), rights from the predicates of ``services`` (403), and every
change goes through ``services``. A refused step (a concluded meeting is read-only, a
status that does not allow it) comes back as a message on the meeting page, never a 500;
bad input comes back at the form's field with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from meetings import documents, selectors, services
from meetings.forms import (
    AttendanceMarkForm,
    ConclusionForm,
    ContributionForm,
    InviteForm,
    MeetingFilterForm,
    MeetingForm,
    ReopenForm,
)
from meetings.models import DocumentKind, Meeting, MeetingKind, MeetingStatus
from meetings.services import (
    MESSAGE_READ_ONLY,
    can_manage_meetings,
    can_record_contributions,
    can_reopen_meetings,
)
from wardwork.forms import errors_to_form
from wardwork.selectors import ward_for_request
from wardwork.text import two_digits

PAGE_SIZE = 30
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TABS = {
    "overview": gettext_lazy("Report"),
    "attendance": gettext_lazy("Attendance"),
    "contributions": gettext_lazy("Contributions"),
    "conclusions": gettext_lazy("Conclusions"),
    "history": pgettext_lazy("meeting tab", "History"),
}
EVENT_LABELS = {
    "created": gettext_lazy("Scheduled"),
    "held": gettext_lazy("Marked as held"),
    "concluded": gettext_lazy("Concluded: conclusions became tasks"),
    "reopened": gettext_lazy("Reopened"),
}


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def tab_url(meeting, tab: str) -> str:
    return f"{reverse('meetings:meeting_detail', args=[meeting.pk])}?tab={tab}#{tab}"


def back(request, meeting, tab: str):
    url = tab_url(meeting, tab)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def refuse(request, meeting, error, tab: str = "overview"):
    """A step the record refuses: its message on the meeting page (htmx: a full reload)."""
    texts = error.messages if isinstance(error, ValidationError) else [str(error)]
    for text in texts:
        messages.error(request, text)
    return back(request, meeting, tab)


def refuse_read_only(request, meeting, tab: str = "overview"):
    return refuse(request, meeting, ValidationError(str(MESSAGE_READ_ONLY)), tab)


# --- list and forms -------------------------------------------------------------------------------


def meeting_list(request):
    form = MeetingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    meetings = selectors.meeting_list(user=request.user, filters=filters)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    ward = ward_for_request(request)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "form": form,
            "page_obj": page,
            "can_manage": ward is not None and can_manage_meetings(request.user, ward),
        },
    )


def meeting_create(request):
    ward = ward_for_request(request)
    require(ward is not None and can_manage_meetings(request.user, ward))
    meeting = Meeting(ward=ward, kind=MeetingKind.QUARTERLY_REVIEW)
    return _meeting_form(request, ward=ward, meeting=meeting)


def meeting_update(request, pk: int):
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    require(can_manage_meetings(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting)
    return _meeting_form(request, ward=meeting.ward, meeting=meeting)


def _meeting_form(request, *, ward, meeting):
    creating = meeting.pk is None
    form = MeetingForm(request.POST or None, instance=meeting, ward=ward)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.meeting_save(
                actor=request.user,
                meeting=form.instance,
                chairs=form.cleaned_data["chairs"],
                reviewed_plans=form.cleaned_data["reviewed_plans"],
                expected_version=form.expected_version,
                edited_fields=form.edited_fields,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, meeting, error)
            errors_to_form(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("meetings:meeting_detail", pk=saved.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "meeting": meeting, "creating": creating, "ward": ward},
        status=400 if form.errors else 200,
    )


# --- the meeting page -----------------------------------------------------------------------------


def meeting_detail(request, pk: int):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return render(request, "meetings/meeting_detail.html", _page_context(request, meeting))


def _page_context(request, meeting, **bound) -> dict:
    """Everything the meeting page shows; ``bound`` replaces a fresh form by one with errors
    (``contribution_form``, ``conclusion_form``, ``invite_form``, ``attendance_form``)."""
    user = request.user
    writable = not meeting.is_read_only
    can_manage = writable and can_manage_meetings(user, meeting)
    can_record = writable and can_record_contributions(user, meeting)
    tab = request.GET.get("tab") or bound.pop("tab", None)
    attendances = list(meeting.attendances.all())
    if can_manage:
        wrong = bound.get("attendance_form")
        for attendance in attendances:
            attendance.form = (
                wrong
                if wrong is not None and wrong.instance.pk == attendance.pk
                else AttendanceMarkForm(instance=attendance, prefix=f"a{attendance.pk}")
            )
    events = list(meeting.events.all())
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    contributions = list(meeting.contributions.all())
    return {
        "meeting": meeting,
        "tabs": TABS,
        "tab": tab if tab in TABS else "overview",
        "can_manage": can_manage,
        "can_record": can_record,
        "can_reopen": meeting.is_read_only and can_reopen_meetings(user, meeting),
        "documents": _document_links(meeting, bool(can_manage_meetings(user, meeting))),
        "counts": meeting.attendance_counts,
        "read_only_message": MESSAGE_READ_ONLY,
        "attendances": attendances,
        "contributions": contributions,
        "contribution_count": two_digits(len(contributions)),
        "conclusions": list(meeting.conclusions.all()),
        "conclusion_count": two_digits(meeting.conclusion_count),
        "events": events,
        "invite_form": bound.get("invite_form") or (InviteForm() if can_manage else None),
        "contribution_form": bound.get("contribution_form")
        or (ContributionForm(ward=meeting.ward) if can_record else None),
        "conclusion_form": bound.get("conclusion_form")
        or (ConclusionForm(meeting=meeting) if can_manage else None),
    }


def _document_links(meeting, is_manager: bool) -> list[dict]:
    """The two Word documents: the issued one with its symbol; for ward staff, the first
    download once the meeting allows it (it takes the next number); else a draft."""
    issued = {d.kind: d for d in meeting.issued_documents.all()}
    ready = {
        DocumentKind.MINUTES: meeting.status != MeetingStatus.PLANNED,
        DocumentKind.CONCLUSION_NOTICE: meeting.is_read_only and meeting.conclusion_count > 0,
    }
    names = {
        DocumentKind.MINUTES: ("meetings:minutes_docx", _("Minutes"), "minutes-docx"),
        DocumentKind.CONCLUSION_NOTICE: (
            "meetings:conclusion_notice_docx",
            _("Conclusion notice"),
            "notice-docx",
        ),
    }
    links = []
    for kind, (url_name, label, testid) in names.items():
        url = reverse(url_name, args=[meeting.pk])
        if kind in issued:
            note, query = issued[kind].symbol, ""
        elif is_manager and ready[kind]:
            note, query = _("issue it: takes the next number"), ""
        else:
            note, query = _("draft, not numbered"), "?draft=1"
        links.append({"url": url + query, "label": label, "note": note, "testid": testid})
    return links


def page_with_errors(request, meeting, tab: str, **bound):
    """The whole meeting page again (no JavaScript), on ``tab``, with the form in error."""
    full = selectors.meeting_get(user=request.user, pk=meeting.pk)
    context = _page_context(request, full, tab=tab, **bound)
    return render(request, "meetings/meeting_detail.html", context, status=400)


# --- status steps ---------------------------------------------------------------------------------


@require_POST
def meeting_hold(request, pk: int):
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    require(can_manage_meetings(request.user, meeting))
    try:
        services.meeting_hold(actor=request.user, meeting=meeting)
    except ValidationError as error:
        return refuse(request, meeting, error)
    messages.success(request, _("The meeting is marked as held."))
    return back(request, meeting, "attendance")


def meeting_conclude(request, pk: int):
    """GET: what concluding will do (a task per conclusion), to confirm; POST: conclude."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    require(can_manage_meetings(request.user, meeting))
    if meeting.is_read_only:
        return refuse_read_only(request, meeting)
    if request.method == "POST":
        try:
            services.meeting_conclude(actor=request.user, meeting=meeting)
        except ValidationError as error:
            return refuse(request, meeting, error)
        messages.success(
            request,
            ngettext(
                "The meeting is concluded: %(n)s conclusion is now a task.",
                "The meeting is concluded: %(n)s conclusions are now tasks.",
                meeting.conclusion_count,
            )
            % {"n": two_digits(meeting.conclusion_count)},
        )
        return back(request, meeting, "conclusions")
    if meeting.status != MeetingStatus.HELD:
        return refuse(request, meeting, ValidationError(str(services.MESSAGE_CANNOT_CONCLUDE)))
    return render(
        request,
        "meetings/meeting_conclude.html",
        {"meeting": meeting, "conclusions": list(meeting.conclusions.all())},
    )


def meeting_reopen(request, pk: int):
    """The ward secretary reopens a concluded meeting, giving the reason (kept in history)."""
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    require(can_reopen_meetings(request.user, meeting))
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_reopen(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, meeting, error)
            errors_to_form(form, error)
        else:
            messages.success(request, _("The meeting is reopened; its record can be changed."))
            return back(request, meeting, "history")
    elif request.method != "POST" and not meeting.is_read_only:
        return refuse(request, meeting, ValidationError(str(services.MESSAGE_CANNOT_REOPEN)))
    return render(
        request,
        "meetings/meeting_reopen.html",
        {"meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


# --- minutes and documents ------------------------------------------------------------------------


def minutes_print(request, pk: int):
    """The minutes as a printable page, worded as the Word document (the browser's print
    hides the navigation); it never takes a document number."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    try:
        doc = selectors.minutes_preview(meeting=meeting)
    except ValidationError as error:
        return refuse(request, meeting, error)
    word = _document_links(meeting, bool(can_manage_meetings(request.user, meeting)))[0]
    return render(request, "meetings/minutes.html", {"meeting": meeting, "doc": doc, "word": word})


def _document(request, pk: int, *, kind: str, make, tab: str):
    """A Word document of the meeting. The first download numbers it (ward staff; anyone
    else gets 403 until then); ``?draft=1`` gives an unnumbered draft at any stage."""
    meeting = selectors.meeting_get_for_change(user=request.user, pk=pk)
    try:
        content, issued = make(
            meeting=meeting, actor=request.user, draft=request.GET.get("draft") == "1"
        )
    except ValidationError as error:
        return refuse(request, meeting, error, tab)
    except documents.DocumentError as error:
        return refuse(request, meeting, ValidationError(str(error.message)), tab)
    response = HttpResponse(content, content_type=DOCX)
    filename = documents.document_filename(issued, kind, meeting)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def minutes_docx(request, pk: int):
    return _document(
        request, pk, kind=DocumentKind.MINUTES, make=documents.minutes_docx, tab="overview"
    )


def conclusion_notice_docx(request, pk: int):
    return _document(
        request,
        pk,
        kind=DocumentKind.CONCLUSION_NOTICE,
        make=documents.conclusion_notice_docx,
        tab="conclusions",
    )
