"""A ward's quarter I/2021 for the quarter page tests, every figure counted by hand.

``make_page_world(home)`` builds in ``home`` (units B = home.bloc, W = home.women,
C1 = home.cell, C2 = home.other_cell; the page lists them in that order, by kind then name):

plan       P 28-KH/ĐU issued 15/01/2021
tasks      a  P #1 lead C1, support W, due 31/12/2021: C1 done, W in progress (50 %)
           b  P #2 lead C2, due 28/02/2021: no report                    -> late
           c  P #3 lead W, due 30/06/2021: W in progress (40 %)           -> in progress
           d  P #4 lead C1, due 30/06/2021: no report                    -> not reported
           e  P #5 lead B, support C2, due 15/03/2021: B in progress (20 %), C2 done -> late
           tk the task of conclusion K1 of the IV/2020 review (lead C1, due 31/03/2021):
              C1 done                                                      -> done
           per task (lead's report): 6 tasks, done a tk, in progress c, late b e,
              not reported d (33 % done); expected reports 8, received 6, missing 2 (C2/b, C1/d)
           per unit: B 1 assigned, 1 late; W 2, 2 in progress; C1 3, 2 done 1 not reported
              (1 missing, 67 %); C2 2, 1 done 1 late (1 missing, 50 %)
meetings   IV/2020 review, held 12/01/2021, concluded, conclusion K1 (-> tk)
           I/2021 review, held 13/04/2021, concluded: 3 invited (2 cell secretaries, the
              bloc member), 1 present, 03 contributions, 02 conclusions (tasks due II/2021)
reviews    IV/2020 finalised, its direction "Tập trung giải phóng mặt bằng trong quý I/2021."
registrations of 2021 unless said (kind, status, sent in, field, owner):
           r1 C approved 20/01/2021 Kinh tế C1; update I/2021
           r2 C approved 10/02/2021 Môi trường W, replicates ex
           r3 C recognised 15/12/2020 Kinh tế C2; recognition 10/03/2021; update I/2021
           r4 C submitted 20/03/2021 Môi trường C1
           r5 I submitted 05/03/2021 Kinh tế W
           r6 I approved 02/04/2021 (after the quarter) Kinh tế C1
           r7 C draft C1; r8 C returned 01/02/2021 C2
           ex C recognised of 2020, sent 01/03/2020, Môi trường C2; recognition 22/12/2020
           counted: 04 collectives (r1-r4), 01 individual (r5); new 4 (3 C, 1 I: r1 r2 r4
           r5); replications 1 (r2); recognised 1 (r3); updates expected 3 (r1 r2 r3),
           received 2 (r1 r3); by field Kinh tế 3 (r1 r3 r5), Môi trường 2 (r2 r4);
           by status draft 1, submitted 2, returned 1, approved 2, recognised 1.
``extra=n`` adds n more of every kind of row (for the query counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from meetings.models import Meeting, QuarterlyReview, ReviewStatus
from meetings.services import meeting_conclude, meeting_hold
from models_registry.models import Field, RegistrationKind, RegistrationStatus
from plans.models import Plan, TaskStatus
from tests.factories import OrganizationFactory, PersonFactory
from tests.meetings.factories import TZ, ConclusionFactory, ContributionFactory, MeetingFactory
from tests.meetings.page_fixtures import new_meeting, record
from tests.models_registry.factories import (
    RecognitionFactory,
    RegistrationFactory,
    RegistrationUpdateFactory,
)
from tests.plans.factories import PlanFactory, ProgressReportFactory, TaskFactory
from wardwork.quarters import Quarter

Q1 = Quarter(2021, 1)
Q4_2020 = Quarter(2020, 4)
S = RegistrationStatus
T = TaskStatus
PREVIOUS_DIRECTION = "Tập trung giải phóng mặt bằng trong quý I/2021."


def at(y, m, d, h=9, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


@dataclass
class PageWorld:
    plan: Plan
    tasks: dict = field(default_factory=dict)
    registrations: dict = field(default_factory=dict)
    meeting: Meeting | None = None
    previous_meeting: Meeting | None = None
    previous_review: QuarterlyReview | None = None


def report(task, unit, status, percent=None, year=2021, quarter=1):
    return ProgressReportFactory(
        task=task,
        organization=unit,
        year=year,
        quarter=quarter,
        status=status,
        percent=100 if status == T.DONE else (percent or 0),
    )


def registration(setup, *, kind=RegistrationKind.COLLECTIVE, status, sent=None, **values):
    unit = values.pop("unit", setup.cell)
    field_name = values.pop("field", "Kinh tế")
    person = None
    if kind == RegistrationKind.INDIVIDUAL:
        person = PersonFactory(ward=setup.ward, organization=unit)
    return RegistrationFactory(
        ward=setup.ward,
        organization=unit,
        registered_by_unit=unit,
        kind=kind,
        person=person,
        status=status,
        submitted_at=sent,
        field=Field.objects.get(name=field_name),
        **values,
    )


def make_plan_tasks(setup, world: PageWorld, extra: int = 0) -> None:
    B, W, C1, C2 = setup.bloc, setup.women, setup.cell, setup.other_cell
    plan = world.plan

    def task(name, ordinal, lead, support=(), **due):
        world.tasks[name] = TaskFactory(
            plan=plan,
            ordinal=ordinal,
            title=f"Nhiệm vụ {name}",
            lead_organization=lead,
            supporting_organizations=list(support),
            **due,
        )
        return world.tasks[name]

    a = task("a", 1, C1, [W], due_date=dt.date(2021, 12, 31))
    report(a, C1, T.DONE)
    report(a, W, T.IN_PROGRESS, 50)
    task("b", 2, C2, due_date=dt.date(2021, 2, 28))
    c = task("c", 3, W, due_date=dt.date(2021, 6, 30))
    report(c, W, T.IN_PROGRESS, 40)
    task("d", 4, C1, due_date=dt.date(2021, 6, 30))
    e = task("e", 5, B, [C2], due_date=dt.date(2021, 3, 15))
    report(e, B, T.IN_PROGRESS, 20)
    report(e, C2, T.DONE)
    for n in range(extra):
        unit = OrganizationFactory(ward=setup.ward, name=f"Chi bộ thêm {n}")
        more = task(f"x{n}", 10 + n, unit, [W, C2], due_date=dt.date(2021, 3, 1))
        report(more, unit, T.DONE)
        report(more, W, T.IN_PROGRESS, 10)


def make_page_world(setup, *, extra: int = 0, meeting: bool = True) -> PageWorld:
    ward = setup.ward
    W, C1, C2 = setup.women, setup.cell, setup.other_cell
    world = PageWorld(
        plan=PlanFactory(
            ward=ward,
            number=28,
            symbol="28-KH/ĐU",
            issued_on=dt.date(2021, 1, 15),
            title="Kế hoạch thực hiện Năm Dân vận khéo 2021",
        )
    )
    make_plan_tasks(setup, world, extra)

    # The IV/2020 review meeting, concluded in January: its conclusion is a task of I/2021.
    previous = MeetingFactory(
        ward=ward,
        year=2020,
        quarter=4,
        held_at=at(2021, 1, 12, 8),
        title="Hội nghị sơ kết quý IV/2020",
        next_period_direction="Hướng của hội nghị quý IV/2020.",
    )
    ConclusionFactory(
        meeting=previous,
        text="Tiếp tục vận động nhân dân giải phóng mặt bằng.",
        lead_organizations=[C1],
    )
    for n in range(extra):
        ConclusionFactory(meeting=previous, text=f"Kết luận thêm {n}.", lead_organizations=[C2])
    meeting_hold(actor=setup.secretary, meeting=previous)
    world.previous_meeting = meeting_conclude(actor=setup.secretary, meeting=previous)
    tk = world.previous_meeting.conclusions.order_by("ordinal").first().task
    world.tasks["tk"] = tk
    report(tk, C1, T.DONE)
    for n, conclusion in enumerate(world.previous_meeting.conclusions.order_by("ordinal")[1:]):
        report(conclusion.task, C2, T.DONE if n % 2 else T.IN_PROGRESS, 30)

    if meeting:
        world.meeting = make_q1_meeting(setup, extra=extra)

    regs = world.registrations
    ex = regs["ex"] = registration(
        setup, status=S.RECOGNIZED, sent=at(2020, 3, 1), year=2020, unit=C2, field="Môi trường"
    )
    RecognitionFactory(registration=ex, decided_on=dt.date(2020, 12, 22))
    regs["r1"] = registration(setup, status=S.APPROVED, sent=at(2021, 1, 20))
    RegistrationUpdateFactory(registration=regs["r1"], year=2021, quarter=1)
    regs["r2"] = registration(
        setup, status=S.APPROVED, sent=at(2021, 2, 10), unit=W, field="Môi trường", replicates=ex
    )
    regs["r3"] = registration(setup, status=S.RECOGNIZED, sent=at(2020, 12, 15), unit=C2)
    RecognitionFactory(registration=regs["r3"], decided_on=dt.date(2021, 3, 10))
    RegistrationUpdateFactory(registration=regs["r3"], year=2021, quarter=1)
    regs["r4"] = registration(setup, status=S.SUBMITTED, sent=at(2021, 3, 20), field="Môi trường")
    regs["r5"] = registration(
        setup, kind=RegistrationKind.INDIVIDUAL, status=S.SUBMITTED, sent=at(2021, 3, 5), unit=W
    )
    regs["r6"] = registration(
        setup, kind=RegistrationKind.INDIVIDUAL, status=S.APPROVED, sent=at(2021, 4, 2)
    )
    regs["r7"] = registration(setup, status=S.DRAFT)
    regs["r8"] = registration(setup, status=S.RETURNED, sent=at(2021, 2, 1), unit=C2)
    for _n in range(extra):
        more = registration(setup, status=S.APPROVED, sent=at(2021, 2, 1), unit=W, replicates=ex)
        RegistrationUpdateFactory(registration=more, year=2021, quarter=1)
        RecognitionFactory(registration=more, decided_on=dt.date(2021, 3, 1))

    # The previous quarter was finalised (last, so its lock refuses none of the rows above).
    world.previous_review = QuarterlyReview.objects.create(
        ward=ward,
        year=2020,
        quarter=4,
        meeting=world.previous_meeting,
        status=ReviewStatus.FINALIZED,
        direction_text=PREVIOUS_DIRECTION,
        finalized_at=at(2021, 1, 20),
        finalized_by=setup.secretary,
    )
    return world


def make_q1_meeting(setup, *, extra: int = 0, concluded: bool = True) -> Meeting:
    """The I/2021 review meeting through the services: 3 invited, 1 present, 03
    contributions and 02 conclusions, held and concluded."""
    meeting = new_meeting(setup, title="Hội nghị sơ kết quý I/2021")
    record(setup, meeting, contributions=3, conclusions=2)
    for _n in range(extra):
        ContributionFactory(meeting=meeting, speaker=setup.secretary.person)
    if concluded:
        meeting_hold(actor=setup.secretary, meeting=meeting)
        meeting = meeting_conclude(actor=setup.secretary, meeting=meeting)
    return Meeting.objects.get(pk=meeting.pk)
