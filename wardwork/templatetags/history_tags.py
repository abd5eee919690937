"""``{% object_history obj %}``: the change history panel of an object's page."""

from __future__ import annotations

from django import template

from wardwork.history import DEFAULT_LIMIT
from wardwork.history import object_history as history_rows

register = template.Library()


@register.inclusion_tag("includes/object_history.html")
def object_history(obj, limit=DEFAULT_LIMIT):
    """The latest changes of ``obj`` (created, changed fields old → new, deleted), with who,
    when and the recorded reason. The page that includes it has already checked that the
    user may see ``obj``."""
    rows = history_rows(obj, limit=limit)
    return {"rows": rows, "truncated": rows.truncated, "limit": limit, "obj": obj}
