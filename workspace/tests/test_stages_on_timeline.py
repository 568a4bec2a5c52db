"""The evaluation stages a campaign adds (evaluations app) appear on the workspace's timeline after 颁奖, are read
from and saved to their own rows, and are copied with a campaign, their dates moved."""

import datetime as dt

import pytest

from cases.tests.factories import CampaignFactory
from evaluations.models import Stage
from workspace.copying import campaign_copy
from workspace.timeline import timeline_phases

pytestmark = pytest.mark.django_db


def _stage(campaign):
    opens = campaign.publicity_ends_at + dt.timedelta(days=30)
    return Stage.objects.create(
        campaign=campaign, kind="midterm", name="中期评估", opens_at=opens, closes_at=opens + dt.timedelta(days=20)
    )


def test_a_stage_is_the_last_phase_of_the_timeline_with_its_own_two_dates():
    campaign = CampaignFactory()
    stage = _stage(campaign)
    phase = timeline_phases(campaign=campaign)[-1]
    opens, closes = (m.name for m in phase.milestones)
    assert phase.label == "中期评估"
    assert phase.load(campaign) == {opens: stage.opens_at, closes: stage.closes_at}

    later = stage.closes_at + dt.timedelta(days=3)
    phase.store(campaign=campaign, values={opens: stage.opens_at, closes: later})
    stage.refresh_from_db()
    assert stage.closes_at == later


def test_a_campaign_without_stages_has_only_its_own_phases():
    campaign = CampaignFactory()
    assert [p.key for p in timeline_phases(campaign=campaign)][-1] == "ceremony"


def test_copying_a_campaign_copies_its_stages_with_the_dates_moved(cast):
    campaign = CampaignFactory()
    stage = _stage(campaign)
    copy = campaign_copy(source=campaign, title="下一年", slug="2027-copy", shift=dt.timedelta(days=365), by=cast.staff)
    copied = Stage.objects.get(campaign=copy)
    assert copied.name == stage.name
    assert copied.opens_at == stage.opens_at + dt.timedelta(days=365)
    assert copied.closes_at == stage.closes_at + dt.timedelta(days=365)
