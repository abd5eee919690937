"""Bad input never breaks a page (issue #7, point 6): property-based tests feed every
user-facing form, through its view and as a role allowed to use it, random and hostile input
(tests/fuzz_strategies.py) and check what a user would notice:

- the page never fails (status < 500), and never echoes a markup payload unescaped;
- input that is refused is refused at a field (or above the form for a cross-field rule),
  and what was typed is shown again in the form;
- input that is accepted is stored in NFC without NUL characters, and the page showing it
  renders it escaped;
- an upload with a tricky name or the wrong content is refused at its field and not stored;
  an accepted file's stored name has no path parts.

Each hypothesis example runs in a savepoint rolled back at its end, so the fixtures' data is
the same for every example. Examples are derandomised: the same inputs on every run.
``FUZZ_EXAMPLES`` (environment) raises the number of examples per form for a deeper run.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.forms.forms import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, event, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from meetings.models import Attendance, Conclusion, Contribution, Meeting, MeetingStatus
from meetings.review_figures import quarter_figures
from meetings.review_models import QuarterlyReview, ReviewStatus
from models_registry.models import Field, Recognition, Registration, RegistrationUpdate
from plans.models import Plan, ProgressReport, Task
from tests import fuzz_strategies as fs
from tests.meetings.conftest import make_meeting
from tests.models_registry.conftest import make_registry
from tests.plans.conftest import make_plans
from wardwork.quarters import Quarter

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))

fuzz = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failure is reported as found (shrinking 100,000-character values
    # through a web page takes many minutes); the bugs below keep their minimal inputs.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# The bug reproductions run their explicit examples only.
explicit_only = hypothesis_settings(
    fuzz, phases=[Phase.explicit], suppress_health_check=list(HealthCheck)
)

QUARTER = Quarter(2021, 1)
REDIRECTS = (301, 302, 303)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def plans(home):
    return make_plans(home)


@pytest.fixture
def registry(home):
    return make_registry(home)


@pytest.fixture
def planned_meeting(home):
    return make_meeting(home, MeetingStatus.PLANNED)


@pytest.fixture
def held_meeting(home):
    return make_meeting(home, MeetingStatus.HELD)


@pytest.fixture
def concluded_meeting(home):
    return make_meeting(home, MeetingStatus.CONCLUDED)


@contextlib.contextmanager
def rolled_back():
    """One example: everything it writes is undone when it ends."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- checks -------------------------------------------------------------------------------------


def assert_page_safe(response) -> str:
    assert response.status_code < 500, response.status_code
    html = response.content.decode("utf-8", errors="replace")
    for marker in fs.XSS_MARKERS:
        assert marker not in html, f"unescaped {marker!r} in the page"
    return html


def _form_in(response, form_key):
    if response.context is None:
        return None
    if callable(form_key):
        return form_key(response.context)
    try:
        return response.context[form_key]
    except KeyError:
        return None


def _too_big(data) -> bool:
    size = sum(len(str(v).encode()) for v in data.values() if isinstance(v, str))
    return size > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class Sent:
    """What came back: true when the input was accepted; ``form`` holds a refused form."""

    def __init__(self, accepted: bool, form=None):
        self.accepted, self.form = accepted, form

    def __bool__(self) -> bool:
        return self.accepted


def send(client, url, data, *, form_key="form", text=(), files=None, method="post") -> Sent:
    """Send ``data`` (+ ``files``) to ``url``; accepted when it redirects, else the form
    must come back with its errors; each case checked for what it promises.

    ``text``: the names of the free-text fields, whose typed value must come back."""
    payload = {**data, **(files or {})}
    response = getattr(client, method)(url, payload)
    html = assert_page_safe(response)
    if currently_in_test_context():  # counted in --hypothesis-show-statistics
        event(
            f"{url.split('?')[0]} {'accepted' if response.status_code in REDIRECTS else 'refused'}"
        )
    if response.status_code in REDIRECTS:
        return Sent(True)
    form = _form_in(response, form_key)
    if form is None and response.status_code == 400 and _too_big(data):
        return Sent(False)  # refused whole, as Django refuses every request over the limit
    assert form is not None, f"{response.status_code}: no form in the page"
    if method == "get":
        return Sent(form.is_valid(), form)
    assert form.errors, f"{response.status_code}: not accepted, but no error on the form"
    for name in form.errors:
        assert name == NON_FIELD_ERRORS or name in form.fields, f"error on unknown {name!r}"
    for name in text:
        typed = data.get(form.add_prefix(name), "")
        assert form[name].value() == typed, f"{name}: typed value not kept"
        if typed.strip():
            assert escape(typed) in html, f"{name}: typed value not shown again"
    return Sent(False, form)


