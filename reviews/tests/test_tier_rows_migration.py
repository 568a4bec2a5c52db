"""The data migration carries every campaign's JSON tiers over as TierRule rows, in order, skipping only
entries the old form could never have saved (no name, an unknown kind, a duplicate)."""

import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest

from reviews.models import TierRule
from reviews.tests.factories import review_window_campaign

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reviews.migrations.0011_tier_rules")


class _Rows(list):
    def all(self):
        return self

    def iterator(self):
        return iter(self)


def test_json_tiers_become_rows_in_their_order():
    kunshan, huaian = review_window_campaign(slug="m-kunshan"), review_window_campaign(slug="m-huaian")
    old = _Rows(
        [
            SimpleNamespace(
                campaign_id=kunshan.pk,
                tiers=[
                    {"name": "一等奖", "by": "count", "value": 3},
                    {"name": "二等奖", "by": "fraction", "value": 0.3},
                    {"name": "三等奖", "by": "threshold", "value": 75.5},
                    {"name": "一等奖", "by": "count", "value": 1},  # a duplicate: the first stands
                    {"name": "", "by": "count", "value": 1},
                ],
            ),
            SimpleNamespace(
                campaign_id=huaian.pk, tiers=[{"name": n, "by": "fraction", "value": 1 / 3} for n in "ABC"]
            ),
        ]
    )
    fake_settings = SimpleNamespace(objects=old)
    apps = SimpleNamespace(get_model=lambda app, name: {"ReviewSettings": fake_settings, "TierRule": TierRule}[name])
    migration.tiers_to_rows(apps, None)
    got = list(TierRule.objects.filter(campaign=kunshan).values_list("position", "name", "by", "value", "is_award"))
    assert got == [
        (1, "一等奖", "count", Decimal("3"), True),
        (2, "二等奖", "fraction", Decimal("0.3"), True),
        (3, "三等奖", "threshold", Decimal("75.5"), True),
    ]
    assert TierRule.objects.filter(campaign=huaian).count() == 3
