"""用户管理: list, create and reset by request (approved elsewhere), edit, force logout, unlock."""

import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import COUNTY, OTHER_VILLAGE, PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from renkou.accounts.models import AccountRequest, User, UserSession
from renkou.common.models import AuditEntry

pytestmark = pytest.mark.django_db

LIST = reverse("system:user_list")
CREATE = reverse("system:user_create")


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def _lock(username: str) -> None:
    AccessAttempt.objects.create(
        username=username,
        ip_address="10.9.9.9",
        user_agent="x",
        path_info="/accounts/login/",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
    )


def _signed_in_elsewhere(signed_in_client, user) -> Client:
    other = signed_in_client(user, Client())
    UserSession.objects.create(session_key=other.session.session_key, user=user, ip="10.2.2.2")
    return other


@pytest.mark.parametrize("name", ["system:user_list", "system:user_create"])
def test_pages_open_for_sys_admin_only(name, as_role):
    assert as_role("sys_admin").get(reverse(name)).status_code == 200
    assert as_role("sec_admin").get(reverse(name)).status_code == 403
    assert as_role("county_officer").get(reverse(name)).status_code == 403


def test_list_searches_and_shows_the_unit_tree(as_role, personas):
    client = as_role("sys_admin")
    page = client.get(LIST, {"q": "p_village"}).content.decode()
    assert "p_village_admin" in page and "p_township_officer" not in page
    assert "甲镇" in page  # the unit tree
    page = client.get(LIST, {"role": "leader"}).content.decode()
    assert "p_leader" in page and "p_village_admin" not in page
    page = client.get(LIST, {"parent": TOWNSHIP_A[:9]}).content.decode()
    assert "p_township_officer" in page and "p_county_officer" not in page


