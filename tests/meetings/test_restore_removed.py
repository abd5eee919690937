"""Removed contributions and conclusions stay recoverable: the meeting page lists them under
their section (who removed them, when) with a "Restore" button for whoever may manage the
section while the meeting is open; restoring puts the line back at the end with its text,
its bodies, and the task its removal cancelled back to its status."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from meetings import services
from meetings.models import Conclusion, Contribution, MeetingStatus
from meetings.record_services import removed_conclusions, removed_contributions
from plans.models import TaskStatus

pytestmark = pytest.mark.django_db


def _page(client, meeting, tab="contributions"):
    response = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]), {"tab": tab})
    assert response.status_code == 200
    return response.content.decode()


def _remove_contribution(client, contribution):
    url = reverse("meetings:contribution_delete", args=[contribution.pk])
    assert client.post(url).status_code == 302


def _remove_conclusion(client, conclusion):
    url = reverse("meetings:conclusion_delete", args=[conclusion.pk])
    assert client.post(url).status_code == 302


def _restore(client, kind, pk, **headers):
    return client.post(reverse(f"meetings:{kind}_restore", args=[pk]), **headers)


# --- contributions ------------------------------------------------------------------------------
def test_a_removed_contribution_is_listed_and_restored_at_the_end(client, home, held_meeting):
    first = held_meeting.contributions.get(ordinal=1)
    pk, content, speaker_id = first.pk, first.content, first.speaker_id
    client.force_login(home.secretary)
    _remove_contribution(client, first)

    page = _page(client, held_meeting)
    assert 'data-testid="removed-contribution"' in page
    assert content in page
    when = timezone.localtime(Contribution.history.filter(id=pk).latest().history_date)
    assert f"{when:%d/%m/%Y %H:%M}" in page
    assert str(home.secretary) in page
    assert reverse("meetings:contribution_restore", args=[pk]) in page

    response = _restore(client, "contribution", pk)
    assert response.status_code == 302
    assert response["Location"].endswith("?tab=contributions#contributions")
    restored = Contribution.objects.get(pk=pk)
    assert (restored.meeting_id, restored.ordinal, restored.content, restored.speaker_id) == (
        held_meeting.pk,
        2,
        content,
        speaker_id,
    )
    assert list(held_meeting.contributions.values_list("ordinal", flat=True)) == [1, 2]
    record = restored.history.latest()
    assert (record.history_type, record.history_user) == ("+", home.secretary)
    assert removed_contributions(meeting=held_meeting) == []
    assert 'data-testid="removed-contribution"' not in _page(client, held_meeting)
    # restored once: a second restore finds nothing to restore
    assert _restore(client, "contribution", pk).status_code == 404


def test_htmx_restore_answers_the_section_with_the_line_back(client, home, held_meeting):
    second = held_meeting.contributions.get(ordinal=2)
    client.force_login(home.dvk)  # Khối Dân vận records contributions, so restores them too
    _remove_contribution(client, second)
    response = _restore(client, "contribution", second.pk, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="contributions-section"' in html
    assert gettext("Contribution restored as number %(n)s.") % {"n": 2} in html
    assert f'id="contribution-{second.pk}"' in html
    assert 'data-testid="removed-contribution"' not in html


def test_a_line_removed_twice_is_listed_once(client, home, held_meeting):
    first = held_meeting.contributions.get(ordinal=1)
    client.force_login(home.secretary)
    _remove_contribution(client, first)
    _restore(client, "contribution", first.pk)
    _remove_contribution(client, Contribution.objects.get(pk=first.pk))
    assert [r.id for r in removed_contributions(meeting=held_meeting)] == [first.pk]


def test_a_row_never_removed_or_unknown_is_404(client, home, held_meeting):
    client.force_login(home.secretary)
    present = held_meeting.contributions.first()
    assert _restore(client, "contribution", present.pk).status_code == 404
    assert _restore(client, "contribution", 987654).status_code == 404
    assert _restore(client, "conclusion", 987654).status_code == 404
    # an id past 64 bits is no row either (not an OverflowError)
    assert _restore(client, "contribution", 2**70).status_code == 404
    assert _restore(client, "conclusion", 2**70).status_code == 404


# --- conclusions --------------------------------------------------------------------------------
def test_a_restored_conclusion_keeps_its_bodies(client, home, held_meeting):
    first = held_meeting.conclusions.get(ordinal=1)  # led by home.cell, home.women supporting
    pk, text = first.pk, first.text
    client.force_login(home.secretary)
    _remove_conclusion(client, first)
    page = _page(client, held_meeting, "conclusions")
    assert 'data-testid="removed-conclusion"' in page and text in page

    assert _restore(client, "conclusion", pk).status_code == 302
    restored = Conclusion.objects.get(pk=pk)
    assert (restored.ordinal, restored.text) == (2, text)
    assert list(restored.lead_organizations.all()) == [home.cell]
    assert list(restored.supporting_organizations.all()) == [home.women]
    assert restored.history.latest().history_user == home.secretary
    assert removed_conclusions(meeting=held_meeting) == []


def test_the_task_its_removal_cancelled_gets_its_status_back(client, home, concluded_meeting):
    meeting = services.meeting_reopen(
        actor=home.secretary, meeting=concluded_meeting, reason="Bổ sung kết luận"
    )
    conclusion = meeting.conclusions.get(ordinal=1)
    task = conclusion.task
    task.status = TaskStatus.IN_PROGRESS
    task.save(update_fields=["status"])
    client.force_login(home.secretary)
    _remove_conclusion(client, conclusion)
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED

    assert _restore(client, "conclusion", conclusion.pk).status_code == 302
    restored = Conclusion.objects.get(pk=conclusion.pk)
    task.refresh_from_db()
    assert restored.task == task
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.ordinal == restored.ordinal == 2  # the task follows its number
    assert task.history.latest().history_user == home.secretary


def test_a_task_changed_after_the_removal_is_left_as_it_is(client, home, concluded_meeting):
    meeting = services.meeting_reopen(
        actor=home.secretary, meeting=concluded_meeting, reason="Bổ sung kết luận"
    )
    conclusion = meeting.conclusions.get(ordinal=1)
    task = conclusion.task
    client.force_login(home.secretary)
    _remove_conclusion(client, conclusion)
    task.refresh_from_db()
    task._history_user = home.staff
    task.save(update_fields=["status", "updated_at"])  # someone saved it since, still cancelled
    assert _restore(client, "conclusion", conclusion.pk).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


# --- who may restore ----------------------------------------------------------------------------
def test_another_wards_removed_line_is_404(client, home, away, held_meeting):
    client.force_login(home.secretary)
    contribution = held_meeting.contributions.get(ordinal=1)
    conclusion = held_meeting.conclusions.get(ordinal=1)
    _remove_contribution(client, contribution)
    _remove_conclusion(client, conclusion)
    client.force_login(away.secretary)
    assert _restore(client, "contribution", contribution.pk).status_code == 404
    assert _restore(client, "conclusion", conclusion.pk).status_code == 404
    assert not Contribution.objects.filter(pk=contribution.pk).exists()
    assert not Conclusion.objects.filter(pk=conclusion.pk).exists()


def test_a_cell_secretary_is_refused_and_sees_no_removed_lines(client, home, held_meeting):
    client.force_login(home.secretary)
    contribution = held_meeting.contributions.get(ordinal=1)
    conclusion = held_meeting.conclusions.get(ordinal=1)
    _remove_contribution(client, contribution)
    _remove_conclusion(client, conclusion)
    client.force_login(home.cell_secretary)
    assert _restore(client, "contribution", contribution.pk).status_code == 403
    assert _restore(client, "conclusion", conclusion.pk).status_code == 403
    page = _page(client, held_meeting)
    assert "removed-contribution" not in page and "removed-conclusion" not in page
    assert not Contribution.objects.filter(pk=contribution.pk).exists()
    # Khối Dân vận restores contributions, not conclusions
    client.force_login(home.dvk)
    assert _restore(client, "conclusion", conclusion.pk).status_code == 403


def test_a_read_only_meeting_refuses_and_hides_the_removed_lines(client, home, held_meeting):
    client.force_login(home.secretary)
    contribution = held_meeting.contributions.get(ordinal=1)
    conclusion = held_meeting.conclusions.get(ordinal=2)
    _remove_contribution(client, contribution)
    _remove_conclusion(client, conclusion)
    meeting = services.meeting_conclude(actor=home.secretary, meeting=held_meeting)
    assert meeting.status == MeetingStatus.CONCLUDED
    for kind, pk in (("contribution", contribution.pk), ("conclusion", conclusion.pk)):
        response = _restore(client, kind, pk)
        assert response.status_code == 302
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        assert gettext(str(services.MESSAGE_READ_ONLY)) in texts
        client.cookies.pop("messages", None)
    assert not Contribution.objects.filter(pk=contribution.pk).exists()
    assert not Conclusion.objects.filter(pk=conclusion.pk).exists()
    page = _page(client, meeting)
    assert "removed-contribution" not in page and "removed-conclusion" not in page


# --- the page's cost ----------------------------------------------------------------------------
def _page_queries(client, meeting) -> int:
    with CaptureQueriesContext(connection) as queries:
        _page(client, meeting)
    return len(queries)


def test_the_page_query_count_does_not_grow_with_removed_lines(client, home, held_meeting):
    client.force_login(home.secretary)
    _remove_contribution(client, held_meeting.contributions.get(ordinal=2))
    _remove_conclusion(client, held_meeting.conclusions.get(ordinal=2))
    few = _page_queries(client, held_meeting)
    for n in range(3):
        contribution = services.contribution_add(
            actor=home.staff, meeting=held_meeting, content=f"Ý kiến thêm {n}"
        )
        conclusion = services.conclusion_save(
            actor=home.staff,
            conclusion=Conclusion(meeting=held_meeting, text=f"Kết luận thêm {n}"),
            lead_organizations=[home.cell],
            supporting_organizations=[home.women],
        )
        services.contribution_delete(actor=home.staff, contribution=contribution)
        services.conclusion_delete(actor=home.staff, conclusion=conclusion)
    assert len(removed_contributions(meeting=held_meeting)) == 4
    assert len(removed_conclusions(meeting=held_meeting)) == 4
    assert _page_queries(client, held_meeting) == few
