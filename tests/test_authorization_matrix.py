"""The authorization matrix: every URL of the project, as every role, on objects of its own
ward and of another ward.

How it works:
- ``discover()`` walks the root URL resolver (``get_resolver()``) through every include, so a
  new URL is found the moment it is routed; there is no hand-kept list of URLs. Each pattern
  gets a stable key: ``namespace:name`` ("quarters:page", "plans:plan_detail", "home"), for
  a ModelAdmin's pages ``admin:<app>_<model>_<action>`` ("admin:plans_plan_change"; the
  unnamed redirect to the change page is ``..._redirect``), and for any other unnamed
  pattern ``namespace:<its route>``.
- ``EXPECT`` (the site's own pages and the admin site's) and ``_admin_class()`` (the
  changelist, add, change, delete, history, simple_history and redirect pages of every
  registered ModelAdmin: what the demo's "Quản trị phường" group may do with the model,
  within what the ModelAdmin allows anyone, and never on another ward's row) say what each
  role gets. A discovered key with no expectation (a new view, or a ModelAdmin page of
  another kind) fails ``test_every_url_has_an_expectation``, naming it; a new ModelAdmin
  needs a row of each ward in tests/authorization_fixtures.py, or ``test_url`` says so.
- ``test_url`` requests one key with GET and POST as every role, against the objects of the
  own ward (``home``) and, for URLs that take an object, of the other ward (``away``); it
  reports every mismatch at once as ``key METHOD role on <target> ward's object (url):
  expected X, got Y``. A real authorization bug goes in ``KNOWN_BUGS`` (a strict xfail).
- The world (two wards, one object of every kind, users per role) is built once for the
  module inside a transaction rolled back at the end; every request runs in a savepoint
  rolled back after it, so a POST that changes data leaves the next request the same world.

Status classes: ``ok`` a page (200), a file, or a redirect that is not to a login page (a
POST may also answer 400, a form shown again); ``login`` a redirect to the login page;
``admin_login`` to the admin's; ``403``, ``404``, ``405``; ``denied`` 403 or 404; ``gone``
(another ward's object in the admin) 403, 404 or the admin's "does not exist" redirect.
A 200 page or file (HTML, or the text of a Word or Excel file) for anyone but the superuser
must not name the other ward either.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.authorization_fixtures import Q1, World, make_world
from wardwork.admin_mixins import WardScopedAdminMixin

ROLES = [
    "anonymous",
    "plain",
    "cell_secretary",  # of home.cell, the unit that owns the objects
    "other_cell_secretary",
    "mass_head",
    "dvk",
    "staff",  # ward staff, in the ward admin group
    "secretary",  # ward secretary, in the ward admin group
    "away_secretary",  # ward staff of the other ward, in the ward admin group
    "superuser",
]
USERS = ROLES[1:]
HOME_USERS = [role for role in USERS if role != "away_secretary"]
WARD_STAFF = {"staff", "secretary"}
# The admin is requested by fewer roles: one user without is_staff stands for the others.
ADMIN_ROLES = ["anonymous", "cell_secretary", "dvk", "staff", "away_secretary", "superuser"]
METHODS = ("GET", "POST")


# --- discovery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str
    full_name: str | None  # for reverse()
    route: str  # the whole route, for unnamed patterns
    pattern: URLPattern
    model_admin: admin.ModelAdmin | None = None
    action: str | None = None  # of a ModelAdmin page


def _model_admins_by_route() -> dict[str, admin.ModelAdmin]:
    return {
        f"{model._meta.app_label}/{model._meta.model_name}/": model_admin
        for model, model_admin in admin.site._registry.items()
    }


def discover() -> list[Route]:
    """Every URL pattern of the project, found from the root resolver."""
    by_route = _model_admins_by_route()
    found: list[Route] = []

    def walk(resolver, prefix: str, namespaces: tuple[str, ...], model_admin):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                spaces = namespaces + ((entry.namespace,) if entry.namespace else ())
                inner = by_route.get(str(entry.pattern)) if namespaces == ("admin",) else None
                walk(entry, route, spaces, inner or model_admin)
                continue
            full_name = ":".join((*namespaces, entry.name)) if entry.name else None
            ns = ":".join(namespaces)
            if model_admin is not None:
                meta = model_admin.model._meta
                stem = f"{meta.app_label}_{meta.model_name}"
                if entry.name is None:
                    action = "redirect"
                elif entry.name.startswith(stem + "_"):
                    action = entry.name.removeprefix(stem + "_")
                else:
                    action = ":" + entry.name
                key = f"admin:{stem}_{action}" if ":" not in action else f"admin:{stem}{action}"
                found.append(Route(key, full_name, route, entry, model_admin, action))
            else:
                key = full_name or (f"{ns}:{entry.pattern}" if ns else str(entry.pattern))
                found.append(Route(key, full_name, route, entry))

    walk(get_resolver(), "", (), None)
    return found


ROUTES = {route.key: route for route in discover()}


# --- expectations -------------------------------------------------------------------------------


def every(cls: str) -> dict[str, str]:
    """``cls`` for every signed-in user (the other ward's secretary: see Expect)."""
    return dict.fromkeys(HOME_USERS, cls)


def only(roles, cls: str = "ok", otherwise: str = "403") -> dict[str, str]:
    return {role: cls if role in roles else otherwise for role in HOME_USERS}


@dataclass
class Expect:
    """What each role gets on one URL of the own ward, per method (a method left out is
    405 for every signed-in user). ``obj`` names the object the URL points at (an attribute
    path in ``WardObjects``); a URL with an object is also requested on the other ward's
    object, where everyone but the superuser must get ``denied`` (or 405)."""

    GET: dict[str, str] | None = None
    POST: dict[str, str] | str | None = None
    obj: str | None = None
    anonymous: str = "login"
    data: dict = field(default_factory=dict)

    def role_class(self, method: str, role: str) -> str:
        table = getattr(self, method)
        if table is SAME:
            table = self.GET
        if role == "anonymous":
            return self.anonymous
        if table is None:
            return "405"
        if role == "away_secretary" and role not in table:
            # another ward's staff: the other ward's object is hidden; a page without an
            # object works on their own ward, as for their secretary colleague
            return "denied" if self.obj and table["secretary"] != "405" else table["secretary"]
        return table[role]


SAME = "same as GET"
READ = every("ok")
STAFF = only({"staff", "secretary", "superuser"})
READERS = only({"dvk", "staff", "secretary", "superuser"})  # the ward's overview pages
UNIT_MANAGERS = {"cell_secretary", "other_cell_secretary", "mass_head"}
ADMIN_STAFF = {"staff", "secretary", "away_secretary", "superuser"}


def admin_site(cls: str, others: str = "admin_login") -> dict[str, str]:
    """An admin site page: ``cls`` for users with is_staff, ``others`` for the rest."""
    return {role: cls if role in ADMIN_STAFF else others for role in USERS}


def registry(**special: str) -> dict[str, str]:
    """A registration of home.cell that is not public yet: hidden (404) from those who may
    not see it, i.e. everyone but its unit and the reviewers."""
    hidden = {"plain": "404", "other_cell_secretary": "404", "mass_head": "404"}
    return {**every("ok"), **hidden, **special}


# The report form of a task: the unit reporting is home.cell (its lead), or home.women (its
# supporting unit) for the head of the women's union.
REPORT = {
    "unit": "{unit}",
    "quarter": Q1.slug,
    "r{task}-{unit}-status": "in_progress",
    "r{task}-{unit}-percent": "30",
}

EXPECT: dict[str, Expect] = {
    # accounts and language: the login page and the language switch are public
    "home": Expect(GET=READ),
    "login": Expect(GET=READ, POST=READ, anonymous="ok"),
    "logout": Expect(POST=every("login")),
    "password_change": Expect(GET=READ, POST=SAME),
    "password_change_done": Expect(GET=READ),
    "set_language": Expect(GET=READ, POST=READ, anonymous="ok"),
    # the directory: readable by the whole ward
    "directory:organization_list": Expect(GET=READ, POST=SAME),
    "directory:organization_detail": Expect(GET=READ, POST=SAME, obj="setup.cell"),
    "directory:person_list": Expect(GET=READ, POST=SAME),
    "directory:person_detail": Expect(GET=READ, POST=SAME, obj="setup.cell_secretary.person"),
    # plans: the ward reads; ward staff write; a unit reports on the tasks it leads or supports
    "plans:plan_list": Expect(GET=READ, POST=SAME),
    "plans:plan_create": Expect(GET=STAFF, POST=SAME),
    "plans:plan_detail": Expect(GET=READ, POST=SAME, obj="plans.ward_plan"),
    "plans:plan_update": Expect(GET=STAFF, POST=SAME, obj="plans.ward_plan"),
    "plans:plan_archive": Expect(POST=STAFF, obj="plans.ward_plan"),
    "plans:plan_export": Expect(GET=READ, POST=SAME, obj="plans.ward_plan"),
    "plans:plan_attachment": Expect(GET=READ, POST=SAME, obj="plans.ward_plan"),
    "plans:report_evidence": Expect(GET=READ, POST=SAME, obj="plans.report"),
    "plans:task_create": Expect(GET=STAFF, POST=SAME, obj="plans.ward_plan"),
    "plans:task_detail": Expect(GET=READ, POST=SAME, obj="plans.task"),
    "plans:task_update": Expect(GET=STAFF, POST=SAME, obj="plans.task"),
    "plans:report_submit": Expect(
        POST=only({"cell_secretary", "mass_head", "staff", "secretary", "superuser"}),
        obj="plans.task",
        data=REPORT,
    ),
    "plans:my_tasks": Expect(GET=READ, POST=SAME),
    "plans:progress_matrix": Expect(GET=READERS, POST=SAME),
    # the registry of models: units register theirs, the bloc and ward staff review, the
    # committee's staff recognise; the superuser has no ward and registers nothing
    "models_registry:list": Expect(GET=READ, POST=SAME),
    "models_registry:export": Expect(GET=READ, POST=SAME),
    "models_registry:exemplary": Expect(GET=READ, POST=SAME),
    "models_registry:unit_list": Expect(GET=READ, POST=SAME),
    "models_registry:review_queue": Expect(GET=READERS, POST=SAME),
    "models_registry:create": Expect(GET=only(UNIT_MANAGERS | WARD_STAFF), POST=SAME),
    "models_registry:import": Expect(GET=only(UNIT_MANAGERS | WARD_STAFF), POST=SAME),
    "models_registry:import_template": Expect(GET=only(UNIT_MANAGERS | WARD_STAFF), POST=SAME),
    "models_registry:detail": Expect(GET=registry(), POST=SAME, obj="registry.draft"),
    "models_registry:edit": Expect(
        GET=registry(dvk="403", superuser="403"), POST=SAME, obj="registry.draft"
    ),
    "models_registry:submit": Expect(
        POST=registry(dvk="403", superuser="403"), obj="registry.draft"
    ),
    "models_registry:withdraw": Expect(
        POST=registry(dvk="403", superuser="403"), obj="registry.draft"
    ),
    "models_registry:approve": Expect(
        POST=registry(cell_secretary="403"), obj="registry.submitted"
    ),
    "models_registry:return": Expect(
        POST=registry(cell_secretary="403"),
        obj="registry.submitted",
        data={"r{submitted}-note": "Ghi rõ số hộ tham gia."},
    ),
    "models_registry:recognize": Expect(GET=STAFF, POST=SAME, obj="registry.approved"),
    "models_registry:not_achieved": Expect(GET=STAFF, POST=SAME, obj="registry.approved"),
    "models_registry:adjust": Expect(
        GET=only({"cell_secretary"} | WARD_STAFF), POST=SAME, obj="registry.approved"
    ),
    "models_registry:update": Expect(
        GET=only({"cell_secretary"} | WARD_STAFF), POST=SAME, obj="registry.approved"
    ),
    "models_registry:update_evidence": Expect(GET=READ, POST=SAME, obj="registry.update"),
    # meetings: the ward reads; ward staff keep the record; the bloc records contributions;
    # only the secretary reopens a concluded meeting
    "meetings:meeting_list": Expect(GET=READ, POST=SAME),
    "meetings:meeting_create": Expect(GET=STAFF, POST=SAME),
    "meetings:meeting_detail": Expect(GET=READ, POST=SAME, obj="held"),
    "meetings:meeting_update": Expect(GET=STAFF, POST=SAME, obj="held"),
    "meetings:meeting_hold": Expect(POST=STAFF, obj="planned"),
    "meetings:meeting_conclude": Expect(GET=STAFF, POST=SAME, obj="held"),
    "meetings:meeting_reopen": Expect(
        GET=only({"secretary", "superuser"}), POST=SAME, obj="concluded"
    ),
    "meetings:meeting_invite": Expect(POST=STAFF, obj="held", data={"groups": ["ward_leaders"]}),
    "meetings:attendance_mark": Expect(
        POST=STAFF,
        obj="attendance",
        data={"a{attendance}-status": "excused", "a{attendance}-note": "Đi công tác"},
    ),
    "meetings:contribution_add": Expect(
        POST=only({"dvk", "staff", "secretary", "superuser"}),
        obj="held",
        data={"content": "Đề nghị làm rõ tiến độ giải phóng mặt bằng."},
    ),
    "meetings:contribution_delete": Expect(
        POST=only({"dvk", "staff", "secretary", "superuser"}), obj="contribution"
    ),
    "meetings:conclusion_create": Expect(
        POST=STAFF,
        obj="held",
        data={"text": "Rà soát các hộ chưa bàn giao mặt bằng.", "lead_organizations": "{cell}"},
    ),
    "meetings:conclusion_update": Expect(GET=STAFF, POST=SAME, obj="conclusion"),
    "meetings:conclusion_delete": Expect(POST=STAFF, obj="conclusion"),
    # a removed line is put back by whoever may remove it (see _removed_lines)
    "meetings:contribution_restore": Expect(
        POST=only({"dvk", "staff", "secretary", "superuser"}), obj="removed_contribution"
    ),
    "meetings:conclusion_restore": Expect(POST=STAFF, obj="removed_conclusion"),
    "meetings:minutes_print": Expect(GET=READ, POST=SAME, obj="held"),
    "meetings:minutes_docx": Expect(GET=STAFF, POST=SAME, obj="held"),
    "meetings:conclusion_notice_docx": Expect(GET=STAFF, POST=SAME, obj="concluded"),
    # the quarter: always the user's own ward (?ward= is for the superuser only)
    "quarters:current": Expect(GET=READ),
    "quarters:page": Expect(GET=READERS),
    "quarters:start": Expect(POST=STAFF),
    "quarters:meeting_create": Expect(GET=STAFF, POST=SAME),
    "quarters:text_edit": Expect(GET=STAFF, POST=SAME),
    "quarters:report_docx": Expect(GET=READERS, POST=STAFF),
    "quarters:annex_xlsx": Expect(GET=READERS),
    "quarters:finalize": Expect(POST=STAFF),
    "quarters:reopen": Expect(GET=only({"secretary", "superuser"}), POST=SAME),
    "quarters:remind": Expect(POST=STAFF, data={"all": "1"}),
    "quarters:my_unit": Expect(GET=READ, POST=SAME),
    "quarters:my_unit_quarter": Expect(GET=READ, POST=SAME),
    "quarters:city": Expect(GET=only({"superuser"}), POST=SAME),
    "quarters:city_quarter": Expect(GET=only({"superuser"}), POST=SAME),
    # the admin site's own pages (each ModelAdmin's pages: see admin_class)
    "admin:index": Expect(GET=admin_site("ok"), POST=SAME, anonymous="admin_login"),
    "admin:app_list": Expect(GET=admin_site("ok"), POST=SAME, anonymous="admin_login"),
    "admin:login": Expect(GET=READ, POST=READ, anonymous="ok"),
    # a user without is_staff is sent back to the admin index, which sends them to login
    "admin:logout": Expect(
        GET=admin_site("405", others="ok"),
        POST=admin_site("login", others="ok"),
        anonymous="admin_login",
    ),
    "admin:password_change": Expect(GET=admin_site("ok"), POST=SAME, anonymous="admin_login"),
    "admin:password_change_done": Expect(
        GET=admin_site("ok"), POST=admin_site("405"), anonymous="admin_login"
    ),
    # the organisations a task's lead is chosen from: the own ward's only (see _text)
    "admin:autocomplete": Expect(
        GET=admin_site("ok"), POST=admin_site("405"), anonymous="admin_login"
    ),
    "admin:jsi18n": Expect(GET=admin_site("ok"), POST=admin_site("405"), anonymous="admin_login"),
    # no model has a page of its own on the site (get_absolute_url)
    "admin:view_on_site": Expect(GET=admin_site("404"), POST=SAME, anonymous="admin_login"),
    "admin:(?P<url>.*)$": Expect(GET=admin_site("404"), POST=SAME, anonymous="admin_login"),
    # the ward admin group may not change accounts, so not their passwords either
    "admin:wardwork_user:auth_user_password_change": Expect(
        GET={**admin_site("403"), "superuser": "ok"}, POST=SAME, anonymous="login"
    ),
}


ADMIN_ACTIONS = {"changelist", "add", "change", "delete", "history", "simple_history", "redirect"}


# --- the world ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = make_world()
            for objects in (built.home, built.away):
                _removed_lines(objects)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()


def _removed_lines(objects) -> None:
    """A contribution and a conclusion added to ``held`` and removed again, so the restore
    URLs have a removed line of each ward to point at (``removed_contribution``,
    ``removed_conclusion``: only their ``pk``)."""
    from types import SimpleNamespace

    from meetings import services
    from meetings.models import Conclusion

    secretary, held = objects.setup.secretary, objects.held
    contribution = services.contribution_add(
        actor=secretary, meeting=held, content="Ý kiến ghi nhầm, sẽ xóa."
    )
    pk = contribution.pk
    services.contribution_delete(actor=secretary, contribution=contribution)
    objects.removed_contribution = SimpleNamespace(pk=pk)
    conclusion = services.conclusion_save(
        actor=secretary,
        conclusion=Conclusion(meeting=held, text="Kết luận ghi nhầm, sẽ xóa."),
        lead_organizations=[objects.setup.cell],
    )
    pk = conclusion.pk
    services.conclusion_delete(actor=secretary, conclusion=conclusion)
    objects.removed_conclusion = SimpleNamespace(pk=pk)


def _user(world: World, role: str):
    if role == "superuser":
        return world.superuser
    if role == "away_secretary":
        return world.away.setup.secretary
    return getattr(world.home.setup, role)


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    result = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(_user(world, role))
            result[role] = client
    return result


# --- requests -----------------------------------------------------------------------------------


def _attr(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _admin_object(model_admin, objects):
    model = model_admin.model
    manager = model._default_manager.order_by("pk")
    if isinstance(model_admin, WardScopedAdminMixin):
        return manager.filter(**{model_admin.ward_field: objects.ward.pk}).first()
    return manager.first()


def _values(route: Route, expect: Expect, objects) -> dict:
    """The value of every parameter the pattern takes, for ``objects``' ward."""
    values = {"quarter": Q1.slug, "app_label": "plans", "url": "no-such-page/"}
    if expect.obj:
        target = _attr(objects, expect.obj)
        values.update(pk=target.pk, plan_pk=target.pk)
    if route.model_admin is not None:
        obj = _admin_object(route.model_admin, objects)
        if obj is None:
            pytest.fail(
                f"{route.key}: no {route.model_admin.model.__name__} in {objects.ward}; "
                "add one to tests/authorization_fixtures.py"
            )
        values.update(object_id=obj.pk, id=obj.pk)
        history = getattr(obj, "history", None)
        values["version_id"] = history.order_by("history_id").first().history_id if history else 0
    if route.key == "admin:view_on_site":
        plan = objects.plans.ward_plan
        values.update(content_type_id=ContentType.objects.get_for_model(plan).pk, object_id=plan.pk)
    return values


def _url(route: Route, expect: Expect, objects) -> str:
    values = _values(route, expect, objects)
    pattern = route.pattern.pattern
    if isinstance(pattern, RoutePattern):
        names = list(pattern.converters)
        if route.full_name:
            url = reverse(route.full_name, kwargs={n: values[n] for n in names})
        else:
            url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route.route)
    else:
        assert isinstance(pattern, RegexPattern)
        groups = pattern.regex.groupindex
        if groups and route.full_name:
            url = reverse(route.full_name, kwargs={n: values[n] for n in groups})
        elif route.full_name:  # positional: the object and its historical version
            url = reverse(route.full_name, args=[values["object_id"], values["version_id"]])
        else:  # the admin's catch-all
            url = "/" + route.route.split("(")[0].lstrip("^") + values["url"]
    if route.key == "admin:autocomplete":  # the cells a task's lead could be chosen from
        url += "?app_label=plans&model_name=task&field_name=lead_organization&term=chi+bo"
    if route.key.startswith("quarters:"):
        url += f"?ward={objects.ward.pk}"  # the superuser picks the ward; others are ignored
    return url


@dataclass
class Outcome:
    status: int | None
    location: str = ""
    leak: bool = False
    error: str = ""

    def __str__(self):
        if self.error:
            return self.error
        text = str(self.status)
        if self.location:
            text += f" -> {self.location}"
        return text + (" naming the other ward" if self.leak else "")


def _text(body: bytes) -> str:
    """What a page or a file says: the HTML, the JSON, or the XML of a Word or Excel file."""
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts = [n for n in archive.namelist() if n.endswith(".xml")]
            return html.unescape("".join(archive.read(n).decode(errors="replace") for n in parts))
    if body.startswith((b"{", b"[")):
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(body), ensure_ascii=False)
    return html.unescape(body.decode(errors="replace"))


