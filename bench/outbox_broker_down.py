"""How long e-mails wait on a dead broker: the first one asks it, the rest are left for the flush.

Run by hand, not in the test suite (it was a wall-clock assertion, < 0.5 s, in notifications/tests/test_outbox.py):

    /work/main/.venv/bin/python bench/outbox_broker_down.py --emails 5

It builds a throw-away SQLite database under /tmp, points Celery at a port where nothing listens, then times
the first e-mail (the one that finds the broker down) and the next `--emails` e-mails (which should not try).
Target: the next e-mails together < 0.5 s.
"""

import argparse
import shutil
import time

from throwaway import django_on_throwaway_sqlite

DEAD_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=5, help="e-mails sent after the first one")
    args = parser.parse_args()

    work = django_on_throwaway_sqlite(log_level="ERROR")

    from kunshan_portal.celery import app
    from notifications.email import email_send
    from notifications.models import OutboxEmail

    app.conf.task_always_eager, app.conf.broker_url = False, DEAD_BROKER
    app._after_fork()

    def send() -> None:
        email_send(to=["bench@example.cn"], subject="测试", template="accounts/email/welcome.txt", context={})

    start = time.perf_counter()
    send()
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(args.emails):
        send()
    rest = time.perf_counter() - start
    pending = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, queued_at__isnull=True).count()
    print(f"first e-mail (finds the broker down): {first:.3f} s")
    print(f"next {args.emails} e-mails (do not ask it): {rest:.3f} s in all (target < 0.5 s)")
    print(f"left pending for the flush: {pending}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
