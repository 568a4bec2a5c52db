"""The admin's date widgets do not show "你比服务器时间滞后 8 个小时": every time is Asia/Shanghai."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_pages_load_the_stylesheet_that_hides_the_timezone_note(client, cast):
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(reverse("admin:cases_campaign_add")).content.decode()
    assert 'href="/static/css/admin-portal.css"' in html
    assert "forms.css" in html  # the change form's own styles still load (block.super kept)
    css = Path(finders.find("css/admin-portal.css")).read_text(encoding="utf-8")
    assert ".timezonewarning { display: none !important; }" in css
