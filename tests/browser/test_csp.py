"""The Content-Security-Policy in a real browser: the demo's main pages raise no violation.

The policy allows scripts and styles only from static/ (no inline script, no eval, no
style="" attribute, no <style> element); a template that slips one in shows up here as a
console error ("Refused to ... because it violates the following Content Security Policy
directive") and as a ``securitypolicyviolation`` event, and the test names the page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE

# Collects the page's violations before any of its scripts run (init scripts are not
# subject to the page's CSP).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline")
    + " " + (event.sourceFile || "") + ":" + event.lineNumber);
});
"""


class Watch:
    """Console errors and uncaught exceptions of a page, and its CSP violations."""

    def __init__(self, page: Page):
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _console(self, message) -> None:
        # The browser's own request for /favicon.ico (the app has none) is not the page's.
        if message.type == "error" and "favicon.ico" not in message.location.get("url", ""):
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe" not in csp.split("style-src-attr")[0], csp
        self.page.wait_for_load_state("load")
        self.assert_clean(path)

    def assert_clean(self, where: str) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        csp_errors = [e for e in self.errors if "Content Security Policy" in e]
        assert not violations and not csp_errors, f"{where}: {violations} {csp_errors}"
        # Any other script error would be a broken page too (htmx refusing to eval, ...).
        assert not self.errors, f"{where}: {self.errors}"


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('main button[type="submit"]').click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def _planned_meeting(concluded):
    """A meeting of the demo ward still being recorded, with the concluded one's invitees."""
    import datetime
    from zoneinfo import ZoneInfo

    from meetings.models import AttendanceStatus
    from tests.meetings.factories import AttendanceFactory, MeetingFactory

    meeting = MeetingFactory(
        ward=concluded.ward,
        created_by=concluded.created_by,
        year=2021,
        quarter=3,
        held_at=datetime.datetime(2021, 7, 15, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    for attendance in concluded.attendances.all()[:3]:
        AttendanceFactory(
            meeting=meeting,
            person=attendance.person,
            organization=attendance.organization,
            status=AttendanceStatus.PRESENT,
        )
    return meeting


def _ids():
    from meetings.models import Meeting
    from models_registry.models import Registration
    from plans.models import Plan

    plan = Plan.objects.get(symbol="28-KH/ĐU")
    concluded = Meeting.objects.filter(status="concluded").order_by("held_at").first()
    other = Meeting.objects.exclude(status="concluded").order_by("held_at").first()
    if other is None:
        other = _planned_meeting(concluded)
    registration = Registration.objects.order_by("pk").first()
    return plan, concluded, other, registration


def test_main_pages_raise_no_csp_violation(page: Page, demo_data):
    watch = Watch(page)
    log_in(page, "ngoc", demo_data["password"])
    watch.assert_clean("login")
    plan, concluded, other, registration = _ids()

    # The quarter page: its charts are drawn by Chart.js from a json_script block.
    watch.visit("/quarters/2021-Q1/")
    charts = page.locator("#charts")
    charts.scroll_into_view_if_needed()
    for name in ("units", "fields"):
        canvas = page.locator(f"#chart-{name}")
        expect(canvas).to_be_visible()
        assert page.evaluate(f"!!Chart.getChart(document.getElementById('chart-{name}'))")
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    page.locator("figure[data-chart=fields]").get_by_role("button").first.click()
    expect(page.get_by_test_id("chart-table-fields")).to_be_visible()
    watch.assert_clean("quarter charts")

    # The meeting page: tabs opened by the address (static/js/meeting.js).
    watch.visit(f"/meetings/{concluded.pk}/#conclusions")
    expect(page.locator("#conclusions")).to_be_visible()
    page.locator('[data-tab="history"]').click()
    expect(page).to_have_url(re.compile(r"tab=history#history$"))
    watch.assert_clean("meeting tabs")
    watch.visit(f"/meetings/{concluded.pk}/minutes/")
    # A meeting still being recorded: one tap on "absent" saves the row through htmx
    # (static/js/wardwork.js submits the form; the old hx-trigger filter needed eval).
    watch.visit(f"/meetings/{other.pk}/?tab=attendance#attendance")
    row = page.get_by_test_id("attendance-row").filter(has=page.locator("form")).first
    row_id = row.get_attribute("id")
    row.locator("input[value=absent] + label").click()
    expect(page.locator(f"#{row_id}")).to_have_attribute("data-status", "absent")
    expect(page.locator(f"#{row_id}").get_by_role("status")).to_be_visible()
    watch.assert_clean("attendance")

    watch.visit("/models/")
    watch.visit(f"/models/{registration.pk}/")
    watch.visit(f"/plans/{plan.pk}/")
    # A progress bar's width comes from a class now, not from a style attribute.
    bar = page.locator(".progress-bar").first
    expect(bar).to_be_attached()
    assert float(page.evaluate("el => getComputedStyle(el).width", bar.element_handle())[:-2]) > 0
    # The matrix: choosing a plan submits the filter without an inline onchange handler.
    watch.visit("/plans/progress/")
    page.locator("#plan-filter").select_option(str(plan.pk))
    expect(page).to_have_url(re.compile(rf"plan={plan.pk}"))
    watch.assert_clean("matrix filter")
    watch.visit("/meetings/")
    watch.visit("/directory/people/")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_cell_secretary_pages_on_a_phone_raise_no_csp_violation(page: Page, demo_data):
    watch = Watch(page)
    log_in(page, "cb01", demo_data["password"])
    watch.visit("/plans/my-tasks/")
    watch.visit("/quarters/my-unit/")
    watch.visit("/models/mine/")
    watch.visit("/models/new/")
    # The registration form hides the person for a collective (static/js/registration_form.js).
    page.locator("input[name=kind][value=collective]").check()
    expect(page.locator("#div_id_person")).to_be_hidden()
    page.locator("input[name=kind][value=individual]").check()
    expect(page.locator("#div_id_person")).to_be_visible()
    watch.assert_clean("registration form")


def test_admin_pages_raise_no_csp_violation(page: Page, demo_data):
    watch = Watch(page)
    log_in(page, "admin", demo_data["password"])
    plan, concluded, _other, registration = _ids()
    watch.visit("/admin/")
    watch.visit(f"/admin/plans/plan/{plan.pk}/change/")
    watch.visit(f"/admin/plans/plan/{plan.pk}/history/")
    watch.visit(f"/admin/meetings/meeting/{concluded.pk}/change/")
    watch.visit("/admin/models_registry/registration/")
    watch.visit(f"/admin/models_registry/registration/{registration.pk}/change/")
