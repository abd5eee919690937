"""The registration workflow (``models_registry.services``): every transition and every
refused one, who may do what, the audit trail (events, history, revisions), replication,
totals, validation, duplicates, quarterly updates and the emails sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import translation

from models_registry import services
from models_registry.models import (
    Field,
    RecognitionLevel,
    Registration,
    RegistrationEvent,
    RegistrationKind,
    RegistrationStatus,
    RegistrationUpdate,
    exemplary_with_counts,
)
from models_registry.selectors import exemplary_models, registration_totals
from tests.factories import PersonFactory, PositionFactory, UserFactory
from tests.models_registry.factories import FieldFactory, RegistrationFactory
from wardwork.models import PositionRole
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

S = RegistrationStatus
K = RegistrationKind

TITLE = "Vận động nhân dân bàn giao mặt bằng đúng tiến độ"
COUNTED = (S.SUBMITTED, S.APPROVED, S.RECOGNIZED, S.NOT_ACHIEVED)


@pytest.fixture(autouse=True)
def in_english():
    """Messages are asserted as written in the code, whatever the catalogue holds."""
    with translation.override("en"):
        yield


# --- building registrations through the workflow --------------------------------------------------
def owner_of(setup, unit):
    """The manager of ``unit`` in a ward setup (cell, other cell or women's union)."""
    return {
        setup.cell.pk: setup.cell_secretary,
        setup.other_cell.pk: setup.other_cell_secretary,
        setup.women.pk: setup.mass_head,
    }[unit.pk]


def unsaved(setup, *, unit=None, title=TITLE, field="Giải phóng mặt bằng", **values):
    unit = unit or setup.cell
    data = {
        "ward": setup.ward,
        "year": 2021,
        "kind": K.COLLECTIVE,
        "organization": unit,
        "registered_by_unit": unit,
        "title": title,
        "field": FieldFactory(name=field),
        "content": "Vận động các hộ có đất bị thu hồi chấp hành phương án bồi thường.",
        "solutions": "Đảng viên gặp gỡ từng hộ; công khai phương án bồi thường.",
        "schedule": "Quý I: nắm tình hình; quý II: vận động; quý III: bàn giao.",
        "expected_results": "100% hộ bàn giao mặt bằng đúng tiến độ.",
    }
    data.update(values)
    return Registration(**data)


def draft(setup, *, actor=None, **values) -> Registration:
    registration = unsaved(setup, **values)
    actor = actor or owner_of(setup, registration.registered_by_unit)
    return services.registration_save_draft(actor=actor, registration=registration)


def reach(setup, status: str, **values) -> Registration:
    """A registration of ``setup.cell`` (or ``unit=``) taken to ``status`` by its owner and
    the ward staff."""
    registration = draft(setup, **values)
    owner = owner_of(setup, registration.registered_by_unit)
    if status == S.DRAFT:
        return registration
    if status == S.WITHDRAWN:
        return services.registration_withdraw(actor=owner, registration=registration)
    registration = services.registration_submit(actor=owner, registration=registration)
    if status == S.SUBMITTED:
        return registration
    if status == S.RETURNED:
        return services.registration_return(
            actor=setup.staff, registration=registration, note="Ghi rõ tiến độ từng quý."
        )
    registration = services.registration_approve(actor=setup.staff, registration=registration)
    if status == S.RECOGNIZED:
        services.registration_recognize(
            actor=setup.staff,
            registration=registration,
            level=RecognitionLevel.WARD,
            title="Điển hình tiêu biểu",
        )
    elif status == S.NOT_ACHIEVED:
        services.registration_mark_not_achieved(
            actor=setup.staff, registration=registration, note="Không đạt kết quả đăng ký."
        )
    registration.refresh_from_db()
    return registration


def events(registration):
    return list(
        registration.events.order_by("at", "pk").values_list(
            "action", "from_status", "to_status", "actor", "note"
        )
    )


def last_history_user(registration):
    return registration.history.order_by("-history_date", "-history_id").first().history_user


def messages_of(exc: ValidationError, field: str | None = None) -> list[str]:
    if field is None:
        return exc.messages
    return exc.message_dict.get(field, [])


# --- every transition ---------------------------------------------------------------------------
def test_a_draft_is_created_by_the_units_manager(home):
    registration = draft(home)
    assert registration.status == S.DRAFT
    assert registration.created_by == home.cell_secretary
    assert events(registration) == [("created", "", S.DRAFT, home.cell_secretary.pk, "")]
    assert last_history_user(registration) == home.cell_secretary


def test_a_draft_can_be_saved_again_without_a_new_event(home):
    registration = draft(home)
    registration.content = "Nội dung đã sửa."
    services.registration_save_draft(actor=home.cell_secretary, registration=registration)
    registration.refresh_from_db()
    assert registration.content == "Nội dung đã sửa."
    assert registration.status == S.DRAFT
    assert len(events(registration)) == 1


def test_submit_approve(home):
    registration = reach(home, S.SUBMITTED)
    assert registration.status == S.SUBMITTED
    assert registration.submitted_at is not None
    approved = services.registration_approve(
        actor=home.staff, registration=registration, note="Đồng ý, triển khai ngay."
    )
    approved.refresh_from_db()
    assert approved.status == S.APPROVED
    assert approved.reviewed_by == home.staff
    assert approved.reviewed_at is not None
    assert approved.review_note == "Đồng ý, triển khai ngay."
    assert events(approved)[-2:] == [
        ("submitted", S.DRAFT, S.SUBMITTED, home.cell_secretary.pk, ""),
        ("approved", S.SUBMITTED, S.APPROVED, home.staff.pk, "Đồng ý, triển khai ngay."),
    ]


def test_return_with_a_note_then_fix_and_resubmit(home):
    registration = reach(home, S.SUBMITTED)
    returned = services.registration_return(
        actor=home.secretary, registration=registration, note="  Bổ sung số hộ cần vận động.  "
    )
    assert returned.status == S.RETURNED
    assert returned.review_note == "Bổ sung số hộ cần vận động."
    returned.expected_results = "35/35 hộ bàn giao mặt bằng trước 30/9/2021."
    services.registration_save_draft(actor=home.cell_secretary, registration=returned)
    returned.refresh_from_db()
    assert returned.status == S.RETURNED  # still with the unit until it is sent again
    again = services.registration_submit(actor=home.cell_secretary, registration=returned)
    assert again.status == S.SUBMITTED
    assert [e[:3] for e in events(again)] == [
        ("created", "", S.DRAFT),
        ("submitted", S.DRAFT, S.SUBMITTED),
        ("returned", S.SUBMITTED, S.RETURNED),
        ("submitted", S.RETURNED, S.SUBMITTED),
    ]
    assert events(again)[2][3:] == (home.secretary.pk, "Bổ sung số hộ cần vận động.")


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED])
def test_withdraw_before_approval(home, status):
    registration = reach(home, status)
    withdrawn = services.registration_withdraw(
        actor=home.cell_secretary, registration=registration, reason="Trùng nội dung với Hội."
    )
    assert withdrawn.status == S.WITHDRAWN
    assert events(withdrawn)[-1] == (
        "withdrawn",
        status,
        S.WITHDRAWN,
        home.cell_secretary.pk,
        "Trùng nội dung với Hội.",
    )


