"""The client of a request: its address as the login lock-out sees it, and limits per address."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The visitor's address as the login lock-out sees it (django-axes through django-ipware,
    configured by PROXY_COUNT / PROXY_CLIENT_IP_HEADER): the audit log and every per-address
    limit count the same address."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or None


def ip_throttle_hit(request, *, scope: str, limit: int, window_seconds: int, count: bool = True) -> bool:
    """Count one attempt of `scope` from the request's address; True once there were more than
    `limit` in the current window (so the caller refuses it). With `count=False` it only looks.
    The cache being down never refuses anybody: it is logged and the attempt let through."""
    key = f"throttle:{scope}:{client_ip(request) or 'unknown'}"
    try:
        if not count:
            return (cache.get(key) or 0) >= limit
        if cache.add(key, 1, timeout=window_seconds):
            hits = 1
        else:
            try:
                hits = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window_seconds)
                hits = 1
    except Exception:  # the cache (Redis) is down: the per-account lock-out still holds
        logger.warning("按地址限流不可用（缓存无法访问），本次请求未限流：%s", scope, exc_info=True)
        return False
    return hits > limit
