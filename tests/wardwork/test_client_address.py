"""The address django-axes counts failed logins for, behind a load balancer and nginx
(docs/scaling.md, step 2: TRUSTED_PROXY_COUNT=2).

The client reaches the load balancer, which appends the client's address to
X-Forwarded-For; nginx appends the load balancer's; gunicorn sees nginx (127.0.0.1).
Anything the client wrote into the header itself is further left and never trusted."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from wardwork.security import client_ip_address

PASSWORD = "correct-horse-battery"
LOAD_BALANCER = "10.0.0.5"


def through_two_proxies(client_address: str, spoofed: str = "") -> dict:
    """The request headers gunicorn receives behind the load balancer and nginx."""
    forwarded = ", ".join(part for part in (spoofed, client_address, LOAD_BALANCER) if part)
    return {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded}


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "127.0.0.1"), (1, LOAD_BALANCER), (2, "203.0.113.9")],
)
def test_the_address_counted_depends_on_the_trusted_proxies(settings, count, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", **through_two_proxies("203.0.113.9", spoofed="1.2.3.4"))
    assert client_ip_address(request) == expected


def test_with_two_proxies_a_header_forged_by_the_client_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    for spoofed in ("198.51.100.1", "198.51.100.1, 198.51.100.2", "garbage, , x"):
        request = RequestFactory().get("/", **through_two_proxies("203.0.113.9", spoofed))
        assert client_ip_address(request) == "203.0.113.9"
    # A request that did not pass both proxies (a misrouted health check): REMOTE_ADDR.
    direct = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip_address(direct) == "10.0.0.7"


@pytest.mark.django_db
def test_behind_two_proxies_one_attacker_is_locked_not_the_load_balancer(home, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    limit = settings.LOGIN_FAILURES_PER_ADDRESS

    def attempt(username, password, address, spoofed=""):
        return Client().post(
            reverse("login"),
            {"username": username, "password": password},
            **through_two_proxies(address, spoofed),
        )

    for n in range(limit):
        # The attacker changes the forged part on every try: it does not help.
        attempt(f"guess{n}", "wrong-password", "203.0.113.66", spoofed=f"192.0.2.{n}")
    locked = attempt(home.secretary.username, PASSWORD, "203.0.113.66")
    assert locked.status_code == settings.AXES_HTTP_RESPONSE_CODE
    # Everyone else, behind the same load balancer and nginx, still logs in.
    assert attempt(home.secretary.username, PASSWORD, "198.51.100.7").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