def _send(client: Client, method: str, url: str, data: dict, forbidden_text: str | None):
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    try:
        with transaction.atomic():
            response = client.get(url) if method == "GET" else client.post(url, data)
            transaction.set_rollback(True)
    except Exception as exc:
        return Outcome(None, error=f"{type(exc).__name__}: {exc}"[:200])
    finally:
        client.cookies = SimpleCookie()
        if session is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session.value
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    leak = bool(forbidden_text) and response.status_code == 200 and forbidden_text in _text(body)
    return Outcome(response.status_code, urlsplit(location).path, leak)


def matches(cls: str, outcome: Outcome, method: str) -> bool:
    if outcome.error or outcome.leak:
        return False
    status, location = outcome.status, outcome.location
    login, admin_login = reverse("login"), reverse("admin:login")
    if cls == "login":
        return status == 302 and location == login
    if cls == "admin_login":
        return status == 302 and location == admin_login
    if cls == "ok":
        if status in (301, 302):
            return location not in (login, admin_login)
        return status in (200, 204) or (method == "POST" and status == 400)
    if cls == "denied":
        return status in (403, 404)
    if cls == "gone":
        return status in (403, 404) or (status == 302 and location == reverse("admin:index"))
    return str(status) == cls


def observed_class(outcome: Outcome, method: str) -> str:
    for cls in ("login", "admin_login", "405", "403", "404", "ok", "gone"):
        if matches(cls, outcome, method):
            return cls
    return str(outcome)


