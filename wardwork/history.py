"""The change history of one object, ready to show on its page.

Generic over any model that keeps ``history = HistoricalRecords(...)`` (django-simple-history):
this module is the lowest layer and knows no model of the apps above it. Each row says when,
who, what was done (created / changed / deleted) and, for a change, which fields changed from
what to what, written as the user reads them (choices as their label, related objects by
name, Yes/No, dd/mm/yyyy), with the reason recorded with the change.

Query count does not grow with the number of rows: one query for the historical records
(with their users), one per many-to-many field kept in the history, and one per model the
changed foreign keys and many-to-many rows point to.

What is never shown: fields the history does not keep (``excluded_fields``, e.g. a user's
password, a review's figures), fields nobody edits (search keys, sort keys, primary keys,
``auto_now`` timestamps), and the values of ``PRIVATE_FIELDS`` (only the fact they changed).
A related object of another ward is named by a placeholder, never by its name.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Value
from django.db.models.fields.files import FieldFile
from django.utils import dateformat, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DEFAULT_LIMIT = 50
# A changed text longer than this is shortened (the admin keeps the whole text).
TEXT_LIMIT = 120
# Records of one object by one user this close together are one save (see ``_bursts``).
BURST = dt.timedelta(seconds=2)

# Never shown, whatever the model's history keeps.
NEVER_SHOWN = frozenset({"password", "last_login"})
# "app_label.model_name" -> fields whose change is shown without its values: the pages
# where the history appears do not show them either.
PRIVATE_FIELDS: dict[str, frozenset[str]] = {
    "wardwork.person": frozenset({"email", "phone"}),
    "wardwork.user": frozenset({"email"}),
}

ACTIONS = {
    "+": _("created"),
    "~": _("changed"),
    "-": _("deleted"),
}
EMPTY = "–"


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    hidden: bool = False  # a private field: it changed, its values are not shown


@dataclass
class HistoryRow:
    when: dt.datetime  # aware; templates show it in local time
    who: str
    action: str  # "created" / "changed" / "deleted", translated
    kind: str  # simple-history's type: "+", "~", "-"
    changes: list[FieldChange] = field(default_factory=list)
    reason: str = ""


class ObjectHistory(list):
    """The rows, newest first; ``truncated`` when older records exist than those shown."""

    truncated: bool = False


def user_display_name(user) -> str:
    """How the site names an account: its person's full name, else its username."""
    if user is None:
        return gettext("system")
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    return (person.full_name if person is not None else "") or user.get_username()


def _history_model(obj):
    manager_name = getattr(obj._meta, "simple_history_manager_attribute", None)
    if manager_name is None:
        raise TypeError(f"{type(obj).__name__} keeps no history (django-simple-history).")
    return getattr(type(obj), manager_name).model, manager_name


def _shown_fields(history_model, obj, exclude) -> list[models.Field]:
    hidden = (
        NEVER_SHOWN | set(exclude) | set(getattr(history_model, "_history_excluded_fields", ()))
    )
    shown = []
    for f in history_model.tracked_fields:
        if f.primary_key or not f.editable or f.name in hidden:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        shown.append(f)
    return shown


def _m2m_fields(history_model, exclude) -> list[tuple[models.ManyToManyField, Any, str]]:
    """(field, its historical through model, the attname of the related id in it)."""
    result = []
    for f in getattr(history_model, "_history_m2m_fields", ()):
        if f.name in NEVER_SHOWN or f.name in exclude:
            continue
        descriptor = history_model.__dict__.get(f.name)
        if descriptor is None:
            continue
        through = descriptor.model
        target = through._meta.get_field(f.m2m_reverse_field_name()).attname
        result.append((f, through, target))
    return result


def _raw(value):
    """A value as compared: a file by its name."""
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


