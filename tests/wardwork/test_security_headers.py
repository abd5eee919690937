"""Security headers on every kind of response, and templates a strict CSP can serve.

The Content-Security-Policy allows scripts and styles only from the site itself: no inline
<script>, no on...="" handler, no style="" attribute, no <style> element, no eval. The
browser test tests/browser/test_csp.py proves the pages raise no violation; the scan below
catches a template that would, without a browser.
"""

import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory
from tests.plans.factories import PlanFactory
from wardwork.security import build_permissions_policy, build_policy, client_ip_address

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
NO_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, sources = part.strip().partition(" ")
        directives[name] = sources
    return directives


def assert_security_headers(response, *, admin=False):
    csp = parse_csp(response["Content-Security-Policy"])
    expected = dict(EXPECTED_CSP)
    if admin:
        expected["style-src-attr"] = "'unsafe-inline'"
    assert csp == expected
    assert "unsafe" not in response["Content-Security-Policy"].replace(
        "style-src-attr 'unsafe-inline'", ""
    )
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    for feature in NO_FEATURES:
        assert features[feature] == "()", feature
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_login_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_normal_page(client, home):
    client.force_login(home.secretary)
    response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_htmx_partial(client, home):
    client.force_login(home.secretary)
    response = client.get(reverse("plans:plan_list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert_security_headers(response)


def test_download(client, home):
    plan = PlanFactory(ward=home.ward)
    client.force_login(home.secretary)
    response = client.get(reverse("plans:plan_export", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_security_headers(response)


def test_error_pages(client, home, away):
    client.force_login(home.secretary)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response)
    # Another ward's plan does not exist for this user.
    other = PlanFactory(ward=away.ward)
    response = client.get(reverse("plans:plan_detail", args=[other.pk]))
    assert response.status_code in (403, 404)
    assert_security_headers(response)


def test_redirect_to_login(client):
    response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 302
    assert_security_headers(response)


def test_admin(client):
    admin = UserFactory(username="root", ward=None, person=None, is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_security_headers(response, admin=True)
    response = client.get(reverse("admin:login"))
    assert_security_headers(response, admin=True)


@override_settings(DEBUG=True)
def test_debug_error_pages_keep_their_inline_script(client, home):
    """Django's technical 404 page (DEBUG only) has inline code: no CSP there."""
    client.force_login(home.secretary)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"


def test_policy_builders():
    assert build_policy({"a": ["'self'"], "b": ["'none'", "data:"]}) == "a 'self'; b 'none' data:"
    assert build_permissions_policy({"camera": [], "fullscreen": ["self"]}) == (
        "camera=(), fullscreen=(self)"
    )


def test_htmx_runs_without_eval_and_injected_style(client):
    page = client.get(reverse("login")).content.decode()
    assert (
        '<meta name="htmx-config" content=\'{"allowEval":false,"includeIndicatorStyles":false}\'>'
        in page
    )


# --- Templates and scripts a strict CSP can serve -------------------------------------------

TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted(
    p
    for app in ("wardwork", "plans", "models_registry", "meetings")
    for p in (ROOT / app).rglob("*.html")
)
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\bhx-on", re.I), "hx-on (needs eval)"),
    (re.compile(r"hx-(?:vals|headers|vars)\s*=\s*['\"]\s*js:", re.I), "htmx js: value (eval)"),
    (re.compile(r"hx-trigger\s*=\s*['\"][^'\"]*\[", re.I), "htmx trigger filter (eval)"),
]


def _without_comments(text: str) -> str:
    return re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", text, flags=re.S)


def test_templates_have_no_inline_script_style_or_handler():
    assert len(TEMPLATES) > 20
    found = []
    for path in TEMPLATES:
        text = _without_comments(path.read_text(encoding="utf-8"))
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text[: match.start()].count("\n") + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == []


def test_scripts_use_no_eval():
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", text), path


# --- The address django-axes counts -----------------------------------------------------------


def _request(rf, remote="10.0.0.1", forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return rf.get("/", REMOTE_ADDR=remote, **headers)


def test_production_counts_the_address_nginx_saw():
    """The deployment guide puts one nginx in front of gunicorn (DEBUG is off in tests)."""
    from django.conf import settings

    assert settings.TRUSTED_PROXY_COUNT == 1
    assert settings.AXES_CLIENT_IP_CALLABLE == "wardwork.security.client_ip_address"


def test_client_address_without_proxy_ignores_forwarded_header(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(_request(rf, forwarded="203.0.113.9")) == "10.0.0.1"


def test_client_address_behind_one_proxy(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # A client cannot choose its address by sending the header itself: nginx appends the
    # address it saw, and only that last entry is trusted.
    request = _request(rf, remote="127.0.0.1", forwarded="1.2.3.4, 203.0.113.9")
    assert client_ip_address(request) == "203.0.113.9"
    assert client_ip_address(_request(rf, remote="127.0.0.1")) == "127.0.0.1"


def test_client_address_behind_two_proxies(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = _request(rf, remote="127.0.0.1", forwarded="1.2.3.4, 203.0.113.9, 10.1.1.1")
    assert client_ip_address(request) == "203.0.113.9"
