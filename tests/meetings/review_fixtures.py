"""A ward's quarter I/2021 whose every figure was counted by hand (see test_review_figures.py).

``make_review_world(home)`` builds, in ``home`` (units: B = home.bloc, W = home.women,
C1 = home.cell, C2 = home.other_cell):

plans      P3 10-KH/ĐU issued 01/08/2020 (III/2020), P4 25-KH/ĐU issued 01/12/2020 (IV/2020),
           P1 28-KH/ĐU issued 15/01/2021 (I/2021), P5 35-KH/ĐU issued 01/05/2021 (II/2021)
tasks      t0  P3 #1 lead W, due IV/2020; W in progress in III/2020, done in IV/2020
           t4  P4 #1 lead C1 + C2, due I/2021; C1 done in IV/2020, C2 done in I/2021
           t5  P4 #2 lead B, due 28/02/2021; B done in IV/2020
           t1  P1 #1 lead C1 + W, due IV/2021; C1 done, W in progress (50 %) in I/2021
           t2  P1 #2 lead C2 + C1, due 15/03/2021; C2 in progress (60 %), C1 in progress (30 %)
           t3  P1 #3 lead W, due 30/06/2021; no report
           t9  P1 #4 lead C2, due 31/12/2021; C2 in progress (40 %)
           t6  P1 #5 lead C1, cancelled; C1 in progress in I/2021 (ignored)
           t7  P1 #6 lead C2, assigned 20/04/2021 (after the quarter)
           t8  P5 #1 lead C1 (its plan came after the quarter)
           tk1, tk2: the tasks of the IV/2020 review meeting's conclusions (below)
           tq1, tq2: the tasks of the I/2021 review meeting's conclusions (assigned 13/04/2021)
meetings   IV/2020 review, held 12/01/2021, concluded: 1 contribution; conclusions
             K1 lead C1, support W, due I/2021 (default) -> tk1 (C1 done in I/2021)
             K2 lead B and C2, due 20/03/2021 -> tk2 (lead B, support C2; no report)
           I/2021 review (make_meeting), held 13/04/2021, concluded: 3 attendances (2 present),
             3 contributions, 2 conclusions (-> tq1 lead C1, tq2 lead B, due II/2021)
registrations of 2021 unless said (kind, status, sent in, field):
           r1 C approved 20/01/2021 Kinh tế; update I/2021
           r2 C recognised 20/12/2020 Văn minh đô thị; recognition decided 10/03/2021
           r3 C submitted 31/03/2021 23:30 Kinh tế
           r4 C not achieved 01/02/2021 Giải phóng mặt bằng
           r5 I approved 15/02/2021 Văn minh đô thị, replicates ex; updates I and II/2021
           r6 I approved 01/04/2021 00:30 (after the quarter) Kinh tế; update II/2021
           r7 C draft; r8 C returned 10/02/2021; r9 C withdrawn 05/02/2021
           r10 I submitted 05/03/2021 Kinh tế
           ex  C recognised, of 2020, sent in 01/03/2020; recognition decided 22/12/2020
``away`` (when given) gets a task, reports, a registration and a recognition in I/2021 that
must never count for ``home``. ``extra=n`` adds n more of every kind of row (for the query
counts): tasks with reports, registrations, contributions, previous conclusions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from meetings.documents import issued_document_reserve, ward_committee
from meetings.models import DocumentKind, IssuedDocument, Meeting, MeetingStatus
from meetings.services import meeting_conclude, meeting_hold
from models_registry.models import Field, RegistrationKind, RegistrationStatus
from plans.models import Plan, Task, TaskStatus
from tests.meetings.conftest import make_meeting
from tests.meetings.factories import TZ, ConclusionFactory, ContributionFactory, MeetingFactory
from tests.models_registry.factories import (
    RecognitionFactory,
    RegistrationFactory,
    RegistrationUpdateFactory,
)
from tests.plans.factories import PlanFactory, ProgressReportFactory, TaskFactory
from wardwork.quarters import Quarter

Q1 = Quarter(2021, 1)
S = RegistrationStatus
T = TaskStatus
DONE, IN_PROGRESS = T.DONE, T.IN_PROGRESS


def at(y, m, d, h=9, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


@dataclass
class ReviewWorld:
    plans: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)
    registrations: dict = field(default_factory=dict)
    previous_meeting: Meeting | None = None
    meeting: Meeting | None = None


def mark_report_generated(review, actor, when: dt.datetime | None = None) -> IssuedDocument:
    """The review's quarterly report numbered and generated (at ``when``, default now),
    without rendering it: what finalising checks."""
    with transaction.atomic():
        document = issued_document_reserve(
            actor=actor,
            kind=DocumentKind.QUARTERLY_REPORT,
            ward=review.ward,
            committee=ward_committee(review.ward),
            issued_on=dt.date(review.year, 3 * review.quarter, 28),
            year=review.year,
            quarter=review.quarter,
        )
    document.generated_at = when or timezone.now()
    document.generated_by = actor
    document.save(update_fields=["generated_at", "generated_by"])
    return document


def _plan(ward, number, issued_on) -> Plan:
    return PlanFactory(
        ward=ward,
        number=number,
        symbol=f"{number}-KH/ĐU",
        issued_on=issued_on,
        title=f"Kế hoạch số {number}",
    )


def _report(task, unit, year, quarter, status, percent=None):
    return ProgressReportFactory(
        task=task,
        organization=unit,
        year=year,
        quarter=quarter,
        status=status,
        percent=100 if status == DONE else (percent or 0),
    )


def _registration(setup, *, kind=RegistrationKind.COLLECTIVE, status, sent=None, **values):
    unit = values.pop("unit", setup.cell)
    field_name = values.pop("field", "Kinh tế")
    return RegistrationFactory(
        ward=setup.ward,
        organization=unit,
        registered_by_unit=unit,
        kind=kind,
        person=None if kind == RegistrationKind.COLLECTIVE else values.pop("person"),
        status=status,
        submitted_at=sent,
        field=Field.objects.get(name=field_name),
        **values,
    )


def make_review_world(setup, *, away=None, extra: int = 0) -> ReviewWorld:
    from tests.factories import PersonFactory

    ward = setup.ward
    B, W, C1, C2 = setup.bloc, setup.women, setup.cell, setup.other_cell
    world = ReviewWorld()
    p3 = world.plans["p3"] = _plan(ward, 10, dt.date(2020, 8, 1))
    p4 = world.plans["p4"] = _plan(ward, 25, dt.date(2020, 12, 1))
    p1 = world.plans["p1"] = _plan(ward, 28, dt.date(2021, 1, 15))
    p5 = world.plans["p5"] = _plan(ward, 35, dt.date(2021, 5, 1))

    def task(name, plan, ordinal, lead, support=(), status=T.OPEN, **due):
        world.tasks[name] = TaskFactory(
            plan=plan,
            ordinal=ordinal,
            title=f"Nhiệm vụ {name}",
            lead_organization=lead,
            supporting_organizations=list(support),
            status=status,
            **due,
        )
        return world.tasks[name]

    t0 = task("t0", p3, 1, W, status=DONE, due_quarter=Quarter(2020, 4))
    _report(t0, W, 2020, 3, IN_PROGRESS, 40)
    _report(t0, W, 2020, 4, DONE)
    t4 = task("t4", p4, 1, C1, [C2], status=DONE, due_quarter=Q1)
    _report(t4, C1, 2020, 4, DONE)
    _report(t4, C2, 2021, 1, DONE)
    t5 = task("t5", p4, 2, B, status=DONE, due_date=dt.date(2021, 2, 28))
    _report(t5, B, 2020, 4, DONE)
    t1 = task("t1", p1, 1, C1, [W], status=DONE, due_quarter=Quarter(2021, 4))
    _report(t1, C1, 2021, 1, DONE)
    _report(t1, W, 2021, 1, IN_PROGRESS, 50)
    t2 = task("t2", p1, 2, C2, [C1], status=IN_PROGRESS, due_date=dt.date(2021, 3, 15))
    _report(t2, C2, 2021, 1, IN_PROGRESS, 60)
    _report(t2, C1, 2021, 1, IN_PROGRESS, 30)
    task("t3", p1, 3, W, due_date=dt.date(2021, 6, 30))
    t9 = task("t9", p1, 4, C2, status=IN_PROGRESS, due_date=dt.date(2021, 12, 31))
    _report(t9, C2, 2021, 1, IN_PROGRESS, 40)
    t6 = task("t6", p1, 5, C1, status=T.CANCELLED, due_quarter=Q1)
    _report(t6, C1, 2021, 1, IN_PROGRESS, 10)
    task("t7", p1, 6, C2, assigned_on=dt.date(2021, 4, 20), due_quarter=Quarter(2021, 2))
    task("t8", p5, 1, C1, due_quarter=Quarter(2021, 2))

    # The IV/2020 review meeting, concluded in January: its conclusions are I/2021's tasks.
    previous = MeetingFactory(
        ward=ward,
        year=2020,
        quarter=4,
        held_at=at(2021, 1, 12, 8),
        title="Hội nghị sơ kết quý IV/2020",
    )
    ContributionFactory(meeting=previous, speaker=setup.cell_secretary.person)
    ConclusionFactory(
        meeting=previous,
        text="Tiếp tục vận động nhân dân giải phóng mặt bằng.",
        lead_organizations=[C1],
        supporting_organizations=[W],
    )
    ConclusionFactory(
        meeting=previous,
        text="Khối Dân vận giám sát việc thực hiện.",
        lead_organizations=[C2, B],
        due_date=dt.date(2021, 3, 20),
    )
    for n in range(extra):
        ConclusionFactory(meeting=previous, text=f"Kết luận thêm {n}.", lead_organizations=[C2])
    meeting_hold(actor=setup.secretary, meeting=previous)
    world.previous_meeting = meeting_conclude(actor=setup.secretary, meeting=previous)
    tk1, tk2 = (c.task for c in world.previous_meeting.conclusions.order_by("ordinal")[:2])
    world.tasks["tk1"], world.tasks["tk2"] = tk1, tk2
    _report(tk1, C1, 2021, 1, DONE)
    Task.objects.filter(pk=tk1.pk).update(status=DONE)

    # The I/2021 review meeting: three contributions, two conclusions, concluded.
    meeting = make_meeting(
        setup,
        MeetingStatus.HELD,
        title="Hội nghị sơ kết quý I/2021",
        next_period_direction="Tập trung giải phóng mặt bằng.",
    )
    ContributionFactory(meeting=meeting, speaker=setup.secretary.person)
    for _n in range(extra):
        ContributionFactory(meeting=meeting, speaker=setup.secretary.person)
    world.meeting = meeting_conclude(actor=setup.secretary, meeting=meeting)
    tq1, tq2 = (c.task for c in world.meeting.conclusions.order_by("ordinal"))
    world.tasks["tq1"], world.tasks["tq2"] = tq1, tq2

    # Registrations.
    regs = world.registrations
    ex = regs["ex"] = _registration(
        setup, status=S.RECOGNIZED, sent=at(2020, 3, 1), year=2020, unit=C2, field="Văn minh đô thị"
    )
    RecognitionFactory(registration=ex, decided_on=dt.date(2020, 12, 22))
    regs["r1"] = _registration(setup, status=S.APPROVED, sent=at(2021, 1, 20))
    RegistrationUpdateFactory(registration=regs["r1"], year=2021, quarter=1)
    regs["r2"] = _registration(
        setup, status=S.RECOGNIZED, sent=at(2020, 12, 20), unit=W, field="Văn minh đô thị"
    )
    RecognitionFactory(registration=regs["r2"], decided_on=dt.date(2021, 3, 10))
    regs["r3"] = _registration(setup, status=S.SUBMITTED, sent=at(2021, 3, 31, 23, 30))
    regs["r4"] = _registration(
        setup, status=S.NOT_ACHIEVED, sent=at(2021, 2, 1), unit=C2, field="Giải phóng mặt bằng"
    )
    individual = RegistrationKind.INDIVIDUAL
    regs["r5"] = _registration(
        setup,
        kind=individual,
        person=PersonFactory(ward=ward, organization=W),
        unit=W,
        status=S.APPROVED,
        sent=at(2021, 2, 15),
        field="Văn minh đô thị",
        replicates=ex,
    )
    RegistrationUpdateFactory(registration=regs["r5"], year=2021, quarter=1)
    RegistrationUpdateFactory(registration=regs["r5"], year=2021, quarter=2)
    regs["r6"] = _registration(
        setup,
        kind=individual,
        person=PersonFactory(ward=ward, organization=C1),
        status=S.APPROVED,
        sent=at(2021, 4, 1, 0, 30),
    )
    RegistrationUpdateFactory(registration=regs["r6"], year=2021, quarter=2)
    regs["r7"] = _registration(setup, status=S.DRAFT)
    regs["r8"] = _registration(setup, status=S.RETURNED, sent=at(2021, 2, 10))
    regs["r9"] = _registration(setup, status=S.WITHDRAWN, sent=at(2021, 2, 5))
    regs["r10"] = _registration(
        setup,
        kind=individual,
        person=PersonFactory(ward=ward, organization=C2),
        unit=C2,
        status=S.SUBMITTED,
        sent=at(2021, 3, 5),
    )

    for n in range(extra):  # more of everything: the query count must not move
        more = task(f"x{n}", p1, 10 + n, C1, [W, C2], due_date=dt.date(2021, 3, 1))
        _report(more, C1, 2021, 1, DONE)
        _report(more, W, 2020, 4, DONE)
        _report(more, C2, 2021, 2, IN_PROGRESS, 10)
        reg = _registration(setup, status=S.APPROVED, sent=at(2021, 2, 1), unit=W)
        RegistrationUpdateFactory(registration=reg, year=2021, quarter=1)
        RecognitionFactory(registration=reg, decided_on=dt.date(2021, 3, 1))

    if away is not None:
        other = TaskFactory(
            plan=_plan(away.ward, 28, dt.date(2021, 1, 15)), lead_organization=away.cell
        )
        _report(other, away.cell, 2021, 1, DONE)
        reg = _registration(away, status=S.APPROVED, sent=at(2021, 2, 1), unit=away.cell)
        RecognitionFactory(registration=reg, decided_on=dt.date(2021, 3, 1))
        RegistrationUpdateFactory(registration=reg, year=2021, quarter=1)
        make_meeting(away, MeetingStatus.CONCLUDED)
    return world
