"""Policy of the task-quota pages (renkou/assessment/views.py) and of the target-responsibility
assessment (renkou/assessment/scheme_views.py).

Progress holds counts only (``reports.view_aggregate``: the worker roles and leaders); the name
lists behind the figures need ``people.view_person``; setting, copying and deleting quotas need
``assessment.manage_quota`` (county officers). Units and quotas outside the caller's subtree are
404.

Assessment schemes belong to a county and are read by every assessment role of that county
(``assessment.view_assessment``: township and county officers, inspectors, leaders; drafts
only by scheme makers), so their pages are not scoped by unit below the county (``scoped=False``,
the provider gives the caller's county's scheme). A score sheet names a unit (a township, or
the county for a county-level scheme): outside the caller's subtree it is 404. Making schemes
needs ``assessment.manage_scheme`` (county officers); manual scores, deductions and freezing
``assessment.assess`` (county officers and inspectors); the evidence of a manual score is a
document, not an aggregate: not for leaders.
"""

from datetime import date
from decimal import Decimal

from tests.authz_policy import GET_POST, INSP, LEAD, POST, WORKERS, C, Rule, T

COUNTY_ONLY = frozenset({C})
ASSESSMENT = frozenset({T, C, INSP, LEAD})
ASSESSORS = frozenset({C, INSP})

POLICY: dict[str, Rule] = {
    "assessment:overview": Rule(WORKERS | {LEAD}),
    "assessment:unit_progress": Rule(WORKERS | {LEAD}, obj="unit"),
    "assessment:names": Rule(WORKERS, obj="unit"),
    "assessment:quota_list": Rule(COUNTY_ONLY),
    "assessment:quota_create": Rule(COUNTY_ONLY, GET_POST),
    "assessment:quota_edit": Rule(COUNTY_ONLY, GET_POST, obj="quota"),
    "assessment:quota_copy": Rule(COUNTY_ONLY, POST, obj="quota"),
    "assessment:quota_delete": Rule(COUNTY_ONLY, POST, obj="quota"),
    "assessment:scheme_list": Rule(ASSESSMENT),
    "assessment:scheme_create": Rule(COUNTY_ONLY, POST),
    "assessment:mine": Rule(ASSESSMENT),
    "assessment:scheme_detail": Rule(ASSESSMENT, obj="scheme", scoped=False),
    "assessment:scheme_rename": Rule(COUNTY_ONLY, POST, obj="draftscheme", scoped=False),
    "assessment:scheme_copy": Rule(COUNTY_ONLY, POST, obj="scheme", scoped=False),
    "assessment:scheme_publish": Rule(COUNTY_ONLY, POST, obj="draftscheme", scoped=False),
    "assessment:scheme_delete": Rule(COUNTY_ONLY, POST, obj="draftscheme", scoped=False),
    "assessment:item_create": Rule(COUNTY_ONLY, GET_POST, obj="draftscheme", scoped=False),
    "assessment:item_edit": Rule(COUNTY_ONLY, GET_POST, obj="draftitem", scoped=False),
    "assessment:item_delete": Rule(COUNTY_ONLY, POST, obj="draftitem", scoped=False),
    "assessment:board": Rule(ASSESSMENT, obj="scheme", scoped=False),
    "assessment:board_export": Rule(ASSESSMENT, obj="scheme", scoped=False),
    "assessment:scores_freeze": Rule(ASSESSORS, POST, obj="scheme", scoped=False),
    "assessment:snapshot": Rule(ASSESSMENT, obj="snapshot", scoped=False),
    "assessment:sheet": Rule(ASSESSMENT, obj="sheet"),
    "assessment:sheet_export": Rule(ASSESSMENT, obj="sheet"),
    "assessment:manual_score": Rule(ASSESSORS, GET_POST, obj="manualitem"),
    "assessment:deduction_create": Rule(ASSESSORS, GET_POST, obj="sheet"),
    "assessment:deduction_withdraw": Rule(ASSESSORS, POST, obj="deduction"),
    "assessment:evidence": Rule(frozenset({T, C, INSP}), obj="evidence"),
    # Responsibility letters (issue 14 item 2): a township's own targets are set on the county's
    # draft (not scoped below the county, as the draft itself); the target row and the letter
    # name a township: outside the caller's subtree they are 404. Letters hold targets and
    # points, no person: every assessment role reads and prints those within its subtree; the
    # township officer acknowledges its own.
    "assessment:township_target_save": Rule(COUNTY_ONLY, POST, obj="draftscheme", scoped=False),
    "assessment:township_target_delete": Rule(COUNTY_ONLY, POST, obj="townshiptarget"),
    "assessment:letters_issue": Rule(COUNTY_ONLY, POST, obj="scheme", scoped=False),
    "assessment:letter_detail": Rule(ASSESSMENT, obj="letter"),
    "assessment:letter_acknowledge": Rule(frozenset({T}), POST, obj="letter"),
    "assessment:letter_pdf": Rule(ASSESSMENT, POST, obj="letter"),
    # PDFs of a score sheet and of the ranking, queued on the worker (item 8).
    "assessment:sheet_pdf": Rule(ASSESSMENT, POST, obj="sheet"),
    "assessment:ranking_pdf": Rule(ASSESSMENT, POST, obj="scheme", scoped=False),
    # Rankings (item 4): the townships across years (a township its own row) and the county
    # among the prefecture's counties, aggregates for every assessment role; the other counties'
    # figures are the county's (not scoped below it) and entered by county officers.
    "assessment:trend": Rule(ASSESSMENT),
    "assessment:prefecture": Rule(ASSESSMENT),
    "assessment:county_figure_save": Rule(COUNTY_ONLY, POST),
    "assessment:county_figure_delete": Rule(COUNTY_ONLY, POST, obj="countyfigure", scoped=False),
    "assessment:county_figures_import": Rule(COUNTY_ONLY, GET_POST),
    "assessment:county_figures_template": Rule(COUNTY_ONLY),
    # 领导责任档案 (item 7): a township's record (its 包乡领导, results and the county's dated
    # entries), aggregates and staff names: every assessment role within its subtree (a village
    # is refused with its township, as a sheet); entries are recorded by county officers.
    "assessment:responsibility_list": Rule(ASSESSMENT),
    "assessment:responsibility_detail": Rule(ASSESSMENT, obj="township"),
    "assessment:responsibility_entry_add": Rule(COUNTY_ONLY, POST, obj="township"),
}


