"""Scale data (``generate_scale_data``): tiny sizes, on SQLite and on PostgreSQL.

The command prints the rows it wrote per table, and they are the database's; the same seed
gives the same data; the data is what the app accepts (``full_clean()`` on a sample of every
model, nothing pointing across wards, document numbers that follow on); and a generated
ward's accounts have their roles and open the main pages.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from meetings.models import (
    Attendance,
    Conclusion,
    Contribution,
    IssuedDocument,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from meetings.review_models import QuarterlyReview, QuarterlyReviewEvent, ReviewStatus
from meetings.scale_data import Sizes, generate, scale_wards, term_of
from models_registry.models import (
    Recognition,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
    RegistrationUpdate,
)
from plans.models import DocumentSequence, Plan, ProgressReport, Task, TaskStatus
from plans.services import document_number_next
from wardwork.models import Organization, Person, Position, User, Ward
from wardwork.quarters import Quarter
from wardwork.roles import roles_of

pytestmark = pytest.mark.django_db

TINY = {
    "wards": 2,
    "years": 2,
    "units": 16,
    "people": 30,
    "users": 12,
    "plans": 3,
    "tasks": 3,
    "registrations": 6,
    "meetings": 6,
    "attendees": 8,
    "contributions": 2,
    "conclusions": 2,
}
OPTIONS = [f"--{name}={value}" for name, value in TINY.items()]


class Rollback(Exception):
    pass


def run_command(*extra) -> str:
    out = StringIO()
    call_command("generate_scale_data", *OPTIONS, "--force", *extra, stdout=out)
    return out.getvalue()


def printed_counts(output: str) -> dict[str, int]:
    rows = re.findall(r"^([a-z_0-9]+)\s+(\d+)$", output, re.M)
    return {table: int(n) for table, n in rows if table != "total"}


@pytest.fixture
def generated():
    output = run_command("--figures=all")
    return output


def finalized_quarters() -> set[tuple[int, int, int]]:
    return set(
        QuarterlyReview.objects.filter(status=ReviewStatus.FINALIZED).values_list(
            "ward_id", "year", "quarter"
        )
    )


# --- the command ---------------------------------------------------------------------------------
def test_printed_counts_are_the_database_rows(generated):
    counts = printed_counts(generated)
    assert counts["wardwork_ward"] == 2
    assert "Generated 2 ward(s) × 2 year(s)" in generated
    with connection.cursor() as cursor:
        for table, n in counts.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (printed table names)
            assert cursor.fetchone()[0] == n, table
    assert sum(counts.values()) == int(re.search(r"^total\s+(\d+)$", generated, re.M).group(1))
    # Every model of every app got rows.
    every_app = (Plan, Task, ProgressReport, Registration, RegistrationUpdate, Meeting,
                 Attendance, Contribution, Conclusion, QuarterlyReview, IssuedDocument)  # fmt: skip
    for model in every_app:
        assert counts[model._meta.db_table] > 0, model


def test_sizes_per_ward_follow_the_options(generated):
    ward = scale_wards().order_by("pk").first()
    assert Organization.objects.filter(ward=ward).count() == TINY["units"] + 1  # + its Quận ủy
    assert User.objects.filter(ward=ward).count() == TINY["users"]
    assert Person.objects.filter(ward=ward).count() >= TINY["people"]
    years = TINY["years"]
    assert Meeting.objects.filter(ward=ward).count() == TINY["meetings"] * years
    assert Task.objects.filter(ward=ward, plan__isnull=False).count() <= (
        TINY["plans"] * TINY["tasks"] * years
    )
    assert Registration.objects.filter(ward=ward).count() == TINY["registrations"] * years


def test_refuses_a_database_with_wards_unless_append(generated):
    with pytest.raises(CommandError, match="already holds 2 ward"):
        run_command()
    output = run_command("--append", "--wards=1")
    assert "Generated 1 ward(s)" in output
    assert scale_wards().count() == 3
    assert User.objects.filter(username="p003.bithu").exists()


def test_refuses_with_debug_off_unless_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_scale_data", *OPTIONS, stdout=StringIO())
    assert not Ward.objects.exists()


# --- repeatable -----------------------------------------------------------------------------------
SNAPSHOT_MODELS = [Ward, Organization, Person, Position, User, Plan, Task, ProgressReport,
                   Registration, RegistrationEvent, RegistrationUpdate, Recognition, Meeting,
                   Attendance, Contribution, Conclusion, QuarterlyReview, IssuedDocument,
                   DocumentSequence]  # fmt: skip


def snapshot() -> dict[str, list]:
    """Every row's own values (no keys: primary keys differ from one run to the next)."""
    out = {}
    for model in SNAPSHOT_MODELS:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and not f.is_relation and f.name not in {"figures"}
        ]
        # Each row's relations by a natural value: the ward's name, the task's title …
        rows = model.objects.values_list(*names)
        out[model.__name__] = sorted(map(repr, rows))
    return out


