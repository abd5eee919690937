"""Every table of plans carries its ward, step 2: fill it from the parent row (one UPDATE per
table): a report's and a supporting unit's from the task, a numbering's from its issuer."""

from django.db import migrations

from wardwork.tenancy import backfill_ward


def fill(apps, schema_editor):
    backfill_ward(apps, schema_editor, "plans.ProgressReport", "task")
    backfill_ward(apps, schema_editor, "plans.TaskSupportingOrganization", "task")
    backfill_ward(apps, schema_editor, "plans.DocumentSequence", "issuer", history=False)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0008_ward_columns"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
