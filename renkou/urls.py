"""Root URL configuration. Every view declares its policy (common.permissions)."""

from django.urls import include, path

from renkou.system import views as system_views

urlpatterns = [
    path("", system_views.home, name="home"),
    path("accounts/", include("renkou.accounts.urls")),
    path("geo/", include("renkou.geo.urls")),
    path("people/", include("renkou.people.urls")),
    path("events/", include("renkou.events.urls")),
    path("programs/", include("renkou.programs.urls")),
    path("benefits/", include("renkou.benefits.urls")),
    path("todo/", include("renkou.todo.urls")),
    path("supervision/", include("renkou.supervision.urls")),
    path("tipoffs/", include("renkou.tipoffs.urls")),
    path("floating/", include("renkou.floating.urls")),
    path("assessment/", include("renkou.assessment.urls")),
    path("reports/", include("renkou.reports.urls")),
    path("cases/", include("renkou.cases.urls")),
    path("system/", include("renkou.system.urls")),
    path("api/v1/", include("renkou.api.urls")),
]

handler400 = "renkou.system.errors.bad_request"
handler403 = "renkou.system.errors.forbidden"
handler404 = "renkou.system.errors.not_found"
handler500 = "renkou.system.errors.server_error"
