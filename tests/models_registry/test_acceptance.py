"""The registry issue's acceptance, on the demo data, through the pages."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from models_registry.models import Registration
from wardwork.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {u.username: u for u in User.objects.all()}


def test_the_2021_registry_shows_18_collectives_and_03_individuals(client, demo):
    client.force_login(demo["ngoc"])
    page = client.get(reverse("models_registry:list"), {"year": 2021}).content.decode()
    assert "18 tập thể, 03 cá nhân" in page


def test_cb01_cannot_open_cb02s_draft(client, demo):
    draft = Registration.objects.get(
        status="draft", registered_by_unit=demo["cb02"].person.organization
    )
    client.force_login(demo["cb01"])
    assert client.get(reverse("models_registry:detail", args=[draft.pk])).status_code in (403, 404)
    client.force_login(demo["cb02"])
    assert client.get(reverse("models_registry:detail", args=[draft.pk])).status_code == 200


def test_saidong_sees_none_of_phuc_dongs_registrations(client, demo):
    client.force_login(demo["saidong"])
    response = client.get(reverse("models_registry:list"), {"year": 2021})
    assert list(response.context["page_obj"]) == []
    some = Registration.objects.filter(ward__name="Phường Phúc Đồng").first()
    assert client.get(reverse("models_registry:detail", args=[some.pk])).status_code == 404
