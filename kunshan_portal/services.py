"""Writes of the portal's own settings."""

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.audit import audit_record
from accounts.models import AuditEvent, User

from .models import SITE_SETTINGS_PK, SiteSettings
from .public_cache import public_pages_all_changed
from .selectors import SITE_SETTINGS_CACHE_KEY

SITE_FIELDS = ("name", "issuing_body", "contact", "districts", "logo", "seal")


def _site_settings_forget() -> None:
    cache.delete(SITE_SETTINGS_CACHE_KEY)


def site_settings_update(
    *, site: SiteSettings, by: User, request=None, remove_logo: bool = False, remove_seal: bool = False
) -> SiteSettings:
    """Saves the portal's identity (门户信息) as the one row, records who changed which fields in the audit
    log, and drops the cached copy and every cached public page (now and again on commit, so a page read in
    between is not kept). A replaced or removed logo or seal file is deleted from the storage once committed."""
    with transaction.atomic():
        before = SiteSettings.objects.select_for_update().filter(pk=SITE_SETTINGS_PK).first()
        before = before or SiteSettings.from_server_settings()
        site.pk = SITE_SETTINGS_PK
        if remove_logo:
            site.logo = ""
        if remove_seal:
            site.seal = ""
        site.full_clean()
        site.save()
        changed = [
            str(SiteSettings._meta.get_field(name).verbose_name)
            for name in SITE_FIELDS
            if str(getattr(before, name) or "") != str(getattr(site, name) or "")
        ]
        audit_record(
            kind=AuditEvent.Kind.OTHER,
            request=request,
            user=by,
            obj=site,
            detail="修改门户信息：" + ("、".join(changed) if changed else "未改动"),
        )
        orphans = [
            str(getattr(before, name))
            for name in ("logo", "seal")
            if getattr(before, name) and str(getattr(before, name)) != str(getattr(site, name) or "")
        ]
        _site_settings_forget()
        transaction.on_commit(_site_settings_forget)
        public_pages_all_changed()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in orphans])
    return site
