"""The ward on every tenant table (docs/scaling.md, "Step 3: a national deployment on Citus").

Citus distributes a table by one column, here ``ward_id``, and only enforces uniqueness that
includes it. So a row that belongs to its ward through a parent (a progress report through its
task, an attendance through its meeting, a many-to-many row through its owner) carries the
ward itself: :class:`WardOwnedModel` adds the column and fills it from the parent, so callers
that create rows (``save()``, ``objects.create()``, ``bulk_create()``, a many-to-many
``add()``/``set()`` on an explicit through model) need not name it. Code that writes rows
without the ORM (COPY in ``meetings/scale_data.py``) sets it itself.

``tests/test_tenant_schema.py`` checks every model: a tenant table has a NOT NULL ``ward`` and
every unique constraint includes it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


def fill_wards(model: type[models.Model], objs: Iterable[models.Model]) -> None:
    """Set ``ward_id`` on the rows that lack it, from the row named by ``model.ward_parent``:
    from the parent object when it is in hand, else with one query for all the rows."""
    field = model._meta.get_field(model.ward_parent)
    missing: dict[object, list[models.Model]] = {}
    for obj in objs:
        if obj.ward_id is not None:
            continue
        parent = field.get_cached_value(obj, None) if field.is_cached(obj) else None
        if parent is not None:
            obj.ward_id = parent.ward_id
            continue
        key = getattr(obj, field.attname)
        if key is not None:
            missing.setdefault(key, []).append(obj)
    if missing:
        wards = dict(
            field.related_model._base_manager.filter(pk__in=list(missing)).values_list(
                "pk", "ward_id"
            )
        )
        for key, rows in missing.items():
            for obj in rows:
                obj.ward_id = wards.get(key)


class WardFillingQuerySet(models.QuerySet):
    """``bulk_create`` fills the ward of each row from its parent (many-to-many ``add()`` and
    ``set()`` go through it on an explicit through model)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_wards(self.model, objs)
        return super().bulk_create(objs, *args, **kwargs)


class WardOwnedModel(models.Model):
    """A tenant row whose ward is its parent's. Subclasses name the parent foreign key in
    ``ward_parent`` and, with a queryset of their own, mix in :class:`WardFillingQuerySet`."""

    ward = models.ForeignKey(
        "wardwork.Ward",
        verbose_name=_("ward"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    ward_parent: str = ""

    objects = WardFillingQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.ward_id is None:
            fill_wards(type(self), [self])
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "ward"}
        super().save(*args, **kwargs)


def backfill_ward(apps, schema_editor, label: str, parent: str, *, history: bool = True):
    """Migrations: set ``ward_id`` of every row of ``label`` (and of its history table) from
    the parent foreign key ``parent``, in one ``UPDATE`` per table. A history row whose parent
    is gone keeps an empty ward (history tables may)."""
    model = apps.get_model(label)
    labels = [label]
    if history:
        app_label, name = label.split(".")
        with contextlib.suppress(LookupError):
            labels.append(apps.get_model(app_label, f"Historical{name}")._meta.label)
    for each in labels:
        table = apps.get_model(each)
        parent_model = model._meta.get_field(parent).related_model
        column = table._meta.get_field(parent).attname
        table._base_manager.filter(ward__isnull=True).update(
            ward_id=models.Subquery(
                parent_model._base_manager.filter(pk=models.OuterRef(column)).values("ward_id")[:1]
            )
        )
