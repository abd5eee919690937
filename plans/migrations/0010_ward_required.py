"""Every table of plans carries its ward, step 3: the ward is required and every unique
constraint includes it (Citus only enforces uniqueness that contains the distribution column).

The unique constraint of the reports now starts with the ward, so lookups by task get their
own index (report_task_unit_period_idx), and the ward's reports of a quarter by unit are
read from report_period_unit_idx, now led by the ward.
"""

import django.db.models.deletion
from django.db import migrations, models


def required_ward():
    return models.ForeignKey(
        editable=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="wardwork.ward",
        verbose_name="ward",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0009_ward_backfill"),
    ]

    operations = [
        migrations.AlterField(model_name="progressreport", name="ward", field=required_ward()),
        migrations.AlterField(
            model_name="tasksupportingorganization", name="ward", field=required_ward()
        ),
        migrations.AlterField(model_name="documentsequence", name="ward", field=required_ward()),
        # progress reports
        migrations.RemoveConstraint(
            model_name="progressreport",
            name="progress_report_one_per_task_unit_quarter",
        ),
        migrations.AddConstraint(
            model_name="progressreport",
            constraint=models.UniqueConstraint(
                fields=("ward", "task", "organization", "year", "quarter"),
                name="progress_report_one_per_task_unit_quarter",
                violation_error_message="This unit already reported on this task for the quarter.",
            ),
        ),
        migrations.AddIndex(
            model_name="progressreport",
            index=models.Index(
                fields=["task", "organization", "year", "quarter"],
                name="report_task_unit_period_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="progressreport", name="report_period_unit_idx"),
        migrations.AddIndex(
            model_name="progressreport",
            index=models.Index(
                fields=["ward", "year", "quarter", "organization"], name="report_period_unit_idx"
            ),
        ),
        # tasks
        migrations.RemoveConstraint(model_name="task", name="task_unique_ordinal_per_plan"),
        migrations.AddConstraint(
            model_name="task",
            constraint=models.UniqueConstraint(
                condition=models.Q(("plan__isnull", False)),
                fields=("ward", "plan", "ordinal"),
                name="task_unique_ordinal_per_plan",
                violation_error_message="A task with this number already exists in the plan.",
            ),
        ),
        # supporting units: the many-to-many's (task, organization) pair becomes a named
        # constraint with the ward
        migrations.AlterUniqueTogether(name="tasksupportingorganization", unique_together=set()),
        migrations.AddConstraint(
            model_name="tasksupportingorganization",
            constraint=models.UniqueConstraint(
                fields=("ward", "task", "organization"),
                name="task_supporting_organization_unique",
                violation_error_message="This unit already supports the task.",
            ),
        ),
        # document numbering
        migrations.RemoveConstraint(model_name="documentsequence", name="document_sequence_unique"),
        migrations.AddConstraint(
            model_name="documentsequence",
            constraint=models.UniqueConstraint(
                fields=("ward", "issuer", "doc_type", "term_start_year"),
                name="document_sequence_unique",
            ),
        ),
    ]