def assert_stored_clean(obj, typed=()):
    """Every text column of ``obj`` is NFC and free of NUL (``typed``: the values sent)."""
    obj.refresh_from_db()
    for field in obj._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)):
            continue
        value = getattr(obj, field.attname)
        if not isinstance(value, str):
            continue
        assert "\x00" not in value, f"{field.name}: NUL stored"
        # search_key, symbol_key, sort_key: folded keys for searching, not text to show.
        if field.name.endswith("_key"):
            continue
        assert unicodedata.is_normalized("NFC", value), f"{field.name}: {value!r} not NFC"


def assert_shows(client, url):
    assert_page_safe(client.get(url))


def latest(model, **filters):
    return model.objects.filter(**filters).order_by("-pk").first()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(media: Path) -> set[str]:
    return {str(p) for p in media.rglob("*") if p.is_file()} if media.exists() else set()


# --- strategies of whole forms ------------------------------------------------------------------


def text(max_size=300):
    return fs.hostile_text(max_size)


def pick(clean: bool, valid, hostile):
    """A structural field (choice, date, number): in a *clean* example one of ``valid``, so
    that only the free text is hostile and the form can be accepted; else ``hostile``."""
    return st.sampled_from(valid) if clean else hostile


# Half the examples keep every structural field valid: the hostile free text then reaches
# the database and the pages that show it, not only the form's error path.
CLEAN = st.booleans()


def plan_data(setup, clean):
    return st.fixed_dictionaries(
        {
            "symbol": pick(clean, ["35-KH/ĐU", "7-BC/ĐU", "12-KH/QU"], fs.hostile_symbol()),
            "doc_type": pick(clean, [""], fs.hostile_choice(["KH", "BC", "NQ", ""])),
            "number": pick(clean, [""], fs.hostile_number(valid=(18, 0))),
            "issuer": pick(clean, [""], fs.hostile_choice([str(setup.committee.pk), ""])),
            "issued_on": pick(clean, fs.VALID_DATES, fs.hostile_date()),
            "year": pick(clean, ["", "2021"], fs.hostile_number(valid=(2021, 1945))),
            "title": text(),
            "theme": text(),
            "implements": pick(clean, [""], fs.hostile_choice([""])),
        }
    )


PLAN_TEXT = ("symbol", "title", "theme")


def task_data(setup, clean):
    units = [str(setup.cell.pk), str(setup.women.pk)]
    return st.fixed_dictionaries(
        {
            "ordinal": pick(clean, [""], fs.hostile_number(valid=(7, 1))),
            "title": text(),
            "description": text(),
            "lead_organization": pick(clean, units[:1], fs.hostile_choice(units)),
            "supporting_organizations": pick(
                clean, [[], units[1:]], st.lists(fs.hostile_choice(units), max_size=3)
            ),
            "due_date": pick(clean, [""], fs.hostile_date()),
            "due_quarter": pick(
                clean,
                ["II/2021", ""],
                st.one_of(st.sampled_from(["II/2021", "V/2021", "0/0", "2021-Q1", ""]), text(20)),
            ),
            "status": pick(
                clean, ["open", "in_progress"], fs.hostile_choice(["open", "done", "cancelled"])
            ),
        }
    )


TASK_TEXT = ("title", "description")


def _post_task(data):
    return {k: v for k, v in data.items() if k != "supporting_organizations"} | {
        "supporting_organizations": data["supporting_organizations"]
    }


# --- plans --------------------------------------------------------------------------------------


@fuzz
@given(data=st.data())
def test_plan_create_and_edit(client, home, plans, data):
    clean = data.draw(CLEAN)
    client.force_login(home.secretary)
    for url in (
        reverse("plans:plan_create"),
        reverse("plans:plan_update", args=[plans.ward_plan.pk]),
    ):
        values = data.draw(plan_data(home, clean))
        with rolled_back():
            if send(client, url, values, text=PLAN_TEXT):
                plan = latest(Plan, ward=home.ward) if "new" in url else plans.ward_plan
                assert_stored_clean(plan, values.values())
                assert_shows(client, reverse("plans:plan_detail", args=[plan.pk]))
                assert_shows(client, reverse("plans:plan_list"))


