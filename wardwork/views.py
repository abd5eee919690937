"""Core pages: home, the ward directory (organisations and people), error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import TemplateView

from wardwork import selectors
from wardwork.forms import DirectorySearchForm
from wardwork.roles import roles_of

PAGE_SIZE = 50


class HomeView(TemplateView):
    template_name = "wardwork/home.html"

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
