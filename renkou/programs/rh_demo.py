"""Demo reproductive-health service records for the synthetic county
(``manage.py seed_demo_services``): the 365 days up to the reference day.

- RH checks: about 30 % of each township's married women of childbearing age, but only 10–18 %
  in every fourth township (the 3rd, 7th, …), so some are behind the 30 % quota; a fifth of the
  checks find something (vaginitis, cervicitis, …), a few are referred.
- 蓝氧 treatments (person-times): about 1,500 at the county centre for women of 柳林镇 (the
  centre's quota is "the centre together with 柳林镇"), about 500 at each other township's
  station, and about 200 in every third township (clearly behind); none in the second township,
  whose 蓝氧 device is not installed yet (the network details of ``renkou.geo.demo``, written
  first: a treatment needs a working device); a few other treatments.
- Follow-up visits on the clinical schedule (domain.md §2.5) for about 80 % of the due visits of
  IUD and implant insertions and removals, sterilisations and induced abortions on the cards.
- Free supplies every three months to women using pills or condoms.

Deterministic for a seed and a reference day. Rows are written with ``bulk_create`` (creation
history rows with reason 演示数据; one ``demo.rh_services`` audit row records the load).
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from renkou.common import audit
from renkou.geo.constants import Level, full_code, township_of
from renkou.geo.demo import seed_network
from renkou.geo.models import Equipment, ServicePoint, Unit
from renkou.geo.network import working_device
from renkou.geo.scope import prefix_range
from renkou.people.cards import wcba_birth_range
from renkou.people.constants import FEMALE, MARRIED_CODES
from renkou.people.models import ContraceptionEpisode, Person, Pregnancy
from renkou.programs.constants import (
    ABORTION_OUTCOMES,
    BLUE_OXYGEN,
    IMPLANT_METHOD,
    IUD_METHOD,
    STERILISATION_METHODS,
    VISIT_SCHEDULE,
    FollowUpMethod,
    VisitReason,
    VisitResult,
)
from renkou.programs.models import ContraceptionVisit, RHCheck, Supply, Treatment

REASON = "演示数据"
CENTRE_TOWNSHIP = "柳林镇"
CENTRE = "县妇幼保健计划生育服务中心"
DAYS = 365
DOCTORS = ("李秀兰", "马文静", "杨卓玛", "王海燕", "张丽")
VISITORS = ("村计生专干", "乡镇计生办", "服务站")
FINDINGS = (
    ("01", "白带增多，清洁度Ⅲ度", "阴道冲洗上药"),
    ("02", "宫颈轻度糜烂样改变", "蓝氧治疗"),
    ("03", "下腹压痛", "抗感染治疗"),
    ("05", "子宫前壁低回声约2cm", "定期复查"),
    ("07", "双乳腺体增厚", "定期复查"),
    ("06", "左附件区囊性包块", "转诊复查"),
)
DIAGNOSES = ("宫颈炎", "阴道炎", "宫颈糜烂样改变", "盆腔炎")
SHORT_ACTING = {"05": "02", "07": "01"}  # pill → 短效口服避孕药, condom → 避孕套


@dataclass
class DemoReport:
    checks: int = 0
    treatments: int = 0
    visits: int = 0
    supplies: int = 0


def _point(unit: Unit, kind: str, name: str) -> ServicePoint:
    point = ServicePoint.objects.filter(unit=unit, kind=kind, is_active=True).first()
    return point or ServicePoint.objects.create(unit=unit, kind=kind, name=name)


def _women(county: str, today: date) -> dict[str, list[Person]]:
    """Married women aged 15–49 present in the register, by township prefix."""
    earliest, latest = wcba_birth_range(today)
    rows = (
        Person.objects.filter(
            sex=FEMALE,
            marital_status__in=MARRIED_CODES,
            exited_at__isnull=True,
            birth_date__gte=earliest,
            birth_date__lte=latest,
            **prefix_range("unit_code", county),
        )
        .only("pk", "unit_code", "birth_date")
        .order_by("pk")
    )
    found: dict[str, list[Person]] = defaultdict(list)
    for woman in rows:
        found[township_of(woman.unit_code)].append(woman)
    return found


class Builder:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today, self.start = rng, today, today - timedelta(days=DAYS - 1)
        self.checks: list[RHCheck] = []
        self.treatments: list[Treatment] = []
        self.visits: list[ContraceptionVisit] = []
        self.supplies: list[Supply] = []

    def day(self) -> date:
        return self.start + timedelta(days=self.rng.randrange(DAYS))

    def check(self, woman: Person, point: ServicePoint) -> None:
        day = self.day()
        row = RHCheck(
            person=woman,
            unit_code=woman.unit_code,
            checked_on=day,
            service_point=point,
            examiner=self.rng.choice(DOCTORS),
            consent_on=day,
        )
        if self.rng.random() < 0.2:
            code, seen, advice = self.rng.choice(FINDINGS)
            row.findings, row.abnormal, row.finding_notes, row.advice = code, True, seen, advice
            if self.rng.random() < 0.08:
                row.referred, row.referral_to = True, "县人民医院妇产科"
        else:
            row.findings = "00"
        self.checks.append(row)

    def treat(self, women: list[Person], point: ServicePoint, sessions: int) -> None:
        """``sessions`` 蓝氧 person-times (a course is a few sessions of one woman) and about one
        other treatment in ten."""
        done: set[tuple[int, date, str]] = set()
        while sessions > 0 and women:
            woman, first = self.rng.choice(women), self.day()
            course = min(sessions, self.rng.randint(1, 4))
            diagnosis = self.rng.choice(DIAGNOSES)
            for n in range(course):
                day = min(first + timedelta(days=7 * n), self.today)
                if (woman.pk, day, BLUE_OXYGEN) in done:
                    continue
                done.add((woman.pk, day, BLUE_OXYGEN))
                self.treatments.append(self._treatment(woman, point, day, BLUE_OXYGEN, diagnosis))
                sessions -= 1
            if self.rng.random() < 0.1:
                other = self.rng.choice(("02", "03", "04"))
                self.treatments.append(self._treatment(woman, point, first, other, diagnosis))

    def _treatment(
        self, woman: Person, point: ServicePoint, day: date, kind: str, diagnosis: str
    ) -> Treatment:
        return Treatment(
            person=woman,
            unit_code=woman.unit_code,
            treated_on=day,
            kind=kind,
            service_point=point,
            doctor=self.rng.choice(DOCTORS),
            consent_on=day,
            diagnosis=diagnosis,
        )

    def visit(
        self,
        person_id: int,
        unit_code: str,
        reason: str,
        operated: date,
        until: date | None = None,
        **anchor: Any,
    ) -> None:
        last = min(self.today, until or self.today)
        for offset in VISIT_SCHEDULE[reason]:
            day = operated + timedelta(days=offset + self.rng.randint(-3, 10))
            if day < self.start or day > last or self.rng.random() > 0.8:
                continue
            result = VisitResult.NORMAL if self.rng.random() < 0.9 else VisitResult.DISCOMFORT
            if reason == VisitReason.IUD_IN and self.rng.random() < 0.02:
                result = VisitResult.IUD_EXPELLED
            self.visits.append(
                ContraceptionVisit(
                    person_id=person_id,
                    unit_code=unit_code,
                    visited_on=day,
                    reason=reason,
                    method=self.rng.choice(FollowUpMethod.values),
                    result=result,
                    visitor=self.rng.choice(VISITORS),
                    **anchor,
                )
            )

    def supply(self, person_id: int, unit_code: str, product: str, start: date) -> None:
        day = max(start, self.start) + timedelta(days=self.rng.randint(0, 20))
        while day <= self.today:
            if self.rng.random() < 0.85:
                quantity = 30 if product == "01" else 3
                self.supplies.append(
                    Supply(
                        person_id=person_id,
                        unit_code=unit_code,
                        issued_on=day,
                        product=product,
                        quantity=quantity,
                        issuer_code=unit_code,
                    )
                )
            day += timedelta(days=self.rng.randint(80, 100))

    def write(self) -> DemoReport:
        batches = (
            (self.checks, RHCheck),
            (self.treatments, Treatment),
            (self.visits, ContraceptionVisit),
            (self.supplies, Supply),
        )
        for rows, model in batches:
            bulk_create_with_history(rows, model, batch_size=1000, default_change_reason=REASON)
        return DemoReport(
            len(self.checks), len(self.treatments), len(self.visits), len(self.supplies)
        )


def _episode_visits(builder: Builder, county: str) -> None:
    since = builder.start - timedelta(days=400)
    methods = {IUD_METHOD, IMPLANT_METHOD, *STERILISATION_METHODS}
    rows = (
        ContraceptionEpisode.objects.filter(method__in=methods, **prefix_range("unit_code", county))
        .filter(Q(start__gte=since) | Q(end__gte=since))
        .select_related("card")
        .order_by("pk")
    )
    inserted = {IUD_METHOD: VisitReason.IUD_IN, IMPLANT_METHOD: VisitReason.IMPLANT_IN}
    removed = {IUD_METHOD: VisitReason.IUD_OUT, IMPLANT_METHOD: VisitReason.IMPLANT_OUT}
    for ep in rows:
        person, unit = ep.card.person_id, ep.unit_code
        reason = inserted.get(ep.method, VisitReason.STERILISATION)
        if ep.start >= since:
            builder.visit(person, unit, reason, ep.start, ep.end, episode=ep)
        if ep.end is not None and ep.end >= since and ep.method in removed:
            builder.visit(person, unit, removed[ep.method], ep.end, episode=ep)
    abortions = (
        Pregnancy.objects.filter(
            outcome__in=ABORTION_OUTCOMES,
            outcome_date__gte=since,
            **prefix_range("unit_code", county),
        )
        .select_related("card")
        .order_by("pk")
    )
    for preg in abortions:
        builder.visit(
            preg.card.person_id,
            preg.unit_code,
            VisitReason.ABORTION,
            preg.outcome_date,
            pregnancy=preg,
        )


def _supplies(builder: Builder, county: str) -> None:
    rows = (
        ContraceptionEpisode.objects.filter(
            method__in=SHORT_ACTING, **prefix_range("unit_code", county)
        )
        .filter(Q(end__isnull=True) | Q(end__gte=builder.start))
        .select_related("card")
        .order_by("pk")
    )
    for ep in rows:
        builder.supply(ep.card.person_id, ep.unit_code, SHORT_ACTING[ep.method], ep.start)


@transaction.atomic
def seed_services(*, county: str, today: date, seed: int, actor: Any = None) -> DemoReport:
    """A year of RH checks, treatments, follow-up visits and supplies for the demo county."""
    rng = random.Random(seed)  # noqa: S311 synthetic data, not a secret
    county_unit = Unit.objects.current().get(code=full_code(county))
    centre = _point(county_unit, ServicePoint.Kind.COUNTY_CENTRE, CENTRE)
    townships = list(
        Unit.objects.current()
        .filter(level=Level.TOWNSHIP, **prefix_range("code", county))
        .order_by("code")
    )
    stations = [
        _point(unit, ServicePoint.Kind.TOWNSHIP_STATION, f"{unit.name}计生服务站")
        for unit in townships
    ]
    # The second township's 蓝氧 device is not installed yet: no 蓝氧 there (its quota missed).
    seed_network(
        [centre, *stations], today, without_blue=stations[1] if len(stations) > 1 else None
    )
    women, builder = _women(county, today), Builder(rng, today)
    for i, (unit, station) in enumerate(zip(townships, stations, strict=True)):
        local = women.get(unit.prefix, [])
        share = 0.10 + 0.08 * rng.random() if i % 4 == 2 else 0.29 + 0.06 * rng.random()
        for woman in rng.sample(local, round(len(local) * share)):
            builder.check(woman, station)
        main = unit.name == CENTRE_TOWNSHIP
        sessions = 1500 if main else 200 if i % 3 == 1 else 480 + rng.randint(0, 60)
        point = centre if main else station
        if not working_device(point.pk, Equipment.Kind.BLUE_OXYGEN, today - timedelta(days=DAYS)):
            sessions = 0
        builder.treat(local, point, round(sessions * rng.uniform(0.97, 1.05)))
    _episode_visits(builder, county)
    _supplies(builder, county)
    report = builder.write()
    audit.record(
        actor=actor,
        action="demo.rh_services",
        object_type="programs.rhcheck",
        row_count=report.checks + report.treatments + report.visits + report.supplies,
        summary=f"seed={seed}",
    )
    return report
