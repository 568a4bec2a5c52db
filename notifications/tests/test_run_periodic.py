"""`manage.py run_periodic`: the beat schedule's jobs run in-process on their schedule, so a one-machine
install without Redis (make run) still sends its reminders."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from notifications.management.commands.run_periodic import PeriodicRunner
from notifications.models import Reminder

from .test_reminders import at, world  # noqa: F401 (the fixture)

SH = ZoneInfo("Asia/Shanghai")


class Clock:
    """The runner's clock, moved by the test."""

    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


@pytest.mark.django_db
def test_run_periodic_once_sends_the_due_reminders_in_process(world, django_capture_on_commit_callbacks):  # noqa: F811
    with time_machine.travel(at(12, 7, 17, 5), tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("run_periodic", "--once")
    assert set(Reminder.objects.values_list("recipient__email", "kind", "milestone")) == {
        ("a@example.cn", "draft", "3d"),
        ("b@example.cn", "draft", "3d"),
    }
    assert sorted(m.to[0] for m in mail.outbox if "申报提醒" in m.subject) == ["a@example.cn", "b@example.cn"]


@pytest.mark.django_db
def test_every_job_of_the_beat_schedule_runs_at_the_first_tick():
    runner = PeriodicRunner(settings.CELERY_BEAT_SCHEDULE, clock=Clock(dt.datetime(2026, 12, 7, 12, 7, tzinfo=SH)))
    ran, _ = runner.tick()
    assert (
        set(ran)
        == set(settings.CELERY_BEAT_SCHEDULE)
        >= {
            "notifications-send-due-reminders",
            "notifications-flush-outbox",
        }
    )


@pytest.mark.django_db
def test_jobs_run_again_on_their_interval_and_crontab_not_before():
    clock = Clock(dt.datetime(2026, 12, 7, 12, 7, 0, tzinfo=SH))
    schedule = {
        "reminders": {"task": "notifications.send_due_reminders", "schedule": crontab(minute="*/15")},
        "flush": {"task": "notifications.flush_outbox", "schedule": 60.0},
    }
    runner = PeriodicRunner(schedule, clock=clock)
    assert sorted(runner.tick()[0]) == ["flush", "reminders"]

    clock.moment = dt.datetime(2026, 12, 7, 12, 7, 59, tzinfo=SH)
    ran, wait = runner.tick()
    assert ran == [] and 0 < wait <= 1
    clock.moment = dt.datetime(2026, 12, 7, 12, 8, 0, tzinfo=SH)
    assert runner.tick()[0] == ["flush"]

    clock.moment = dt.datetime(2026, 12, 7, 12, 14, 59, tzinfo=SH)
    assert "reminders" not in runner.tick()[0]
    clock.moment = dt.datetime(2026, 12, 7, 12, 15, 0, tzinfo=SH)
    assert "reminders" in runner.tick()[0]


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others():
    schedule = {
        "broken": {"task": "notifications.no_such_task", "schedule": 60.0},
        "flush": {"task": "notifications.flush_outbox", "schedule": 60.0},
    }
    runner = PeriodicRunner(schedule, clock=Clock(dt.datetime(2026, 12, 7, 12, 0, tzinfo=SH)))
    assert runner.tick()[0] == ["broken", "flush"]  # the error is logged, not raised
