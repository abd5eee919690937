"""Core pages: home, the ward directory (organisations and people), error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import TemplateView

from wardwork import selectors
from wardwork.forms import DirectorySearchForm
from wardwork.roles import roles_of

PAGE_SIZE = 50
# ``/?overview=1`` keeps the user on the overview (roles, units, links) instead of being
# sent on to their working page.
OVERVIEW_PARAM = "overview"


def landing_url(user) -> str | None:
    """Where the home page sends a user, or None to show the overview:
    ward staff (and a superuser with a ward) -> their ward's working quarter; unit managers
    (cell secretaries, heads of mass organisations, even when they also sit in the Khối Dân
    vận) -> their unit's quarter; other Khối Dân vận members -> the ward's quarter; a
    superuser without a ward -> the city view. The quarter pages live in a higher layer:
    reversed by URL name only."""
    roles = roles_of(user)
    if roles.is_superuser:
        return reverse("quarters:current" if user.ward_id else "quarters:city")
    if roles.is_ward_staff:
        return reverse("quarters:current")
    if roles.managed_unit_ids:
        return reverse("quarters:my_unit")
    if roles.is_mass_mobilization_member:
        return reverse("quarters:current")
    return None


class HomeView(TemplateView):
    """The home page: a redirect to the user's working page; the overview otherwise (an
    account with no role, or ``?overview=1``)."""

    template_name = "wardwork/home.html"

    def get(self, request, *args, **kwargs):
        if not request.GET.get(OVERVIEW_PARAM):
            target = landing_url(request.user)
            if target:
                return redirect(target)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["ward"] = user.ward
        context["role_set"] = roles_of(user)
        context["units"] = selectors.units_of_user(user=user)
        return context


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def organization_list(request):
    form = DirectorySearchForm(request.GET or None)
    search = kind = ""
    if form.is_valid():
        search, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    page = _page(request, selectors.organization_list(user=request.user, search=search, kind=kind))
    return render(request, "wardwork/organization_list.html", {"form": form, "page_obj": page})


def organization_detail(request, pk: int):
    organization = selectors.organization_get(user=request.user, pk=pk)
    return render(request, "wardwork/organization_detail.html", {"organization": organization})


def person_list(request):
    form = DirectorySearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = _page(request, selectors.person_list(user=request.user, search=search))
    return render(request, "wardwork/person_list.html", {"form": form, "page_obj": page})


def person_detail(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    return render(request, "wardwork/person_detail.html", {"person": person})


# --- error pages: Vietnamese, and safe to render without a database --------------------------
@login_not_required
@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@login_not_required
@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
@requires_csrf_token
def server_error(request):
    # No context processors that touch the database: the error may be the database.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))


home = never_cache(HomeView.as_view())
