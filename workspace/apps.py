from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """评选活动工作台: the staff pages that set up and run one campaign. The top of the import graph: it reads and
    writes through every domain app's services and selectors; no app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workspace"
    verbose_name = "评选活动工作台"

    def ready(self):
        # The evaluation stages join the timeline editor (workspace.timeline.EXTRA_PHASES).
        from . import stages  # noqa: F401
