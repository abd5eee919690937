"""The unit's quarter ("what my unit owes this quarter"), the city view and the home page's
redirect per role: content against hand-counted fixtures, permissions per URL and role,
ward isolation and query counts that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse

from meetings.models import Meeting, MeetingStatus, QuarterlyReview, ReviewStatus
from meetings.review_figures import quarter_figures
from meetings.selectors import task_conclusion
from models_registry.models import RegistrationStatus
from plans.models import Task, TaskStatus
from tests.factories import PositionFactory, WardFactory
from tests.meetings.conftest import make_meeting
from tests.meetings.factories import ContributionFactory, MeetingFactory
from tests.models_registry.factories import RegistrationFactory, RegistrationUpdateFactory
from tests.plans.factories import PlanFactory, ProgressReportFactory, TaskFactory
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Q1 = Quarter(2021, 1)
S = RegistrationStatus


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_kept_city_figures():
    """The city view keeps its figures a while (per set of wards, quarter and day): each
    test starts without the ones an earlier test computed."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Owed:
    """Quarter I/2021 of ``home`` (see ``make_owed``)."""

    t1: Task
    t2: Task
    t3: Task
    t4: Task
    t5: Task
    t6: Task
    c1: Task  # conclusion 1 of the meeting of 20/02/2021: lead cell, supporting women
    c2: Task  # conclusion 2: lead bloc, supporting other_cell
    conclusion_meeting: Meeting
    review_meeting: Meeting  # the review meeting of I/2021 (the latest of two)
    registrations: dict


