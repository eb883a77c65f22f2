"""Error pages: plain Chinese, never a traceback, SQL, setting name or the object's content."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from renkou.geo.scope import NOT_FOUND


def _api(request: HttpRequest) -> bool:
    """The REST API answers in JSON (its schema's Error object), pages in HTML."""
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = "请求的内容无法识别（可能含有不允许的字符），请检查输入后重试。"
    return render(request, "errors/error.html", {"code": 400, "message": message}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"code": 403, "message": "您没有执行此操作的权限。"},
        status=403,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    message = "页面或记录不存在，或不在您的管辖范围内。"
    return render(request, "errors/error.html", {"code": 404, "message": message}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    message = "系统出现错误，已记录。请稍后重试或联系管理员。"
    if _api(request):
        return JsonResponse({"detail": message}, status=500)
    return render(request, "errors/error.html", {"code": 500, "message": message}, status=500)
