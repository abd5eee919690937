"""A review meeting in the browser: ward staff schedule it, record contributions and a
conclusion during the meeting without leaving the page (htmx), conclude it; the cell
secretary the conclusion is assigned to then finds it among their unit's tasks, on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_login_flow import assert_no_horizontal_scroll, log_in, open_navigation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

TITLE = "Hội nghị sơ kết công tác dân vận quý II/2021 (thử nghiệm)"
CONCLUSION = "Chi bộ Khu dân cư số 1 vận động 15 hộ còn lại bàn giao mặt bằng dự án đường 40m."
CELL = "Chi bộ Khu dân cư số 1"


def _person_pk(full_name: str) -> str:
    from wardwork.models import Person

    return str(Person.objects.get(ward__name="Phường Phúc Đồng", full_name=full_name).pk)


def test_staff_record_a_meeting_and_the_cell_finds_its_task(page, browser, live_server, demo_data):
    from meetings.models import Meeting
    from plans.models import Task

    # --- khanh, ward staff, on a desktop: schedule the quarter II/2021 review --------------
    page.goto("/accounts/login/")
    log_in(page, "khanh", demo_data["password"])
    page.locator("#main-nav a[href='/meetings/']").click()  # a top-level item
    page.get_by_test_id("meeting-create").click()
    form = page.get_by_test_id("meeting-form")
    form.locator("select[name=kind]").select_option("quarterly_review")
    form.locator("select[name=quarter]").select_option("2")
    form.locator("input[name=title]").fill(TITLE)
    # Held at the end of quarter II: its tasks are due in quarter III, whether counted from
    # the day of the meeting or from the quarter it reviews.
    form.locator("input[name=held_at]").fill("28/06/2021 08:00")
    form.locator("input[name=venue]").fill("Phòng họp 2 trụ sở phường")
    form.locator("select[name=chairs]").select_option(
        [_person_pk("Nguyễn Thị Ngọc"), _person_pk("Nguyễn Hữu Khanh")]
    )
    form.locator("select[name=presenter]").select_option(_person_pk("Nguyễn Hữu Khanh"))
    page.get_by_test_id("meeting-save").click()
    expect(page.get_by_test_id("meeting-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("meeting-status")).to_have_attribute("data-status", "planned")
    meeting = Meeting.objects.get(title=TITLE)
    assert (meeting.year, meeting.quarter) == (2021, 2)

    # --- during the meeting: two contributions and a conclusion, without leaving the page --
    page.locator("#tab-contributions").click()
    expect(page).to_have_url(re.compile(r"tab=contributions#contributions$"))
    page.evaluate("window.__samePage = true")
    contributions = page.get_by_test_id("contribution-form")
    for number, (speaker, content) in enumerate(
        [
            ("Trần Văn Hùng", "Chi bộ đã họp với 15 hộ còn lại, đa số đồng thuận."),
            ("Lê Thị Thanh Hà", "Hội Phụ nữ phối hợp vận động các gia đình hội viên."),
        ],
        start=1,
    ):
        contributions = page.get_by_test_id("contribution-form")
        contributions.locator("select[name=speaker]").select_option(_person_pk(speaker))
        contributions.locator("textarea[name=content]").fill(content)
        page.get_by_test_id("contribution-submit").click()
        expect(page.get_by_test_id("contribution")).to_have_count(number)
        expect(page.get_by_test_id("contribution-count")).to_contain_text(f"0{number}")
        expect(page.get_by_test_id("contribution").last).to_contain_text(content)
        expect(page.locator("#tab-count-contributions")).to_have_text(f"0{number}")
    expect(page.get_by_test_id("contribution-number")).to_have_text(["1.", "2."])

    page.locator("#tab-conclusions").click()
    conclusions = page.get_by_test_id("conclusion-form")
    conclusions.locator("textarea[name=text]").fill(CONCLUSION)
    page.get_by_test_id("lead-bodies").get_by_label(CELL, exact=True).check()
    page.get_by_test_id("supporting-bodies").get_by_label(
        "Hội Liên hiệp Phụ nữ phường Phúc Đồng", exact=True
    ).check()
    page.get_by_test_id("conclusion-submit").click()
    expect(page.get_by_test_id("conclusion")).to_have_count(1)
    expect(page.get_by_test_id("conclusion-leads")).to_have_text("Chi bộ 1")  # short name
    expect(page.get_by_test_id("conclusion-count")).to_contain_text("01")
    assert page.evaluate("window.__samePage === true"), "the page was reloaded"

    # --- after the meeting: held, then concluded (with its confirmation) -------------------
    page.get_by_test_id("meeting-hold").click()
    expect(page.get_by_test_id("meeting-status")).to_have_attribute("data-status", "held")
    page.get_by_test_id("meeting-conclude").click()
    expect(page.get_by_test_id("conclusions-to-confirm")).to_contain_text(CONCLUSION)
    page.get_by_test_id("conclude-confirm").click()
    expect(page.get_by_test_id("meeting-status")).to_have_attribute("data-status", "concluded")
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(page.get_by_test_id("conclusion-task")).to_be_visible()
    expect(page.get_by_test_id("contribution-form")).to_have_count(0)
    task = Task.objects.get(conclusion__meeting=meeting)
    assert task.lead_organization.name == CELL
    assert task.due_quarter.short_label == "III/2021"  # the quarter after the meeting

    # --- cb01, the secretary of Chi bộ Khu dân cư số 1, on a phone -------------------------
    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="en-US", timezone_id="Asia/Ho_Chi_Minh"
    )
    cell_page = phone.new_page()
    try:
        cell_page.goto("/accounts/login/")
        log_in(cell_page, "cb01", demo_data["password"])
        open_navigation(cell_page, phone=True)
        cell_page.get_by_test_id("nav-plans").click()
        cell_page.locator("#main-nav a[href='/plans/my-tasks/']").click()
        expect(cell_page.locator("h1")).to_have_text("Việc của đơn vị tôi")
        cell_page.goto(f"/plans/my-tasks/?quarter={task.due_quarter.slug}")
        expect(cell_page.get_by_test_id("quarter-label")).to_have_text("Quý III/2021")
        row = cell_page.get_by_test_id("task-row").filter(has_text=CONCLUSION)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Chi bộ 1")
        assert_no_horizontal_scroll(cell_page)
        # and the meeting itself reads well on the phone; the fragment opens its tab
        cell_page.goto(f"/meetings/{meeting.pk}/#conclusions")
        expect(cell_page.locator("#tab-conclusions")).to_have_class(re.compile(r"\bactive\b"))
        expect(cell_page.get_by_test_id("conclusion")).to_contain_text(CONCLUSION)
        expect(cell_page.get_by_test_id("conclusion-form")).to_have_count(0)  # reads only
        assert_no_horizontal_scroll(cell_page)
    finally:
        phone.close()