def test_the_same_seed_gives_the_same_data():
    sizes = Sizes(**TINY)
    snaps = []
    for _ in range(2):
        try:
            with transaction.atomic():
                generate(sizes, seed=7, figures="none")
                snaps.append(snapshot())
                raise Rollback
        except Rollback:
            pass
    assert snaps[0] == snaps[1]
    with transaction.atomic():
        generate(sizes, seed=8, figures="none")
        assert snapshot()["Person"] != snaps[0]["Person"]


# --- valid ----------------------------------------------------------------------------------------
def test_a_sample_of_every_model_passes_full_clean(generated):
    closed = finalized_quarters()

    def open_(ward_id, year, quarter):
        return (ward_id, year, quarter) not in closed

    samples = []
    for model in (Ward, Organization, Person, Position, User, Plan, Task, Registration,
                  QuarterlyReview, IssuedDocument, DocumentSequence, Recognition):  # fmt: skip
        samples += list(model.objects.order_by("?")[:15])
    samples += [
        r
        for r in ProgressReport.objects.select_related("task").order_by("?")[:60]
        if open_(r.task.ward_id, r.year, r.quarter)
    ][:15]
    samples += [
        u
        for u in RegistrationUpdate.objects.select_related("registration").order_by("?")[:60]
        if open_(u.registration.ward_id, u.year, u.quarter)
    ][:15]
    meetings = [m for m in Meeting.objects.order_by("?") if open_(m.ward_id, m.year, m.quarter)]
    assert meetings
    samples += meetings[:10]
    for model in (Attendance, Contribution, Conclusion):
        samples += list(model.objects.filter(meeting__in=meetings).order_by("?")[:10])
    kinds = {type(obj) for obj in samples}
    assert {ProgressReport, RegistrationUpdate, Meeting, Attendance, Conclusion} <= kinds
    for obj in samples:
        obj.full_clean()


def test_finalised_quarters_are_locked_and_complete(generated):
    today_quarter = Quarter.current()
    for review in QuarterlyReview.objects.select_related("meeting"):
        quarter = review.period
        assert review.meeting is not None
        if review.status == ReviewStatus.FINALIZED:
            assert quarter < today_quarter.previous()
            assert review.meeting.status == MeetingStatus.CONCLUDED
            assert review.figures and review.figures["quarter"] == quarter.slug
            assert review.finalized_at and review.finalized_by_id
            assert IssuedDocument.objects.filter(
                ward=review.ward, kind="quarterly_report", year=quarter.year,
                quarter=quarter.number,
            ).exists()  # fmt: skip
        else:
            assert quarter >= today_quarter.previous()
            assert review.status == ReviewStatus.IN_REVIEW
    assert QuarterlyReview.objects.filter(status=ReviewStatus.FINALIZED).exists()


def test_nothing_points_across_wards(generated):
    ward = "ward_id"
    assert (
        not Organization.objects.exclude(parent__ward=None).exclude(parent__ward=F(ward)).exists()
    )
    assert not Person.objects.exclude(organization__ward=F(ward)).exists()
    assert not Position.objects.exclude(organization__ward=F("person__ward")).exists()
    assert not User.objects.exclude(person__ward=F(ward)).exists()
    assert not Plan.objects.exclude(issuer__ward=None).exclude(issuer__ward=F(ward)).exists()
    assert (
        not Plan.objects.filter(implements__isnull=False).exclude(implements__ward=F(ward)).exists()
    )
    assert not Task.objects.exclude(lead_organization__ward=F(ward)).exists()
    assert not Task.objects.filter(plan__isnull=False).exclude(plan__ward=F(ward)).exists()
    assert (
        not Task.objects.exclude(supporting_organizations=None)
        .exclude(supporting_organizations__ward=F(ward))
        .exists()
    )
    assert not ProgressReport.objects.exclude(organization__ward=F("task__ward")).exists()
    for name in ("organization", "registered_by_unit"):
        assert not Registration.objects.exclude(**{f"{name}__ward": F(ward)}).exists()
    assert (
        not Registration.objects.filter(person__isnull=False).exclude(person__ward=F(ward)).exists()
    )
    assert (
        not Registration.objects.filter(replicates__isnull=False)
        .exclude(replicates__ward=F(ward), replicates__status=RegistrationStatus.RECOGNIZED)
        .exists()
    )
    assert not Meeting.objects.exclude(presenter__ward=F(ward)).exists()
    assert not Meeting.objects.exclude(chairs__ward=F(ward)).exists()
    assert not Attendance.objects.exclude(person__ward=F("meeting__ward")).exists()
    assert not Conclusion.objects.exclude(lead_organizations__ward=F("meeting__ward")).exists()
    assert not Conclusion.objects.exclude(task__ward=F("meeting__ward")).exists()
    assert not QuarterlyReview.objects.exclude(meeting__ward=F(ward)).exists()
    # The rows that carry their parent's ward (wardwork/tenancy.py) carry the right one.
    for model in (MeetingEvent, Attendance, Contribution, Conclusion):
        assert not model.objects.exclude(ward=F("meeting__ward")).exists(), model
    assert not QuarterlyReviewEvent.objects.exclude(ward=F("review__ward")).exists()


