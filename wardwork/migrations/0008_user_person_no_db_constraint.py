"""Accounts are a global table (a Citus reference table), which may not reference a
distributed one: ``User.person`` keeps its one-to-one but loses the database constraint."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wardwork", "0007_organization_ward_required"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="person",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="user",
                to="wardwork.person",
                verbose_name="person",
            ),
        ),
    ]
