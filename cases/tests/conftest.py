"""Fixtures the cases tests share: applicant A's draft and a client logged in as applicant A."""

import pytest

from cases.tests.factories import ApplicationFactory


@pytest.fixture
def draft(cast):
    return ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)


@pytest.fixture
def client_a(client, cast):
    client.force_login(cast.applicant_a)
    return client