@fuzz
@given(data=st.data())
def test_task_create_and_edit(client, home, plans, data):
    clean = data.draw(CLEAN)
    client.force_login(home.secretary)
    for url in (
        reverse("plans:task_create", args=[plans.ward_plan.pk]),
        reverse("plans:task_update", args=[plans.task.pk]),
    ):
        values = data.draw(task_data(home, clean))
        with rolled_back():
            if send(client, url, _post_task(values), text=TASK_TEXT):
                task = latest(Task, ward=home.ward) if "new" in url else plans.task
                assert_stored_clean(task, values.values())
                assert_shows(client, reverse("plans:task_detail", args=[task.pk]))
                assert_shows(client, reverse("plans:plan_detail", args=[plans.ward_plan.pk]))


def _report_form(context):
    row = context.get("row")
    return getattr(row, "form", None)


@fuzz
@given(data=st.data())
def test_progress_report_submit(client, home, plans, data):
    client.force_login(home.cell_secretary)
    task, unit = plans.task, home.cell
    prefix = f"r{task.pk}-{unit.pk}"
    clean = data.draw(CLEAN)
    values = data.draw(
        st.fixed_dictionaries(
            {
                "status": pick(
                    clean, ["in_progress", "done"], fs.hostile_choice(["open", "cancelled"])
                ),
                "percent": pick(clean, ["40", "0"], fs.hostile_number()),
                "narrative": text(),
            }
        )
    )
    quarter = data.draw(
        pick(clean, [QUARTER.slug], st.sampled_from(["I/2021", "V/9999", "", "<script>"]))
    )
    post = {f"{prefix}-{k}": v for k, v in values.items()} | {"unit": unit.pk, "quarter": quarter}
    with rolled_back():
        url = reverse("plans:report_submit", args=[task.pk])
        if send(client, url, post, form_key=_report_form, text=("narrative",)):
            report = latest(ProgressReport, task=task, organization=unit)
            assert_stored_clean(report, values.values())
            assert_shows(client, reverse("plans:task_detail", args=[task.pk]))
            assert_shows(client, reverse("plans:my_tasks") + f"?quarter={quarter}")


# --- uploads ------------------------------------------------------------------------------------


def _upload_targets(home, plans, registry):
    """(user, url, post data, file field, form getter, stored files) of every upload field."""
    task, unit = plans.task, home.cell
    prefix = f"r{task.pk}-{unit.pk}"
    plan = plans.ward_plan
    plan_values = {
        "symbol": plan.symbol,
        "doc_type": plan.doc_type,
        "number": plan.number,
        "issuer": plan.issuer_id,
        "issued_on": "15/01/2021",
        "year": 2021,
        "title": plan.title,
        "theme": "",
        "is_active": "on",
    }
    return [
        (
            home.secretary,
            reverse("plans:plan_update", args=[plan.pk]),
            plan_values,
            "attachment",
            "form",
            lambda: [Plan.objects.get(pk=plan.pk).attachment],
        ),
        (
            home.cell_secretary,
            reverse("plans:report_submit", args=[task.pk]),
            {
                f"{prefix}-status": "in_progress",
                f"{prefix}-percent": "40",
                f"{prefix}-narrative": "Đã vận động 25 hộ.",
                "unit": unit.pk,
                "quarter": QUARTER.slug,
            },
            f"{prefix}-attachment",
            _report_form,
            lambda: [r.attachment for r in ProgressReport.objects.filter(task=task)],
        ),
        (
            home.cell_secretary,
            reverse("models_registry:update", args=[registry.approved.pk])
            + f"?quarter={Quarter(2021, 2).slug}",
            {"results": "Đã vận động 30 hộ dân.", "percent": "60"},
            "attachment",
            "form",
            lambda: [
                u.attachment
                for u in RegistrationUpdate.objects.filter(registration=registry.approved)
            ],
        ),
    ]


def _names(files) -> set[str]:
    return {f.name for f in files if f}


OVERSIZED = ("big.pdf", fs.PDF + b"0" * 5000)  # over the 4 KB limit the test sets


# Every tricky upload, on every file field: an exhaustive list, so each case runs each time.
@pytest.mark.parametrize("bad", [*fs.BAD_UPLOADS, OVERSIZED], ids=lambda b: repr(b[0])[:40])
def test_uploads_refused_at_the_field(client, home, plans, registry, media_root, settings, bad):
    targets = _upload_targets(home, plans, registry)
    settings.UPLOAD_MAX_BYTES = 4096
    name, content = bad
    for user, url, data, field, form_key, stored in targets:
        client.force_login(user)
        with rolled_back():
            before_rows, before_files = _names(stored()), stored_files(media_root)
            sent = send(client, url, data, form_key=form_key, files={field: upload(name, content)})
            assert not sent, f"{name!r} accepted at {url}"
            errors = sent.form.errors.get(field.rsplit("-", 1)[-1])
            assert errors and all(str(e).strip() for e in errors), sent.form.errors
            assert _names(stored()) == before_rows
            assert stored_files(media_root) == before_files, f"{name!r} written to disk"


