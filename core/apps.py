from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Platform core")

    def ready(self):
        from core import checks, lookups  # noqa: F401  (register the system checks and the `any` lookup)
