"""Root URLconf. Apps are included by dotted string, so lower layers never import higher ones."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from wardwork import views

admin.site.site_header = "Wardwork"
admin.site.site_title = "Wardwork"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("directory/", include("wardwork.directory_urls")),
    path("plans/", include("plans.urls")),
    path("models/", include("models_registry.urls")),
    path("meetings/", include("meetings.urls")),
    path("quarters/", include("meetings.review_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "wardwork.views.bad_request"
handler403 = "wardwork.views.permission_denied"
handler404 = "wardwork.views.page_not_found"
handler500 = "wardwork.views.server_error"

if getattr(settings, "BENCHMARK_BARE_VIEW", False):  # benchmarks/pages.py only
    from django.views.generic import TemplateView

    urlpatterns.append(path("bench/bare/", TemplateView.as_view(template_name="bare.html")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