def test_recognise_an_approved_model_then_again_at_a_higher_level(home):
    registration = reach(home, S.APPROVED)
    district = home.committee.parent
    recognition = services.registration_recognize(
        actor=home.secretary,
        registration=registration,
        level=RecognitionLevel.WARD,
        title=" Điển hình tiêu biểu ",
        decision_symbol="215-QĐ/ĐU",
        decided_on=dt.date(2021, 12, 22),
        issuer=home.committee,
    )
    registration.refresh_from_db()
    assert registration.status == S.RECOGNIZED
    assert (recognition.title, recognition.decision_symbol, recognition.issuer) == (
        "Điển hình tiêu biểu",
        "215-QĐ/ĐU",
        home.committee,
    )
    assert recognition.recorded_by == home.secretary
    assert recognition.history.first().history_user == home.secretary
    assert events(registration)[-1] == (
        "recognized",
        S.APPROVED,
        S.RECOGNIZED,
        home.secretary.pk,
        "Điển hình tiêu biểu",
    )
    services.registration_recognize(
        actor=home.staff,
        registration=registration,
        level=RecognitionLevel.DISTRICT,
        title="Giấy khen",
        issuer=district,
    )
    registration.refresh_from_db()
    assert registration.status == S.RECOGNIZED
    assert sorted(registration.recognitions.values_list("level", flat=True)) == [
        RecognitionLevel.DISTRICT,
        RecognitionLevel.WARD,
    ]
    assert events(registration)[-1][:3] == ("recognized", S.RECOGNIZED, S.RECOGNIZED)


def test_mark_not_achieved_with_a_note(home):
    registration = reach(home, S.APPROVED)
    result = services.registration_mark_not_achieved(
        actor=home.staff, registration=registration, note="Chưa vận động được hộ nào."
    )
    assert result.status == S.NOT_ACHIEVED
    assert result.review_note == "Chưa vận động được hộ nào."
    assert events(result)[-1] == (
        "not_achieved",
        S.APPROVED,
        S.NOT_ACHIEVED,
        home.staff.pk,
        "Chưa vận động được hộ nào.",
    )


