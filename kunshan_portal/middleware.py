"""Request and response rules that hold for every page of the portal."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control


class RejectNulBytesMiddleware:
    """A NUL byte never belongs in a URL; PostgreSQL refuses it in any string, so a path value or
    query parameter carrying one would turn into a 500 wherever a view looks it up.
    In the path it is a page that cannot exist (404); in the query string a bad request (400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or "\x00" in request.path:
            raise Http404("页面不存在。")
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            raise BadRequest("请求参数无效。")
        return self.get_response(request)


class PrivateCacheControlMiddleware:
    """Pages shown to a logged-in user are personal: no shared cache (a proxy) and no browser cache
    (the back button after logout, a shared office computer) may keep them. A response that already
    says how it may be cached (a public file, a static asset) keeps its own header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body (files included) is above UPLOAD_MAX_REQUEST_BYTES before a byte
    of it is read. Django's DATA_UPLOAD_MAX_MEMORY_SIZE bounds the form fields only, not the files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_REQUEST_BYTES
        if length > limit:
            message = f"提交的内容太大（{length / 1048576:.0f} MB），一次最多 {limit / 1048576:.0f} MB。请分几次上传。"
            if "application/json" in request.headers.get("Accept", ""):
                return JsonResponse({"ok": False, "error": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
