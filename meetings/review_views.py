"""The quarter page (/quarters/2021-Q1/) and its actions before the report: starting the
review, preparing its meeting, reminding units (the report and finalisation steps are in
``review_report_views``).

Thin: the review and everything the page shows come from ``review_selectors`` (the user's
own ward; a superuser picks one with ``?ward=``; 403 for a user who does not see the whole
ward, 404 for a quarter out of range), rights from the predicates of ``review_services``
(403), and every change goes through the services. A refused step (a finalised quarter,
something missing) comes back as a message on the quarter page, never a 500; bad input
comes back at the form's field with what was typed.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.defaultfilters import truncatechars
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings import reminders, review_selectors
from meetings.review_forms import (
    RemindForm,
    ReviewMeetingForm,
)
from meetings.review_selectors import quarter_in_range
from meetings.review_services import (
    MESSAGE_FINALIZED,
    MESSAGE_HAS_MEETING,
    can_manage_reviews,
    can_reopen_reviews,
    review_meeting_create,
    review_meeting_defaults,
    review_start,
)
from meetings.review_view_helpers import (
    back_to_page,
    page_url,
    refuse,
    review_for_request,
    ward_query,
)
from wardwork.forms import errors_to_form
from wardwork.quarters import Quarter
from wardwork.roles import require, roles_of, sees_whole_ward
from wardwork.selectors import ward_for_request

EVENT_LABELS = {
    "created": gettext_lazy("Review opened"),
    "started": gettext_lazy("Review started"),
    "meeting_linked": gettext_lazy("Review meeting linked"),
    "meeting_created": gettext_lazy("Review meeting created"),
    "text_saved": gettext_lazy("Report text saved"),
    "report_numbered": gettext_lazy("Report numbered"),
    "finalized": gettext_lazy("Finalised: figures kept, quarter locked"),
    "reopened": gettext_lazy("Reopened"),
    "reminded": gettext_lazy("Reminders sent"),
}


# --- the page -------------------------------------------------------------------------------------


@require_GET
def current(request):
    """/quarters/: the page of the quarter the ward is working on (ward staff, Khối Dân
    vận); a superuser without a ward chosen gets the city view; unit users their unit's
    quarter."""
    user = request.user
    roles = roles_of(user)
    if roles.is_superuser and not user.ward_id and not request.GET.get("ward"):
        return redirect("quarters:city")
    ward = ward_for_request(request)
    if ward is not None and sees_whole_ward(user, ward):
        quarter = review_selectors.working_quarter(ward=ward)
        return redirect(page_url(request, "page", ward, quarter))
    return redirect("quarters:my_unit")


def _registry_links(request, page) -> dict:
    """Each registration figure links to the registry list filtered to the rows it counts
    (the filters mirror ``meetings.review_figures``)."""
    quarter, figures = page.quarter, page.figures["registrations"]
    counted = {"year": figures["year"], "status": "counted", "as_of": quarter.slug}
    if request.user.is_superuser:
        counted["ward"] = page.ward.pk

    def link(**params) -> str:
        query = {k: v for k, v in {**counted, **params}.items() if v is not None}
        return f"{reverse('models_registry:list')}?{urlencode(query)}"

    running = {"status": "running"}
    return {
        "total": link(),
        "collective": link(kind="collective"),
        "individual": link(kind="individual"),
        "new": link(submitted_in=quarter.slug),
        "replications": link(replicates=1),
        "recognised": link(year="all", status=None, as_of=None, recognised_in=quarter.slug),
        "updates_expected": link(**running),
        "updates_received": link(**running, updated_in=quarter.slug),
        "updates_missing": link(**running, not_updated_in=quarter.slug),
        "fields": [
            {**row, "url": link(field=row["id"]) if row["id"] else ""}
            for row in figures["by_field"]
        ],
        "statuses": [{**row, "url": link(status=row["status"])} for row in figures["by_status"]],
    }


def _registrations_sentence(figures: dict, links: dict) -> str:
    """ "18 tập thể, 03 cá nhân", each number a link to the registrations it counts."""
    numbers = {
        kind: format_html(
            '<a href="{}" data-testid="reg-{}">{}</a>', links[kind], kind, figures[f"{kind}_text"]
        )
        for kind in ("collective", "individual")
    }
    sentence = _("%(collective)s collectives, %(individual)s individuals")
    return mark_safe(conditional_escape(sentence) % numbers)  # noqa: S308 - escaped above


def _plans_links(request, page) -> dict:
    ward_part = f"&ward={page.ward.pk}" if request.user.is_superuser else ""
    matrix = f"{reverse('plans:progress_matrix')}?quarter={page.quarter.slug}{ward_part}"
    return {
        "matrix": matrix,
        "plans": [
            {
                **plan,
                "matrix_url": f"{matrix}&plan={plan['id']}" if plan["id"] else matrix,
                "title_short": _truncated(plan["title"], 90),
            }
            for plan in page.figures["tasks"]["plans"]
        ],
    }


def _quarter_nav(request, page) -> dict:
    quarter = page.quarter
    calendar = Quarter.current()
    return {
        "previous": page_url(request, "page", page.ward, quarter.previous())
        if quarter_in_range(quarter.previous())
        else "",
        "next": page_url(request, "page", page.ward, quarter.next())
        if quarter_in_range(quarter.next())
        else "",
        "current": page_url(request, "page", page.ward, calendar) if calendar != quarter else "",
        "current_label": str(calendar),
    }


def _task_rows(rows: list[dict]) -> list[dict]:
    """The page's task rows with their link and their category's badge: ``_category.html``
    rendered once per category and the link built from one ``reverse`` (a few hundred rows
    through the template's ``url`` and ``include`` cost more than the rest of the page)."""
    badges = {
        category: render_to_string("meetings/quarter/_category.html", {"category": category})
        for category in {row["category"] for row in rows}
    }
    marker = 2_147_483_647
    link = reverse("plans:task_detail", args=[marker]).replace(str(marker), "{}")
    return [
        {
            **row,
            "url": link.format(row["id"]),
            "badge": mark_safe(badges[row["category"]]),  # noqa: S308 - a rendered template
            "title_short": _truncated(row["title"], 100),
        }
        for row in rows
    ]


def _truncated(text: str, length: int) -> str:
    """``text|truncatechars:length``, without walking the text character by character
    when it is short enough to be kept whole (the filter then returns it NFC-normalised)."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else truncatechars(text, length)


@require_GET
def page(request, quarter: Quarter):
    """The quarter page: where the quarter stands and everything it is made of."""
    data = review_selectors.quarter_page(
        user=request.user, ward=ward_for_request(request), quarter=quarter
    )
    user, ward, review = request.user, data.ward, data.review
    manages = bool(can_manage_reviews(user, ward))
    writable = manages and not review.is_finalized
    for event in data.events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    registrations = data.figures["registrations"]
    registry_links = _registry_links(request, data)
    data.task_rows = _task_rows(data.task_rows)
    return render(
        request,
        "meetings/quarter/page.html",
        {
            "page": data,
            "quarter": quarter,
            "ward": ward,
            "review": review,
            "figures": data.figures,
            "tasks": data.figures["tasks"],
            "registrations": registrations,
            "meeting": data.figures["meeting"],
            "follow_up": data.figures["follow_up"],
            "can_manage": manages,
            "can_write": writable,
            "can_reopen": review.is_finalized and bool(can_reopen_reviews(user, ward)),
            "ward_query": ward_query(request, ward),
            "ward_field": ward.pk if user.is_superuser else None,
            "nav": _quarter_nav(request, data),
            "registry_links": registry_links,
            "plan_links": _plans_links(request, data),
            "registrations_sentence": _registrations_sentence(registrations, registry_links),
            "finalized_message": MESSAGE_FINALIZED,
        },
    )


# --- actions --------------------------------------------------------------------------------------


@require_POST
def start(request, quarter: Quarter):
    """Open -> in review."""
    review = review_for_request(request, quarter)
    require(can_manage_reviews(request.user, review.ward))
    try:
        review_start(actor=request.user, review=review)
    except ValidationError as error:
        return refuse(request, review, error)
    messages.success(
        request, _("The review of %(quarter)s has started.") % {"quarter": review.period}
    )
    return back_to_page(request, review)


@require_http_methods(["GET", "POST"])
def meeting_create(request, quarter: Quarter):
    """The quarter's review meeting, prepared from the page: the form starts with the
    plans, chairs, presenter and invitation groups of ``review_meeting_defaults``."""
    review = review_for_request(request, quarter)
    ward = review.ward
    require(can_manage_reviews(request.user, ward))
    if review.is_finalized:
        return refuse(request, review, ValidationError(str(MESSAGE_FINALIZED)), "#meeting")
    if review.meeting_id:
        messages.info(request, str(MESSAGE_HAS_MEETING))
        return redirect("meetings:meeting_detail", pk=review.meeting_id)
    defaults = review_meeting_defaults(review=review)
    form = ReviewMeetingForm(
        request.POST or None, ward=ward, initial=ReviewMeetingForm.initial_from(defaults)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = review_meeting_create(
                actor=request.user,
                review=review,
                held_at=data["held_at"],
                venue=data["venue"],
                title=data["title"],
                chairs=list(data["chairs"]),
                presenter=data["presenter"],
                reviewed_plans=list(data["reviewed_plans"]),
                groups=list(data["groups"]),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return refuse(request, review, error, "#meeting")
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("The review meeting is created; %(n)s people are invited.")
                % {"n": meeting.attendances.count()},
            )
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "meetings/quarter/meeting_form.html",
        {
            "form": form,
            "review": review,
            "quarter": quarter,
            "ward": ward,
            "ward_query": ward_query(request, ward),
            "ward_field": ward.pk if request.user.is_superuser else None,
        },
        status=400 if form.errors else 200,
    )


def _reminder_message(result) -> tuple[int, str]:
    name = result.organization.display_name
    if result.status == reminders.SENT:
        return messages.SUCCESS, _("%(unit)s: reminder sent to %(recipients)s.") % {
            "unit": name,
            "recipients": ", ".join(result.recipients),
        }
    if result.status == reminders.ALREADY_SENT:
        return messages.INFO, _("%(unit)s was already reminded today.") % {"unit": name}
    if result.status == reminders.NO_RECIPIENTS:
        return messages.WARNING, _(
            "%(unit)s: nobody to remind, no email address on record for its leaders."
        ) % {"unit": name}
    return messages.INFO, _("%(unit)s owes nothing this quarter.") % {"unit": name}


@require_POST
def remind(request, quarter: Quarter):
    """Email the units that owe reports: one (``unit=<id>``) or all (``all=1``); what was
    sent to whom, or why not, comes back as messages."""
    review = review_for_request(request, quarter)
    ward = review.ward
    require(can_manage_reviews(request.user, ward))
    if review.is_finalized:
        return refuse(request, review, ValidationError(str(MESSAGE_FINALIZED)), "#reports")
    form = RemindForm(request.POST, ward=ward)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return back_to_page(request, review, "#reports")
    chosen = form.organization_ids()
    try:
        results = reminders.reminders_send(
            ward=ward, quarter=quarter, actor=request.user, organization_ids=chosen
        )
    except ValidationError as error:
        return refuse(request, review, error, "#reports")
    if chosen is None:
        # Reminding everyone: the units that owe nothing need no word each.
        results = [r for r in results if r.status != reminders.NOTHING_DUE]
        if not results:
            messages.info(request, _("No unit owes a report this quarter: nobody to remind."))
    for result in results:
        level, text = _reminder_message(result)
        messages.add_message(request, level, text)
    return back_to_page(request, review, "#reports")
