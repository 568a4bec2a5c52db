import io

import pytest
from django.core.management import call_command

from cases.demo import CAMPAIGN_SLUG
from cases.models import Application, CasePhoto

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_dozen_applications_in_every_state_and_nothing_twice():
    call_command("seed_demo", stdout=io.StringIO())
    ours = Application.objects.filter(campaign__slug=CAMPAIGN_SLUG)
    first = ours.count()
    photos = CasePhoto.objects.filter(application__in=ours).count()
    call_command("seed_demo", stdout=io.StringIO())
    assert first == ours.count() == 12
    assert CasePhoto.objects.filter(application__in=ours).count() == photos > 0
    assert set(ours.values_list("status", flat=True)) == {"draft", "submitted", "recommended", "returned", "withdrawn"}
    assert set(ours.values_list("category", flat=True)) == {"casework", "group", "community"}
    references = list(ours.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 9
