from django.urls import reverse

from kunshan_portal.selectors import site_settings

from .selectors import user_roles


def portal(request):
    site = site_settings()  # the bureau's own settings page (站点设置), cached
    return {
        "site": site,
        "portal_name": site.name,
        "portal_organiser": site.issuing_body,
        "portal_organiser_contact": site.contact,
        "portal_logo_url": f"{reverse('portal_logo')}?v={int(site.updated_at.timestamp())}" if site.logo else "",
        "roles": user_roles(getattr(request, "user", None)),
        "nav_public": [
            {"label": "社工节", "url": reverse("events:festival_list")},
            {"label": "活动日历", "url": reverse("events:calendar")},
            {"label": "评选活动", "url": reverse("cases:campaign_list")},
        ],
    }
