"""Sign-in: per-user lockout (django-axes), the per-address limit, identical failure messages and
the login/audit records (security.md AU1, AU6, AD1)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from renkou.accounts.models import LoginLog
from renkou.common.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
HOME = reverse("home")
WRONG = "Wrong-Passw0rd!"


def post_login(client, username, password, ip="10.1.1.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def alert(response) -> str:
    """The text of the error box on the login page ('' when there is none)."""
    found = re.search(r'role="alert">(.*?)</div>', response.content.decode(), re.S)
    return found.group(1).strip() if found else ""


@pytest.fixture
def user(personas):
    return personas["village_admin"]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    # Two-factor is covered in test_mfa; here a password sign-in goes straight to the home page.
    settings.RENKOU_MFA_REQUIRED_ROLES = []


def test_correct_password_signs_in(client, user):
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert signed_in(client)


def test_four_failures_do_not_lock(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = post_login(client, user.username, WRONG)
        assert response.status_code == 200
        assert not signed_in(client)
    assert post_login(client, user.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_five_failures_lock_the_user_for_fifteen_minutes(client, user):
    # django-axes counts the cool-off from the last failed attempt (an attempt while locked
    # re-arms the lock), so each step travels relative to the attempt before it.
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            post_login(client, user.username, WRONG)
        response = post_login(client, user.username, PASSWORD)
        assert response.status_code == 429
        assert not signed_in(client)
        assert LoginLog.objects.filter(username=user.username, result="locked").exists()

        traveller.shift(timedelta(minutes=14, seconds=59))
        assert post_login(client, user.username, PASSWORD).status_code == 429
        assert not signed_in(client)

        traveller.shift(timedelta(minutes=15, seconds=1))
        response = post_login(client, user.username, PASSWORD)
        assert response.status_code == 302
        assert signed_in(client)


def test_lockout_is_per_user_name(client, personas):
    locked, other = personas["village_admin"], personas["township_officer"]
    for _ in range(5):
        post_login(client, locked.username, WRONG)
    assert post_login(client, other.username, PASSWORD, ip="10.1.1.2").status_code == 302


def test_twenty_failures_from_one_address_lock_that_address(client, user):
    limit = settings.RENKOU_ADDRESS_FAILURE_LIMIT
    assert limit == 20
    for n in range(limit - 1):
        assert post_login(client, f"nobody{n}", WRONG, ip="10.9.9.9").status_code == 200
    # 19 failures: the address still works.
    assert post_login(client, user.username, PASSWORD, ip="10.9.9.9").status_code == 302
    client.logout()

    post_login(client, "nobody-last", WRONG, ip="10.9.9.9")
    response = post_login(client, user.username, PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert not signed_in(client)
    assert LoginLog.objects.filter(ip="10.9.9.9", result="addr_locked").count() == 1

    response = post_login(client, user.username, PASSWORD, ip="10.9.9.10")
    assert response.status_code == 302
    assert signed_in(client)


def test_address_limit_expires_after_fifteen_minutes(client, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for n in range(settings.RENKOU_ADDRESS_FAILURE_LIMIT):
            post_login(client, f"nobody{n}", WRONG, ip="10.9.9.9")
        assert post_login(client, user.username, PASSWORD, ip="10.9.9.9").status_code == 429
        traveller.shift(timedelta(minutes=15, seconds=1))
        assert post_login(client, user.username, PASSWORD, ip="10.9.9.9").status_code == 302


def test_spoofed_forwarded_for_does_not_escape_the_address_limit(client, user, settings):
    settings.RENKOU_TRUSTED_PROXY_COUNT = 0
    for n in range(settings.RENKOU_ADDRESS_FAILURE_LIMIT):
        post_login(client, f"nobody{n}", WRONG, ip="10.9.9.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = post_login(
        client, user.username, PASSWORD, ip="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert response.status_code == 429
    assert set(LoginLog.objects.values_list("ip", flat=True)) == {"10.9.9.9"}


def test_unknown_user_and_wrong_password_look_the_same(client, user):
    unknown = post_login(client, "nosuchuser", WRONG)
    wrong = post_login(client, user.username, WRONG)
    assert unknown.status_code == wrong.status_code == 200
    assert alert(unknown) != ""
    assert alert(unknown) == alert(wrong)

    def page(response, username):
        body = response.content.decode().replace(username, "USERNAME")
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
        body = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", body)
        return re.sub(r'nonce="[^"]+"', "NONCE", body)

    assert page(unknown, "nosuchuser") == page(wrong, user.username)


def test_success_writes_login_log_and_audit(client, user):
    post_login(client, user.username, PASSWORD, ip="10.1.1.7")
    log = LoginLog.objects.get()
    assert (log.username, log.user_id, log.ip, log.result) == (
        user.username,
        user.pk,
        "10.1.1.7",
        LoginLog.Result.SUCCESS,
    )
    entry = AuditEntry.objects.get(action="auth.success")
    assert (entry.user_id, entry.ip, entry.result) == (user.pk, "10.1.1.7", "ok")


@pytest.mark.parametrize("username", ["p_village_admin", "nosuchuser"])
def test_failure_writes_login_log_and_audit(client, user, username):
    post_login(client, username, WRONG, ip="10.1.1.8")
    log = LoginLog.objects.get()
    assert (log.username, log.user_id, log.ip, log.result) == (
        username,
        None,
        "10.1.1.8",
        LoginLog.Result.FAILURE,
    )
    entry = AuditEntry.objects.get(action="auth.failure")
    assert (entry.username, entry.ip, entry.result) == (username, "10.1.1.8", "failed")
    assert WRONG not in str(entry.__dict__)
