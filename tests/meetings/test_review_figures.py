"""Every figure of a quarter against the world of ``review_fixtures.py``, counted by hand.

Units: B = home.bloc (mass mobilisation bloc), W = home.women (mass organisation),
C1 = home.cell, C2 = home.other_cell; units sort by kind then name: B, W, C1, C2.
Figures are taken on 15/06/2021, so "late" is judged on 01/04/2021 (the day after I/2021).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from meetings.review_figures import quarter_figures, review_meeting_of
from tests.meetings.review_fixtures import Q1, make_review_world
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

JUNE_15 = dt.date(2021, 6, 15)


@pytest.fixture
def world(home, away):
    return make_review_world(home, away=away)


@pytest.fixture
def figures(home, world):
    return quarter_figures(ward=home.ward, quarter=Q1, today=JUNE_15)


def _units(home):
    return {"B": home.bloc, "W": home.women, "C1": home.cell, "C2": home.other_cell}


def test_figures_are_json_safe_and_name_their_quarter(home, figures):
    assert json.loads(json.dumps(figures)) == figures
    assert figures["quarter"] == "2021-Q1"
    assert figures["label"] == "I/2021"
    assert figures["ward_id"] == home.ward.pk


def test_task_totals(figures):
    tasks = figures["tasks"]
    # Tasks of I/2021: t4 (C2 still owes it), t1, t2, t3, t9, tk1, tk2. Not: t0 and t5 (done by
    # every unit in IV/2020), t6 (cancelled), t7 and t8 (given after the quarter), tq1 and
    # tq2 (assigned at the meeting of 13/04/2021), nor anything of the other ward.
    assert tasks["total"] == 7
    # By the lead's report: done t1, tk1, and t4 (its lead C1 reported it done in IV/2020);
    # late t2 (in progress, due 15/03) and tk2 (no report, due 20/03); in progress t9;
    # not reported t3 (due 30/06, not yet late on 01/04).
    assert tasks["done"] == 3
    assert tasks["late"] == 2
    assert tasks["in_progress"] == 1
    assert tasks["not_reported"] == 1
    assert tasks["percent_done"] == 43  # 3 of 7
    # Expected reports: t4 C2; t1 C1 W; t2 C2 C1; t3 W; t9 C2; tk1 C1 W; tk2 B C2 = 11.
    # Received: C2/t4, C1/t1, W/t1, C2/t2, C1/t2, C2/t9, C1/tk1 = 7; missing W/t3, W/tk1,
    # B/tk2, C2/tk2 = 4.
    assert tasks["expected"] == 11
    assert tasks["received"] == 7
    assert tasks["missing"] == 4


def test_task_figures_per_unit(home, figures):
    u = _units(home)
    rows = figures["tasks"]["units"]
    assert [r["id"] for r in rows] == [u["B"].pk, u["W"].pk, u["C1"].pk, u["C2"].pk]
    by_id = {r["id"]: r for r in rows}
    zero = {"done": 0, "in_progress": 0, "late": 0, "not_reported": 0}

    def counts(unit, **values):
        row = by_id[unit.pk]
        got = {k: row[k] for k in ("assigned", *zero, "missing", "percent_done")}
        return got == {**zero, **values}

    # B: tk2 late (no report).
    assert counts(u["B"], assigned=1, late=1, missing=1, percent_done=0)
    # W: t1 in progress, t3 not reported (due 30/06), tk1 late (no report, due 31/03).
    assert counts(
        u["W"], assigned=3, in_progress=1, not_reported=1, late=1, missing=2, percent_done=0
    )
    # C1: t1 and tk1 done, t2 late (reported in progress); t4 no longer expected of it.
    assert counts(u["C1"], assigned=3, done=2, late=1, missing=0, percent_done=67)
    # C2: t4 done, t2 late (in progress), t9 in progress, tk2 late (no report).
    assert counts(u["C2"], assigned=4, done=1, late=2, in_progress=1, missing=1, percent_done=25)
    assert by_id[u["C1"].pk]["name"] == home.cell.display_name
    assert by_id[u["B"].pk]["kind"] == home.bloc.kind
    assert figures["tasks"]["units_missing"] == [u["B"].pk, u["W"].pk, u["C2"].pk]


def test_task_figures_per_plan_and_rows(home, world, figures):
    plans = figures["tasks"]["plans"]
    p4, p1 = world.plans["p4"], world.plans["p1"]
    # In the order the plans were issued, the meetings' tasks (no plan) last.
    assert [p["id"] for p in plans] == [p4.pk, p1.pk, None]
    zero = {"done": 0, "in_progress": 0, "late": 0, "not_reported": 0}
    assert plans[0] == {"id": p4.pk, "symbol": "25-KH/ĐU", "title": p4.title, "total": 1,
                        **zero, "done": 1}  # fmt: skip
    assert plans[1] == {"id": p1.pk, "symbol": "28-KH/ĐU", "title": p1.title, "total": 4,
                        "done": 1, "in_progress": 1, "late": 1, "not_reported": 1}  # fmt: skip
    assert plans[2] == {"id": None, "symbol": "", "title": "", "total": 2, **zero,
                        "done": 1, "late": 1}  # fmt: skip

    t = world.tasks
    rows = figures["tasks"]["rows"]
    order = ["t4", "t1", "t2", "t3", "t9", "tk1", "tk2"]
    assert [r["id"] for r in rows] == [t[name].pk for name in order]
    by_name = dict(zip(order, rows, strict=True))
    assert [by_name[n]["category"] for n in order] == [
        "done", "done", "late", "not_reported", "in_progress", "done", "late"
    ]  # fmt: skip
    assert by_name["t2"] == {
        "id": t["t2"].pk,
        "plan_id": world.plans["p1"].pk,
        "plan_symbol": "28-KH/ĐU",
        "ordinal": 2,
        "title": "Nhiệm vụ t2",
        "lead": home.other_cell.display_name,
        "lead_id": home.other_cell.pk,
        "deadline": "2021-03-15",
        "category": "late",
        "percent": 60,
        "units": [home.other_cell.display_name, home.cell.display_name],
    }
    # t4: only C2 still owes a report; its lead reported it done (100 %) in IV/2020.
    assert by_name["t4"]["units"] == [home.other_cell.display_name]
    assert by_name["t4"]["percent"] == 100
    assert by_name["t3"]["percent"] is None
    assert by_name["tk2"]["lead_id"] == home.bloc.pk
    assert by_name["tk2"]["plan_symbol"] == ""
    assert by_name["tk1"]["deadline"] == "2021-03-31"  # due I/2021: the quarter after IV/2020


def test_late_is_judged_on_today_during_the_quarter(home, world):
    """On 10/03/2021 only what was due before then is late: nothing in this world."""
    tasks = quarter_figures(ward=home.ward, quarter=Q1, today=dt.date(2021, 3, 10))["tasks"]
    # t2 (due 15/03), tk2 (20/03), tk1 (31/03) are not late yet: t2 is in progress by its
    # lead, tk2 not reported.
    assert (tasks["done"], tasks["in_progress"], tasks["late"], tasks["not_reported"]) == (
        3,
        2,
        0,
        2,
    )
    w = next(r for r in tasks["units"] if r["id"] == home.women.pk)
    assert (w["in_progress"], w["not_reported"], w["late"]) == (1, 2, 0)


def test_registrations(home, world, figures):
    reg = figures["registrations"]
    # Counted (submitted, approved, recognised, not achieved) and sent in by 31/03/2021 24:00
    # (Hà Nội time): r1 r2 r3 r4 collective, r5 r10 individual. Not: r6 (sent 01/04 00:30),
    # r7 draft, r8 returned, r9 withdrawn, ex (of 2020), the other ward's.
    assert reg["year"] == 2021
    assert (reg["collective"], reg["individual"], reg["total"]) == (4, 2, 6)
    assert (reg["collective_text"], reg["individual_text"]) == ("04", "02")
    # Sent in during the quarter: r1 r3 r4 (collective), r5 r10 (individual); r2 in 2020.
    assert (reg["new"], reg["new_collective"], reg["new_individual"]) == (5, 3, 2)
    assert reg["replications"] == 1  # r5 replicates ex
    assert reg["recognised"] == 1  # r2 on 10/03/2021 (ex's was in 2020, away's elsewhere)
    assert [(f["name"], f["count"]) for f in reg["by_field"]] == [
        ("Kinh tế", 3),  # r1 r3 r10
        ("Văn minh đô thị", 2),  # r2 r5
        ("Giải phóng mặt bằng", 1),  # r4
    ]
    assert [(s["status"], s["count"]) for s in reg["by_status"]] == [
        ("draft", 1),  # r7
        ("submitted", 2),  # r3 r10
        ("returned", 1),  # r8
        ("approved", 2),  # r1 r5 (r6 was sent after the quarter)
        ("recognized", 1),  # r2
        ("not_achieved", 1),  # r4
        ("withdrawn", 1),  # r9
    ]
    counted = {"submitted", "approved", "recognized", "not_achieved"}
    assert sum(s["count"] for s in reg["by_status"] if s["status"] in counted) == reg["total"]
    # Approved or recognised by the quarter's end owe an update: r1 r2 r5; r1 and r5 sent one.
    assert (reg["updates_expected"], reg["updates_received"]) == (3, 2)


def test_meeting(home, world, figures):
    meeting = world.meeting
    assert review_meeting_of(home.ward, Q1) == meeting
    assert figures["meeting"] == {
        "id": meeting.pk,
        "title": "Hội nghị sơ kết quý I/2021",
        "status": "concluded",
        "status_label": str(meeting.get_status_display()),
        "held_at": "2021-04-13T08:00:00+07:00",
        "held_on": "13/04/2021",
        "venue": meeting.venue,
        "contributions": 3,
        "conclusions": 2,
        "contributions_text": "03",
        "conclusions_text": "02",
        "invited": 3,
        "present": 2,
        "direction": "Tập trung giải phóng mặt bằng.",
    }


def test_no_meeting_yet(home, world):
    figures = quarter_figures(ward=home.ward, quarter=Quarter(2021, 2), today=JUNE_15)
    assert figures["meeting"] is None
    # II/2021's follow-up is the I/2021 meeting's two conclusions, neither reported yet.
    assert figures["previous_meeting_id"] == world.meeting.pk
    assert [(r["ordinal"], r["task_id"], r["reported"]) for r in figures["follow_up"]] == [
        (1, world.tasks["tq1"].pk, False),
        (2, world.tasks["tq2"].pk, False),
    ]


def test_follow_up_of_the_previous_quarter(home, world, figures):
    t = world.tasks
    assert figures["previous_meeting_id"] == world.previous_meeting.pk
    first, second = figures["follow_up"]
    assert first == {
        "ordinal": 1,
        "text": "Tiếp tục vận động nhân dân giải phóng mặt bằng.",
        "leads": [home.cell.display_name],
        "task_id": t["tk1"].pk,
        "task_status": "done",
        "task_status_label": str(dict(t["tk1"]._meta.get_field("status").choices)["done"]),
        "reported": True,
        "percent": 100,
        "deadline": "2021-03-31",
    }
    assert second["leads"] == [home.bloc.display_name, home.other_cell.display_name]
    assert (second["task_id"], second["task_status"]) == (t["tk2"].pk, "open")
    assert (second["reported"], second["percent"], second["deadline"]) == (
        False,
        None,
        "2021-03-20",
    )


def test_history_of_four_quarters(figures):
    history = figures["history"]
    assert [h["quarter"] for h in history] == ["2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1"]
    assert [h["label"] for h in history] == ["II/2020", "III/2020", "IV/2020", "I/2021"]

    def row(h):
        return (h["tasks"], h["tasks_done"], h["tasks_reported"], h["registrations"])

    # II/2020: nothing yet but ex (2020, sent 01/03/2020).
    assert row(history[0]) == (0, 0, 0, 1)
    # III/2020: t0 (P3 of 01/08/2020), in progress by its lead.
    assert row(history[1]) == (1, 0, 1, 1)
    # IV/2020: t0, t4, t5, each reported done by its lead.
    assert row(history[2]) == (3, 3, 3, 1)
    # I/2021: the quarter's own headline: 7 tasks, 3 done; the leads of t1, t2, t9 and tk1
    # reported (t6 is cancelled); 6 registrations counted.
    assert row(history[3]) == (7, 3, 4, 6)
    assert [(h["contributions"], h["conclusions"]) for h in history] == [
        (0, 0),
        (0, 0),
        (1, 2),  # the IV/2020 review meeting
        (3, 2),
    ]


def test_history_matches_each_quarters_own_figures(home, world, figures):
    for entry in figures["history"][:-1]:
        own = quarter_figures(
            ward=home.ward, quarter=Quarter.parse(entry["quarter"]), today=JUNE_15
        )
        assert (entry["tasks"], entry["tasks_done"]) == (
            own["tasks"]["total"],
            own["tasks"]["done"],
        )
        assert entry["registrations"] == own["registrations"]["total"]


def test_another_ward_sees_only_its_own(away, world):
    figures = quarter_figures(ward=away.ward, quarter=Q1, today=JUNE_15)
    assert figures["tasks"]["total"] == 1
    assert figures["registrations"]["total"] == 1
    assert figures["registrations"]["recognised"] == 1
    assert figures["meeting"]["contributions"] == 2
    assert figures["follow_up"] == []


def test_an_empty_ward(home):
    figures = quarter_figures(ward=home.ward, quarter=Q1, today=JUNE_15)
    assert figures["tasks"]["total"] == 0
    assert figures["tasks"]["percent_done"] == 0
    assert figures["tasks"]["units"] == []
    assert figures["registrations"]["total"] == 0
    assert figures["registrations"]["collective_text"] == "00"
    assert figures["meeting"] is None
    assert figures["follow_up"] == []
    assert [h["tasks"] for h in figures["history"]] == [0, 0, 0, 0]


def _queries(home, django_assert_num_queries, count):
    with django_assert_num_queries(count):
        quarter_figures(ward=home.ward, quarter=Q1, today=JUNE_15)


# The query count: the review meetings of the last four quarters with their counts (1),
# tasks (2: the tasks with their units, their reports), registrations (1: every count
# with the recognitions, grouped by field) and the follow-up (1: conclusions with their
# lead bodies and reports).
FIGURE_QUERIES = 5


def test_query_count_small(home, away, django_assert_num_queries):
    make_review_world(home, away=away)
    _queries(home, django_assert_num_queries, FIGURE_QUERIES)


def test_query_count_does_not_grow_with_the_data(home, away, django_assert_num_queries):
    make_review_world(home, away=away, extra=6)
    _queries(home, django_assert_num_queries, FIGURE_QUERIES)
