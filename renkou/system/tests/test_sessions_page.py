"""在线用户 (强退) and 登录日志 (filters, 解锁 for the security administrator)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renkou.accounts.models import LoginLog, UserSession
from renkou.common.models import AuditEntry

pytestmark = pytest.mark.django_db

SESSIONS = reverse("system:session_list")
LOGINS = reverse("system:loginlog_list")


@pytest.fixture
def target_client(personas, signed_in_client):
    """The village administrator signed in on another browser, with its 在线用户 row."""
    user = personas["village_admin"]
    other = signed_in_client(user, Client())
    UserSession.objects.create(
        session_key=other.session.session_key,
        user=user,
        ip="10.3.3.3",
        user_agent="Mozilla/5.0 Chrome/120",
    )
    return other


@pytest.fixture
def locked_row(personas):
    username = personas["inspector"].username
    AccessAttempt.objects.create(
        username=username,
        ip_address="10.4.4.4",
        user_agent="x",
        path_info="/accounts/login/",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
    )
    LoginLog.objects.create(username=username, ip="10.4.4.4", result=LoginLog.Result.FAILURE)
    return LoginLog.objects.create(username=username, ip="10.4.4.4", result=LoginLog.Result.LOCKED)


def test_session_page_is_for_the_security_administrator(as_role, target_client):
    response = as_role("sec_admin").get(SESSIONS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "p_village_admin" in body and "10.3.3.3" in body and "强退" in body
    for role in ("sys_admin", "audit_admin", "county_officer"):
        assert as_role(role).get(SESSIONS).status_code == 403


def _second_session(signed_in_client, user) -> Client:
    other = signed_in_client(user, Client())
    UserSession.objects.create(
        session_key=other.session.session_key, user=user, ip="10.3.3.4", user_agent=""
    )
    return other


def test_force_logout_of_a_row_ends_that_session_only(
    as_role, personas, target_client, signed_in_client
):
    """Issue 11 item 15: 强退 on one row signed out every session of the account."""
    target = personas["village_admin"]
    phone = _second_session(signed_in_client, target)
    key = target_client.session.session_key
    row = UserSession.objects.get(session_key=key)
    response = as_role("sec_admin").post(reverse("system:session_kill", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == SESSIONS
    assert not Session.objects.filter(session_key=key).exists()
    assert phone.get(reverse("home")).status_code == 200  # the other session goes on
    after = target_client.get(reverse("home"), follow=True)
    assert after.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "您已被管理员强制下线" in after.content.decode()
    # Shown once: the next visit is an ordinary sign-in page.
    assert "强制下线" not in target_client.get(reverse("accounts:login")).content.decode()
    audit_row = AuditEntry.objects.get(action="session.kill")
    assert (audit_row.object_id, audit_row.row_count, audit_row.username) == (
        str(target.pk),
        1,
        "p_sec_admin",
    )


def test_force_logout_of_all_sessions_of_the_account(
    as_role, personas, target_client, signed_in_client
):
    target = personas["village_admin"]
    phone = _second_session(signed_in_client, target)
    url = reverse("system:session_kill_user", args=[target.pk])
    assert as_role("sec_admin").post(url).status_code == 302
    assert not UserSession.objects.filter(user=target).exists()
    for client in (target_client, phone):
        page = client.get(reverse("people:person_list"), follow=True).content.decode()
        assert "您已被管理员强制下线" in page


def test_the_session_list_names_browser_and_system(as_role, target_client):
    UserSession.objects.filter(user__username="p_village_admin").update(
        user_agent="Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0"
    )
    body = as_role("sec_admin").get(SESSIONS).content.decode()
    assert "Firefox 115 · Windows 7" in body and "全部强退" in body


def test_a_session_of_another_county_is_404(as_role, units):
    from conftest import OTHER_VILLAGE, make_user

    outsider = make_user("far_away", "village_admin", units[OTHER_VILLAGE])
    client = Client()
    client.force_login(outsider)
    row = UserSession.objects.create(
        session_key=client.session.session_key, user=outsider, ip="10.5.5.5"
    )
    response = as_role("sec_admin").post(reverse("system:session_kill", args=[row.pk]))
    assert response.status_code == 404
    assert Session.objects.filter(session_key=row.session_key).exists()


def test_force_logout_is_post_only_and_for_the_security_administrator(as_role, personas):
    url = reverse("system:session_kill", args=[personas["leader"].pk])
    assert as_role("sec_admin").get(url).status_code == 405
    assert as_role("sys_admin").post(url).status_code == 403


def test_login_log_for_security_and_audit_administrators(as_role, locked_row):
    assert as_role("sec_admin").get(LOGINS).status_code == 200
    assert as_role("audit_admin").get(LOGINS).status_code == 200
    assert as_role("sys_admin").get(LOGINS).status_code == 403
    assert as_role("township_officer").get(LOGINS).status_code == 403


def test_login_log_filters(as_role, locked_row):
    client = as_role("audit_admin")
    LoginLog.objects.create(username="someone", ip="192.168.1.9", result=LoginLog.Result.SUCCESS)

    def names(**params):
        return [row.username for row in client.get(LOGINS, params).context["page"]]

    assert names(ip="192.168") == ["someone"]
    assert names(result="locked") == ["p_inspector"]
    assert set(names(username="p_insp")) == {"p_inspector"}
    assert names(date_to="2000-01-01") == []


def test_unlock_button_only_for_the_security_administrator(as_role, locked_row):
    unlock = reverse("system:loginlog_unlock", args=[locked_row.pk])
    assert unlock in as_role("sec_admin").get(LOGINS).content.decode()
    assert unlock not in as_role("audit_admin").get(LOGINS).content.decode()
    assert as_role("audit_admin").post(unlock).status_code == 403
    assert AccessAttempt.objects.exists()


def test_unlock_from_the_login_log(as_role, personas, locked_row):
    client = as_role("sec_admin")
    response = client.post(reverse("system:loginlog_unlock", args=[locked_row.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=locked_row.username).exists()
    row = AuditEntry.objects.get(action="account.unlock")
    assert row.row_count == 1 and row.object_id == ""  # the log row had no user link
    assert (
        reverse("system:loginlog_unlock", args=[locked_row.pk])
        not in client.get(LOGINS).content.decode()
    )


def test_only_live_sessions_are_listed(as_role, personas, target_client):
    user = personas["village_admin"]
    UserSession.objects.create(session_key="gone" * 8, user=user, ip="10.5.5.5")  # no session
    stale = UserSession.objects.get(ip="10.3.3.3")
    client = as_role("sec_admin")
    ips = {s.ip for s in client.get(SESSIONS).context["page"]}
    assert "10.3.3.3" in ips and "10.5.5.5" not in ips
    UserSession.objects.filter(pk=stale.pk).update(last_seen=timezone.now() - timedelta(hours=1))
    assert "10.3.3.3" not in {s.ip for s in client.get(SESSIONS).context["page"]}
