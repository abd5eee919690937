from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wardwork.models import OrganizationKind


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganizationKind.choices]
    )


def errors_to_form(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ``ValidationError`` on the form: each message at its field (renamed
    through ``aliases`` where the form calls it otherwise), the rest above the form."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