# --- every refused transition -------------------------------------------------------------------
def refused(call, message, field=None):
    """``call`` raises a ValidationError carrying ``message`` (at ``field`` when given)."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert str(message) in messages_of(caught.value, field), caught.value
    return caught.value


def unchanged(registration, status, event_count):
    fresh = Registration.objects.get(pk=registration.pk)
    assert fresh.status == status
    assert fresh.events.count() == event_count


def test_submit_from_approved_is_refused(home):
    registration = reach(home, S.APPROVED)
    count = registration.events.count()
    refused(
        lambda: services.registration_submit(actor=home.cell_secretary, registration=registration),
        services.MESSAGE_CANNOT_SUBMIT,
    )
    unchanged(registration, S.APPROVED, count)


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.APPROVED])
def test_only_a_submitted_registration_is_reviewed(home, status):
    registration = reach(home, status)
    count = registration.events.count()
    refused(
        lambda: services.registration_approve(actor=home.staff, registration=registration),
        services.MESSAGE_CANNOT_REVIEW,
    )
    refused(
        lambda: services.registration_return(
            actor=home.staff, registration=registration, note="Sửa lại."
        ),
        services.MESSAGE_CANNOT_REVIEW,
    )
    unchanged(registration, status, count)


@pytest.mark.parametrize("note", ["", "   ", None])
def test_return_without_a_note_is_refused_at_the_review_note(home, note):
    registration = reach(home, S.SUBMITTED)
    refused(
        lambda: services.registration_return(
            actor=home.staff, registration=registration, note=note
        ),
        services.MESSAGE_NOTE_REQUIRED,
        field="review_note",
    )
    unchanged(registration, S.SUBMITTED, 2)


@pytest.mark.parametrize("status", [S.APPROVED, S.RECOGNIZED, S.NOT_ACHIEVED, S.WITHDRAWN])
def test_withdraw_after_approval_is_refused(home, status):
    registration = reach(home, status)
    count = registration.events.count()
    refused(
        lambda: services.registration_withdraw(
            actor=home.cell_secretary, registration=registration
        ),
        services.MESSAGE_CANNOT_WITHDRAW,
    )
    unchanged(registration, status, count)


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.NOT_ACHIEVED])
def test_recognising_what_is_not_approved_is_refused(home, status):
    registration = reach(home, status)
    count = registration.events.count()
    refused(
        lambda: services.registration_recognize(
            actor=home.staff,
            registration=registration,
            level=RecognitionLevel.WARD,
            title="Điển hình tiêu biểu",
        ),
        services.MESSAGE_CANNOT_CONCLUDE,
    )
    unchanged(registration, status, count)
    assert not registration.recognitions.exists()


def test_not_achieved_needs_a_note_and_an_approved_model(home):
    registration = reach(home, S.APPROVED)
    refused(
        lambda: services.registration_mark_not_achieved(
            actor=home.staff, registration=registration, note=" "
        ),
        services.MESSAGE_NOTE_REQUIRED,
        field="review_note",
    )
    unchanged(registration, S.APPROVED, 3)
    submitted = reach(home, S.SUBMITTED, title="Mô hình khác")
    refused(
        lambda: services.registration_mark_not_achieved(
            actor=home.staff, registration=submitted, note="Không đạt."
        ),
        services.MESSAGE_CANNOT_CONCLUDE,
    )


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.RECOGNIZED])
def test_adjusting_what_is_not_approved_is_refused(home, status):
    registration = reach(home, status)
    count = registration.events.count()
    refused(
        lambda: services.registration_adjust(
            actor=home.cell_secretary,
            registration=registration,
            changes={"schedule": "Quý IV: hoàn thành."},
            reason="Điều chỉnh tiến độ.",
        ),
        services.MESSAGE_CANNOT_ADJUST,
    )
    unchanged(registration, status, count)
    assert not registration.revisions.exists()


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_an_adjustment_needs_a_reason(home, reason):
    registration = reach(home, S.APPROVED)
    refused(
        lambda: services.registration_adjust(
            actor=home.cell_secretary,
            registration=registration,
            changes={"schedule": "Quý IV: hoàn thành."},
            reason=reason,
        ),
        services.MESSAGE_REASON_REQUIRED,
        field="reason",
    )
    assert not registration.revisions.exists()


def test_an_adjustment_that_changes_nothing_is_refused(home):
    registration = reach(home, S.APPROVED)
    refused(
        lambda: services.registration_adjust(
            actor=home.cell_secretary,
            registration=registration,
            # the same text once normalised, and a field an adjustment may not touch
            changes={"schedule": f"  {registration.schedule} ", "status": S.RECOGNIZED},
            reason="Rà soát theo kết luận hội nghị.",
        ),
        services.MESSAGE_NOTHING_CHANGED,
    )
    unchanged(registration, S.APPROVED, 3)
    assert not registration.revisions.exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.WITHDRAWN])
def test_only_a_draft_or_returned_registration_is_edited(home, status):
    registration = reach(home, status)
    registration.content = "Sửa sau khi đã gửi."
    refused(
        lambda: services.registration_save_draft(
            actor=home.cell_secretary, registration=registration
        ),
        services.MESSAGE_NOT_EDITABLE,
    )
    assert Registration.objects.get(pk=registration.pk).content != "Sửa sau khi đã gửi."


def test_saving_a_draft_never_changes_its_workflow_fields(home):
    registration = draft(home)
    registration.status = S.APPROVED
    registration.reviewed_by = home.cell_secretary
    services.registration_save_draft(actor=home.cell_secretary, registration=registration)
    registration.refresh_from_db()
    assert (registration.status, registration.reviewed_by) == (S.DRAFT, None)


# --- permissions ----------------------------------------------------------------------------------
def test_another_cells_secretary_cannot_edit_submit_or_withdraw(home):
    registration = draft(home)
    intruder = home.other_cell_secretary
    registration.content = "Sửa trộm."
    with pytest.raises(PermissionDenied):
        services.registration_save_draft(actor=intruder, registration=registration)
    with pytest.raises(PermissionDenied):
        services.registration_submit(actor=intruder, registration=registration)
    with pytest.raises(PermissionDenied):
        services.registration_withdraw(actor=intruder, registration=registration)
    unchanged(registration, S.DRAFT, 1)
    assert Registration.objects.get(pk=registration.pk).content != "Sửa trộm."


def test_nobody_registers_for_a_unit_they_do_not_manage(home):
    for actor in (home.other_cell_secretary, home.plain, home.dvk, home.mass_head):
        with pytest.raises(PermissionDenied):
            draft(home, actor=actor)
    assert not Registration.objects.exists()


def test_ward_staff_may_register_for_a_unit_without_a_login(home):
    registration = draft(home, actor=home.staff, unit=home.other_cell)
    assert registration.created_by == home.staff
    submitted = services.registration_submit(actor=home.staff, registration=registration)
    assert submitted.status == S.SUBMITTED


def test_another_cells_secretary_cannot_adjust_or_report(home):
    registration = reach(home, S.APPROVED)
    with pytest.raises(PermissionDenied):
        services.registration_adjust(
            actor=home.other_cell_secretary,
            registration=registration,
            changes={"schedule": "Khác."},
            reason="Lý do.",
        )
    with pytest.raises(PermissionDenied):
        services.registration_update_submit(
            actor=home.other_cell_secretary,
            registration=registration,
            quarter=Quarter(2021, 1),
            results="Không phải của chi bộ mình.",
            percent=10,
        )
    assert not registration.revisions.exists()
    assert not registration.updates.exists()


def test_a_cell_secretary_cannot_review(home):
    registration = reach(home, S.SUBMITTED)
    for call in (
        lambda: services.registration_approve(actor=home.cell_secretary, registration=registration),
        lambda: services.registration_return(
            actor=home.cell_secretary, registration=registration, note="Tự trả lại."
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    unchanged(registration, S.SUBMITTED, 2)


def test_a_cell_secretary_cannot_recognise_or_fail_a_model(home):
    registration = reach(home, S.APPROVED)
    with pytest.raises(PermissionDenied):
        services.registration_recognize(
            actor=home.cell_secretary,
            registration=registration,
            level=RecognitionLevel.WARD,
            title="Tự khen",
        )
    with pytest.raises(PermissionDenied):
        services.registration_mark_not_achieved(
            actor=home.cell_secretary, registration=registration, note="Không đạt."
        )
    unchanged(registration, S.APPROVED, 3)


def test_a_mass_mobilisation_bloc_member_reviews_but_does_not_recognise(home):
    first = reach(home, S.SUBMITTED)
    second = reach(home, S.SUBMITTED, title="Tổ dân phố không bếp than tổ ong")
    approved = services.registration_approve(actor=home.dvk, registration=first)
    returned = services.registration_return(
        actor=home.dvk, registration=second, note="Ghi rõ số hộ."
    )
    assert (approved.status, approved.reviewed_by) == (S.APPROVED, home.dvk)
    assert (returned.status, returned.reviewed_by) == (S.RETURNED, home.dvk)
    with pytest.raises(PermissionDenied):
        services.registration_recognize(
            actor=home.dvk,
            registration=approved,
            level=RecognitionLevel.WARD,
            title="Điển hình tiêu biểu",
        )
    with pytest.raises(PermissionDenied):
        services.registration_mark_not_achieved(
            actor=home.dvk, registration=approved, note="Không đạt."
        )
    unchanged(approved, S.APPROVED, 3)


def _every_step(setup, registration, actor):
    """Each service, called by ``actor`` on ``registration`` with valid arguments."""
    return {
        "save_draft": lambda: services.registration_save_draft(
            actor=actor, registration=registration
        ),
        "submit": lambda: services.registration_submit(actor=actor, registration=registration),
        "withdraw": lambda: services.registration_withdraw(actor=actor, registration=registration),
        "approve": lambda: services.registration_approve(actor=actor, registration=registration),
        "return": lambda: services.registration_return(
            actor=actor, registration=registration, note="Trả lại."
        ),
        "recognize": lambda: services.registration_recognize(
            actor=actor, registration=registration, level=RecognitionLevel.WARD, title="Khen"
        ),
        "not_achieved": lambda: services.registration_mark_not_achieved(
            actor=actor, registration=registration, note="Không đạt."
        ),
        "adjust": lambda: services.registration_adjust(
            actor=actor, registration=registration, changes={"schedule": "Mới."}, reason="Lý do."
        ),
        "update": lambda: services.registration_update_submit(
            actor=actor,
            registration=registration,
            quarter=Quarter(2021, 1),
            results="Kết quả.",
            percent=10,
        ),
    }


STEPS_BY_STATUS = {
    S.DRAFT: ["save_draft", "submit", "withdraw"],
    S.SUBMITTED: ["approve", "return", "withdraw"],
    S.APPROVED: ["recognize", "not_achieved", "adjust", "update"],
}


@pytest.mark.parametrize(
    ("status", "step"),
    [(status, step) for status, steps in STEPS_BY_STATUS.items() for step in steps],
)
@pytest.mark.parametrize("who", ["secretary", "staff", "dvk", "cell_secretary"])
def test_another_wards_people_are_refused_every_step(home, away, status, step, who):
    registration = reach(home, status)
    count = registration.events.count()
    actor = getattr(away, who)
    with pytest.raises(PermissionDenied):
        _every_step(home, registration, actor)[step]()
    unchanged(registration, status, count)
    assert not registration.updates.exists()


def test_return_without_a_note_by_an_outsider_is_a_permission_error(home, away):
    registration = reach(home, S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.registration_return(actor=away.staff, registration=registration, note="")


def test_superuser_reviews_in_any_ward(home, superuser):
    registration = reach(home, S.SUBMITTED)
    approved = services.registration_approve(actor=superuser, registration=registration)
    assert approved.status == S.APPROVED
    services.registration_recognize(
        actor=superuser, registration=approved, level=RecognitionLevel.CITY, title="Bằng khen"
    )
    approved.refresh_from_db()
    assert approved.status == S.RECOGNIZED


# --- the audit trail ----------------------------------------------------------------------------
def test_exactly_one_event_per_step_with_actor_note_and_history_user(home):
    registration = draft(home)
    assert RegistrationEvent.objects.count() == 1
    assert last_history_user(registration) == home.cell_secretary
    owner = home.cell_secretary
    steps = [
        (
            lambda: services.registration_submit(actor=owner, registration=registration),
            ("submitted", S.DRAFT, S.SUBMITTED, owner, ""),
        ),
        (
            lambda: services.registration_return(
                actor=home.dvk, registration=registration, note="Bổ sung tiến độ."
            ),
            ("returned", S.SUBMITTED, S.RETURNED, home.dvk, "Bổ sung tiến độ."),
        ),
        (
            lambda: services.registration_submit(actor=owner, registration=registration),
            ("submitted", S.RETURNED, S.SUBMITTED, owner, ""),
        ),
        (
            lambda: services.registration_approve(
                actor=home.staff, registration=registration, note="Đạt yêu cầu."
            ),
            ("approved", S.SUBMITTED, S.APPROVED, home.staff, "Đạt yêu cầu."),
        ),
        (
            lambda: services.registration_adjust(
                actor=owner,
                registration=registration,
                changes={"schedule": "Ra quân thứ Bảy cuối tháng."},
                reason="Đổi lịch ra quân.",
            ),
            ("adjusted", S.APPROVED, S.APPROVED, owner, "Đổi lịch ra quân."),
        ),
        (
            lambda: services.registration_recognize(
                actor=home.secretary, registration=registration, level="ward", title="Khen"
            ),
            ("recognized", S.APPROVED, S.RECOGNIZED, home.secretary, "Khen"),
        ),
    ]
    for call, (action, from_status, to_status, actor, note) in steps:
        before = RegistrationEvent.objects.count()
        call()
        assert RegistrationEvent.objects.count() == before + 1, action
        fresh = Registration.objects.get(pk=registration.pk)
        assert events(fresh)[-1] == (action, from_status, to_status, actor.pk, note)
        assert fresh.status == to_status
        assert last_history_user(fresh) == actor, action
    assert RegistrationEvent.objects.count() == 7


def test_two_adjustments_keep_two_revisions_with_the_previous_content(home):
    registration = reach(home, S.APPROVED)
    original = registration.content_snapshot()
    environment = Field.objects.get(name="Môi trường")
    first = services.registration_adjust(
        actor=home.cell_secretary,
        registration=registration,
        changes={"schedule": "Quý II: hoàn thành vận động.", "field_id": environment.pk},
        reason="Rà soát theo kết luận hội nghị quý I.",
    )
    after_first = Registration.objects.get(pk=registration.pk).content_snapshot()
    second = services.registration_adjust(
        actor=home.staff,
        registration=registration,
        changes={"title": "Vận động nhân dân bàn giao mặt bằng trước 30/9/2021"},
        reason="Đơn vị đề nghị đổi tên mô hình.",
    )
    assert (first.number, second.number) == (1, 2)
    assert first.previous == original
    assert second.previous == after_first
    assert after_first["schedule"] == "Quý II: hoàn thành vận động."
    assert after_first["field_id"] == environment.pk
    assert (first.reason, first.changed_by) == (
        "Rà soát theo kết luận hội nghị quý I.",
        home.cell_secretary,
    )
    assert (second.reason, second.changed_by) == ("Đơn vị đề nghị đổi tên mô hình.", home.staff)
    registration.refresh_from_db()
    assert registration.title == "Vận động nhân dân bàn giao mặt bằng trước 30/9/2021"
    assert registration.status == S.APPROVED
    assert [r.number for r in registration.revisions.order_by("number")] == [1, 2]
    assert last_history_user(registration) == home.staff


def test_an_adjustment_touches_only_the_content(home):
    registration = reach(home, S.APPROVED)
    services.registration_adjust(
        actor=home.cell_secretary,
        registration=registration,
        changes={"content": "Nội dung mới.", "status": S.RECOGNIZED, "year": 2030},
        reason="Cập nhật nội dung.",
    )
    registration.refresh_from_db()
    assert (registration.content, registration.status, registration.year) == (
        "Nội dung mới.",
        S.APPROVED,
        2021,
    )


# --- replication ----------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.APPROVED, S.NOT_ACHIEVED])
def test_only_an_exemplary_model_can_be_replicated(home, status):
    model = reach(home, status, unit=home.other_cell, year=2020, title="Mô hình năm trước")
    refused(
        lambda: draft(home, replicates=model),
        "Only a recognised, exemplary model can be replicated.",
        field="replicates",
    )
    assert not model.replications.exists()


def test_an_exemplary_model_of_another_ward_cannot_be_replicated(home, away):
    theirs = reach(away, S.RECOGNIZED, year=2020)
    refused(
        lambda: draft(home, replicates=theirs),
        "That model belongs to another ward.",
        field="replicates",
    )


def test_exemplary_models_count_only_replications_that_count(home):
    exemplary = reach(home, S.RECOGNIZED, unit=home.other_cell, year=2020, title="Camera an ninh")
    lonely = reach(home, S.RECOGNIZED, unit=home.women, year=2020, title="Phân loại rác")
    for status, title in [
        (S.SUBMITTED, "Camera an ninh tổ dân phố số 1"),
        (S.APPROVED, "Camera an ninh tổ dân phố số 2"),
        (S.DRAFT, "Camera an ninh tổ dân phố số 3"),
        (S.RETURNED, "Camera an ninh tổ dân phố số 4"),
        (S.WITHDRAWN, "Camera an ninh tổ dân phố số 5"),
    ]:
        reach(home, status, title=title, replicates=exemplary)
    counts = {r.pk: r.replication_count for r in exemplary_with_counts(Registration.objects)}
    assert counts == {exemplary.pk: 2, lonely.pk: 0}
    listed = [(r.pk, r.replication_count) for r in exemplary_models(user=home.cell_secretary)]
    assert listed == [(exemplary.pk, 2), (lonely.pk, 0)]
    assert exemplary.replications.count() == 5


# --- totals ---------------------------------------------------------------------------------------
@pytest.fixture
def counted_fixture(home, away):
    """2021 in ``home``, counted by hand:

    collectives that count: 3 approved (GPMB, GPMB, Môi trường), 1 submitted (Môi trường),
    1 recognised (Văn minh đô thị), 1 not achieved (GPMB)           -> 6
    individuals that count: 1 approved (An sinh xã hội), 1 submitted (GPMB) -> 2
    not counted: 2 drafts (one of each kind), 1 withdrawn, 1 returned; a 2020 model;
    2 approved models in ``away``.
    """
    gpmb, env = "Giải phóng mặt bằng", "Môi trường"
    rows = [
        (K.COLLECTIVE, S.APPROVED, gpmb),
        (K.COLLECTIVE, S.APPROVED, gpmb),
        (K.COLLECTIVE, S.APPROVED, env),
        (K.COLLECTIVE, S.SUBMITTED, env),
        (K.COLLECTIVE, S.RECOGNIZED, "Văn minh đô thị"),
        (K.COLLECTIVE, S.NOT_ACHIEVED, gpmb),
        (K.INDIVIDUAL, S.APPROVED, "An sinh xã hội"),
        (K.INDIVIDUAL, S.SUBMITTED, gpmb),
        (K.COLLECTIVE, S.DRAFT, gpmb),
        (K.INDIVIDUAL, S.DRAFT, env),
        (K.COLLECTIVE, S.WITHDRAWN, gpmb),
        (K.COLLECTIVE, S.RETURNED, env),
    ]
    for kind, status, field in rows:
        RegistrationFactory(
            ward=home.ward,
            organization=home.cell,
            kind=kind,
            individual=kind == K.INDIVIDUAL,
            status=status,
            field=FieldFactory(name=field),
        )
    RegistrationFactory(ward=home.ward, organization=home.cell, status=S.APPROVED, year=2020)
    for _ in range(2):
        RegistrationFactory(ward=away.ward, organization=away.cell, status=S.APPROVED)


def test_totals_by_kind_and_field_count_only_what_counts(home, counted_fixture):
    totals = registration_totals(user=home.secretary, year=2021)
    assert (totals.collective, totals.individual, totals.total) == (6, 2, 8)
    assert totals.by_field == [
        ("Giải phóng mặt bằng", 4),
        ("Môi trường", 2),
        ("An sinh xã hội", 1),
        ("Văn minh đô thị", 1),
    ]
    assert {s: totals.by_status.get(s, 0) for s in COUNTED} == {
        S.SUBMITTED: 2,
        S.APPROVED: 4,
        S.RECOGNIZED: 1,
        S.NOT_ACHIEVED: 1,
    }
    with translation.override("en"):
        assert totals.sentence == "06 collectives, 02 individuals"


def test_totals_by_status_show_the_whole_pipeline_while_by_kind_counts_what_counts(
    home, counted_fixture
):
    totals = registration_totals(user=home.secretary, year=2021)
    counted = sum(n for status, n in totals.by_status.items() if status in COUNTED)
    assert counted == totals.total
    assert set(totals.by_status) - set(COUNTED)  # drafts / withdrawn are shown, not counted


def test_totals_are_of_the_users_ward_or_the_ward_asked(home, away, superuser, counted_fixture):
    theirs = registration_totals(user=away.secretary, year=2021)
    assert (theirs.collective, theirs.individual) == (2, 0)
    everywhere = registration_totals(user=superuser, year=2021)
    assert everywhere.collective == 8
    ours = registration_totals(user=superuser, year=2021, ward=home.ward)
    assert (ours.collective, ours.individual) == (6, 2)
    assert registration_totals(user=home.secretary, year=2020).collective == 1
    assert registration_totals(user=home.plain, year=2022).total == 0


# --- validation -----------------------------------------------------------------------------------
def test_an_individual_registration_needs_its_person(home):
    error = refused(
        lambda: draft(home, kind=K.INDIVIDUAL, person=None),
        "An individual registration needs the person who registers.",
        field="person",
    )
    assert set(error.message_dict) == {"person"}


def test_a_collective_registration_names_no_person(home):
    person = PersonFactory(ward=home.ward, organization=home.cell)
    error = refused(
        lambda: draft(home, kind=K.COLLECTIVE, person=person),
        "A collective registration is the organisation's own: leave the person empty.",
        field="person",
    )
    assert set(error.message_dict) == {"person"}


def test_an_individual_registration_with_its_person(home):
    person = PersonFactory(ward=home.ward, organization=home.cell, full_name="Phạm Văn Hậu")
    registration = draft(home, kind=K.INDIVIDUAL, person=person)
    assert registration.registrant_name == "Phạm Văn Hậu"


def test_people_and_units_of_another_ward_are_refused(home, away):
    outsider = PersonFactory(ward=away.ward, organization=away.cell)
    refused(
        lambda: draft(home, kind=K.INDIVIDUAL, person=outsider),
        "This person belongs to another ward.",
        field="person",
    )
    refused(
        lambda: draft(home, organization=away.cell, actor=home.staff),
        "This unit belongs to another ward.",
        field="organization",
    )


def test_a_model_needs_a_name(home):
    refused(lambda: draft(home, title="   "), "Give the model a name.", field="title")


# --- duplicates -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "title",
    [
        TITLE,
        "VẬN ĐỘNG NHÂN DÂN BÀN GIAO MẶT BẰNG ĐÚNG TIẾN ĐỘ",
        "van dong nhan dan ban giao mat bang dung tien do",
        "  Vận động   nhân dân bàn giao mặt bằng đúng tiến độ ",
    ],
)
def test_the_same_title_twice_in_a_unit_and_year_is_refused_on_the_title(home, title):
    draft(home)
    refused(lambda: draft(home, title=title), services.MESSAGE_DUPLICATE, field="title")
    assert Registration.objects.count() == 1


def test_the_same_title_is_fine_for_another_unit_another_year_or_after_a_withdrawal(home):
    first = draft(home)
    draft(home, unit=home.other_cell)
    draft(home, year=2022)
    services.registration_withdraw(actor=home.cell_secretary, registration=first)
    again = draft(home)
    assert again.pk != first.pk
    assert Registration.objects.filter(title=TITLE).count() == 4


def test_an_adjustment_cannot_make_a_duplicate(home):
    draft(home, title="Tuyến phố văn minh")
    registration = reach(home, S.APPROVED)
    refused(
        lambda: services.registration_adjust(
            actor=home.cell_secretary,
            registration=registration,
            changes={"title": "TUYẾN PHỐ VĂN MINH"},
            reason="Đổi tên.",
        ),
        services.MESSAGE_DUPLICATE,
        field="title",
    )
    assert not registration.revisions.exists()


# --- quarterly updates ----------------------------------------------------------------------------
def test_one_update_per_quarter_the_second_replaces_the_first(home):
    registration = reach(home, S.APPROVED)
    q1 = Quarter(2021, 1)
    first = services.registration_update_submit(
        actor=home.cell_secretary,
        registration=registration,
        quarter=q1,
        results="Vận động 02/04 hộ.",
        percent=30,
    )
    assert (first.year, first.quarter, first.percent) == (2021, 1, 30)
    assert first.reported_by == home.cell_secretary
    second = services.registration_update_submit(
        actor=home.staff,
        registration=registration,
        quarter=q1,
        results="Vận động 03/04 hộ.",
        percent=45,
    )
    assert second.pk == first.pk
    assert RegistrationUpdate.objects.filter(registration=registration).count() == 1
    second.refresh_from_db()
    assert (second.results, second.percent, second.reported_by) == (
        "Vận động 03/04 hộ.",
        45,
        home.staff,
    )
    history = list(second.history.order_by("history_date", "history_id"))
    assert [(h.results, h.percent) for h in history] == [
        ("Vận động 02/04 hộ.", 30),
        ("Vận động 03/04 hộ.", 45),
    ]
    assert [h.history_user for h in history] == [home.cell_secretary, home.staff]
    services.registration_update_submit(
        actor=home.cell_secretary,
        registration=registration,
        quarter=q1.next(),
        results="Quý II.",
        percent=60,
    )
    assert sorted(registration.updates.values_list("quarter", flat=True)) == [1, 2]


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED, S.NOT_ACHIEVED])
def test_an_update_is_refused_unless_approved_or_recognised(home, status):
    registration = reach(home, status)
    refused(
        lambda: services.registration_update_submit(
            actor=home.cell_secretary,
            registration=registration,
            quarter=Quarter(2021, 1),
            results="Kết quả.",
            percent=10,
        ),
        services.MESSAGE_CANNOT_UPDATE,
    )
    assert not RegistrationUpdate.objects.exists()


def test_an_update_reads_the_current_status(home):
    registration = reach(home, S.APPROVED)
    page_copy = Registration.objects.get(pk=registration.pk)
    services.registration_mark_not_achieved(
        actor=home.staff, registration=registration, note="Không đạt."
    )
    try:
        services.registration_update_submit(
            actor=home.cell_secretary,
            registration=page_copy,
            quarter=Quarter(2021, 1),
            results="Báo cáo muộn.",
            percent=5,
        )
    except ValidationError as refused_error:
        assert str(services.MESSAGE_CANNOT_UPDATE) in refused_error.messages
    assert not RegistrationUpdate.objects.exists()


def test_a_recognised_model_still_reports_and_percent_is_bounded(home):
    registration = reach(home, S.RECOGNIZED)
    services.registration_update_submit(
        actor=home.cell_secretary,
        registration=registration,
        quarter=Quarter(2021, 4),
        results="Hoàn thành.",
        percent=100,
    )
    with pytest.raises(ValidationError) as caught:
        services.registration_update_submit(
            actor=home.cell_secretary,
            registration=registration,
            quarter=Quarter(2021, 3),
            results="Quá mức.",
            percent=120,
        )
    assert "percent" in caught.value.message_dict
    assert registration.updates.count() == 1


# --- notifications --------------------------------------------------------------------------------
def _nothing(request, pk):  # pragma: no cover - only reversed, never requested
    return HttpResponse()


class UrlsWithRegistryDetail:
    """A URLconf with the one registry URL an email links to."""

    urlpatterns = [
        path(
            "models/",
            include(([path("<int:pk>/", _nothing, name="detail")], "models_registry")),
        )
    ]


class UrlsWithoutRegistry:
    """A URLconf where the registry's pages are not wired (yet)."""

    urlpatterns: list = []


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture
def registry_link(settings):
    """The emails link to the registration's page: use the project's URLs when they are
    wired, a stand-in otherwise."""
    try:
        reverse("models_registry:detail", args=[1])
    except Exception:  # not wired yet, or the app's views do not import
        settings.ROOT_URLCONF = UrlsWithRegistryDetail


