"""Log in, switch language, log out: in headless Chromium, on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise warns once that STATIC_ROOT (collectstatic's output) is missing; the live
    # server serves the static files from the app directories anyway.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

WARD = "Phường Phúc Đồng"
LOGIN_PATH = "/accounts/login/"


def login_url_pattern(live_server) -> re.Pattern[str]:
    """The login page, with or without a ``?next=`` query."""
    return re.compile(rf"^{re.escape(live_server.url)}{re.escape(LOGIN_PATH)}(\?.*)?$")


# Ward staff land on the quarter their ward is working on: in the demo, I/2021 (in review).
WORKING_QUARTER_PATH = "/quarters/2021-Q1/"
OVERVIEW_PATH = "/?overview=1"


def quarter_url(live_server) -> str:
    return f"{live_server.url}{WORKING_QUARTER_PATH}"


def overview_url(live_server) -> str:
    return f"{live_server.url}{OVERVIEW_PATH}"


def open_navigation(page: Page, phone: bool) -> None:
    """Make the navbar's contents reachable: on a phone they hide behind the hamburger."""
    toggler = page.locator(".navbar-toggler")
    if phone:
        expect(toggler).to_be_visible()
        expect(page.get_by_test_id("logout")).to_be_hidden()
        expect(page.locator("#main-nav")).to_be_hidden()
        toggler.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
        expect(page.locator("#main-nav")).to_be_visible()
    else:
        expect(toggler).to_be_hidden()
        expect(page.locator("#main-nav")).to_be_visible()


def assert_no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"page {page.url} scrolls horizontally: "
        + str(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))
    )


def log_in(page: Page, username: str, password: str) -> None:
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('main button[type="submit"]').click()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_login_switch_language_and_logout(page: Page, live_server, demo_data, viewport):
    phone = viewport == PHONE
    html = page.locator("html")
    login_url = login_url_pattern(live_server)

    # Anonymous: the home page sends to the login page, in Vietnamese.
    page.goto("/")
    expect(page).to_have_url(login_url)
    expect(html).to_have_attribute("lang", "vi")
    expect(page.locator("main h1")).to_have_text("Đăng nhập")
    expect(page.locator('main button[type="submit"]')).to_have_text("Đăng nhập")
    # Anonymous users have no hamburger: the language switcher is right there.
    expect(page.locator(".navbar-toggler")).to_have_count(0)
    expect(page.get_by_test_id("language-en")).to_be_visible()
    if phone:
        assert_no_horizontal_scroll(page)

    # Log in as the ward secretary: she lands on the quarter her ward is working on.
    log_in(page, "ngoc", demo_data["password"])
    expect(page).to_have_url(quarter_url(live_server))
    expect(html).to_have_attribute("lang", "vi")
    expect(page.get_by_test_id("quarter-heading")).to_have_text("Quý I/2021")
    expect(page.get_by_test_id("quarter-ward")).to_contain_text(WARD)
    if phone:
        assert_no_horizontal_scroll(page)

    # Switch to English: same page, English text (the quarter's name too).
    open_navigation(page, phone)
    page.get_by_test_id("language-en").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(quarter_url(live_server))
    expect(page.get_by_test_id("quarter-heading")).to_have_text("Quarter I/2021")
    expect(page.get_by_test_id("quarter-ward")).to_contain_text(WARD)
    expect(page.get_by_test_id("language-vi")).to_have_count(1)
    expect(page.get_by_test_id("language-en")).to_have_count(0)

    # The overview of her roles is one click away in the user menu, in English too.
    open_navigation(page, phone)
    page.locator("#user-menu").click()
    page.get_by_test_id("nav-overview").click()
    expect(page).to_have_url(overview_url(live_server))
    expect(page.get_by_role("heading", name="Your roles")).to_be_visible()
    expect(page.get_by_test_id("ward-name")).to_contain_text(WARD)
    positions = page.get_by_test_id("positions").locator("li")
    expect(positions.first).to_be_visible()
    expect(positions.first).not_to_have_class(re.compile("text-muted"))  # not "no position"
    expect(page.get_by_test_id("positions")).to_contain_text("Secretary")
    if phone:
        assert_no_horizontal_scroll(page)

    # Back to Vietnamese, on the overview: it stays where it is.
    open_navigation(page, phone)
    page.get_by_test_id("language-vi").click()
    expect(html).to_have_attribute("lang", "vi")
    expect(page).to_have_url(overview_url(live_server))
    expect(page.get_by_role("heading", name="Vai trò của bạn")).to_be_visible()
    expect(page.get_by_role("heading", name="Your roles")).to_have_count(0)

    # The home page still opens the working quarter, now in Vietnamese again.
    page.goto("/")
    expect(page).to_have_url(quarter_url(live_server))
    expect(page.get_by_test_id("quarter-heading")).to_have_text("Quý I/2021")

    # Log out through the user menu: back on the login page, and logged out for real.
    open_navigation(page, phone)
    page.locator("#user-menu").click()
    logout = page.get_by_test_id("logout")
    expect(logout).to_be_visible()
    logout.click()
    expect(page).to_have_url(login_url)
    expect(page.locator('input[name="password"]')).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(login_url)
    expect(page.get_by_test_id("ward-name")).to_have_count(0)
    if phone:
        assert_no_horizontal_scroll(page)


def test_wrong_password_shows_error_and_does_not_log_in(page: Page, live_server, demo_data):
    login_url = login_url_pattern(live_server)
    page.goto(LOGIN_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    log_in(page, "ngoc", demo_data["password"] + "-wrong")

    # Still on the login page, with Django's (Vietnamese) error above the form.
    expect(page).to_have_url(login_url)
    error = page.locator("main .alert-danger")
    expect(error).to_be_visible()
    expect(error).to_contain_text("mật khẩu")
    expect(page.locator('input[name="username"]')).to_have_value("ngoc")
    expect(page.get_by_test_id("logout")).to_have_count(0)
    expect(page.get_by_test_id("ward-name")).to_have_count(0)

    # Not logged in: the home page still sends to the login page.
    page.goto("/")
    expect(page).to_have_url(login_url)
    expect(page.get_by_test_id("ward-name")).to_have_count(0)
