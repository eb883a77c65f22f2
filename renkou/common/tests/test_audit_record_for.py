"""``audit.record_for``: the one helper that replaced the apps' ``_audit`` / ``_audit_view``
copies (issue 12 item 3) writes the row they wrote."""

import pytest

from renkou.common import audit
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry, DictType

pytestmark = pytest.mark.django_db

# The columns a row's meaning lives in; seq, ts, prev_hash and hash only place it in the chain.
MEANING = (
    "user_id",
    "username",
    "role",
    "unit_code",
    "ip",
    "action",
    "object_type",
    "object_id",
    "summary",
    "row_count",
    "result",
    "reason",
)


def _old_audit(actor, action, obj, summary="", rows=None):
    """The helper as benefits/payments.py, benefits/services.py, programs/services.py and
    the others had it, each with its own app prefix."""
    meta = obj._meta
    return audit.record(
        actor=actor.user,
        ip=actor.ip,
        action=action,
        object_type=f"{meta.app_label}.{meta.model_name}",
        object_id=obj.pk,
        summary=summary,
        row_count=rows,
    )


def _meaning(row: AuditEntry) -> dict:
    return {name: getattr(row, name) for name in MEANING}


def test_record_for_writes_the_row_the_old_helpers_wrote(personas):
    officer = personas["county_officer"]
    actor = Actor(officer, "10.1.2.3")
    obj = DictType.objects.create(code="t_record_for", name="测试")
    old = _old_audit(actor, "benefits.roll_lock", obj, "lines=3", rows=3)
    new = audit.record_for(actor, "benefits.roll_lock", obj, summary="lines=3", rows=3)
    assert _meaning(new) == _meaning(old)
    assert new.seq == old.seq + 1
    # and what that row means, field by field
    assert new.user_id == officer.pk
    assert new.username == officer.username
    assert new.role == officer.role
    assert new.unit_code == officer.unit_code
    assert new.ip == "10.1.2.3"
    assert new.action == "benefits.roll_lock"
    assert new.object_type == "common.dicttype"
    assert new.object_id == str(obj.pk)
    assert new.summary == "lines=3"
    assert new.row_count == 3
    assert new.result == AuditEntry.Result.OK
    assert new.reason == ""


def test_record_for_the_system_and_a_reason(personas):
    obj = DictType.objects.create(code="t_record_for2", name="测试")
    row = audit.record_for(Actor(None), "programs.rh_check_void", obj, reason="录错了人")
    assert (row.user_id, row.username, row.role, row.unit_code, row.ip) == (None, "", "", "", "")
    assert (row.reason, row.row_count, row.summary) == ("录错了人", None, "")


def test_record_for_a_list_names_the_type_without_a_key(personas):
    """A list page (the rh records of one kind) is audited by its model class."""
    actor = Actor(personas["township_officer"], "10.0.0.9")
    row = audit.record_for(actor, "programs.rh_view", DictType, summary="list=x", rows=40)
    assert (row.object_type, row.object_id, row.row_count) == ("common.dicttype", "", 40)
    unsaved = audit.record_for(actor, "programs.rh_view", DictType(code="x"))
    assert (unsaved.object_type, unsaved.object_id) == ("common.dicttype", "")
