"""The demo county's assessment (issue 14 item 9): the current FP year's county-to-township
scheme made from the 国优 template and published, and a few manual scores with their reasons,
so the board shows live scores from the demo register (the vetoes are whatever the demo's
figures trigger: a township behind its 蓝氧 or pre-pregnancy quota, or above the growth-rate
target). The first township's 早孕随访率 target is lowered with a reason before publishing;
letters go to every township, about half of them acknowledged. Idempotent: a published
template scheme of the year is left as it is."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from renkou.assessment import letters, services, template
from renkou.assessment.models import ManualScore, Scheme
from renkou.common import dates
from renkou.common.actors import Actor
from renkou.common.periods import fp_year, fp_year_of
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


# --- 包乡包村 and the leaders' records (issue 14 item 7) ----------------------------------------

# Demo staff (unusable passwords, like the demo inspector): (username, name, role).
LEADERS = tuple(
    (f"demo_baoxiang_ld{n}", f"{name}（包乡领导演示）", "leader")
    for n, name in enumerate(("王副县长", "李副县长", "张局长", "赵副局长", "刘副局长"), 1)
)
OFFICERS = tuple(
    (f"demo_baoxiang_gb{n}", f"{name}（包乡干部演示）", "county_officer")
    for n, name in enumerate(("陈干事", "杨干事", "黄干事", "周干事", "吴干事"), 1)
)
TECHNICIANS = tuple(
    (f"demo_baocun_js{n}", f"{name}（包村技术员演示）", "technician")
    for n, name in enumerate(("马医生", "孙医生", "朱医生"), 1)
)
ENTRIES = (
    ("survey", 40, "到乡镇调研服务站所改造进展，听取乡镇汇报"),
    ("interview", 20, "因整改通知逾期未反馈，约谈乡镇分管领导"),
)


def _demo_staff(county: Unit, specs: tuple[tuple[str, str, str], ...]) -> list[Any]:
    from renkou.accounts.models import User

    found = []
    for username, name, role in specs:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, unit=county, full_name=name)
            user.set_unusable_password()
            user.save()
        found.append(user)
    return found


def seed_staff(*, county: str, today: date) -> int:
    """Every township a 包乡领导 and a 包乡干部 (five of each, three townships apiece), the
    first village of the first six townships a 包村技术员, from the start of the FP year; and
    two dated entries in the first two townships' 领导责任档案. Idempotent: an assignment or
    entry already there is left as it is. Returns the number of assignments added."""
    from renkou.accounts import staffing
    from renkou.accounts.constants import AreaRole
    from renkou.accounts.models import StaffAssignment

    unit = Unit.objects.current().filter(code=full_code(county)).first()
    if unit is None:
        return 0
    actor = Actor(None)
    start = fp_year(fp_year_of(today)).start
    townships = list(
        Unit.objects.current()
        .filter(level=Level.TOWNSHIP, prefix__startswith=unit.prefix)
        .order_by("code")
    )
    plan: list[tuple[Any, str, str]] = []
    leaders, officers = _demo_staff(unit, LEADERS), _demo_staff(unit, OFFICERS)
    technicians = _demo_staff(unit, TECHNICIANS)
    for n, township in enumerate(townships):
        plan.append((leaders[n // 3 % 5], township.code, AreaRole.TOWNSHIP_LEADER))
        plan.append((officers[n // 3 % 5], township.code, AreaRole.TOWNSHIP_OFFICER))
        village = township.children.filter(level=Level.VILLAGE).order_by("code").first()
        if n < 6 and village is not None:
            plan.append((technicians[n % 3], village.code, AreaRole.VILLAGE_TECHNICIAN))
    added = 0
    for user, code, role in plan:
        if StaffAssignment.objects.filter(user=user, unit_code=code, role=role).exists():
            continue
        staffing.staff_assignment_add(
            actor=actor, user=user, unit_code=code, role=role, starts_on=start, note="演示"
        )
        added += 1
    for township in townships[:2]:
        _seed_entries(township, actor, today)
    return added


def _seed_entries(township: Unit, actor: Actor, today: date) -> None:
    from renkou.assessment.models import ResponsibilityEntry
    from renkou.assessment.responsibility import responsibility_entry_add

    for kind, days, note in ENTRIES:
        if ResponsibilityEntry.objects.filter(unit_code=township.code, note=note).exists():
            continue
        responsibility_entry_add(
            actor=actor,
            township=township,
            on=today - timedelta(days=days),
            kind=kind,
            note=note,
        )
