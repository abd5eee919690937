"""Forms of the registry pages.

Every form that takes a ward limits its choices to that ward, so a posted id from another
ward is a field error ("choose a valid option"), never a leak. Messages say what is missing
for the kind of registration chosen, at the field, so a unit on a phone can fix it in place.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from models_registry.models import (
    Field,
    RecognitionLevel,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)
from models_registry.selectors import STATUS_COUNTED, STATUS_RUNNING
from models_registry.services import MESSAGE_NOTE_REQUIRED, MESSAGE_REASON_REQUIRED
from plans.forms import DateInput
from plans.models import Plan
from wardwork.concurrency import VersionedFormMixin, version_field
from wardwork.forms import DB_ID_MAX
from wardwork.models import Organization, Person
from wardwork.quarters import Quarter
from wardwork.text import normalize
from wardwork.uploads import validate_document_file

MESSAGE_KIND_REQUIRED = _("Choose who registers: a collective or an individual.")
MESSAGE_COLLECTIVE_UNIT = _("A collective registration names the collective that registers.")
MESSAGE_INDIVIDUAL_UNIT = _(
    "An individual registration names the unit the person belongs to "
    "(the person chosen has no unit on record)."
)
MESSAGE_OWNER_REQUIRED = _(
    "Choose the unit that owns the registration (your cell or organisation)."
)
MESSAGE_TITLE_REQUIRED = _("Give the model a name.")
MESSAGE_FIELD_REQUIRED = _("Choose the field of the model.")
MESSAGE_RESULTS_REQUIRED = _("Write what the model achieved in the quarter.")
MESSAGE_RECOGNITION_TITLE = _('Write the recognition, for example "Điển hình tiêu biểu".')
MESSAGE_IMPORT_TYPE = _("Choose the Excel file (.xlsx) filled in from the template.")
MESSAGE_IMPORT_SIZE = _("The file is %(size)s; the largest accepted is %(limit)s.")

ALL = "all"

TEXTAREA = {"rows": 3}


def _ward_units(ward):
    return Organization.objects.filter(ward=ward, is_active=True).order_by("kind", "name")


class _PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.symbol} – {obj.title[:80]}"


class _RegistrationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.registered_by_unit.display_name}, {obj.year})"


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        unit = obj.organization.display_name if obj.organization_id else ""
        return f"{obj.full_name} – {unit}" if unit else obj.full_name


def _plans_of(ward):
    return Plan.objects.filter(ward=ward).order_by("-year", "symbol")


def _fields():
    return Field.objects.filter(is_active=True)


class RegistrationForm(VersionedFormMixin, forms.ModelForm):
    """A unit's registration: what it is, who registers, who owns it, what will be done.

    ``user`` decides which owning units are offered: the units they manage, or every unit
    of the ward for ward staff. On a phone every field takes the full width; from ``md``
    up, short fields sit side by side.
    """

    class Meta:
        model = Registration
        fields = [
            "year",
            "kind",
            "registered_by_unit",
            "organization",
            "person",
            "title",
            "field",
            "content",
            "solutions",
            "schedule",
            "expected_results",
            "plan",
            "replicates",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "title": forms.Textarea(attrs={"rows": 2}),
            "content": forms.Textarea(attrs=TEXTAREA),
            "solutions": forms.Textarea(attrs=TEXTAREA),
            "schedule": forms.Textarea(attrs=TEXTAREA),
            "expected_results": forms.Textarea(attrs=TEXTAREA),
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        field_classes = {
            "plan": _PlanChoiceField,
            "replicates": _RegistrationChoiceField,
            "person": _PersonChoiceField,
        }
        error_messages = {
            "kind": {"required": MESSAGE_KIND_REQUIRED},
            "title": {"required": MESSAGE_TITLE_REQUIRED},
            "field": {"required": MESSAGE_FIELD_REQUIRED},
            "registered_by_unit": {"required": MESSAGE_OWNER_REQUIRED},
        }

    def __init__(self, *args, ward, managed_unit_ids=(), whole_ward=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.ward = ward
        instance = self.instance
        units = _ward_units(ward)
        owners = units
        if not whole_ward:
            owners = Organization.objects.filter(ward=ward).filter(
                Q(pk__in=managed_unit_ids, is_active=True) | Q(pk=instance.registered_by_unit_id)
            )
            owners = owners.order_by("kind", "name")
            if len(managed_unit_ids) == 1 and not instance.pk:
                only = next(iter(managed_unit_ids))
                # A new instance gives every field a None initial: replace, do not default.
                self.initial["registered_by_unit"] = self.initial.get("registered_by_unit") or only
                self.initial["organization"] = self.initial.get("organization") or only
        self.fields["registered_by_unit"].queryset = owners
        self.fields["organization"].queryset = units
        self.fields["organization"].required = False
        self.fields["organization"].help_text = _(
            "For a collective: the collective that registers. For an individual: the unit the "
            "person belongs to (filled from the person when left empty)."
        )
        self.fields["person"].queryset = (
            Person.objects.filter(ward=ward).select_related("organization").by_name()
        )
        self.fields["person"].help_text = _("Only for an individual registration.")
        self.fields["field"].queryset = _fields()
        self.fields["kind"].choices = RegistrationKind.choices  # no blank radio button
        self.fields["plan"].queryset = _plans_of(ward)
        replicable = Registration.objects.exemplary().filter(ward=ward)
        if instance.pk:
            replicable = replicable.exclude(pk=instance.pk)
        self.fields["replicates"].queryset = replicable.select_related(
            "registered_by_unit"
        ).order_by("-year", "title")
        self.fields["year"].required = False
        self.fields["year"].help_text = _("The current year when left empty.")
        if not instance.pk:
            self.initial["year"] = self.initial.get("year") or timezone.localdate().year
            self.initial["kind"] = self.initial.get("kind") or RegistrationKind.COLLECTIVE
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "version",
            Row(
                Column("kind", css_class="col-12 col-md-8"),
                Column("year", css_class="col-12 col-md-4"),
            ),
            Row(
                Column("registered_by_unit", css_class="col-12 col-md-6"),
                Column("organization", css_class="col-12 col-md-6"),
            ),
            "person",
            "title",
            Row(
                Column("field", css_class="col-12 col-md-6"),
                Column("plan", css_class="col-12 col-md-6"),
            ),
            "content",
            "solutions",
            "schedule",
            "expected_results",
            "replicates",
        )

    def clean_title(self):
        title = normalize(self.cleaned_data.get("title"))
        if not title:
            raise ValidationError(MESSAGE_TITLE_REQUIRED)
        return title

    def clean_year(self):
        return self.cleaned_data.get("year") or timezone.localdate().year

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        organization = cleaned.get("organization")
        person = cleaned.get("person")
        if kind == RegistrationKind.COLLECTIVE and not organization:
            self.add_error("organization", MESSAGE_COLLECTIVE_UNIT)
        elif kind == RegistrationKind.INDIVIDUAL and not organization and person:
            # The unit an individual belongs to is usually the person's own unit.
            unit = person.organization
            if unit is not None and unit.ward_id == self.ward.pk:
                cleaned["organization"] = unit
            else:
                self.add_error("organization", MESSAGE_INDIVIDUAL_UNIT)
        return cleaned

    def _post_clean(self):
        # The ward is not a form field; set it before the model validates.
        self.instance.ward = self.ward
        super()._post_clean()
        # The model repeats some of the form's messages (an empty title): say each once.
        for errors in self._errors.values():
            unique = []
            for error in errors.as_data():
                if all(error.messages != kept.messages for kept in unique):
                    unique.append(error)
            errors.data[:] = unique


class ReturnForm(forms.Form):
    """Return a submitted registration to its unit: the note says what to change."""

    note = forms.CharField(
        label=_("What needs to change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": MESSAGE_NOTE_REQUIRED},
    )

    def clean_note(self):
        note = normalize(self.cleaned_data.get("note"))
        if not note:
            raise ValidationError(MESSAGE_NOTE_REQUIRED)
        return note


class NotAchievedForm(ReturnForm):
    note = forms.CharField(
        label=_("Why the model was not achieved"),
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
        error_messages={"required": MESSAGE_NOTE_REQUIRED},
    )


class RecognitionForm(forms.Form):
    level = forms.ChoiceField(label=capfirst(_("level")), choices=RecognitionLevel.choices)
    title = forms.CharField(
        label=capfirst(_("recognition")),
        max_length=200,
        help_text=_('"Điển hình tiêu biểu", Giấy khen, Bằng khen …'),
        error_messages={"required": MESSAGE_RECOGNITION_TITLE},
    )
    decision_symbol = forms.CharField(
        label=capfirst(_("decision symbol")), max_length=60, required=False
    )
    decided_on = forms.DateField(
        label=capfirst(_("decided on")), required=False, widget=DateInput()
    )
    issuer = forms.ModelChoiceField(
        label=capfirst(_("issuer")), required=False, queryset=Organization.objects.none()
    )

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Organization.objects.filter(
            is_active=True, ward=ward
        ).order_by("kind", "name")

    def clean_title(self):
        title = normalize(self.cleaned_data.get("title"))
        if not title:
            raise ValidationError(MESSAGE_RECOGNITION_TITLE)
        return title


class AdjustForm(forms.Form):
    """New content of an approved model, and why it changes; the old content is kept."""

    title = forms.CharField(
        label=capfirst(_("model name")),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": MESSAGE_TITLE_REQUIRED},
    )
    field = forms.ModelChoiceField(
        label=capfirst(_("field")),
        queryset=Field.objects.none(),
        error_messages={"required": MESSAGE_FIELD_REQUIRED},
    )
    content = forms.CharField(
        label=capfirst(_("content")), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    solutions = forms.CharField(
        label=capfirst(_("solutions")), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    schedule = forms.CharField(
        label=capfirst(_("schedule")), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    expected_results = forms.CharField(
        label=capfirst(_("expected results")), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    plan = _PlanChoiceField(
        label=capfirst(_("implements plan")), required=False, queryset=Plan.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason for the adjustment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": MESSAGE_REASON_REQUIRED},
    )

    def __init__(self, *args, registration: Registration, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": registration.title,
                "field": registration.field_id,
                "content": registration.content,
                "solutions": registration.solutions,
                "schedule": registration.schedule,
                "expected_results": registration.expected_results,
                "plan": registration.plan_id,
            },
        )
        super().__init__(*args, **kwargs)
        # An inactive field stays available to the model that already uses it.
        self.fields["field"].queryset = Field.objects.filter(
            Q(is_active=True) | Q(pk=registration.field_id)
        )
        self.fields["plan"].queryset = _plans_of(registration.ward_id)

    def clean_reason(self):
        reason = normalize(self.cleaned_data.get("reason"))
        if not reason:
            raise ValidationError(MESSAGE_REASON_REQUIRED)
        return reason

    def changes(self) -> dict:
        """The cleaned content in the shape ``registration_adjust`` takes."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "field_id": data["field"].pk,
            "content": data["content"],
            "solutions": data["solutions"],
            "schedule": data["schedule"],
            "expected_results": data["expected_results"],
            "plan_id": data["plan"].pk if data.get("plan") else None,
        }