def make_owed(setup) -> Owed:
    """Counted by hand, for ``setup.cell`` in quarter I/2021 (judged on 01/04/2021):

    tasks (plan issued 10/01/2021):
      t1 lead cell, supporting women, due 15/03/2021, no report        -> cell owes it, late
      t2 lead other_cell (reported done), supporting cell (reported)   -> cell has reported
      t3 lead cell, reported done in IV/2020                           -> nothing more to report
      t4 lead cell, cancelled                                          -> not listed
      t5 lead cell, plan issued 13/04/2021                             -> not live in I/2021
      t6 lead women (reported, in progress), no deadline               -> not the cell's
      c1, c2: the tasks of the two conclusions of a meeting held 20/02/2021, due I/2021
        c1 lead cell, supporting women, no report                      -> cell owes it, late
        c2 lead bloc, supporting other_cell                            -> not the cell's
    => the cell: 4 tasks listed (t1, t2, c1 missing; t2 reported), 2 reports missing,
       1 conclusion (c1, open).
    registrations owned by the cell: r_new approved 2021 no update, r_done recognised 2021
    updated for I/2021, r_old_update approved 2021 updated for IV/2020 only, r_person
    approved individual 2021 no update, r_draft draft, r_2020 approved of 2020;
    other_cell: r_other approved 2021; a submission of 02/05/2021 (sent after I/2021).
    => the cell: 4 models listed, 3 to update (r_new, r_old_update, r_person).
    """
    plan = PlanFactory(ward=setup.ward, issued_on=dt.date(2021, 1, 10))
    later_plan = PlanFactory(ward=setup.ward, issued_on=dt.date(2021, 4, 13))
    t1 = TaskFactory(
        plan=plan,
        title="Tuyên truyền giải phóng mặt bằng",
        lead_organization=setup.cell,
        supporting_organizations=[setup.women],
        due_date=dt.date(2021, 3, 15),
    )
    t2 = TaskFactory(
        plan=plan,
        title="Vận động hiến đất mở đường",
        lead_organization=setup.other_cell,
        supporting_organizations=[setup.cell],
    )
    ProgressReportFactory(task=t2, status=TaskStatus.DONE, percent=100)
    ProgressReportFactory(task=t2, organization=setup.cell, status=TaskStatus.IN_PROGRESS)
    t3 = TaskFactory(plan=plan, title="Kiện toàn tổ tự quản", lead_organization=setup.cell)
    ProgressReportFactory(task=t3, year=2020, quarter=4, status=TaskStatus.DONE, percent=100)
    t4 = TaskFactory(
        plan=plan, title="Việc đã hủy", lead_organization=setup.cell, status=TaskStatus.CANCELLED
    )
    t5 = TaskFactory(plan=later_plan, title="Việc của quý sau", lead_organization=setup.cell)
    t6 = TaskFactory(plan=plan, title="Phụ nữ giữ gìn vệ sinh", lead_organization=setup.women)
    ProgressReportFactory(task=t6, status=TaskStatus.IN_PROGRESS, percent=40)

    conclusion_meeting = make_meeting(
        setup,
        MeetingStatus.CONCLUDED,
        year=2020,
        quarter=4,
        held_at=dt.datetime(2021, 2, 20, 8, 0, tzinfo=TZ),
    )
    c1, c2 = (c.task for c in conclusion_meeting.conclusions.order_by("ordinal"))
    # Two review meetings of I/2021: the page shows the latest (2 contributions, 2 conclusions).
    MeetingFactory(
        ward=setup.ward, held_at=dt.datetime(2021, 4, 5, 8, 0, tzinfo=TZ), title="Họp trù bị"
    )
    review_meeting = make_meeting(setup, MeetingStatus.HELD)

    r = {
        "new": RegistrationFactory(
            ward=setup.ward, organization=setup.cell, status=S.APPROVED, title="Mô hình mới"
        ),
        "done": RegistrationFactory(
            ward=setup.ward, organization=setup.cell, status=S.RECOGNIZED, title="Mô hình đã báo"
        ),
        "old_update": RegistrationFactory(
            ward=setup.ward, organization=setup.cell, status=S.APPROVED, title="Mô hình quý trước"
        ),
        "person": RegistrationFactory(
            ward=setup.ward,
            organization=setup.cell,
            individual=True,
            status=S.APPROVED,
            title="Mô hình cá nhân",
        ),
        "draft": RegistrationFactory(
            ward=setup.ward, organization=setup.cell, status=S.DRAFT, title="Mô hình nháp"
        ),
        "2020": RegistrationFactory(
            ward=setup.ward,
            organization=setup.cell,
            status=S.APPROVED,
            year=2020,
            title="Mô hình năm trước",
        ),
        "other": RegistrationFactory(
            ward=setup.ward,
            organization=setup.other_cell,
            status=S.APPROVED,
            title="Mô hình chi bộ khác",
        ),
        "late_submission": RegistrationFactory(
            ward=setup.ward,
            organization=setup.other_cell,
            status=S.SUBMITTED,
            submitted_at=dt.datetime(2021, 5, 2, 9, 0, tzinfo=TZ),
            title="Mô hình gửi muộn",
        ),
    }
    RegistrationUpdateFactory(registration=r["done"])
    RegistrationUpdateFactory(registration=r["old_update"], year=2020, quarter=4)
    return Owed(t1, t2, t3, t4, t5, t6, c1, c2, conclusion_meeting, review_meeting, registrations=r)


@pytest.fixture
def owed(home) -> Owed:
    return make_owed(home)


def _my_unit(client, quarter=Q1):
    return client.get(reverse("quarters:my_unit_quarter", args=[quarter]))


def _city(client, quarter=Q1):
    return client.get(reverse("quarters:city_quarter", args=[quarter]))


def _attr(html: str, testid: str, name: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*\b{name}="([^"]*)"', html)
    assert match, f"{testid} {name} not found"
    return match.group(1)


def _items(html: str, testid: str, key: str) -> dict[int, str]:
    """``data-<key>`` id -> the element's markup up to the next item, for each item."""
    parts = re.split(rf'(?=data-testid="{testid}")', html)[1:]
    return {int(re.search(rf'data-{key}="(\d+)"', p).group(1)): p for p in parts}


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# --- the unit's quarter: content ----------------------------------------------------------------


