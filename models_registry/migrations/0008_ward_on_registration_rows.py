"""The rows of a registration (events, revisions, quarterly updates, recognitions) carry
its ward, for a Citus distribution by ward: the column, nullable, filled from the
registration. Made NOT NULL in 0009, in its own transaction: on PostgreSQL a table whose
rows were just updated here cannot be altered before the deferred foreign-key checks of
those updates have run ("pending trigger events")."""

import django.db.models.deletion
from django.db import migrations, models

from wardwork.tenancy import backfill_ward

CHILDREN = ("RegistrationEvent", "RegistrationRevision", "RegistrationUpdate", "Recognition")


def fill(apps, schema_editor):
    for name in CHILDREN:
        backfill_ward(apps, schema_editor, f"models_registry.{name}", "registration")


def ward(**options):
    return models.ForeignKey(
        editable=False,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="wardwork.ward",
        verbose_name="ward",
        **options,
    )


def history_ward():
    return models.ForeignKey(
        blank=True,
        db_constraint=False,
        editable=False,
        null=True,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to="wardwork.ward",
        verbose_name="ward",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("models_registry", "0007_named_indexes"),
        ("wardwork", "0005_position_ward"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=name.lower(), name="ward", field=ward())
            for name in CHILDREN
        ),
        migrations.AddField(
            model_name="historicalregistrationupdate", name="ward", field=history_ward()
        ),
        migrations.AddField(model_name="historicalrecognition", name="ward", field=history_ward()),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
