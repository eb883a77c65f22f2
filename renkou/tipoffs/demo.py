"""The demo county's tip-offs (issue 18 items 1, 9): for every township, four tip-offs of the
last months at different steps — one found true and its reward paid, one concluded with the
reward decided and waiting for finance, one under investigation past its deadline (overdue on
the to-do list), one just received and not yet assigned. Informants are invented; those of the
handled tip-offs left an address, not a phone. Idempotent: a township with tip-offs is left as
it is."""

from datetime import date, timedelta
from typing import Any

from renkou.common.actors import Actor
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.tipoffs import selectors, services
from renkou.tipoffs.constants import Category, Channel, Finding
from renkou.tipoffs.models import Informant, Step, TipOff

SYSTEM = Actor(None)
# (days ago received, channel, category, subject, content, informant name, contact)
CASES = [
    (
        80,
        Channel.PHONE,
        Category.SEX_SELECTION,
        "某私人诊所",
        "该诊所夜间用便携B超为孕妇做胎儿性别鉴定，收费五百元。",
        "赵明远",
        "本乡政府家属院",
    ),
    (
        60,
        Channel.LETTER,
        Category.UNLICENSED,
        "集市上的流动药摊",
        "药摊出售紧急避孕药并提供上环服务，未见执业许可证。",
        "钱淑华",
        "县城南街",
    ),
    (
        50,
        Channel.WINDOW,
        Category.BENEFIT_FRAUD,
        "某村一户奖扶对象",
        "反映该户子女情况与申报不符，可能多领奖励扶助金。",
        "",
        "",
    ),
    (
        5,
        Channel.WEB,
        Category.OTHER,
        "村卫生室",
        "村卫生室长期无人值守，避孕药具无人发放。",
        "",
        "",
    ),
]


def _handler(tipoff: TipOff) -> Any:
    from renkou.accounts.models import User

    choices = selectors.handlers_for(tipoff)
    return User.objects.get(pk=choices[-1][0]) if choices else None


def _advance(tipoff: TipOff, index: int, today: date) -> None:
    handler = _handler(tipoff)
    if handler is None or index == 3:
        return
    tipoff = services.tipoff_assign(
        actor=SYSTEM, tipoff=tipoff, handler=handler, version=tipoff.version
    )
    Step.objects.create(
        tipoff=tipoff,
        unit_code=tipoff.unit_code,
        done_on=tipoff.received_on + timedelta(days=5),
        text="到现场走访核实，调取有关记录。",
        actor=handler,
    )
    if index == 2:
        return
    actor = Actor(handler)
    tipoff = services.tipoff_conclude(
        actor=actor,
        tipoff=tipoff,
        finding=Finding.TRUE,
        result="经查属实，已移交县卫生健康监督所立案查处。",
        version=tipoff.version,
    )
    tipoff = services.reward_decide(
        actor=SYSTEM,
        tipoff=tipoff,
        grant=True,
        amount_fen=50_000 if index == 0 else 30_000,
        note="按县有奖举报办法",
        version=tipoff.version,
    )
    if index == 0:
        services.reward_pay(
            actor=SYSTEM,
            tipoff=tipoff,
            paid_on=today,
            voucher="财付2026001",
            version=tipoff.version,
        )


def seed_tipoffs(*, county: str, today: date) -> list[TipOff]:
    """Four tip-offs per township of ``county`` (see the module docstring); returns those made."""
    made = []
    townships = Unit.objects.current().filter(level=Level.TOWNSHIP, code__startswith=county)
    for township in townships.order_by("code"):
        if TipOff.objects.filter(unit_code=township.code).exists():
            continue
        for index, (ago, channel, category, subject, content, name, contact) in enumerate(CASES):
            tipoff, _code = services.tipoff_receive(
                actor=SYSTEM,
                unit_code=township.code,
                channel=channel,
                category=category,
                subject=subject,
                content=content,
                place=township.name,
                received_on=today - timedelta(days=ago),
                informant_name=name,
                informant_contact=contact,
            )
            _advance(tipoff, index, today)
            made.append(tipoff)
    return made


def informant_names() -> list[str]:
    """The demo informants' names and contacts (for tests that look for them)."""
    return [v for case in CASES for v in case[5:] if v] + [
        i.name for i in Informant.objects.exclude(name="")
    ]
