"""Every URL of the portal answers every role as its table says (see permission_table.py)."""

from types import SimpleNamespace

import pytest
from django.contrib.admin import site as admin_site
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permission_table import LOGIN, ROLES
from tests.permission_tables import (
    accounts,
    awards,
    cases,
    evaluations,
    events,
    insights,
    notifications,
    portal,
    reviews,
    similarity,
    workspace,
)

# build order: later tables may use earlier objects
TABLES = (
    accounts,
    events,
    cases,
    similarity,
    reviews,
    awards,
    evaluations,
    notifications,
    insights,
    portal,
    workspace,
)
ADMIN_NAMESPACE = "admin"


def all_url_names(resolver=None, prefix=""):
    """Every named URL pattern reachable from the root resolver, as "namespace:name"."""
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace
            if namespace == ADMIN_NAMESPACE:
                continue  # the admin has its own test below
            new_prefix = f"{prefix}{namespace}:" if namespace else prefix
            names |= all_url_names(entry, new_prefix)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL pattern {entry.pattern} has no name: name it and add it to the permission table"
            names.add(prefix + entry.name)
    return names


def table_rows():
    rows = {}
    for table in TABLES:
        for key, value in table.ROWS.items():
            assert key not in rows, f"{key} appears in two permission tables"
            rows[key] = value
    return rows


ROWS = table_rows()


def test_every_url_has_a_row_in_the_permission_table():
    names = all_url_names()
    covered = {key.split("#")[0] for key in ROWS}
    missing = sorted(names - covered)
    assert not missing, f"URLs without a permission-table row: {missing}"
    stale = sorted(covered - names)
    assert not stale, f"permission-table rows for URLs that no longer exist: {stale}"


def test_every_row_names_every_role():
    for key, row in ROWS.items():
        assert set(row.expect) == set(ROLES), key


@pytest.fixture
def world(cast):
    w = SimpleNamespace(cast=cast)
    for table in TABLES:
        table.build(w)
    return w


def _user_for(role, cast):
    return None if role == "anonymous" else getattr(cast, role)


def _answer(response):
    if response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(ROWS))
def test_url_answers_each_role_as_the_table_says(client, world, key):
    row = ROWS[key]
    name = key.split("#")[0]
    url = reverse(name, kwargs=row.kwargs(world))
    got = {}
    for role in ROLES:
        client.logout()
        user = _user_for(role, world.cast)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = getattr(client, row.method)(url, row.data(world))
        got[role] = _answer(response)
    assert got == row.expect


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_staff_only(client, world, role):
    """The data-maintenance admin: every registered model's list, for every role."""
    user = _user_for(role, world.cast)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin_site._registry
    ]
    for url in urls:
        response = client.get(url)
        if role in ("staff", "superuser"):
            assert response.status_code == 200, url
            if url == reverse("admin:index"):
                # Staff see every app they manage on the index, not "no permission".
                listed = {app["app_label"] for app in response.context["app_list"]}
                assert {m._meta.app_label for m in admin_site._registry} <= listed
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
