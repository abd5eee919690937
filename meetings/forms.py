"""Forms of the meeting pages. Choices (people, bodies, plans) come from the meeting's
ward only; saving goes through ``meetings.services``, never ``form.save()``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings import selectors
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from meetings.services import (
    INVITE_GROUP_LABELS,
    MESSAGE_EMPTY_CONTRIBUTION,
    MESSAGE_NO_LEAD,
    MESSAGE_REASON_REQUIRED,
)
from plans.forms import DateInput
from wardwork.concurrency import VersionedFormMixin
from wardwork.forms import IdsChoiceField
from wardwork.quarters import ROMAN
from wardwork.text import normalize

DATETIME_FORMAT = "%d/%m/%Y %H:%M"
QUARTER_CHOICES = [("", "—"), *((n, roman) for n, roman in ROMAN.items())]


def _person_label(person) -> str:
    unit = person.organization.display_name if person.organization_id else ""
    return f"{person.full_name} – {unit}" if unit else person.full_name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _person_label(obj)


class PeopleChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        return _person_label(obj)


class PlanChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.symbol} – {obj.title[:80]}"


class MeetingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *MeetingKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *MeetingStatus.choices],
    )


class MeetingForm(VersionedFormMixin, forms.ModelForm):
    """Kind, title, quarter, date and time (dd/mm/yyyy HH:MM), venue, chairs, presenter, the
    plans under review, the report and the next period's direction."""

    held_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[DATETIME_FORMAT, "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"],
        widget=forms.DateTimeInput(
            format=DATETIME_FORMAT,
            attrs={"placeholder": "dd/mm/yyyy hh:mm", "inputmode": "numeric"},
        ),
        help_text=_("For example 13/04/2021 08:00."),
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        choices=QUARTER_CHOICES,
        coerce=int,
        empty_value=None,
        help_text=_("Required for a quarterly review."),
    )
    chairs = PeopleChoiceField(
        label=_("Chaired by"),
        required=False,
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 6}),
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

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "year",
            "quarter",
            "held_at",
            "venue",
            "chairs",
            "presenter",
            "reviewed_plans",
            "report_summary",
            "next_period_direction",
        ]
        widgets = {
            "report_summary": forms.Textarea(attrs={"rows": 5}),
            "next_period_direction": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.ward = ward
        people = selectors.meeting_people(ward=ward)
        self.fields["chairs"].queryset = people
        self.fields["presenter"].queryset = people
        self.fields["reviewed_plans"].queryset = selectors.meeting_plans(ward=ward)
        self.fields["year"].required = False
        self.fields["year"].help_text = _("The year of the meeting's date when left empty.")
        self.fields["venue"].help_text = _("For example: meeting room 2, ward headquarters.")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("year") and cleaned.get("held_at"):
            cleaned["year"] = cleaned["held_at"].year
        return cleaned

    def _post_clean(self):
        # The ward is not a form field; set it before the model validates.
        self.instance.ward = self.ward
        super()._post_clean()


class InviteForm(forms.Form):
    groups = forms.MultipleChoiceField(
        label=_("Invite"),
        choices=list(INVITE_GROUP_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one group to invite.")},
    )


MARK_CHOICES = [
    (AttendanceStatus.PRESENT, AttendanceStatus.PRESENT.label),
    (AttendanceStatus.ABSENT, AttendanceStatus.ABSENT.label),
    (AttendanceStatus.EXCUSED, AttendanceStatus.EXCUSED.label),
]


class AttendanceMarkForm(forms.ModelForm):
    """One row of the attendance list: present, absent or excused, with a note."""

    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=MARK_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": _("Choose present, absent or excused.")},
    )

    class Meta:
        model = Attendance
        fields = ["status", "note"]
        widgets = {
            "note": forms.TextInput(
                attrs={
                    "placeholder": _("Note"),
                    "class": "form-control form-control-sm mw-14",
                }
            )
        }


class ContributionForm(forms.Form):
    speaker = PersonChoiceField(label=_("Speaker"), required=False, queryset=None)
    organization = forms.ModelChoiceField(
        label=_("Unit"),
        required=False,
        queryset=None,
        help_text=_("The speaker's own unit when left empty."),
    )
    content = forms.CharField(
        label=_("What was said"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": MESSAGE_EMPTY_CONTRIBUTION},
    )

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = selectors.meeting_people(ward=ward)
        self.fields["organization"].queryset = selectors.meeting_bodies(ward=ward)

    def clean_content(self):
        content = normalize(self.cleaned_data.get("content"))
        if not content:
            raise forms.ValidationError(MESSAGE_EMPTY_CONTRIBUTION)
        return content


class BodiesField(IdsChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class ConclusionForm(VersionedFormMixin, forms.ModelForm):
    """A conclusion with its lead and supporting bodies and its due date or quarter. An
    empty due date and quarter leave the task due the quarter after the meeting."""

    lead_organizations = BodiesField(
        label=_("Lead bodies"), queryset=None, error_messages={"required": MESSAGE_NO_LEAD}
    )
    supporting_organizations = BodiesField(
        label=_("Supporting bodies"), required=False, queryset=None
    )

    class Meta:
        model = Conclusion
        fields = [
            "text",
            "lead_organizations",
            "supporting_organizations",
            "due_date",
            "due_quarter",
            "plan",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "due_date": DateInput()}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        bodies = selectors.meeting_bodies(ward=meeting.ward)
        self.fields["lead_organizations"].queryset = bodies
        self.fields["supporting_organizations"].queryset = bodies
        self.fields["plan"].queryset = selectors.meeting_plans(ward=meeting.ward)
        self.fields["due_quarter"].help_text = _(
            "Empty date and quarter: due the quarter after the meeting."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due_date") and cleaned.get("due_quarter"):
            self.add_error("due_quarter", _("Give either a due date or a due quarter, not both."))
        return cleaned

    def _post_clean(self):
        self.instance.meeting = self.meeting
        super()._post_clean()


class ReopenForm(forms.Form):
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
