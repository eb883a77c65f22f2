"""Policy of the free pre-pregnancy exam pages (renkou/programs/views.py, figure_views.py).

Reading couple files, the due list and the name lists needs ``people.view_person`` (the five
worker roles); opening a file, recording the pregnancy and follow-ups and closing need
``programs.manage_couple`` (village, township, county staff); confirming eligibility needs
``programs.confirm_eligibility`` (township and county); the exam and the risk assessment need
``programs.record_exam`` and ``programs.view_exam_detail`` (technicians). The target population
and coverage pages hold counts only (``reports.view_aggregate``: leaders too); adjusting a
target needs ``reports.manage_target`` (county officers). Objects outside the caller's subtree
are 404.
"""

from datetime import date
from itertools import count

from tests.authz_policy import GET_POST, LEAD, TECH, WORKERS, C, Rule, T, V

STAFF = frozenset({V, T, C})
REVIEWERS = frozenset({T, C})
TECHNICIANS = frozenset({TECH})
FOLLOWUP = frozenset({V, T, C, TECH})
DETAIL_FOLLOWUP = frozenset({T, TECH})

POLICY: dict[str, Rule] = {
    "programs:couple_list": Rule(WORKERS),
    "programs:couple_create": Rule(STAFF, GET_POST),
    "programs:couple_detail": Rule(WORKERS, obj="couple"),
    "programs:couple_confirm": Rule(REVIEWERS, GET_POST, obj="couple"),
    "programs:exam_wife": Rule(TECHNICIANS, GET_POST, obj="eligible_couple"),
    "programs:exam_husband": Rule(TECHNICIANS, GET_POST, obj="eligible_couple"),
    "programs:pregnancy_record": Rule(STAFF, GET_POST, obj="examined_couple"),
    "programs:couple_close": Rule(STAFF, GET_POST, obj="couple"),
    "programs:assessment_record": Rule(TECHNICIANS, GET_POST, obj="exam"),
    "programs:followup_due": Rule(WORKERS),
    "programs:followup_record": Rule(FOLLOWUP, GET_POST, obj="followup"),
    "programs:target_list": Rule(WORKERS | {LEAD}),
    "programs:target_edit": Rule(frozenset({C}), GET_POST, obj="unit"),
    "programs:coverage": Rule(WORKERS | {LEAD}),
    "programs:names": Rule(WORKERS, obj="unit"),
    # Reproductive-health services (docs/rh-services.md): pages showing a person's records need
    # people.view_person; RH checks and treatments programs.record_rh + view_exam_detail
    # (technicians); follow-up visits and supplies programs.record_followup (technicians,
    # village and township staff), editing or voiding a visit also view_exam_detail; the
    # person-times page holds counts only (leaders too).
    "programs:rh_find": Rule(WORKERS, GET_POST),
    "programs:rh_counts": Rule(WORKERS | {LEAD}),
    "programs:rh_person": Rule(WORKERS, obj="rh_woman"),
    "programs:rh_check_create": Rule(TECHNICIANS, GET_POST, obj="rh_woman"),
    "programs:treatment_create": Rule(TECHNICIANS, GET_POST, obj="rh_woman"),
    "programs:supply_create": Rule(FOLLOWUP, GET_POST, obj="rh_woman"),
    "programs:visit_for_episode": Rule(FOLLOWUP, GET_POST, obj="iud_episode"),
    # Recording an implant's removal (the 到期取出 reminder's 办理) is the technician's clinical
    # record (programs.record_rh); village and township staff edit the card instead.
    "programs:implant_removal": Rule(TECHNICIANS, GET_POST, obj="implant_episode"),
    "programs:visit_for_pregnancy": Rule(FOLLOWUP, GET_POST, obj="abortion"),
    "programs:rh_check_list": Rule(WORKERS),
    "programs:rh_check_detail": Rule(WORKERS, obj="rhcheck"),
    "programs:rh_check_edit": Rule(TECHNICIANS, GET_POST, obj="rhcheck"),
    "programs:rh_check_void": Rule(TECHNICIANS, GET_POST, obj="rhcheck"),
    "programs:treatment_list": Rule(WORKERS),
    "programs:treatment_detail": Rule(WORKERS, obj="treatment"),
    "programs:treatment_edit": Rule(TECHNICIANS, GET_POST, obj="treatment"),
    "programs:treatment_void": Rule(TECHNICIANS, GET_POST, obj="treatment"),
    "programs:visit_list": Rule(WORKERS),
    "programs:visit_detail": Rule(WORKERS, obj="cvisit"),
    "programs:visit_edit": Rule(DETAIL_FOLLOWUP, GET_POST, obj="cvisit"),
    "programs:visit_void": Rule(DETAIL_FOLLOWUP, GET_POST, obj="cvisit"),
    "programs:supply_list": Rule(WORKERS),
    "programs:supply_detail": Rule(WORKERS, obj="supply"),
    "programs:supply_edit": Rule(FOLLOWUP, GET_POST, obj="supply"),
    "programs:supply_void": Rule(FOLLOWUP, GET_POST, obj="supply"),
}

_serial = count(1)


