"""Policy of the tip-offs (renkou/tipoffs, issue 18 item 1).

A tip-off is a row about a unit (the township it concerns): township and county officers read,
receive and assign them within their subtree (outside it: 404); steps and the result are the
handler's (another officer's POST reaches the service, which refuses it with a message, not by
the URL); the county decides the reward, finance records it paid; leaders read the figures
only. The web form and the progress page are public (no sign-in).
"""

from datetime import date

from tests.authz_policy import FIN, GET_POST, LEAD, POST, PUBLIC, C, Rule, T

OFFICES = frozenset({T, C})

POLICY: dict[str, Rule] = {
    "tipoffs:list": Rule(OFFICES),
    "tipoffs:export": Rule(OFFICES),
    "tipoffs:create": Rule(OFFICES, GET_POST),
    "tipoffs:stats": Rule(frozenset({T, C, LEAD})),
    "tipoffs:reward_list": Rule(frozenset({FIN})),
    "tipoffs:detail": Rule(OFFICES, obj="tipoff"),
    "tipoffs:assign": Rule(OFFICES, POST, obj="tipoff"),
    "tipoffs:step_add": Rule(OFFICES, POST, obj="tipoff"),
    "tipoffs:conclude": Rule(OFFICES, POST, obj="tipoff"),
    "tipoffs:reward_decide": Rule(frozenset({C}), POST, obj="tipoff"),
    "tipoffs:reward_pay": Rule(frozenset({FIN}), POST, obj="tipoff"),
    "tipoffs:public_new": Rule(PUBLIC, GET_POST),
    "tipoffs:public_status": Rule(PUBLIC, GET_POST),
}


def _tipoff(unit, user) -> int:
    """A tip-off about the township of ``unit`` (a county: its first township)."""
    from renkou.geo.constants import Level
    from renkou.tipoffs.models import Informant, TipOff

    township = unit
    if unit.level == Level.COUNTY:
        township = unit.children.filter(level=Level.TOWNSHIP).order_by("code").first()
    elif unit.level == Level.VILLAGE:
        township = unit.parent
    seq = TipOff.objects.count() + 1
    row = TipOff.objects.create(
        year=2027,
        seq=seq,
        county_code=township.code[:6],
        unit_code=township.code,
        channel="phone",
        category="two_non",
        subject="某诊所",
        content="矩阵测试",
        received_on=date(2027, 3, 1),
        deadline=date(2027, 3, 31),
        ack_index=f"{seq:064d}",
    )
    Informant.objects.create(tipoff=row, name="矩阵举报人", contact="")
    return row.pk


PROVIDERS = {"tipoff": _tipoff}
