from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账户与机构"

    def ready(self):
        # Django's auth signals are the only hook for logins made anywhere (portal or admin).
        from . import receivers  # noqa: F401
