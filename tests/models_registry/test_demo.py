"""The registry demo: Phúc Đồng's 2021 "Dân vận khéo" registrations as in the article
(18 collectives, 03 individuals, computed), the 2020 exemplary models some of them replicate,
quarter I/2021 results, a history for every registration, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone, translation

from models_registry.models import (
    COUNTED_STATUSES,
    Recognition,
    RecognitionLevel,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    RegistrationUpdate,
)
from models_registry.selectors import (
    exemplary_models,
    registration_get,
    registration_totals,
    visible_registrations,
)
from plans.models import Plan
from wardwork.demo import WARD_ADMIN_GROUP
from wardwork.models import OrganizationKind, Position, User, Ward
from wardwork.roles import UNIT_MANAGER_ROLES

pytestmark = pytest.mark.django_db

S = RegistrationStatus
K = RegistrationKind
# The workflow path that leads to each status (every step leaves one event).
PATHS = {
    S.DRAFT: ["created"],
    S.SUBMITTED: ["created", "submitted"],
    S.RETURNED: ["created", "submitted", "returned"],
    S.APPROVED: ["created", "submitted", "approved"],
    S.RECOGNIZED: ["created", "submitted", "approved", "recognized"],
}


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def ward(demo):
    return Ward.objects.get(name="Phường Phúc Đồng")


@pytest.fixture
def ngoc(demo):
    return User.objects.get(username="ngoc")


def _of_2021(ward):
    return Registration.objects.filter(ward=ward, year=2021)


def test_2021_totals_are_18_collectives_and_3_individuals(ngoc, ward):
    totals = registration_totals(user=ngoc, year=2021)
    assert (totals.collective, totals.individual) == (18, 3)
    with translation.override("en"):
        assert totals.sentence == "18 collectives, 03 individuals"
    counted = _of_2021(ward).counted()
    assert counted.filter(kind=K.COLLECTIVE).count() == 18
    assert counted.filter(kind=K.INDIVIDUAL).count() == 3
    # what does not count is there, and plainly so: drafts and a returned model
    assert set(
        _of_2021(ward).exclude(status__in=COUNTED_STATUSES).values_list("status", flat=True)
    ) <= {
        S.DRAFT,
        S.RETURNED,
        S.WITHDRAWN,
    }
    assert _of_2021(ward).filter(status=S.DRAFT).count() >= 2


def test_2021_totals_read_as_in_the_article(ngoc):
    totals = registration_totals(user=ngoc, year=2021)
    with translation.override("vi"):
        assert totals.sentence == "18 tập thể, 03 cá nhân"


def test_a_realistic_mix_of_statuses(ward):
    counted = _of_2021(ward).counted()
    approved = counted.filter(status=S.APPROVED).count()
    submitted = counted.filter(status=S.SUBMITTED).count()
    assert approved > counted.count() / 2
    assert submitted >= 2
    assert approved + submitted == counted.count()  # quarter I: nothing concluded yet
    returned = _of_2021(ward).get(status=S.RETURNED)
    assert len(returned.review_note) > 30
    assert returned.reviewed_by.username in {"khanh", "ngoc"}


def test_registrations_are_valid_owned_by_cells_and_organisations_under_28_kh_du(ward):
    plan = Plan.objects.get(ward=ward, symbol="28-KH/ĐU")
    owner_kinds = {
        OrganizationKind.PARTY_CELL,
        OrganizationKind.MASS_ORGANIZATION,
        OrganizationKind.FATHERLAND_FRONT,
    }
    for registration in Registration.objects.filter(ward=ward).select_related(
        "registered_by_unit", "person", "field"
    ):
        registration.full_clean()
        assert registration.registered_by_unit.kind in owner_kinds, registration
        assert registration.content, registration
        if registration.year == 2021:
            assert registration.plan == plan, registration
        if registration.kind == K.INDIVIDUAL:
            assert registration.person.ward == ward
            assert registration.person.organization is not None
        if registration.status in COUNTED_STATUSES:
            for name in ("solutions", "schedule", "expected_results"):
                assert getattr(registration, name), (registration, name)
    fields = set(_of_2021(ward).counted().values_list("field__name", flat=True))
    assert {"Giải phóng mặt bằng", "Văn minh đô thị", "Môi trường", "An ninh trật tự"} <= fields
    text = " ".join(
        f"{r.title} {r.content}".lower() for r in _of_2021(ward).counted().only("title", "content")
    )
    for topic in [
        "mặt bằng",
        "văn minh",
        "an ninh",
        "môi trường",
        "rác thải nhựa",
        "bếp than tổ ong",
        "chăn nuôi",
        "vỉa hè",
    ]:
        assert topic in text, topic


def _managers(ward) -> dict[int, set[str]]:
    """organisation id -> usernames of the logins managing it."""
    result: dict[int, set[str]] = {}
    for position in Position.objects.current().filter(
        organization__ward=ward, role__in=UNIT_MANAGER_ROLES, person__user__isnull=False
    ):
        result.setdefault(position.organization_id, set()).add(position.person.user.username)
    return result


def test_every_registration_has_the_history_of_its_status(ward):
    managers = _managers(ward)
    tz = timezone.get_default_timezone()
    for registration in Registration.objects.filter(ward=ward).prefetch_related("events__actor"):
        events = sorted(registration.events.all(), key=lambda e: (e.at, e.pk))
        assert [e.action for e in events] == PATHS[registration.status], registration
        previous = ""
        for event in events:
            assert event.from_status == previous, (registration, event.action)
            assert event.at.astimezone(tz).year == registration.year, (registration, event)
            if registration.year == 2021:
                assert event.at.astimezone(tz).date() <= dt.date(2021, 3, 31)
            previous = event.to_status
        assert previous == registration.status
        owner_logins = managers.get(registration.registered_by_unit_id, {"khanh"})
        by_action = {e.action: e for e in events}
        assert by_action["created"].actor.username in owner_logins, registration
        assert registration.created_by.username in owner_logins
        if "submitted" in by_action:
            assert by_action["submitted"].actor.username in owner_logins
            assert registration.submitted_at == by_action["submitted"].at
        for action in ("approved", "returned", "recognized"):
            if action in by_action:
                assert by_action[action].actor.username in {"khanh", "ngoc"}, registration
        decision = by_action.get("approved") or by_action.get("returned")
        if decision:
            assert registration.reviewed_at == decision.at
            assert registration.reviewed_by == decision.actor
        if registration.status == S.RETURNED:
            assert by_action["returned"].note == registration.review_note


def test_exemplary_2020_models_and_their_replications(ngoc, ward):
    exemplary = list(exemplary_models(user=ngoc))
    assert len(exemplary) >= 3
    for model in exemplary:
        assert model.year == 2020
        recognitions = list(model.recognitions.all())
        assert recognitions, model
        for recognition in recognitions:
            assert recognition.level in {RecognitionLevel.WARD, RecognitionLevel.DISTRICT}
            assert recognition.title in {"Điển hình tiêu biểu", "Giấy khen"}
            assert recognition.decision_symbol
            assert recognition.decided_on.year == 2020
            assert recognition.issuer is not None
            assert recognition.recorded_by is not None
    replicated = [m for m in exemplary if m.replication_count]
    assert 1 <= len(replicated) < len(exemplary)
    assert sum(m.replication_count for m in exemplary) >= 3
    for model in replicated:
        for copy in model.replications.all():
            assert copy.year == 2021
            assert copy.status in COUNTED_STATUSES
    assert Recognition.objects.filter(level=RecognitionLevel.DISTRICT).exists()


def test_most_approved_2021_models_report_quarter_one(ward):
    managers = _managers(ward)
    approved = _of_2021(ward).filter(status=S.APPROVED)
    updates = RegistrationUpdate.objects.filter(registration__in=approved, year=2021, quarter=1)
    assert updates.count() > approved.count() * 2 / 3
    assert not RegistrationUpdate.objects.filter(
        registration__ward=ward, registration__year=2021
    ).exclude(registration__status=S.APPROVED)
    tz = timezone.get_default_timezone()
    for update in updates.select_related("registration", "reported_by"):
        assert update.results
        assert 0 < update.percent < 100
        reported = update.reported_at.astimezone(tz).date()
        assert dt.date(2021, 3, 20) <= reported <= dt.date(2021, 3, 31)
        owner_logins = managers.get(update.registration.registered_by_unit_id)
        if owner_logins:
            assert update.reported_by.username in owner_logins
        else:
            assert update.reported_by is None


def test_cb01_owns_an_approved_model_and_a_draft_and_cannot_open_cb02s_draft(demo):
    cb01 = User.objects.get(username="cb01")
    cb02 = User.objects.get(username="cb02")
    own = Registration.objects.filter(year=2021, registered_by_unit__name="Chi bộ Khu dân cư số 1")
    assert own.filter(status=S.APPROVED).exists()
    own_draft = own.get(status=S.DRAFT)
    their_draft = Registration.objects.get(
        year=2021, registered_by_unit__name="Chi bộ Khu dân cư số 2", status=S.DRAFT
    )
    visible = visible_registrations(user=cb01)
    assert their_draft not in visible
    with pytest.raises(Http404):
        registration_get(user=cb01, pk=their_draft.pk)
    assert own_draft in visible
    assert registration_get(user=cb02, pk=their_draft.pk) == their_draft
    with pytest.raises(Http404):
        registration_get(user=cb02, pk=own_draft.pk)
    # other units' approved models are readable; their submitted or returned ones are not
    cell_1 = Registration.objects.filter(registered_by_unit__name="Chi bộ Khu dân cư số 1")
    assert set(visible.filter(registered_by_unit__name="Chi bộ Khu dân cư số 1")) == set(cell_1)
    others = Registration.objects.exclude(pk__in=cell_1)
    assert set(visible.exclude(pk__in=cell_1)) == set(
        others.filter(status__in=[S.APPROVED, S.RECOGNIZED, S.NOT_ACHIEVED])
    )


def test_saidong_sees_none_of_phuc_dongs_registrations(ward):
    saidong = User.objects.get(username="saidong")
    assert Registration.objects.filter(ward=ward).exists()
    assert not visible_registrations(user=saidong).filter(ward=ward).exists()
    assert list(exemplary_models(user=saidong)) == []
    assert registration_totals(user=saidong, year=2021).total == 0
    with pytest.raises(Http404):
        registration_get(user=saidong, pk=Registration.objects.filter(ward=ward).first().pk)


def test_ward_admin_group_may_keep_the_registry_but_not_the_fields(demo):
    khanh = User.objects.get(username="khanh")
    assert khanh.groups.filter(name=WARD_ADMIN_GROUP).exists()
    for model in ("registration", "registrationupdate", "recognition"):
        for action in ("view", "add", "change"):
            assert khanh.has_perm(f"models_registry.{action}_{model}"), (action, model)
    assert khanh.has_perm("models_registry.view_field")
    for action in ("add", "change", "delete"):
        assert not khanh.has_perm(f"models_registry.{action}_field")


def test_loading_twice_changes_no_row_count(demo, capsys):
    before = _row_counts()
    call_command("load_demo")
    assert _row_counts() == before
    assert "nothing changed" in capsys.readouterr().out