class _Related:
    """Ids of related objects per model, fetched in one query per model when first read."""

    def __init__(self, obj):
        self.ward_id = getattr(obj, "ward_id", None)
        self.ward_model = (
            obj._meta.get_field("ward").related_model if _has_field(type(obj), "ward") else None
        )
        self.wanted: dict[type, set] = defaultdict(set)
        self.loaded: dict[type, dict] = {}

    def want(self, model, pk) -> None:
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self) -> None:
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            qs = model._base_manager.filter(pk__in=pks)
            if model is user_model and _has_field(model, "person"):
                qs = qs.select_related("person")
            self.loaded[model] = {o.pk: o for o in qs}

    def name(self, model, pk) -> str:
        if pk is None:
            return EMPTY
        obj = self.loaded.get(model, {}).get(pk)
        if obj is None:
            return gettext("(deleted)")
        if not self._same_ward(obj):
            return gettext("(another ward)")
        if model is get_user_model():
            return user_display_name(obj)
        return Truncator(str(obj)).chars(TEXT_LIMIT)

    def _same_ward(self, obj) -> bool:
        if self.ward_id is None:
            return True
        if isinstance(obj, self.ward_model):
            return obj.pk == self.ward_id
        other = getattr(obj, "ward_id", None)
        return other is None or other == self.ward_id


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def field_text(f: models.Field, value, limit: int = TEXT_LIMIT) -> str:
    """A plain (not related) value as the user reads it: the choice's label, Yes/No,
    dd/mm/yyyy, a file's name, text cut to ``limit`` characters."""
    if value is None or value == "":
        return EMPTY
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(f, models.DateTimeField) and isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return dateformat.format(value, "d/m/Y H:i")
    if isinstance(f, models.DateField) and isinstance(value, dt.date):
        return dateformat.format(value, "d/m/Y")
    if isinstance(value, FieldFile) or isinstance(f, models.FileField):
        name = value.name if isinstance(value, FieldFile) else str(value)
        return os.path.basename(name) or EMPTY
    return Truncator(str(value)).chars(limit)


def object_history(obj, limit: int = DEFAULT_LIMIT, *, exclude=()) -> ObjectHistory:
    """The latest ``limit`` history records of ``obj``, newest first, as ``HistoryRow``s.

    A change that touched only fields not shown (a search key, a timestamp, a password) is
    left out. ``exclude`` names more fields not to show."""
    history_model, manager_name = _history_model(obj)
    exclude = set(exclude)
    fields = _shown_fields(history_model, obj, exclude)
    m2m = _m2m_fields(history_model, exclude)
    private = PRIVATE_FIELDS.get(obj._meta.label_lower, frozenset())

    qs = getattr(obj, manager_name).all()
    user_field = "history_user"
    if _has_field(history_model, user_field):
        user_model = history_model._meta.get_field(user_field).related_model
        qs = qs.select_related(
            "history_user__person" if _has_field(user_model, "person") else "history_user"
        )
    else:
        user_field = None
    # One more than shown: the oldest row shown is compared with the one before it.
    records = list(qs.order_by("-history_date", "-history_id")[: limit + 1])
    result = ObjectHistory()
    result.truncated = len(records) > limit

    # Many-to-many rows of every record: one query (a UNION over the fields), only when a
    # change is compared at all.
    m2m_values = _m2m_rows(m2m, [r.history_id for r in records]) if len(records) > 1 else {}

    related = _Related(obj)
    raw_rows = []
    for first, last in _bursts(records[:limit], fields):
        record, oldest = records[first], records[last]
        kind = "+" if oldest.history_type == "+" else record.history_type
        before = records[last + 1] if last + 1 < len(records) else None
        diffs = []
        if kind == "~" and before is not None:
            for f in fields:
                old, new = getattr(before, f.attname), getattr(record, f.attname)
                if _raw(old) != _raw(new):
                    diffs.append((f, old, new))
                    if f.is_relation and f.name not in private:
                        related.want(f.related_model, old)
                        related.want(f.related_model, new)
            for f, _through, _target in m2m:
                old = m2m_values.get((f.name, before.history_id), frozenset())
                new = m2m_values.get((f.name, record.history_id), frozenset())
                if old != new:
                    diffs.append((f, old, new))
                    for pk in old | new:
                        related.want(f.related_model, pk)
        reasons = [(r.history_change_reason or "").strip() for r in records[first : last + 1]]
        reason = next((r for r in reasons if r), "")
        if kind == "~" and before is not None and not diffs and not reason:
            continue  # nothing the page can show changed
        shown_record = oldest if kind == "+" else record
        raw_rows.append((shown_record, kind, diffs, reason))

    related.load()
    for record, kind, diffs, reason in raw_rows:
        changes = []
        for f, old, new in diffs:
            label = str(f.verbose_name)
            label = label[:1].upper() + label[1:]
            if f.name in private:
                changes.append(FieldChange(f.name, label, "", "", hidden=True))
            elif f.many_to_many:
                changes.append(
                    FieldChange(
                        f.name,
                        label,
                        _names(related, f.related_model, old),
                        _names(related, f.related_model, new),
                    )
                )
            elif f.is_relation:
                changes.append(
                    FieldChange(
                        f.name,
                        label,
                        related.name(f.related_model, old),
                        related.name(f.related_model, new),
                    )
                )
            else:
                changes.append(FieldChange(f.name, label, field_text(f, old), field_text(f, new)))
        user = getattr(record, user_field) if user_field else None
        result.append(
            HistoryRow(
                when=record.history_date,
                who=user_display_name(user),
                action=str(ACTIONS.get(kind, kind)),
                kind=kind,
                changes=changes,
                reason=reason,
            )
        )
    return result


