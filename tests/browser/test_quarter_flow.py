"""The quarterly review of I/2021 in the browser, as the ward and a cell live it on the demo.

Chi bộ 2 has not reported for I/2021 yet: its secretary (cb02), on a phone, lands on what
the unit owes this quarter, reports on a task and registers a "Dân vận khéo" model. The
ward secretary (ngoc), on a desktop, lands on Quý I/2021 with 18 collectives, 03
individuals and the concluded meeting of 13/04/2021 (05 contributions, 06 conclusions),
approves the new model from the review queue, edits the report's text, generates the
quarterly report (a DOCX numbered ``-BC/ĐU``) and finalises the quarter, which locks it:
cb02 can no longer report for I/2021. Her working quarter moves on to II/2021, whose tasks
are the six conclusions of 13/04/2021; she prepares its review meeting from the page,
holds and concludes it, and III/2021 opens with its conclusion, which cb02 finds among the
unit's conclusions. The administrator sees the finalised quarter in the city view.

Both users pick English with the language cookie (as in ``test_registry_flow``): the
assertions read the interface as written whatever the state of the Vietnamese catalogue,
and the screenshots read the same; the data stays Vietnamese. Screenshots of the main pages
go to ``test-artifacts/quarter/``; with ``UPDATE_SCREENSHOTS=1`` the README's are also taken
in Vietnamese, the interface's default language, and copied to ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DEFAULT_TIMEOUT_MS, DESKTOP, PHONE
from tests.browser.test_login_flow import assert_no_horizontal_scroll, log_in, open_navigation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SHOTS = ARTIFACTS / "quarter"
# The README's screenshots: copied from SHOTS when the test passes with UPDATE_SCREENSHOTS=1.
README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
README_SHOT_NAMES = {
    "04-quarter-desktop": "quarter-page",
    "05-quarter-charts": "quarter-charts",
    "07-quarter-finalised": "quarter-finalised",
    "06-report-text-form": "report-text",
    "01-my-unit-phone": "my-unit-phone",
    "10-city-view": "city-view",
}
Q1 = "/quarters/2021-Q1/"  # the demo ward's working quarter, in review
CELL = "Chi bộ Khu dân cư số 2"
CELL_SHORT = "Chi bộ 2"
TASK = "Vận động nhân dân giữ gìn vệ sinh môi trường"  # 28-KH/ĐU task 6, due 31/12/2021
REPORT_NARRATIVE = "Chi bộ vận động 120 hộ tham gia tổng vệ sinh sáng thứ Bảy; còn 2 ngõ chưa đạt."
MODEL = "Dân vận khéo vận động hộ dân ngõ 35 giữ gìn ngõ xanh, sạch, đẹp"
ASSESSMENT = (
    "Chi bộ 2, Chi bộ 5 và Hội Người cao tuổi gửi báo cáo chậm; Đảng ủy yêu cầu các đơn vị "
    "báo cáo đúng hạn ngay từ quý II/2021."
)
MEETING = "Hội nghị sơ kết công tác dân vận quý II/2021"
CONTRIBUTION = "Chi bộ 2 đã họp dân tại ngõ 35; các hộ thống nhất ký cam kết giữ vệ sinh chung."
CONCLUSION = "Chi bộ Khu dân cư số 2 nhân rộng mô hình ngõ xanh, sạch, đẹp ra các ngõ còn lại."


def _english(page: Page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def _shot(page: Page, name: str, *, full_page: bool = False, element=None, down_to=None) -> Path:
    """Save a screenshot under test-artifacts/quarter/: the viewport, the full page, one
    ``element``, or the top of the page ``down_to`` the bottom of a locator. With
    ``UPDATE_SCREENSHOTS=1`` a README page is also shot in Vietnamese, the interface's
    default language (the page is reloaded with the cookie switched, then switched back)."""
    path = _take(page, name, full_page=full_page, element=element, down_to=down_to)
    if os.environ.get("UPDATE_SCREENSHOTS") and name in README_SHOT_NAMES:
        url = page.url
        cookie = {"name": "django_language", "url": url.split("/", 3)[0] + "//" + url.split("/")[2]}
        page.context.add_cookies([{**cookie, "value": "vi"}])
        page.reload()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)  # the charts' animation
        _take(page, f"{name}.vi", full_page=full_page, element=element, down_to=down_to)
        page.context.add_cookies([{**cookie, "value": "en"}])
        page.reload()
        page.wait_for_load_state("networkidle")
    return path


def _take(page: Page, name: str, *, full_page: bool, element, down_to) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    if element is not None:
        element.screenshot(path=str(path))
    elif down_to is not None:
        page.evaluate("window.scrollTo(0, 0)")
        box = down_to.bounding_box()
        width = page.viewport_size["width"]
        clip = {"x": 0, "y": 0, "width": width, "height": box["y"] + box["height"] + 40}
        page.screenshot(path=str(path), clip=clip, full_page=True)
    else:
        page.screenshot(path=str(path), full_page=full_page)
    return path


@contextmanager
def _browser_page(browser, live_server, viewport: dict, name: str) -> Iterator[Page]:
    """A page in its own context (its own cookies), in English; a screenshot of it is kept
    if the test fails while it is open."""
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="en-US", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    _english(page, live_server)
    try:
        yield page
    except BaseException:
        try:
            _shot(page, f"failed-{name}", full_page=True)
        except Exception as exc:  # a courtesy, never an extra failure
            print(f"Could not save a screenshot of {name}'s page: {exc}")
        raise
    finally:
        context.close()


def _person_pk(full_name: str) -> str:
    from wardwork.models import Person

    return str(Person.objects.get(ward__name="Phường Phúc Đồng", full_name=full_name).pk)


def _docx_text(path: str) -> str:
    """Every paragraph of a Word document, in its body and its tables (nested too)."""
    from docx import Document

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
                    yield from cells(cell.tables)

    document = Document(path)
    paragraphs = [*document.paragraphs, *cells(document.tables)]
    return "\n".join(p.text for p in paragraphs)


def _by_unit(page: Page, testid: str, unit_id: int):
    return page.get_by_test_id(testid).and_(page.locator(f"[data-unit='{unit_id}']"))


# --- the steps ----------------------------------------------------------------------------------


def _cell_reports_and_registers(cb02: Page, live_server, password: str, cell) -> None:
    """cb02, on a phone: lands on what Chi bộ 2 owes in I/2021, reports on a task, registers
    a model."""
    from plans.models import ProgressReport

    cb02.goto("/accounts/login/")
    log_in(cb02, "cb02", password)
    expect(cb02).to_have_url(f"{live_server.url}/quarters/my-unit/")
    expect(cb02.get_by_test_id("quarter-label")).to_have_text("Quarter I/2021")
    owed = cb02.get_by_test_id("owed-counts")
    expect(owed).to_have_attribute("data-missing-reports", "5")
    expect(owed).to_contain_text("5 reports missing")
    section = cb02.get_by_test_id("unit-section")
    expect(section.get_by_role("heading", level=2)).to_have_text(CELL_SHORT)
    expect(section.locator("[data-testid=unit-task][data-reported=no]")).to_have_count(5)
    assert_no_horizontal_scroll(cb02)
    _shot(cb02, "01-my-unit-phone", full_page=True)

    # The report, through the form the task's link opens.
    item = cb02.get_by_test_id("unit-task").filter(has_text=TASK)
    expect(item).to_have_attribute("data-reported", "no")
    item.get_by_test_id("report-link").click()
    expect(cb02).to_have_url(re.compile(r"/plans/my-tasks/\?quarter=2021-Q1#task-\d+-\d+$"))
    row = cb02.locator("#" + cb02.url.rsplit("#", 1)[1])
    expect(row).to_contain_text(TASK)
    row.locator("select[name$=status]").select_option("in_progress")
    row.locator("input[name$=percent]").fill("60")
    row.locator("textarea[name$=narrative]").fill(REPORT_NARRATIVE)
    row.get_by_test_id("report-submit").click()
    expect(row.get_by_role("status")).to_have_text("Report saved.")
    expect(row).to_contain_text("In progress · 60%")
    assert_no_horizontal_scroll(cb02)
    _shot(cb02, "02-report-phone", element=row)
    report = ProgressReport.objects.get(organization=cell, task__title__startswith=TASK)
    assert (report.year, report.quarter, report.status, report.percent) == (
        2021,
        1,
        "in_progress",
        60,
    )

    # Back on "my unit": one report fewer to send.
    cb02.goto("/quarters/my-unit/")
    expect(cb02.get_by_test_id("owed-counts")).to_have_attribute("data-missing-reports", "4")
    expect(cb02.get_by_test_id("unit-task").filter(has_text=TASK)).to_have_attribute(
        "data-reported", "yes"
    )

    # The model, from the menu.
    open_navigation(cb02, phone=True)
    cb02.get_by_test_id("nav-registry").click()
    cb02.locator("#main-nav").get_by_role("link", name="Models of my unit").click()
    cb02.get_by_test_id("register").click()
    form = cb02.get_by_test_id("registration-form")
    expect(form.locator("select[name=registered_by_unit]")).to_have_value(str(cell.pk))
    form.locator("textarea[name=title]").fill(MODEL)
    form.locator("select[name=field]").select_option(label="Môi trường")
    form.locator("textarea[name=content]").fill(
        "Vận động 48 hộ ngõ 35 giữ vệ sinh, trồng cây xanh."
    )
    form.locator("textarea[name=solutions]").fill("Đảng viên gương mẫu; họp dân hằng tháng.")
    form.locator("textarea[name=expected_results]").fill("Ngõ 35 đạt ngõ xanh, sạch, đẹp.")
    cb02.get_by_test_id("submit").click()
    expect(cb02.get_by_test_id("registration-title")).to_have_text(MODEL)
    expect(cb02.get_by_test_id("status")).to_have_text("Submitted")
    assert_no_horizontal_scroll(cb02)
    _shot(cb02, "03-registration-phone", full_page=True)


def _ward_sees_the_quarter(ngoc: Page, live_server, password: str, cell) -> None:
    """ngoc, on a desktop: lands on Quý I/2021 with the demo's figures and cb02's report."""
    ngoc.goto("/accounts/login/")
    log_in(ngoc, "ngoc", password)
    expect(ngoc).to_have_url(f"{live_server.url}{Q1}")
    expect(ngoc.get_by_test_id("quarter-heading")).to_have_text("Quarter I/2021")
    expect(ngoc.get_by_test_id("review-status")).to_have_attribute("data-status", "in_review")
    # The figures as the acceptance states them.
    expect(ngoc.get_by_test_id("reg-collective")).to_have_text("18")
    expect(ngoc.get_by_test_id("reg-individual")).to_have_text("03")
    expect(ngoc.get_by_test_id("meeting-status")).to_have_attribute("data-status", "concluded")
    expect(ngoc.get_by_test_id("meeting-contributions")).to_have_text("05")
    expect(ngoc.get_by_test_id("meeting-conclusions")).to_have_text("06")
    # cb02's report is counted: 77 of the 93 expected reports (76 in the demo).
    expect(ngoc.get_by_test_id("tasks-summary")).to_contain_text("Reports received: 77 of 93.")
    chi_bo_2 = _by_unit(ngoc, "unit-row", cell.pk)
    expect(chi_bo_2.locator("[data-field=in_progress]")).to_have_text("1")
    expect(chi_bo_2.locator("[data-field=not_reported]")).to_have_text("2")
    expect(_by_unit(ngoc, "unit-missing", cell.pk)).to_contain_text("04 reports missing")
    expect(ngoc.get_by_test_id("step-meeting")).to_have_attribute("data-state", "done")
    expect(ngoc.get_by_test_id("step-report")).to_have_attribute("data-state", "current")
    expect(ngoc.get_by_test_id("missing")).to_contain_text("Generate the quarterly report.")
    _shot(ngoc, "04-quarter-desktop")

    # The charts are drawn, each with its numbers one click away.
    charts = ngoc.locator("#charts")
    charts.scroll_into_view_if_needed()
    for name in ("units", "fields", "history"):
        expect(ngoc.locator(f"#chart-{name}")).to_be_visible()
    table = ngoc.get_by_test_id("chart-table-fields")
    ngoc.locator("figure[data-chart=fields]").get_by_role("button", name="Show the numbers").click()
    expect(table).to_be_visible()
    expect(table).to_contain_text("Giải phóng mặt bằng")
    _shot(ngoc, "05-quarter-charts", element=charts)


def _ward_approves_the_model(ngoc: Page) -> None:
    """From the review queue. Sent in after 31/03/2021, the model does not change the
    registrations of I/2021."""
    from models_registry.models import Registration

    ngoc.get_by_test_id("nav-registry").click()
    ngoc.locator("#main-nav").get_by_role("link", name="Review", exact=True).click()
    queued = ngoc.get_by_test_id("review-row").filter(has_text=MODEL)
    expect(queued).to_contain_text(CELL_SHORT)
    queued.get_by_test_id("approve").click()
    expect(ngoc.get_by_test_id("review-done").filter(has_text=MODEL)).to_contain_text("Approved")
    assert Registration.objects.get(title=MODEL).status == "approved"
    ngoc.goto(Q1)
    expect(ngoc.get_by_test_id("registrations-sentence")).to_contain_text(
        "18 collectives, 03 individuals"
    )


def _ward_reports_and_finalises(ngoc: Page, cell) -> None:
    """The report's text edited, the report generated (a DOCX numbered -BC/ĐU), the
    quarter finalised."""
    from meetings.models import QuarterlyReview

    ngoc.get_by_test_id("text-edit").click()
    text_form = ngoc.get_by_test_id("text-form")
    expect(text_form.locator("textarea[name=results_text]")).not_to_be_empty()
    expect(ngoc.get_by_test_id("text-figures")).to_contain_text(
        "18 collectives, 03 individuals registered"
    )
    text_form.locator("textarea[name=assessment_text]").fill(ASSESSMENT)
    _shot(ngoc, "06-report-text-form", down_to=text_form.locator("textarea[name=assessment_text]"))
    text_form.locator("textarea[name=assessment_text]").fill(ASSESSMENT)  # kept after a reload
    ngoc.get_by_test_id("text-save").click()
    expect(ngoc).to_have_url(re.compile(rf"{re.escape(Q1)}#report$"))
    expect(ngoc.locator(".alert-success")).to_contain_text("The report's text is saved.")

    with ngoc.expect_download() as download_info:
        ngoc.get_by_test_id("report-generate").click()
    download = download_info.value
    assert re.fullmatch(r"Bao-cao-\d+-BC-DU\.docx", download.suggested_filename)
    text = _docx_text(download.path())
    symbol = re.search(r"\d+-BC/ĐU", text)
    assert symbol, text[:500]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "quý I/2021" in text
    assert ASSESSMENT in text
    ngoc.goto(Q1)
    expect(ngoc.locator(".alert-success")).to_contain_text(
        f"The quarterly report {symbol.group()} is generated"
    )
    expect(ngoc.get_by_test_id("report-symbol")).to_contain_text(symbol.group())
    expect(ngoc.get_by_test_id("missing")).to_have_text("Everything needed is there.")

    ngoc.get_by_test_id("finalize").click()
    expect(ngoc.locator(".alert-success")).to_contain_text("Quarter I/2021 is finalised")
    expect(ngoc.get_by_test_id("review-status")).to_have_attribute("data-status", "finalized")
    expect(ngoc.get_by_test_id("step-finalized")).to_have_attribute("data-state", "done")
    expect(ngoc.get_by_test_id("frozen-note")).to_be_visible()
    expect(ngoc.get_by_test_id("finalized-by")).to_contain_text("Nguyễn Thị Ngọc")
    expect(ngoc.get_by_test_id("finalize")).to_have_count(0)
    expect(ngoc.get_by_test_id("reg-collective")).to_have_text("18")
    _shot(ngoc, "07-quarter-finalised")
    review = QuarterlyReview.objects.get(ward=cell.ward, year=2021, quarter=1)
    assert review.status == "finalized"
    assert review.figures["registrations"]["collective_text"] == "18"
    assert review.figures["tasks"]["received"] == 77


def _cell_finds_the_quarter_locked(cb02: Page) -> None:
    """Her unit's page has moved on to II/2021; I/2021 says it is finalised, and her
    unit's task page offers no report form for I/2021, saying why."""
    from plans.models import ProgressReport

    cb02.goto("/quarters/my-unit/")
    expect(cb02.get_by_test_id("quarter-label")).to_have_text("Quarter II/2021")
    cb02.get_by_test_id("quarter-previous").click()
    expect(cb02.get_by_test_id("quarter-label")).to_have_text("Quarter I/2021")
    expect(cb02.get_by_test_id("quarter-finalized")).to_contain_text("has been finalised")
    expect(cb02.get_by_test_id("report-link")).to_have_count(0)
    assert_no_horizontal_scroll(cb02)
    _shot(cb02, "08-my-unit-locked-phone")

    cb02.goto("/plans/my-tasks/?quarter=2021-Q1")
    # The report forms are gone; the page says why (a report sent anyway is refused with
    # the same sentence: tests/meetings/test_review_locks.py).
    closed = cb02.get_by_test_id("quarter-closed")
    expect(closed).to_contain_text("Quarter I/2021 was finalised on")
    expect(closed).to_contain_text("The ward secretary can reopen the quarter.")
    expect(cb02.get_by_test_id("task-row").filter(has_text=TASK)).to_have_count(1)
    expect(cb02.get_by_test_id("report-submit")).to_have_count(0)
    assert (
        ProgressReport.objects.get(
            task__title__startswith=TASK, year=2021, quarter=1, organization__name=CELL
        ).percent
        == 60
    )


