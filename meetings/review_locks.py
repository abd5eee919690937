"""The lock a finalised quarterly review puts on its quarter (see ``wardwork.periods``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from wardwork.quarters import Quarter


def finalized_quarter_message(ward_id: int, quarter: Quarter) -> str | None:
    """The sentence shown when ``quarter`` of the ward is finalised, else None (one query).

    Inside a transaction the review row is locked until it ends, so a write of the quarter
    and the quarter's finalisation (which locks the same row) never overlap: a write checked
    first is in the frozen figures, a write checked after is refused."""
    from meetings.review_models import QuarterlyReview, ReviewStatus

    rows = QuarterlyReview.objects.filter(
        ward_id=ward_id, year=quarter.year, quarter=quarter.number
    )
    if transaction.get_connection().in_atomic_block:
        # Only the review row (the model's ordering joins the ward, which FOR UPDATE would
        # lock too, deadlocking with document numbering), and NO KEY: a foreign-key check
        # on the row (a new review event) is not blocked.
        rows = rows.order_by().select_for_update(of=("self",), no_key=True)
    row = rows.values_list("status", "finalized_at").first()
    if row is None or row[0] != ReviewStatus.FINALIZED:
        return None
    finalized_at = row[1]
    day = (
        formats.date_format(timezone.localtime(finalized_at), "SHORT_DATE_FORMAT")
        if finalized_at
        else ""
    )
    return _(
        "%(quarter)s was finalised on %(date)s and is locked: its reports and records can "
        "no longer change. The ward secretary can reopen the quarter."
    ) % {"quarter": str(quarter), "date": day}
