"""The external anchor catches a truncated tail whose head row was rewritten to match."""

import importlib

import pytest
from django.core.management import call_command
from django.db import connection

from renkou.common import audit
from renkou.common.models import AuditEntry, AuditHead

append_only = importlib.import_module("renkou.common.migrations.0002_audit_append_only")


def _drop_triggers():
    with connection.cursor() as cursor:
        for sql in append_only.DROP[connection.vendor]:
            cursor.execute(sql)


@pytest.mark.django_db
def test_anchor_detects_tail_truncation_with_a_forged_head(tmp_path):
    for n in range(5):
        audit.record(actor=None, action="test.event", object_id=n)
    anchor = tmp_path / "anchor.json"
    call_command("verify_audit", anchor=anchor)
    assert anchor.exists()
    _drop_triggers()
    AuditEntry.objects.filter(seq__gte=4).delete()
    last = AuditEntry.objects.order_by("-seq").first()
    AuditHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)
    assert audit.verify()[1] == []  # without the anchor the truncation is invisible
    with pytest.raises(SystemExit):
        call_command("verify_audit", anchor=anchor)


@pytest.mark.django_db
def test_anchor_moves_forward_on_success(tmp_path):
    anchor = tmp_path / "anchor.json"
    audit.record(actor=None, action="test.event")
    call_command("verify_audit", anchor=anchor)
    audit.record(actor=None, action="test.event")
    call_command("verify_audit", anchor=anchor)
    assert f'"seq": {audit.head()[0]}' in anchor.read_text()
