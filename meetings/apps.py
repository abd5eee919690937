from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from meetings.review_locks import finalized_quarter_message
        from wardwork.periods import register_period_check

        # A finalised quarterly review locks its quarter in the lower layers too.
        register_period_check(finalized_quarter_message)
