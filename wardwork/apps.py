from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WardworkConfig(AppConfig):
    name = "wardwork"
    verbose_name = _("Wards and organisations")
    default_auto_field = "django.db.models.BigAutoField"