def test_statuses_follow_the_dates(generated):
    today = timezone.localdate()
    assert not Meeting.objects.filter(
        status=MeetingStatus.PLANNED, held_at__date__lt=today
    ).exists()
    for meeting in Meeting.objects.filter(status=MeetingStatus.CONCLUDED):
        assert meeting.concluded_at and meeting.events.filter(action="concluded").exists()
        assert meeting.conclusions.count() == TINY["conclusions"]
        assert all(c.task_id for c in meeting.conclusions.all())
    for task in Task.objects.filter(status=TaskStatus.DONE).prefetch_related("reports"):
        reports = list(task.reports.all())
        if reports:
            assert max(r.percent for r in reports) == 100
    for reg in Registration.objects.exclude(status=RegistrationStatus.DRAFT):
        assert reg.submitted_at
        assert reg.events.filter(action="submitted").exists()
    assert not Registration.objects.filter(
        status__in=[RegistrationStatus.APPROVED, RegistrationStatus.RECOGNIZED],
        reviewed_at__isnull=True,
    ).exists()


def test_document_numbers_follow_on(generated):
    for sequence in DocumentSequence.objects.select_related("issuer"):
        plans = Plan.objects.filter(issuer=sequence.issuer, doc_type=sequence.doc_type)
        documents = IssuedDocument.objects.filter(
            issuer=sequence.issuer,
            doc_type=sequence.doc_type,
            term_start_year=sequence.term_start_year,
        )
        used = [p.number for p in plans if term_of(p.issued_on) == sequence.term_start_year]
        used += [d.number for d in documents]
        assert used and sequence.last_number == max(used)
        # One number per document of the term.
        assert len(used) == len(set(used))
    documents = IssuedDocument.objects.values("issuer", "doc_type", "term_start_year").annotate(
        top=Max("number")
    )
    for row in documents:
        assert DocumentSequence.objects.get(
            issuer_id=row["issuer"], doc_type=row["doc_type"],
            term_start_year=row["term_start_year"],
        ).last_number == row["top"]  # fmt: skip
    committee = Organization.objects.filter(ward__in=scale_wards(), kind="ward_committee").first()
    last = IssuedDocument.objects.filter(issuer=committee, doc_type="TB").order_by("-issued_on")[0]
    top = IssuedDocument.objects.filter(
        issuer=committee, doc_type="TB", term_start_year=last.term_start_year
    ).aggregate(m=Max("number"))["m"]
    assert document_number_next(issuer=committee, doc_type="TB", on=last.issued_on) == top + 1


# --- the accounts and the pages -------------------------------------------------------------------
def test_generated_accounts_have_their_roles(generated):
    secretary = User.objects.get(username="p001.bithu")
    assert roles_of(secretary).is_ward_secretary and roles_of(secretary).is_ward_staff
    assert roles_of(User.objects.get(username="p001.vp1")).is_ward_staff
    assert roles_of(User.objects.get(username="p001.dvk")).is_mass_mobilization_member
    cell = roles_of(User.objects.get(username="p001.cb01"))
    assert cell.managed_unit_ids and not cell.sees_whole_ward
    assert User.objects.get(username="p001.cb01").check_password("wardwork-demo-2021")


def test_a_generated_ward_opens_its_main_pages(client, generated):
    secretary = User.objects.get(username="p001.bithu")
    ward = secretary.ward
    client.force_login(secretary)
    current = Quarter.current()
    finalized = QuarterlyReview.objects.filter(ward=ward, status=ReviewStatus.FINALIZED).first()
    plan = Plan.objects.filter(ward=ward, issuer__ward=ward).first()
    meeting = Meeting.objects.filter(ward=ward, status=MeetingStatus.CONCLUDED).first()
    registration = Registration.objects.filter(ward=ward).first()
    urls = [
        f"/quarters/{current.slug}/",
        f"/quarters/{finalized.period.slug}/",
        "/models/",
        "/models/?status=approved&q=rac",
        f"/models/{registration.pk}/",
        f"/plans/{plan.pk}/",
        "/plans/progress/",
        f"/meetings/{meeting.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(User.objects.get(username="p001.cb01"))
    assert client.get("/quarters/my-unit/").status_code == 200
    assert client.get("/plans/my-tasks/").status_code == 200
