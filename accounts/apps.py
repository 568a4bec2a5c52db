from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账户与机构"

    def ready(self):
        # Django's auth signals are the only hook for logins made anywhere (portal or admin).
        from . import receivers  # noqa: F401

        self._name_axes_in_chinese()

    @staticmethod
    def _name_axes_in_chinese():
        """django-axes ships no Chinese names; staff read its records in the admin."""
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
        from django.apps import apps

        apps.get_app_config("axes").verbose_name = "登录防护"
        for model, name in (
            (AccessAttempt, "登录失败记录（锁定）"),
            (AccessFailureLog, "登录失败日志"),
            (AccessLog, "登录日志"),
        ):
            model._meta.verbose_name = model._meta.verbose_name_plural = name
