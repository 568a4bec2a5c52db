from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy

from awards.views import verify_view
from events.views import HomeView
from kunshan_portal.health import healthz_view, readyz_view
from kunshan_portal.selectors import site_settings
from kunshan_portal.views import site_logo_view, site_seal_view, site_settings_view

# Read when a page is drawn, not at start-up: the portal's name is a site setting staff change on a page.
admin.site.site_header = lazy(lambda: site_settings().name + " · 数据维护", str)()
admin.site.site_title = lazy(lambda: site_settings().name, str)()
admin.site.index_title = "数据维护"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("accounts.urls")),
    path("festivals/", include("events.urls")),
    path("cases/", include("cases.urls")),
    path("similarity/", include("similarity.urls")),
    path("reviews/", include("reviews.urls")),
    path("notifications/", include("notifications.urls")),
    path("awards/", include("awards.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("insights/", include("insights.urls")),
    path("staff/campaigns/", include("workspace.urls")),
    path("verify/<str:code>/", verify_view, name="verify"),
    path("manage/portal/", site_settings_view, name="portal_settings"),
    path("manage/portal/seal/", site_seal_view, name="portal_seal"),
    path("portal/logo/", site_logo_view, name="portal_logo"),
    path("admin/", admin.site.urls),
    # For the load balancer and monitoring: no login, no cache, nothing but check names and ok/fail.
    path("healthz", healthz_view, name="healthz"),
    path("readyz", readyz_view, name="readyz"),
]

# No /media/ route: every uploaded file is served by a view that checks who may see it.

if settings.BENCH_FLOOR:
    # bench/pages.py's floor: the cheapest view through the whole middleware stack, in the same gunicorn run.
    from django.http import HttpResponse

    def _bench_floor(request):
        return HttpResponse("ok", content_type="text/plain")

    urlpatterns.append(path("__bench/floor/", _bench_floor, name="bench_floor"))
