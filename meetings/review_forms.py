"""Forms of the quarter page: the report's text, the review meeting prepared from the page,
the reason for reopening, and the reminder buttons. Choices come from the review's ward
only; saving goes through ``meetings.review_services``."""

from __future__ import annotations

from django import forms
from django.db.models import Case, When
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from meetings import selectors
from meetings.forms import DATETIME_FORMAT, PeopleChoiceField, PersonChoiceField, PlanChoiceField
from meetings.models import REPORT_SECTIONS, QuarterlyReview
from meetings.review_services import MESSAGE_REASON_REQUIRED
from meetings.services import INVITE_GROUP_LABELS
from wardwork.concurrency import version_field
from wardwork.models import Organization
from wardwork.text import normalize

TEXT_MAX_LENGTH = 20_000
MESSAGE_HELD_AT_REQUIRED = _("Give the date and time of the meeting, for example 13/04/2021 08:00.")
MESSAGE_HELD_AT_INVALID = _(
    "Write the date and time as dd/mm/yyyy hh:mm, for example 13/04/2021 08:00."
)
MESSAGE_TEXT_TOO_LONG = _("At most %(limit_value)d characters (it has %(show_value)d).")
MESSAGE_REMIND_WHOM = _("Choose a unit to remind, or remind every unit.")

SECTION_HELP = {
    "leadership_text": _("How the committee led and directed the work this quarter."),
    "results_text": _("What was achieved: the figures are filled in from the data."),
    "assessment_text": _("Strengths, shortcomings and their causes."),
    "direction_text": _("The tasks of next quarter; they open next quarter's page."),
}


class ReviewTextForm(forms.Form):
    """The four narrative sections of the quarterly report. A section left empty takes the
    text pre-filled from the data again."""

    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REPORT_SECTIONS:
            self.fields[name] = forms.CharField(
                label=capfirst(QuarterlyReview._meta.get_field(name).verbose_name),
                required=False,
                max_length=TEXT_MAX_LENGTH,
                help_text=SECTION_HELP[name],
                widget=forms.Textarea(attrs={"rows": 8 if name == "results_text" else 5}),
                error_messages={"max_length": MESSAGE_TEXT_TOO_LONG},
            )

    def clean(self):
        cleaned = super().clean()
        texts = {name: normalize(cleaned.get(name) or "") for name in REPORT_SECTIONS}
        return {**texts, "version": cleaned.get("version")}


class ReviewMeetingForm(forms.Form):
    """The quarter's review meeting, pre-filled from ``review_meeting_defaults``."""

    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("The default title when left empty."),
    )
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[DATETIME_FORMAT, "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"],
        widget=forms.DateTimeInput(
            format=DATETIME_FORMAT,
            attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric"},
        ),
        help_text=_("For example 13/04/2021 08:00."),
        error_messages={"required": MESSAGE_HELD_AT_REQUIRED, "invalid": MESSAGE_HELD_AT_INVALID},
    )
    venue = forms.CharField(
        label=_("Venue"),
        max_length=255,
        required=False,
        help_text=_("For example: meeting room 2, ward headquarters."),
    )
    chairs = PeopleChoiceField(
        label=_("Chaired by"),
        required=False,
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Hold Ctrl (or ⌘) to choose more than one."),
    )
    presenter = PersonChoiceField(label=_("Report presented by"), required=False, queryset=None)
    reviewed_plans = PlanChoiceField(
        label=_("Plans under review"),
        required=False,
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Hold Ctrl (or ⌘) to choose more than one."),
    )
    groups = forms.MultipleChoiceField(
        label=_("Invite"),
        required=False,
        choices=list(INVITE_GROUP_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone in the groups ticked is put on the attendance list."),
    )

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        people = selectors.meeting_people(ward=ward)
        # The chairs filled in first, so a long list of the ward's people does not hide them.
        chosen = [getattr(p, "pk", p) for p in self.initial.get("chairs") or []]
        self.fields["chairs"].queryset = people.annotate(
            chosen_first=Case(When(pk__in=chosen, then=0), default=1)
        ).order_by("chosen_first", "sort_key", "pk")
        self.fields["presenter"].queryset = people
        self.fields["reviewed_plans"].queryset = selectors.meeting_plans(ward=ward)

    def clean_title(self):
        return normalize(self.cleaned_data.get("title") or "")

    def clean_venue(self):
        return normalize(self.cleaned_data.get("venue") or "")

    @staticmethod
    def initial_from(defaults: dict) -> dict:
        return {
            "title": defaults["title"],
            "held_at": defaults["held_at"],
            "chairs": defaults["chairs"],
            "presenter": defaults["presenter"],
            "reviewed_plans": defaults["reviewed_plans"],
            "groups": defaults["groups"],
        }


class ReviewReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": MESSAGE_REASON_REQUIRED},
    )

    def clean_reason(self):
        reason = normalize(self.cleaned_data.get("reason"))
        if not reason:
            raise forms.ValidationError(MESSAGE_REASON_REQUIRED)
        return reason


class RemindForm(forms.Form):
    """The reminder buttons: one unit of the ward (``unit``), or every unit that owes a
    report (``all``)."""

    unit = forms.ModelChoiceField(queryset=Organization.objects.none(), required=False)
    all = forms.BooleanField(required=False)

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Organization.objects.filter(ward=ward)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all") and not cleaned.get("unit") and not self.errors:
            raise forms.ValidationError(MESSAGE_REMIND_WHOM)
        return cleaned

    def organization_ids(self) -> list[int] | None:
        """The units chosen; ``None`` for every unit."""
        if self.cleaned_data.get("all"):
            return None
        return [self.cleaned_data["unit"].pk]