def _ward_runs_the_next_quarter(ngoc: Page, live_server) -> None:
    """II/2021 opens with the six conclusions of 13/04/2021 as tasks; its review meeting is
    prepared from the page, held and concluded; III/2021 opens with its conclusion."""
    ngoc.get_by_test_id("nav-quarters").click()
    ngoc.get_by_test_id("nav-quarter-page").click()
    expect(ngoc).to_have_url(f"{live_server.url}/quarters/2021-Q2/")
    expect(ngoc.get_by_test_id("quarter-heading")).to_have_text("Quarter II/2021")
    follow_up = ngoc.get_by_test_id("follow-up-row")
    expect(follow_up).to_have_count(6)
    expect(follow_up.first).to_contain_text("Kế hoạch số 18-KH/QU")
    expect(ngoc.get_by_test_id("starting-tasks").locator("li")).to_have_count(6)
    from_meetings = ngoc.get_by_test_id("plan-row").filter(has_text="Tasks assigned by meetings")
    expect(from_meetings.locator("[data-field=total]")).to_have_text("6")
    _shot(ngoc, "09-quarter-ii-follow-up", element=ngoc.locator("#follow-up"))

    ngoc.get_by_test_id("meeting-create").click()
    form = ngoc.get_by_test_id("review-meeting-form")
    expect(form.locator("input[name=held_at]")).to_have_value("13/07/2021 08:00")
    expect(form.locator("select[name=chairs] option:checked")).to_have_count(2)
    expect(form.locator("select[name=reviewed_plans] option:checked")).not_to_have_count(0)
    form.locator("input[name=title]").fill(MEETING)
    form.locator("input[name=venue]").fill("Phòng họp 2 trụ sở phường")
    ngoc.get_by_test_id("review-meeting-save").click()
    expect(ngoc.get_by_test_id("meeting-title")).to_have_text(MEETING)
    expect(ngoc.locator(".alert-success")).to_contain_text("The review meeting is created")
    expect(ngoc.get_by_test_id("meeting-status")).to_have_attribute("data-status", "planned")

    ngoc.locator("#tab-contributions").click()
    contributions = ngoc.get_by_test_id("contribution-form")
    contributions.locator("select[name=speaker]").select_option(_person_pk("Phạm Thị Lan"))
    contributions.locator("textarea[name=content]").fill(CONTRIBUTION)
    ngoc.get_by_test_id("contribution-submit").click()
    expect(ngoc.get_by_test_id("contribution")).to_have_count(1)
    ngoc.locator("#tab-conclusions").click()
    ngoc.get_by_test_id("conclusion-form").locator("textarea[name=text]").fill(CONCLUSION)
    ngoc.get_by_test_id("lead-bodies").get_by_label(CELL, exact=True).check()
    ngoc.get_by_test_id("conclusion-submit").click()
    expect(ngoc.get_by_test_id("conclusion")).to_have_count(1)
    ngoc.get_by_test_id("meeting-hold").click()
    expect(ngoc.get_by_test_id("meeting-status")).to_have_attribute("data-status", "held")
    ngoc.get_by_test_id("meeting-conclude").click()
    expect(ngoc.get_by_test_id("conclusions-to-confirm")).to_contain_text(CONCLUSION)
    ngoc.get_by_test_id("conclude-confirm").click()
    expect(ngoc.get_by_test_id("meeting-status")).to_have_attribute("data-status", "concluded")

    ngoc.goto("/quarters/2021-Q2/")
    expect(ngoc.get_by_test_id("meeting-status")).to_have_attribute("data-status", "concluded")
    expect(ngoc.get_by_test_id("meeting-contributions")).to_have_text("01")
    expect(ngoc.get_by_test_id("meeting-conclusions")).to_have_text("01")
    expect(ngoc.get_by_test_id("step-meeting")).to_have_attribute("data-state", "done")
    ngoc.get_by_test_id("quarter-next").click()
    expect(ngoc.get_by_test_id("quarter-heading")).to_have_text("Quarter III/2021")
    expect(ngoc.get_by_test_id("follow-up-row")).to_have_count(1)
    expect(ngoc.get_by_test_id("follow-up-row")).to_contain_text(CONCLUSION)