def _quota(unit, user) -> int:
    """A fresh quota of ``unit`` (a POST may have deleted the last one)."""
    from renkou.assessment.models import TaskQuota

    measures = (
        "treatment",
        "treatment_all",
        "rh_check",
        "prepreg_exam",
        "prepreg_high_risk",
        "prepreg_early_followup",
        "prepreg_outcome_followup",
    )
    taken = set(TaskQuota.objects.filter(unit_code=unit.code).values_list("year", "measure"))
    year, measure = next((y, m) for y in range(2026, 2100) for m in measures if (y, m) not in taken)
    quota = TaskQuota.objects.create(
        year=year,
        unit_code=unit.code,
        measure=measure,
        target=Decimal(100),
        deadline=date(year, 9, 30),
    )
    return quota.pk


def _county_of(user) -> str:
    return (user.scope_prefix or "")[:6].ljust(12, "0")


def _assessed(unit):
    """The assessed unit holding ``unit``: a county or township itself, a village's township."""
    from renkou.geo.models import Unit

    if len(unit.prefix) > 9:
        return Unit.objects.get(code=unit.code[:9].ljust(12, "0"))
    return unit


def _make_scheme(county: str, *, published: bool, level: str = "township"):
    from renkou.assessment.models import Scheme, SchemeItem

    version = Scheme.objects.filter(unit_code=county, year=2027, level=level).count() + 1
    scheme = Scheme.objects.create(
        unit_code=county,
        year=2027,
        level=level,
        name="矩阵测试方案",
        status="published" if published else "draft",
        version=version if published else None,
    )
    SchemeItem.objects.create(
        scheme=scheme,
        number=1,
        group="组织领导",
        name="工作机制",
        points=Decimal(10),
        source="manual",
        target=None,
        rule={"type": "points"},
    )
    return scheme


def _scheme(unit, user) -> int:
    return _make_scheme(_county_of(user), published=True).pk


def _draft_scheme(unit, user) -> int:
    return _make_scheme(_county_of(user), published=False).pk


def _draft_item(unit, user) -> dict:
    scheme = _make_scheme(_county_of(user), published=False)
    return {"pk": scheme.pk, "item_pk": scheme.items.get().pk}


def _snapshot(unit, user) -> dict:
    from renkou.assessment.models import ScoreSnapshot

    scheme = _make_scheme(_county_of(user), published=True)
    ScoreSnapshot.objects.create(
        scheme=scheme, version=1, as_of=date(2027, 9, 30), reason="矩阵", data=[]
    )
    return {"pk": scheme.pk, "version": 1}


def _sheet(unit, user) -> dict:
    assessed = _assessed(unit)
    level = "county" if len(assessed.prefix) == 6 else "township"
    scheme = _make_scheme(assessed.code[:6].ljust(12, "0"), published=True, level=level)
    return {"pk": scheme.pk, "code": assessed.code}


def _manual_item(unit, user) -> dict:
    from renkou.assessment.models import Scheme

    found = _sheet(unit, user)
    found["item_pk"] = Scheme.objects.get(pk=found["pk"]).items.get().pk
    return found


def _deduction(unit, user) -> int:
    from renkou.assessment.models import Deduction, Scheme

    found = _sheet(unit, user)
    return Deduction.objects.create(
        scheme=Scheme.objects.get(pk=found["pk"]),
        unit_code=found["code"],
        points=Decimal(1),
        reason="矩阵",
    ).pk


def _evidence(unit, user) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from renkou.assessment import documents
    from renkou.assessment.models import ManualScore, Scheme

    found = _manual_item(unit, user)
    upload = SimpleUploadedFile("e.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    stored, ext, digest, _size = documents.store(upload)
    item = Scheme.objects.get(pk=found["pk"]).items.get()
    return ManualScore.objects.create(
        item=item,
        unit_code=found["code"],
        value=Decimal(5),
        reason="矩阵",
        evidence=stored,
        evidence_ext=ext,
        evidence_sha256=digest,
    ).pk


def _township_target(unit, user) -> int:
    """A township's own target on a draft of the county of ``unit``."""
    from renkou.assessment.models import TownshipTarget

    assessed = _assessed(unit)
    scheme = _make_scheme(assessed.code[:6].ljust(12, "0"), published=False)
    return TownshipTarget.objects.create(
        item=scheme.items.get(), unit_code=assessed.code, target=Decimal(80), reason="矩阵"
    ).pk


def _letter(unit, user) -> int:
    """A letter of a published scheme to the township holding ``unit`` (or the county)."""
    from renkou.assessment.models import Letter

    assessed = _assessed(unit)
    scheme = _make_scheme(assessed.code[:6].ljust(12, "0"), published=True)
    return Letter.objects.create(
        scheme=scheme,
        unit_code=assessed.code,
        wording="矩阵",
        county_signatory="县长",
        issued_on=date(2027, 1, 5),
    ).pk


def _county_figure(unit, user) -> int:
    from renkou.assessment.models import CountyFigure

    taken = CountyFigure.objects.count()
    return CountyFigure.objects.create(
        unit_code=_county_of(user),
        year=2027,
        county_name=f"邻县{taken}",
        measure="total",
        value=Decimal(90),
    ).pk


def _township_code(unit, user) -> dict:
    """The township holding ``unit`` (a county: its first township)."""
    from renkou.geo.constants import Level

    if unit.level == Level.COUNTY:
        unit = unit.children.filter(level=Level.TOWNSHIP).order_by("code").first()
    return {"code": _assessed(unit).code}


PROVIDERS = {
    "township": _township_code,
    "countyfigure": _county_figure,
    "townshiptarget": _township_target,
    "letter": _letter,
    "quota": _quota,
    "scheme": _scheme,
    "draftscheme": _draft_scheme,
    "draftitem": _draft_item,
    "snapshot": _snapshot,
    "sheet": _sheet,
    "manualitem": _manual_item,
    "deduction": _deduction,
    "evidence": _evidence,
}
