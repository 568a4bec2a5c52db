from django.conf import settings
from django.urls import reverse

from .selectors import user_roles


def portal(request):
    return {
        "portal_name": settings.PORTAL_NAME,
        "portal_organiser": settings.PORTAL_ORGANISER,
        "portal_organiser_contact": settings.PORTAL_ORGANISER_CONTACT,
        "roles": user_roles(getattr(request, "user", None)),
        "nav_public": [
            {"label": "社工节", "url": reverse("events:festival_list")},
            {"label": "活动日历", "url": reverse("events:calendar")},
            {"label": "评选活动", "url": reverse("cases:campaign_list")},
        ],
    }