def test_my_unit_lists_what_the_cell_owes(client, home, owed):
    client.force_login(home.cell_secretary)
    response = _my_unit(client)
    assert response.status_code == 200
    html = response.content.decode()
    data = response.context["data"]
    assert [s.unit for s in data.sections] == [home.cell]
    section = data.sections[0]
    assert [t.task for t in section.tasks] == [owed.t1, owed.t2, owed.c1]
    assert (data.missing_reports, data.models_to_update, data.open_conclusions) == (2, 3, 1)
    # The page says the same at the top.
    assert _attr(html, "owed-counts", "data-missing-reports") == "2"
    assert _attr(html, "owed-counts", "data-models-to-update") == "3"
    assert _attr(html, "owed-counts", "data-open-conclusions") == "1"

    tasks = _items(html, "unit-task", "task")
    assert set(tasks) == {owed.t1.pk, owed.t2.pk, owed.c1.pk}
    for pk in (owed.t3.pk, owed.t4.pk, owed.t5.pk, owed.t6.pk, owed.c2.pk):
        assert f'data-task="{pk}"' not in html
    assert 'data-reported="no"' in tasks[owed.t1.pk] and 'data-late="yes"' in tasks[owed.t1.pk]
    assert 'data-reported="yes"' in tasks[owed.t2.pk] and "data-late" not in tasks[owed.t2.pk]
    assert 'data-late="yes"' in tasks[owed.c1.pk]  # due end of I/2021, no report
    # Each task links to the form where the unit reports on it for this quarter.
    report_url = f"{reverse('plans:my_tasks')}?quarter=2021-Q1#task-{owed.t1.pk}-{home.cell.pk}"
    assert f'href="{report_url}"' in tasks[owed.t1.pk]

    models = _items(html, "unit-model", "registration")
    r = owed.registrations
    assert set(models) == {r["new"].pk, r["done"].pk, r["old_update"].pk, r["person"].pk}
    assert 'data-updated="yes"' in models[r["done"].pk]
    for key in ("new", "old_update", "person"):
        assert 'data-updated="no"' in models[r[key].pk]
    update_url = reverse("models_registry:update", args=[r["new"].pk]) + "?quarter=2021-Q1"
    assert f'href="{update_url}"' in models[r["new"].pk]

    conclusions = _items(html, "unit-conclusion", "conclusion")
    conclusion = task_conclusion(owed.c1)
    assert set(conclusions) == {conclusion.pk}
    assert 'data-open="yes"' in conclusions[conclusion.pk]
    assert "Tiếp tục đẩy mạnh tuyên truyền Kế hoạch số 18-KH/QU." in html
    assert reverse("meetings:meeting_detail", args=[owed.conclusion_meeting.pk]) in html


def test_my_unit_counts_read_as_a_sentence(client, home, owed):
    client.force_login(home.cell_secretary)
    _english(client)
    html = _my_unit(client).content.decode()
    counts = re.search(r'data-testid="owed-counts"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert " ".join(counts.split()) == (
        "2 reports missing, 3 models to update, 1 conclusion to carry out"
    )


def test_a_supporting_unit_sees_its_share(client, home, owed):
    """The women's union supports t1 and conclusion 1 and leads t6 (reported)."""
    client.force_login(home.mass_head)
    data = _my_unit(client).context["data"]
    section = data.sections[0]
    assert section.unit == home.women
    assert {t.task for t in section.tasks} == {owed.t1, owed.t6, owed.c1}
    assert {t.task for t in section.tasks if t.report is None} == {owed.t1, owed.c1}
    assert not any(t.row.is_lead for t in section.tasks if t.task != owed.t6)
    assert (data.missing_reports, data.models_to_update, data.open_conclusions) == (2, 0, 1)


def test_a_done_conclusion_is_listed_but_not_owed(client, home, owed):
    Task.objects.filter(pk=owed.c1.pk).update(status=TaskStatus.DONE)
    client.force_login(home.cell_secretary)
    response = _my_unit(client)
    assert response.context["data"].open_conclusions == 0
    assert 'data-open="no"' in response.content.decode()


def test_another_quarter_shows_its_own_debts(client, home, owed):
    """In II/2021 nothing of 2021 is updated yet and t5 (issued 13/04/2021) comes in."""
    client.force_login(home.cell_secretary)
    data = _my_unit(client, Quarter(2021, 2)).context["data"]
    section = data.sections[0]
    assert owed.t5 in {t.task for t in section.tasks}
    assert data.models_to_update == 4
    assert section.tasks and all(t.report is None for t in section.tasks)


