"""Plan pages: what each role sees and may do, content, and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, get_resolver, reverse
from openpyxl import load_workbook

from plans.models import Plan, ProgressReport, Task

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "plain",
    "cell_secretary",
    "other_cell_secretary",
    "mass_head",
    "dvk",
    "staff",
    "secretary",
]

# What each role gets on each URL of the plans app, for objects of its own ward.
# 200 page, 302 redirect after success, 403 forbidden; anonymous is always sent to login.
OWN_WARD = {
    "plan_list": dict.fromkeys(ROLES[1:], 200),
    "plan_detail": dict.fromkeys(ROLES[1:], 200),
    "plan_export": dict.fromkeys(ROLES[1:], 200),
    "task_detail": dict.fromkeys(ROLES[1:], 200),
    "plan_attachment": dict.fromkeys(ROLES[1:], 200),
    "report_evidence": dict.fromkeys(ROLES[1:], 200),
    "my_tasks": dict.fromkeys(ROLES[1:], 200),
    "plan_create": {**dict.fromkeys(ROLES[1:], 403), "staff": 200, "secretary": 200},
    "plan_update": {**dict.fromkeys(ROLES[1:], 403), "staff": 200, "secretary": 200},
    "task_create": {**dict.fromkeys(ROLES[1:], 403), "staff": 200, "secretary": 200},
    "task_update": {**dict.fromkeys(ROLES[1:], 403), "staff": 200, "secretary": 200},
    "progress_matrix": {
        **dict.fromkeys(ROLES[1:], 403),
        "dvk": 200,
        "staff": 200,
        "secretary": 200,
    },
    # POST-only actions
    "plan_archive": {**dict.fromkeys(ROLES[1:], 403), "staff": 302, "secretary": 302},
    "report_submit": {
        **dict.fromkeys(ROLES[1:], 403),
        "cell_secretary": 302,  # leads the task
        "mass_head": 302,  # supports the task
        "staff": 302,
        "secretary": 302,
    },
}
POST_ONLY = {"plan_archive", "report_submit"}


def _url(name, setup):
    args = {
        "plan_detail": [setup.ward_plan.pk],
        "plan_update": [setup.ward_plan.pk],
        "plan_archive": [setup.ward_plan.pk],
        "plan_export": [setup.ward_plan.pk],
        "task_create": [setup.ward_plan.pk],
        "task_detail": [setup.task.pk],
        "task_update": [setup.task.pk],
        "report_submit": [setup.task.pk],
        "plan_attachment": [setup.ward_plan.pk],
        "report_evidence": [setup.report.pk],
    }.get(name, [])
    return reverse(f"plans:{name}", args=args)


def _report_data(home, role):
    unit = home.women if role == "mass_head" else home.cell
    prefix = f"r{{task}}-{unit.pk}"
    return unit, prefix


def test_expectation_table_covers_every_url_of_the_app():
    names = {p.name for p in get_resolver("plans.urls").url_patterns if isinstance(p, URLPattern)}
    assert names == set(OWN_WARD)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(OWN_WARD))
def test_every_url_as_every_role_in_own_ward(client, home, plans_home, role, name):
    url = _url(name, plans_home)
    if role != "anonymous":
        client.force_login(getattr(home, role))
    if name in POST_ONLY:
        data = {"active": "0"}
        if name == "report_submit":
            unit = home.women if role == "mass_head" else home.cell
            prefix = f"r{plans_home.task.pk}-{unit.pk}"
            data = {
                "unit": unit.pk,
                "quarter": "2021-Q1",
                f"{prefix}-status": "in_progress",
                f"{prefix}-percent": "30",
            }
        response = client.post(url, data)
    else:
        response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == OWN_WARD[name][role], (name, role, response.status_code)


@pytest.mark.parametrize(
    "name", sorted(set(OWN_WARD) - {"plan_list", "plan_create", "my_tasks", "progress_matrix"})
)
def test_another_wards_objects_are_404_even_for_its_staff(client, home, away, plans_home, name):
    client.force_login(away.secretary)
    url = _url(name, plans_home)
    response = client.post(url, {"active": "0"}) if name in POST_ONLY else client.get(url)
    assert response.status_code == 404


def test_lists_never_show_another_ward(client, home, away, plans_home, plans_away):
    client.force_login(away.secretary)
    listed = list(client.get(reverse("plans:plan_list")).context["page_obj"])
    assert listed and all(p.ward_id == away.ward.pk for p in listed)
    matrix = client.get(reverse("plans:progress_matrix")).context["matrix"]
    assert {t.ward_id for t in matrix.tasks} == {away.ward.pk}


def test_plan_page_shows_the_chain_and_tasks(client, home, plans_home):
    client.force_login(home.plain)
    page = client.get(_url("plan_detail", plans_home)).content.decode()
    assert "18-KH/QU" in page  # the plan it implements
    assert "Vận động nhân dân giải phóng mặt bằng" in page
    assert home.cell.name in page or home.cell.display_name in page
    upper = client.get(
        reverse("plans:plan_detail", args=[plans_home.district_plan.pk])
    ).content.decode()
    assert "28-KH/ĐU" in upper  # implemented by


def test_plan_list_filters_and_searches_without_accents(client, home, plans_home):
    client.force_login(home.plain)

    def found(**query):
        return [p.symbol for p in client.get(reverse("plans:plan_list"), query).context["page_obj"]]

    assert found(q="dan van kheo trien khai") == ["28-KH/ĐU"]
    assert found(q="28-kh") == ["28-KH/ĐU"]
    assert found(issuer=home.committee.parent.pk) == ["18-KH/QU"]
    assert set(found(year=2021)) == {"18-KH/QU", "28-KH/ĐU"}
    assert found(year=2020) == []
    assert found(doc_type="NQ") == []


def test_plan_list_bad_filter_value_is_a_field_error_not_a_500(client, home, plans_home):
    client.force_login(home.plain)
    response = client.get(reverse("plans:plan_list"), {"year": "hai nghìn"})
    assert response.status_code == 200
    assert "year" in response.context["form"].errors


def _plan_post(**overrides):
    data = {
        "symbol": "35-KH/ĐU",
        "issued_on": "05/02/2021",
        "title": "Kế hoạch tuyên truyền giải phóng mặt bằng",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_creating_a_plan_reads_type_number_and_issuer_from_the_symbol(client, home, plans_home):
    client.force_login(home.staff)
    response = client.post(
        reverse("plans:plan_create"), _plan_post(implements=plans_home.district_plan.pk)
    )
    plan = Plan.objects.get(symbol="35-KH/ĐU")
    assert response["Location"] == reverse("plans:plan_detail", args=[plan.pk])
    assert (plan.doc_type, plan.number, plan.issuer, plan.year) == ("KH", 35, home.committee, 2021)
    assert plan.issued_on == dt.date(2021, 2, 5)
    assert plan.created_by == home.staff
    assert plan.history.latest().history_user == home.staff


def test_unusual_symbol_is_kept_with_a_warning(client, home, plans_home):
    client.force_login(home.staff)
    response = client.post(
        reverse("plans:plan_create"), _plan_post(symbol="07-XYZ/ĐU"), follow=True
    )
    assert Plan.objects.filter(symbol="07-XYZ/ĐU", doc_type="XYZ").exists()
    assert "XYZ" in " ".join(str(m) for m in response.context["messages"])


def test_impossible_symbol_is_an_error_at_the_field_and_keeps_the_input(client, home, plans_home):
    client.force_login(home.staff)
    response = client.post(reverse("plans:plan_create"), _plan_post(symbol="18-KH/QU/../x"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "symbol" in form.errors
    assert (
        "Kế hoạch tuyên truyền giải phóng mặt bằng" in response.content.decode()
    )  # nothing typed is lost


def test_duplicate_symbol_is_refused_naming_the_existing_plan(client, home, plans_home):
    client.force_login(home.staff)
    response = client.post(
        reverse("plans:plan_create"), _plan_post(symbol="28 - KH/ĐU", issued_on="20/01/2021")
    )
    assert response.status_code == 200
    assert "Triển khai chủ đề Năm Dân vận khéo" in " ".join(
        response.context["form"].errors["symbol"]
    )
    assert Plan.objects.filter(symbol_key__contains="28-kh").count() == 1


def test_bad_date_is_a_vietnamese_error_at_the_field(client, home, plans_home):
    client.force_login(home.staff)
    response = client.post(reverse("plans:plan_create"), _plan_post(issued_on="31/02/2021"))
    assert response.status_code == 200
    assert "issued_on" in response.context["form"].errors
    assert "Nhập một ngày hợp lệ" in response.content.decode()


def test_task_form_numbers_and_assigns(client, home, plans_home):
    client.force_login(home.secretary)
    response = client.post(
        reverse("plans:task_create", args=[plans_home.ward_plan.pk]),
        {
            "title": "Không sử dụng bếp than tổ ong",
            "lead_organization": home.women.pk,
            "supporting_organizations": [home.cell.pk, home.women.pk],
            "due_quarter": "II/2021",
            "status": "open",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    task = Task.objects.get(title="Không sử dụng bếp than tổ ong")
    assert task.ordinal == 3
    assert list(task.supporting_organizations.all()) == [
        home.cell
    ]  # the lead is not also supporting
    assert str(task.due_quarter) == "Quý II/2021"


def test_task_form_refuses_both_deadlines_and_a_taken_number(client, home, plans_home):
    client.force_login(home.secretary)
    response = client.post(
        reverse("plans:task_create", args=[plans_home.ward_plan.pk]),
        {
            "ordinal": 1,
            "title": "Trùng số",
            "lead_organization": home.women.pk,
            "due_date": "30/06/2021",
            "due_quarter": "II/2021",
            "status": "open",
        },
    )
    errors = response.context["form"].errors
    assert "due_quarter" in errors and "ordinal" in errors


def test_my_tasks_lists_the_units_tasks_and_the_report_updates(client, home, plans_home):
    client.force_login(home.cell_secretary)
    page = client.get(reverse("plans:my_tasks"), {"quarter": "I/2021"})
    rows = page.context["rows"]
    assert [r.task for r in rows] == [plans_home.task]
    assert page.context["missing"] == 1
    prefix = f"r{plans_home.task.pk}-{home.cell.pk}"
    url = reverse("plans:report_submit", args=[plans_home.task.pk])
    for percent in ("30", "60"):
        response = client.post(
            url,
            {
                "unit": home.cell.pk,
                "quarter": "2021-Q1",
                f"{prefix}-status": "in_progress",
                f"{prefix}-percent": percent,
                f"{prefix}-narrative": f"Đạt {percent}%",
            },
        )
        assert response.status_code == 302
    report = ProgressReport.objects.get(
        task=plans_home.task, organization=home.cell, year=2021, quarter=1
    )
    assert report.percent == 60
    assert report.history.count() == 2
    assert client.get(reverse("plans:my_tasks"), {"quarter": "I/2021"}).context["missing"] == 0


def test_report_with_bad_percent_shows_the_error_and_keeps_the_text(client, home, plans_home):
    client.force_login(home.cell_secretary)
    prefix = f"r{plans_home.task.pk}-{home.cell.pk}"
    response = client.post(
        reverse("plans:report_submit", args=[plans_home.task.pk]),
        {
            "unit": home.cell.pk,
            "quarter": "2021-Q1",
            f"{prefix}-status": "in_progress",
            f"{prefix}-percent": "150",
            f"{prefix}-narrative": "Nội dung đã nhập",
        },
    )
    assert response.status_code == 400
    assert "Nội dung đã nhập" in response.content.decode()
    assert not ProgressReport.objects.filter(task=plans_home.task).exists()


def test_report_by_htmx_returns_the_row(client, home, plans_home):
    client.force_login(home.cell_secretary)
    prefix = f"r{plans_home.task.pk}-{home.cell.pk}"
    response = client.post(
        reverse("plans:report_submit", args=[plans_home.task.pk]),
        {
            "unit": home.cell.pk,
            "quarter": "2021-Q1",
            f"{prefix}-status": "done",
            f"{prefix}-percent": "10",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="task-{plans_home.task.pk}-{home.cell.pk}"' in response.content.decode()
    assert ProgressReport.objects.get(task=plans_home.task).percent == 100  # done means 100 %


def test_cell_secretary_cannot_report_for_a_unit_not_theirs(client, home, plans_home):
    client.force_login(home.cell_secretary)
    prefix = f"r{plans_home.task.pk}-{home.women.pk}"
    response = client.post(
        reverse("plans:report_submit", args=[plans_home.task.pk]),
        {
            "unit": home.women.pk,
            "quarter": "2021-Q1",
            f"{prefix}-status": "open",
            f"{prefix}-percent": "0",
        },
    )
    assert response.status_code == 403


def test_matrix_shows_who_has_not_reported(client, home, plans_home):
    ProgressReport.objects.create(
        task=plans_home.task,
        organization=home.cell,
        year=2021,
        quarter=1,
        status="in_progress",
        percent=50,
    )
    client.force_login(home.dvk)
    response = client.get(reverse("plans:progress_matrix"), {"quarter": "I/2021"})
    matrix = response.context["matrix"]
    assert set(matrix.units_missing) == {home.women}  # other_cell reported in the fixture
    page = response.content.decode()
    assert "50%" in page
    assert "Chưa báo cáo" in page


def test_export_holds_tasks_and_progress(client, home, plans_home):
    ProgressReport.objects.create(
        task=plans_home.task,
        organization=home.cell,
        year=2021,
        quarter=1,
        status="in_progress",
        percent=50,
        narrative="Đã vận động 12 hộ",
    )
    client.force_login(home.plain)
    response = client.get(_url("plan_export", plans_home))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    book = load_workbook(BytesIO(response.content))
    tasks, progress = book.worksheets
    rows = list(tasks.iter_rows(values_only=True))
    assert "28-KH/ĐU" in rows[0][0]
    assert rows[3][:3] == (1, "Vận động nhân dân giải phóng mặt bằng", home.cell.name)
    assert rows[4][1] == "Giảm rác thải nhựa"
    progress_rows = list(progress.iter_rows(values_only=True))
    assert progress_rows[1][2] == home.cell.name
    assert progress_rows[1][3] == "I/2021"
    assert progress_rows[1][6] == "Đã vận động 12 hộ"


def _grow(home, n):
    """More plans, tasks, units and reports in the same ward."""
    from tests.factories import OrganizationFactory

    for i in range(n):
        setup = make_plans_for(home, i)
        unit = OrganizationFactory(ward=home.ward, name=f"Chi bộ thêm {i}")
        setup.task.supporting_organizations.add(unit)
        ProgressReport.objects.create(
            task=setup.task, organization=unit, year=2021, quarter=1, status="open"
        )


def make_plans_for(home, i):
    plan = Plan.objects.create(
        ward=home.ward,
        doc_type="KH",
        number=100 + i,
        issuer=home.committee,
        symbol=f"{100 + i}-KH/ĐU",
        issued_on=dt.date(2021, 3, 1),
        year=2021,
        title=f"Kế hoạch thêm {i}",
    )
    task = Task.objects.create(
        ward=home.ward, plan=plan, ordinal=1, title=f"Việc thêm {i}", lead_organization=home.cell
    )
    task.supporting_organizations.add(home.women)

    class Setup:
        pass

    setup = Setup()
    setup.task = task
    return setup


# Every page: session, user (+person, ward), the user's positions, SAVEPOINT/RELEASE for
# ATOMIC_REQUESTS: 5 queries (the session is saved again only every few minutes,
# wardwork/middleware_sessions.py); the rest is the page's own, listed per page.
BASE = 5


@pytest.mark.parametrize(
    ("name", "role", "own"),
    [
        ("plan_list", "plain", 3),  # issuers for the filter, COUNT, the page of plans
        # plan (with its number of tasks) + implemented_by + the page of tasks + their
        # supporting units + their reports grouped by quarter + history
        ("plan_detail", "plain", 6),
        # figures (tasks, missing reports), the page of tasks, their reports, closed quarter
        ("my_tasks", "cell_secretary", 4),
        # assignments grouped by unit, the units, the page of tasks, their supporting units,
        # their reports, plan options
        ("progress_matrix", "staff", 6),
        ("plan_export", "plain", 5),
    ],
)
def test_query_counts_do_not_grow_with_the_data(
    client, home, plans_home, django_assert_max_num_queries, name, role, own
):
    client.force_login(getattr(home, role))
    url = _url(name, plans_home) + (
        "?quarter=2021-Q1" if name in {"my_tasks", "progress_matrix"} else ""
    )
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(home, 8)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"][:120] for q in large.captured_queries
    ]
    assert len(small.captured_queries) <= BASE + own


def test_plan_list_understands_document_types_in_words(client, home, plans_home):
    client.force_login(home.plain)
    response = client.get(reverse("plans:plan_list"), {"q": "kế hoạch số 28"})
    assert [p.symbol for p in response.context["page_obj"]] == ["28-KH/ĐU"]


def test_a_report_without_a_reporter_shows_on_the_task_page(client, home, plans_home):
    ProgressReport.objects.create(
        task=plans_home.task,
        organization=home.cell,
        year=2021,
        quarter=1,
        status="open",
        reported_by=None,
    )
    client.force_login(home.plain)
    response = client.get(reverse("plans:task_detail", args=[plans_home.task.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("quarter", ["9999-Q4", "1900-Q1", "IV/9999"])
def test_quarters_at_the_edge_of_time_fall_back_to_the_current_one(
    client, home, plans_home, quarter
):
    client.force_login(home.staff)
    for name in ("plans:my_tasks", "plans:progress_matrix"):
        assert client.get(reverse(name), {"quarter": quarter}).status_code == 200


# --- pagination ---------------------------------------------------------------------------------


def test_plan_list_second_page_shows_the_rest_and_keeps_the_filters(
    client, home, plans_home, monkeypatch
):
    from plans import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(home.plain)
    first = client.get(reverse("plans:plan_list"), {"year": 2021})
    assert [p.symbol for p in first.context["page_obj"]] == ["28-KH/ĐU"]
    assert "?year=2021&amp;page=2" in first.content.decode()
    second = client.get(reverse("plans:plan_list"), {"year": 2021, "page": 2})
    assert [p.symbol for p in second.context["page_obj"]] == ["18-KH/QU"]


def test_plan_page_shows_its_tasks_page_by_page_with_the_total(
    client, home, plans_home, monkeypatch
):
    from plans import views

    monkeypatch.setattr(views, "PLAN_TASKS_PAGE_SIZE", 1)
    client.force_login(home.plain)
    url = _url("plan_detail", plans_home)
    first = client.get(url)
    second = client.get(url, {"page": 2})
    assert [t.title for t in first.context["tasks"]] == ["Vận động nhân dân giải phóng mặt bằng"]
    assert [t.title for t in second.context["tasks"]] == ["Giảm rác thải nhựa"]
    assert '<span class="badge text-bg-light">2</span>' in second.content.decode()
    # The progress line still counts the units of the task shown.
    assert second.context["tasks"][0].progress.reported == 1


def test_task_page_shows_its_reports_page_by_page(client, home, plans_home, monkeypatch):
    from plans import views

    monkeypatch.setattr(views, "TASK_REPORTS_PAGE_SIZE", 1)
    ProgressReport.objects.create(
        task=plans_home.other_task,
        organization=home.other_cell,
        year=2021,
        quarter=2,
        status="in_progress",
        percent=60,
    )
    client.force_login(home.plain)
    url = reverse("plans:task_detail", args=[plans_home.other_task.pk])
    first = client.get(url).context["reports"]
    second = client.get(url, {"page": 2}).context["reports"]
    assert [(r.quarter, r.percent) for r in first] == [(2, 60)]  # newest quarter first
    assert [(r.quarter, r.percent) for r in second] == [(1, 20)]


def test_matrix_second_page_shows_the_rest_keeps_quarter_and_plan_and_counts_all(
    client, home, plans_home, monkeypatch
):
    from plans import views

    monkeypatch.setattr(views, "MATRIX_PAGE_SIZE", 1)
    client.force_login(home.dvk)
    query = {"quarter": "2021-Q1", "plan": plans_home.ward_plan.pk}
    first = client.get(reverse("plans:progress_matrix"), query)
    second = client.get(reverse("plans:progress_matrix"), {**query, "page": 2})
    assert [t.pk for t in first.context["matrix"].tasks] == [plans_home.task.pk]
    assert [t.pk for t in second.context["matrix"].tasks] == [plans_home.other_task.pk]
    assert f"?quarter=2021-Q1&amp;plan={plans_home.ward_plan.pk}&amp;page=2" in (
        first.content.decode()
    )
    for response in (first, second):
        matrix = response.context["matrix"]
        # Columns and the missing reports are the quarter's, whatever the page.
        assert set(matrix.units) == {home.cell, home.other_cell, home.women}
        assert matrix.missing_by_unit == {home.cell.pk: 1, home.women.pk: 1}
        assert set(matrix.units_missing) == {home.cell, home.women}
    # The row of the second page: other_cell reported 20 %, the others are not assigned.
    page = second.content.decode()
    assert "20%" in page and "Vận động nhân dân" not in page


def test_my_tasks_second_page_shows_the_rest_and_the_missing_count_covers_every_page(
    client, home, plans_home, monkeypatch
):
    from plans import views

    monkeypatch.setattr(views, "MY_TASKS_PAGE_SIZE", 1)
    for i in range(2):
        make_plans_for(home, i)  # two more tasks led by home.cell, of plans issued 1 March
    client.force_login(home.cell_secretary)
    url = reverse("plans:my_tasks")
    pages = [client.get(url, {"quarter": "2021-Q1", "page": n}) for n in (1, 2, 3)]
    titles = [[r.task.title for r in p.context["rows"]] for p in pages]
    assert titles == [["Vận động nhân dân giải phóng mặt bằng"], ["Việc thêm 0"], ["Việc thêm 1"]]
    assert all(p.context["missing"] == 3 for p in pages)
    assert "?quarter=2021-Q1&amp;page=2" in pages[0].content.decode()
    # A report sent from page 2 comes back to page 2.
    task = pages[1].context["rows"][0].task
    prefix = f"r{task.pk}-{home.cell.pk}"
    response = client.post(
        reverse("plans:report_submit", args=[task.pk]),
        {
            "unit": home.cell.pk,
            "quarter": "2021-Q1",
            "page": "2",
            f"{prefix}-status": "in_progress",
            f"{prefix}-percent": "40",
        },
    )
    assert response["Location"].endswith(f"?quarter=2021-Q1&page=2#task-{task.pk}-{home.cell.pk}")
    assert client.get(url, {"quarter": "2021-Q1"}).context["missing"] == 2


def test_my_tasks_rows_list_lead_and_supporting_units_once_each(client, home, plans_home):
    """A manager of two units sees a task once per unit of theirs assigned to it."""
    import datetime as _dt

    from wardwork.models import Position, PositionRole

    Position.objects.create(
        person=home.cell_secretary.person,
        organization=home.women,
        role=PositionRole.HEAD,
        started_on=_dt.date(2020, 1, 1),
    )
    client.force_login(home.cell_secretary)
    response = client.get(reverse("plans:my_tasks"), {"quarter": "2021-Q1"})
    rows = [(r.task.pk, r.unit.pk, r.is_lead) for r in response.context["rows"]]
    assert rows == [
        (plans_home.task.pk, home.cell.pk, True),
        (plans_home.task.pk, home.women.pk, False),
    ]
    assert response.context["missing"] == 2


def test_live_tasks_without_the_plan_join_are_those_of_live_in(home, plans_home):
    """plans.selectors reads "live in the quarter" without joining plans: the same tasks as
    Task.live_in, for tasks given on a date, by a plan, or by neither."""
    from plans.selectors import _live_tasks
    from wardwork.quarters import Quarter

    later = Plan.objects.create(
        ward=home.ward,
        doc_type="KH",
        number=40,
        issuer=home.committee,
        symbol="40-KH/ĐU",
        issued_on=dt.date(2021, 5, 2),
        year=2021,
        title="Kế hoạch quý II",
    )
    Task.objects.create(
        ward=home.ward,
        plan=later,
        ordinal=1,
        title="Theo kế hoạch quý II",
        lead_organization=home.cell,
    )
    Task.objects.create(
        ward=home.ward,
        plan=later,
        ordinal=2,
        title="Giao sớm",
        lead_organization=home.cell,
        assigned_on=dt.date(2021, 3, 1),
    )
    Task.objects.create(
        ward=home.ward, ordinal=1, title="Không thuộc kế hoạch", lead_organization=home.cell
    )
    Task.objects.create(
        ward=home.ward,
        plan=later,
        ordinal=3,
        title="Đã hủy",
        lead_organization=home.cell,
        status="cancelled",
    )
    for quarter in (Quarter(2020, 4), Quarter(2021, 1), Quarter(2021, 2), Quarter(2030, 1)):
        expected = set(
            Task.objects.filter(ward=home.ward)
            .live_in(quarter)
            .exclude(status="cancelled")
            .values_list("pk", flat=True)
        )
        got = set(_live_tasks(home.secretary, quarter, ward=home.ward).values_list("pk", flat=True))
        assert got == expected, quarter
