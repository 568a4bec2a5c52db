"""The Content-Security-Policy allows no inline script; no template carries one."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATE_DIRS = [Path(settings.BASE_DIR)]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
ON_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def portal_templates():
    base = Path(settings.BASE_DIR)
    for path in sorted(base.glob("**/templates/**/*.html")):
        if ".venv" in path.parts or "var" in path.parts[len(base.parts) : len(base.parts) + 1]:
            continue
        if "/email/" in path.as_posix():
            continue  # e-mails are not pages; mail clients never run their scripts
        yield path


def test_no_template_has_an_inline_script_an_on_attribute_or_a_javascript_url():
    found = []
    for path in portal_templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, ON_ATTRIBUTE, JS_URL):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {match.group(0)[:80]}")
    assert not found, "\n".join(found)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script_or_eval(client, cast):
    client.force_login(cast.applicant_a)
    for url in (reverse("home"), reverse("cases:dashboard"), reverse("accounts:profile")):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_visitor_gets_the_policy_too(client):
    response = client.get(reverse("accounts:login"))
    assert _policy(response)["script-src"] == ["'self'"]
