"""The removed lines of a meeting's sections (``meetings.record_services``), for the
partials ``meetings/_contributions.html`` and ``_conclusions.html``: the meeting page and the
htmx answers render the same partial, so the partial fetches them itself (one query)."""

from django import template

from meetings import record_services

register = template.Library()


@register.simple_tag
def removed_contributions(meeting):
    return record_services.removed_contributions(meeting=meeting)


@register.simple_tag
def removed_conclusions(meeting):
    return record_services.removed_conclusions(meeting=meeting)
