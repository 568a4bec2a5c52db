"""Django on a throw-away SQLite database and media folder under /tmp, for the bench scripts."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_on_throwaway_sqlite(*, log_level: str = "WARNING") -> Path:
    """Set up Django (migrated, no Redis: tasks run in-process) in a new folder; returns the folder."""
    work = Path(tempfile.mkdtemp(prefix="kp-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kunshan_portal.settings",
        DEBUG="1",
        VAR_DIR=str(work),
        MEDIA_ROOT=str(work / "media"),
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        LOG_LEVEL=log_level,
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return work
