"""Deletion in the admin: superusers only, for every registered model admin and its inlines,
and audited (a simple-history "-" record naming the superuser, and an admin LogEntry).

A ward administrator here holds every permission there is (delete included), the worst
case of a ward admins group: still no delete button, no "delete selected" action, and 403
on the delete page.
"""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import OrganizationFactory, PersonFactory, PositionFactory
from tests.meetings.test_admin import _change_data, _prefix, _row_index
from wardwork.admin_mixins import SuperuserDeletionMixin
from wardwork.models import Organization, Person, Position

pytestmark = pytest.mark.django_db

REGISTRY = sorted(site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _ in REGISTRY]

# Stricter rules than "superusers only", by model admin: not even a superuser deletes.
SUPERUSER_MAY_NOT_DELETE = {
    "meetings.MeetingEvent": "the meeting's steps are a read-only log",
    "meetings.Reminder": "reminders are a read-only log of what was sent",
}
# Inlines whose rows are never deleted in the admin (read-only logs), by inline class.
READ_ONLY_INLINES = {
    "MeetingEventInline",
    "QuarterlyReviewEventInline",
    "RegistrationEventInline",
    "RegistrationRevisionInline",
}


def _admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def ward_admin(home):
    """The home ward's staff account in a group holding every permission, delete included."""
    group, _ = Group.objects.get_or_create(name="ward admins")
    group.permissions.set(Permission.objects.all())
    user = home.staff
    user.groups.add(group)
    user.is_staff = True
    user.save()
    return user


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _inlines(model_admin):
    return [inline(model_admin.model, site) for inline in model_admin.inlines]


# --- every registered model admin -------------------------------------------------------------
@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=IDS)
def test_a_ward_admin_never_deletes(ward_admin, model, model_admin):
    request = _request(ward_admin)
    assert ward_admin.has_perm(f"{model._meta.app_label}.delete_{model._meta.model_name}")
    assert model_admin.has_delete_permission(request) is False
    instance = model._default_manager.first()
    if instance is not None:
        assert model_admin.has_delete_permission(request, instance) is False
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in _inlines(model_admin):
        assert inline.has_delete_permission(request, instance) is False, type(inline).__name__


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=IDS)
def test_a_superuser_deletes_unless_a_stricter_rule_says_no(superuser, model, model_admin):
    request = _request(superuser)
    expected = model._meta.label not in SUPERUSER_MAY_NOT_DELETE
    assert model_admin.has_delete_permission(request) is expected
    for inline in _inlines(model_admin):
        allowed = inline.can_delete and inline.has_delete_permission(request, None)
        assert allowed is (type(inline).__name__ not in READ_ONLY_INLINES), type(inline)


def test_every_admin_goes_through_the_superuser_rule():
    """The rule lives in one place: every model admin and inline inherits it (or is a
    read-only log that never deletes)."""
    for model, model_admin in REGISTRY:
        if model._meta.label not in SUPERUSER_MAY_NOT_DELETE:
            assert isinstance(model_admin, SuperuserDeletionMixin), model._meta.label
        for inline in _inlines(model_admin):
            if type(inline).__name__ not in READ_ONLY_INLINES:
                assert isinstance(inline, SuperuserDeletionMixin), type(inline).__name__


# --- through the pages of the admin -----------------------------------------------------------
def test_a_ward_admin_gets_no_delete_button_action_or_page(client, home, ward_admin):
    organization = home.cell
    person = PersonFactory(ward=home.ward, organization=organization)
    PositionFactory(person=person, organization=organization)
    client.force_login(ward_admin)

    response = client.get(_admin_url(Organization, "change", organization.pk))
    assert response.status_code == 200
    assert response.context["has_delete_permission"] is False
    assert _admin_url(Organization, "delete", organization.pk) not in response.text
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.formset.can_delete

    response = client.get(_admin_url(Person))
    assert response.status_code == 200
    assert "delete_selected" not in response.text

    assert client.get(_admin_url(Person, "delete", person.pk)).status_code == 403
    assert client.post(_admin_url(Person, "delete", person.pk), {"post": "yes"}).status_code == 403
    response = client.post(
        _admin_url(Person),
        {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"},
    )
    assert Person.objects.filter(pk=person.pk).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_a_superusers_deletion_is_audited(client, home, superuser):
    organization = OrganizationFactory(ward=home.ward, name="Chi hội tạm")
    client.force_login(superuser)
    response = client.post(_admin_url(Organization, "delete", organization.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Organization.objects.filter(pk=organization.pk).exists()
    record = Organization.history.filter(id=organization.pk).latest()
    assert (record.history_type, record.history_user) == ("-", superuser)
    entry = LogEntry.objects.get(action_flag=DELETION, object_id=str(organization.pk))
    assert entry.user == superuser
    assert entry.content_type.model_class() is Organization


def test_a_superusers_bulk_deletion_is_audited(client, home, superuser):
    people = [PersonFactory(ward=home.ward, organization=home.cell) for _ in range(2)]
    client.force_login(superuser)
    response = client.post(
        _admin_url(Person),
        {"action": "delete_selected", "_selected_action": [p.pk for p in people], "post": "yes"},
    )
    assert response.status_code == 302
    for person in people:
        assert not Person.objects.filter(pk=person.pk).exists()
        record = Person.history.filter(id=person.pk).latest()
        assert (record.history_type, record.history_user) == ("-", superuser)
        entry = LogEntry.objects.get(action_flag=DELETION, object_id=str(person.pk))
        assert entry.user == superuser


def test_a_superusers_inline_deletion_is_audited(client, home, superuser):
    person = PersonFactory(ward=home.ward, organization=home.cell)
    position = PositionFactory(person=person, organization=home.cell)
    client.force_login(superuser)
    url = _admin_url(Person, "change", person.pk)
    response = client.get(url)
    data = _change_data(response)
    prefix = _prefix(response, Position)
    data[f"{prefix}-{_row_index(data, prefix, position.pk)}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Position.objects.filter(pk=position.pk).exists()
    record = Position.history.filter(id=position.pk).latest()
    assert (record.history_type, record.history_user) == ("-", superuser)
    entry = LogEntry.objects.filter(action_flag=CHANGE, object_id=str(person.pk)).latest(
        "action_time"
    )
    assert entry.user == superuser
    assert any("deleted" in part for part in json.loads(entry.change_message))


def test_a_ward_admins_inline_delete_box_is_ignored(client, home, ward_admin):
    person = PersonFactory(ward=home.ward, organization=home.cell)
    position = PositionFactory(person=person, organization=home.cell)
    client.force_login(ward_admin)
    url = _admin_url(Person, "change", person.pk)
    response = client.get(url)
    data = _change_data(response)
    prefix = _prefix(response, Position)
    data[f"{prefix}-{_row_index(data, prefix, position.pk)}-DELETE"] = "on"
    client.post(url, data)
    assert Position.objects.filter(pk=position.pk).exists()


def test_the_registry_holds_every_domain_app():
    labels = {model._meta.app_label for model in admin.site._registry}
    assert {"wardwork", "plans", "models_registry", "meetings"} <= labels
