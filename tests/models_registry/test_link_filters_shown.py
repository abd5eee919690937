"""Filters a quarter-page link adds are named on the registry list and kept by "Filter"."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_quarter_filter_is_named_and_kept_in_the_form(client, home):
    client.force_login(home.secretary)
    response = client.get(
        reverse("models_registry:list"),
        {"year": "2021", "status": "counted", "submitted_in": "2021-Q1", "replicates": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="link-filters"' in html
    assert "I/2021" in html
    # The hidden inputs carry the filters into the next "Filter" press.
    assert 'name="submitted_in" value="2021-Q1"' in html
    assert 'name="replicates"' in html


def test_without_link_filters_nothing_extra_is_shown(client, home):
    client.force_login(home.secretary)
    html = client.get(reverse("models_registry:list")).content.decode()
    assert 'data-testid="link-filters"' not in html
    assert 'name="submitted_in"' not in html
