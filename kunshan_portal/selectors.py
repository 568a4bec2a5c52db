"""Reads of the portal's own settings."""

import logging

from django.core.cache import cache

from .models import SITE_SETTINGS_PK, SiteSettings

logger = logging.getLogger(__name__)

SITE_SETTINGS_CACHE_KEY = "sitesettings:current"
# The service drops the cached copy when it saves; the timeout only bounds how long a process with a cache of
# its own (laptop mode: runserver and run_periodic each hold a local-memory cache) may keep an old one.
SITE_SETTINGS_CACHE_SECONDS = 300


def site_settings() -> SiteSettings:
    """The portal's identity (站点设置): from the cache, or one query on a miss. Before staff first save the
    settings page, the unsaved row made from the server settings."""
    try:
        found = cache.get(SITE_SETTINGS_CACHE_KEY)
    except Exception:  # the cache is down: every page still knows whose portal it is
        logger.warning("site settings: cache unavailable, reading the database", exc_info=True)
        found = None
    if found is not None:
        return found
    found = SiteSettings.objects.filter(pk=SITE_SETTINGS_PK).first() or SiteSettings.from_server_settings()
    try:
        cache.set(SITE_SETTINGS_CACHE_KEY, found, SITE_SETTINGS_CACHE_SECONDS)
    except Exception:
        pass
    return found


def site_districts() -> list[str]:
    """区镇: the choices an organisation's or an activity's district is taken from."""
    return site_settings().district_list
