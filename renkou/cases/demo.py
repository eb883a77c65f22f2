"""The demo county's “两非” cases (issue 18 item 2): a few cases against institutions and
practitioners, spread over the townships —

- one opened from a demo tip-off (its handler opens it; nothing of the informant is copied),
  referred to the health inspectorate and closed with the inspectorate's penalty;
- one against a go-between, referred to the police and waiting for their result;
- one from a hospital's report, found not substantiated;
- one from an inspection, still under investigation past its deadline.

Idempotent: a county that has cases is left as it is.
"""

from datetime import date, timedelta
from typing import Any

from renkou.cases import services
from renkou.cases.constants import Outcome, ReferredTo, Source, SubjectKind, SubjectType
from renkou.cases.models import Case
from renkou.common.actors import Actor
from renkou.geo.constants import Level
from renkou.geo.models import Unit
from renkou.tipoffs.constants import Category
from renkou.tipoffs.models import TipOff

SYSTEM = Actor(None)


def _subject(township: Unit, **values: Any) -> services.Subject:
    return services.Subject(unit_code=township.code, **values)


def _from_tipoff(township: Unit, today: date) -> Case | None:
    tipoff = (
        TipOff.objects.filter(unit_code=township.code, category=Category.SEX_SELECTION)
        .exclude(handler=None)
        .order_by("received_on")
        .first()
    )
    if tipoff is None:
        return None
    actor = Actor(tipoff.handler)
    opened = tipoff.received_on + timedelta(days=7)
    case = services.case_open(
        actor=actor,
        source=Source.TIPOFF,
        subject=_subject(
            township,
            subject_type=SubjectType.INSTITUTION,
            subject_kind=SubjectKind.CLINIC,
            subject_name=f"{township.name}仁和诊所",
            subject_licence="PDY60218962302217A1002",
            subject_address=f"{township.name}街道东段",
            source_note=f"据{tipoff.number}立案",
            facts="经现场检查，该诊所B超室存放便携式B超机一台，调取的登记本记有多名孕妇"
            "孕周及“男”“女”字样，负责人承认为孕妇非医学需要鉴定胎儿性别并收费。",
        ),
        opened_on=opened,
        tipoff_ids=[tipoff.pk],
    )
    services.step_add(
        actor=actor, case=case, done_on=opened, text="联合卫生监督员现场检查，扣押B超机一台"
    )
    case = services.case_refer(
        actor=actor,
        case=case,
        referred_to=ReferredTo.INSPECTORATE,
        referral_body="县卫生健康综合监督执法局",
        referred_on=opened + timedelta(days=5),
        version=case.version,
    )
    return services.case_close(
        actor=actor,
        case=case,
        outcome=Outcome.PENALIZED,
        decision="县卫生健康综合监督执法局依法没收B超机和违法所得，处以罚款，"
        "并吊销该诊所的医疗机构执业许可证。",
        closed_on=min(opened + timedelta(days=40), today),
        version=case.version,
    )


def _police(township: Unit, today: date) -> Case:
    opened = today - timedelta(days=45)
    case = services.case_open(
        actor=SYSTEM,
        source=Source.DEPARTMENT,
        subject=_subject(
            township,
            subject_type=SubjectType.PERSON,
            subject_kind=SubjectKind.BROKER,
            subject_name="马某",
            subject_phone="13993012345",
            subject_address=f"{township.name}某村",
            source_note="县市场监管局移交",
            facts="马某通过微信联系孕妇，收费后用私家车接送到外地为其鉴定胎儿性别，"
            "涉嫌组织非医学需要的胎儿性别鉴定。",
        ),
        opened_on=opened,
    )
    services.step_add(
        actor=SYSTEM, case=case, done_on=opened + timedelta(days=3), text="调取聊天记录和转账记录"
    )
    return services.case_refer(
        actor=SYSTEM,
        case=case,
        referred_to=ReferredTo.POLICE,
        referral_body="县公安局刑事侦查大队",
        referred_on=opened + timedelta(days=10),
        version=case.version,
    )


def _unfounded(township: Unit, today: date) -> Case:
    opened = today - timedelta(days=70)
    case = services.case_open(
        actor=SYSTEM,
        source=Source.HOSPITAL,
        subject=_subject(
            township,
            subject_type=SubjectType.INSTITUTION,
            subject_kind=SubjectKind.CLINIC,
            subject_name=f"{township.name}康民门诊部",
            subject_licence="PDY60218962302217A2015",
            subject_address=f"{township.name}新街",
            source_note="县妇幼保健院报告",
            facts="县妇幼保健院报告：一名中期引产的孕妇称曾在该门诊部做过B超，怀疑有胎儿性别鉴定。",
        ),
        opened_on=opened,
    )
    services.step_add(
        actor=SYSTEM,
        case=case,
        done_on=opened + timedelta(days=6),
        text="检查B超登记和影像记录，询问当班医生，未发现告知胎儿性别的情况",
    )
    return services.case_close(
        actor=SYSTEM,
        case=case,
        outcome=Outcome.UNSUBSTANTIATED,
        decision="经调查查无实据，不予立案处理；已对门诊部进行“两非”法规告知。",
        closed_on=opened + timedelta(days=20),
        version=case.version,
    )


def _overdue(township: Unit, today: date) -> Case:
    return services.case_open(
        actor=SYSTEM,
        source=Source.INSPECTION,
        subject=_subject(
            township,
            subject_type=SubjectType.INSTITUTION,
            subject_kind=SubjectKind.UNLICENSED_SITE,
            subject_name="城郊出租屋B超点",
            subject_address=f"{township.name}城郊",
            facts="专项检查中发现一处出租屋内有B超设备，门口张贴“孕检”字样，未取得执业许可。",
        ),
        opened_on=today - timedelta(days=75),
    )


def seed_cases(*, county: str, today: date) -> list[Case]:
    """A few cases in the townships of ``county`` (see the module docstring)."""
    if Case.objects.filter(unit_code__startswith=county).exists():
        return []
    townships = list(
        Unit.objects.current()
        .filter(level=Level.TOWNSHIP, code__startswith=county)
        .order_by("code")
    )
    if not townships:
        return []
    made = [_from_tipoff(townships[0], today)]
    for i, make in enumerate((_police, _unfounded, _overdue), 1):
        made.append(make(townships[i % len(townships)], today))
    return [case for case in made if case is not None]