@pytest.fixture
def mailbox(home, registry_link):
    """Only the users with an address get mail; one ward staff account has none."""
    person = PersonFactory(ward=home.ward, organization=home.committee)
    PositionFactory(person=person, organization=home.committee, role=PositionRole.STAFF)
    UserFactory(username="no_mail", email="", ward=home.ward, person=person)
    mail.outbox.clear()
    return mail.outbox


def test_a_submission_is_mailed_to_the_ward_staff_only(
    home, away, mailbox, django_capture_on_commit_callbacks
):
    registration = draft(home)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_submit(actor=home.cell_secretary, registration=registration)
    assert len(mailbox) == 1
    message = mailbox[0]
    assert sorted(message.to) == sorted([home.secretary.email, home.staff.email])
    assert TITLE in message.subject
    assert home.cell.name in message.body
    assert f"/{registration.pk}/" in message.body


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_a_decision_is_mailed_to_the_owning_units_managers(
    home, mailbox, django_capture_on_commit_callbacks, decision
):
    registration = reach(home, S.SUBMITTED, unit=home.women)
    mailbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if decision == "approve":
            services.registration_approve(actor=home.dvk, registration=registration)
        else:
            services.registration_return(
                actor=home.staff, registration=registration, note="Ghi rõ số hội viên tham gia."
            )
    assert len(mailbox) == 1
    assert mailbox[0].to == [home.mass_head.email]
    if decision == "return":
        assert "Ghi rõ số hội viên tham gia." in mailbox[0].body


