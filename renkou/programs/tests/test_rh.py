"""Reproductive-health services: the clinic's rules, encryption at rest, the counts (worked out
by hand from the rows built here), scoping, masking by role and the audit rows."""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.common.actors import ConflictError
from renkou.common.models import AuditEntry, DictType
from renkou.geo.models import Equipment, ServicePoint, Unit
from renkou.people.models import ContraceptionEpisode, Pregnancy
from renkou.programs import counts, rh_services
from renkou.programs.constants import BLUE_OXYGEN
from renkou.programs.models import ContraceptionVisit, RHCheck, Supply, Treatment
from renkou.programs.rh_services import Anchor
from renkou.programs.tests.conftest import add

DAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _rh_dictionaries(db):
    if not DictType.objects.filter(code="rh_finding").exists():
        module = importlib.import_module("renkou.programs.migrations.0004_rh_dictionaries")
        module.forward(apps, None)
    cache.clear()


@pytest.fixture
def station(units) -> ServicePoint:
    """Township A's station, with a 蓝氧 device in use since 2020."""
    point = ServicePoint.objects.create(
        unit=Unit.objects.get(code="620001100000"),
        kind=ServicePoint.Kind.TOWNSHIP_STATION,
        name="甲镇计生服务站",
    )
    Equipment.objects.create(
        service_point=point,
        kind=Equipment.Kind.BLUE_OXYGEN,
        serial="LY-2020-01",
        installed_on=date(2020, 1, 1),
        status=Equipment.Status.INSTALLED,
    )
    return point


def check_values(point, day=DAY, **extra):
    values = {
        "checked_on": day,
        "service_point": point,
        "examiner": "李医生",
        "consent_on": day,
        "findings": ["01"],
        "finding_notes": "白带增多",
        "advice": "阴道冲洗上药",
    }
    return {**values, **extra}


def treat_values(point, day=DAY, **extra):
    values = {
        "treated_on": day,
        "service_point": point,
        "kind": BLUE_OXYGEN,
        "doctor": "王医生",
        "consent_on": day,
        "diagnosis": "霉菌性阴道炎",
    }
    return {**values, **extra}


def visit_values(day=DAY, **extra):
    values = {
        "visited_on": day,
        "reason": "iud_in",
        "method": "clinic",
        "result": "normal",
        "visitor": "张干事",
    }
    return {**values, **extra}


def record_check(actor, woman, point, day=DAY, **extra):
    return rh_services.rh_check_record(
        actor=actor, person=woman, values=check_values(point, day, **extra), today=day
    )


@pytest.fixture
def woman(units):
    return add("服务甲", "2", date(1990, 5, 1), VILLAGE_A1)


# --- the clinic's rules -----------------------------------------------------------------------


def test_rh_check_only_for_married_women_of_childbearing_age(staff, station):
    tech = staff["technician"]
    single = add("未婚乙", "2", date(1995, 1, 1), VILLAGE_A1, marital_status="10")
    old = add("年长丙", "2", date(1975, 1, 1), VILLAGE_A1)  # 51 on DAY
    man = add("男丁", "1", date(1990, 1, 1), VILLAGE_A1)
    for person in (single, man):
        with pytest.raises(ValidationError, match="已婚育龄妇女"):
            record_check(tech, person, station)
    with pytest.raises(ValidationError, match="15–49"):
        record_check(tech, old, station)


def test_rh_check_rules(staff, station, woman):
    tech = staff["technician"]
    cases = [
        (check_values(station, consent_on=DAY + timedelta(days=1)), "知情同意"),
        (check_values(station, findings=[]), "至少选择一项"),
        (check_values(station, findings=["00", "01"]), "未见异常"),
        (check_values(station, findings=["77"]), "代码表"),
        (check_values(station, referred=True, referral_to=""), "转诊机构"),
    ]
    for values, message in cases:
        with pytest.raises(ValidationError, match=message):
            rh_services.rh_check_record(actor=tech, person=woman, values=values, today=DAY)
    with pytest.raises(ValidationError, match="晚于今天"):
        rh_services.rh_check_record(
            actor=tech, person=woman, values=check_values(station), today=DAY - timedelta(days=1)
        )
    room = ServicePoint.objects.create(
        unit=Unit.objects.get(code=VILLAGE_A1), name="村服务室", kind=ServicePoint.Kind.VILLAGE_ROOM
    )
    with pytest.raises(ValidationError, match="县服务中心或乡镇服务站"):
        record_check(tech, woman, room)
    record_check(tech, woman, station)
    with pytest.raises(ValidationError, match="重复"):
        record_check(tech, woman, station)


