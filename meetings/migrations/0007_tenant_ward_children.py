"""The rows of a meeting and of a quarterly review carry their ward (the meeting's, the
review's), and the unique constraints of the meetings tables include it, for a Citus
distribution by ward. A conclusion's task becomes a foreign key with a unique (ward, task)
instead of a one-to-one (a unique column without the ward)."""

import django.db.models.deletion
from django.db import migrations, models

from wardwork.tenancy import backfill_ward

# model, parent foreign key, has a history table
CHILDREN = [
    ("meetingevent", "meeting", False),
    ("attendance", "meeting", True),
    ("contribution", "meeting", True),
    ("conclusion", "meeting", True),
    ("quarterlyreviewevent", "review", False),
]
NAMES = {
    "meetingevent": "MeetingEvent",
    "attendance": "Attendance",
    "contribution": "Contribution",
    "conclusion": "Conclusion",
    "quarterlyreviewevent": "QuarterlyReviewEvent",
}


def fill(apps, schema_editor):
    for model, parent, history in CHILDREN:
        backfill_ward(apps, schema_editor, f"meetings.{NAMES[model]}", parent, history=history)


def ward(*, null: bool):
    return models.ForeignKey(
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="wardwork.ward",
        verbose_name="ward",
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
        ("meetings", "0006_named_indexes"),
        ("plans", "0001_initial"),
        ("wardwork", "0005_position_ward"),
    ]

    operations = [
        *[
            migrations.AddField(model_name=model, name="ward", field=ward(null=True))
            for model, _parent, _history in CHILDREN
        ],
        *[
            migrations.AddField(model_name=f"historical{model}", name="ward", field=history_ward())
            for model, _parent, history in CHILDREN
            if history
        ],
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        *[
            migrations.AlterField(model_name=model, name="ward", field=ward(null=False))
            for model, _parent, _history in CHILDREN
        ],
        # Unique constraints with the ward first.
        migrations.RemoveConstraint(model_name="attendance", name="attendance_one_per_person"),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person__isnull", False)),
                fields=("ward", "meeting", "person"),
                name="attendance_one_per_person",
            ),
        ),
        migrations.RemoveConstraint(model_name="attendance", name="attendance_one_per_body"),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.UniqueConstraint(
                condition=models.Q(("person__isnull", True)),
                fields=("ward", "meeting", "organization"),
                name="attendance_one_per_body",
            ),
        ),
        migrations.RemoveConstraint(model_name="contribution", name="contribution_unique_ordinal"),
        migrations.AddConstraint(
            model_name="contribution",
            constraint=models.UniqueConstraint(
                fields=("ward", "meeting", "ordinal"), name="contribution_unique_ordinal"
            ),
        ),
        migrations.RemoveConstraint(model_name="conclusion", name="conclusion_unique_ordinal"),
        migrations.AddConstraint(
            model_name="conclusion",
            constraint=models.UniqueConstraint(
                fields=("ward", "meeting", "ordinal"), name="conclusion_unique_ordinal"
            ),
        ),
        # The task: a foreign key (its index stays for the lookups by task) and one
        # conclusion per task within the ward.
        migrations.AlterField(
            model_name="conclusion",
            name="task",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="conclusions",
                related_query_name="conclusion",
                to="plans.task",
                verbose_name="task",
            ),
        ),
        migrations.AddConstraint(
            model_name="conclusion",
            constraint=models.UniqueConstraint(
                fields=("ward", "task"), name="conclusion_one_per_task"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="issueddocument", name="issued_document_unique_number"
        ),
        migrations.AddConstraint(
            model_name="issueddocument",
            constraint=models.UniqueConstraint(
                fields=("ward", "issuer", "doc_type", "term_start_year", "number"),
                name="issued_document_unique_number",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="issueddocument", name="issued_document_one_per_meeting"
        ),
        migrations.AddConstraint(
            model_name="issueddocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(("meeting__isnull", False)),
                fields=("ward", "meeting", "kind"),
                name="issued_document_one_per_meeting",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="reminder", name="reminder_one_per_unit_quarter_day"
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                fields=("ward", "organization", "year", "quarter", "sent_on"),
                name="reminder_one_per_unit_quarter_day",
            ),
        ),
    ]
