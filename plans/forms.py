from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from plans import services
from plans.models import Plan, ProgressReport, Task, TaskStatus
from plans.symbols import DOC_TYPE_CHOICES
from wardwork.concurrency import VersionedFormMixin, version_field
from wardwork.forms import IdsChoiceField
from wardwork.models import Organization
from wardwork.text import normalize


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%d/%m/%Y")
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("placeholder", "dd/mm/yyyy")
        attrs.setdefault("inputmode", "numeric")
        super().__init__(attrs=attrs, **kwargs)


def _organizations_for(ward):
    """Units of the ward, its copies of the bodies above it included (possible issuers),
    active."""
    return Organization.objects.filter(is_active=True, ward=ward).order_by("kind", "name")


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1945, max_value=2100)
    doc_type = forms.ChoiceField(label=_("Type"), required=False)
    issuer = forms.ModelChoiceField(
        label=_("Issuer"), required=False, queryset=Organization.objects.none()
    )
    active = forms.TypedChoiceField(
        label=_("Followed"),
        required=False,
        choices=[("", _("All")), ("1", _("Being followed")), ("0", _("Archived"))],
        coerce=lambda v: v == "1",
        empty_value=None,
    )

    def __init__(self, *args, ward=None, issuers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [("", _("All types")), *DOC_TYPE_CHOICES]
        self.fields["issuer"].queryset = (
            issuers if issuers is not None else Organization.objects.none()
        )


class PlanForm(VersionedFormMixin, forms.ModelForm):
    """Entering the symbol fills type, number and issuer when they can be read; unusual
    symbols are kept with a warning; impossible ones get an error on the field."""

    class Meta:
        model = Plan
        fields = [
            "symbol",
            "doc_type",
            "number",
            "issuer",
            "issued_on",
            "year",
            "title",
            "theme",
            "implements",
            "attachment",
            "is_active",
        ]
        widgets = {
            "issued_on": DateInput(),
            "title": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.ward = ward
        self.warnings: list[str] = []
        self.fields["doc_type"].required = False
        self.fields["doc_type"].widget = forms.Select(
            choices=[("", _("Read from the symbol")), *DOC_TYPE_CHOICES]
        )
        self.fields["doc_type"].help_text = _("Filled from the symbol when left empty.")
        self.fields["number"].help_text = _("Filled from the symbol when left empty.")
        self.fields["issuer"].required = False
        self.fields["issuer"].queryset = _organizations_for(ward)
        self.fields["issuer"].help_text = _("Found from the symbol (QU, ĐU, …) when left empty.")
        self.fields["year"].required = False
        self.fields["year"].help_text = _(
            "The year the plan is for; the year of issue when left empty."
        )
        implements = (
            Plan.objects.filter(ward=ward).select_related("issuer").order_by("-year", "symbol")
        )
        if self.instance.pk:
            implements = implements.exclude(pk=self.instance.pk)
        self.fields["implements"].queryset = implements
        if (
            self.data
            and self.data.get("doc_type")
            and self.data.get("doc_type") not in dict(DOC_TYPE_CHOICES)
        ):
            # A type read from an unusual symbol: offer it so the form can show it back.
            self.fields["doc_type"].widget.choices.append(
                (self.data["doc_type"], self.data["doc_type"])
            )

    def clean_title(self):
        title = normalize(self.cleaned_data.get("title"))
        if not title:
            raise ValidationError(_("Write the plan's title (trích yếu)."))
        return title

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("symbol")
        if not text:
            return cleaned
        try:
            symbol, issuer = services.symbol_read(ward=self.ward, text=text)
        except ValidationError as error:
            self.add_error("symbol", error.message_dict["symbol"])
            return cleaned
        self.warnings = list(symbol.warnings)
        cleaned["symbol"] = symbol.text
        cleaned["doc_type"] = cleaned.get("doc_type") or symbol.doc_type
        cleaned["number"] = cleaned.get("number") or symbol.number
        if not cleaned.get("issuer"):
            if issuer is None:
                self.add_error(
                    "issuer",
                    _('No organisation writes "%(code)s" in its symbols: choose the issuer.')
                    % {"code": symbol.issuer_code},
                )
            else:
                cleaned["issuer"] = issuer
        elif cleaned["issuer"].symbol_code and cleaned["issuer"].symbol_code != symbol.issuer_code:
            self.warnings.append(
                str(_('The symbol says "%(code)s" but the issuer chosen writes "%(own)s".'))
                % {"code": symbol.issuer_code, "own": cleaned["issuer"].symbol_code}
            )
        if not cleaned.get("year") and cleaned.get("issued_on"):
            cleaned["year"] = cleaned["issued_on"].year
        if not cleaned.get("year"):
            self.add_error("year", _("Enter the year the plan is for."))
        if cleaned.get("issuer") and cleaned.get("year"):
            existing = services.plan_duplicate(
                ward=self.ward,
                issuer=cleaned["issuer"],
                year=cleaned["year"],
                symbol=symbol.text,
                exclude_pk=self.instance.pk,
            )
            if existing:
                self.add_error("symbol", services.duplicate_message(existing))
        return cleaned

    def _post_clean(self):
        # The ward is not a form field; set it before the model validates.
        self.instance.ward = self.ward
        super()._post_clean()


class TaskForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "ordinal",
            "title",
            "description",
            "lead_organization",
            "supporting_organizations",
            "due_date",
            "due_quarter",
            "status",
        ]
        widgets = {
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "supporting_organizations": forms.SelectMultiple(attrs={"size": 8}),
        }
        field_classes = {"supporting_organizations": IdsChoiceField}

    def __init__(self, *args, ward, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ward = ward
        self.plan = plan
        units = Organization.objects.filter(ward=ward, is_active=True).order_by("kind", "name")
        self.fields["lead_organization"].queryset = units
        self.fields["supporting_organizations"].queryset = units
        self.fields["supporting_organizations"].help_text = _("Hold Ctrl (or ⌘) to choose several.")
        self.fields["ordinal"].required = False
        self.fields["ordinal"].help_text = _("The next free number when left empty.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due_date") and cleaned.get("due_quarter"):
            self.add_error("due_quarter", _("Give either a due date or a due quarter, not both."))
        lead = cleaned.get("lead_organization")
        supporting = cleaned.get("supporting_organizations") or []
        if lead and lead in supporting:
            cleaned["supporting_organizations"] = [o for o in supporting if o != lead]
        ordinal = cleaned.get("ordinal")
        if self.plan is not None and ordinal:
            clash = (
                Task.objects.filter(plan=self.plan, ordinal=ordinal)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if clash:
                self.add_error(
                    "ordinal",
                    _("Task %(n)s of this plan already exists: “%(title)s”.")
                    % {"n": ordinal, "title": clash.title},
                )
        return cleaned

    def _post_clean(self):
        self.instance.ward = self.ward
        self.instance.plan = self.plan
        if not self.cleaned_data.get("ordinal"):
            self.instance.ordinal = services.task_next_ordinal(plan=self.plan) if self.plan else 1
            self.cleaned_data["ordinal"] = self.instance.ordinal
        super()._post_clean()


class ProgressReportForm(forms.ModelForm):
    """One unit's report on one task for the quarter shown. ``version`` is the report's
    version when the form was shown, 0 when there was none yet: a report saved meanwhile by
    another manager of the unit is not overwritten unseen."""

    version = version_field()

    class Meta:
        model = ProgressReport
        fields = ["status", "percent", "narrative", "attachment"]
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 3}),
            "percent": forms.NumberInput(
                attrs={"min": 0, "max": 100, "step": 5, "inputmode": "numeric"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        self.fields["status"].choices = [
            (value, label) for value, label in TaskStatus.choices if value != TaskStatus.CANCELLED
        ]
        self.fields["percent"].help_text = _("0 to 100.")
        self.fields["narrative"].help_text = _("What the unit did this quarter, with figures.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == TaskStatus.DONE:
            cleaned["percent"] = 100
        return cleaned


class QuarterChoiceForm(forms.Form):
    quarter = forms.CharField(label=_("Quarter"), required=False, max_length=20)
