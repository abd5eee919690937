from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModelsRegistryConfig(AppConfig):
    name = "models_registry"
    verbose_name = _("Dân vận khéo models")
    default_auto_field = "django.db.models.BigAutoField"