def test_my_unit_defaults_to_the_working_quarter(client, home, owed):
    QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.IN_REVIEW
    )
    client.force_login(home.cell_secretary)
    response = client.get(reverse("quarters:my_unit"))
    assert response.context["quarter"] == Q1
    html = response.content.decode()
    assert 'data-testid="quarter-label">Quý I/2021<' in html
    assert f'href="{reverse("quarters:my_unit_quarter", args=["2020-Q4"])}"' in html
    assert f'href="{reverse("quarters:my_unit_quarter", args=["2021-Q2"])}"' in html


def test_a_finalised_quarter_says_so_and_offers_no_action(client, home, owed):
    client.force_login(home.cell_secretary)
    html = _my_unit(client).content.decode()
    assert 'data-testid="quarter-finalized"' not in html
    assert 'data-testid="report-link"' in html and 'data-testid="update-link"' in html

    QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.FINALIZED
    )
    html = _my_unit(client).content.decode()
    assert 'data-testid="quarter-finalized"' in html
    assert 'data-testid="report-link"' not in html
    assert 'data-testid="update-link"' not in html
    assert 'data-testid="unit-task"' in html  # what was owed still shows


@pytest.mark.parametrize("role", ["staff", "dvk"])
def test_ward_staff_without_a_unit_get_the_ward_quarter(client, home, owed, role):
    client.force_login(getattr(home, role))
    response = _my_unit(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="no-unit"' in html
    assert f'href="{reverse("quarters:page", args=[Q1])}"' in html
    assert response.context["data"].sections == []


def test_a_plain_account_gets_a_message_without_ward_links(client, home, owed):
    client.force_login(home.plain)
    html = _my_unit(client).content.decode()
    assert 'data-testid="no-unit"' in html
    assert 'data-testid="ward-quarter-link"' not in html
    assert owed.t1.title not in html


def test_away_units_never_see_home_data(client, home, away, owed):
    away_plan = PlanFactory(ward=away.ward, issued_on=dt.date(2021, 1, 10))
    away_task = TaskFactory(plan=away_plan, title="Việc của Sài Đồng", lead_organization=away.cell)
    client.force_login(away.cell_secretary)
    response = _my_unit(client)
    html = response.content.decode()
    assert [t.task for t in response.context["data"].sections[0].tasks] == [away_task]
    for text in (owed.t1.title, owed.t2.title, "Mô hình mới", "Tiếp tục đẩy mạnh tuyên truyền"):
        assert text not in html
    assert home.cell.name not in html


def test_the_other_cell_sees_only_its_own(client, home, owed):
    client.force_login(home.other_cell_secretary)
    data = _my_unit(client).context["data"]
    section = data.sections[0]
    assert section.unit == home.other_cell
    assert {t.task for t in section.tasks} == {owed.t2, owed.c2}
    assert [r.pk for r in section.registrations] == [owed.registrations["other"].pk]
    assert data.missing_reports == 1  # c2; t2 reported done


@pytest.mark.parametrize("slug", ["1900-Q1", "9999-Q4"])
def test_a_quarter_at_the_edge_of_time_is_not_found(client, home, superuser, slug):
    client.force_login(home.cell_secretary)
    assert client.get(f"/quarters/my-unit/{slug}/").status_code == 404
    client.force_login(superuser)
    assert client.get(f"/quarters/city/{slug}/").status_code == 404


# --- the city view ------------------------------------------------------------------------------


AWAY_SNAPSHOT_TASKS = {
    "total": 7,
    "done": 5,
    "late": 1,
    "expected": 10,
    "received": 9,
    "missing": 1,
}


def _finalise_away(away):
    """A finalised I/2021 in ``away``: its snapshot, not its live data, is what counts."""
    meeting = MeetingFactory(ward=away.ward, status=MeetingStatus.CONCLUDED)
    plan = PlanFactory(ward=away.ward, issued_on=dt.date(2021, 1, 10))
    TaskFactory(plan=plan, lead_organization=away.cell)  # live data the snapshot ignores
    QuarterlyReview.objects.create(
        ward=away.ward,
        year=2021,
        quarter=1,
        status=ReviewStatus.FINALIZED,
        meeting=meeting,
        figures={
            "tasks": AWAY_SNAPSHOT_TASKS,
            "registrations": {"collective": 12, "individual": 2},
            "meeting": {
                "id": meeting.pk,
                "title": meeting.title,
                "status": "concluded",
                "held_at": "2021-04-13T08:00:00+07:00",
                "contributions": 4,
                "conclusions": 3,
            },
        },
    )
    return meeting


def test_city_view_one_row_per_ward_with_its_figures(client, home, away, owed, superuser):
    """``home`` live (counted by hand from make_owed), ``away`` finalised (its snapshot),
    Gia Thụy never opened and empty.

    home, I/2021: tasks t1, t2, t6, c1, c2 = 5; done: t2 (lead reported done) = 1; late:
    t1, c1, c2 = 3; reports expected t1 2 + t2 2 + t6 1 + c1 2 + c2 2 = 9, received t2 2 +
    t6 1 = 3, missing 6; registrations counted: collective new, done, old_update, other = 4,
    individual person = 1; review meeting: the held one of 13/04 with 02 and 02.
    """
    QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.IN_REVIEW
    )
    away_meeting = _finalise_away(away)
    gia_thuy = WardFactory(name="Phường Gia Thụy")
    client.force_login(superuser)
    response = _city(client)
    assert response.status_code == 200
    rows = {r.ward: r for r in response.context["data"].rows}
    assert list(rows) == [gia_thuy, home.ward, away.ward]  # by name: Gia, Phúc, Sài

    h = rows[home.ward]
    assert h.review_status == ReviewStatus.IN_REVIEW and not h.from_snapshot
    assert (h.tasks_total, h.tasks_done, h.tasks_late) == (5, 1, 3)
    assert (h.reports_expected, h.reports_received, h.reports_missing) == (9, 3, 6)
    assert (h.collective, h.individual) == (4, 1)
    assert h.meeting["id"] == owed.review_meeting.pk and h.meeting["status"] == "held"
    assert (h.contributions, h.conclusions) == (2, 2)

    a = rows[away.ward]
    assert a.review_status == ReviewStatus.FINALIZED and a.from_snapshot
    assert (a.tasks_total, a.tasks_done, a.tasks_late) == (7, 5, 1)
    assert (a.reports_expected, a.reports_received, a.reports_missing) == (10, 9, 1)
    assert (a.collective, a.individual, a.contributions, a.conclusions) == (12, 2, 4, 3)
    assert a.meeting["id"] == away_meeting.pk

    g = rows[gia_thuy]
    assert g.review_status is None and g.meeting is None
    assert (g.tasks_total, g.reports_expected, g.collective) == (0, 0, 0)

    totals = response.context["data"].totals
    assert {k: totals[k] for k in ("tasks_total", "tasks_done", "tasks_late")} == {
        "tasks_total": 12,
        "tasks_done": 6,
        "tasks_late": 4,
    }
    assert (totals["reports_expected"], totals["reports_received"]) == (19, 12)
    assert totals["reports_missing"] == 7
    assert (totals["collective"], totals["individual"]) == (16, 3)
    assert (totals["contributions"], totals["conclusions"], totals["meetings"]) == (6, 5, 2)
    assert totals["by_status"]["finalized"] == 1 and totals["by_status"]["in_review"] == 1
    assert totals["not_opened"] == 1

    html = response.content.decode()
    home_row = _items(html, "ward-row", "ward")[home.ward.pk]
    assert f'href="{reverse("quarters:page", args=[Q1])}?ward={home.ward.pk}"' in home_row
    assert 'data-testid="reports">3/9<' in home_row
    assert 'data-testid="contributions">02<' in home_row
    assert 'data-status="in_review"' in home_row
    assert 'data-status="none"' in _items(html, "ward-row", "ward")[gia_thuy.pk]
    footer = html.split('data-testid="totals-row"')[1]
    assert 'data-testid="tasks-total">12<' in footer
    assert 'data-testid="reports">12/19<' in footer


