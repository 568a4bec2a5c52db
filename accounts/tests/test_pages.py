import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_an_unknown_page_answers_a_chinese_404_that_leaks_nothing(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    for leak in ("Traceback", "urlpatterns", "URLconf", "kunshan_portal.urls", "DEBUG"):
        assert leak not in html


def test_the_500_page_is_chinese_and_standalone():
    html = render_to_string("500.html")
    assert "系统暂时出错" in html and "Traceback" not in html


def test_an_expired_form_gets_a_chinese_page(cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "x@example.cn", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_an_idle_session_expires_after_thirty_minutes(client, cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("accounts:login"), {"username": cast.applicant_a.email, "password": cast.password})
        assert client.get(reverse("accounts:profile")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get(reverse("accounts:profile")).status_code == 200  # activity renews the session
    with time_machine.travel(start + dt.timedelta(minutes=29 + 20), tick=False):
        assert client.get(reverse("accounts:profile")).status_code == 200  # 49 min after login, 20 idle
    with time_machine.travel(start + dt.timedelta(minutes=49 + 31), tick=False):
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_footer_names_the_organising_body(client, settings):
    settings.PORTAL_ORGANISER = "昆山市民政局"
    assert "主办单位：昆山市民政局" in client.get("/").content.decode()
