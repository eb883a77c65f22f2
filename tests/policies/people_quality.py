"""Data quality and the duplicate queue (renkou.people.quality_views).

Viewing needs 数据质量 (village, township and county registrars, inspectors); merging and
marking 不是同一人 need 处理重复人员 (the county registrar). Units and pairs outside the
caller's subtree are 404.
"""

from tests.authz_policy import INSP, POST, C, Rule, T, V

QUALITY = frozenset({V, T, C, INSP})
MERGE = frozenset({C})

POLICY: dict[str, Rule] = {
    "people:quality": Rule(QUALITY),
    "people:quality_unit": Rule(QUALITY, obj="unit"),
    "people:quality_list": Rule(QUALITY, obj="unit", notes="without ?check= redirects to the page"),
    "people:duplicate_list": Rule(QUALITY),
    "people:duplicate_detail": Rule(QUALITY, obj="duplicate"),
    "people:duplicate_merge": Rule(MERGE, POST, obj="duplicate"),
    "people:duplicate_distinct": Rule(MERGE, POST, obj="duplicate"),
}
