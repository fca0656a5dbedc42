from django.apps import AppConfig


class ActionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"

    def ready(self) -> None:
        # Any change to published content invalidates the public-page cache.
        from asem_portal.cache import connect_signals

        connect_signals()