def _cell_finds_its_new_conclusion(cb02: Page) -> None:
    cb02.goto("/quarters/my-unit/2021-Q3/")
    assigned = cb02.get_by_test_id("unit-conclusion").filter(has_text=CONCLUSION)
    expect(assigned).to_have_count(1)
    expect(assigned).to_have_attribute("data-open", "yes")
    assert_no_horizontal_scroll(cb02)


def _admin_sees_the_city(page: Page, live_server, password: str) -> None:
    """A superuser without a ward lands on the city view; I/2021 is finalised in Phúc Đồng,
    with the figures it was finalised with."""
    _english(page, live_server)
    page.goto("/accounts/login/")
    log_in(page, "admin", password)
    expect(page).to_have_url(f"{live_server.url}/quarters/city/")
    page.goto("/quarters/city/2021-Q1/")
    expect(page.get_by_test_id("quarter-label")).to_have_text("Quarter I/2021")
    ward = page.get_by_test_id("ward-row").filter(has_text="Phường Phúc Đồng")
    expect(ward.get_by_test_id("review-status")).to_have_attribute("data-status", "finalized")
    expect(ward.get_by_test_id("registrations")).to_have_text("18 collective, 03 individual")
    expect(ward.get_by_test_id("reports")).to_have_text("77/93")
    expect(ward.get_by_test_id("contributions")).to_have_text("05")
    expect(ward.get_by_test_id("conclusions")).to_have_text("06")
    _shot(page, "10-city-view", down_to=page.get_by_test_id("city-table"))


# --- the test -----------------------------------------------------------------------------------


def test_a_quarter_from_the_units_reports_to_the_next_quarter(
    page, browser, live_server, demo_data
):
    from wardwork.models import Organization

    password = demo_data["password"]
    cell = Organization.objects.get(ward__name="Phường Phúc Đồng", name=CELL)
    with (
        _browser_page(browser, live_server, PHONE, "cb02") as cb02,
        _browser_page(browser, live_server, DESKTOP, "ngoc") as ngoc,
    ):
        _cell_reports_and_registers(cb02, live_server, password, cell)
        _ward_sees_the_quarter(ngoc, live_server, password, cell)
        _ward_approves_the_model(ngoc)
        _ward_reports_and_finalises(ngoc, cell)
        _cell_finds_the_quarter_locked(cb02)
        _ward_runs_the_next_quarter(ngoc, live_server)
        _cell_finds_its_new_conclusion(cb02)
    _admin_sees_the_city(page, live_server, password)

    if os.environ.get("UPDATE_SCREENSHOTS"):
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        for source, target in README_SHOT_NAMES.items():
            shutil.copyfile(SHOTS / f"{source}.vi.png", README_SHOTS / f"{target}.png")
