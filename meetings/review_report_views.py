"""The report and finalisation steps of the quarter page: the report's text, the Word
report and its Excel annex, finalising (which locks the quarter) and reopening.

Thin, like ``review_views``: reads through ``review_selectors``, rights from the predicates
of ``review_services`` (403), changes through the services; a refused step comes back as a
message on the quarter page, bad input at the form's field.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings import documents
from meetings.models import REPORT_SECTIONS
from meetings.review_forms import (
    ReviewReopenForm,
    ReviewTextForm,
)
from meetings.review_services import (
    MESSAGE_FINALIZED,
    MESSAGE_NOT_FINALIZED,
    can_manage_reviews,
    can_reopen_reviews,
    review_annex_xlsx,
    review_figures,
    review_finalize,
    review_missing,
    review_reopen,
    review_report_docx,
    review_text_save,
    review_texts,
)
from meetings.review_view_helpers import (
    DOCX,
    XLSX,
    back_to_page,
    download_filename,
    file_response,
    refuse,
    review_for_request,
    ward_query,
)
from wardwork.forms import errors_to_form
from wardwork.quarters import Quarter
from wardwork.roles import require

MESSAGE_NOT_FINALIZED_YET = gettext_lazy("The quarter cannot be finalised yet. What is missing:")


def _clean_lines(text) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


@require_http_methods(["GET", "POST"])
def text_edit(request, quarter: Quarter):
    """The report's narrative, pre-filled from the data and edited here; only the sections
    changed are kept, so the others keep following the data."""
    review = review_for_request(request, quarter)
    ward = review.ward
    require(can_manage_reviews(request.user, ward))
    if review.is_finalized:
        return refuse(request, review, ValidationError(str(MESSAGE_FINALIZED)), "#report")
    figures = review_figures(review=review)
    texts = review_texts(review=review, figures=figures)
    form = ReviewTextForm(request.POST or None, initial={**texts, "version": review.version})
    if request.method == "POST" and form.is_valid():
        changed = {
            name: _clean_lines(form.cleaned_data[name])
            for name in REPORT_SECTIONS
            if _clean_lines(form.cleaned_data[name]) != _clean_lines(texts[name])
        }
        if not changed:
            messages.info(request, _("Nothing was changed in the report's text."))
            return back_to_page(request, review, "#report")
        try:
            review_text_save(
                actor=request.user,
                review=review,
                expected_version=form.cleaned_data["version"],
                **changed,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, review, error, "#report")
            errors_to_form(form, error)
        else:
            messages.success(request, _("The report's text is saved."))
            return back_to_page(request, review, "#report")
    return render(
        request,
        "meetings/quarter/text_form.html",
        {
            "form": form,
            "review": review,
            "quarter": quarter,
            "ward": ward,
            "figures": figures,
            "ward_query": ward_query(request, ward),
            "ward_field": ward.pk if request.user.is_superuser else None,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def report_docx(request, quarter: Quarter):
    """GET: the report as it stands (the issued one once numbered, else a draft marked
    unnumbered); anyone who sees the page. POST: generate it, taking the next "-BC/ĐU"
    number the first time (ward staff), and download it."""
    review = review_for_request(request, quarter)
    issuing = request.method == "POST"
    if issuing:
        require(can_manage_reviews(request.user, review.ward))
    try:
        content, document = review_report_docx(actor=request.user, review=review, draft=not issuing)
    except ValidationError as error:
        return refuse(request, review, error, "#report")
    except documents.DocumentError as error:
        return refuse(request, review, ValidationError(str(error.message)), "#report")
    if issuing and document is not None:
        messages.success(
            request,
            _("The quarterly report %(symbol)s is generated (%(time)s).")
            % {
                "symbol": document.symbol,
                "time": timezone.localtime(document.generated_at).strftime("%d/%m/%Y %H:%M"),
            },
        )
    filename = download_filename("Bao-cao", review, document.symbol if document else None, "docx")
    return file_response(content, DOCX, filename)


@require_GET
def annex_xlsx(request, quarter: Quarter):
    """The report's annex: the detailed tables, as an Excel workbook."""
    review = review_for_request(request, quarter)
    try:
        content = review_annex_xlsx(review=review)
    except ValidationError as error:
        return refuse(request, review, error, "#report")
    filename = f"Phu-luc-bao-cao-quy-{review.period.roman}-{review.year}.xlsx"  # ASCII
    return file_response(content, XLSX, filename)


@require_POST
def finalize(request, quarter: Quarter):
    """Finalise and lock the quarter; what is missing, if anything, comes back as messages."""
    review = review_for_request(request, quarter)
    require(can_manage_reviews(request.user, review.ward))
    if review.is_finalized:
        messages.info(request, str(MESSAGE_FINALIZED))
        return back_to_page(request, review)
    missing = review_missing(review=review)
    if missing:
        messages.error(request, str(MESSAGE_NOT_FINALIZED_YET))
        for sentence in missing:
            messages.error(request, sentence)
        return back_to_page(request, review, "#finalize")
    try:
        review_finalize(actor=request.user, review=review)
    except ValidationError as error:
        return refuse(request, review, error, "#finalize")
    messages.success(
        request,
        _("%(quarter)s is finalised: its figures are kept and the quarter is locked.")
        % {"quarter": review.period},
    )
    return back_to_page(request, review)


@require_http_methods(["GET", "POST"])
def reopen(request, quarter: Quarter):
    """The ward secretary reopens a finalised quarter, giving the reason (kept in its
    history)."""
    review = review_for_request(request, quarter)
    ward = review.ward
    require(can_reopen_reviews(request.user, ward))
    if not review.is_finalized:
        return refuse(request, review, ValidationError(str(MESSAGE_NOT_FINALIZED)))
    form = ReviewReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_reopen(actor=request.user, review=review, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, review, error)
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("%(quarter)s is reopened: its reports and records can change again.")
                % {"quarter": review.period},
            )
            return back_to_page(request, review)
    return render(
        request,
        "meetings/quarter/reopen.html",
        {
            "form": form,
            "review": review,
            "quarter": quarter,
            "ward": ward,
            "ward_query": ward_query(request, ward),
            "ward_field": ward.pk if request.user.is_superuser else None,
        },
        status=400 if form.errors else 200,
    )
