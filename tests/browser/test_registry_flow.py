"""A cell secretary registers a "Dân vận khéo" model on a phone; the ward returns it with a
note from the review queue; the cell fixes and resubmits it; the ward approves it.

Both users pick English in the language switcher (a cookie), so the assertions read the
interface as written whatever the state of the Vietnamese catalogue; the data stays
Vietnamese.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_flow import assert_no_horizontal_scroll, log_in, open_navigation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

TITLE = "Dân vận khéo vận động hộ dân ngõ 12 hiến đất mở đường"
NOTE = "Bổ sung tiến độ từng quý và số hộ dự kiến tham gia."


def _english(page: Page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def _log_in(page: Page, live_server, username: str, password: str, landing: str) -> None:
    """Log in and wait for the role's landing page: ``"unit"`` (a cell secretary: their
    unit's quarter) or ``"ward"`` (ward staff: the quarter the ward is working on)."""
    _english(page, live_server)
    page.goto("/accounts/login/")
    log_in(page, username, password)
    if landing == "unit":
        expect(page).to_have_url(f"{live_server.url}/quarters/my-unit/")
        expect(page.get_by_role("heading", level=1)).to_have_text("My unit this quarter")
    else:
        expect(page).to_have_url(f"{live_server.url}/quarters/2021-Q1/")
        expect(page.get_by_test_id("quarter-ward")).to_contain_text("Phường Phúc Đồng")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_register_return_fix_resubmit_approve(page, browser, live_server, demo_data):
    from models_registry.models import Registration

    password = demo_data["password"]

    # cb01 registers a model on the phone, from the menu.
    _log_in(page, live_server, "cb01", password, "unit")
    open_navigation(page, phone=True)
    page.get_by_test_id("nav-registry").click()
    page.locator("#main-nav").get_by_role("link", name="Models of my unit").click()
    page.get_by_test_id("register").click()
    form = page.get_by_test_id("registration-form")
    expect(form).to_be_visible()
    assert_no_horizontal_scroll(page)
    # The unit cb01 manages is already chosen as the owner and as the collective.
    expect(form.locator("select[name=registered_by_unit]")).to_have_value(re.compile(r"\d+"))
    form.locator("textarea[name=title]").fill(TITLE)
    form.locator("select[name=field]").select_option(label="Giải phóng mặt bằng")
    form.locator("textarea[name=content]").fill("Vận động 15 hộ hiến đất mở rộng ngõ 12.")
    form.locator("textarea[name=solutions]").fill("Đảng viên gương mẫu đi đầu; họp dân theo tổ.")
    form.locator("textarea[name=expected_results]").fill("Ngõ 12 rộng 4 m trước quý IV.")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("registration-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    expect(page.locator(".alert-success")).to_contain_text("the ward will review it")
    assert_no_horizontal_scroll(page)

    # khanh returns it with a note from the review queue, on a desktop, without leaving it.
    staff_context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    staff = staff_context.new_page()
    try:
        _log_in(staff, live_server, "khanh", password, "ward")
        staff.get_by_test_id("nav-registry").click()
        staff.locator("#main-nav").get_by_role("link", name="Review", exact=True).click()
        expect(staff.get_by_role("heading", name="Registrations to review")).to_be_visible()
        row = staff.get_by_test_id("review-row").filter(has_text=TITLE)
        expect(row).to_contain_text("Chi bộ 1")
        queue_url = staff.url
        row.locator("textarea").fill(NOTE)
        row.get_by_test_id("return").click()
        done = staff.get_by_test_id("review-done").filter(has_text=TITLE)
        expect(done).to_contain_text("Returned for changes")
        expect(done).to_contain_text(NOTE)
        assert staff.url == queue_url  # still on the list: htmx replaced the row

        # cb01 sees the note, fixes the registration and submits it again.
        page.goto("/")
        open_navigation(page, phone=True)
        page.get_by_test_id("nav-registry").click()
        page.locator("#main-nav").get_by_role("link", name="Models of my unit").click()
        card = page.get_by_test_id("unit-registration").filter(has_text=TITLE)
        expect(card.get_by_test_id("status")).to_have_text("Returned for changes")
        expect(card.get_by_test_id("review-note")).to_contain_text(NOTE)
        card.get_by_role("link", name="Fix and resubmit").click()
        expect(page.get_by_test_id("review-note")).to_contain_text(NOTE)
        page.locator("textarea[name=schedule]").fill(
            "Quý II: họp dân, ký cam kết (15 hộ); quý III: bàn giao mặt bằng; quý IV: thi công."
        )
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("status")).to_have_text("Submitted")
        expect(page.get_by_test_id("history")).to_contain_text("Returned for changes")
        expect(page.get_by_test_id("history")).to_contain_text(NOTE)

        # khanh approves it from the queue.
        staff.reload()
        row = staff.get_by_test_id("review-row").filter(has_text=TITLE)
        row.get_by_test_id("approve").click()
        expect(staff.get_by_test_id("review-done").filter(has_text=TITLE)).to_contain_text(
            "Approved"
        )
        expect(staff.get_by_test_id("review-row").filter(has_text=TITLE)).to_have_count(0)
    finally:
        staff_context.close()

    # cb01 finds the model approved, with its history.
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("Approved")
    registration = Registration.objects.get(title=TITLE)
    assert registration.status == "approved"
    assert [e.action for e in registration.events.order_by("at", "pk")] == [
        "created",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert registration.registered_by_unit.short_name == "Chi bộ 1"
