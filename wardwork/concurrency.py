"""Optimistic concurrency for the edit forms of shared records.

Two people may open the same plan, task, registration, meeting or quarterly report text and
both press "Save". Without a check the second save silently overwrites the first. Here:

- a shared record carries ``version`` (``VersionedModel``), raised by one on every save;
- its edit form carries the version the user loaded in a hidden field (``VersionedFormMixin``);
- the service calls ``claim(instance, expected_version, fields)`` inside its transaction. If
  somebody else saved one of the form's fields since that version, ``StaleEdit`` is raised:
  a ``ValidationError`` naming who saved, when, and at each changed field its new value.
  The view shows the bound form again (``wardwork.forms.errors_to_form``), so the user's
  typed text is kept, with the hidden version moved on so that a deliberate second save
  goes through.

The check and the save are one atomic step on both databases: ``claim`` moves the row's
version with a conditional ``UPDATE ... WHERE version = expected`` (a row lock on
PostgreSQL, the database write lock on SQLite), so of two simultaneous saves exactly one
passes.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wardwork.history import EMPTY, field_text
from wardwork.models import include_derived

MESSAGE_STALE = _(
    "%(who)s saved this record at %(when)s, while you were editing it. Nothing of your form "
    "was saved and what you typed is kept below. Check the fields marked, then save again "
    "to keep your version."
)
MESSAGE_STALE_UNKNOWN = _(
    "This record was saved by someone else while you were editing it. Nothing of your form "
    "was saved and what you typed is kept below. Check it against the record, then save "
    "again to keep your version."
)
MESSAGE_FIELD_CHANGED = _("Changed meanwhile by %(who)s to: %(value)s")
MESSAGE_GONE = _("This record no longer exists.")
TEXT_LIMIT = 300  # characters of another person's text shown at the field


class VersionedModel(models.Model):
    """A shared record whose edit forms check for concurrent saves."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            include_derived(kwargs, "version")
        super().save(*args, **kwargs)


def version_field() -> forms.IntegerField:
    """The hidden field holding the version a form showed (0: no record yet)."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class VersionedFormMixin(forms.Form):
    """Adds the hidden ``version`` the user loaded; give it to the service as
    ``expected_version=form.cleaned_data["version"]``."""

    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields["version"].initial = instance.version

    @property
    def expected_version(self) -> int | None:
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return None
        # Every page posts the version it showed; a client that sends none is not checked.
        return self.cleaned_data.get("version")

    @property
    def edited_fields(self) -> list[str]:
        """The fields this form would overwrite: a change to one of them meanwhile is a
        conflict, a change elsewhere (a workflow step) is not."""
        return [name for name in self.fields if name != "version"]


class StaleEdit(ValidationError):
    """Someone else saved the record since the version the form was loaded with."""

    def __init__(self, errors: dict, *, current_version: int):
        super().__init__(errors)
        self.current_version = current_version


def claim(instance, expected_version: int | None, fields=None) -> None:
    """Inside the service's transaction: refuse the save when the record changed since
    ``expected_version`` in any of ``fields`` (all tracked fields when None); else take
    the row so that no other save slips in before this one commits."""
    if expected_version is None or instance.pk is None:
        return
    model = type(instance)
    rows = model._base_manager.filter(pk=instance.pk)
    # The no-op UPDATE takes the row (PostgreSQL) or the write lock (SQLite) first.
    if rows.filter(version=expected_version).update(version=expected_version):
        instance.version = expected_version
        return
    current = rows.values_list("version", flat=True).first()
    if current is None:
        raise ValidationError(str(MESSAGE_GONE))
    changes, who, when = _changes_since(instance, expected_version, fields)
    if changes is not None and not changes:
        # Saved meanwhile, but nothing this form shows changed (a workflow step, another
        # section of the text): this save cannot undo anyone's work.
        rows.filter(version=current).update(version=current)
        instance.version = current
        return
    raise StaleEdit(_stale_errors(instance, changes, who, when), current_version=current)


def _changes_since(instance, expected_version, fields):
    """(changed field names or None when unknown, who saved last, when)."""
    history = getattr(type(instance), "history", None)
    if history is None:
        return None, None, None
    records = list(
        history.filter(id=instance.pk)
        .select_related("history_user__person")
        .order_by("-history_date", "-history_id")[:200]
    )
    if not records:
        return None, None, None
    latest = records[0]
    baseline = next((r for r in records if r.version <= expected_version), None)
    who = _user_name(latest.history_user)
    if baseline is None:
        return None, who, latest.history_date
    tracked = {f.name for f in latest.tracked_fields if f.editable} | {
        f.name for f in latest._history_m2m_fields
    }
    included = sorted(tracked if fields is None else tracked.intersection(fields))
    delta = latest.diff_against(baseline, included_fields=included)
    changed = [c.field for c in delta.changes if c.field != "version"]
    return changed, who, latest.history_date


def _user_name(user) -> str:
    if user is None:
        return gettext("Someone")
    return str(user)


def _stale_errors(instance, changes, who, when) -> dict:
    if who is None or when is None:
        return {NON_FIELD_ERRORS: [str(MESSAGE_STALE_UNKNOWN)]}
    errors = {NON_FIELD_ERRORS: [str(MESSAGE_STALE % {"who": who, "when": _when(when)})]}
    if changes:
        current = type(instance)._base_manager.get(pk=instance.pk)
        for name in changes:
            errors[name] = [
                str(MESSAGE_FIELD_CHANGED % {"who": who, "value": display_value(current, name)})
            ]
    return errors


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def display_value(obj, name: str) -> str:
    """A field's value as a person reads it (``wardwork.history.field_text``; related rows
    by name), in «», long enough to compare with what one typed."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        text = ", ".join(str(o) for o in getattr(obj, name).all())
    elif field.is_relation:
        related = getattr(obj, name)
        text = str(related) if related is not None else ""
    else:
        text = field_text(field, getattr(obj, field.attname), limit=TEXT_LIMIT)
    return f"«{text or EMPTY}»"


def refresh_version(form, error: StaleEdit) -> None:
    """Move the bound form's hidden version on, so that saving again keeps the user's text."""
    if form.is_bound and "version" in form.fields:
        data = form.data.copy()
        data[form.add_prefix("version")] = str(error.current_version)
        form.data = data
