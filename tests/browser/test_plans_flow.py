"""A cell secretary reports quarter progress on a phone; ward staff see it in the matrix."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_flow import assert_no_horizontal_scroll, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_cell_secretary_reports_and_ward_staff_see_it(page, browser, live_server, demo_data):
    from plans.models import ProgressReport

    page.goto("/accounts/login/")
    log_in(page, "cb01", demo_data["password"])
    page.goto("/plans/my-tasks/?quarter=2021-Q2")
    expect(page.get_by_test_id("quarter-label")).to_have_text("Quý II/2021")
    row = page.get_by_test_id("task-row").first
    expect(row).to_contain_text("Chưa báo cáo")
    assert_no_horizontal_scroll(page)
    row_id = row.get_attribute("id")  # task-<task>-<unit>
    _, task_id, unit_id = row_id.split("-")

    row.locator("select[name$='-status']").select_option("in_progress")
    row.locator("input[name$='-percent']").fill("40")
    row.locator("textarea[name$='-narrative']").fill(
        "Đã tuyên truyền tới 100% hộ gia đình trong khu dân cư."
    )
    row.get_by_test_id("report-submit").click()
    saved = page.locator(f"#{row_id}")
    expect(saved).to_contain_text("Đã gửi báo cáo")  # htmx swapped the card in place
    expect(saved).to_contain_text("Đã lưu báo cáo")
    report = ProgressReport.objects.get(
        task_id=task_id, organization_id=unit_id, year=2021, quarter=2
    )
    assert report.percent == 40
    assert report.reported_by.username == "cb01"

    staff = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-US")
    staff_page = staff.new_page()
    try:
        staff_page.goto("/accounts/login/")
        log_in(staff_page, "khanh", demo_data["password"])
        staff_page.goto("/plans/progress/?quarter=2021-Q2")
        matrix = staff_page.get_by_test_id("matrix")
        expect(matrix).to_contain_text("40%")
        expect(staff_page.get_by_test_id("units-missing")).to_be_visible()
        staff_page.goto("/plans/progress/?quarter=2021-Q1")
        expect(staff_page.get_by_test_id("units-missing")).to_contain_text("Chi bộ 2")
    finally:
        staff.close()
