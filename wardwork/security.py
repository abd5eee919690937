"""Security headers Django 5.2 does not send itself, and the address django-axes locks.

Django's ``SecurityMiddleware`` already sends ``X-Content-Type-Options``, ``Referrer-Policy``,
``Cross-Origin-Opener-Policy`` (and HSTS in production) and ``XFrameOptionsMiddleware`` sends
``X-Frame-Options``. This module adds ``Content-Security-Policy`` and ``Permissions-Policy``,
from ``settings.CONTENT_SECURITY_POLICY`` and ``settings.PERMISSIONS_POLICY``.

Why not django-csp: the policy is one fixed string (every asset is vendored, nothing needs a
nonce), so a dependency would only add configuration to learn; docs/security.md has the rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum
from django.utils.cache import add_never_cache_headers


def build_policy(directives: dict[str, list[str]]) -> str:
    """``{"default-src": ["'self'"], ...}`` -> ``"default-src 'self'; ..."``."""
    return "; ".join(" ".join([name, *sources]).strip() for name, sources in directives.items())


def build_permissions_policy(features: dict[str, list[str]]) -> str:
    """``{"camera": []}`` -> ``"camera=()"`` (an empty list: no origin may use it)."""
    return ", ".join(f"{name}=({' '.join(origins)})" for name, origins in features.items())


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy headers to every response,
    and ``Cache-Control: no-store`` to what a logged-in user is sent (unless a view chose).

    Paths under one of ``settings.CONTENT_SECURITY_POLICY_RELAXED`` prefixes get the extra
    directives listed there (the admin's third-party templates use ``style`` attributes).
    With DEBUG on, Django's technical 404/500 pages (inline script and style) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        directives = dict(settings.CONTENT_SECURITY_POLICY)
        self.policy = build_policy(directives)
        self.relaxed = []
        for prefix, extra in getattr(settings, "CONTENT_SECURITY_POLICY_RELAXED", {}).items():
            self.relaxed.append((prefix, build_policy({**directives, **extra})))
        self.permissions = build_permissions_policy(settings.PERMISSIONS_POLICY)

    def policy_for(self, path: str) -> str:
        for prefix, policy in self.relaxed:
            if path.startswith(prefix):
                return policy
        return self.policy

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            # Ward data is never kept by the browser or a proxy: after logging out on a
            # shared office computer, "Back" shows nothing (ASVS 8.2.1).
            add_never_cache_headers(response)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        response.headers.setdefault("Content-Security-Policy", self.policy_for(request.path))
        return response


def client_ip_address(request) -> str | None:
    """The address django-axes counts failures for (``AXES_CLIENT_IP_CALLABLE``).

    Behind a reverse proxy every request comes from the proxy's address; locking that would
    lock everybody. With ``TRUSTED_PROXY_COUNT = n`` (the proxies in front of the app, each
    appending to ``X-Forwarded-For``), the address is the one the outermost trusted proxy saw:
    the n-th entry from the right. Entries further left are written by the client and never
    trusted. Without the header (or with 0 proxies) it is ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


def login_failure_limit(request, credentials) -> int:
    """``AXES_FAILURE_LIMIT``: a small limit per user name, a larger one per address.

    django-axes counts failures per user name and per address (``AXES_LOCKOUT_PARAMETERS``)
    and locks when the larger of the two counts reaches one limit. A ward office reaches the
    Internet through one address, so the address needs a higher limit than a user name: this
    returns the per-user limit once the user name alone has reached it, else the per-address
    limit. The lock-out therefore happens at ``LOGIN_FAILURES_PER_USER`` failures for one
    user name (from anywhere) or ``LOGIN_FAILURES_PER_ADDRESS`` failures from one address
    (whatever the user names).
    """
    from axes.attempts import get_cool_off_threshold
    from axes.helpers import get_client_username
    from axes.models import AccessAttempt

    per_user = settings.LOGIN_FAILURES_PER_USER
    per_address = settings.LOGIN_FAILURES_PER_ADDRESS
    username = get_client_username(request, credentials)
    if username:
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if failures >= per_user:
            return per_user
    return per_address
