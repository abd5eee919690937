"""Every table of plans carries its ward (Citus distributes by ward_id), step 1: the columns.

- ``Task.supporting_organizations`` gets an explicit through model, TaskSupportingOrganization,
  on the many-to-many's existing table (state only). Its history model follows the through
  model's name (simple-history): HistoricalTask_supporting_organizations is renamed to
  HistoricalTaskSupportingOrganization, rows kept.
- ``ward`` is added, empty, to the through table, the progress reports, the document
  numbering and their history tables. 0009 fills it, 0010 makes it required and puts it in
  the unique constraints (schema changes and the data update are separate migrations:
  PostgreSQL refuses ALTER TABLE while the update's deferred foreign key checks are pending).

After wardwork 0006: a higher committee is then a row of each ward that refers to it (its
numbering rows copied with it), so every issuer of a numbering has a ward to give it.
"""

import django.db.models.deletion
from django.db import migrations, models


def ward_field(**kwargs):
    return models.ForeignKey(
        editable=False,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="wardwork.ward",
        verbose_name="ward",
        **kwargs,
    )


def history_ward_field():
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
        ("plans", "0007_report_indexes"),
        ("wardwork", "0006_higher_committees_per_ward"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TaskSupportingOrganization",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="plans.task",
                                verbose_name="task",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="wardwork.organization",
                                verbose_name="supporting unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "supporting unit",
                        "verbose_name_plural": "supporting units",
                        "db_table": "plans_task_supporting_organizations",
                        # the many-to-many's own unique pair, dropped in 0010
                        "unique_together": {("task", "organization")},
                    },
                ),
                migrations.AlterField(
                    model_name="task",
                    name="supporting_organizations",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="supported_tasks",
                        through="plans.TaskSupportingOrganization",
                        to="wardwork.organization",
                        verbose_name="supporting units",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RenameModel(
            old_name="HistoricalTask_supporting_organizations",
            new_name="HistoricalTaskSupportingOrganization",
        ),
        migrations.AlterModelOptions(
            name="historicaltasksupportingorganization",
            options={"verbose_name": "HistoricalTaskSupportingOrganization"},
        ),
        # The history copies the through model's fields (labels; no tablespace now).
        migrations.AlterField(
            model_name="historicaltasksupportingorganization",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="wardwork.organization",
                verbose_name="supporting unit",
            ),
        ),
        migrations.AlterField(
            model_name="historicaltasksupportingorganization",
            name="task",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="plans.task",
                verbose_name="task",
            ),
        ),
        migrations.AddField(
            model_name="tasksupportingorganization", name="ward", field=ward_field()
        ),
        migrations.AddField(
            model_name="historicaltasksupportingorganization",
            name="ward",
            field=history_ward_field(),
        ),
        migrations.AddField(model_name="progressreport", name="ward", field=ward_field()),
        migrations.AddField(
            model_name="historicalprogressreport", name="ward", field=history_ward_field()
        ),
        migrations.AddField(model_name="documentsequence", name="ward", field=ward_field()),
    ]
