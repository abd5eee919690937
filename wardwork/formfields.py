from django import forms
from django.utils.translation import gettext_lazy as _

from wardwork.quarters import Quarter


class QuarterFormField(forms.CharField):
    """Accepts "I/2021", "1/2021", "2021-Q1"; shows a Quarter as "I/2021"."""

    default_error_messages = {"invalid": _("Enter a quarter such as I/2021.")}

    def __init__(self, *, max_length=None, **kwargs):
        kwargs.setdefault("help_text", _("For example I/2021 or 2/2021."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "20")

    def prepare_value(self, value):
        if isinstance(value, Quarter):
            return value.short_label
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Quarter.parse(value)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