# --- the cases ----------------------------------------------------------------------------------


def expectation(route: Route) -> Expect | None:
    if route.key in EXPECT:
        return EXPECT[route.key]
    if route.model_admin is not None and route.action in ADMIN_ACTIONS:
        return Expect()  # see _admin_class
    return None


def _admin_class(route: Route, method: str, role: str, target: str, world: World) -> str:
    """A ModelAdmin page. Without is_staff: the admin login; ward staff: what the ward admin
    group's permissions allow, within what the ModelAdmin allows anyone (the superuser),
    and only on rows of their own ward."""
    if role == "anonymous":
        return "login"
    if not _user(world, role).is_staff:
        return "admin_login"
    needed = {
        "changelist": "view",
        "add": "add",
        "change": "view" if method == "GET" else "change",
        "delete": "delete",
        "history": "view",
        "simple_history": "view",
        "redirect": None,
    }[route.action]
    if needed is None:
        return "ok"  # a plain redirect to the change page, which decides
    model_admin = route.model_admin
    request = RequestFactory().get("/admin/")
    request.user = world.superuser
    ceiling = {
        "view": model_admin.has_view_or_change_permission,
        "add": model_admin.has_add_permission,
        "change": model_admin.has_change_permission,
        "delete": model_admin.has_delete_permission,
    }[needed](request)
    if role == "superuser":
        return "ok" if ceiling else "403"
    model_name = model_admin.model._meta.model_name
    perms = set(world.ward_admins.permissions.values_list("codename", flat=True))
    granted = f"{needed}_{model_name}" in perms
    if needed == "view":
        granted = granted or f"change_{model_name}" in perms
    scoped = isinstance(model_admin, WardScopedAdminMixin)
    other = scoped and (role == "away_secretary") == (target == "own")
    if other and route.action not in ("changelist", "add"):
        return "gone"  # never the page of another ward's row, whatever the permissions
    if needed == "delete":
        return "403"  # only superusers delete in the admin, whatever the permissions
    return "ok" if ceiling and granted else "403"


