"""The quarter page (/quarters/2021-Q1/) and its actions: every figure it shows against the
hand-counted world of ``review_page_fixtures``, the links behind the numbers, the stepper,
what each role may do on every URL, the actions end to end (meeting, text, report,
finalise, reopen, reminders), errors at the field, charts and their tables, query counts."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone, translation
from docx import Document
from openpyxl import load_workbook

from meetings import review_services
from meetings.models import (
    REPORT_SECTIONS,
    DocumentKind,
    IssuedDocument,
    Meeting,
    MeetingStatus,
    QuarterlyReview,
    QuarterlyReviewEvent,
    Reminder,
    ReviewStatus,
)
from meetings.review_forms import (
    MESSAGE_HELD_AT_INVALID,
    MESSAGE_HELD_AT_REQUIRED,
    MESSAGE_REMIND_WHOM,
)
from meetings.review_report_views import MESSAGE_NOT_FINALIZED_YET
from meetings.review_selectors import working_quarter
from meetings.services import meeting_conclude, meeting_hold
from plans.models import TaskStatus
from tests.factories import OrganizationFactory
from tests.meetings.page_fixtures import new_meeting
from tests.meetings.review_page_fixtures import (
    PREVIOUS_DIRECTION,
    Q1,
    Q4_2020,
    at,
    make_page_world,
    make_q1_meeting,
    registration,
    report,
)
from tests.models_registry.factories import RegistrationFactory
from tests.plans.factories import PlanFactory, TaskFactory
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

S_DONE, S_CURRENT, S_TODO, S_INCOMPLETE = "done", "current", "todo", "incomplete"


# --- helpers --------------------------------------------------------------------------------------


def _vi(text) -> str:
    """``text`` in Vietnamese: a lazy message, or an English msgid looked up now."""
    with translation.override("vi"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _url(name: str, quarter: Quarter | None = Q1, **query) -> str:
    url = reverse(f"quarters:{name}", args=[quarter] if quarter is not None else [])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _doc(response):
    return lxml.html.fromstring(response.content.decode())


def _all(doc, testid: str) -> list:
    return doc.xpath(f'//*[@data-testid="{testid}"]')


def _one(doc, testid: str):
    found = _all(doc, testid)
    assert len(found) == 1, (testid, len(found))
    return found[0]


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _number(element) -> int:
    return int(re.match(r"\d+", _text(element)).group())


def _messages(response) -> list[str]:
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return texts


def _page(client, quarter: Quarter = Q1, **query):
    response = client.get(_url("page", quarter, **query))
    assert response.status_code == 200, response.status_code
    return response


def _review(home, quarter: Quarter = Q1) -> QuarterlyReview:
    return QuarterlyReview.objects.get(ward=home.ward, year=quarter.year, quarter=quarter.number)


def _steps(doc) -> dict[str, str]:
    return {li.get("data-testid").removeprefix("step-"): li.get("data-state") for li in
            doc.xpath('//ol[@data-testid="stepper"]/li')}  # fmt: skip


def _generate(client):
    """Generate the report as ward staff would (the message it leaves is read here)."""
    response = client.post(_url("report_docx"))
    assert response.status_code == 200
    response.generated_messages = _messages(response)
    return response


def _docx_text(content: bytes) -> str:
    document = Document(BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


@pytest.fixture
def world(home, away):
    return make_page_world(home)


@pytest.fixture
def staff_client(client, home):
    client.force_login(home.staff)
    return client


# --- every figure on the page, counted by hand ----------------------------------------------------


def test_heading_names_the_quarter_and_the_ward(staff_client, home, world):
    doc = _doc(_page(staff_client))
    assert _text(_one(doc, "quarter-heading")) == _vi(Q1)  # "Quý I/2021"
    assert _text(_one(doc, "quarter-heading")) == "Quý I/2021"
    assert home.ward.name in _text(_one(doc, "quarter-ward"))
    assert _one(doc, "review-status").get("data-status") == ReviewStatus.IN_REVIEW


def test_task_totals_on_the_page(staff_client, world):
    doc = _doc(_page(staff_client))
    # 6 tasks (a, b, c, d, e, tk): done a and tk, in progress c, late b and e, not reported d.
    summary = _one(doc, "tasks-summary")
    assert _number(summary) == 6
    assert _number(_one(doc, "tasks-done")) == 2
    assert _number(_one(doc, "tasks-in-progress")) == 1
    assert _number(_one(doc, "tasks-late")) == 2
    assert _number(_one(doc, "tasks-not-reported")) == 1
    assert "(33%" in _text(summary)
    # 8 reports expected (a: C1 W; b: C2; c: W; d: C1; e: B C2; tk: C1), 6 received.
    assert "6" in _text(summary) and "8" in _text(summary)
    assert re.search(r"\b6\b\D+\b8\b", _text(summary).split(")", 1)[1])


def test_per_unit_table(staff_client, home, world):
    doc = _doc(_page(staff_client))
    rows = {
        int(tr.get("data-unit")): {
            td.get("data-field"): _number(td) for td in tr.xpath("td[@data-field]")
        }
        for tr in _all(doc, "unit-row")
    }
    # The page lists B, W, C1, C2 (by kind, then name).
    assert [int(tr.get("data-unit")) for tr in _all(doc, "unit-row")] == [
        home.bloc.pk, home.women.pk, home.cell.pk, home.other_cell.pk
    ]  # fmt: skip

    def row(assigned, done=0, in_progress=0, late=0, not_reported=0, percent_done=0):
        return {"assigned": assigned, "done": done, "in_progress": in_progress, "late": late,
                "not_reported": not_reported, "percent_done": percent_done}  # fmt: skip

    assert rows[home.bloc.pk] == row(1, late=1)  # e: in progress, due 15/03
    assert rows[home.women.pk] == row(2, in_progress=2)  # a (support), c
    assert rows[home.cell.pk] == row(3, done=2, not_reported=1, percent_done=67)  # a, tk; d
    assert rows[home.other_cell.pk] == row(2, done=1, late=1, percent_done=50)  # e; b


def test_plans_table(staff_client, world):
    doc = _doc(_page(staff_client))
    rows = _all(doc, "plan-row")
    assert [r.get("data-plan") for r in rows] == [str(world.plan.pk), ""]
    counts = [{td.get("data-field"): _number(td) for td in r.xpath(".//*[@data-field]")}
              for r in rows]  # fmt: skip
    # P: a done, b late, c in progress, d not reported, e late; meetings' tasks: tk done.
    assert counts[0] == {"total": 5, "done": 1, "in_progress": 1, "late": 2, "not_reported": 1}
    assert counts[1] == {"total": 1, "done": 1, "in_progress": 0, "late": 0, "not_reported": 0}
    assert "28-KH/ĐU" in _text(rows[0])


def test_units_that_have_not_reported_and_the_task_list(staff_client, home, world):
    doc = _doc(_page(staff_client))
    missing = _all(doc, "unit-missing")
    assert [int(li.get("data-unit")) for li in missing] == [home.cell.pk, home.other_cell.pk]
    assert "01" in _text(missing[0]) and "01" in _text(missing[1])
    t = world.tasks
    categories = {int(tr.get("data-task")): tr.get("data-category") for tr in
                  _all(doc, "task-row")}  # fmt: skip
    assert categories == {
        t["a"].pk: "done", t["b"].pk: "late", t["c"].pk: "in_progress",
        t["d"].pk: "not_reported", t["e"].pk: "late", t["tk"].pk: "done",
    }  # fmt: skip
    links = [tr.xpath(".//a/@href")[0] for tr in _all(doc, "task-row")]
    assert reverse("plans:task_detail", args=[t["b"].pk]) in links


def test_registration_figures(staff_client, world):
    response = _page(staff_client)
    doc = _doc(response)
    assert _text(_one(doc, "reg-collective")) == "04"
    assert _text(_one(doc, "reg-individual")) == "01"
    assert _text(_one(doc, "registrations-sentence")) == "04 tập thể, 01 cá nhân"
    assert _number(_one(doc, "reg-new")) == 4
    assert _number(_one(doc, "reg-recognised")) == 1
    assert _number(_one(doc, "reg-replications")) == 1
    assert _number(_one(doc, "reg-updates-received")) == 2
    assert _number(_one(doc, "reg-updates-expected")) == 3
    by_field = {_text(tr.xpath("th")[0]): _number(tr.xpath("td")[0]) for tr in
                _one(doc, "reg-by-field").xpath(".//tbody/tr")}  # fmt: skip
    assert by_field == {"Kinh tế": 3, "Môi trường": 2}
    by_status = {tr.get("data-status"): _number(tr.xpath("td")[0]) for tr in
                 _one(doc, "reg-by-status").xpath(".//tbody/tr")}  # fmt: skip
    assert by_status == {"draft": 1, "submitted": 2, "returned": 1, "approved": 2,
                         "recognized": 1}  # fmt: skip


def _listed(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {r.title for r in response.context["page_obj"]}


def test_each_registration_number_links_to_the_rows_it_counts(staff_client, world):
    response = _page(staff_client)
    links = response.context["registry_links"]
    regs = world.registrations

    def titles(*names):
        return {regs[n].title for n in names}

    assert _listed(staff_client, links["collective"]) == titles("r1", "r2", "r3", "r4")
    assert _listed(staff_client, links["individual"]) == titles("r5")
    assert _listed(staff_client, links["total"]) == titles("r1", "r2", "r3", "r4", "r5")
    assert _listed(staff_client, links["new"]) == titles("r1", "r2", "r4", "r5")
    assert _listed(staff_client, links["replications"]) == titles("r2")
    assert _listed(staff_client, links["recognised"]) == titles("r3")
    assert _listed(staff_client, links["updates_expected"]) == titles("r1", "r2", "r3")
    assert _listed(staff_client, links["updates_received"]) == titles("r1", "r3")
    assert _listed(staff_client, links["updates_missing"]) == titles("r2")
    fields = {row["name"]: row["url"] for row in links["fields"]}
    assert _listed(staff_client, fields["Kinh tế"]) == titles("r1", "r3", "r5")
    assert _listed(staff_client, fields["Môi trường"]) == titles("r2", "r4")
    statuses = {row["status"]: row["url"] for row in links["statuses"]}
    assert _listed(staff_client, statuses["draft"]) == titles("r7")
    # r6 was approved but sent in after the quarter: not among its approved ones.
    assert _listed(staff_client, statuses["approved"]) == titles("r1", "r2")
    assert _listed(staff_client, statuses["returned"]) == titles("r8")
    # And the page shows those very links under its numbers.
    doc = _doc(response)
    assert _one(doc, "reg-collective").get("href") == links["collective"]
    assert _one(doc, "reg-new").get("href") == links["new"]


def test_the_links_number_matches_the_figure(staff_client, home, world):
    """Whatever the world, the rows behind each figure are as many as the figure says."""
    RegistrationFactory(ward=home.ward, status="approved", submitted_at=at(2021, 3, 30))
    response = _page(staff_client)
    figures = response.context["registrations"]
    links = response.context["registry_links"]
    for key, figure in [
        ("collective", figures["collective"]),
        ("individual", figures["individual"]),
        ("new", figures["new"]),
        ("replications", figures["replications"]),
        ("recognised", figures["recognised"]),
        ("updates_expected", figures["updates_expected"]),
        ("updates_received", figures["updates_received"]),
    ]:
        count = staff_client.get(links[key]).context["page_obj"].paginator.count
        assert count == figure, key
    for row in links["fields"] + links["statuses"]:
        assert staff_client.get(row["url"]).context["page_obj"].paginator.count == row["count"]


def test_plan_and_unit_links_open_the_progress_matrix_of_the_quarter(staff_client, world):
    doc = _doc(_page(staff_client))
    unit_link = _all(doc, "unit-row")[0].xpath(".//a/@href")[0]
    assert urlsplit(unit_link).path == reverse("plans:progress_matrix")
    assert parse_qs(urlsplit(unit_link).query)["quarter"] == ["2021-Q1"]
    plan_link = _all(doc, "plan-row")[0].xpath('.//a[@data-field="total"]/@href')[0]
    assert parse_qs(urlsplit(plan_link).query)["plan"] == [str(world.plan.pk)]
    matrix = staff_client.get(plan_link)
    assert matrix.status_code == 200
    assert len(matrix.context["matrix"].tasks) == 5  # the plan's five tasks


def test_follow_up_of_the_previous_quarters_conclusions(staff_client, world):
    doc = _doc(_page(staff_client))
    rows = _all(doc, "follow-up-row")
    assert len(rows) == 1
    assert "Tiếp tục vận động nhân dân giải phóng mặt bằng." in _text(rows[0])
    assert "100%" in _text(rows[0])  # C1 reported it done this quarter
    assert "31/03/2021" in _text(rows[0])
    link = rows[0].xpath(".//a/@href")[0]
    assert link == reverse("plans:task_detail", args=[world.tasks["tk"].pk])


def test_the_review_meeting_with_its_counts(staff_client, world):
    doc = _doc(_page(staff_client))
    assert _text(_one(doc, "meeting-contributions")) == "03"
    assert _text(_one(doc, "meeting-conclusions")) == "02"
    assert _one(doc, "meeting-status").get("data-status") == MeetingStatus.CONCLUDED
    assert "1" in _text(_one(doc, "meeting-counts")) and "3" in _text(_one(doc, "meeting-counts"))
    assert _one(doc, "meeting-link").get("href") == reverse(
        "meetings:meeting_detail", args=[world.meeting.pk]
    )
    assert not _all(doc, "meeting-create")


def test_direction_and_the_starting_list_from_the_previous_quarter(staff_client, home, world):
    response = _page(staff_client)
    doc = _doc(response)
    review = _review(home)
    expected = review_services.review_texts(review=review)["direction_text"]
    assert expected and _text(_one(doc, "direction")) == " ".join(expected.split())
    assert _text(_one(doc, "previous-direction")) == PREVIOUS_DIRECTION
    tasks = _one(doc, "starting-tasks").xpath(".//a/@href")
    assert tasks == [reverse("plans:task_detail", args=[world.tasks["tk"].pk])]


def test_without_a_previous_review_there_is_no_starting_list(staff_client, home, world):
    world.previous_review.delete()
    doc = _doc(_page(staff_client))
    assert not _all(doc, "starting-list")


def test_an_edited_direction_is_shown_and_opens_next_quarter(staff_client, home, world):
    _page(staff_client)
    review = _review(home)
    review_services.review_text_save(
        actor=home.secretary, review=review, direction_text="Hoàn thành giải phóng mặt bằng."
    )
    assert _text(_one(_doc(_page(staff_client)), "direction")) == "Hoàn thành giải phóng mặt bằng."
    doc = _doc(_page(staff_client, Quarter(2021, 2)))
    assert _text(_one(doc, "previous-direction")) == "Hoàn thành giải phóng mặt bằng."
    # II/2021 follows up the two conclusions of the I/2021 meeting.
    assert len(_all(doc, "follow-up-row")) == 2


def test_an_empty_quarter_says_so(staff_client, home):
    doc = _doc(_page(staff_client))
    assert "tasks-done" not in [e.get("data-testid") for e in doc.iter()]
    assert _text(_one(doc, "reg-collective")) == "00"
    assert _one(doc, "meeting-create") is not None
    assert not _all(doc, "follow-up-row")


# --- the stepper ----------------------------------------------------------------------------------


def _small(home):
    """One task of I/2021 led by C1; returns it."""
    plan = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 1, 15))
    return TaskFactory(plan=plan, lead_organization=home.cell, due_date=dt.date(2021, 6, 30))


def _current(doc) -> list[str]:
    return [li.get("data-testid") for li in doc.xpath('//ol[@data-testid="stepper"]/li')
            if li.get("aria-current") == "step"]  # fmt: skip


def test_stepper_units_report_is_the_first_step(staff_client, home):
    _small(home)
    doc = _doc(_page(staff_client))
    assert _steps(doc) == {"reports": S_CURRENT, "meeting": S_TODO, "report": S_TODO,
                           "finalized": S_TODO}  # fmt: skip
    assert _current(doc) == ["step-reports"]
    detail = _text(_one(doc, "step-reports").xpath('.//*[@data-testid="step-detail"]')[0])
    assert "1" in detail  # 1 of 1 report missing, from 1 unit


def test_stepper_review_meeting_planned_then_held(staff_client, home):
    task = _small(home)
    report(task, home.cell, TaskStatus.IN_PROGRESS, 40)
    meeting = new_meeting(home, title="Hội nghị sơ kết quý I/2021")
    doc = _doc(_page(staff_client))
    assert _steps(doc) == {"reports": S_DONE, "meeting": S_CURRENT, "report": S_TODO,
                           "finalized": S_TODO}  # fmt: skip
    assert "13/04/2021" in _text(_one(doc, "step-meeting"))
    meeting_hold(actor=home.secretary, meeting=meeting)
    doc = _doc(_page(staff_client))
    assert _steps(doc)["meeting"] == S_CURRENT
    assert _one(doc, "meeting-status").get("data-status") == MeetingStatus.HELD


def test_stepper_quarterly_report_after_the_meeting_is_concluded(staff_client, home):
    task = _small(home)
    report(task, home.cell, TaskStatus.DONE)
    make_q1_meeting(home)
    doc = _doc(_page(staff_client))
    assert _steps(doc) == {"reports": S_DONE, "meeting": S_DONE, "report": S_CURRENT,
                           "finalized": S_TODO}  # fmt: skip
    assert _current(doc) == ["step-report"]


def test_stepper_finalise_once_the_report_is_generated(staff_client, home):
    task = _small(home)
    report(task, home.cell, TaskStatus.DONE)
    make_q1_meeting(home)
    _page(staff_client)
    _generate(staff_client)
    doc = _doc(_page(staff_client))
    assert _steps(doc) == {"reports": S_DONE, "meeting": S_DONE, "report": S_DONE,
                           "finalized": S_CURRENT}  # fmt: skip
    assert "-BC/ĐU" in _text(_one(doc, "step-report"))
    assert _text(_one(doc, "missing")) == _vi("Everything needed is there.")


def test_stepper_all_done_once_finalised(staff_client, home):
    task = _small(home)
    report(task, home.cell, TaskStatus.DONE)
    make_q1_meeting(home)
    _page(staff_client)
    _generate(staff_client)
    staff_client.post(_url("finalize"))
    doc = _doc(_page(staff_client))
    assert set(_steps(doc).values()) == {S_DONE}
    assert _current(doc) == []


def test_stepper_missing_reports_do_not_hold_the_quarter_back(staff_client, home):
    _small(home)  # never reported
    make_q1_meeting(home)
    doc = _doc(_page(staff_client))
    assert _steps(doc) == {"reports": S_INCOMPLETE, "meeting": S_DONE, "report": S_CURRENT,
                           "finalized": S_TODO}  # fmt: skip


def test_stepper_a_text_edited_after_the_report_asks_for_it_again(staff_client, home):
    task = _small(home)
    report(task, home.cell, TaskStatus.DONE)
    make_q1_meeting(home)
    _page(staff_client)
    _generate(staff_client)
    review_services.review_text_save(
        actor=home.staff, review=_review(home), direction_text="Một hướng mới."
    )
    doc = _doc(_page(staff_client))
    assert _steps(doc)["report"] == S_CURRENT
    assert _vi(review_services.MESSAGE_REPORT_STALE) in _text(_one(doc, "missing"))


# --- navigation between quarters ------------------------------------------------------------------


def test_previous_next_and_this_quarter_links(staff_client, home):
    doc = _doc(_page(staff_client))
    assert _one(doc, "quarter-previous").get("href") == _url("page", Quarter(2020, 4))
    assert _one(doc, "quarter-next").get("href") == _url("page", Quarter(2021, 2))
    assert _one(doc, "quarter-current").get("href") == _url("page", Quarter.current())


def test_the_next_quarter_can_be_prepared_but_not_the_one_after(staff_client, home):
    upcoming = Quarter.current().next()
    doc = _doc(_page(staff_client, upcoming))
    assert not _all(doc, "quarter-next")
    assert staff_client.get(_url("page", upcoming.next())).status_code == 404
    assert staff_client.post(_url("finalize", upcoming.next())).status_code == 404
    beyond = upcoming.next()
    assert not QuarterlyReview.objects.filter(year=beyond.year, quarter=beyond.number).exists()


@pytest.mark.parametrize("slug", ["1999-Q4", "2100-Q1"])
def test_quarters_at_the_edge_of_time_are_not_found(staff_client, slug):
    assert staff_client.get(f"/quarters/{slug}/").status_code == 404


def test_a_malformed_quarter_is_not_found(staff_client):
    assert staff_client.get("/quarters/2021-Q5/").status_code == 404


# --- /quarters/ -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretary", "staff", "dvk"])
def test_current_opens_the_working_quarter_for_the_whole_ward(client, home, world, role):
    client.force_login(getattr(home, role))
    response = client.get(_url("current", None))
    assert response.status_code == 302
    assert response["Location"] == _url("page", working_quarter(ward=home.ward))


@pytest.mark.parametrize("role", ["cell_secretary", "mass_head", "plain"])
def test_current_sends_unit_users_to_their_unit(client, home, role):
    client.force_login(getattr(home, role))
    response = client.get(_url("current", None))
    assert response["Location"] == reverse("quarters:my_unit")


def test_current_for_a_superuser(client, home, superuser):
    client.force_login(superuser)
    assert client.get(_url("current", None))["Location"] == reverse("quarters:city")
    response = client.get(_url("current", None, ward=home.ward.pk))
    quarter = working_quarter(ward=home.ward)
    assert response["Location"] == _url("page", quarter, ward=home.ward.pk)


def test_a_superuser_works_on_the_ward_chosen_and_keeps_it_in_every_link(
    client, home, away, superuser
):
    client.force_login(superuser)
    doc = _doc(_page(client, ward=away.ward.pk))
    assert away.ward.name in _text(_one(doc, "quarter-ward"))
    query = f"?ward={away.ward.pk}"
    assert _one(doc, "quarter-previous").get("href").endswith(query)
    assert doc.xpath(f'//form[@action="{_url("finalize")}{query}"]')
    assert _one(doc, "report-download").get("href").endswith(query)
    assert f"ward={away.ward.pk}" in _one(doc, "reg-collective").get("href")
    client.post(_url("start", ward=away.ward.pk))
    assert _review(away).status == ReviewStatus.IN_REVIEW
    assert not QuarterlyReview.objects.filter(ward=home.ward).exists()


# --- permissions: every URL of the page × every role ----------------------------------------------

ROLES = [
    "anonymous",
    "plain",
    "cell_secretary",
    "mass_head",
    "dvk",
    "staff",
    "secretary",
    "away_secretary",
    "superuser",
]
USERS = ROLES[1:]
NOT_WARD = {"plain", "cell_secretary", "mass_head"}
READERS = {"dvk", "staff", "secretary", "away_secretary", "superuser"}
MANAGERS = {"staff", "secretary", "away_secretary", "superuser"}


def _only(allowed, ok, otherwise=403):
    return {role: ok if role in allowed else otherwise for role in USERS}


# What each role gets, per method, on each URL of the quarter page for I/2021 of its own ward
# (reopen: IV/2020, finalised in ``home``). 200 page or file, 302 redirect, 403 forbidden;
# a method not listed is 405; anonymous is always sent to the login page. The secretary of
# another ward works on that ward's own quarter (see the isolation test below): it is not
# finalised there, so reopening it is refused with a message (302).
PERMISSIONS = {
    "current": {"GET": dict.fromkeys(USERS, 302)},
    "page": {"GET": _only(READERS, 200)},
    "start": {"POST": _only(MANAGERS, 302)},
    "meeting_create": {"GET": _only(MANAGERS, 200), "POST": _only(MANAGERS, 302)},
    "text_edit": {"GET": _only(MANAGERS, 200), "POST": _only(MANAGERS, 302)},
    "report_docx": {"GET": _only(READERS, 200), "POST": _only(MANAGERS, 200)},
    "annex_xlsx": {"GET": _only(READERS, 200)},
    "finalize": {"POST": _only(MANAGERS, 302)},
    "reopen": {
        "GET": {**_only({"secretary", "superuser"}, 200), "away_secretary": 302},
        "POST": {**_only({"secretary", "superuser"}, 302), "away_secretary": 302},
    },
    "remind": {"POST": _only(MANAGERS, 302)},
}
POST_DATA = {
    "start": {},
    "meeting_create": {"held_at": "13/04/2021 08:00", "groups": ["cell_secretaries"]},
    "text_edit": {"direction_text": "Tập trung giải phóng mặt bằng."},
    "report_docx": {},
    "finalize": {},
    "reopen": {"reason": "Sửa số liệu báo cáo của chi bộ."},
    "remind": {"all": "1"},
}
# The unit pages and the city view are another module's (tests/meetings/test_review_unit_views).
OTHER_VIEWS = {"my_unit", "my_unit_quarter", "city", "city_quarter"}


def test_expectation_table_covers_every_url_of_the_page():
    names = {
        p.name
        for p in get_resolver("meetings.review_urls").url_patterns
        if isinstance(p, URLPattern)
    }
    assert names - OTHER_VIEWS == set(PERMISSIONS)
    posted = {name for name, methods in PERMISSIONS.items() if "POST" in methods}
    assert posted == set(POST_DATA)


@pytest.fixture
def light(home, away):
    """A task of I/2021 for ``home.cell`` (not reported) and IV/2020 finalised."""
    _small(home)
    QuarterlyReview.objects.create(
        ward=home.ward, year=2020, quarter=4, status=ReviewStatus.FINALIZED,
        finalized_at=at(2021, 1, 20), finalized_by=home.secretary,
    )  # fmt: skip


def _log_in(client, home, away, superuser, role):
    if role == "superuser":
        client.force_login(superuser)
    elif role == "away_secretary":
        client.force_login(away.secretary)
    elif role != "anonymous":
        client.force_login(getattr(home, role))


def _cases():
    for name in sorted(PERMISSIONS):
        for method in ("GET", "POST"):
            for role in ROLES:
                yield name, method, role


@pytest.mark.parametrize(("name", "method", "role"), list(_cases()))
def test_every_url_as_every_role(client, home, away, superuser, light, name, method, role):
    _log_in(client, home, away, superuser, role)
    quarter = None if name == "current" else (Q4_2020 if name == "reopen" else Q1)
    url = _url(name, quarter)
    if role == "superuser" and name != "current":
        url += f"?ward={home.ward.pk}"
    data = POST_DATA.get(name, {})
    response = client.post(url, data) if method == "POST" else client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return
    expected = PERMISSIONS[name].get(method, dict.fromkeys(USERS, 405))[role]
    assert response.status_code == expected, (name, method, role, response.status_code)
    assert response.status_code != 500


def test_files_have_their_types_and_ascii_names(client, home, light):
    client.force_login(home.dvk)
    docx = client.get(_url("report_docx"))
    assert docx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert docx["Content-Disposition"] == ('attachment; filename="Bao-cao-quy-I-2021-du-thao.docx"')
    xlsx = client.get(_url("annex_xlsx"))
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert xlsx["Content-Disposition"] == 'attachment; filename="Phu-luc-bao-cao-quy-I-2021.xlsx"'
    assert load_workbook(BytesIO(xlsx.content)).sheetnames


def test_another_wards_secretary_never_touches_this_ward(client, home, away, light):
    """Every action of the away secretary, even naming ``home`` with ?ward=, lands on its own
    ward: nothing of ``home`` changes."""
    client.force_login(away.secretary)
    query = f"?ward={home.ward.pk}"
    for name, data in POST_DATA.items():
        quarter = Q4_2020 if name == "reopen" else Q1
        client.post(_url(name, quarter) + query, {**data, "unit": home.cell.pk})
    doc = _doc(client.get(_url("page") + query))
    assert away.ward.name in _text(_one(doc, "quarter-ward"))
    assert not QuarterlyReview.objects.filter(ward=home.ward, year=2021).exists()
    assert _review(home, Q4_2020).status == ReviewStatus.FINALIZED
    assert not Meeting.objects.filter(ward=home.ward).exists()
    assert not Reminder.objects.filter(ward=home.ward).exists()
    assert not IssuedDocument.objects.filter(ward=home.ward).exists()


# --- the actions, end to end ----------------------------------------------------------------------


def _form_data(form) -> dict:
    """What the browser posts back for a form left as the page filled it."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if name == "held_at":
            data[name] = timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
        elif isinstance(value, list | tuple) or hasattr(value, "all"):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