class UpdateForm(forms.Form):
    """What a model achieved in one quarter. ``version``: the quarter's update as the form
    showed it (0: none yet), so that one saved meanwhile is not overwritten unseen."""

    version = version_field()

    results = forms.CharField(
        label=capfirst(_("results")),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the model achieved this quarter, with figures."),
        error_messages={"required": MESSAGE_RESULTS_REQUIRED},
    )
    percent = forms.IntegerField(
        label=capfirst(_("percent done")),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("0 to 100."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5, "inputmode": "numeric"}),
    )
    attachment = forms.FileField(
        label=capfirst(_("evidence")),
        required=False,
        validators=[validate_document_file],
        help_text=_("PDF, Word, Excel, JPEG or PNG; kept with the update."),
    )

    def clean_results(self):
        results = normalize(self.cleaned_data.get("results"))
        if not results:
            raise ValidationError(MESSAGE_RESULTS_REQUIRED)
        return results


# The quarter filters (a quarter written "2021-Q1"), for the links of the quarter page's
# figures: each number links to exactly the rows it counts.
QUARTER_FILTERS = ("as_of", "submitted_in", "recognised_in", "updated_in", "not_updated_in")


class QuarterField(forms.CharField):
    """A quarter written as in the URLs ("2021-Q1"; "I/2021" is read too)."""

    widget = forms.HiddenInput
    default_error_messages = {"invalid": _("Write the quarter as 2021-Q1.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Quarter.parse(value)
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class RegistryFilterForm(forms.Form):
    """Filters of the registry list. ``year`` is a year with registrations, or "all".

    Besides the visible filters, the links of the quarter page add: ``status=counted`` (or
    ``running``), ``as_of`` (sent in by the end of the quarter), ``submitted_in``,
    ``recognised_in``, ``updated_in`` / ``not_updated_in`` (a quarterly update received or
    not), ``replicates`` (replicates an exemplary model) and ``ward`` (for superusers)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.ChoiceField(label=_("Year"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    field = forms.ModelChoiceField(
        label=capfirst(_("field")), required=False, queryset=Field.objects.none()
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=Organization.objects.none()
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    as_of = QuarterField(label=_("Sent in by the end of"), required=False)
    submitted_in = QuarterField(label=_("Sent in during"), required=False)
    recognised_in = QuarterField(label=_("Recognised during"), required=False)
    updated_in = QuarterField(label=_("Results reported for"), required=False)
    not_updated_in = QuarterField(label=_("No results reported for"), required=False)
    replicates = forms.BooleanField(
        label=_("Replicates an exemplary model"), required=False, widget=forms.HiddenInput
    )
    ward = forms.IntegerField(
        label=_("Ward"),
        required=False,
        min_value=1,
        max_value=DB_ID_MAX,  # past it SQLite raises OverflowError: a 500
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, years=(), units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(ALL, _("All years")), *((str(y), str(y)) for y in years)]
        self.fields["kind"].choices = [("", _("All kinds")), *RegistrationKind.choices]
        self.fields["status"].choices = [
            ("", _("All statuses")),
            (STATUS_COUNTED, _("Counted (submitted, approved, recognised, not achieved)")),
            (STATUS_RUNNING, _("Under way (approved or recognised)")),
            *RegistrationStatus.choices,
        ]
        self.fields["field"].queryset = Field.objects.all()
        self.fields["field"].empty_label = _("All fields")
        self.fields["unit"].queryset = units if units is not None else Organization.objects.none()
        self.fields["unit"].empty_label = _("All units")

    def filters(self) -> dict:
        """The valid filters (an invalid one is shown at its field and ignored)."""
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
        year = data.pop("year", ALL)
        if year != ALL:
            data["year"] = int(year)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file"),
        help_text=_("The template below, filled in: one registration per row."),
        error_messages={"required": MESSAGE_IMPORT_TYPE},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePosixPath(upload.name or "").suffix.lower() != ".xlsx":
            raise ValidationError(MESSAGE_IMPORT_TYPE)
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                MESSAGE_IMPORT_SIZE
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload
