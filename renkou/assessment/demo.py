"""The demo county's assessment (issue 14 item 9): the current FP year's county-to-township
scheme made from the 国优 template and published, and a few manual scores with their reasons,
so the board shows live scores from the demo register (the vetoes are whatever the demo's
figures trigger: a township behind its 蓝氧 or pre-pregnancy quota, or above the growth-rate
target). The first township's 早孕随访率 target is lowered with a reason before publishing;
letters go to every township, about half of them acknowledged. Idempotent: a published
template scheme of the year is left as it is."""

from datetime import date
from decimal import Decimal

from renkou.assessment import letters, services, template
from renkou.assessment.models import ManualScore, Scheme
from renkou.common import dates
from renkou.common.actors import Actor
from renkou.common.periods import fp_year_of
from renkou.geo.constants import Level, full_code
from renkou.geo.models import Unit

# Manual items scored for every township: (item number, share of the points, reason).
MANUAL = (
    (1, Decimal("1"), "党政主要领导专题研究人口计生工作，会议纪要齐全"),
    (9, Decimal("0.8"), "乡镇服务站人员到位，设备缺B超一台"),
    (33, Decimal("0.9"), "群众满意度抽样调查"),
)


# The first township's own target: (item number, target, reason).
ADJUSTED = (19, Decimal(85), "山区乡镇，交通不便，早孕随访率目标下调")


def seed_assessment(*, county: str, today: date) -> Scheme | None:
    """The published demo scheme of the FP year of ``today`` (made once)."""
    unit = Unit.objects.current().filter(code=full_code(county)).first()
    if unit is None:
        return None
    year = fp_year_of(today)
    found = Scheme.objects.filter(
        unit_code=unit.code,
        year=year,
        level=Scheme.Level.TOWNSHIP,
        name=template.NAME,
        status=Scheme.Status.PUBLISHED,
    ).first()
    if found is not None:
        return found
    actor = Actor(None)
    scheme = services.scheme_create(
        actor=actor,
        county=unit,
        year=year,
        level=Scheme.Level.TOWNSHIP,
        name=template.NAME,
        from_template=True,
    )
    first = (
        Unit.objects.current()
        .filter(level=Level.TOWNSHIP, prefix__startswith=unit.prefix)
        .order_by("code")
        .first()
    )
    item = scheme.items.filter(number=ADJUSTED[0]).exclude(target=None).first()
    if first is not None and item is not None:
        services.township_target_set(
            actor=actor, item=item, unit=first, target=ADJUSTED[1], reason=ADJUSTED[2]
        )
    scheme = services.scheme_publish(actor=actor, scheme=scheme)
    _score_manual(scheme, unit, actor)
    _issue_letters(scheme, unit, actor, today)
    return scheme


def _issue_letters(scheme: Scheme, county: Unit, actor: Actor, today: date) -> None:
    issued = services.letters_issue(
        actor=actor,
        scheme=scheme,
        county_signatory="县长",
        issued_on=max(today, dates.today()),  # not before the publishing day
        wording=letters.default_wording(scheme, county.name),
    )
    for letter in issued[::2]:
        services.letter_acknowledge(actor=actor, letter=letter, township_signatory="乡镇长")


def _score_manual(scheme: Scheme, county: Unit, actor: Actor) -> None:
    townships = Unit.objects.current().filter(
        level=Level.TOWNSHIP, prefix__startswith=county.prefix
    )
    items = {i.number: i for i in scheme.items.filter(number__in=[n for n, _s, _r in MANUAL])}
    for n, township in enumerate(townships.order_by("code")):
        for number, share, reason in MANUAL:
            item = items.get(number)
            if (
                item is None
                or ManualScore.objects.filter(item=item, unit_code=township.code).exists()
            ):
                continue
            if item.rule.get("type") == "points":
                value = (item.points * share).quantize(Decimal("0.1"))
            else:  # a measured value (satisfaction %), varying a little by township
                value = Decimal(86 + n % 8)
            services.manual_score_set(
                actor=actor, item=item, unit=township, value=value, reason=reason
            )
