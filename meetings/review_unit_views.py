"""The unit's quarter and the city view (placeholder: being written)."""

from django.http import HttpResponse


def _todo(request, **kwargs):
    return HttpResponse(status=501)


my_unit = city = _todo
