from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from awards.views import verify_view
from events.views import HomeView
from kunshan_portal.health import healthz_view, readyz_view

admin.site.site_header = settings.PORTAL_NAME + " · 数据维护"
admin.site.site_title = settings.PORTAL_NAME
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
    path("verify/<str:code>/", verify_view, name="verify"),
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
