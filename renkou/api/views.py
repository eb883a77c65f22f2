"""REST API v1: thin read endpoints over the same selectors and scoping chokepoint."""

from rest_framework import viewsets

from renkou.accounts.constants import Perm
from renkou.api.permissions import RolePermission
from renkou.api.serializers import ServicePointSerializer, UnitSerializer
from renkou.geo import selectors
from renkou.geo.models import ServicePoint, Unit


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units of the caller's subtree; a unit outside it is 404."""

    serializer_class = UnitSerializer
    permission_classes = [RolePermission]
    required_perm = Perm.VIEW_UNIT
    lookup_field = "code"
    lookup_value_regex = r"\d{12}"
    queryset = Unit.objects.none()  # schema only; requests use get_queryset

    def get_queryset(self):
        return selectors.units_visible(self.request.user).order_by("code")


class ServicePointViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ServicePointSerializer
    permission_classes = [RolePermission]
    required_perm = Perm.VIEW_UNIT
    queryset = ServicePoint.objects.none()  # schema only; requests use get_queryset

    def get_queryset(self):
        return selectors.service_points(self.request.user)