def test_city_figures_match_the_quarter_page(client, home, owed, superuser):
    """The grouped aggregates say what ``quarter_figures`` says for the same ward."""
    client.force_login(superuser)
    for quarter in (Quarter(2020, 4), Q1, Quarter(2021, 2)):
        row = _city(client, quarter).context["data"].rows[0]
        figures = quarter_figures(ward=home.ward, quarter=quarter)
        tasks, registrations = figures["tasks"], figures["registrations"]
        assert (row.tasks_total, row.tasks_done, row.tasks_late) == (
            tasks["total"],
            tasks["done"],
            tasks["late"],
        ), quarter
        assert (row.reports_expected, row.reports_received, row.reports_missing) == (
            tasks["expected"],
            tasks["received"],
            tasks["missing"],
        ), quarter
        assert (row.collective, row.individual) == (
            registrations["collective"],
            registrations["individual"],
        ), quarter
        meeting = figures["meeting"]
        assert (row.meeting or {}).get("id") == (meeting or {}).get("id"), quarter
        assert (row.contributions, row.conclusions) == (
            (meeting["contributions"], meeting["conclusions"]) if meeting else (0, 0)
        ), quarter


def test_a_task_every_unit_finished_earlier_is_not_counted(client, home, superuser):
    plan = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 1, 10))
    finished = TaskFactory(
        plan=plan, lead_organization=home.cell, supporting_organizations=[home.women]
    )
    half = TaskFactory(
        plan=plan, lead_organization=home.cell, supporting_organizations=[home.women]
    )
    for task in (finished, half):
        ProgressReportFactory(task=task, year=2020, quarter=4, status=TaskStatus.DONE)
    ProgressReportFactory(
        task=finished, organization=home.women, year=2020, quarter=4, status=TaskStatus.DONE
    )
    client.force_login(superuser)
    row = _city(client).context["data"].rows[0]
    # Only ``half`` counts, done (its lead finished it), and only the women's report on it
    # is still expected.
    assert (row.tasks_total, row.tasks_done, row.tasks_late) == (1, 1, 0)
    assert (row.reports_expected, row.reports_missing) == (1, 1)


