"""完整导出申请 (security.md CR8): full ID numbers and phones only through a request approved by
a second account of the same unit or one above, used once within 24 hours; every step audited
with ids and counts only, and the full export's audit row counts the rows in the file (read
back with python-calamine)."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_user
from renkou.accounts.constants import ROLE_PERMISSIONS, Perm, Role
from renkou.common import crypto
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry, JobProgress
from renkou.common.testing import media_bytes
from renkou.people import exports
from renkou.people.models import ExportRequest
from renkou.people.tests.page_helpers import make_person, new_id

CREATE = "people:export_request_create"
REASON = "县卫健委专项核查，需要完整号码逐户核对"


def url(name: str, grant: ExportRequest | None = None) -> str:
    return reverse(f"people:{name}", args=[grant.pk] if grant else [])


def sheet_rows(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


def download(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment")
    return sheet_rows(b"".join(response.streaming_content))


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def people(units):
    """Two women and a man in 甲一村, a woman in 甲二村 (outside the village account's scope)."""
    return {
        "wang": make_person(VILLAGE_A1, name="王秀英", phone="13912345678"),
        "li": make_person(VILLAGE_A1, name="李梅", phone="13800001111"),
        "zhang": make_person(VILLAGE_A1, name="张三", id_number=new_id(sex="1")),
        "zhao": make_person(VILLAGE_A2, name="赵芳"),
    }


@pytest.fixture
def clients(personas, units, signed_in_client):
    """A signed-in client per account: the three registrar personas, a second village account
    of 甲一村 and a township officer of 乙乡 (outside 甲镇)."""
    from django.test import Client

    accounts = {
        "village": personas["village_admin"],
        "township": personas["township_officer"],
        "county": personas["county_officer"],
        "peer": make_user("peer_a1", Role.VILLAGE_ADMIN, units[VILLAGE_A1]),
        "village_a2": make_user("admin_a2", Role.VILLAGE_ADMIN, units[VILLAGE_A2]),
        "outsider": make_user("officer_b", Role.TOWNSHIP_OFFICER, units[TOWNSHIP_B]),
    }
    return {key: signed_in_client(user, Client()) for key, user in accounts.items()}


def ask(client, filters: dict, reason: str = REASON) -> ExportRequest:
    response = client.post(reverse(CREATE), {**filters, "reason": reason})
    grant = ExportRequest.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == url(
        "export_request_detail", grant
    )
    return grant


def audit_rows(action: str, grant: ExportRequest) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, object_id=str(grant.pk)).order_by("seq"))


