"""Sliding session expiry without a database write on every request.

Django's ``SESSION_SAVE_EVERY_REQUEST`` restarts a session's age on every request by saving
it: one ``UPDATE django_session`` per page view, on the primary database, for every user.
This middleware restarts the age only when the last restart is ``SESSION_REFRESH_INTERVAL``
seconds old or more (5 minutes by default), so a user clicking through pages writes the
session about once per interval instead of once per page.

The price is a slightly shorter inactivity limit in the worst case: a session expires
``SESSION_COOKIE_AGE`` after its last refresh, that is between ``SESSION_COOKIE_AGE -
SESSION_REFRESH_INTERVAL`` and ``SESSION_COOKIE_AGE`` after the last request; never later
than ``SESSION_COOKIE_AGE`` (the documented limit, docs/security.md).
"""

from __future__ import annotations

import time

from django.conf import settings

REFRESHED_AT = "_refreshed_at"  # session key: when the age last restarted (Unix seconds)


class SessionRefreshMiddleware:
    """Marks the session modified (so ``SessionMiddleware``, listed before this one, saves it
    with a fresh expiry and sends the cookie again) when its last refresh is old enough.

    An empty session (an anonymous visitor, a session ended by logout) is left alone: it is
    not saved, as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        last = session.get(REFRESHED_AT)  # loads it if nothing did (a stale cookie: empty)
        if session.is_empty():
            return response
        now = int(time.time())
        if session.modified:
            # Saved anyway (a login, a change): the expiry restarts now, note it for free.
            session[REFRESHED_AT] = now
        elif not isinstance(last, int) or not 0 <= now - last < settings.SESSION_REFRESH_INTERVAL:
            session[REFRESHED_AT] = now
        return response
