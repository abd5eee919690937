"""Position carries its ward (the person's), for a Citus distribution by ward."""

import django.db.models.deletion
from django.db import migrations, models

from wardwork.tenancy import backfill_ward


def fill(apps, schema_editor):
    backfill_ward(apps, schema_editor, "wardwork.Position", "person")


class Migration(migrations.Migration):
    dependencies = [
        ("wardwork", "0004_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="position",
            name="ward",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
        migrations.AddField(
            model_name="historicalposition",
            name="ward",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="position",
            name="ward",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
    ]
