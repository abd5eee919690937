"""The lock a finalised quarterly review puts on its quarter (see ``wardwork.periods``)."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from wardwork.quarters import Quarter


def finalized_quarter_message(ward_id: int, quarter: Quarter) -> str | None:
    """The sentence shown when ``quarter`` of the ward is finalised, else None (one query)."""
    from meetings.review_models import QuarterlyReview, ReviewStatus

    rows = list(
        QuarterlyReview.objects.filter(
            ward_id=ward_id,
            year=quarter.year,
            quarter=quarter.number,
            status=ReviewStatus.FINALIZED,
        ).values_list("finalized_at", flat=True)[:1]
    )
    if not rows:
        return None
    day = formats.date_format(timezone.localtime(rows[0]), "SHORT_DATE_FORMAT") if rows[0] else ""
    return _(
        "%(quarter)s was finalised on %(date)s and is locked: its reports and records can "
        "no longer change. The ward secretary can reopen the quarter."
    ) % {"quarter": str(quarter), "date": day}
