"""Project-wide request guards."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse


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