def test_create_the_review_meeting_from_the_page(client, home):
    plan = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 1, 15))
    TaskFactory(plan=plan, lead_organization=home.cell)
    client.force_login(home.secretary)
    doc = _doc(_page(client))
    create = _one(doc, "meeting-create").get("href")
    assert create == _url("meeting_create")
    form = client.get(create).context["form"]
    assert form.initial["reviewed_plans"] == [plan]
    assert form.initial["chairs"] == [home.secretary.person]
    # The chairs filled in head the list of the ward's people, where they can be seen.
    assert form.fields["chairs"].queryset.first() == home.secretary.person
    assert home.secretary.person != form.fields["presenter"].queryset.first()
    assert timezone.localtime(form.initial["held_at"]) == dt.datetime(
        2021, 4, 13, 8, 0, tzinfo=timezone.get_current_timezone()
    )
    data = {**_form_data(form), "venue": "Hội trường UBND phường"}
    response = client.post(create, data)
    review = _review(home)
    meeting = review.meeting
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert (meeting.year, meeting.quarter, meeting.venue) == (2021, 1, "Hội trường UBND phường")
    assert list(meeting.reviewed_plans.all()) == [plan]
    assert list(meeting.chairs.all()) == [home.secretary.person]
    assert meeting.attendances.count() > 0  # the groups were invited
    assert review.status == ReviewStatus.IN_REVIEW
    event = review.events.get(action="meeting_created")
    assert event.actor == home.secretary
    # The page now opens it; asking to create another sends to it.
    doc = _doc(_page(client))
    assert _one(doc, "meeting-link").get("href") == response["Location"]
    again = client.get(create)
    assert again["Location"] == response["Location"]
    assert _messages(again) == [_vi(review_services.MESSAGE_HAS_MEETING)]