def test_mail_goes_out_only_after_the_step_commits(
    home, mailbox, django_capture_on_commit_callbacks
):
    registration = draft(home)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.registration_submit(actor=home.cell_secretary, registration=registration)
    assert len(callbacks) == 1
    assert mailbox == []


def test_other_steps_send_nothing(home, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = draft(home)
        services.registration_withdraw(actor=home.cell_secretary, registration=registration)
    assert mailbox == []


def test_a_failing_mail_server_does_not_break_the_step(
    home, settings, registry_link, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    registration = draft(home)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.registration_submit(
            actor=home.cell_secretary, registration=registration
        )
    assert submitted.status == S.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(actor=home.staff, registration=submitted)
    fresh = Registration.objects.get(pk=registration.pk)
    assert fresh.status == S.APPROVED
    assert [e[0] for e in events(fresh)] == ["created", "submitted", "approved"]
    assert "Could not send registration notifications" in caplog.text


def test_a_message_that_cannot_be_built_does_not_break_the_step(home, settings):
    settings.ROOT_URLCONF = UrlsWithoutRegistry
    with pytest.raises(NoReverseMatch):
        reverse("models_registry:detail", args=[1])
    registration = draft(home)
    submitted = services.registration_submit(actor=home.cell_secretary, registration=registration)
    assert submitted.status == S.SUBMITTED
