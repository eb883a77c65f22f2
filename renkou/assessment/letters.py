"""What a responsibility letter (目标管理责任书) says: the county's default wording and the
letter's lines — each item of its scheme with the township's target (the scheme's, or the
township's own with the reason), points, scoring rule and veto. Read by the letter page and its
PDF alike, so the two cannot differ. Holds no person."""

from dataclasses import dataclass
from decimal import Decimal

from renkou.assessment import scoring
from renkou.assessment.models import Letter, Scheme, SchemeItem, TownshipTarget
from renkou.geo.models import Unit
from renkou.geo.selectors import unit_names


def default_wording(scheme: Scheme, county_name: str) -> str:
    """The county's standard wording (editable when the letters are issued)."""
    return (
        f"为全面落实人口和计划生育目标管理责任制，统筹解决人口问题，促进人口长期均衡发展，"
        f"根据{county_name}{scheme.year}年度“{scheme.name}”，{county_name}人民政府（甲方）"
        f"与乡镇人民政府（乙方）签订本责任书。\n"
        f"一、乙方对本乡镇人口和计划生育工作负总责，党政主要负责人为第一责任人，"
        f"按本责任书所列考核指标和目标组织实施。\n"
        f"二、甲方按考核方案对乙方进行考核，考核结果按得分排名通报；标明“一票否决”的指标"
        f"未完成的，按方案规定处理。\n"
        f"三、考核指标只考核单位和工作人员的工作，不对任何个人下达生育指标。\n"
        f"四、本责任书一式两份，甲乙双方各执一份，自签订之日起生效，至本年度考核结束时止。"
    )


@dataclass
class LetterLine:
    item: SchemeItem
    target: Decimal | None
    adjusted: TownshipTarget | None

    @property
    def target_display(self) -> str:
        if self.target is None:
            return "—"
        sign = "≤" if self.item.direction == "le" else "≥"
        return f"{sign}{self.target.normalize():f}"

    @property
    def rule_text(self) -> str:
        return scoring.describe(self.item.rule, self.item.direction)

    @property
    def veto(self) -> bool:
        return bool(self.item.rule.get("veto"))


def lines(letter: Letter) -> list[LetterLine]:
    own = {
        t.item_id: t
        for t in TownshipTarget.objects.filter(
            item__scheme_id=letter.scheme_id, unit_code=letter.unit_code
        )
    }
    out = []
    for item in letter.scheme.items.order_by("number"):
        adjusted = own.get(item.pk)
        out.append(LetterLine(item, adjusted.target if adjusted else item.target, adjusted))
    return out


def paragraphs(letter: Letter) -> list[str]:
    return [p.strip() for p in letter.wording.splitlines() if p.strip()]


@dataclass
class Section:
    """The letters part of a township scheme's page, as the caller may see it."""

    targets: list[TownshipTarget]
    letters: list[Letter]
    names: dict[str, str]
    townships: list[Unit]

    @property
    def missing(self) -> int:
        """Townships of the county without a letter yet."""
        have = {letter.unit_code for letter in self.letters}
        return sum(1 for u in self.townships if u.code not in have)


def section(user: object, scheme: Scheme) -> Section | None:
    """None for a county-level scheme (no letters)."""
    if scheme.level != Scheme.Level.TOWNSHIP:
        return None
    from renkou.assessment import sheets

    targets = list(
        TownshipTarget.objects.visible_to(user)
        .filter(item__scheme=scheme)
        .select_related("item", "updated_by")
    )
    found = list(
        Letter.objects.visible_to(user).filter(scheme=scheme).select_related("acknowledged_by")
    )
    townships = sheets.subjects(scheme)
    names = {u.code: u.name for u in townships}
    names.update(unit_names([t.unit_code for t in targets] + [x.unit_code for x in found]))
    for row in [*targets, *found]:
        row.unit_name = names.get(row.unit_code, row.unit_code)  # type: ignore[union-attr]  # display value for the template
    return Section(targets, found, names, townships)