@pytest.mark.parametrize("good", fs.GOOD_UPLOADS, ids=lambda g: repr(g[0])[:40])
def test_uploads_accepted_keep_a_plain_name(client, home, plans, registry, media_root, good):
    targets = _upload_targets(home, plans, registry)
    name, content = good
    for user, url, data, field, form_key, stored in targets:
        client.force_login(user)
        with rolled_back():
            before = _names(stored())
            sent = send(client, url, data, form_key=form_key, files={field: upload(name, content)})
            if not sent:
                # Only a name longer than the column holds may be refused, at the field.
                errors = sent.form.errors
                assert len(name) > 100 and errors.get(field.rsplit("-", 1)[-1]), errors
                continue
            new = _names(stored()) - before
            assert len(new) == 1, new
            stored_name = new.pop()
            base = stored_name.rsplit("/", 1)[-1]
            assert ".." not in stored_name.split("/") and "\\" not in stored_name
            assert not stored_name.startswith("/") and "\x00" not in stored_name
            assert base and not base.startswith(".")
            assert (media_root / stored_name).resolve().is_relative_to(media_root.resolve())


# --- registrations ------------------------------------------------------------------------------


def registration_data(setup, registry, clean):
    units = [str(setup.cell.pk)]
    fields = [str(pk) for pk in Field.objects.values_list("pk", flat=True)[:3]]
    return st.fixed_dictionaries(
        {
            "year": pick(clean, ["2021", ""], fs.hostile_number(valid=(2021, 2020))),
            "kind": pick(clean, ["collective"], fs.hostile_choice(["collective", "individual"])),
            "registered_by_unit": pick(clean, units, fs.hostile_choice(units)),
            "organization": pick(clean, units, fs.hostile_choice([*units, str(setup.women.pk)])),
            "person": pick(
                clean, [""], fs.hostile_choice([str(setup.cell_secretary.person.pk), ""])
            ),
            "title": text(),
            "field": pick(clean, fields, fs.hostile_choice(fields)),
            "content": text(),
            "solutions": text(),
            "schedule": text(),
            "expected_results": text(),
            "plan": pick(clean, [""], fs.hostile_choice([""])),
            "replicates": pick(clean, [""], fs.hostile_choice([str(registry.exemplary.pk), ""])),
        }
    )


REGISTRATION_TEXT = ("title", "content", "solutions", "schedule", "expected_results")


@fuzz
@given(data=st.data(), submitting=st.booleans())
def test_registration_create_and_edit(client, home, registry, data, submitting):
    clean = data.draw(CLEAN)
    client.force_login(home.cell_secretary)
    for url in (
        reverse("models_registry:create"),
        reverse("models_registry:edit", args=[registry.draft.pk]),
    ):
        values = data.draw(registration_data(home, registry, clean))
        post = values | ({"submit": "1"} if submitting else {})
        with rolled_back():
            if send(client, url, post, text=REGISTRATION_TEXT):
                registration = (
                    latest(Registration, ward=home.ward) if "new" in url else registry.draft
                )
                assert_stored_clean(registration, values.values())
                assert_shows(client, reverse("models_registry:detail", args=[registration.pk]))
                assert_shows(client, reverse("models_registry:list") + "?year=all")


@fuzz
@given(
    results=text(),
    percent=fs.hostile_number(),
    quarter=st.sampled_from(["2021-Q2", "I/2021", "2099-Q1", "1900-Q1", "", "x"]),
)
def test_registration_update(client, home, results, percent, quarter, registry):
    client.force_login(home.cell_secretary)
    url = reverse("models_registry:update", args=[registry.approved.pk]) + f"?quarter={quarter}"
    values = {"results": results, "percent": percent}
    with rolled_back():
        if send(client, url, values, text=("results",)):
            update = latest(RegistrationUpdate, registration=registry.approved)
            assert_stored_clean(update, values.values())
            assert_shows(client, reverse("models_registry:detail", args=[registry.approved.pk]))


def _return_form(pk):
    def find(context):
        for registration in context.get("page_obj") or []:
            if registration.pk == pk:
                return registration.return_form
        return None

    return find


