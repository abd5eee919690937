"""What the quarter page's views share: the ward in the URL, going back to the page with
a message, the review a request works on, downloads with ASCII file names."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header

from meetings.review_selectors import review_for_change
from wardwork.quarters import Quarter
from wardwork.selectors import ward_for_request
from wardwork.text import fold

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ward_query(request, ward) -> str:
    """``?ward=<id>`` for a superuser (who may work on any ward), else nothing."""
    return f"?{urlencode({'ward': ward.pk})}" if request.user.is_superuser and ward else ""


def page_url(request, name: str, ward, quarter: Quarter, anchor: str = "") -> str:
    return reverse(f"quarters:{name}", args=[quarter]) + ward_query(request, ward) + anchor


def back_to_page(request, review, anchor: str = ""):
    return redirect(page_url(request, "page", review.ward, review.period, anchor))


def refuse(request, review, error, anchor: str = ""):
    """A step the review refuses: its messages on the quarter page."""
    texts = error.messages if isinstance(error, ValidationError) else [str(error)]
    for text in texts:
        messages.error(request, text)
    return back_to_page(request, review, anchor)


def review_for_request(request, quarter: Quarter):
    return review_for_change(user=request.user, ward=ward_for_request(request), quarter=quarter)


def download_filename(stem: str, review, symbol: str | None, extension: str) -> str:
    """ "Bao-cao-35-BC-DU.docx", "Bao-cao-quy-I-2021-du-thao.docx": ASCII, safe in a
    Content-Disposition header."""
    if symbol:
        tail = re.sub(r"[^A-Za-z0-9]+", "-", fold(symbol).upper()).strip("-")
    else:
        tail = f"quy-{review.period.roman}-{review.year}-du-thao"
    return f"{stem}-{tail}.{extension}"


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