def _couple(unit, *, eligible: bool = False, examined: bool = False, pregnant: bool = False):
    """A fresh couple file of ``unit`` (fresh, so a POST that closed the last one leaves the next
    case an open file): wife and husband are new persons managed by ``unit``."""
    from renkou.people.models import Person
    from renkou.programs.models import CoupleFile, Exam

    n = next(_serial)
    common = {
        "unit_code": unit.code,
        "registered_code": unit.code,
        "residence_code": unit.code,
        "marital_status": "20",
    }
    wife = Person.objects.create(name="测试妻", sex="2", birth_date=date(1995, 1, 1), **common)
    husband = Person.objects.create(name="测试夫", sex="1", birth_date=date(1993, 1, 1), **common)
    couple = CoupleFile.objects.create(
        file_no=f"M{unit.code}{n:05d}",
        unit_code=unit.code,
        wife=wife,
        husband=husband,
        husband_key=f"p{husband.pk}",
        sequence=1,
        opened_on=date(2026, 1, 5),
        consent_on=date(2026, 1, 5),
        eligible_on=date(2026, 1, 6) if eligible or examined else None,
        notice_no="TZ-1" if eligible or examined else "",
        status="eligible" if eligible else "filed",
    )
    if examined or pregnant:
        Exam.objects.create(
            couple=couple,
            unit_code=unit.code,
            spouse="wife",
            examined_on=date(2026, 1, 8),
            service_point=_point(unit),
            examiner="测试医生",
        )
        couple.examined_on, couple.status = date(2026, 1, 8), "examined"
        couple.save(update_fields=["examined_on", "status"])
    if pregnant:
        couple.eligible_on, couple.lmp_on = date(2026, 1, 6), date(2026, 3, 1)
        couple.pregnancy_recorded_on, couple.status = date(2026, 4, 1), "pregnant"
        couple.save(update_fields=["eligible_on", "lmp_on", "pregnancy_recorded_on", "status"])
    return couple


def _point(unit):
    from renkou.geo.models import ServicePoint

    point, _ = ServicePoint.objects.get_or_create(
        unit=unit, kind=ServicePoint.Kind.COUNTY_CENTRE, defaults={"name": f"{unit.name}服务中心"}
    )
    return point


def _followup(unit, user) -> int:
    from renkou.programs.models import FollowUp

    couple = _couple(unit, examined=True, pregnant=True)
    row = FollowUp.objects.create(
        couple=couple, unit_code=unit.code, kind="early", due_on=date(2026, 5, 24)
    )
    return row.pk


def _exam(unit, user) -> int:
    return _couple(unit, examined=True).exams.get().pk


def _rh_woman(unit, user=None):
    """A fresh married woman of childbearing age managed by ``unit``, with an open card."""
    from renkou.people.models import Person, WomanCard

    n = next(_serial)
    woman = Person.objects.create(
        name=f"服务对象{n}",
        sex="2",
        birth_date=date(1990, 1, 1),
        marital_status="20",
        unit_code=unit.code,
        registered_code=unit.code,
        residence_code=unit.code,
    )
    WomanCard.objects.create(person=woman, unit_code=unit.code, opened_on=date(2020, 1, 1))
    return woman


def _iud_episode(unit, user=None):
    from renkou.people.models import ContraceptionEpisode

    card = _rh_woman(unit).card
    return ContraceptionEpisode.objects.create(
        card=card, unit_code=unit.code, method="03", start=date(2025, 3, 1)
    )


def _implant_episode(unit, user=None):
    from renkou.people.models import ContraceptionEpisode

    card = _rh_woman(unit).card
    return ContraceptionEpisode.objects.create(
        card=card, unit_code=unit.code, method="04", start=date(2021, 3, 1)
    )


def _abortion(unit, user=None):
    from renkou.people.models import Pregnancy

    card = _rh_woman(unit).card
    return Pregnancy.objects.create(
        card=card,
        unit_code=unit.code,
        detected_on=date(2025, 2, 1),
        outcome="4",
        outcome_date=date(2025, 3, 1),
    )


def _rh_record(kind: str, unit) -> int:
    """A fresh record of ``kind`` (a POST that voided the last one leaves the next case a live
    record) of a new woman of ``unit``."""
    from renkou.programs.models import ContraceptionVisit, RHCheck, Supply, Treatment

    woman, day = _rh_woman(unit), date(2025, 6, 2)
    if kind == "cvisit":
        episode = _iud_episode(unit)
        return ContraceptionVisit.objects.create(
            person_id=episode.card.person_id,
            unit_code=unit.code,
            episode=episode,
            visited_on=day,
            reason="iud_in",
            method="clinic",
            result="normal",
            visitor="测试",
        ).pk
    if kind == "supply":
        return Supply.objects.create(
            person=woman,
            unit_code=unit.code,
            issued_on=day,
            product="01",
            quantity=10,
            issuer_code=unit.code,
        ).pk
    common = {
        "person": woman,
        "unit_code": unit.code,
        "service_point": _point(unit),
        "consent_on": day,
    }
    if kind == "rhcheck":
        return RHCheck.objects.create(
            checked_on=day, examiner="测试医生", findings="01", abnormal=True, **common
        ).pk
    return Treatment.objects.create(
        treated_on=day, kind="01", doctor="测试医生", diagnosis="测试诊断", **common
    ).pk


PROVIDERS = {
    "rh_woman": lambda unit, user: _rh_woman(unit).pk,
    "iud_episode": lambda unit, user: _iud_episode(unit).pk,
    "implant_episode": lambda unit, user: _implant_episode(unit).pk,
    "abortion": lambda unit, user: _abortion(unit).pk,
    "rhcheck": lambda unit, user: _rh_record("rhcheck", unit),
    "treatment": lambda unit, user: _rh_record("treatment", unit),
    "cvisit": lambda unit, user: _rh_record("cvisit", unit),
    "supply": lambda unit, user: _rh_record("supply", unit),
    "couple": lambda unit, user: _couple(unit).pk,
    "eligible_couple": lambda unit, user: _couple(unit, eligible=True).pk,
    "examined_couple": lambda unit, user: _couple(unit, examined=True).pk,
    "exam": _exam,
    "followup": _followup,
}
