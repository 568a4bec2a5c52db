"""Factories for named materials (申报材料) and eligibility rules (申报资格), and the files they take."""

import factory
from factory.django import DjangoModelFactory

from cases.models import EligibilityRule, MaterialSlot
from cases.tests.factories import CampaignFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class MaterialSlotFactory(DjangoModelFactory):
    class Meta:
        model = MaterialSlot

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"法人登记证书副本{n}")
    required = True
    allowed_types = factory.LazyFunction(lambda: ["pdf", "jpeg", "png"])
    max_files = 2
    max_size_mb = 5
    position = factory.Sequence(int)


class EligibilityRuleFactory(DjangoModelFactory):
    class Meta:
        model = EligibilityRule

    campaign = factory.SubFactory(CampaignFactory)
    kind = EligibilityRule.Kind.REGISTERED
    position = factory.Sequence(int)
