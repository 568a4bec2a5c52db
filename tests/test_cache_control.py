"""Personal pages and files are never kept by a cache; public pages stay cacheable."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory
from awards.tests.factories import ObjectionFactory
from cases.tests.factories import ApplicationFactory, add_attachment, add_photo
from kunshan_portal.middleware import PrivateCacheControlMiddleware


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
def test_every_page_for_a_logged_in_user_is_private_and_not_stored(client, cast):
    client.force_login(cast.applicant_a)
    for url in (reverse("home"), reverse("cases:dashboard"), reverse("accounts:profile")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= directives(response), url


@pytest.mark.django_db
def test_public_pages_for_a_visitor_carry_no_no_store(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert "private" not in directives(response)


@pytest.mark.django_db
def test_an_applicants_files_are_private_and_not_stored(client, cast):
    application = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)
    photo = add_photo(application)
    attachment = add_attachment(application)
    client.force_login(cast.applicant_a)
    urls = [
        reverse("cases:photo_file", args=[application.pk, photo.pk]),
        reverse("cases:photo_file", args=[application.pk, photo.pk]) + "?size=thumb",
        reverse("cases:attachment_file", args=[application.pk, attachment.pk]),
        reverse("cases:application_docx", args=[application.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= directives(response), url


@pytest.mark.django_db
def test_an_objection_receipt_is_private_and_not_stored_even_for_a_visitor(client):
    objection = ObjectionFactory(tracking_number="YY7Q2K9D")
    response = client.get(reverse("awards:objection_receipt", args=[objection.tracking_number]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


@pytest.mark.django_db
def test_a_response_that_sets_its_own_cache_control_keeps_it():
    request = RequestFactory().get("/")
    request.user = UserFactory()

    def public_file(request):
        response = HttpResponse(b"png")
        response["Cache-Control"] = "public, max-age=86400"
        return response

    response = PrivateCacheControlMiddleware(public_file)(request)
    assert response["Cache-Control"] == "public, max-age=86400"
