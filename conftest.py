import time

from django.core.management.base import CommandError
from django.core.management.commands import flush as _flush
from django.db import OperationalError

pytest_plugins = ["tests.fixtures"]

# A browser test's last request may still be inside its transaction on the live server's thread when the test's
# database is flushed; PostgreSQL then breaks the deadlock by aborting the flush's TRUNCATE. The request finishes
# in a moment, so the flush is tried again (a few times, briefly) instead of failing the next test with its rows.
_flush_handle = _flush.Command.handle


def _flush_retrying_a_deadlock(self, **options):
    for attempt in range(5):
        try:
            return _flush_handle(self, **options)
        except CommandError as error:
            cause = error.__cause__
            if attempt == 4 or not (isinstance(cause, OperationalError) and "deadlock" in str(cause)):
                raise
            time.sleep(0.5)


_flush.Command.handle = _flush_retrying_a_deadlock
