"""Policy of the “两非” cases (renkou/cases, issue 18 item 2).

A case is a row about a unit (the township it concerns): township and county officers read,
open and handle cases within their subtree (outside it: 404); leaders read the figures only
(counts, no subject). Evidence is fetched by its own key, scoped like its case.
"""

from datetime import date

from tests.authz_policy import GET_POST, LEAD, POST, C, Rule, T

OFFICES = frozenset({T, C})

POLICY: dict[str, Rule] = {
    "cases:list": Rule(OFFICES),
    "cases:export": Rule(OFFICES),
    "cases:create": Rule(OFFICES, GET_POST),
    "cases:stats": Rule(frozenset({T, C, LEAD})),
    "cases:detail": Rule(OFFICES, obj="case"),
    "cases:edit": Rule(OFFICES, GET_POST, obj="case"),
    "cases:step_add": Rule(OFFICES, POST, obj="case"),
    "cases:evidence_upload": Rule(OFFICES, POST, obj="case"),
    "cases:refer": Rule(OFFICES, POST, obj="case"),
    "cases:close": Rule(OFFICES, POST, obj="case"),
    "cases:evidence_download": Rule(OFFICES, obj="case_evidence"),
}


def _township(unit):
    from renkou.geo.constants import Level

    if unit.level == Level.COUNTY:
        return unit.children.filter(level=Level.TOWNSHIP).order_by("code").first()
    if unit.level == Level.VILLAGE:
        return unit.parent
    return unit


def _case(unit, user) -> int:
    """A case about the township of ``unit`` (a county: its first township)."""
    from renkou.cases.models import Case

    township = _township(unit)
    seq = Case.objects.count() + 1
    row = Case.objects.create(
        year=2027,
        seq=seq,
        county_code=township.code[:6],
        unit_code=township.code,
        source="inspection",
        subject_type="institution",
        subject_kind="clinic",
        subject_name="矩阵诊所",
        facts="矩阵测试",
        opened_on=date(2027, 3, 1),
        deadline=date(2027, 4, 30),
    )
    return row.pk


def _evidence(unit, user) -> int:
    """A piece of evidence of a case about the township of ``unit`` (its file stored under the
    benefit documents' rules)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from renkou.benefits import documents
    from renkou.cases.models import Case, Evidence

    case = Case.objects.get(pk=_case(unit, user))
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")
    stored, ext, digest, size = documents.store(upload)
    row = Evidence.objects.create(
        case=case,
        unit_code=case.unit_code,
        title="现场照片",
        stored=stored,
        ext=ext,
        size=size,
        sha256=digest,
    )
    return row.pk


PROVIDERS = {"case": _case, "case_evidence": _evidence}