def cases(route: Route, expect: Expect, world: World):
    """(method, role, target, expected class) of every request made for ``route``."""
    if route.model_admin is not None and route.action in ADMIN_ACTIONS:
        posted = route.action in ("changelist", "add", "change", "delete")
        scoped = isinstance(route.model_admin, WardScopedAdminMixin)
        for method in METHODS if posted else ("GET",):
            for role in ADMIN_ROLES:
                yield method, role, "own", _admin_class(route, method, role, "own", world)
            if scoped and route.action not in ("changelist", "add"):
                yield method, "staff", "other", _admin_class(route, method, "staff", "other", world)
        return
    for method in METHODS:
        for role in ROLES:
            yield method, role, "own", expect.role_class(method, role)
        if not expect.obj:
            continue
        for role in ROLES:
            if role == "away_secretary":
                continue
            own = expect.role_class(method, role)
            if role in ("anonymous", "superuser") or own == "405":
                yield method, role, "other", own
            else:
                yield method, role, "other", "denied"


# Requests where the application lets a role in where it does not belong: (key, method,
# role, target) -> the bug. Each is a strict xfail in test_known_authorization_bug.
KNOWN_BUGS: dict[tuple[str, str, str, str], str] = {}


def _run(route, expect, method, role, target, world, clients):
    objects = world.home if target == "own" else world.away
    url = _url(route, expect, objects)
    if role == "superuser":
        forbidden = None
    elif role == "away_secretary":
        forbidden = world.home.ward.name
    else:
        forbidden = world.away.ward.name
    unit = objects.setup.women if role == "mass_head" else objects.setup.cell
    values = {
        "attendance": objects.attendance.pk,
        "cell": objects.setup.cell.pk,
        "submitted": objects.registry.submitted.pk,
        "task": objects.plans.task.pk,
        "unit": unit.pk,
    }
    data = {
        key.format(**values): value.format(**values) if isinstance(value, str) else value
        for key, value in expect.data.items()
    }
    return url, _send(clients[role], method, url, data, forbidden)