def test_list_htmx_request_gets_the_results_partial(as_role):
    response = as_role("sys_admin").get(LIST, {"status": "1"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "p_sys_admin" in body


def test_list_hides_accounts_of_another_county(as_role, units):
    make_user("elsewhere_user", "village_admin", units[OTHER_VILLAGE])
    assert "elsewhere_user" not in as_role("sys_admin").get(LIST).content.decode()


def test_create_files_a_request_and_shows_no_credential(as_role, units, caplog):
    """Issue 19 item 2: the creator saw the new account's initial password."""
    caplog.set_level(logging.DEBUG)
    data = {
        "username": "newclerk",
        "full_name": "新专干",
        "role": "village_admin",
        "unit": units[VILLAGE_A1].pk,
        "mfa_required": "on",
        "reason": "新任村专干",
    }
    response = as_role("sys_admin").post(CREATE, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("system:request_list")
    assert "待安全管理员审批" in response.content.decode()
    assert "password" not in response.context
    assert not User.objects.filter(username="newclerk").exists()  # only once approved
    filed = AccountRequest.objects.get(username="newclerk")
    assert (filed.kind, filed.status, filed.role, filed.mfa_required) == (
        "create",
        "pending",
        "village_admin",
        True,
    )
    assert "account.request" in _actions()
    for row in AuditEntry.objects.all():
        assert "新专干" not in row.summary


def test_create_needs_a_reason(as_role, units):
    data = {
        "username": "noreason",
        "full_name": "某",
        "role": "leader",
        "unit": units[VILLAGE_A1].pk,
    }
    response = as_role("sys_admin").post(CREATE, data)
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert not AccountRequest.objects.exists()


def test_create_refuses_a_unit_outside_the_county_and_a_taken_name(as_role, units):
    client = as_role("sys_admin")
    data = {
        "username": "x_other",
        "full_name": "某",
        "role": "village_admin",
        "unit": units[OTHER_VILLAGE].pk,
    }
    response = client.post(CREATE, data)
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    data = {**data, "username": "p_leader", "unit": units[VILLAGE_A1].pk}
    assert "该用户名已被使用" in client.post(CREATE, data).content.decode()
    assert not User.objects.filter(username="x_other").exists()


def test_edit_of_a_name_is_saved_at_once_and_audited(as_role, personas, units):
    target = personas["village_admin"]
    url = reverse("system:user_edit", args=[target.pk])
    client = as_role("sys_admin")
    assert client.get(url).status_code == 200
    data = {
        "username": "ignored",
        "full_name": "改后",
        "role": "village_admin",
        "unit": units[VILLAGE_A1].pk,
        "is_active": "on",
    }
    assert client.post(url, data)["Location"] == LIST
    target.refresh_from_db()
    assert (target.username, target.full_name) == ("p_village_admin", "改后")
    row = AuditEntry.objects.get(action="user.update")
    assert row.object_id == str(target.pk) and "改后" not in row.summary


def test_edit_that_moves_a_person_reader_is_filed_for_approval(as_role, personas, units):
    target = personas["village_admin"]
    url = reverse("system:user_edit", args=[target.pk])
    data = {
        "full_name": "调任者",
        "role": "township_officer",
        "unit": units[TOWNSHIP_A].pk,
        "is_active": "on",
        "reason": "调任乡镇计生办",
    }
    response = as_role("sys_admin").post(url, data)
    assert response["Location"] == reverse("system:request_list")
    target.refresh_from_db()
    assert (target.role, target.unit.code) == ("village_admin", VILLAGE_A1)
    filed = AccountRequest.objects.get(target=target)
    assert "乡镇计生办" in filed.changes and filed.status == "pending"


def test_edit_needing_approval_asks_for_a_reason(as_role, personas, units):
    target = personas["leader"]
    url = reverse("system:user_edit", args=[target.pk])
    data = {"full_name": "领导", "role": "county_officer", "unit": units[COUNTY].pk}
    data["is_active"] = "on"
    response = as_role("sys_admin").post(url, data)
    assert response.status_code == 200
    assert "请填写申请事由" in response.content.decode()
    target.refresh_from_db()
    assert target.role == "leader" and not AccountRequest.objects.exists()


def test_objects_outside_the_county_are_404(as_role, units):
    outsider = make_user("outsider", "village_admin", units[OTHER_VILLAGE])
    client = as_role("sys_admin")
    assert client.get(reverse("system:user_edit", args=[outsider.pk])).status_code == 404
    for name in ("user_reset_password", "user_kill_sessions", "user_unlock"):
        assert client.post(reverse(f"system:{name}", args=[outsider.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="authz.denied", object_id=str(outsider.pk)).exists()


def test_reset_password_is_filed_and_changes_nothing_until_approved(
    as_role, personas, signed_in_client
):
    target = personas["township_officer"]
    other = _signed_in_elsewhere(signed_in_client, target)
    url = reverse("system:user_reset_password", args=[target.pk])
    client = as_role("sys_admin")
    assert "申请事由" in client.get(url).content.decode()
    response = client.post(url, {"reason": "本人忘记密码"})
    assert response["Location"] == reverse("system:request_list")
    target.refresh_from_db()
    assert target.check_password(PASSWORD)  # still the old password
    assert other.get(reverse("home")).status_code == 200  # still signed in
    assert AccountRequest.objects.get(target=target).kind == "reset"


def test_reset_page_shows_a_form_and_changes_nothing(as_role, personas):
    url = reverse("system:user_reset_password", args=[personas["leader"].pk])
    assert as_role("sys_admin").get(url).status_code == 200
    assert not AccountRequest.objects.exists()


def test_force_logout_ends_the_sessions(as_role, personas, signed_in_client):
    target = personas["leader"]
    other = _signed_in_elsewhere(signed_in_client, target)
    key = other.session.session_key
    response = as_role("sys_admin").post(reverse("system:user_kill_sessions", args=[target.pk]))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    row = AuditEntry.objects.get(action="session.kill")
    assert (row.object_id, row.row_count) == (str(target.pk), 1)


def test_unlock_clears_the_lockout_and_audits(as_role, personas):
    target = personas["technician"]
    _lock(target.username)
    client = as_role("sys_admin")
    assert "已锁定" in client.get(LIST, {"q": target.username}).content.decode()
    response = client.post(reverse("system:user_unlock", args=[target.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=target.username).exists()
    row = AuditEntry.objects.get(action="account.unlock")
    assert (row.object_id, row.row_count) == (str(target.pk), 1)


def test_an_administrator_cannot_demote_or_disable_their_own_account(as_role, personas, units):
    admin = personas["sys_admin"]
    url = reverse("system:user_edit", args=[admin.pk])
    data = {"full_name": "新名字", "role": "leader", "unit": units[VILLAGE_A1].pk}
    assert as_role("sys_admin").post(url, data).status_code == 302
    admin.refresh_from_db()
    assert (admin.full_name, admin.role, admin.is_active) == ("新名字", "sys_admin", True)
