"""The unit's quarter ("what my unit owes this quarter") and the city view (one quarter
across the wards a user may see). Thin: reads come from ``review_unit_selectors`` and
``city_selectors``."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from meetings.city_selectors import city_quarter, sees_several_wards
from meetings.review_selectors import working_quarter
from meetings.review_unit_selectors import unit_quarter
from wardwork.quarters import Quarter
from wardwork.roles import require, roles_of


def _neighbours(quarter: Quarter) -> tuple[Quarter, Quarter]:
    """The previous and next quarters; a quarter at the edge of time has none (404)."""
    try:
        return quarter.previous(), quarter.next()
    except ValueError as exc:
        raise Http404 from exc


@never_cache
def my_unit(request, quarter: Quarter | None = None):
    """The tasks to report on, the models to update and the conclusions assigned to each unit
    the user manages. Default quarter: the one the user's ward is working on. A user who
    manages no unit gets a page that says so (with the quarter page for ward staff)."""
    user = request.user
    if quarter is None:
        quarter = working_quarter(ward=user.ward) if user.ward_id else Quarter.current()
    previous, following = _neighbours(quarter)
    data = unit_quarter(user=user, quarter=quarter)
    roles = roles_of(user)
    return render(
        request,
        "meetings/quarter/my_unit.html",
        {
            "data": data,
            "quarter": quarter,
            "previous": previous,
            "next": following,
            "sees_whole_ward": roles.sees_whole_ward and bool(user.ward_id),
        },
    )


@never_cache
def city(request, quarter: Quarter | None = None):
    """The same quarter across wards, one row per ward: for a user who sees several wards
    (a superuser); 403 for everyone else."""
    require(sees_several_wards(request.user))
    quarter = quarter or Quarter.current()
    previous, following = _neighbours(quarter)
    data = city_quarter(user=request.user, quarter=quarter)
    return render(
        request,
        "meetings/quarter/city.html",
        {"data": data, "quarter": quarter, "previous": previous, "next": following},
    )