def test_every_url_has_an_expectation():
    missing = sorted(key for key, route in ROUTES.items() if expectation(route) is None)
    assert not missing, f"URL patterns without an entry in the expectation table: {missing}"
    stale = sorted(set(EXPECT) - set(ROUTES))
    assert not stale, f"Expectations for URL patterns that no longer exist: {stale}"


def test_every_pattern_has_its_own_key():
    assert len(discover()) == len(ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(ROUTES))
def test_url(key, world, clients):
    route = ROUTES[key]
    expect = expectation(route)
    if expect is None:
        pytest.skip("no expectation: see test_every_url_has_an_expectation")
    record = os.environ.get("MATRIX_RECORD")
    failures = []
    for method, role, target, expected in cases(route, expect, world):
        if (key, method, role, target) in KNOWN_BUGS:
            continue
        url, outcome = _run(route, expect, method, role, target, world, clients)
        if record:
            with open(record, "a") as out:
                got = "=" if matches(expected, outcome, method) else observed_class(outcome, method)
                out.write(f"{key}\t{method}\t{role}\t{target}\t{got}\t{expected}\t{outcome}\n")
        elif not matches(expected, outcome, method):
            failures.append(
                f"{key} {method} {role} on {target} ward's object ({url}): "
                f"expected {expected}, got {outcome}"
            )
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "method", "role", "target"),
    [
        pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason=reason))
        for case, reason in sorted(KNOWN_BUGS.items())
    ],
)
def test_known_authorization_bug(key, method, role, target, world, clients):
    route = ROUTES[key]
    expect = expectation(route)
    expected = {(m, r, t): c for m, r, t, c in cases(route, expect, world)}[method, role, target]
    url, outcome = _run(route, expect, method, role, target, world, clients)
    assert matches(expected, outcome, method), (url, method, role, target, expected, str(outcome))


