"""Tiny readers for settings from the environment.

Each fails loudly, naming the variable, so a bad value stops start-up instead of
running with a surprise default (the healthchecks habit).
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 不是布尔值（应为 1/0、true/false、yes/no）。")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 不是整数。") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, schemes: tuple[str, ...]) -> str | None:
    """A URL whose scheme must be one of `schemes`; unset or empty gives None."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in schemes:
        allowed = "、".join(schemes)
        raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 的协议应为 {allowed} 之一。")
    return raw


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (case-insensitive); unset or empty gives the default."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        allowed = "、".join(choices)
        raise ImproperlyConfigured(f"环境变量 {name}={raw!r} 应为 {allowed} 之一。")
    return raw


def env_required(name: str, reason: str) -> str:
    """A variable that must be set (and not empty) because another setting needs it."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        raise ImproperlyConfigured(f"{reason}：必须设置环境变量 {name}。")
    return raw
