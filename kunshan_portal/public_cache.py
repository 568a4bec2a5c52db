"""Public pages (home, campaign, publicity, results, festival, calendar, certificate check) served to anonymous
visitors from Django's cache, so that the day the list is announced costs one cache read per visitor.

A page's key is its full path plus the "generation" numbers of what it shows: "site" for the pages that list
everything (home, festival list, calendar, certificate check), "campaign:<slug>" and "festival:<slug>" for
one campaign's or one festival's pages, and "portal" for every page (the portal's name, logo and issuing body,
changed on the settings page, are on all of them). The services that change what a page shows call
`public_pages_changed(...)` (or `public_pages_all_changed()`), which bumps those numbers, so old entries are
never read again and expire.
Anything that moves with the clock alone (a window opening at its date) shows within PUBLIC_PAGE_CACHE_SECONDS.

Never cached: a logged-in user's page (the nav differs; PrivateCacheControlMiddleware keeps it private,
no-store), a visitor carrying a session or a flash message, anything but a 200, and a page that put a CSRF
token in its HTML: that token belongs to one visitor's cookie (the objection form has its own page for that
reason, so the publicity list is cached while the window is open).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

SITE = "site"
PORTAL = "portal"  # every public page: the site settings shown on all of them
KEY_PREFIX = "publicpage"


def campaign_scope(slug: str) -> str:
    return f"campaign:{slug}"


def festival_scope(slug: str) -> str:
    return f"festival:{slug}"


def _generation_key(scope: str) -> str:
    return f"{KEY_PREFIX}:gen:{scope}"


def generations(scopes: Iterable[str]) -> str:
    """The current generation of each scope, joined: part of a page's key."""
    keys = [_generation_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    return ".".join(str(found.get(key, 0)) for key in keys)


def _bump(scopes: list[str]) -> None:
    for scope in scopes:
        key = _generation_key(scope)
        if not cache.add(key, 1, timeout=None):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=None)


def public_pages_changed(*, campaign=None, festival=None) -> None:
    """What the public sees of this campaign or festival (and so the site-wide pages) changed: their cached
    pages are dropped now, and again when the transaction commits, so a visitor who read the old rows in
    between cannot keep them in the cache."""
    scopes = [SITE]
    if campaign is not None:
        scopes.append(campaign_scope(campaign.slug))
        festival = festival or getattr(campaign, "festival", None)
    if festival is not None:
        scopes.append(festival_scope(festival.slug))
    _bump(scopes)
    transaction.on_commit(lambda: _bump(scopes))


def public_pages_all_changed() -> None:
    """Every public page changed (the portal's own name, logo or issuing body): all of them are dropped now
    and again when the transaction commits."""
    _bump([PORTAL])
    transaction.on_commit(lambda: _bump([PORTAL]))


def _cacheable_request(request) -> bool:
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated:
        return False
    # A session (a half-finished sign-up, a language choice) or a flash message makes the page personal.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request, "_messages", None)
    )


def _public_response(request, entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["stored_at"])
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return get_conditional_response(request, etag=entry["etag"], last_modified=entry["stored_at"], response=response)


def cached_for_visitors(scopes: Callable[..., list[str]]):
    """Serve the view's page to anonymous visitors from the cache. `scopes(**view_kwargs)` names the
    generations the page depends on."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            language = getattr(request, "LANGUAGE_CODE", "")
            key = f"{KEY_PREFIX}:page:{language}:{request.get_full_path()}:{generations([*scopes(**kwargs), PORTAL])}"
            key = f"{KEY_PREFIX}:page:{hashlib.sha256(key.encode()).hexdigest()}"
            entry = cache.get(key)
            if entry is None:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                if not _storable(request, response):
                    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                        # The page carries this visitor's CSRF token: no shared cache may keep it.
                        patch_cache_control(response, private=True, no_cache=True)
                    return response
                entry = {
                    "content": response.content,
                    "content_type": response["Content-Type"],
                    "etag": f'"{hashlib.sha256(response.content).hexdigest()[:32]}"',
                    "stored_at": int(time.time()),
                }
                cache.set(key, entry, settings.PUBLIC_PAGE_CACHE_SECONDS)
            return _public_response(request, entry)

        return wrapped

    return decorator


def site_scopes(**_) -> list[str]:
    return [SITE]


def campaign_scopes(*, slug, **_) -> list[str]:
    return [campaign_scope(slug)]


def festival_scopes(*, slug, **_) -> list[str]:
    return [festival_scope(slug)]


class PublicPagesAdminMixin:
    """Admin saves and deletions of a record the public pages show drop those pages. save_related runs after
    save_model and the inlines (the festival's organising units), so the pages are dropped once all is written."""

    def public_pages_changed(self, obj) -> None:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.public_pages_changed(form.instance)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.public_pages_changed(obj)

    def delete_queryset(self, request, queryset):
        objs = list(queryset)
        super().delete_queryset(request, queryset)
        for obj in objs:
            self.public_pages_changed(obj)