def test_visit_rules_follow_the_card(staff, woman):
    tech = staff["technician"]
    card = woman.card
    pill = ContraceptionEpisode.objects.create(
        card=card, unit_code=VILLAGE_A1, method="05", start=date(2025, 1, 1)
    )
    iud = ContraceptionEpisode.objects.create(
        card=card, unit_code=VILLAGE_A1, method="03", start=date(2026, 1, 20)
    )
    with pytest.raises(ValidationError, match="口服避孕药"):
        rh_services.visit_record(
            actor=tech, anchor=Anchor(episode=pill), values=visit_values(), today=DAY
        )
    with pytest.raises(ValidationError, match="早于施术"):
        rh_services.visit_record(
            actor=tech,
            anchor=Anchor(episode=iud),
            values=visit_values(date(2026, 1, 10)),
            today=DAY,
        )
    with pytest.raises(ValidationError, match="尚未填写取出"):
        rh_services.visit_record(
            actor=tech, anchor=Anchor(episode=iud), values=visit_values(reason="iud_out"), today=DAY
        )
    live_birth = Pregnancy.objects.create(
        card=card,
        unit_code=VILLAGE_A1,
        outcome="1",
        detected_on=date(2024, 1, 1),
        outcome_date=date(2024, 9, 1),
    )
    with pytest.raises(ValidationError, match="人工流产"):
        rh_services.visit_record(
            actor=tech,
            anchor=Anchor(pregnancy=live_birth),
            values=visit_values(reason="abortion"),
            today=DAY,
        )
    row = rh_services.visit_record(
        actor=tech, anchor=Anchor(episode=iud), values=visit_values(), today=DAY
    )
    assert (row.person_id, row.unit_code, row.episode_id) == (woman.pk, VILLAGE_A1, iud.pk)


def test_supply_rules(staff, woman):
    v = staff["village_admin"]
    base = {"issued_on": DAY, "product": "01", "quantity": 20}
    with pytest.raises(ValidationError, match="1–500"):
        rh_services.supply_record(actor=v, person=woman, values={**base, "quantity": 0}, today=DAY)
    child = add("少年", "2", date(2013, 1, 1), VILLAGE_A1, marital_status="10")
    with pytest.raises(ValidationError, match="年满15"):
        rh_services.supply_record(actor=v, person=child, values=base, today=DAY)
    row = rh_services.supply_record(actor=v, person=woman, values=base, today=DAY)
    assert row.issuer_code == v.user.unit_code


def test_edit_checks_version_and_void_keeps_the_row(staff, station, woman):
    tech = staff["technician"]
    row = record_check(tech, woman, station)
    with pytest.raises(ConflictError):
        rh_services.record_update(
            actor=tech, row=row, values={"findings": ["00"]}, version=99, today=DAY
        )
    row = rh_services.record_update(
        actor=tech, row=row, values={"findings": ["00"]}, version=row.version, today=DAY
    )
    assert (row.abnormal, row.finding_codes, row.version) == (False, ["00"], 2)
    with pytest.raises(ValidationError, match="作废原因"):
        rh_services.record_void(actor=tech, row=row, reason=" ", version=row.version)
    rh_services.record_void(actor=tech, row=row, reason="录错人", version=row.version)
    assert RHCheck.objects.filter(pk=row.pk, voided_at__isnull=False).exists()
    assert counts.rh_checks("620001", DAY, DAY).count() == 0
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(row.pk), object_type="programs.rhcheck"
        ).values_list("action", flat=True)
    )
    assert actions == {
        "programs.rh_check_record",
        "programs.rh_check_update",
        "programs.rh_check_void",
    }
    summaries = AuditEntry.objects.filter(object_type="programs.rhcheck").values_list(
        "summary", flat=True
    )
    assert all("白带" not in s and "阴道炎" not in s for s in summaries)


