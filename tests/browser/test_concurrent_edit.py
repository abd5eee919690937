"""Two browser sessions edit the same registration (issue #7, acceptance): cb01 on a phone
and khanh (ward staff) at a desk. khanh saves first; cb01's save is refused, says who saved
and what changed, and keeps every word cb01 typed; cb01 takes khanh's change, saves again,
and both changes are kept."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_login_flow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CB01_CONTENT = (
    "Vận động 15 hộ ngõ 12 hiến đất mở đường; họp dân từng tổ, đảng viên và cán bộ hưu trí đi đầu."
)
KHANH_RESULTS = "Ngõ 12 rộng 4 m, có đèn chiếu sáng, trước ngày 30/9/2021."


def _draft_of_cb01():
    from models_registry.models import Field, Registration, RegistrationKind, RegistrationStatus
    from wardwork.models import User
    from wardwork.roles import roles_of

    user = User.objects.get(username="cb01")
    unit = user.ward.organizations.get(pk=min(roles_of(user).managed_unit_ids))
    registration = Registration(
        ward=user.ward,
        year=2021,
        kind=RegistrationKind.COLLECTIVE,
        organization=unit,
        registered_by_unit=unit,
        title="Dân vận khéo mở rộng ngõ 12",
        field=Field.objects.filter(is_active=True).first(),
        content="Vận động hộ dân ngõ 12 hiến đất.",
        solutions="Họp dân theo tổ.",
        expected_results="Ngõ 12 rộng 4 m.",
        status=RegistrationStatus.DRAFT,
        created_by=user,
    )
    registration.save()
    return registration


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_second_save_is_refused_and_keeps_the_typed_text(page, browser, live_server, demo_data):
    from models_registry.models import Registration
    from wardwork.models import User

    password = demo_data["password"]
    registration = _draft_of_cb01()
    edit_url = reverse("models_registry:edit", args=[registration.pk])
    detail_url = reverse("models_registry:detail", args=[registration.pk])
    khanh = str(User.objects.get(username="khanh"))

    # cb01 opens the draft on the phone and starts typing.
    page.goto("/accounts/login/")
    log_in(page, "cb01", password)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(edit_url)
    form = page.get_by_test_id("registration-form")
    form.locator("textarea[name=content]").fill(CB01_CONTENT)

    # Meanwhile khanh opens the same draft at the office and saves a change.
    desk = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    try:
        staff = desk.new_page()
        staff.goto("/accounts/login/")
        log_in(staff, "khanh", password)
        staff.wait_for_url(lambda url: "/accounts/login/" not in url)
        staff.goto(edit_url)
        staff.locator("textarea[name=expected_results]").fill(KHANH_RESULTS)
        staff.get_by_test_id("save-draft").click()
        staff.wait_for_url(f"{live_server.url}{detail_url}")
    finally:
        desk.close()
    assert Registration.objects.get(pk=registration.pk).expected_results == KHANH_RESULTS

    # cb01 saves: refused; the page names khanh and khanh's text, cb01's text is still there.
    page.get_by_test_id("save-draft").click()
    form = page.get_by_test_id("registration-form")
    expect(form.locator(".alert-danger").first).to_contain_text(khanh)
    results = form.locator("textarea[name=expected_results]")
    expect(results).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(form.locator(".invalid-feedback").filter(has_text=KHANH_RESULTS)).to_have_count(1)
    expect(form.locator("textarea[name=content]")).to_have_value(CB01_CONTENT)
    saved = Registration.objects.get(pk=registration.pk)
    assert (saved.content, saved.expected_results) == (
        "Vận động hộ dân ngõ 12 hiến đất.",
        KHANH_RESULTS,
    )

    # cb01 takes khanh's change and saves again: both are kept.
    results.fill(KHANH_RESULTS)
    page.get_by_test_id("save-draft").click()
    page.wait_for_url(f"{live_server.url}{detail_url}")
    saved = Registration.objects.get(pk=registration.pk)
    assert (saved.content, saved.expected_results) == (CB01_CONTENT, KHANH_RESULTS)
    assert saved.history.first().history_user.username == "cb01"
