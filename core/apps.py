from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Shared pieces"

    def ready(self) -> None:
        # Any change to published content invalidates the public-page cache (the one signal receiver).
        from .cache import connect_signals

        connect_signals()
