"""A higher Party committee (Quận ủy, Thành ủy) becomes a row of each ward that refers to it.

Until now such a body had no ward and every ward pointed at the same row. Citus distributes
the organisations by ward, so each ward that refers to a ward-less organisation gets its own
copy (same name, short name, kind, symbol code; its parent the ward's copy of the original's
parent), and that ward's rows are repointed to the copy. The original is then deleted: nothing
refers to it any more (a ward-less organisation nobody referred to is deleted as well).

The referring rows are found from the migration state: every concrete foreign key to
``wardwork.Organization`` of every model, auto-created many-to-many tables included. A row's
ward is its own ``ward`` column, else the path listed in ``WARD_PATHS`` (tables that reach
their ward through a parent at this point of the history), else the first foreign key path
that leads to a ward. ``plans.DocumentSequence`` (an issuer's numbering) is copied along with
its issuer. History tables are left alone: they keep the old ids, as for any deleted row.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import migrations, models
from django.utils import timezone

ORGANIZATION = "wardwork.Organization"

# How a table without its own ward column reaches it (as of the migrations this one depends on).
WARD_PATHS = {
    "plans.Task_supporting_organizations": "task__ward",
    "plans.ProgressReport": "task__ward",
    "models_registry.Recognition": "registration__ward",
    "meetings.Attendance": "meeting__ward",
    "meetings.Contribution": "meeting__ward",
    "meetings.Conclusion_lead_organizations": "conclusion__meeting__ward",
    "meetings.Conclusion_supporting_organizations": "conclusion__meeting__ward",
}

# Tables whose rows belong to the organisation they point at: copied with it, one per copy.
COPIED_WITH_THE_ORGANIZATION = {"plans.DocumentSequence": "issuer"}


def _is_history(model) -> bool:
    return model.__name__.startswith("Historical")


def _has_ward(model) -> bool:
    try:
        field = model._meta.get_field("ward")
    except Exception:  # FieldDoesNotExist
        return False
    return (
        field.concrete and field.is_relation and field.related_model._meta.label == "wardwork.Ward"
    )


def _ward_path(model, skip, depth=3) -> str | None:
    """A foreign key path from ``model`` to a ward, not through the field ``skip``."""
    if _has_ward(model):
        return "ward"
    if depth == 0:
        return None
    for field in model._meta.concrete_fields:
        if field.is_relation and field.many_to_one and field.name != skip:
            if field.related_model._meta.label == ORGANIZATION:
                continue
            rest = _ward_path(field.related_model, None, depth - 1)
            if rest:
                return f"{field.name}__{rest}"
    return None


def _references(apps):
    """(model, field, ward path or None for the rows copied with their organisation)."""
    refs = []
    for model in apps.get_models(include_auto_created=True):
        if _is_history(model):
            continue
        label = model._meta.label
        for field in model._meta.concrete_fields:
            if not (field.is_relation and field.related_model._meta.label == ORGANIZATION):
                continue
            if _has_ward(model):
                path = "ward"
            elif label in WARD_PATHS:
                path = WARD_PATHS[label]
            elif COPIED_WITH_THE_ORGANIZATION.get(label) == field.name:
                path = None
            else:
                path = _ward_path(model, field.name)
                if path is None:
                    raise RuntimeError(f"{label}.{field.name}: no way to its ward")
            refs.append((model, field, path))
    return refs


def copy_per_ward(apps, schema_editor):
    Organization = apps.get_model("wardwork", "Organization")
    orphans = {o.pk: o for o in Organization._base_manager.filter(ward__isnull=True)}
    if not orphans:
        return
    refs = _references(apps)

    # Which wards refer to each ward-less organisation …
    wards_of: dict[int, set[int]] = defaultdict(set)
    for model, field, path in refs:
        if path is None:
            continue
        pairs = (
            model._base_manager.filter(
                **{f"{field.attname}__in": list(orphans), f"{path}__isnull": False}
            )
            .values_list(field.attname, path)
            .distinct()
        )
        for org_id, ward_id in pairs:
            wards_of[org_id].add(ward_id)
    # … and, through the copies' parents, to the bodies above it (Quận ủy -> Thành ủy).
    changed = True
    while changed:
        changed = False
        for org in orphans.values():
            if org.parent_id in orphans and not wards_of[org.pk] <= wards_of[org.parent_id]:
                wards_of[org.parent_id] |= wards_of[org.pk]
                changed = True

    # One copy per (organisation, ward); a row of that ward with the same name is taken as it.
    fields = [f for f in Organization._meta.concrete_fields if not f.primary_key]
    copies: dict[tuple[int, int], object] = {}
    created = []
    for org in orphans.values():
        for ward_id in sorted(wards_of[org.pk]):
            same_name = Organization._base_manager.filter(ward_id=ward_id, name=org.name).first()
            if same_name is not None:
                copies[(org.pk, ward_id)] = same_name
                continue
            copy = Organization(**{f.attname: getattr(org, f.attname) for f in fields})
            copy.ward_id = ward_id
            copy.parent_id = None
            copy.save()
            Organization._base_manager.filter(pk=copy.pk).update(
                created_at=org.created_at, updated_at=org.updated_at
            )
            copies[(org.pk, ward_id)] = copy
            created.append((org, copy))
    for (org_id, ward_id), copy in copies.items():
        parent_id = orphans[org_id].parent_id
        if parent_id in orphans and copy.parent_id is None:
            copy.parent_id = copies[(parent_id, ward_id)].pk
            Organization._base_manager.filter(pk=copy.pk).update(parent_id=copy.parent_id)
    _record_history(apps, created)

    # Repoint each ward's rows to its copy.
    for model, field, path in refs:
        if path is None:
            continue
        for (org_id, ward_id), copy in copies.items():
            model._base_manager.filter(**{field.attname: org_id, path: ward_id}).update(
                **{field.attname: copy.pk}
            )
    for model, field, path in refs:
        if path is not None:
            continue
        keys = [
            constraint.fields
            for constraint in model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint) and field.name in constraint.fields
        ]
        rows = list(model._base_manager.filter(**{f"{field.attname}__in": list(orphans)}))
        for row in rows:
            org_id = getattr(row, field.attname)
            for ward_id in sorted(wards_of[org_id]):
                values = {
                    f.attname: getattr(row, f.attname)
                    for f in model._meta.concrete_fields
                    if not f.primary_key
                }
                values[field.attname] = copies[(org_id, ward_id)].pk
                taken = any(
                    model._base_manager.filter(
                        **{
                            model._meta.get_field(n).attname: values[
                                model._meta.get_field(n).attname
                            ]
                            for n in key
                        }
                    ).exists()
                    for key in keys
                )
                if not taken:
                    model._base_manager.create(**values)
        model._base_manager.filter(pk__in=[row.pk for row in rows]).delete()

    # The originals: nothing of a ward refers to them any more.
    left = []
    for model, field, path in refs:
        if path is None or model is Organization:
            continue
        still = model._base_manager.filter(**{f"{field.attname}__in": list(orphans)})
        if still.exists():
            left.append(f"{model._meta.label}.{field.name}: {still.count()} row(s)")
    if left:
        raise RuntimeError(
            "Rows still point at ward-less organisations, their ward unknown: " + "; ".join(left)
        )
    originals = Organization._base_manager.filter(pk__in=list(orphans))
    originals.update(parent=None)
    originals.delete()


def _record_history(apps, created) -> None:
    """A "+" history row for each copy, so its history page starts with its creation."""
    try:
        History = apps.get_model("wardwork", "HistoricalOrganization")
    except LookupError:
        return
    now = timezone.now()
    rows = []
    for org, copy in created:
        copy.refresh_from_db()
        values = {
            f.attname: getattr(copy, f.attname)
            for f in History._meta.concrete_fields
            if not f.primary_key and hasattr(copy, f.attname)
        }
        rows.append(
            History(
                **values,
                history_date=now,
                history_type="+",
                history_change_reason=f"Copy of the ward-less organisation #{org.pk}",
            )
        )
    History._base_manager.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("wardwork", "0005_position_ward"),
        ("plans", "0007_report_indexes"),
        ("models_registry", "0007_named_indexes"),
        ("meetings", "0006_named_indexes"),
    ]

    operations = [
        migrations.RunPython(copy_per_ward, migrations.RunPython.noop, elidable=True),
    ]
