"""Optimistic concurrency in the admin, as on the pages (``wardwork.concurrency``).

The change form of a shared record posts back the version it showed (the template
``admin/versioned_change_form.html`` renders the hidden field); when someone else saved
one of the form's fields meanwhile, the form is shown again with who saved, when and the
new values at the fields, and nothing is saved. Reverting from the history page posts no
version and is not checked: it is a deliberate return to an older state.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from wardwork.concurrency import StaleEdit, VersionedFormMixin, claim, refresh_version

CHANGE_FORM_TEMPLATE = "admin/versioned_change_form.html"


class VersionedAdminForm(VersionedFormMixin, forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk is None or self._errors:
            return
        try:
            # The admin's change view runs in one transaction: the row stays taken until
            # the save commits.
            claim(self.instance, self.expected_version, self.edited_fields)
        except StaleEdit as error:
            refresh_version(self, error)
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        except ValidationError as error:
            self.add_error(None, error)
