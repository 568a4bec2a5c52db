import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control

from accounts.permissions import permission_required

from .forms import SiteSettingsForm
from .models import SITE_SETTINGS_PK, SiteSettings
from .selectors import site_settings
from .services import site_settings_update


def csrf_failure(request, reason=""):
    """A Chinese page for an expired form, never Django's English debug text."""
    return render(request, "403_csrf.html", status=403)


@permission_required("kunshan_portal.change_sitesettings")
def site_settings_view(request):
    """系统设置 → 门户信息: staff change the portal's name, issuing body, contact, 区镇, logo and seal."""
    site = SiteSettings.objects.filter(pk=SITE_SETTINGS_PK).first() or SiteSettings.from_server_settings()
    # What is stored now, for the previews: validating the form puts the new uploads on `site` before they are saved.
    stored = {"logo": bool(site.logo), "seal": bool(site.seal), "version": site.updated_at}
    posted = request.method == "POST"
    form = SiteSettingsForm(request.POST if posted else None, request.FILES if posted else None, instance=site)
    if posted and form.is_valid():
        try:
            site_settings_update(
                site=form.instance,
                by=request.user,
                request=request,
                remove_logo=form.cleaned_data.get("remove_logo", False),
                remove_seal=form.cleaned_data.get("remove_seal", False),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "门户信息已保存，各页面、邮件和此后生成的证书将使用新的信息。")
            return redirect("portal_settings")
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "stored": stored, "files_dropped": posted and bool(request.FILES)}
    return render(request, "kunshan_portal/site_settings.html", context, status=status)


def _image_response(name: str):
    if not name or not default_storage.exists(name):
        raise Http404("未上传该图片。")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(default_storage.open(name, "rb"), content_type=content_type)


@cache_control(public=True, max_age=3600)  # the URL carries the settings' version (?v=), so a new logo shows at once
@permission_required(login_required=False)
def site_logo_view(request):
    """The portal's logo, shown to everyone in the navigation bar."""
    return _image_response(site_settings().logo.name)


@cache_control(private=True, no_store=True)
@permission_required("kunshan_portal.view_sitesettings")
def site_seal_view(request):
    """The seal image: staff only (it is printed on certificates, never shown on a public page)."""
    return _image_response(site_settings().seal.name)
