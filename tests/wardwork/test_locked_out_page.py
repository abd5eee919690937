"""The lock-out page (django-axes, ``templates/registration/locked_out.html``) explains both
kinds of lock — too many failures for the user name, or from the address (an office sharing
one connection) — and when the lock lifts (``AXES_COOLOFF_TIME``), naming no account."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from tests.wardwork.test_sessions import PASSWORD, assert_locked, attempt

pytestmark = pytest.mark.django_db

WHY = (
    "Logging in is locked for one of two reasons: too many failed attempts for this user "
    "name, or too many failed attempts from this address. An office whose computers share "
    "one Internet connection has one address, so the mistakes of colleagues there count "
    "together."
)
WHEN = (
    "The lock lifts by itself %(minutes)s minutes after the last failed attempt; then log in "
    "again. If you cannot wait, ask the administrator to unlock it."
)
FOREVER = "The lock stays until the administrator unlocks it."


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _expected(msgid: str, **values) -> str:
    """The message as the page shows it: in Vietnamese (the site's language) once the
    translator has filled it, else in English."""
    with translation.override(settings.LANGUAGE_CODE):
        return escape(gettext(msgid) % values if values else gettext(msgid))


def _lock_the_user_name(user) -> object:
    for n in range(settings.LOGIN_FAILURES_PER_USER - 1):
        attempt(user.username, "wrong-password", f"203.0.113.{n + 1}")
    return attempt(user.username, "wrong-password", "203.0.113.50")


def _lock_the_address(office: str) -> object:
    for n in range(settings.LOGIN_FAILURES_PER_ADDRESS - 1):
        attempt(f"guess{n}", "wrong-password", office)
    return attempt(f"guess{settings.LOGIN_FAILURES_PER_ADDRESS}", "wrong-password", office)


def _assert_explained(response, minutes: int, *names: str) -> None:
    assert_locked(response)
    text = _text(response)
    assert _expected(WHY) in text
    assert _expected(WHEN, minutes=minutes) in text
    for name in names:
        assert name not in text  # the page confirms no account name


def test_a_user_name_lock_is_explained_with_both_reasons_and_when_it_lifts(home):
    assert settings.AXES_COOLOFF_TIME == 1  # hours
    _assert_explained(_lock_the_user_name(home.dvk), 60, home.dvk.username)
    # and the same page for a correct password from elsewhere while the name is locked
    response = attempt(home.dvk.username, PASSWORD, "198.51.100.7")
    _assert_explained(response, 60, home.dvk.username)


def test_an_address_lock_is_explained_with_both_reasons_and_when_it_lifts(home):
    _lock_the_address("192.0.2.10")
    # a colleague in the same office, with the right password, reads why
    response = attempt(home.secretary.username, PASSWORD, "192.0.2.10")
    _assert_explained(response, 60, home.secretary.username)


def test_the_time_follows_the_setting(home, settings):
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    _assert_explained(_lock_the_user_name(home.staff), 30, home.staff.username)


def test_without_a_cool_off_the_page_says_an_administrator_unlocks(home, settings):
    settings.AXES_COOLOFF_TIME = None
    response = _lock_the_user_name(home.staff)
    assert_locked(response)
    text = _text(response)
    assert _expected(WHY) in text
    assert _expected(FOREVER) in text


def test_the_page_in_english(home, client):
    client.post(reverse("set_language"), {"language": "en"})
    for n in range(settings.LOGIN_FAILURES_PER_USER):
        response = attempt(home.plain.username, "wrong-password", f"203.0.113.{n + 1}", client)
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    text = _text(response)
    assert escape(WHY) in text
    assert escape(WHEN % {"minutes": 60}) in text
