"""GET /api/v1/units/{code}/indicators/: the indicators of a unit for a period and scope, the same
JSON objects as ``manage.py indicators`` (docs/indicators.md). Aggregates only, so every role
with ``reports.view_aggregate`` may call it, for a unit of its subtree (else 404)."""

import re
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.views import APIView

from renkou.accounts.constants import Perm
from renkou.api.permissions import RolePermission
from renkou.assessment.indicators import BY_CODE as SERVICE_BY_CODE
from renkou.common import periods
from renkou.common.periods import PeriodError
from renkou.events.constants import SCOPE_BY_NAME
from renkou.geo.models import Unit
from renkou.geo.scope import get_visible_or_404
from renkou.reports.indicators import BIRTHS_BY, INDICATORS, OCCURRENCE
from renkou.reports.selectors import figure_rows

CODES = [i.code for i in INDICATORS]
SERVICE = list(SERVICE_BY_CODE)  # coverage rates of the services (issue 5), on request


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false``, as the schema says (not also 1, yes, on …)."""

    TRUE_VALUES = {"true"}
    FALSE_VALUES = {"false"}
    NULL_VALUES: set[str] = set()
    default_empty_html = empty  # absent from the query: the default, not False


class IndicatorQuerySerializer(serializers.Serializer):
    period = serializers.CharField(
        required=False,
        max_length=30,
        help_text="统计期间：2024（统计年度，或加 calendar=true 为日历年）、2024H1、2024Q1、"
        "2024-03；默认本统计年度；年份不早于统计数据开始后的第一个完整年度",
    )
    calendar = StrictBooleanField(required=False, default=False, help_text="年份按日历年（1—12月）")
    scope = serializers.ChoiceField(
        choices=sorted(SCOPE_BY_NAME), default="registered", help_text="人口口径：户籍、常住、管理"
    )
    indicator = serializers.ListField(
        child=serializers.ChoiceField(choices=[*CODES, *SERVICE]),
        required=False,
        help_text="只要这些指标",
    )
    sub_units = StrictBooleanField(required=False, default=False, help_text="同时给出各下级单位")
    births_by = serializers.ChoiceField(
        choices=list(BIRTHS_BY),
        default=OCCURRENCE,
        help_text="出生按发生日期（occurrence，默认）或报告日期（report：迟报的出生计入报告所在期间，"
        "统计报表的口径）统计",
    )

    def validate_period(self, value: str) -> str:
        if not re.fullmatch(periods.code_pattern(), value):
            first = periods.first_year()
            raise serializers.ValidationError(
                f"应为 2024、2024H1、2024Q1 或 2024-03 的形式，年份为 {first}—{periods.LAST_YEAR}"
            )
        return value


class IndicatorValueSerializer(serializers.Serializer):
    """One figure (documentation of the response; the objects are built by ``figure_rows``)."""

    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(help_text="12位单位代码")
    unit_name = serializers.CharField()
    measure_unit = serializers.CharField(help_text="‰、%、人，比值为空")
    period = serializers.CharField()
    period_label = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    target_year = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=sorted(SCOPE_BY_NAME))
    numerator = serializers.FloatField()
    denominator = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="按显示的小数位四舍五入")
    value_unrounded = serializers.FloatField(allow_null=True)
    value_display = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    target = serializers.FloatField(required=False)
    direction = serializers.ChoiceField(choices=["le", "ge"], required=False)
    met = serializers.BooleanField(required=False, allow_null=True)
    gap = serializers.FloatField(required=False, allow_null=True)
    interval_95 = serializers.ListField(
        child=serializers.FloatField(allow_null=True), required=False
    )
    pooled_3y = serializers.FloatField(required=False, allow_null=True)
    pooled_3y_births = serializers.IntegerField(required=False)
    births_by = serializers.ChoiceField(
        choices=list(BIRTHS_BY), required=False, help_text="出生按报告日期统计时为 report"
    )
    veto = serializers.BooleanField(
        required=False, help_text="服务覆盖指标：该单位本年度任务指标是否一票否决"
    )
    deadline = serializers.DateField(required=False, help_text="服务覆盖指标：任务指标的完成期限")
    summed = serializers.IntegerField(
        required=False, help_text="蓝氧治疗任务完成率：本单位无任务时合计的下级单位数"
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _first_error(errors: Any) -> str:
    if isinstance(errors, dict):
        name, value = next(iter(errors.items()))
        return f"{name}：{_first_error(value)}"
    if isinstance(errors, list) and errors:
        return _first_error(errors[0])
    return str(errors)


class UnitIndicatorsView(APIView):
    """The indicators of one unit (and optionally of its sub-units)."""

    permission_classes = [RolePermission]
    required_perm = Perm.VIEW_AGGREGATE

    @extend_schema(
        operation_id="unit_indicators",
        parameters=[IndicatorQuerySerializer],
        responses={200: IndicatorValueSerializer(many=True), 400: ErrorSerializer},
        summary="单位的统计指标",
    )
    def get(self, request: Any, code: str) -> Response:
        unit = get_visible_or_404(Unit.objects.current(), request.user, code=code)
        blank = sorted({name for name, values in request.query_params.lists() if "" in values})
        if blank:
            raise ParseError(f"{blank[0]}：参数不能为空")
        query = IndicatorQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ParseError(_first_error(query.errors))
        data = query.validated_data
        text = data.get("period") or str(periods.fp_year_of(timezone.localdate()))
        try:
            period = periods.parse(text, calendar=data["calendar"])
        except PeriodError as exc:
            raise ParseError(str(exc)) from exc
        rows = figure_rows(
            unit,
            period=period,
            calendar=data["calendar"],
            scope=SCOPE_BY_NAME[data["scope"]],
            codes=data.get("indicator") or CODES,
            sub_units=data["sub_units"],
            births_by=data["births_by"],
        )
        return Response(rows)
