"""/api/v1/: the router's endpoints and the OpenAPI schema.

Authentication happens inside DRF (session or token), so these views are exempt from
LoginRequiredMiddleware and answer 401/403 themselves instead of redirecting to the login page.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from renkou.api import indicators, views
from renkou.api.permissions import SignedIn

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("service-points", views.ServicePointViewSet, basename="servicepoint")

urlpatterns = [
    *router.urls,
    re_path(
        r"^units/(?P<code>\d{12})/indicators/$",
        indicators.UnitIndicatorsView.as_view(),
        name="unit-indicators",
    ),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[SignedIn]), name="schema"),
]

for pattern in urlpatterns:
    callback = pattern.callback
    callback.login_required = False
    view_class = getattr(callback, "cls", None)
    perm = getattr(view_class, "required_perm", None)
    callback.renkou_policy = ("api", (perm,) if perm else ())
