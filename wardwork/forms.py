from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wardwork.concurrency import StaleEdit, refresh_version
from wardwork.models import OrganizationKind

# The largest id a database integer column holds (bigint).
DB_ID_MAX = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses ids no database integer holds, at the field:
    SQLite raises OverflowError on such a number in an IN lookup (a 500), where any other
    unknown id is "not one of the choices"."""

    def _check_values(self, value):
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        for pk in values:
            text = str(pk).strip()
            if text.lstrip("-+").isdigit() and abs(int(text)) > DB_ID_MAX:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganizationKind.choices]
    )


def errors_to_form(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ``ValidationError`` on the form: each message at its field (renamed
    through ``aliases`` where the form calls it otherwise), the rest above the form."""
    aliases = aliases or {}
    if isinstance(error, StaleEdit):
        refresh_version(form, error)
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
