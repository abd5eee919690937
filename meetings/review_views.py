"""The quarter page (/quarters/2021-Q1/) and its actions.

Thin: the review and everything the page shows come from ``review_selectors`` (the user's
own ward; a superuser picks one with ``?ward=``; 403 for a user who does not see the whole
ward, 404 for a quarter out of range), rights from the predicates of ``review_services``
(403), and every change goes through the services. A refused step (a finalised quarter,
something missing) comes back as a message on the quarter page, never a 500; bad input
comes back at the form's field with what was typed.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings import documents, reminders, review_selectors
from meetings.models import REPORT_SECTIONS
from meetings.review_forms import (
    RemindForm,
    ReviewMeetingForm,
    ReviewReopenForm,
    ReviewTextForm,
)
from meetings.review_selectors import quarter_in_range, review_for_change
from meetings.review_services import (
    MESSAGE_FINALIZED,
    MESSAGE_HAS_MEETING,
    MESSAGE_NOT_FINALIZED,
    can_manage_reviews,
    can_reopen_reviews,
    review_annex_xlsx,
    review_figures,
    review_finalize,
    review_meeting_create,
    review_meeting_defaults,
    review_missing,
    review_reopen,
    review_report_docx,
    review_start,
    review_text_save,
    review_texts,
)
from wardwork.forms import errors_to_form
from wardwork.quarters import Quarter
from wardwork.roles import require, roles_of, sees_whole_ward
from wardwork.selectors import ward_for_request
from wardwork.text import fold

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EVENT_LABELS = {
    "created": gettext_lazy("Review opened"),
    "started": gettext_lazy("Review started"),
    "meeting_linked": gettext_lazy("Review meeting linked"),
    "meeting_created": gettext_lazy("Review meeting created"),
    "text_saved": gettext_lazy("Report text saved"),
    "report_numbered": gettext_lazy("Report numbered"),
    "finalized": gettext_lazy("Finalised: figures kept, quarter locked"),
    "reopened": gettext_lazy("Reopened"),
    "reminded": gettext_lazy("Reminders sent"),
}
MESSAGE_NOT_FINALIZED_YET = gettext_lazy("The quarter cannot be finalised yet. What is missing:")


# --- helpers --------------------------------------------------------------------------------------


def _ward_query(request, ward) -> str:
    """``?ward=<id>`` for a superuser (who may work on any ward), else nothing."""
    return f"?{urlencode({'ward': ward.pk})}" if request.user.is_superuser and ward else ""


def _url(request, name: str, ward, quarter: Quarter, anchor: str = "") -> str:
    return reverse(f"quarters:{name}", args=[quarter]) + _ward_query(request, ward) + anchor


def _back(request, review, anchor: str = ""):
    return redirect(_url(request, "page", review.ward, review.period, anchor))


def _refuse(request, review, error, anchor: str = ""):
    """A step the review refuses: its messages on the quarter page."""
    texts = error.messages if isinstance(error, ValidationError) else [str(error)]
    for text in texts:
        messages.error(request, text)
    return _back(request, review, anchor)


def _review(request, quarter: Quarter):
    return review_for_change(user=request.user, ward=ward_for_request(request), quarter=quarter)


def _filename(stem: str, review, symbol: str | None, extension: str) -> str:
    """ "Bao-cao-35-BC-DU.docx", "Bao-cao-quy-I-2021-du-thao.docx": ASCII, safe in a
    Content-Disposition header."""
    if symbol:
        tail = re.sub(r"[^A-Za-z0-9]+", "-", fold(symbol).upper()).strip("-")
    else:
        tail = f"quy-{review.period.roman}-{review.year}-du-thao"
    return f"{stem}-{tail}.{extension}"


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- the page -------------------------------------------------------------------------------------


@require_GET
def current(request):
    """/quarters/: the page of the quarter the ward is working on (ward staff, Khối Dân
    vận); a superuser without a ward chosen gets the city view; unit users their unit's
    quarter."""
    user = request.user
    roles = roles_of(user)
    if roles.is_superuser and not user.ward_id and not request.GET.get("ward"):
        return redirect("quarters:city")
    ward = ward_for_request(request)
    if ward is not None and sees_whole_ward(user, ward):
        quarter = review_selectors.working_quarter(ward=ward)
        return redirect(_url(request, "page", ward, quarter))
    return redirect("quarters:my_unit")


def _registry_links(request, page) -> dict:
    """Each registration figure links to the registry list filtered to the rows it counts
    (the filters mirror ``meetings.review_figures``)."""
    quarter, figures = page.quarter, page.figures["registrations"]
    counted = {"year": figures["year"], "status": "counted", "as_of": quarter.slug}
    if request.user.is_superuser:
        counted["ward"] = page.ward.pk

    def link(**params) -> str:
        query = {k: v for k, v in {**counted, **params}.items() if v is not None}
        return f"{reverse('models_registry:list')}?{urlencode(query)}"

    running = {"status": "running"}
    return {
        "total": link(),
        "collective": link(kind="collective"),
        "individual": link(kind="individual"),
        "new": link(submitted_in=quarter.slug),
        "replications": link(replicates=1),
        "recognised": link(year="all", status=None, as_of=None, recognised_in=quarter.slug),
        "updates_expected": link(**running),
        "updates_received": link(**running, updated_in=quarter.slug),
        "updates_missing": link(**running, not_updated_in=quarter.slug),
        "fields": [
            {**row, "url": link(field=row["id"]) if row["id"] else ""}
            for row in figures["by_field"]
        ],
        "statuses": [{**row, "url": link(status=row["status"])} for row in figures["by_status"]],
    }


def _registrations_sentence(figures: dict, links: dict) -> str:
    """ "18 tập thể, 03 cá nhân", each number a link to the registrations it counts."""
    numbers = {
        kind: format_html(
            '<a href="{}" data-testid="reg-{}">{}</a>', links[kind], kind, figures[f"{kind}_text"]
        )
        for kind in ("collective", "individual")
    }
    sentence = _("%(collective)s collectives, %(individual)s individuals")
    return mark_safe(conditional_escape(sentence) % numbers)  # noqa: S308 - escaped above


def _plans_links(request, page) -> dict:
    ward_part = f"&ward={page.ward.pk}" if request.user.is_superuser else ""
    matrix = f"{reverse('plans:progress_matrix')}?quarter={page.quarter.slug}{ward_part}"
    return {
        "matrix": matrix,
        "plans": [
            {**plan, "matrix_url": f"{matrix}&plan={plan['id']}" if plan["id"] else matrix}
            for plan in page.figures["tasks"]["plans"]
        ],
    }


def _quarter_nav(request, page) -> dict:
    quarter = page.quarter
    calendar = Quarter.current()
    return {
        "previous": _url(request, "page", page.ward, quarter.previous())
        if quarter_in_range(quarter.previous())
        else "",
        "next": _url(request, "page", page.ward, quarter.next())
        if quarter_in_range(quarter.next())
        else "",
        "current": _url(request, "page", page.ward, calendar) if calendar != quarter else "",
        "current_label": str(calendar),
    }


@require_GET
def page(request, quarter: Quarter):
    """The quarter page: where the quarter stands and everything it is made of."""
    data = review_selectors.quarter_page(
        user=request.user, ward=ward_for_request(request), quarter=quarter
    )
    user, ward, review = request.user, data.ward, data.review
    manages = bool(can_manage_reviews(user, ward))
    writable = manages and not review.is_finalized
    for event in data.events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    registrations = data.figures["registrations"]
    registry_links = _registry_links(request, data)
    return render(
        request,
        "meetings/quarter/page.html",
        {
            "page": data,
            "quarter": quarter,
            "ward": ward,
            "review": review,
            "figures": data.figures,
            "tasks": data.figures["tasks"],
            "registrations": registrations,
            "meeting": data.figures["meeting"],
            "follow_up": data.figures["follow_up"],
            "can_manage": manages,
            "can_write": writable,
            "can_reopen": review.is_finalized and bool(can_reopen_reviews(user, ward)),
            "ward_query": _ward_query(request, ward),
            "ward_field": ward.pk if user.is_superuser else None,
            "nav": _quarter_nav(request, data),
            "registry_links": registry_links,
            "plan_links": _plans_links(request, data),
            "registrations_sentence": _registrations_sentence(registrations, registry_links),
            "finalized_message": MESSAGE_FINALIZED,
        },
    )


# --- actions --------------------------------------------------------------------------------------


@require_POST
def start(request, quarter: Quarter):
    """Open -> in review."""
    review = _review(request, quarter)
    require(can_manage_reviews(request.user, review.ward))
    try:
        review_start(actor=request.user, review=review)
    except ValidationError as error:
        return _refuse(request, review, error)
    messages.success(
        request, _("The review of %(quarter)s has started.") % {"quarter": review.period}
    )
    return _back(request, review)


@require_http_methods(["GET", "POST"])
def meeting_create(request, quarter: Quarter):
    """The quarter's review meeting, prepared from the page: the form starts with the
    plans, chairs, presenter and invitation groups of ``review_meeting_defaults``."""
    review = _review(request, quarter)
    ward = review.ward
    require(can_manage_reviews(request.user, ward))
    if review.is_finalized:
        return _refuse(request, review, ValidationError(str(MESSAGE_FINALIZED)), "#meeting")
    if review.meeting_id:
        messages.info(request, str(MESSAGE_HAS_MEETING))
        return redirect("meetings:meeting_detail", pk=review.meeting_id)
    defaults = review_meeting_defaults(review=review)
    form = ReviewMeetingForm(
        request.POST or None, ward=ward, initial=ReviewMeetingForm.initial_from(defaults)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = review_meeting_create(
                actor=request.user,
                review=review,
                held_at=data["held_at"],
                venue=data["venue"],
                title=data["title"],
                chairs=list(data["chairs"]),
                presenter=data["presenter"],
                reviewed_plans=list(data["reviewed_plans"]),
                groups=list(data["groups"]),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refuse(request, review, error, "#meeting")
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("The review meeting is created; %(n)s people are invited.")
                % {"n": meeting.attendances.count()},
            )
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "meetings/quarter/meeting_form.html",
        {
            "form": form,
            "review": review,
            "quarter": quarter,
            "ward": ward,
            "ward_query": _ward_query(request, ward),
            "ward_field": ward.pk if request.user.is_superuser else None,
        },
        status=400 if form.errors else 200,
    )


def _clean_lines(text) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


@require_http_methods(["GET", "POST"])
def text_edit(request, quarter: Quarter):
    """The report's narrative, pre-filled from the data and edited here; only the sections
    changed are kept, so the others keep following the data."""
    review = _review(request, quarter)
    ward = review.ward
    require(can_manage_reviews(request.user, ward))
    if review.is_finalized:
        return _refuse(request, review, ValidationError(str(MESSAGE_FINALIZED)), "#report")
    figures = review_figures(review=review)
    texts = review_texts(review=review, figures=figures)
    form = ReviewTextForm(request.POST or None, initial=texts)
    if request.method == "POST" and form.is_valid():
        changed = {
            name: _clean_lines(form.cleaned_data[name])
            for name in REPORT_SECTIONS
            if _clean_lines(form.cleaned_data[name]) != _clean_lines(texts[name])
        }
        if not changed:
            messages.info(request, _("Nothing was changed in the report's text."))
            return _back(request, review, "#report")
        try:
            review_text_save(actor=request.user, review=review, **changed)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refuse(request, review, error, "#report")
            errors_to_form(form, error)
        else:
            messages.success(request, _("The report's text is saved."))
            return _back(request, review, "#report")
    return render(
        request,
        "meetings/quarter/text_form.html",
        {
            "form": form,
            "review": review,
            "quarter": quarter,
            "ward": ward,
            "figures": figures,
            "ward_query": _ward_query(request, ward),
            "ward_field": ward.pk if request.user.is_superuser else None,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def report_docx(request, quarter: Quarter):
    """GET: the report as it stands (the issued one once numbered, else a draft marked
    unnumbered); anyone who sees the page. POST: generate it, taking the next "-BC/ĐU"
    number the first time (ward staff), and download it."""
    review = _review(request, quarter)
    issuing = request.method == "POST"
    if issuing:
        require(can_manage_reviews(request.user, review.ward))
    try:
        content, document = review_report_docx(actor=request.user, review=review, draft=not issuing)
    except ValidationError as error:
        return _refuse(request, review, error, "#report")
    except documents.DocumentError as error:
        return _refuse(request, review, ValidationError(str(error.message)), "#report")
    if issuing and document is not None:
        messages.success(
            request,
            _("The quarterly report %(symbol)s is generated (%(time)s).")
            % {
                "symbol": document.symbol,
                "time": timezone.localtime(document.generated_at).strftime("%d/%m/%Y %H:%M"),
            },
        )
    filename = _filename("Bao-cao", review, document.symbol if document else None, "docx")
    return _file(content, DOCX, filename)


@require_GET
def annex_xlsx(request, quarter: Quarter):
    """The report's annex: the detailed tables, as an Excel workbook."""
    review = _review(request, quarter)
    try:
        content = review_annex_xlsx(review=review)
    except ValidationError as error:
        return _refuse(request, review, error, "#report")
    filename = f"Phu-luc-bao-cao-quy-{review.period.roman}-{review.year}.xlsx"  # ASCII
    return _file(content, XLSX, filename)