def test_meeting_form_errors_are_at_the_field_in_vietnamese(client, home):
    client.force_login(home.staff)
    response = client.post(_url("meeting_create"), {"held_at": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["held_at"] == [_vi(MESSAGE_HELD_AT_REQUIRED)]
    assert _vi(MESSAGE_HELD_AT_REQUIRED) in response.content.decode()
    response = client.post(_url("meeting_create"), {"held_at": "31/02/2021 08:00"})
    assert response.status_code == 400
    assert response.context["form"].errors["held_at"] == [_vi(MESSAGE_HELD_AT_INVALID)]
    assert not Meeting.objects.exists()


def test_meeting_form_refuses_a_chair_from_another_ward(client, home, away):
    client.force_login(home.staff)
    response = client.post(
        _url("meeting_create"),
        {"held_at": "13/04/2021 08:00", "chairs": [away.secretary.person.pk]},
    )
    assert response.status_code == 400
    assert "chairs" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_save_the_reports_text_and_see_it_kept(client, home, world):
    client.force_login(home.staff)
    _page(client)
    form = client.get(_url("text_edit")).context["form"]
    texts = review_services.review_texts(review=_review(home))
    assert {name: form.initial[name] for name in REPORT_SECTIONS} == texts
    data = {name: texts[name].replace("\n", "\r\n") for name in REPORT_SECTIONS}  # as posted
    data["direction_text"] = "Tập trung hoàn thành giải phóng mặt bằng dự án đường 40 m."
    response = client.post(_url("text_edit"), data)
    assert response.status_code == 302 and response["Location"] == _url("page") + "#report"
    review = _review(home)
    # Only the section changed is kept: the others keep following the data.
    assert review.direction_text == data["direction_text"]
    assert (review.leadership_text, review.results_text, review.assessment_text) == ("", "", "")
    assert review.text_edited_by == home.staff
    assert review.events.filter(action="text_saved", actor=home.staff).count() == 1
    form = client.get(_url("text_edit")).context["form"]
    assert form.initial["direction_text"] == data["direction_text"]
    assert _text(_one(_doc(_page(client)), "direction")) == data["direction_text"]
    # Posting the same text again changes nothing and records nothing.
    data["direction_text"] = review.direction_text
    response = client.post(_url("text_edit"), data)
    assert _messages(response) == [_vi("Nothing was changed in the report's text.")]
    assert review.events.filter(action="text_saved").count() == 1


def test_a_too_long_text_is_an_error_at_its_field(client, home):
    client.force_login(home.staff)
    response = client.post(_url("text_edit"), {"results_text": "x" * 20_001})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["results_text"]
    assert not QuarterlyReviewEvent.objects.filter(action="text_saved").exists()


def test_generate_the_report_returns_the_numbered_docx(client, home, world):
    client.force_login(home.staff)
    _page(client)
    response = _generate(client)
    document = IssuedDocument.objects.get(ward=home.ward, kind=DocumentKind.QUARTERLY_REPORT)
    assert document.symbol.endswith("-BC/ĐU") and document.generated_at is not None
    stem = document.symbol.replace("/ĐU", "-DU")
    assert response["Content-Disposition"] == f'attachment; filename="Bao-cao-{stem}.docx"'
    text = _docx_text(response.content)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert f"Số {document.symbol}" in text
    assert _review(home).events.filter(action="report_numbered", note=document.symbol).exists()
    generated = timezone.localtime(document.generated_at).strftime("%d/%m/%Y %H:%M")
    assert response.generated_messages == [
        _vi("The quarterly report %(symbol)s is generated (%(time)s).")
        % {"symbol": document.symbol, "time": generated}
    ]
    # A reader downloads the same numbered report; nobody takes a second number.
    client.force_login(home.dvk)
    download = client.get(_url("report_docx"))
    assert download["Content-Disposition"] == response["Content-Disposition"]
    doc = _doc(_page(client))
    assert document.symbol in _text(_one(doc, "report-symbol"))
    assert not _all(doc, "report-generate")  # readers do not generate
    assert IssuedDocument.objects.filter(kind=DocumentKind.QUARTERLY_REPORT).count() == 1


def test_a_draft_download_takes_no_number(client, home, world):
    client.force_login(home.secretary)
    response = client.get(_url("report_docx"))
    assert response.status_code == 200
    assert "du-thao" in response["Content-Disposition"]
    assert not IssuedDocument.objects.exists()


def test_finalise_refused_with_what_is_missing_then_accepted(client, home):
    task = _small(home)
    report(task, home.cell, TaskStatus.DONE)
    meeting = new_meeting(home, title="Hội nghị sơ kết quý I/2021")
    client.force_login(home.secretary)
    _page(client)
    response = client.post(_url("finalize"))
    assert response.status_code == 302 and response["Location"] == _url("page") + "#finalize"
    assert _messages(response) == [
        _vi(MESSAGE_NOT_FINALIZED_YET),
        _vi(review_services.MESSAGE_MEETING_NOT_CONCLUDED)
        % {"status": _vi(MeetingStatus.PLANNED.label).lower()},
        _vi(review_services.MESSAGE_MISSING_REPORT),
    ]
    assert _review(home).status == ReviewStatus.IN_REVIEW
    doc = _doc(_page(client))
    assert [_text(li) for li in _one(doc, "missing").xpath("li")] == [
        _vi(review_services.MESSAGE_MEETING_NOT_CONCLUDED)
        % {"status": _vi(MeetingStatus.PLANNED.label).lower()},
        _vi(review_services.MESSAGE_MISSING_REPORT),
    ]
    meeting_hold(actor=home.secretary, meeting=meeting)
    meeting_conclude(actor=home.secretary, meeting=meeting)
    assert _messages(client.post(_url("finalize")))[1:] == [
        _vi(review_services.MESSAGE_MISSING_REPORT)
    ]
    _generate(client)
    response = client.post(_url("finalize"))
    assert _messages(response) == [
        _vi("%(quarter)s is finalised: its figures are kept and the quarter is locked.")
        % {"quarter": _vi(Q1)}
    ]
    review = _review(home)
    assert review.status == ReviewStatus.FINALIZED and review.finalized_by == home.secretary
    assert review.events.filter(action="finalized", actor=home.secretary).exists()
    doc = _doc(_page(client))
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert today in _text(_one(doc, "frozen-note"))
    assert not _all(doc, "finalize") and not _all(doc, "text-edit")
    assert _one(doc, "review-status").get("data-status") == ReviewStatus.FINALIZED


def test_a_finalised_quarter_shows_its_frozen_figures_and_refuses_changes(client, home, world):
    client.force_login(home.secretary)
    _page(client)
    _generate(client)
    client.post(_url("finalize"))
    assert _review(home).is_finalized
    # A registration appears afterwards (bypassing every form): the page keeps the figures
    # as they were when the quarter was finalised.
    registration(home, status="approved", sent=at(2021, 3, 1))
    doc = _doc(_page(client))
    assert _text(_one(doc, "reg-collective")) == "04"
    for name in ("text_edit", "meeting_create"):
        response = client.get(_url(name))
        assert response.status_code == 302
        assert _messages(response) == [_vi(review_services.MESSAGE_FINALIZED)]
    response = client.post(_url("text_edit"), {"direction_text": "Sửa sau khi chốt."})
    assert _messages(response) == [_vi(review_services.MESSAGE_FINALIZED)]
    assert _review(home).direction_text == ""
    response = client.post(_url("remind"), {"all": "1"})
    assert _messages(response) == [_vi(review_services.MESSAGE_FINALIZED)]
    assert not mail.outbox
    response = client.post(_url("finalize"))
    assert _messages(response) == [_vi(review_services.MESSAGE_FINALIZED)]


def test_reopen_with_a_reason_recorded_with_its_actor(client, home, world):
    client.force_login(home.secretary)
    _page(client)
    _generate(client)
    client.post(_url("finalize"))
    doc = _doc(_page(client))
    assert _one(doc, "reopen").get("href") == _url("reopen")
    response = client.post(_url("reopen"), {"reason": "   "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [
        _vi(review_services.MESSAGE_REASON_REQUIRED)
    ]
    assert _vi(review_services.MESSAGE_REASON_REQUIRED) in response.content.decode()
    assert _review(home).is_finalized
    response = client.post(_url("reopen"), {"reason": "Chi bộ 2 bổ sung báo cáo."})
    assert response.status_code == 302 and response["Location"] == _url("page")
    review = _review(home)
    assert review.status == ReviewStatus.IN_REVIEW
    event = review.events.get(action="reopened")
    assert (event.actor, event.note) == (home.secretary, "Chi bộ 2 bổ sung báo cáo.")
    history = _one(_doc(_page(client)), "events")
    assert "Chi bộ 2 bổ sung báo cáo." in _text(history)
    assert home.secretary.person.full_name in _text(history)


def test_only_a_finalised_quarter_can_be_reopened(client, home):
    client.force_login(home.secretary)
    response = client.get(_url("reopen"))
    assert response.status_code == 302
    assert _messages(response) == [_vi(review_services.MESSAGE_NOT_FINALIZED)]


def test_ward_staff_cannot_reopen(client, home, light):
    client.force_login(home.staff)
    assert client.post(_url("reopen", Q4_2020), {"reason": "Sửa."}).status_code == 403
    assert _review(home, Q4_2020).is_finalized


def test_start_the_review(client, home):
    client.force_login(home.staff)
    doc = _doc(_page(client))
    assert _one(doc, "review-status").get("data-status") == ReviewStatus.OPEN
    response = client.post(_url("start"))
    assert response.status_code == 302
    assert _review(home).status == ReviewStatus.IN_REVIEW
    assert _review(home).events.filter(action="started", actor=home.staff).exists()
    assert not _all(_doc(_page(client)), "review-start")


# --- reminders ------------------------------------------------------------------------------------


@pytest.fixture
def remind(client, django_capture_on_commit_callbacks):
    """POST to the reminder URL; the mails leave when the transaction commits, as live."""

    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(_url("remind"), data)

    return post


def test_remind_one_unit_then_again_the_same_day(client, home, world, remind):
    client.force_login(home.staff)
    doc = _doc(_page(client))
    assert _all(doc, "remind-unit") and _all(doc, "remind-all")
    response = remind({"unit": home.cell.pk})
    assert response["Location"] == _url("page") + "#reports"
    texts = _messages(response)
    assert len(texts) == 1 and home.cell_secretary.email in texts[0]
    assert home.cell.display_name in texts[0]
    assert [m.to for m in mail.outbox] == [[home.cell_secretary.email]]
    again = _messages(remind({"unit": home.cell.pk}))
    assert again == [_vi("%(unit)s was already reminded today.") % {"unit": home.cell.display_name}]
    assert len(mail.outbox) == 1
    # The page says when the unit was reminded.
    doc = _doc(_page(client))
    cell = next(li for li in _all(doc, "unit-missing") if li.get("data-unit") == str(home.cell.pk))
    assert timezone.localdate().strftime("%d/%m/%Y") in _text(cell)


def test_remind_all_tells_who_got_it(client, home, world, remind):
    """Every unit that owes a report for I/2021 or has a task overdue today: B (e, overdue),
    W (c, overdue), C1 (d missing), C2 (b missing). The bloc has no leader with an email."""
    client.force_login(home.secretary)
    texts = _messages(remind({"all": "1"}))
    sent = _vi("%(unit)s: reminder sent to %(recipients)s.")
    assert texts == [
        _vi("%(unit)s: nobody to remind, no email address on record for its leaders.")
        % {"unit": home.bloc.display_name},
        sent % {"unit": home.women.display_name, "recipients": home.mass_head.email},
        sent % {"unit": home.cell.display_name, "recipients": home.cell_secretary.email},
        sent
        % {"unit": home.other_cell.display_name, "recipients": home.other_cell_secretary.email},
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [home.mass_head.email, home.cell_secretary.email, home.other_cell_secretary.email]
    )
    assert _review(home).events.filter(action="reminded", actor=home.secretary).count() == 1


def test_remind_a_unit_without_an_email_address(client, home):
    lonely = OrganizationFactory(ward=home.ward, name="Tổ dân phố số 9")
    plan = PlanFactory(ward=home.ward, issued_on=dt.date(2021, 1, 15))
    TaskFactory(plan=plan, lead_organization=lonely)
    client.force_login(home.staff)
    texts = _messages(client.post(_url("remind"), {"unit": lonely.pk}))
    assert texts == [
        _vi("%(unit)s: nobody to remind, no email address on record for its leaders.")
        % {"unit": lonely.display_name}
    ]
    assert not mail.outbox


def test_remind_needs_a_unit_of_the_ward(client, home, away, world):
    client.force_login(home.staff)
    assert _messages(client.post(_url("remind"), {})) == [_vi(MESSAGE_REMIND_WHOM)]
    texts = _messages(client.post(_url("remind"), {"unit": away.cell.pk}))
    assert len(texts) == 1 and texts[0] != _vi(MESSAGE_REMIND_WHOM)
    assert not mail.outbox and not Reminder.objects.exists()


# --- charts ---------------------------------------------------------------------------------------


def test_charts_data_matches_the_tables(client, home, world):
    client.force_login(home.dvk)
    response = _page(client)
    html = response.content.decode()
    doc = _doc(response)
    data = json.loads(doc.xpath('//script[@id="quarter-charts"]')[0].text)
    units = data["units"]
    assert units["labels"] == [
        home.bloc.display_name, home.women.display_name,
        home.cell.display_name, home.other_cell.display_name,
    ]  # fmt: skip
    done = next(d for d in units["datasets"] if d["key"] == "done")
    assert done["data"] == [0, 0, 2, 1]
    table = _one(doc, "chart-table-units")
    assert [[_number(td) for td in tr.xpath("td")] for tr in table.xpath(".//tbody/tr")] == [
        [0, 0, 1, 0], [0, 2, 0, 0], [2, 0, 0, 1], [1, 0, 1, 0]
    ]  # fmt: skip
    assert data["fields"]["labels"] == ["Kinh tế", "Môi trường"]
    assert data["fields"]["datasets"][0]["data"] == [3, 2]
    history = data["history"]
    assert history["labels"] == ["II/2020", "III/2020", "IV/2020", "I/2021"]
    assert next(d for d in history["datasets"] if d["key"] == "tasks")["data"][-1] == 6
    rows = _one(doc, "chart-table-history").xpath(".//tbody/tr")
    assert [r.get("data-quarter") for r in rows] == ["2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1"]
    # Without JavaScript the canvases stay hidden and the tables show; no inline code.
    assert doc.xpath('//div[@class="chart-canvas"][@hidden]/canvas')
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/quarter.js" in html
    for script in doc.xpath("//script[not(@src)]"):
        assert script.get("type") == "application/json"


def test_chart_js_is_loaded_only_on_the_quarter_page(client, home):
    client.force_login(home.staff)
    assert "chart.umd.min.js" not in client.get(reverse("meetings:meeting_list")).content.decode()


def test_print_shows_the_tables_not_the_canvases():
    css = (settings.BASE_DIR / "static" / "css" / "wardwork.css").read_text()
    section = css.split("=== The quarter page")[1].split("=== end of the quarter page")[0]
    printing = section.split("@media print")[1]
    assert ".chart-canvas" in printing and "display: none" in printing
    assert ".chart-data.visually-hidden" in printing and "position: static !important" in printing


# --- queries --------------------------------------------------------------------------------------

# The quarter page: session and user (2), the request's savepoint (2) (the session is not
# saved: the first visit refreshed it, wardwork/middleware_sessions.py), roles (1), the
# review with its meeting (1), the figures (5, meetings/review_figures.py), the issued
# report (1, what is missing reads the same), the previous review with its meeting's
# direction (1), the events (1), the reminders (1, read when a unit still owes reports).
# The direction is the meeting's here (its conclusions only when it has no direction and
# the figures count some: 1 more). Fixed whatever the number of tasks, units, reports,
# registrations or meetings' rows.
PAGE_QUERIES = 15


def test_the_page_queries_do_not_grow_with_the_data(client, home, away):
    """``home`` has the hand-counted quarter; ``away`` the same with five more rows of every
    kind (tasks and units, reports, registrations, recognitions, contributions, previous
    conclusions) and reminders: the page costs the same."""
    make_page_world(home)
    make_page_world(away, extra=5)
    url = _url("page")

    def page_queries(user) -> list[str]:
        client.force_login(user)
        client.get(url)  # the first visit creates the review
        # A capture reads Django's query log, which every request empties when it starts:
        # keep what it saw before the next request.
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [q["sql"][:160] for q in captured.captured_queries]

    small = page_queries(home.staff)
    client.force_login(away.staff)
    for unit in (away.cell, away.other_cell):
        client.post(_url("remind"), {"unit": unit.pk})
    large = page_queries(away.staff)
    assert len(_all(_doc(client.get(url)), "unit-row")) == 4 + 5
    assert len(large) == len(small), large
    assert len(small) == PAGE_QUERIES, "\n".join(small)


# --- bugs found in files this page does not own --------------------------------------------------


def test_a_readers_download_does_not_count_as_generating_the_report(client, home, world):
    client.force_login(home.staff)
    _page(client)
    _generate(client)
    review_services.review_text_save(
        actor=home.staff, review=_review(home), direction_text="Một hướng mới."
    )
    stale = [_vi(review_services.MESSAGE_REPORT_STALE)]
    assert review_services.review_missing(review=_review(home)) == stale
    client.force_login(home.dvk)
    assert client.get(_url("report_docx")).status_code == 200
    document = IssuedDocument.objects.get(kind=DocumentKind.QUARTERLY_REPORT)
    assert document.generated_by == home.staff
    assert review_services.review_missing(review=_review(home)) == stale
