"""Every organisation belongs to a ward (the higher committees were copied per ward in 0006):
``ward`` NOT NULL, and the uniqueness of names above wards goes (names are unique per ward)."""

import django.db.models.deletion
from django.db import migrations, models

ERRORS = {
    "blank": "Choose the ward this organisation belongs to.",
    "null": "Choose the ward this organisation belongs to.",
}
HELP_TEXT = (
    "The ward that records this organisation. A body above the ward (Quận ủy, Thành ủy) "
    "is recorded by each ward that refers to it, as a higher Party committee."
)


class Migration(migrations.Migration):
    dependencies = [
        ("wardwork", "0006_higher_committees_per_ward"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="organization",
            name="organization_unique_name_above_ward",
        ),
        migrations.AlterField(
            model_name="historicalorganization",
            name="ward",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                error_messages=ERRORS,
                help_text=HELP_TEXT,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
        migrations.AlterField(
            model_name="organization",
            name="ward",
            field=models.ForeignKey(
                error_messages=ERRORS,
                help_text=HELP_TEXT,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="organizations",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
    ]
