"""The world of the authorization matrix (tests/test_authorization_matrix.py): two wards,
each with one object of every kind a URL or an admin page can point at, and the ward admin
group of the demo given to the ward staff who use the admin.

Everything is built through the app fixtures the per-app tests use (make_ward_setup,
make_plans, make_registry, make_meeting), so the objects are in the states those tests know.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from meetings import demo as meetings_demo
from meetings.documents import issued_document_reserve
from meetings.models import (
    Attendance,
    Conclusion,
    Contribution,
    DocumentKind,
    DocumentTemplate,
    IssuedDocument,
    Meeting,
    MeetingStatus,
    QuarterlyReview,
    Reminder,
)
from meetings.review_services import review_get_or_create
from models_registry import demo as registry_demo
from plans import demo as plans_demo
from tests.conftest import WardSetup, make_ward_setup
from tests.factories import UserFactory
from tests.meetings.conftest import make_meeting
from tests.models_registry.conftest import RegistrySetup, make_registry
from tests.plans.conftest import PlanSetup, make_plans
from wardwork import demo as wardwork_demo
from wardwork.demo import WARD_ADMIN_GROUP, DemoLoader
from wardwork.quarters import Quarter

Q1 = Quarter(2021, 1)


@dataclass
class WardObjects:
    """One ward's users (``setup``) and one object of each kind the URLs take."""

    setup: WardSetup
    plans: PlanSetup
    registry: RegistrySetup
    planned: Meeting
    held: Meeting
    concluded: Meeting
    attendance: Attendance  # of ``held``
    contribution: Contribution  # of ``held``
    conclusion: Conclusion  # of ``held``
    review: QuarterlyReview  # I/2021, open
    reminder: Reminder
    issued: IssuedDocument  # the minutes of ``concluded``
    template: DocumentTemplate  # not in use

    @property
    def ward(self):
        return self.setup.ward


@dataclass
class World:
    home: WardObjects
    away: WardObjects
    superuser: object
    ward_admins: Group


def _ward_objects(setup: WardSetup) -> WardObjects:
    plans = make_plans(setup)
    registry = make_registry(setup)
    planned = make_meeting(setup, MeetingStatus.PLANNED, title="Giao ban Khối Dân vận tháng 4")
    held = make_meeting(setup, MeetingStatus.HELD, title="Hội nghị sơ kết quý I/2021")
    concluded = make_meeting(setup, MeetingStatus.CONCLUDED, title="Hội nghị tọa đàm")
    issued = issued_document_reserve(
        actor=setup.secretary,
        kind=DocumentKind.MINUTES,
        ward=setup.ward,
        committee=setup.committee,
        issued_on=dt.date(2021, 4, 6),
        meeting=concluded,
        title=concluded.title,
    )
    template = DocumentTemplate.objects.create(
        kind=DocumentKind.MINUTES,
        ward=setup.ward,
        name="Mẫu biên bản cũ",
        file=ContentFile(b"PK\x03\x04 not in use", name="mau.docx"),
        is_active=False,
        uploaded_by=setup.staff,
    )
    return WardObjects(
        setup=setup,
        plans=plans,
        registry=registry,
        planned=planned,
        held=held,
        concluded=concluded,
        attendance=held.attendances.order_by("pk").first(),
        contribution=held.contributions.order_by("pk").first(),
        conclusion=held.conclusions.order_by("pk").first(),
        review=review_get_or_create(ward=setup.ward, quarter=Q1, actor=setup.secretary),
        reminder=Reminder.objects.create(
            ward=setup.ward,
            organization=setup.cell,
            year=2021,
            quarter=1,
            sent_by=setup.secretary,
            recipients=setup.cell_secretary.person.full_name,
            missing_reports=1,
        ),
        issued=issued,
        template=template,
    )


def _ward_admin_group() -> Group:
    """The demo's "Quản trị phường" group, with the permissions every app grants it."""
    loader = DemoLoader()
    wardwork_demo._ensure_ward_admin_group(loader)
    plans_demo._grant_ward_admins(loader)
    registry_demo._grant_ward_admins(loader)
    meetings_demo._grant_ward_admins(loader)
    return Group.objects.get(name=WARD_ADMIN_GROUP)


def _axes_rows() -> None:
    """One row of each django-axes model, so their admin pages have an object to open."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    values = {"user_agent": "pytest", "ip_address": "10.0.0.1", "username": "someone"}
    AccessAttempt.objects.create(**values, failures_since_start=1)
    AccessLog.objects.create(**values)
    AccessFailureLog.objects.create(**values)


def make_world() -> World:
    home = _ward_objects(make_ward_setup("Phường Phúc Đồng"))
    away = _ward_objects(make_ward_setup("Phường Sài Đồng"))
    group = _ward_admin_group()
    for user in (home.setup.staff, home.setup.secretary, away.setup.secretary):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(group)
    _axes_rows()
    superuser = UserFactory(
        username="root", ward=None, person=None, is_superuser=True, is_staff=True
    )
    return World(home=home, away=away, superuser=superuser, ward_admins=group)
