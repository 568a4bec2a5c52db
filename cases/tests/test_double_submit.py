"""A double-clicked submit sends the same form twice: both answers end on the application's page
with the success message, never on a 409 "stale draft" page; a real conflict is still refused."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditEvent
from cases.models import Application
from cases.tests.factories import ApplicationFactory
from cases.tests.test_views import form_data

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _show(client, response):
    """Follow a redirect, as the browser does: the page shows (and so uses up) the messages."""
    client.get(response["Location"])


def test_the_second_of_two_identical_submits_lands_on_the_application_with_the_success_message(client_a, draft):
    url = reverse("cases:application_edit", args=[draft.pk])
    data = form_data(draft, action="submit")
    first = client_a.post(url, data)
    _show(client_a, first)
    second = client_a.post(url, data)
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED
    for response in (first, second):
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:application_detail", args=[draft.pk])
    assert any(f"申报已提交，申报编号 {draft.reference}" in m for m in _messages(second))
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_SUBMIT).count() == 1


def test_a_submit_arriving_after_its_twins_draft_save_submits_instead_of_answering_409(client_a, draft):
    """The twin has saved the draft (version + 1) but not yet submitted: same content, so no conflict."""
    url = reverse("cases:application_edit", args=[draft.pk])
    _show(client_a, client_a.post(url, form_data(draft, action="save")))
    response = client_a.post(url, form_data(draft, action="submit"))  # still carries the old version
    draft.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:application_detail", args=[draft.pk])
    assert draft.status == Application.Status.SUBMITTED
    assert any("申报已提交" in m for m in _messages(response))


def test_a_stale_submit_with_other_content_is_still_refused_as_a_conflict(client_a, draft):
    url = reverse("cases:application_edit", args=[draft.pk])
    client_a.post(url, form_data(draft, action="save", title="另一个窗口里改过的标题"))
    response = client_a.post(url, form_data(draft, action="submit", title="这个窗口里的标题"))
    draft.refresh_from_db()
    assert response.status_code == 409
    assert draft.status == Application.Status.DRAFT and draft.title == "另一个窗口里改过的标题"


def test_a_late_submit_with_other_content_after_submission_says_it_is_locked_not_500(client_a, draft):
    url = reverse("cases:application_edit", args=[draft.pk])
    _show(client_a, client_a.post(url, form_data(draft, action="submit")))
    response = client_a.post(url, form_data(draft, action="submit", title="提交后才改的标题"))
    draft.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:application_detail", args=[draft.pk])
    assert draft.title != "提交后才改的标题"
    assert not any("申报编号" in m for m in _messages(response))


@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_identical_submits_all_land_on_the_application(cast):
    """The attack run's double clicks, at once: every answer is the success page, one submission."""
    import threading

    from django.db import connections
    from django.test import Client

    from tests.fixtures import require_postgresql

    require_postgresql("SQLite 串行化所有写入，并发提交只在 PostgreSQL 上有意义（CI 使用 PostgreSQL）。")
    draft = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a)
    url = reverse("cases:application_edit", args=[draft.pk])
    data = form_data(draft, action="submit")
    clients = []
    for _ in range(5):
        client = Client()
        client.force_login(cast.applicant_a)
        clients.append(client)
    barrier = threading.Barrier(5)
    answers, errors = [], []

    def submit(client):
        try:
            barrier.wait()
            response = client.post(url, data)
            answers.append((response.status_code, response.get("Location")))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    detail = reverse("cases:application_detail", args=[draft.pk])
    assert answers == [(302, detail)] * 5
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_SUBMIT).count() == 1