def test_health_details_are_encrypted_at_rest(staff, station, woman):
    row = record_check(staff["technician"], woman, station)
    treat = rh_services.treatment_record(
        actor=staff["technician"], person=woman, values=treat_values(station), today=DAY
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT findings, finding_notes, advice, abnormal FROM programs_rhcheck WHERE id = %s",
            [row.pk],
        )
        findings, notes, advice, abnormal = cursor.fetchone()
        cursor.execute("SELECT diagnosis, kind FROM programs_treatment WHERE id = %s", [treat.pk])
        diagnosis, kind = cursor.fetchone()
    assert "01" != findings and "白带" not in notes and "冲洗" not in advice
    assert "阴道炎" not in diagnosis
    assert bool(abnormal) is True and kind == BLUE_OXYGEN  # counted without decrypting
    row.refresh_from_db()
    assert (row.finding_codes, row.finding_notes) == (["01"], "白带增多")


# --- counts -----------------------------------------------------------------------------------


def test_counts_by_hand(staff, station, units):
    """Township A: w1 (A1) checked twice (Jan, Mar), w2 (A2) once in March, w3 (A1) once in
    2025 (outside); township B: w4 once. One voided check of w2. Treatments: w1 blue oxygen
    twice, w2 medicine once; w4 (township B) blue oxygen at the county centre."""
    tech = staff["technician"]
    centre = ServicePoint.objects.create(
        unit=Unit.objects.get(code="620001000000"),
        kind=ServicePoint.Kind.COUNTY_CENTRE,
        name="县中心",
    )
    Equipment.objects.create(
        service_point=centre,
        kind=Equipment.Kind.BLUE_OXYGEN,
        serial="LY-C-01",
        installed_on=date(2025, 6, 1),
        status=Equipment.Status.INSTALLED,
    )
    w1 = add("一", "2", date(1990, 1, 1), VILLAGE_A1)
    w2 = add("二", "2", date(1991, 1, 1), VILLAGE_A2)
    w3 = add("三", "2", date(1992, 1, 1), VILLAGE_A1)
    w4 = add("四", "2", date(1993, 1, 1), VILLAGE_B1)
    record_check(tech, w1, station, date(2026, 1, 5))
    record_check(tech, w1, station, date(2026, 3, 5))
    record_check(tech, w2, station, date(2026, 3, 6), findings=["00"])
    wrong = record_check(tech, w2, station, date(2026, 3, 7))
    rh_services.record_void(actor=tech, row=wrong, reason="重复", version=wrong.version)
    record_check(tech, w3, station, date(2025, 12, 31))
    record_check(tech, w4, centre, date(2026, 2, 1))
    for day in (date(2026, 1, 6), date(2026, 1, 13)):
        rh_services.treatment_record(
            actor=tech, person=w1, values=treat_values(station, day), today=day
        )
    rh_services.treatment_record(
        actor=tech,
        person=w2,
        values=treat_values(station, date(2026, 2, 2), kind="02"),
        today=date(2026, 2, 2),
    )
    rh_services.treatment_record(
        actor=tech, person=w4, values=treat_values(centre, date(2026, 2, 3)), today=date(2026, 2, 3)
    )
    start, end = date(2026, 1, 1), date(2026, 3, 31)
    assert counts.rh_checks("620001100", start, end).count() == 3  # w1 ×2, w2 (void excluded)
    assert set(counts.rh_checked_women("620001100", start, end)) == {w1, w2}
    assert counts.rh_checks("620001100201", start, end).count() == 2
    assert counts.rh_checks("620001", start, end).count() == 4
    assert counts.rh_checks("620001100", start, date(2026, 3, 5)).count() == 2  # end inclusive
    assert counts.treatments("620001100", start, end).count() == 3
    assert counts.treatments("620001100", start, end, kind=BLUE_OXYGEN).count() == 2
    blue = counts.treatments("620001100", start, end, kind=BLUE_OXYGEN, service_points=[centre.pk])
    assert blue.count() == 3  # township A's two, and w4's at the centre
    assert counts.treatments("620001101", start, end, service_points=[]).count() == 1


