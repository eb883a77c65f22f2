"""Writes of the registers: Chinese messages, nothing half-written, audit, history, versions,
the contact encrypted at rest."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from renkou.common.actors import Actor, ConflictError
from renkou.common.models import AuditEntry
from renkou.floating import services
from renkou.floating.models import Certificate, FloatingRecord
from renkou.floating.tests.conftest import CERT, TODAY, VALUES


def actor(personas):
    return Actor(personas["village_admin"])


def test_register_audits_keeps_history_and_encrypts_the_contact(personas, woman_a):
    record = services.record_register(
        actor=actor(personas), person=woman_a, values=VALUES, today=TODAY
    )
    assert record.unit_code == woman_a.unit_code and record.contact == "13912345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM floating_floatingrecord WHERE id = %s", [record.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and "13912345678" not in stored
    entry = AuditEntry.objects.get(action="floating.record_register")
    assert entry.object_id == str(record.pk) and "139" not in entry.summary
    assert record.history.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"place_code": "", "place_text": ""},
            "place_text",
            "请填写来源地或去向地（区划代码或地名）",
        ),
        ({"place_code": "51A"}, "place_code", "区划代码应为6位、9位或12位数字"),
        ({"reason": ""}, "reason", "请选择流动原因"),
        ({"arrived_on": None}, "arrived_on", "请填写流入/流出日期"),
        ({"arrived_on": date(2027, 7, 1)}, "arrived_on", "流入/流出日期不能晚于今天"),
        ({"left_on": date(2027, 2, 1)}, "left_on", "离开户籍地日期不能晚于流入/流出日期"),
        (
            {"expected_return": date(2026, 1, 1)},
            "expected_return",
            "预计返回日期不能早于流入/流出日期",
        ),
        ({"contact": "12345"}, "contact", None),
        ({"direction": "up"}, "direction", "请选择流动类型（流入或流出）"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_writes_nothing(
    personas, woman_a, change, field, message
):
    with pytest.raises(ValidationError) as caught:
        services.record_register(
            actor=actor(personas), person=woman_a, values={**VALUES, **change}, today=TODAY
        )
    errors = caught.value.message_dict[field]
    assert message in errors if message else any("号码" in e or "电话" in e for e in errors)
    assert FloatingRecord.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="floating.").exists()


def test_one_open_stay_per_direction(personas, woman_a):
    services.record_register(actor=actor(personas), person=woman_a, values=VALUES, today=TODAY)
    with pytest.raises(ValidationError) as caught:
        services.record_register(actor=actor(personas), person=woman_a, values=VALUES, today=TODAY)
    assert caught.value.message_dict["direction"] == ["该人员已有未返回的流入登记，请修改原登记"]


def test_update_checks_the_version_and_keeps_an_empty_contact(personas, woman_a):
    record = services.record_register(
        actor=actor(personas), person=woman_a, values=VALUES, today=TODAY
    )
    changed = {**VALUES, "contact": "", "employer": "县宾馆"}
    saved = services.record_update(
        actor=actor(personas), record=record, values=changed, version=1, today=TODAY
    )
    assert (saved.version, saved.employer, saved.contact) == (2, "县宾馆", "13912345678")
    with pytest.raises(ConflictError, match="已被他人修改"):
        services.record_update(
            actor=actor(personas), record=record, values=changed, version=1, today=TODAY
        )
    entry = AuditEntry.objects.get(action="floating.record_update")
    assert entry.summary == "changed=employer"
    assert saved.history.count() == 2


def test_a_return_before_arrival_is_refused(personas, woman_a):
    record = services.record_register(
        actor=actor(personas), person=woman_a, values=VALUES, today=TODAY
    )
    with pytest.raises(ValidationError) as caught:
        services.record_update(
            actor=actor(personas),
            record=record,
            values={**VALUES, "returned_on": date(2027, 1, 1)},
            version=1,
            today=TODAY,
        )
    assert caught.value.message_dict["returned_on"] == ["实际返回日期不能早于流入/流出日期"]
    record.refresh_from_db()
    assert (record.version, record.returned_on) == (1, None)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"number": ""}, "number", "请填写证明编号"),
        ({"authority": " "}, "authority", "请填写发证机关"),
        ({"valid_until": date(2026, 12, 1)}, "valid_until", "有效期至应晚于发证日期"),
        ({"checked_on": None}, "checked_on", "已选择核验结果，请填写核验日期"),
        ({"result": ""}, "result", "已填写核验日期，请选择核验结果"),
        ({"checked_on": date(2026, 12, 1)}, "checked_on", "核验日期不能早于发证日期"),
    ],
)
def test_certificate_messages(personas, woman_a, change, field, message):
    record = services.record_register(
        actor=actor(personas), person=woman_a, values=VALUES, today=TODAY
    )
    with pytest.raises(ValidationError) as caught:
        services.certificate_add(
            actor=actor(personas), record=record, values={**CERT, **change}, today=TODAY
        )
    assert message in caught.value.message_dict[field]
    assert Certificate.objects.count() == 0


def test_certificates_belong_to_inflow_records_only(personas, woman_a):
    out = services.record_register(
        actor=actor(personas), person=woman_a, values={**VALUES, "direction": "out"}, today=TODAY
    )
    with pytest.raises(ValidationError, match="婚育证明只在流入登记中查验"):
        services.certificate_add(actor=actor(personas), record=out, values=CERT, today=TODAY)


def test_certificate_verification_is_versioned(personas, woman_a):
    record = services.record_register(
        actor=actor(personas), person=woman_a, values=VALUES, today=TODAY
    )
    cert = services.certificate_add(
        actor=actor(personas),
        record=record,
        values={**CERT, "result": "", "checked_on": None},
        today=TODAY,
    )
    assert not cert.checked
    saved = services.certificate_update(
        actor=actor(personas), certificate=cert, values=CERT, version=1, today=TODAY
    )
    assert saved.checked and saved.version == 2
    with pytest.raises(ConflictError):
        services.certificate_update(
            actor=actor(personas), certificate=cert, values=CERT, version=1, today=TODAY
        )
