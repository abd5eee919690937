"""The many-to-many tables of meetings and conclusions carry the ward (Citus distributes by
ward): each auto-created table becomes an explicit through model on the same table and rows
(``MeetingChair``, ``MeetingReviewedPlan``, ``ConclusionLeadOrganization``,
``ConclusionSupportingOrganization``), gets a ``ward`` column filled from the meeting or the
conclusion, and its unique (owner, target) becomes unique (ward, owner, target). The
many-to-many history tables follow the new names (``HistoricalMeetingChair``...: renamed,
rows kept) and get a nullable ``ward`` filled the same way."""

import django.db.models.deletion
from django.db import migrations, models

from wardwork.tenancy import backfill_ward

THROUGH = [
    ("meetings.MeetingChair", "meeting"),
    ("meetings.MeetingReviewedPlan", "meeting"),
    ("meetings.ConclusionLeadOrganization", "conclusion"),
    ("meetings.ConclusionSupportingOrganization", "conclusion"),
]


def fill(apps, schema_editor):
    for label, parent in THROUGH:
        backfill_ward(apps, schema_editor, label, parent)
    if schema_editor.connection.vendor == "postgresql":
        # The UPDATEs left deferred foreign-key checks pending, and PostgreSQL refuses to
        # ALTER a table with pending trigger events (the NOT NULL below): run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_tenant_ward_children"),
    ]

    operations = [
        # The tables exist: the state learns their models, the database is left as it is.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MeetingChair",
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
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="chair_rows",
                                to="meetings.meeting",
                                verbose_name="meeting",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="wardwork.person",
                                verbose_name="person",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "meeting chair",
                        "verbose_name_plural": "meeting chairs",
                        "db_table": "meetings_meeting_chairs",
                        "unique_together": {("meeting", "person")},
                    },
                ),
                migrations.CreateModel(
                    name="MeetingReviewedPlan",
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
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reviewed_plan_rows",
                                to="meetings.meeting",
                                verbose_name="meeting",
                            ),
                        ),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="plans.plan",
                                verbose_name="plan",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "plan under review",
                        "verbose_name_plural": "plans under review",
                        "db_table": "meetings_meeting_reviewed_plans",
                        "unique_together": {("meeting", "plan")},
                    },
                ),
                migrations.CreateModel(
                    name="ConclusionLeadOrganization",
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
                            "conclusion",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lead_rows",
                                to="meetings.conclusion",
                                verbose_name="conclusion",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="wardwork.organization",
                                verbose_name="organisation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "lead body",
                        "verbose_name_plural": "lead bodies",
                        "db_table": "meetings_conclusion_lead_organizations",
                        "unique_together": {("conclusion", "organization")},
                    },
                ),
                migrations.CreateModel(
                    name="ConclusionSupportingOrganization",
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
                            "conclusion",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="supporting_rows",
                                to="meetings.conclusion",
                                verbose_name="conclusion",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="wardwork.organization",
                                verbose_name="organisation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "supporting body",
                        "verbose_name_plural": "supporting bodies",
                        "db_table": "meetings_conclusion_supporting_organizations",
                        "unique_together": {("conclusion", "organization")},
                    },
                ),
                migrations.AlterField(
                    model_name="meeting",
                    name="chairs",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="chaired_meetings",
                        through="meetings.MeetingChair",
                        to="wardwork.person",
                        verbose_name="chaired by",
                    ),
                ),
                migrations.AlterField(
                    model_name="meeting",
                    name="reviewed_plans",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="review_meetings",
                        through="meetings.MeetingReviewedPlan",
                        to="plans.plan",
                        verbose_name="plans under review",
                    ),
                ),
                migrations.AlterField(
                    model_name="conclusion",
                    name="lead_organizations",
                    field=models.ManyToManyField(
                        related_name="led_conclusions",
                        through="meetings.ConclusionLeadOrganization",
                        to="wardwork.organization",
                        verbose_name="lead bodies",
                    ),
                ),
                migrations.AlterField(
                    model_name="conclusion",
                    name="supporting_organizations",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="supported_conclusions",
                        through="meetings.ConclusionSupportingOrganization",
                        to="wardwork.organization",
                        verbose_name="supporting bodies",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # The history tables take the names simple-history gives them now (rows kept).
        migrations.RenameModel(
            old_name="HistoricalMeeting_chairs",
            new_name="HistoricalMeetingChair",
        ),
        migrations.RenameModel(
            old_name="HistoricalMeeting_reviewed_plans",
            new_name="HistoricalMeetingReviewedPlan",
        ),
        migrations.RenameModel(
            old_name="HistoricalConclusion_lead_organizations",
            new_name="HistoricalConclusionLeadOrganization",
        ),
        migrations.RenameModel(
            old_name="HistoricalConclusion_supporting_organizations",
            new_name="HistoricalConclusionSupportingOrganization",
        ),
        # Their verbose names, and their columns' verbose names and (empty) tablespace, as copied
        # from the through models: nothing changes in the database.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterModelOptions(
                    name="historicalmeetingchair",
                    options={"verbose_name": "HistoricalMeetingChair"},
                ),
                migrations.AlterField(
                    model_name="historicalmeetingchair",
                    name="meeting",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="meetings.meeting",
                        verbose_name="meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmeetingchair",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wardwork.person",
                        verbose_name="person",
                    ),
                ),
                migrations.AlterModelOptions(
                    name="historicalmeetingreviewedplan",
                    options={"verbose_name": "HistoricalMeetingReviewedPlan"},
                ),
                migrations.AlterField(
                    model_name="historicalmeetingreviewedplan",
                    name="meeting",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="meetings.meeting",
                        verbose_name="meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmeetingreviewedplan",
                    name="plan",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="plans.plan",
                        verbose_name="plan",
                    ),
                ),
                migrations.AlterModelOptions(
                    name="historicalconclusionleadorganization",
                    options={"verbose_name": "HistoricalConclusionLeadOrganization"},
                ),
                migrations.AlterField(
                    model_name="historicalconclusionleadorganization",
                    name="conclusion",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="meetings.conclusion",
                        verbose_name="conclusion",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalconclusionleadorganization",
                    name="organization",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wardwork.organization",
                        verbose_name="organisation",
                    ),
                ),
                migrations.AlterModelOptions(
                    name="historicalconclusionsupportingorganization",
                    options={"verbose_name": "HistoricalConclusionSupportingOrganization"},
                ),
                migrations.AlterField(
                    model_name="historicalconclusionsupportingorganization",
                    name="conclusion",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="meetings.conclusion",
                        verbose_name="conclusion",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalconclusionsupportingorganization",
                    name="organization",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wardwork.organization",
                        verbose_name="organisation",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # The ward: added empty, filled from the meeting or the conclusion, then required.
        migrations.AddField(
            model_name="meetingchair",
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
            model_name="historicalmeetingchair",
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
        migrations.AddField(
            model_name="meetingreviewedplan",
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
            model_name="historicalmeetingreviewedplan",
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
        migrations.AddField(
            model_name="conclusionleadorganization",
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
            model_name="historicalconclusionleadorganization",
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
        migrations.AddField(
            model_name="conclusionsupportingorganization",
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
            model_name="historicalconclusionsupportingorganization",
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
            model_name="meetingchair",
            name="ward",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
        migrations.AlterField(
            model_name="meetingreviewedplan",
            name="ward",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
        migrations.AlterField(
            model_name="conclusionleadorganization",
            name="ward",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
        migrations.AlterField(
            model_name="conclusionsupportingorganization",
            name="ward",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wardwork.ward",
                verbose_name="ward",
            ),
        ),
        # Unique with the ward: the (owner, target) unique Django made with the table is
        # dropped (found by its columns, whatever its name on SQLite or PostgreSQL).
        migrations.AlterUniqueTogether(
            name="meetingchair",
            unique_together=set(),
        ),
        migrations.AddConstraint(
            model_name="meetingchair",
            constraint=models.UniqueConstraint(
                fields=("ward", "meeting", "person"),
                name="meeting_chair_unique",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="meetingreviewedplan",
            unique_together=set(),
        ),
        migrations.AddConstraint(
            model_name="meetingreviewedplan",
            constraint=models.UniqueConstraint(
                fields=("ward", "meeting", "plan"),
                name="meeting_reviewed_plan_unique",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="conclusionleadorganization",
            unique_together=set(),
        ),
        migrations.AddConstraint(
            model_name="conclusionleadorganization",
            constraint=models.UniqueConstraint(
                fields=("ward", "conclusion", "organization"),
                name="conclusion_lead_organization_unique",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="conclusionsupportingorganization",
            unique_together=set(),
        ),
        migrations.AddConstraint(
            model_name="conclusionsupportingorganization",
            constraint=models.UniqueConstraint(
                fields=("ward", "conclusion", "organization"),
                name="conclusion_supporting_organization_unique",
            ),
        ),
    ]