def test_visits_and_supplies_counted(staff, woman):
    v = staff["village_admin"]
    iud = ContraceptionEpisode.objects.create(
        card=woman.card, unit_code=VILLAGE_A1, method="03", start=date(2026, 1, 2)
    )
    for day in (date(2026, 2, 1), date(2026, 4, 2)):
        rh_services.visit_record(
            actor=v, anchor=Anchor(episode=iud), values=visit_values(day), today=day
        )
    rh_services.supply_record(
        actor=v,
        person=woman,
        values={"issued_on": date(2026, 2, 3), "product": "01", "quantity": 30},
        today=date(2026, 2, 3),
    )
    assert (
        counts.contraception_visits("620001100", date(2026, 1, 1), date(2026, 3, 31)).count() == 1
    )
    assert (
        counts.contraception_visits("620001101", date(2026, 1, 1), date(2026, 12, 31)).count() == 0
    )
    assert counts.supplies("620001", date(2026, 2, 3), date(2026, 2, 3)).count() == 1


# --- pages: scoping, masking, audit --------------------------------------------------------------


@pytest.fixture
def today_check(staff, station, woman):
    today = timezone.localdate()
    return record_check(staff["technician"], woman, station, today)


def test_record_page_masks_details_by_role(personas, signed_in_client, client, today_check):
    url = reverse("programs:rh_check_detail", args=[today_check.pk])
    for role, full in (
        ("technician", True),
        ("township_officer", True),
        ("village_admin", False),
        ("county_officer", False),
    ):
        client.logout()
        body = signed_in_client(personas[role]).get(url).content.decode()
        assert ("白带增多" in body) is full, role
        assert ("已记录" in body) is not full, role
    before = AuditEntry.objects.filter(action="programs.rh_view").count()
    client.get(url)
    assert AuditEntry.objects.filter(action="programs.rh_view").count() == before + 1


