"""The query-count fixture refuses a count measured on a page that did not answer 2xx."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_query_count_pinned_on_a_refused_page_fails(client, cast, django_assert_num_queries):
    client.force_login(cast.applicant_a, backend="django.contrib.auth.backends.ModelBackend")
    with pytest.raises(AssertionError, match="did not answer 2xx"):
        with django_assert_num_queries(100, exact=False):
            client.get("/accounts/manage/audit/")  # 403 for an applicant


def test_a_query_count_on_a_page_that_answers_passes(client, django_assert_num_queries):
    with django_assert_num_queries(100, exact=False):
        assert client.get("/").status_code == 200