def _bursts(records, fields) -> list[tuple[int, int]]:
    """Index ranges (newest, oldest) of records that are one save: a record that changed
    only many-to-many rows joins the record before it, when both are by the same user within
    ``BURST`` of each other. Saving a task and then setting its supporting units writes
    three records (the fields, the units removed, the units added); the page shows them as
    one change."""
    groups: list[list[int]] = []
    for index, record in enumerate(records):
        if groups:
            head = records[groups[-1][0]]
            newer = records[groups[-1][-1]]
            if (
                newer.history_type == "~"
                and record.history_type in ("~", "+")
                and all(
                    _raw(getattr(newer, f.attname)) == _raw(getattr(record, f.attname))
                    for f in fields
                )
                and getattr(record, "history_user_id", None)
                == getattr(head, "history_user_id", None)
                and dt.timedelta(0) <= newer.history_date - record.history_date <= BURST
                and not (
                    record.history_change_reason
                    and head.history_change_reason
                    and record.history_change_reason != head.history_change_reason
                )
            ):
                groups[-1].append(index)
                continue
        groups.append([index])
    return [(group[0], group[-1]) for group in groups]


def _m2m_rows(m2m, ids) -> dict[tuple[str, Any], frozenset]:
    """(field name, history id) -> the related ids kept with that record."""
    if not m2m or not ids:
        return {}
    parts = [
        through.objects.filter(history_id__in=ids)
        .annotate(m2m_field=Value(index))
        .values_list("history_id", target, "m2m_field")
        .order_by()
        for index, (_f, through, target) in enumerate(m2m)
    ]
    column_types = {
        through._meta.get_field(target).target_field.get_internal_type()
        for _f, through, target in m2m
    }
    if len(parts) == 1:
        queries = parts
    elif len(column_types) == 1:
        queries = [parts[0].union(*parts[1:], all=True)]
    else:  # related ids of different types do not mix in one column
        queries = parts
    values: dict[tuple[str, Any], set] = defaultdict(set)
    for query in queries:
        for history_id, pk, index in query:
            values[(m2m[index][0].name, history_id)].add(pk)
    return {key: frozenset(pks) for key, pks in values.items()}


def _names(related: _Related, model, pks) -> str:
    if not pks:
        return EMPTY
    names = sorted(related.name(model, pk) for pk in pks)
    return Truncator("; ".join(names)).chars(TEXT_LIMIT * 2)