@fuzz
@given(note=text())
def test_registration_return(client, home, note, registry):
    client.force_login(home.staff)
    pk = registry.submitted.pk
    with rolled_back():
        url = reverse("models_registry:return", args=[pk])
        if send(client, url, {f"r{pk}-note": note}, form_key=_return_form(pk), text=("note",)):
            assert_stored_clean(Registration.objects.get(pk=pk), [note])
            assert_shows(client, reverse("models_registry:detail", args=[pk]))
            assert_shows(client, reverse("models_registry:review_queue"))


@fuzz
@given(data=st.data())
def test_registration_recognise_and_not_achieved(client, home, data, registry):
    client.force_login(home.staff)
    pk = registry.approved.pk
    clean = data.draw(CLEAN)
    values = data.draw(
        st.fixed_dictionaries(
            {
                "level": pick(clean, ["ward", "city"], fs.hostile_choice(["district"])),
                "title": text(),
                "decision_symbol": fs.hostile_symbol(),
                "decided_on": pick(clean, ["", "10/03/2021"], fs.hostile_date()),
                "issuer": pick(clean, [""], fs.hostile_choice([str(home.committee.pk), ""])),
            }
        )
    )
    with rolled_back():
        url = reverse("models_registry:recognize", args=[pk])
        if send(client, url, values, text=("title", "decision_symbol")):
            assert_stored_clean(latest(Recognition, registration_id=pk), values.values())
            assert_shows(client, reverse("models_registry:detail", args=[pk]))
            assert_shows(client, reverse("models_registry:exemplary"))
    note = data.draw(text())
    with rolled_back():
        url = reverse("models_registry:not_achieved", args=[pk])
        if send(client, url, {"note": note}, text=("note",)):
            assert_stored_clean(Registration.objects.get(pk=pk), [note])
            assert_shows(client, reverse("models_registry:detail", args=[pk]))


@fuzz
@given(data=st.data())
def test_registration_adjust(client, home, data, registry):
    client.force_login(home.cell_secretary)
    pk = registry.approved.pk
    fields = [str(pk) for pk in Field.objects.values_list("pk", flat=True)[:3]]
    clean = data.draw(CLEAN)
    values = data.draw(
        st.fixed_dictionaries(
            {
                "title": text(),
                "field": pick(clean, fields, fs.hostile_choice(fields)),
                "content": text(),
                "solutions": text(),
                "schedule": text(),
                "expected_results": text(),
                "plan": fs.hostile_choice([""]),
                "reason": text(),
            }
        )
    )
    with rolled_back():
        url = reverse("models_registry:adjust", args=[pk])
        if send(client, url, values, text=(*REGISTRATION_TEXT, "reason")):
            assert_stored_clean(Registration.objects.get(pk=pk), values.values())
            assert_shows(client, reverse("models_registry:detail", args=[pk]))


# --- meetings -----------------------------------------------------------------------------------


def meeting_data(setup, clean):
    people = [str(setup.secretary.person.pk), str(setup.staff.person.pk)]
    return st.fixed_dictionaries(
        {
            "kind": pick(
                clean, ["quarterly_review", "seminar"], fs.hostile_choice(["thematic", "other"])
            ),
            "title": text(),
            "year": pick(clean, ["", "2021"], fs.hostile_number(valid=(2021,))),
            "quarter": pick(clean, ["1", "2"], fs.hostile_choice(["1", "2", "4", "5"])),
            "held_at": pick(clean, ["13/04/2021 08:00"], fs.hostile_date(with_time=True)),
            "venue": text(),
            "chairs": pick(clean, [people[:1]], st.lists(fs.hostile_choice(people), max_size=2)),
            "presenter": pick(clean, [""], fs.hostile_choice([*people, ""])),
            "reviewed_plans": pick(clean, [[]], st.lists(fs.hostile_choice([]), max_size=1)),
            "report_summary": text(),
            "next_period_direction": text(),
        }
    )


MEETING_TEXT = ("title", "venue", "report_summary", "next_period_direction")


@fuzz
@given(data=st.data())
def test_meeting_create_and_edit(client, home, planned_meeting, data):
    clean = data.draw(CLEAN)
    meeting = planned_meeting
    client.force_login(home.secretary)
    for url in (
        reverse("meetings:meeting_create"),
        reverse("meetings:meeting_update", args=[meeting.pk]),
    ):
        values = data.draw(meeting_data(home, clean))
        with rolled_back():
            if send(client, url, values, text=MEETING_TEXT):
                saved = latest(Meeting, ward=home.ward) if "new" in url else meeting
                assert_stored_clean(saved, values.values())
                assert_shows(client, reverse("meetings:meeting_detail", args=[saved.pk]))
                assert_shows(client, reverse("meetings:meeting_list"))


