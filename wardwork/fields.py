"""Model fields for core value objects."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wardwork.quarters import Quarter


class QuarterField(models.CharField):
    """Stores a :class:`Quarter` as "2021-Q1" (sorts correctly as text), reads a Quarter."""

    description = _("Quarter")

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 7
        super().__init__(*args, **kwargs)

    @property
    def validators(self):
        # CharField's MaxLengthValidator would measure the Quarter object, not its text.
        return [*self.default_validators, *self._validators]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None
        return Quarter.parse(value)

    def to_python(self, value):
        if value in (None, "") or isinstance(value, Quarter):
            return value or None
        try:
            return Quarter.parse(value)
        except ValueError as exc:
            raise ValidationError(
                _("Enter a quarter such as I/2021."), code="invalid_quarter"
            ) from exc

    def get_prep_value(self, value):
        value = self.to_python(value)
        return value.slug if isinstance(value, Quarter) else value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.slug if isinstance(value, Quarter) else ""

    def formfield(self, **kwargs):
        from wardwork.formfields import QuarterFormField

        return super().formfield(**{"form_class": QuarterFormField, **kwargs})
