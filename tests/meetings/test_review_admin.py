"""Django admin of quarterly reviews and reminders: pages load, ward scoping, the workflow
fields read-only, the text corrected through the service, a finalised review locked and
never deleted, reminders a read-only log, query counts that do not grow."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import (
    REPORT_SECTIONS,
    QuarterlyReview,
    QuarterlyReviewEvent,
    Reminder,
    ReviewStatus,
)

pytestmark = pytest.mark.django_db

FROZEN = {"quarter": "2021-Q1", "tasks": {"total": 12, "done": 7}, "label": "I/2021"}


def _url(model, action="changelist", *args):
    return reverse(f"admin:meetings_{model._meta.model_name}_{action}", args=args)


def _review(setup, year=2021, quarter=1, **values) -> QuarterlyReview:
    review = QuarterlyReview.objects.create(
        ward=setup.ward, year=year, quarter=quarter, created_by=setup.secretary, **values
    )
    QuarterlyReviewEvent.objects.create(
        review=review, action="created", to_status=review.status, actor=setup.secretary
    )
    return review


def _finalised(setup, **values) -> QuarterlyReview:
    return _review(
        setup,
        year=2020,
        quarter=4,
        status=ReviewStatus.FINALIZED,
        figures=FROZEN,
        finalized_at=timezone.now(),
        finalized_by=setup.secretary,
        **values,
    )


def _reminder(setup, unit, day=dt.date(2021, 4, 10), **values) -> Reminder:
    return Reminder.objects.create(
        ward=setup.ward,
        organization=unit,
        year=2021,
        quarter=1,
        sent_on=day,
        sent_at=timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0))),
        recipients="cb@example.test",
        missing_reports=2,
        overdue_tasks=1,
        body="Kính gửi ...",
        **values,
    )


@pytest.fixture
def ward_admin(home):
    """The ward secretary as the ward's administrator, with every permission on reviews
    and reminders (deleting included: the admin still refuses what it must)."""
    user = home.secretary
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="meetings",
            content_type__model__in=["quarterlyreview", "quarterlyreviewevent", "reminder"],
        )
    )
    return user


@pytest.fixture
def reviews(home, away):
    return {
        "open": _review(home),
        "finalised": _finalised(home),
        "away": _review(away),
    }


def _rows(client, model, **params) -> list:
    response = client.get(_url(model), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


# The management form of the read-only steps inline (one step shown, none sent back).
_NO_STEPS = {
    "events-TOTAL_FORMS": "1",
    "events-INITIAL_FORMS": "1",
    "events-MIN_NUM_FORMS": "0",
    "events-MAX_NUM_FORMS": "1000",
}


def _filter_choices(client, model, field_name) -> list[str]:
    """The names the sidebar filter on ``field_name`` offers (none when it offers one
    choice only: the admin then leaves the filter out)."""
    specs = client.get(_url(model)).context["cl"].filter_specs
    return [
        name
        for spec in specs
        if getattr(spec, "field_path", None) == field_name
        for _pk, name in spec.lookup_choices
    ]


# --- pages ----------------------------------------------------------------------------------------
def test_pages_load_for_a_superuser(client, superuser, home, reviews):
    client.force_login(superuser)
    assert set(_rows(client, QuarterlyReview)) == set(reviews.values())
    for review in reviews.values():
        page = client.get(_url(QuarterlyReview, "change", review.pk))
        assert page.status_code == 200
        assert client.get(_url(QuarterlyReview, "history", review.pk)).status_code == 200
    reminder = _reminder(home, home.cell)
    assert _rows(client, Reminder) == [reminder]
    assert client.get(_url(Reminder, "change", reminder.pk)).status_code == 200
    assert client.get(_url(QuarterlyReview, "add")).status_code == 403  # the page creates them


def test_the_list_shows_the_quarter_status_and_finalisation(client, superuser, reviews):
    client.force_login(superuser)
    html = client.get(_url(QuarterlyReview)).content.decode()
    assert "IV/2020" in html and "I/2021" in html
    finalised = reviews["finalised"]
    assert f"{timezone.localtime(finalised.finalized_at):%d/%m/%Y %H:%M}" in html


def test_the_frozen_figures_are_shown_pretty_printed(client, superuser, reviews):
    client.force_login(superuser)
    html = client.get(_url(QuarterlyReview, "change", reviews["finalised"].pk)).content.decode()
    assert "<pre" in html
    assert '"total": 12' in unescape(html) and '"done": 7' in unescape(html)
    page = client.get(_url(QuarterlyReview, "change", reviews["open"].pk))
    assert "<pre" not in page.content.decode()


# --- ward scoping ---------------------------------------------------------------------------------
def test_a_ward_admin_sees_only_the_wards_reviews(client, ward_admin, home, away, reviews):
    client.force_login(ward_admin)
    assert set(_rows(client, QuarterlyReview)) == {reviews["open"], reviews["finalised"]}
    other = reviews["away"]
    assert client.get(_url(QuarterlyReview, "change", other.pk)).status_code in (302, 404)
    assert client.get(_url(QuarterlyReview, "history", other.pk)).status_code == 404
    assert away.ward.name not in _filter_choices(client, QuarterlyReview, "ward")


def test_a_ward_admin_sees_only_the_wards_reminders(client, ward_admin, home, away):
    mine = _reminder(home, home.cell)
    theirs = _reminder(away, away.cell)
    client.force_login(ward_admin)
    assert _rows(client, Reminder) == [mine]
    assert client.get(_url(Reminder, "change", theirs.pk)).status_code in (302, 404)
    offered = _filter_choices(client, Reminder, "organization")
    assert home.cell.name in offered and away.cell.name not in offered


def test_reminders_filter_by_quarter_and_unit(client, superuser, home):
    cell = _reminder(home, home.cell)
    _reminder(home, home.women)
    april = _reminder(home, home.cell, day=dt.date(2021, 4, 11))
    client.force_login(superuser)
    assert set(_rows(client, Reminder, organization__id__exact=home.cell.pk)) == {cell, april}
    assert _rows(client, Reminder, sent_on__day="11", sent_on__month="4", sent_on__year="2021") == [
        april
    ]


# --- the workflow stays with the services --------------------------------------------------------
def test_status_and_finalisation_are_read_only(client, ward_admin, reviews):
    client.force_login(ward_admin)
    response = client.get(_url(QuarterlyReview, "change", reviews["open"].pk))
    form = response.context["adminform"].form
    assert set(form.fields) == {
        "leadership_text",
        "results_text",
        "assessment_text",
        "direction_text",
    }


def test_the_text_is_corrected_through_the_service(client, ward_admin, reviews):
    review = reviews["open"]
    client.force_login(ward_admin)
    response = client.post(
        _url(QuarterlyReview, "change", review.pk),
        {
            "leadership_text": "Đảng ủy đã ban hành Kế hoạch số 28-KH/ĐU.",
            "results_text": "",
            "assessment_text": "",
            "direction_text": "",
            "status": ReviewStatus.FINALIZED,  # ignored: not a field here
            **_NO_STEPS,
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.leadership_text == "Đảng ủy đã ban hành Kế hoạch số 28-KH/ĐU."
    assert review.status == ReviewStatus.OPEN
    assert (review.text_edited_by, review.finalized_at) == (ward_admin, None)
    assert review.events.filter(action="text_saved", actor=ward_admin).count() == 1


def test_an_admin_who_is_not_ward_staff_cannot_change_the_text(client, home, reviews):
    """A Khối Dân vận member given admin rights still may not write the report: the
    service refuses (the same rule as on the quarter page)."""
    dvk = home.dvk
    dvk.is_staff = True
    dvk.save()
    dvk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="meetings", content_type__model="quarterlyreview"
        )
    )
    client.force_login(dvk)
    review = reviews["open"]
    data = {name: "" for name in REPORT_SECTIONS} | {"leadership_text": "Sửa"} | _NO_STEPS
    response = client.post(_url(QuarterlyReview, "change", review.pk), data)
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.leadership_text == ""


def test_a_finalised_review_is_read_only(client, ward_admin, superuser, reviews):
    review = reviews["finalised"]
    for user in (ward_admin, superuser):
        client.force_login(user)
        response = client.get(_url(QuarterlyReview, "change", review.pk))
        assert response.status_code == 200
        assert response.context["has_change_permission"] is False
        response = client.post(
            _url(QuarterlyReview, "change", review.pk), {"leadership_text": "Sửa"}
        )
        assert response.status_code == 403
    review.refresh_from_db()
    assert review.leadership_text == ""


def test_steps_are_listed_read_only(client, superuser, reviews):
    client.force_login(superuser)
    response = client.get(_url(QuarterlyReview, "change", reviews["open"].pk))
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.model is QuarterlyReviewEvent
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    assert "created" in response.content.decode()


# --- deleting -------------------------------------------------------------------------------------
def test_a_finalised_review_is_never_deleted(client, superuser, reviews):
    review = reviews["finalised"]
    client.force_login(superuser)
    assert client.get(_url(QuarterlyReview, "delete", review.pk)).status_code == 403
    assert (
        client.post(_url(QuarterlyReview, "delete", review.pk), {"post": "yes"}).status_code == 403
    )
    assert QuarterlyReview.objects.filter(pk=review.pk).exists()
    # No bulk delete either (it would not ask each review whether it is finalised).
    assert 'value="delete_selected"' not in client.get(_url(QuarterlyReview)).content.decode()


def test_only_a_superuser_deletes_an_open_review(client, ward_admin, superuser, reviews):
    review = reviews["open"]
    client.force_login(ward_admin)
    assert (
        client.post(_url(QuarterlyReview, "delete", review.pk), {"post": "yes"}).status_code == 403
    )
    assert QuarterlyReview.objects.filter(pk=review.pk).exists()
    client.force_login(superuser)
    response = client.post(_url(QuarterlyReview, "delete", review.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not QuarterlyReview.objects.filter(pk=review.pk).exists()


# --- reminders are a log --------------------------------------------------------------------------
def test_reminders_are_read_only(client, superuser, home):
    reminder = _reminder(home, home.cell)
    client.force_login(superuser)
    response = client.get(_url(Reminder, "change", reminder.pk))
    assert response.context["has_change_permission"] is False
    assert "Kính gửi ..." in response.content.decode()
    assert (
        client.post(_url(Reminder, "change", reminder.pk), {"recipients": "x"}).status_code == 403
    )
    assert client.post(_url(Reminder, "delete", reminder.pk), {"post": "yes"}).status_code == 403
    assert client.get(_url(Reminder, "add")).status_code == 403
    html = client.get(_url(Reminder)).content.decode()
    assert "10/04/2021 08:00" in html and "I/2021" in html


# --- queries --------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [QuarterlyReview, Reminder])
def test_changelists_do_not_grow_with_rows(client, superuser, home, away, model):
    client.force_login(superuser)

    def add_rows(setups, years):
        for setup in setups:
            for year in years:
                if model is QuarterlyReview and year == 2020:
                    _finalised(setup)
                elif model is QuarterlyReview:
                    _review(setup, year=year)
                else:
                    _reminder(setup, setup.cell, day=dt.date(year, 4, 10))
                    _reminder(setup, setup.women, day=dt.date(year, 4, 10))

    add_rows([home], [2021])
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(model)).status_code == 200
    add_rows([home, away], [2020, 2022, 2023])
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url(model)).status_code == 200
    assert len(_rows(client, model)) > 4
    assert len(many) == len(few)
