"""Reads of quarterly reviews, scoped to the requesting user."""

from __future__ import annotations

from django.utils import timezone

from meetings.models import QuarterlyReview, ReviewStatus
from wardwork.models import Ward
from wardwork.quarters import Quarter


def working_quarter(*, ward: Ward, today=None) -> Quarter:
    """The quarter the ward is working on, the one its staff's home page opens:
    the earliest review in progress; else the quarter after the latest finalised one (if it
    has begun); else the calendar quarter. One query."""
    current = Quarter.containing(today or timezone.localdate())
    rows = list(
        QuarterlyReview.objects.filter(ward=ward)
        .exclude(status=ReviewStatus.OPEN)
        .values_list("year", "quarter", "status")
    )
    in_review = sorted(Quarter(y, q) for y, q, s in rows if s == ReviewStatus.IN_REVIEW)
    if in_review:
        return in_review[0]
    finalized = sorted(Quarter(y, q) for y, q, s in rows if s == ReviewStatus.FINALIZED)
    if finalized and finalized[-1].next() <= current:
        return finalized[-1].next()
    return current
