"""查重 of a campaign whose form is defined as data compares its long-text answers."""

import pytest

from cases.models import Application
from cases.tests.factories import ApplicationFactory, defined_campaign, project_answers
from similarity.selectors import application_body
from similarity.services import application_check

pytestmark = pytest.mark.django_db

EMPTY_SECTIONS = dict(background="", analysis="", plan="", implementation="", evaluation="", reflection="")


def test_two_copied_project_applications_are_found_similar():
    campaign = defined_campaign("project_call")
    first = ApplicationFactory(
        campaign=campaign, status=Application.Status.SUBMITTED, answers=project_answers(), **EMPTY_SECTIONS
    )
    second = ApplicationFactory(
        campaign=campaign, status=Application.Status.SUBMITTED, answers=project_answers(), **EMPTY_SECTIONS
    )
    assert "怡园社区开展需求调研" in application_body(first)
    application_check(application_id=first.pk, recheck_sources=False)
    result = application_check(application_id=second.pk, recheck_sources=False)
    assert result.score > 0.5
