"""The ward of a registration's rows is required, and every unique constraint of the
registry starts with the ward (Citus enforces only uniqueness that includes the
distribution column). Names and messages are kept."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

CHILDREN = ("registrationevent", "registrationrevision", "registrationupdate", "recognition")


class Migration(migrations.Migration):
    dependencies = [
        ("models_registry", "0008_ward_on_registration_rows"),
    ]

    operations = [
        *(
            migrations.AlterField(
                model_name=name,
                name="ward",
                field=models.ForeignKey(
                    editable=False,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to="wardwork.ward",
                    verbose_name="ward",
                ),
            )
            for name in CHILDREN
        ),
        migrations.RemoveConstraint(
            model_name="registration", name="registration_unique_title_per_unit_year"
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                condition=~Q(status="withdrawn"),
                fields=("ward", "registered_by_unit", "year", "title_key"),
                name="registration_unique_title_per_unit_year",
                violation_error_message=(
                    "This unit already registered a model with this name for the year."
                ),
            ),
        ),
        migrations.RemoveConstraint(
            model_name="registrationrevision", name="registration_revision_unique"
        ),
        migrations.AddConstraint(
            model_name="registrationrevision",
            constraint=models.UniqueConstraint(
                fields=("ward", "registration", "number"), name="registration_revision_unique"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="registrationupdate", name="registration_update_one_per_quarter"
        ),
        migrations.AddConstraint(
            model_name="registrationupdate",
            constraint=models.UniqueConstraint(
                fields=("ward", "registration", "year", "quarter"),
                name="registration_update_one_per_quarter",
                violation_error_message="This model already has an update for the quarter.",
            ),
        ),
    ]
