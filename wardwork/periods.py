"""Closed quarters: which quarters of a ward are finalised, asked by the lower layers.

A finalised quarterly review (``meetings.QuarterlyReview``) locks its quarter: progress
reports, registration updates and meeting records of that quarter can no longer change.
The rule lives in the top layer but is enforced in the lower ones (their model ``clean()``,
their services, their admin), so this module is the meeting point: the layer that owns
the rule registers a check at start-up (``meetings.apps``), and the layers that own the
data call :func:`ensure_period_open` without importing anything above them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

from wardwork.quarters import Quarter

# A check returns the message to show when the ward's quarter is closed, None when open.
PeriodCheck = Callable[[int, Quarter], "str | None"]
_checks: list[PeriodCheck] = []


def register_period_check(check: PeriodCheck) -> None:
    """Register ``check(ward_id, quarter)``; called once per process by the owning app."""
    if check not in _checks:
        _checks.append(check)


def period_closed_message(ward_id: int | None, quarter: Quarter | None) -> str | None:
    """Why the ward's quarter is closed (a sentence for the user), or None when it is open."""
    if ward_id is None or quarter is None:
        return None
    for check in _checks:
        message = check(ward_id, quarter)
        if message:
            return message
    return None


def quarter_or_none(year, number) -> Quarter | None:
    """``Quarter(year, number)``, or None for values no quarter has (a form's bad input is
    reported at its field by the field's own validators, never as a crash here)."""
    try:
        return Quarter(int(year), int(number))
    except (TypeError, ValueError):
        return None


def ensure_period_open(ward_id: int | None, quarter: Quarter | None, field: str | None = None):
    """Raise ``ValidationError`` (at ``field`` when given) if the quarter is closed."""
    message = period_closed_message(ward_id, quarter)
    if message:
        raise ValidationError({field: message} if field else message, code="period_closed")