def test_out_of_scope_is_404(units, signed_in_client, staff, station):
    from conftest import make_user
    from renkou.accounts.constants import Role

    other = make_user("b_officer", Role.TOWNSHIP_OFFICER, units["620001101000"])
    woman_a = add("甲镇人", "2", date(1990, 1, 1), VILLAGE_A1)
    row = record_check(staff["technician"], woman_a, station, timezone.localdate())
    client = signed_in_client(other)
    for name, pk in (
        ("programs:rh_check_detail", row.pk),
        ("programs:rh_person", woman_a.pk),
        ("programs:rh_check_edit", row.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code in (404, 403)
    assert client.get(reverse("programs:rh_check_detail", args=[row.pk])).status_code == 404


def test_entry_form_saves_and_goes_back_to_next(personas, signed_in_client, station, woman):
    today = timezone.localdate()
    client = signed_in_client(personas["technician"])
    url = reverse("programs:treatment_create", args=[woman.pk])
    data = {
        "treated_on": today.isoformat(),
        "service_point": station.pk,
        "kind": BLUE_OXYGEN,
        "doctor": "王医生",
        "consent_on": today.isoformat(),
        "diagnosis": "宫颈炎",
        "next": "/todo/",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == "/todo/"
    assert Treatment.objects.filter(person=woman, kind=BLUE_OXYGEN).count() == 1
    yesterday = (today - timedelta(1)).isoformat()
    data.update(next="https://evil.example/", treated_on=yesterday, consent_on=yesterday)
    response = client.post(url, data)
    row = Treatment.objects.filter(person=woman).order_by("-pk").first()
    assert response["Location"] == reverse("programs:treatment_detail", args=[row.pk])


def test_counts_page_suppresses_small_village_cells_for_leaders(
    personas, signed_in_client, staff, station
):
    today = timezone.localdate()
    for i in range(6):
        record_check(
            staff["technician"], add(f"村甲{i}", "2", date(1990, 1, 1), VILLAGE_A1), station, today
        )
    record_check(
        staff["technician"], add("村乙", "2", date(1990, 1, 1), VILLAGE_A2), station, today
    )
    client = signed_in_client(personas["leader"])
    url = reverse("programs:rh_counts") + "?unit=620001100&period=" + f"{today:%Y-%m}"
    body = client.get(url).content.decode()
    assert "&lt;5" in body
    county = client.get(reverse("programs:rh_counts") + f"?period={today:%Y-%m}")
    assert county.status_code == 200 and "&lt;5" not in county.content.decode()


def test_supply_model_counts_distinct_rows(staff, woman):
    """A second supply of the same product on the same day is refused (edit the first)."""
    v = staff["village_admin"]
    values = {"issued_on": DAY, "product": "02", "quantity": 3}
    rh_services.supply_record(actor=v, person=woman, values=values, today=DAY)
    with pytest.raises(ValidationError, match="同一品种"):
        rh_services.supply_record(actor=v, person=woman, values=values, today=DAY)
    assert Supply.objects.filter(person=woman).count() == 1
    assert ContraceptionVisit.objects.count() == 0


def test_demo_is_deterministic_and_follows_the_rules(units, staff):
    from renkou.programs import rh_demo

    today = date(2026, 11, 29)
    women = [
        add(f"演示{i}", "2", date(1985 + i % 10, 1, 1), (VILLAGE_A1, VILLAGE_B1)[i % 2])
        for i in range(40)
    ]
    ContraceptionEpisode.objects.create(
        card=women[0].card, unit_code=women[0].unit_code, method="03", start=date(2026, 2, 1)
    )
    ContraceptionEpisode.objects.create(
        card=women[1].card, unit_code=women[1].unit_code, method="07", start=date(2025, 1, 1)
    )

    def run():
        report = rh_demo.seed_services(county="620001", today=today, seed=7)
        wanted = (
            (RHCheck, ("person_id", "checked_on", "findings")),
            (Treatment, ("person_id", "treated_on", "kind")),
            (ContraceptionVisit, ("person_id", "visited_on", "reason")),
            (Supply, ("person_id", "issued_on", "quantity")),
        )
        rows = {model: sorted(model.objects.values_list(*fields)) for model, fields in wanted}
        for model in rows:
            model.history.all().delete()
            model.objects.all().delete()
        return report, rows

    first, second = run(), run()
    assert first == second
    report, rows = first
    assert report.checks > 0 and report.treatments > 0 and report.visits > 0 and report.supplies > 0
    assert all(today - timedelta(days=365) <= r[1] <= today for r in rows[RHCheck])
    assert all(r[1] >= date(2026, 2, 1) for r in rows[ContraceptionVisit])


# --- the 蓝氧 device (issue 17 item 3) -----------------------------------------------------------


def _blue_at(staff, woman, point, day):
    return rh_services.treatment_record(
        actor=staff["technician"], person=woman, values=treat_values(point, day), today=day
    )


def test_a_blue_oxygen_treatment_needs_a_device_working_that_day(staff, station, woman):
    """Refused with the point and the day named, and nothing saved, where the device is not
    installed, broken since an earlier day, or never recorded; accepted before it broke."""
    device = Equipment.objects.get(service_point=station)
    device.status, device.status_since = Equipment.Status.BROKEN, DAY
    device.save()
    with pytest.raises(ValidationError) as caught:
        _blue_at(staff, woman, station, DAY)
    message = caught.value.message_dict["service_point"][0]
    assert "甲镇计生服务站" in message and "没有可用的蓝氧治疗仪" in message
    assert f"{DAY.year}年{DAY.month}月{DAY.day}日" in message
    assert not Treatment.objects.filter(person=woman).exists()
    before = DAY - timedelta(days=1)  # the day before it broke: it worked
    assert _blue_at(staff, woman, station, before).service_point == station
    Equipment.objects.filter(pk=device.pk).update(
        status=Equipment.Status.NOT_INSTALLED, installed_on=None, status_since=None
    )
    with pytest.raises(ValidationError):
        _blue_at(staff, woman, station, DAY)
    Equipment.objects.filter(pk=device.pk).delete()
    with pytest.raises(ValidationError):
        _blue_at(staff, woman, station, DAY)
    assert Treatment.objects.filter(person=woman).count() == 1


def test_other_treatments_need_no_blue_oxygen_device(staff, station, woman):
    Equipment.objects.filter(service_point=station).delete()
    values = treat_values(station, DAY, kind="02")  # 药物治疗
    row = rh_services.treatment_record(
        actor=staff["technician"], person=woman, values=values, today=DAY
    )
    assert row.kind == "02"