@fuzz
@given(data=st.data())
def test_contribution_add(client, home, held_meeting, data):
    meeting = held_meeting
    client.force_login(home.secretary)
    people = [str(home.cell_secretary.person.pk)]
    clean = data.draw(CLEAN)
    values = data.draw(
        st.fixed_dictionaries(
            {
                "speaker": pick(clean, ["", *people], fs.hostile_choice([*people, ""])),
                "organization": pick(clean, [""], fs.hostile_choice([str(home.cell.pk), ""])),
                "content": text(),
            }
        )
    )
    with rolled_back():
        url = reverse("meetings:contribution_add", args=[meeting.pk])
        if send(client, url, values, form_key="contribution_form", text=("content",)):
            assert_stored_clean(latest(Contribution, meeting=meeting), values.values())
            assert_shows(client, reverse("meetings:meeting_detail", args=[meeting.pk]))


def conclusion_data(setup, clean):
    bodies = [str(setup.cell.pk), str(setup.women.pk)]
    return st.fixed_dictionaries(
        {
            "text": text(),
            "lead_organizations": pick(
                clean, [bodies[:1]], st.lists(fs.hostile_choice(bodies), max_size=2)
            ),
            "supporting_organizations": pick(
                clean, [[], bodies[1:]], st.lists(fs.hostile_choice(bodies), max_size=2)
            ),
            "due_date": pick(clean, [""], fs.hostile_date()),
            "due_quarter": pick(
                clean,
                ["III/2021", ""],
                st.one_of(st.sampled_from(["III/2021", "IX/2021", ""]), text(20)),
            ),
            "plan": pick(clean, [""], fs.hostile_choice([""])),
        }
    )


@fuzz
@given(data=st.data())
def test_conclusion_create_and_edit(client, home, held_meeting, data):
    meeting = held_meeting
    conclusion = meeting.conclusions.order_by("pk").first()
    client.force_login(home.secretary)
    clean = data.draw(CLEAN)
    for url, form_key in (
        (reverse("meetings:conclusion_create", args=[meeting.pk]), "conclusion_form"),
        (reverse("meetings:conclusion_update", args=[conclusion.pk]), "form"),
    ):
        values = data.draw(conclusion_data(home, clean))
        with rolled_back():
            if send(client, url, values, form_key=form_key, text=("text",)):
                saved = latest(Conclusion, meeting=meeting) if form_key != "form" else conclusion
                assert_stored_clean(saved, values.values())
                assert_shows(client, reverse("meetings:meeting_detail", args=[meeting.pk]))


def _attendance_form(pk):
    def find(context):
        for attendance in context.get("attendances") or []:
            if attendance.pk == pk:
                return getattr(attendance, "form", None)
        return None

    return find


@fuzz
@given(
    status=st.one_of(
        st.sampled_from(["present", "absent", "excused"]),
        fs.hostile_choice(["present", "invited"]),
    ),
    note=text(),
)
def test_attendance_mark(client, home, held_meeting, status, note):
    meeting = held_meeting
    attendance = meeting.attendances.order_by("pk").first()
    client.force_login(home.secretary)
    prefix = f"a{attendance.pk}"
    values = {f"{prefix}-status": status, f"{prefix}-note": note}
    with rolled_back():
        url = reverse("meetings:attendance_mark", args=[attendance.pk])
        if send(client, url, values, form_key=_attendance_form(attendance.pk), text=("note",)):
            assert_stored_clean(
                Attendance.objects.get(pk=attendance.pk),
                values.values(),
            )
            assert_shows(client, reverse("meetings:meeting_detail", args=[meeting.pk]))


@fuzz
@given(reason=text())
def test_meeting_reopen(client, home, concluded_meeting, reason):
    meeting = concluded_meeting
    client.force_login(home.secretary)
    with rolled_back():
        url = reverse("meetings:meeting_reopen", args=[meeting.pk])
        if send(client, url, {"reason": reason}, text=("reason",)):
            for event in meeting.events.all():
                assert_stored_clean(event, [reason])
            assert_shows(client, reverse("meetings:meeting_detail", args=[meeting.pk]))


# --- the quarter page ---------------------------------------------------------------------------


SECTIONS = ("leadership_text", "results_text", "assessment_text", "direction_text")


@fuzz
@given(data=st.data())
def test_quarter_text(client, home, data):
    client.force_login(home.secretary)
    values = {name: data.draw(text()) for name in SECTIONS}
    page = reverse("quarters:page", args=[QUARTER])
    with rolled_back():
        url = reverse("quarters:text_edit", args=[QUARTER])
        if send(client, url, values, text=SECTIONS):
            review = QuarterlyReview.objects.get(ward=home.ward, year=2021, quarter=1)
            assert_stored_clean(review, values.values())
            assert_shows(client, page)
            assert_shows(client, url)


