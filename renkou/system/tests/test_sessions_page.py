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


def test_force_logout_ends_the_target_session(as_role, personas, target_client):
    target = personas["village_admin"]
    key = target_client.session.session_key
    assert target_client.get(reverse("home")).status_code == 200
    response = as_role("sec_admin").post(reverse("system:session_kill", args=[target.pk]))
    assert response.status_code == 302 and response["Location"] == SESSIONS
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=target).exists()
    after = target_client.get(reverse("home"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))
    row = AuditEntry.objects.get(action="session.kill")
    assert (row.object_id, row.row_count, row.username) == (str(target.pk), 1, "p_sec_admin")


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
