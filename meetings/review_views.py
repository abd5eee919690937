"""The quarter page and its actions (placeholder: being written)."""

from django.http import HttpResponse


def _todo(request, **kwargs):
    return HttpResponse(status=501)


current = page = start = meeting_create = text_edit = report_docx = annex_xlsx = _todo
finalize = reopen = remind = _todo
