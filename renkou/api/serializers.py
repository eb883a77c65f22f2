from rest_framework import serializers

from renkou.geo.models import ServicePoint, Unit


class UnitSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_code = serializers.CharField(
        source="parent.code",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="县级单位为空",
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "level_display", "parent_code", "valid_from", "valid_to"]


class ServicePointSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(read_only=True)

    class Meta:
        model = ServicePoint
        fields = ["id", "unit_code", "kind", "name", "address", "phone", "is_active"]
