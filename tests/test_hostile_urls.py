"""Every URL pattern answers hostile path values (a NUL byte, junk) with 400/404, never 500.

PostgreSQL refuses a NUL inside a string literal, so a `<str:...>` value with %00 that reaches a
query used to raise a 500 (`/verify/%00/`, `/awards/objections/%00abc/`).
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
SAFE_VALUES = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001"}
HOSTILE = ["%00", "%00abc", "abc%00", "%C0%AF", "a" * 300]


def route_templates(resolver=None, prefix=""):
    """The route of every pattern written with path() (the admin's regex routes are skipped)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from route_templates(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def hostile_paths():
    """Each route once per hostile value, put in every str/slug/path kwarg (others get a valid value)."""
    paths = set()
    for route in route_templates():
        converters = [m.group("converter") or "str" for m in CONVERTER.finditer(route)]
        if not any(c in ("str", "slug", "path") for c in converters):
            continue
        for value in HOSTILE:

            def fill(match, value=value):
                converter = match.group("converter") or "str"
                return SAFE_VALUES.get(converter, value)

            paths.add("/" + CONVERTER.sub(fill, route))
    return sorted(paths)


PATHS = hostile_paths()


def test_the_walk_covers_the_reported_urls():
    assert "/verify/%00/" in PATHS
    assert "/awards/objections/%00abc/" in PATHS


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "applicant_a", "staff"])
def test_no_url_answers_500_to_a_nul_or_junk_path_value(client, cast, role):
    client.raise_request_exception = False
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    failures = []
    for path in PATHS:
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path} → {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_a_nul_in_the_query_string_is_a_bad_request_not_a_server_error(client, cast):
    client.raise_request_exception = False
    client.force_login(cast.staff)
    response = client.get("/cases/staff/applications/?q=%00")
    assert response.status_code == 400