# A URLconf with one page more than the project's, for the test below.
urlpatterns = [
    *get_resolver(settings.ROOT_URLCONF).url_patterns,
    path("admin-extra/report/", lambda request: None, name="new_report"),
]


def test_a_new_url_is_discovered_and_has_no_expectation_until_given_one():
    with override_settings(ROOT_URLCONF=__name__):
        routes = {route.key: route for route in discover()}
    assert set(routes) == set(ROUTES) | {"new_report"}
    assert expectation(routes["new_report"]) is None


@pytest.mark.django_db
def test_the_leak_check_would_see_a_ward_named_on_a_page(world, clients):
    """Pages name their ward as it is written, so looking for the other ward's name in a
    page or a file is a real check: the quarter page of each ward names that ward."""
    route, expect = ROUTES["quarters:page"], EXPECT["quarters:page"]
    own = clients["secretary"].get(_url(route, expect, world.home))
    assert world.home.ward.name in own.content.decode()
    other = clients["away_secretary"].get(_url(route, expect, world.away))
    assert world.away.ward.name in other.content.decode()
    # and the files: the registry's spreadsheet lists the units of the ward by name
    export = clients["secretary"].get(reverse("models_registry:export"))
    assert world.home.ward.name in _text(export.content)
    assert world.away.ward.name not in _text(export.content)
    # and the admin's autocomplete (JSON): the superuser is offered both wards' cells
    route = ROUTES["admin:autocomplete"]
    url = _url(route, EXPECT["admin:autocomplete"], world.home)
    offered = _text(clients["superuser"].get(url).content)
    assert world.home.ward.name in offered and world.away.ward.name in offered
    assert world.away.ward.name not in _text(clients["staff"].get(url).content)