def test_city_view_navigates_between_quarters(client, superuser, home):
    client.force_login(superuser)
    html = _city(client).content.decode()
    assert f'href="{reverse("quarters:city_quarter", args=["2020-Q4"])}"' in html
    assert f'href="{reverse("quarters:city_quarter", args=["2021-Q2"])}"' in html
    response = client.get(reverse("quarters:city"))
    assert response.context["quarter"] == Quarter.current()


# --- permissions --------------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "plain",
    "cell_secretary",
    "other_cell_secretary",
    "mass_head",
    "dvk",
    "staff",
    "secretary",
    "superuser",
]
MINE = {"my_unit", "my_unit_quarter", "city", "city_quarter"}
# What each role gets on each URL of this module; anonymous is sent to the login page.
EXPECTED = {
    "my_unit": dict.fromkeys(ROLES[1:], 200),  # no unit: a page that says so
    "my_unit_quarter": dict.fromkeys(ROLES[1:], 200),
    "city": {**dict.fromkeys(ROLES[1:], 403), "superuser": 200},
    "city_quarter": {**dict.fromkeys(ROLES[1:], 403), "superuser": 200},
}


def test_expectation_table_covers_the_unit_and_city_urls():
    names = {
        p.name
        for p in get_resolver("meetings.review_urls").url_patterns
        if isinstance(p, URLPattern)
    }
    assert names >= MINE
    assert set(EXPECTED) == MINE


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MINE))
def test_permissions_per_url_and_role(client, home, away, owed, superuser, role, name):
    url = reverse(f"quarters:{name}", args=[Q1] if name.endswith("_quarter") else [])
    if role == "superuser":
        client.force_login(superuser)
    elif role != "anonymous":
        client.force_login(getattr(home, role))
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
        return
    assert response.status_code == EXPECTED[name][role]