@fuzz
@given(data=st.data())
def test_quarter_meeting(client, home, plans, data):
    client.force_login(home.secretary)
    people = [str(home.secretary.person.pk)]
    clean = data.draw(CLEAN)
    values = data.draw(
        st.fixed_dictionaries(
            {
                "title": text(),
                "held_at": pick(clean, ["13/04/2021 08:00"], fs.hostile_date(with_time=True)),
                "venue": text(),
                "chairs": pick(clean, [people], st.lists(fs.hostile_choice(people), max_size=2)),
                "presenter": pick(clean, [""], fs.hostile_choice([*people, ""])),
                "reviewed_plans": pick(clean, [[]], st.lists(fs.hostile_choice([]), max_size=1)),
                "groups": pick(
                    clean,
                    [[], ["ward_leaders"]],
                    st.lists(fs.hostile_choice(["ward_leaders", "cells", "x"]), max_size=2),
                ),
            }
        )
    )
    with rolled_back():
        url = reverse("quarters:meeting_create", args=[QUARTER])
        if send(client, url, values, text=("title", "venue")):
            meeting = latest(Meeting, ward=home.ward)
            assert_stored_clean(meeting, values.values())
            assert_shows(client, reverse("meetings:meeting_detail", args=[meeting.pk]))
            assert_shows(client, reverse("quarters:page", args=[QUARTER]))


@fuzz
@given(reason=text())
def test_quarter_reopen(client, home, reason):
    client.force_login(home.secretary)
    client.get(reverse("quarters:page", args=[QUARTER]))  # the review, created on first visit
    QuarterlyReview.objects.filter(ward=home.ward).update(
        status=ReviewStatus.FINALIZED,
        figures=quarter_figures(ward=home.ward, quarter=QUARTER),
        finalized_at=timezone.now(),
        finalized_by=home.secretary,
    )
    with rolled_back():
        url = reverse("quarters:reopen", args=[QUARTER])
        if send(client, url, {"reason": reason}, text=("reason",)):
            review = QuarterlyReview.objects.get(ward=home.ward, year=2021, quarter=1)
            for event in review.events.all():
                assert_stored_clean(event, [reason])
            assert_shows(client, reverse("quarters:page", args=[QUARTER]))


# --- search and filter forms (GET) --------------------------------------------------------------


@fuzz
@given(
    q=fs.hostile_text(200, huge=False),
    kind=fs.hostile_choice(["ward_committee", "cell", ""]),
    year=fs.hostile_number(valid=(2021,)),
    other=fs.hostile_choice(["1", "0", "all", "counted"]),
)
def test_search_forms(client, home, q, kind, year, other):
    client.force_login(home.secretary)
    searches = [
        ("directory:organization_list", {"q": q, "kind": kind}),
        ("directory:person_list", {"q": q}),
        (
            "plans:plan_list",
            {"q": q, "year": year, "doc_type": kind, "issuer": other, "active": other},
        ),
        (
            "models_registry:list",
            {
                "q": q,
                "year": year,
                "kind": kind,
                "status": other,
                "field": other,
                "unit": other,
                "as_of": q[:20],
                "ward": other,
            },
        ),
        ("meetings:meeting_list", {"q": q, "year": year, "kind": kind, "status": other}),
    ]
    with rolled_back():
        for name, params in searches:
            send(client, reverse(name), params, method="get")
            # The search alone, so a hostile text that the form takes reaches the database.
            send(client, reverse(name), {"q": q}, method="get")
        for name in ("plans:my_tasks", "plans:progress_matrix"):
            assert_page_safe(client.get(reverse(name), {"quarter": q, "plan": other}))


# --- bugs the fuzzing found, each with its smallest input --------------------------------------
# Fixed ones stay as regression tests; an open one is a strict xfail (application code is
# not changed here: when it is fixed, its test passes and the marker goes).


