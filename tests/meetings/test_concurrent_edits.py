"""Two people edit the same shared record: the second save is refused, names who saved
meanwhile and what they changed, and keeps what the second person typed (issue #7,
"nothing lost"). One test per edit form of a shared record: plan, task, registration,
meeting, conclusion and the quarterly report's text."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone, translation

from meetings.models import Conclusion, Meeting, MeetingStatus
from meetings.review_models import QuarterlyReview
from meetings.services import meeting_hold
from models_registry.models import Registration, RegistrationUpdate
from plans import services as plan_services
from plans.models import Plan, Task
from tests.meetings.conftest import make_meeting
from tests.meetings.factories import ConclusionFactory
from tests.models_registry.factories import RegistrationFactory
from tests.plans.factories import PlanFactory, TaskFactory
from wardwork.concurrency import MESSAGE_FIELD_CHANGED, MESSAGE_STALE, StaleEdit, claim
from wardwork.quarters import Quarter

Q1 = Quarter(2021, 1)


def _vi(text) -> str:
    with translation.override("vi"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def posted(form) -> dict:
    """What the browser posts back for a form as the page filled it."""
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        value = form[name].value()
        if value is None:
            continue
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        if isinstance(value, list | tuple):
            data[form.add_prefix(name)] = [getattr(v, "pk", v) for v in value]
            continue
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            value = value.strftime("%d/%m/%Y %H:%M")
        elif isinstance(value, dt.date):
            value = value.strftime("%d/%m/%Y")
        data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def _open(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return posted(response.context["form"])


def _clash(client, *, url, first, second, field, first_value, second_value, reload, done=302):
    """``first`` and ``second`` open the form; ``first`` saves ``field``; ``second`` then
    saves their own value: refused, with the first value named at the field and the second
    value kept in the form; saving again keeps the second value."""
    data_first = _open(client, first, url)
    data_second = _open(client, second, url)
    assert data_first["version"] == data_second["version"]

    client.force_login(first)
    response = client.post(url, {**data_first, field: first_value})
    assert response.status_code == done, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    assert reload() == first_value

    client.force_login(second)
    response = client.post(url, {**data_second, field: second_value})
    assert response.status_code in (200, 400)
    form = response.context["form"]
    # Nothing of the second form was saved ...
    assert reload() == first_value
    # ... the page says who saved and when, and at the field what it holds now ...
    who = str(first)
    summary = " ".join(form.non_field_errors())
    assert who in summary
    assert timezone.localtime().strftime("%d/%m/%Y") in summary
    assert any(first_value[:40] in e and who in e for e in form.errors[field])
    # ... and what the second person typed is still in the form, ready to be saved again.
    assert form[field].value() == second_value
    html = response.content.decode()
    assert who in html
    again = posted(form)
    assert int(again["version"]) > int(data_second["version"])

    response = client.post(url, again)
    assert response.status_code == done
    assert reload() == second_value


def test_plan(client, home):
    plan = PlanFactory(ward=home.ward, title="Kế hoạch cũ")
    _clash(
        client,
        url=reverse("plans:plan_update", args=[plan.pk]),
        first=home.secretary,
        second=home.staff,
        field="title",
        first_value="Kế hoạch thực hiện chủ đề năm 2021 (bản của đồng chí Bí thư)",
        second_value="Kế hoạch thực hiện chủ đề năm 2021 (bản của văn phòng)",
        reload=lambda: Plan.objects.get(pk=plan.pk).title,
    )


def test_task(client, home):
    task = TaskFactory(ward=home.ward, lead_organization=home.cell)
    _clash(
        client,
        url=reverse("plans:task_update", args=[task.pk]),
        first=home.secretary,
        second=home.staff,
        field="title",
        first_value="Tuyên truyền Nghị quyết đại hội đến từng hộ",
        second_value="Tuyên truyền Nghị quyết đại hội qua loa phát thanh",
        reload=lambda: Task.objects.get(pk=task.pk).title,
    )


def test_registration(client, home):
    registration = RegistrationFactory(
        ward=home.ward, organization=home.cell, created_by=home.cell_secretary
    )
    _clash(
        client,
        url=reverse("models_registry:edit", args=[registration.pk]),
        first=home.staff,
        second=home.cell_secretary,
        field="content",
        first_value="Vận động 45 hộ hiến đất mở rộng ngõ 12 (ý kiến của phường).",
        second_value="Vận động 45 hộ hiến đất mở rộng ngõ 12, làm xong trong quý II.",
        reload=lambda: Registration.objects.get(pk=registration.pk).content,
    )


def test_meeting(client, home):
    meeting = make_meeting(home)
    _clash(
        client,
        url=reverse("meetings:meeting_update", args=[meeting.pk]),
        first=home.secretary,
        second=home.staff,
        field="venue",
        first_value="Hội trường nhà văn hóa tổ dân phố 5",
        second_value="Phòng họp 2 trụ sở Đảng ủy phường",
        reload=lambda: Meeting.objects.get(pk=meeting.pk).venue,
    )


def test_conclusion(client, home):
    meeting = make_meeting(home)
    conclusion = ConclusionFactory(meeting=meeting, lead_organizations=[home.cell])
    _clash(
        client,
        url=reverse("meetings:conclusion_update", args=[conclusion.pk]),
        first=home.secretary,
        second=home.staff,
        field="text",
        first_value="Đẩy mạnh tuyên truyền về phòng, chống dịch Covid-19 (đã sửa).",
        second_value="Đẩy mạnh tuyên truyền về phòng, chống dịch Covid-19 đến từng hộ.",
        reload=lambda: Conclusion.objects.get(pk=conclusion.pk).text,
    )


def test_quarterly_report_text(client, home):
    page = reverse("quarters:page", args=[Q1])
    client.force_login(home.secretary)
    assert client.get(page).status_code == 200  # opens the quarter's review

    def reload():
        return QuarterlyReview.objects.get(ward=home.ward, year=2021, quarter=1).assessment_text

    _clash(
        client,
        url=reverse("quarters:text_edit", args=[Q1]),
        first=home.secretary,
        second=home.staff,
        field="assessment_text",
        first_value="Ưu điểm: các chi bộ báo cáo đúng hạn. Hạn chế: một số mô hình chậm.",
        second_value="Ưu điểm: tuyên truyền sâu rộng. Hạn chế: thiếu số liệu của hai chi bộ.",
        reload=reload,
    )


def test_a_change_the_form_does_not_show_is_no_conflict(client, home):
    """Holding the meeting meanwhile (a workflow step, not a field of the edit form) lets
    the edit through, and the edit does not undo the step."""
    meeting = make_meeting(home)
    url = reverse("meetings:meeting_update", args=[meeting.pk])
    data = _open(client, home.staff, url)
    meeting_hold(actor=home.secretary, meeting=meeting)
    response = client.post(url, {**data, "venue": "Nhà văn hóa tổ dân phố 3"})
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert (meeting.venue, meeting.status) == ("Nhà văn hóa tổ dân phố 3", MeetingStatus.HELD)


def test_a_second_save_of_ones_own_page_is_refused_too(client, home):
    """The same person in two tabs: the older tab does not silently undo the newer one."""
    plan = PlanFactory(ward=home.ward)
    url = reverse("plans:plan_update", args=[plan.pk])
    old_tab = _open(client, home.staff, url)
    new_tab = _open(client, home.staff, url)
    assert client.post(url, {**new_tab, "title": "Bản mới"}).status_code == 302
    response = client.post(url, {**old_tab, "title": "Bản cũ"})
    assert response.status_code == 200
    assert Plan.objects.get(pk=plan.pk).title == "Bản mới"
    assert "title" in response.context["form"].errors


def test_the_stale_message_is_vietnamese_and_names_the_value(home):
    plan = PlanFactory(ward=home.ward, title="Cũ")
    seen = plan.version
    plan.title = "Mới"
    plan._history_user = home.secretary
    plan.save()
    stale = Plan.objects.get(pk=plan.pk)
    stale.title = "Của tôi"
    with translation.override("vi"), pytest.raises(StaleEdit) as caught:
        claim(stale, seen, ["title"])
    error = caught.value
    assert error.current_version == seen + 1
    who = str(home.secretary)
    when = timezone.localtime(plan.history.latest().history_date).strftime("%H:%M %d/%m/%Y")
    assert error.message_dict["__all__"] == [_vi(MESSAGE_STALE) % {"who": who, "when": when}]
    assert error.message_dict["title"] == [
        _vi(MESSAGE_FIELD_CHANGED) % {"who": who, "value": "«Mới»"}
    ]


def test_a_record_deleted_meanwhile_is_a_clear_error(home):
    plan = PlanFactory(ward=home.ward)
    seen = plan.version
    Plan.objects.filter(pk=plan.pk).delete()
    with pytest.raises(ValidationError) as caught:
        claim(plan, seen, ["title"])
    assert not isinstance(caught.value, StaleEdit)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_exactly_one_wins(home):
    """Both saves start from the same version at the same moment: one is kept, the other
    is refused; neither is lost silently."""
    if connection.vendor != "postgresql":
        pytest.skip("Two simultaneous transactions need PostgreSQL (CI runs it there).")
    plan = PlanFactory(ward=home.ward)
    seen = plan.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(title: str, actor) -> None:
        try:
            mine = Plan.objects.get(pk=plan.pk)
            mine.title = title
            barrier.wait(timeout=10)
            plan_services.plan_save(
                actor=actor, plan=mine, expected_version=seen, edited_fields=["title"]
            )
            outcomes[title] = "saved"
        except StaleEdit:
            outcomes[title] = "refused"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("Bản A", home.secretary)),
        threading.Thread(target=save, args=("Bản B", home.staff)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "saved"], outcomes
    winner = next(t for t, o in outcomes.items() if o == "saved")
    assert Plan.objects.get(pk=plan.pk).title == winner


@pytest.mark.parametrize("existing", [True, False], ids=["report-changed", "report-created"])
def test_a_units_progress_report(client, home, existing):
    """Two tabs (or two managers of the unit) on "Việc của đơn vị tôi": the report saved
    second does not overwrite the first unseen, also when there was no report yet."""
    task = TaskFactory(ward=home.ward, lead_organization=home.cell)
    if existing:
        plan_services.progress_report_submit(
            actor=home.cell_secretary,
            task=task,
            organization=home.cell,
            quarter=Quarter(2021, 2),
            status="in_progress",
            percent=10,
            narrative="Bắt đầu tuyên truyền.",
        )
    page = reverse("plans:my_tasks") + "?quarter=2021-Q2"
    url = reverse("plans:report_submit", args=[task.pk])
    client.force_login(home.cell_secretary)

    def opened():
        row = next(r for r in client.get(page).context["rows"] if r.task.pk == task.pk)
        return {**posted(row.form), "unit": home.cell.pk, "quarter": "2021-Q2"}

    first_tab, second_tab = opened(), opened()
    prefix = f"r{task.pk}-{home.cell.pk}-"
    assert first_tab[prefix + "version"] == (1 if existing else 0)
    first = {**first_tab, prefix + "percent": 60, prefix + "narrative": "Đã họp 5 tổ dân phố."}
    assert client.post(url, first).status_code == 302
    second = {**second_tab, prefix + "percent": 40, prefix + "narrative": "Đã họp 3 tổ."}
    response = client.post(url, second)
    assert response.status_code == 400
    form = response.context["rows"][0].form
    assert str(home.cell_secretary) in " ".join(form.non_field_errors())
    assert form["narrative"].value() == "Đã họp 3 tổ."
    report = task.reports.get()
    assert (report.percent, report.narrative) == (60, "Đã họp 5 tổ dân phố.")
    again = {**second, prefix + "version": form["version"].value()}
    assert client.post(url, again).status_code == 302
    report.refresh_from_db()
    assert (report.percent, report.narrative) == (40, "Đã họp 3 tổ.")


@pytest.mark.parametrize("existing", [True, False], ids=["update-changed", "update-created"])
def test_a_models_quarterly_results(client, home, existing):
    """The quarterly results of an approved model, from two tabs: the second save does not
    overwrite the first unseen."""
    registration = RegistrationFactory(
        ward=home.ward, organization=home.cell, status="approved", created_by=home.cell_secretary
    )
    url = reverse("models_registry:update", args=[registration.pk]) + "?quarter=2021-Q1"
    if existing:
        RegistrationUpdate.objects.create(
            registration=registration, year=2021, quarter=1, results="Bắt đầu.", percent=10
        )
    first_tab = _open(client, home.cell_secretary, url)
    second_tab = _open(client, home.cell_secretary, url)
    assert first_tab["version"] == (1 if existing else 0)
    response = client.post(url, {**first_tab, "results": "Đã vận động 30 hộ.", "percent": 60})
    assert response.status_code == 302
    response = client.post(url, {**second_tab, "results": "Đã vận động 20 hộ.", "percent": 40})
    assert response.status_code == 400
    form = response.context["form"]
    assert str(home.cell_secretary) in " ".join(form.non_field_errors())
    assert form["results"].value() == "Đã vận động 20 hộ."
    update = registration.updates.get()
    assert (update.results, update.percent) == ("Đã vận động 30 hộ.", 60)
    again = {**second_tab, "results": "Đã vận động 20 hộ.", "percent": 40}
    again["version"] = form["version"].value()
    assert client.post(url, again).status_code == 302
    update.refresh_from_db()
    assert (update.results, update.percent) == ("Đã vận động 20 hộ.", 40)