def test_request_approve_and_export_full_numbers_once(clients, personas, people):
    village, township = clients["village"], clients["township"]
    grant = ask(village, {"sex": "2"})
    assert grant.status == ExportRequest.Status.PENDING
    assert grant.requester == personas["village_admin"] and grant.unit_code == VILLAGE_A1
    assert grant.filters == {"sex": "2", "unit": VILLAGE_A1}  # the whole village when unchosen
    assert len(audit_rows("person.export_request", grant)) == 1

    response = township.post(url("export_request_approve", grant), {"note": "同意，用后即删"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.APPROVED
    assert grant.approver == personas["township_officer"] and grant.note == "同意，用后即删"
    assert grant.expires_at - grant.decided_at == timedelta(hours=24)
    (approval,) = audit_rows("person.export_approve", grant)
    assert approval.summary == f"requester={personas['village_admin'].pk}"

    rows = download(village.post(url("export_request_use", grant)))
    header, body = rows[0], rows[1:]
    women = {people["wang"], people["li"]}  # 张三 is a man, 赵芳 lives outside 甲一村
    assert sorted(r[header.index("公民身份号码")] for r in body) == sorted(
        p.id_number for p in women
    )
    by_name = {r[1]: r for r in body}
    assert by_name["王秀英"][header.index("联系电话")] == "13912345678"
    (entry,) = audit_rows("person.export_full", grant)
    assert entry.row_count == len(body) == 2 and entry.result == AuditEntry.Result.OK
    assert entry.summary == "filters=sex,unit;full=1"
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.USED and grant.row_count == 2

    again = village.post(url("export_request_use", grant))
    assert again.status_code == 302 and "Content-Disposition" not in again
    assert any("已导出过一次" in m for m in message_texts(again))
    denied = audit_rows("person.export_full", grant)[1:]
    assert [(e.result, e.summary) for e in denied] == [("denied", "status=used")]


def test_the_reason_and_names_stay_out_of_the_audit_trail(clients, people):
    grant = ask(clients["village"], {"name": "王秀英"})
    clients["township"].post(url("export_request_approve", grant), {"note": "同意王秀英一户"})
    download(clients["village"].post(url("export_request_use", grant)))
    rows = AuditEntry.objects.filter(object_type="people.exportrequest")
    assert sorted(rows.values_list("action", flat=True)) == [
        "person.export_approve",
        "person.export_full",
        "person.export_request",
    ]
    texts = [f"{e.summary} {e.reason}" for e in rows]
    assert texts and not any("王秀英" in t or "专项核查" in t for t in texts)
    assert all(people["wang"].id_number not in t for t in texts)


def test_self_approval_is_refused(clients, personas, people):
    township = clients["township"]
    grant = ask(township, {})
    response = township.post(url("export_request_approve", grant), {"note": "同意"})
    assert response.status_code == 302
    assert any("不能审批本人" in m for m in message_texts(response))
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.PENDING and grant.approver is None
    (denied,) = audit_rows("person.export_approve", grant)
    assert denied.result == AuditEntry.Result.DENIED and denied.summary == "self"
    actor = Actor(personas["township_officer"], "10.0.0.1")
    with pytest.raises(ValidationError):
        exports.export_request_approve(actor=actor, pk=grant.pk)
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportRequest.objects.filter(pk=grant.pk).update(approver=personas["township_officer"])


def test_approvers_are_other_accounts_of_the_same_unit_or_above(clients, personas, people):
    grant = ask(clients["village"], {})
    for outside in ("village_a2", "outsider"):
        assert clients[outside].get(url("export_request_detail", grant)).status_code == 404
        response = clients[outside].post(url("export_request_approve", grant), {"note": "同意"})
        assert response.status_code == 404
        listed = clients[outside].get(url("export_approval_list")).context["page"]
        assert grant not in list(listed)
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.PENDING
    for inside in ("peer", "township", "county"):
        listed = clients[inside].get(url("export_approval_list")).context["page"]
        assert list(listed) == [grant]
    assert list(clients["village"].get(url("export_approval_list")).context["page"]) == []
    clients["peer"].post(url("export_request_approve", grant), {"note": ""})
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.APPROVED
    assert grant.approver.username == "peer_a1"


def test_approvers_need_the_unmask_permission(clients, personas, people, monkeypatch):
    grant = ask(clients["village"], {})
    reduced = ROLE_PERMISSIONS[Role.TOWNSHIP_OFFICER] - {Perm.UNMASK_PERSON}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.TOWNSHIP_OFFICER, reduced)
    response = clients["township"].post(url("export_request_approve", grant), {"note": "同意"})
    assert response.status_code == 403
    with pytest.raises(ValidationError, match="查看完整号码"):
        actor = Actor(personas["township_officer"], "10.0.0.1")
        exports.export_request_approve(actor=actor, pk=grant.pk)
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.PENDING


def test_the_filters_unit_stays_inside_the_requesters_subtree(personas):
    village, township = personas["village_admin"], personas["township_officer"]
    assert exports.request_filters(village, {"unit": "620001"}) == {"unit": VILLAGE_A1}
    assert exports.request_filters(village, {"unit": VILLAGE_B1}) == {"unit": VILLAGE_A1}
    assert exports.request_filters(township, {"unit": VILLAGE_A2, "sex": "1"}) == {
        "unit": VILLAGE_A2,
        "sex": "1",
    }
    assert exports.request_filters(township, {"sex": ""}) == {"unit": TOWNSHIP_A[:9]}


def test_a_higher_units_request_is_out_of_a_lower_units_scope(clients, people):
    grant = ask(clients["township"], {})
    assert grant.unit_code == TOWNSHIP_A and grant.filters == {"unit": TOWNSHIP_A[:9]}
    response = clients["village"].post(url("export_request_approve", grant), {"note": "同意"})
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.PENDING


def test_only_the_requester_may_use_an_approved_request(clients, people):
    grant = ask(clients["village"], {})
    clients["township"].post(url("export_request_approve", grant))
    for other in ("township", "peer"):
        assert clients[other].post(url("export_request_use", grant)).status_code == 404
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.APPROVED
    denied = audit_rows("person.export_full", grant)
    assert [(e.username, e.result, e.summary) for e in denied] == [
        ("p_township_officer", "denied", "owner"),
        ("peer_a1", "denied", "owner"),
    ]


def test_a_rejected_request_cannot_be_used(clients, people):
    grant = ask(clients["village"], {})
    no_note = clients["township"].post(url("export_request_reject", grant), {"note": ""})
    assert any("驳回理由" in m for m in message_texts(no_note))
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.PENDING
    clients["township"].post(url("export_request_reject", grant), {"note": "用途不明确"})
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.REJECTED and grant.note == "用途不明确"
    assert grant.expires_at is None
    response = clients["village"].post(url("export_request_use", grant))
    assert response.status_code == 302 and "Content-Disposition" not in response
    assert not AuditEntry.objects.filter(action="person.export_full", result="ok").exists()
    approve = clients["county"].post(url("export_request_approve", grant), {"note": "同意"})
    assert any("已驳回" in m for m in message_texts(approve))
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.REJECTED


def expire(grant: ExportRequest, *, in_seconds: int) -> None:
    """Move the approval's end to ``in_seconds`` from now (time travel would also end the
    session at its 30-minute idle limit)."""
    end = timezone.now() + timedelta(seconds=in_seconds)
    ExportRequest.objects.filter(pk=grant.pk).update(expires_at=end)


def test_an_expired_approval_cannot_be_used(clients, people):
    grant = ask(clients["village"], {})
    clients["township"].post(url("export_request_approve", grant))
    expire(grant, in_seconds=-1)
    page = clients["village"].get(url("export_request_list"))
    assert [g.shown_status for g in page.context["page"]] == ["已过期"]
    assert ExportRequest.objects.get(pk=grant.pk).status == "approved"  # a GET writes nothing
    response = clients["village"].post(url("export_request_use", grant))
    assert response.status_code == 302 and "Content-Disposition" not in response
    assert any("过期" in m for m in message_texts(response))
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.EXPIRED and grant.used_at is None
    (denied,) = audit_rows("person.export_full", grant)
    assert denied.result == AuditEntry.Result.DENIED and denied.summary == "expired"
    again = clients["village"].post(url("export_request_use", grant))
    assert "Content-Disposition" not in again
    assert any("已过期" in m for m in message_texts(again))


def test_just_before_expiry_the_approval_still_holds(clients, people):
    grant = ask(clients["village"], {"sex": "1"})
    clients["township"].post(url("export_request_approve", grant))
    expire(grant, in_seconds=60)
    body = download(clients["village"].post(url("export_request_use", grant)))[1:]
    assert [r[1] for r in body] == ["张三"]


def test_without_an_approved_request_every_export_is_masked(clients, people):
    """Even with an approved request waiting, the list's ordinary export stays masked."""
    grant = ask(clients["village"], {})
    clients["township"].post(url("export_request_approve", grant))
    rows = download(clients["village"].post(reverse("people:person_export"), {}))
    header, body = rows[0], rows[1:]
    in_village = [people[k] for k in ("wang", "li", "zhang")]
    ids = sorted(r[header.index("公民身份号码")] for r in body)
    assert ids == sorted(crypto.mask(p.id_number) for p in in_village)
    assert "139********" in [r[header.index("联系电话")] for r in body]
    entry = AuditEntry.objects.get(action="person.export")
    assert entry.row_count == len(body) == 3 and entry.summary.endswith("full=0")
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.APPROVED  # not spent by the masked export


def test_an_id_search_cannot_be_put_in_a_request(clients, personas, people):
    number = people["wang"].id_number
    village = clients["village"]
    for data in ({"name": number}, {"id_number": number}, {"name": "13912345678"}):
        response = village.post(reverse(CREATE), {**data, "reason": REASON})
        assert response.status_code == 200 and response.context["refused"]
        assert exports.NUMBER_REFUSED in response.content.decode()
    assert not ExportRequest.objects.exists()
    actor = Actor(personas["village_admin"], "10.0.0.1")
    for filters in ({"id_number": number}, {"name": number}, {"name": "139 1234 5678"}):
        with pytest.raises(ValidationError):
            exports.export_request_create(actor=actor, filters=filters, reason=REASON)
    with pytest.raises(ValidationError):
        exports.export_request_create(actor=actor, filters={}, reason=f"核对 {number}")
    assert not ExportRequest.objects.exists()


def test_the_request_page_shows_the_filter_and_asks_for_a_reason(clients, people):
    village = clients["village"]
    page = village.get(reverse(CREATE), {"sex": "2"})
    assert page.status_code == 200 and page.context["count"] == 2
    assert ("性别", "女") in page.context["conditions"]
    assert 'name="sex" value="2"' in page.content.decode()
    short = village.post(reverse(CREATE), {"sex": "2", "reason": "需要"})
    assert short.status_code == 200 and short.context["form"].errors
    assert not ExportRequest.objects.exists()


def test_a_large_full_export_runs_as_a_job(
    clients, personas, people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "SYNC_LIMIT", 1)
    grant = ask(clients["village"], {})
    clients["township"].post(url("export_request_approve", grant))
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["village"].post(url("export_request_use", grant))
    assert response.status_code == 302 and response["Location"] == reverse("system:job_list")
    job = JobProgress.objects.get(kind="person_export")
    assert job.status == JobProgress.Status.DONE
    assert job.owner_id == personas["village_admin"].pk
    body = sheet_rows(media_bytes(job.result_file))[1:]
    expected = sorted(people[k].id_number for k in ("wang", "li", "zhang"))
    assert sorted(r[2] for r in body) == expected
    (entry,) = audit_rows("person.export_full", grant)
    assert entry.row_count == len(body) == 3 and entry.summary.endswith(f";job={job.pk}")
    grant.refresh_from_db()
    assert (grant.status, grant.row_count, grant.job_id) == ("used", 3, job.pk)


def test_a_failed_export_gives_the_approval_back(clients, people, monkeypatch):
    grant = ask(clients["village"], {})
    clients["township"].post(url("export_request_approve", grant))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_persons", broken)
    with pytest.raises(OSError):
        clients["village"].post(url("export_request_use", grant))
    grant.refresh_from_db()
    assert grant.status == ExportRequest.Status.APPROVED and grant.used_at is None
    assert not AuditEntry.objects.filter(action="person.export_full").exists()


def test_pages_never_show_full_numbers(clients, people):
    grant = ask(clients["village"], {})
    clients["township"].post(url("export_request_approve", grant))
    number = people["wang"].id_number
    for client, name, target in (
        (clients["village"], "export_request_list", None),
        (clients["village"], "export_request_detail", grant),
        (clients["township"], "export_approval_list", None),
        (clients["township"], "export_request_detail", grant),
    ):
        response = client.get(url(name, target), {"status": "all"} if target is None else {})
        assert response.status_code == 200
        body = response.content.decode()
        assert number not in body and "13912345678" not in body
    listed = clients["township"].get(url("export_approval_list"), {"status": "all"})
    assert list(listed.context["page"]) == [grant]