@explicit_only
@given(year=st.just("2021"), quarter=st.just("1"), edit=st.just(False))
@example(year="101", quarter="1", edit=False)
@example(year="１２", quarter="1", edit=False)  # full-width digits, read by int() as 12
@example(year="10000", quarter="2", edit=False)
@example(year="101", quarter="5", edit=True)  # an invalid quarter keeps the meeting's own
def test_meeting_year_out_of_quarter_range(client, home, planned_meeting, year, quarter, edit):
    """Found: MeetingForm -> Meeting.clean() -> Meeting.period -> Quarter(101, 1) raised
    ValueError ("Year 101 is out of range."): a 500. Now refused at the form."""
    client.force_login(home.secretary)
    values = {
        "kind": "quarterly_review",
        "title": "Hội nghị",
        "year": year,
        "quarter": quarter,
        "held_at": "13/04/2021 08:00",
    }
    url = (
        reverse("meetings:meeting_update", args=[planned_meeting.pk])
        if edit
        else reverse("meetings:meeting_create")
    )
    with rolled_back():
        try:
            response = client.post(url, values)
        except ValueError:
            pytest.fail("500")
        assert response.status_code < 500
        assert response.context["form"].errors


@explicit_only
@given(content=st.just("Phúc Đồng"))
@example(content="Phu\x01\u0301c")
def test_normalize_control_mark(client, home, held_meeting, content):
    """Found: wardwork.text.normalize composed (NFC) before it dropped control characters,
    so a letter and the mark a control character kept apart stayed decomposed."""
    client.force_login(home.secretary)
    with rolled_back():
        url = reverse("meetings:contribution_add", args=[held_meeting.pk])
        assert send(client, url, {"content": content}, form_key="contribution_form")
        stored = latest(Contribution, meeting=held_meeting).content
        assert unicodedata.is_normalized("NFC", stored), repr(stored)


@explicit_only
@given(narrative=st.just("Đã làm"))
@example(narrative="Đa\u0303 la\u0300m")
def test_report_narrative_nfc(client, home, plans, narrative):
    """Found: ProgressReportForm and progress_report_submit stored ``narrative`` as typed."""
    client.force_login(home.cell_secretary)
    task, unit = plans.task, home.cell
    prefix = f"r{task.pk}-{unit.pk}"
    values = {
        f"{prefix}-status": "in_progress",
        f"{prefix}-percent": "40",
        f"{prefix}-narrative": narrative,
        "unit": unit.pk,
        "quarter": QUARTER.slug,
    }
    with rolled_back():
        url = reverse("plans:report_submit", args=[task.pk])
        assert send(client, url, values, form_key=_report_form)
        stored = latest(ProgressReport, task=task, organization=unit).narrative
        assert unicodedata.is_normalized("NFC", stored), repr(stored)


@explicit_only
@given(note=st.just("Ốm"))
@example(note="O\u0302\u0301m")
def test_attendance_note_nfc(client, home, held_meeting, note):
    """Found: AttendanceMarkForm and attendance_mark stored ``note`` as typed."""
    attendance = held_meeting.attendances.order_by("pk").first()
    client.force_login(home.secretary)
    prefix = f"a{attendance.pk}"
    values = {f"{prefix}-status": "excused", f"{prefix}-note": note}
    with rolled_back():
        url = reverse("meetings:attendance_mark", args=[attendance.pk])
        assert send(client, url, values, form_key=_attendance_form(attendance.pk))
        stored = Attendance.objects.get(pk=attendance.pk).note
        assert unicodedata.is_normalized("NFC", stored), repr(stored)


@explicit_only
@given(chairs=st.just(["1"]))
@example(chairs=["999999999999999999999999999999"])
@example(chairs=["-99999999999999999999999999"])
def test_multiple_choice_huge_id(client, home, chairs):
    """Found: ModelMultipleChoiceField._check_values filtered ``pk__in=[10**30]`` and SQLite
    raised OverflowError ("Python int too large to convert to SQLite INTEGER"), a 500;
    PostgreSQL gave the field error. Every multiple choice of a ward's ids: meeting chairs
    and plans, task supporting units, conclusion lead and supporting bodies."""
    client.force_login(home.secretary)
    values = {
        "kind": "quarterly_review",
        "title": "Hội nghị",
        "year": "2021",
        "quarter": "1",
        "held_at": "13/04/2021 08:00",
        "chairs": chairs,
    }
    with rolled_back():
        try:
            response = client.post(reverse("meetings:meeting_create"), values)
        except OverflowError:
            pytest.fail("500")
        assert response.status_code == 400
        assert "chairs" in response.context["form"].errors


@explicit_only
@given(ward=st.just("1"))
@example(ward="999999999999999999999999999999")
def test_registry_list_huge_ward(client, home, ward):
    """Found: RegistryFilterForm.ward had no upper bound: the list filtered on
    ward_id=10**30 and SQLite raised OverflowError while the paginator counted the rows."""
    client.force_login(home.secretary)
    with rolled_back():
        try:
            response = client.get(reverse("models_registry:list"), {"ward": ward})
        except OverflowError:
            pytest.fail("500")
        assert response.status_code < 500