@pytest.mark.parametrize("role", ROLES[1:-1])
def test_away_users_see_no_home_data_on_any_of_these_urls(client, home, away, owed, role):
    client.force_login(getattr(away, role))
    for name in sorted(MINE):
        url = reverse(f"quarters:{name}", args=[Q1] if name.endswith("_quarter") else [])
        html = client.get(url).content.decode()
        for text in (owed.t1.title, "Mô hình mới", home.cell.name, home.ward.name):
            assert text not in html, (name, role)


# --- home page: where each role lands -----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("secretary", "quarters:current"),
        ("staff", "quarters:current"),
        ("dvk", "quarters:current"),
        ("cell_secretary", "quarters:my_unit"),
        ("other_cell_secretary", "quarters:my_unit"),
        ("mass_head", "quarters:my_unit"),
    ],
)
def test_home_sends_each_role_to_its_working_page(client, home, role, target):
    client.force_login(getattr(home, role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_a_mass_head_who_sits_in_the_bloc_lands_on_the_unit_page(client, home):
    """As in the demo, where every head of a mass organisation is a member of the bloc."""
    PositionFactory(person=home.mass_head.person, organization=home.bloc)
    client.force_login(home.mass_head)
    assert client.get("/")["Location"] == reverse("quarters:my_unit")


def test_a_superuser_without_a_ward_lands_on_the_city_view(client, superuser):
    client.force_login(superuser)
    assert client.get("/")["Location"] == reverse("quarters:city")


def test_a_superuser_with_a_ward_lands_on_its_quarter(client, home, superuser):
    superuser.ward = home.ward
    superuser.save()
    client.force_login(superuser)
    assert client.get("/")["Location"] == reverse("quarters:current")


def test_a_plain_account_keeps_the_overview(client, home):
    client.force_login(home.plain)
    response = client.get("/")
    assert response.status_code == 200
    assert 'data-testid="ward-name"' in response.content.decode()


@pytest.mark.parametrize("role", ["secretary", "cell_secretary"])
def test_the_overview_stays_reachable_with_links_to_the_quarter_pages(client, home, role):
    client.force_login(getattr(home, role))
    response = client.get("/", {"overview": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="positions"' in html
    if role == "secretary":
        assert f'href="{reverse("quarters:current")}"' in html
    else:
        assert f'href="{reverse("quarters:my_unit")}"' in html
        assert f'href="{reverse("quarters:current")}"' not in html


def test_navigation_offers_the_quarter_pages_by_role(client, home, superuser):
    client.force_login(home.cell_secretary)
    html = client.get(reverse("quarters:my_unit")).content.decode()
    assert 'data-testid="nav-my-unit"' in html
    assert 'data-testid="nav-quarter-page"' not in html and 'data-testid="nav-city"' not in html
    assert 'data-testid="nav-overview"' in html
    client.force_login(home.staff)
    html = client.get(reverse("quarters:my_unit")).content.decode()
    assert 'data-testid="nav-quarter-page"' in html and 'data-testid="nav-my-unit"' not in html
    client.force_login(superuser)
    html = client.get(reverse("quarters:city")).content.decode()
    assert 'data-testid="nav-city"' in html
    client.force_login(home.plain)
    html = client.get("/").content.decode()
    assert 'data-testid="nav-quarters"' not in html
    for testid in ("nav-plans", "nav-registry", "nav-directory"):  # kept
        assert f'data-testid="{testid}"' in html


# --- query counts -------------------------------------------------------------------------------


def _count(client, url) -> int:
    """The queries of one request, counted on the second one (the first after a login
    saves the session), with the transaction's savepoint and release."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Every request: the session, the user (with person and ward), the request's savepoint and
# release: 4 (the session is saved again only every few minutes). The page: the working
# quarter, roles (positions), the review's status, the unit's tasks (their supporting units
# with them), their reports, the tasks it finished earlier, its models, the conclusions: 8.
QUERIES_MY_UNIT = 12


def test_my_unit_queries_do_not_grow_with_tasks(client, home):
    plan = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 1, 10))
    task = TaskFactory(plan=plan, lead_organization=home.cell)
    RegistrationFactory(ward=home.ward, organization=home.cell, status=S.APPROVED)
    client.force_login(home.cell_secretary)
    url = reverse("quarters:my_unit")
    QuarterlyReview.objects.create(
        ward=home.ward, year=2021, quarter=1, status=ReviewStatus.IN_REVIEW
    )
    make_meeting(
        home,
        MeetingStatus.CONCLUDED,
        year=2020,
        quarter=4,
        held_at=dt.datetime(2021, 2, 20, tzinfo=TZ),
    )
    one = _count(client, url)
    for i in range(8):
        more = TaskFactory(
            plan=plan,
            lead_organization=home.cell if i % 2 else home.women,
            supporting_organizations=[home.cell, home.other_cell],
        )
        ProgressReportFactory(task=more, organization=home.cell)
        RegistrationFactory(ward=home.ward, organization=home.cell, status=S.RECOGNIZED)
    ProgressReportFactory(task=task, year=2020, quarter=4, status=TaskStatus.IN_PROGRESS)
    make_meeting(
        home,
        MeetingStatus.CONCLUDED,
        year=2020,
        quarter=4,
        held_at=dt.datetime(2021, 3, 1, tzinfo=TZ),
    )
    assert _count(client, url) == one == QUERIES_MY_UNIT


# The 4 of every request (session, user, savepoint, release; a superuser has no positions
# to read), then the wards, their reviews, the tasks with their units' reports, the
# registrations and the review meetings, each grouped by ward: 5; and the database cache
# (settings.CACHES): looked up (1), then kept (5: its size for culling, the key, the row
# written, in a savepoint). When the figures are kept (the same wards, quarter and day
# within ``CACHE_SECONDS``) only the wards and the cache are read.
QUERIES_CITY = 15
QUERIES_CITY_KEPT = 6


def _count_computed(client, url) -> int:
    """The queries of one request that computes the city's figures (none kept)."""
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _ward_with_data(name: str):
    ward = WardFactory(name=name)
    plan = PlanFactory(ward=ward, issued_on=dt.date(2021, 1, 10))
    for _ in range(3):
        task = TaskFactory(plan=plan, supporting_organizations=[plan.issuer])
        ProgressReportFactory(task=task)
    RegistrationFactory(ward=ward, status=S.APPROVED)
    RegistrationFactory(ward=ward, status=S.APPROVED, individual=True)
    meeting = MeetingFactory(ward=ward)
    ContributionFactory(meeting=meeting)
    QuarterlyReview.objects.create(ward=ward, year=2021, quarter=1, status=ReviewStatus.OPEN)
    return ward


def test_city_queries_one_ward_against_three(client, superuser):
    _ward_with_data("Phường Một")
    client.force_login(superuser)
    url = reverse("quarters:city_quarter", args=[Q1])
    one = _count_computed(client, url)
    _ward_with_data("Phường Hai")
    _ward_with_data("Phường Ba")
    assert len(_city(client).context["data"].rows) == 3
    assert _count_computed(client, url) == one == QUERIES_CITY
    assert _count(client, url) == QUERIES_CITY_KEPT


def test_city_figures_are_kept_per_set_of_wards_and_say_when_computed(client, home, superuser):
    """Kept figures are shown with their time and never for another set of wards: a ward
    added since has its own row, computed (not an earlier set's figures)."""
    plan = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 1, 10))
    TaskFactory(plan=plan, lead_organization=home.cell)
    client.force_login(superuser)
    first = _city(client)
    assert [r.tasks_total for r in first.context["data"].rows] == [1]
    assert 'data-testid="city-computed-at"' in first.content.decode()
    TaskFactory(plan=plan, lead_organization=home.cell)
    kept = _city(client).context["data"]
    assert [r.tasks_total for r in kept.rows] == [1]  # kept: at most CACHE_SECONDS old
    assert kept.computed_at == first.context["data"].computed_at
    other = _ward_with_data("Phường Một")
    rows = {r.ward: r for r in _city(client).context["data"].rows}
    assert rows[home.ward].tasks_total == 2 and rows[other].tasks_total == 3
