import io

import pytest
from django.core.management import call_command

from cases.models import Application, CasePhoto

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_dozen_applications_in_every_state_and_nothing_twice():
    call_command("seed_demo", stdout=io.StringIO())
    first = Application.objects.count()
    photos = CasePhoto.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert first == Application.objects.count() == 12
    assert CasePhoto.objects.count() == photos > 0
    assert set(Application.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "recommended",
        "returned",
        "withdrawn",
    }
    assert set(Application.objects.values_list("category", flat=True)) == {"casework", "group", "community"}
    references = list(Application.objects.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 9
