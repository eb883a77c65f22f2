"""OpenAPI post-processing: every operation documents the error answers it can give."""

from typing import Any

from renkou.common import periods

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
ERRORS = {
    "400": "参数有误（说明见 detail）",
    "401": "未登录或令牌无效",
    "403": "无此操作权限",
    "404": "记录不存在、不在管辖范围内，或页码超出范围",
}


def add_period_pattern(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The indicators' ``period`` takes the codes ``common.periods.code_pattern`` names (its
    first year follows ``RENKOU_STATS_START``, so the pattern is made when the schema is)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if (
                    operation.get("operationId") == "unit_indicators"
                    and parameter["name"] == "period"
                ):
                    parameter["schema"]["pattern"] = periods.code_pattern()
    return result


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            for code, text in ERRORS.items():
                if code == "400" and not takes_query:
                    continue
                content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                responses.setdefault(code, {"description": text, "content": content})
    return result