@require_POST
def finalize(request, quarter: Quarter):
    """Finalise and lock the quarter; what is missing, if anything, comes back as messages."""
    review = _review(request, quarter)
    require(can_manage_reviews(request.user, review.ward))
    if review.is_finalized:
        messages.info(request, str(MESSAGE_FINALIZED))
        return _back(request, review)
    missing = review_missing(review=review)
    if missing:
        messages.error(request, str(MESSAGE_NOT_FINALIZED_YET))
        for sentence in missing:
            messages.error(request, sentence)
        return _back(request, review, "#finalize")
    try:
        review_finalize(actor=request.user, review=review)
    except ValidationError as error:
        return _refuse(request, review, error, "#finalize")
    messages.success(
        request,
        _("%(quarter)s is finalised: its figures are kept and the quarter is locked.")
        % {"quarter": review.period},
    )
    return _back(request, review)


@require_http_methods(["GET", "POST"])
def reopen(request, quarter: Quarter):
    """The ward secretary reopens a finalised quarter, giving the reason (kept in its
    history)."""
    review = _review(request, quarter)
    ward = review.ward
    require(can_reopen_reviews(request.user, ward))
    if not review.is_finalized:
        return _refuse(request, review, ValidationError(str(MESSAGE_NOT_FINALIZED)))
    form = ReviewReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_reopen(actor=request.user, review=review, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refuse(request, review, error)
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("%(quarter)s is reopened: its reports and records can change again.")
                % {"quarter": review.period},
            )
            return _back(request, review)
    return render(
        request,
        "meetings/quarter/reopen.html",
        {
            "form": form,
            "review": review,
            "quarter": quarter,
            "ward": ward,
            "ward_query": _ward_query(request, ward),
            "ward_field": ward.pk if request.user.is_superuser else None,
        },
        status=400 if form.errors else 200,
    )


def _reminder_message(result) -> tuple[int, str]:
    name = result.organization.display_name
    if result.status == reminders.SENT:
        return messages.SUCCESS, _("%(unit)s: reminder sent to %(recipients)s.") % {
            "unit": name,
            "recipients": ", ".join(result.recipients),
        }
    if result.status == reminders.ALREADY_SENT:
        return messages.INFO, _("%(unit)s was already reminded today.") % {"unit": name}
    if result.status == reminders.NO_RECIPIENTS:
        return messages.WARNING, _(
            "%(unit)s: nobody to remind, no email address on record for its leaders."
        ) % {"unit": name}
    return messages.INFO, _("%(unit)s owes nothing this quarter.") % {"unit": name}


@require_POST
def remind(request, quarter: Quarter):
    """Email the units that owe reports: one (``unit=<id>``) or all (``all=1``); what was
    sent to whom, or why not, comes back as messages."""
    review = _review(request, quarter)
    ward = review.ward
    require(can_manage_reviews(request.user, ward))
    if review.is_finalized:
        return _refuse(request, review, ValidationError(str(MESSAGE_FINALIZED)), "#reports")
    form = RemindForm(request.POST, ward=ward)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return _back(request, review, "#reports")
    chosen = form.organization_ids()
    try:
        results = reminders.reminders_send(
            ward=ward, quarter=quarter, actor=request.user, organization_ids=chosen
        )
    except ValidationError as error:
        return _refuse(request, review, error, "#reports")
    if chosen is None:
        # Reminding everyone: the units that owe nothing need no word each.
        results = [r for r in results if r.status != reminders.NOTHING_DUE]
        if not results:
            messages.info(request, _("No unit owes a report this quarter: nobody to remind."))
    for result in results:
        level, text = _reminder_message(result)
        messages.add_message(request, level, text)
    return _back(request, review, "#reports")
