"""Sessions (security.md SE1, SE2): idle and absolute timeouts, a new key at sign-in, logout
removes the server-side session, and forced logout by an administrator, by disabling the
account or by a password change."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from renkou.accounts import services
from renkou.accounts.models import LoginLog, UserSession
from renkou.common.actors import Actor

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
HOME = reverse("home")


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.RENKOU_MFA_REQUIRED_ROLES = []


@pytest.fixture
def user(personas):
    return personas["village_admin"]


def sign_in(client, user, ip="10.2.2.2"):
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    return client


def key_of(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def alive(client) -> bool:
    """Is the client still signed in? (one request, so it counts as activity)"""
    response = client.get(HOME)
    if response.status_code == 200:
        return True
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    return False


def session_exists(key: str) -> bool:
    return Session.objects.filter(session_key=key).exists()


def test_idle_timeout_signs_out_after_30_minutes(client, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        key = key_of(client)
        assert alive(client)
        traveller.shift(timedelta(minutes=30, seconds=1))
        assert not alive(client)
        assert not session_exists(key)
        assert not UserSession.objects.filter(session_key=key).exists()
        assert LoginLog.objects.filter(user=user, result=LoginLog.Result.TIMEOUT).count() == 1


def test_timed_out_user_is_told_why(client, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("geo:unit_list"), follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[0][0] == reverse(settings.LOGIN_URL)
        assert "30 分钟未操作，已自动退出" in response.content.decode()


def test_absolute_timeout_says_so(client, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        for _ in range(25):  # active every 29 minutes for 12 h 05 min
            traveller.shift(timedelta(minutes=29))
            response = client.get(HOME, follow=True)
        assert "本次登录已超过 12 小时" in response.content.decode()


def test_an_htmx_request_after_a_timeout_reloads_the_whole_page(client, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("geo:unit_list"), HTTP_HX_REQUEST="true")
        assert response["HX-Redirect"] == reverse(settings.LOGIN_URL)


def test_a_disabled_account_is_told_why(client, user, personas):
    sign_in(client, user)
    services.user_update(
        actor=Actor(personas["sys_admin"]),
        user=user,
        role=user.role,
        unit=user.unit,
        full_name=user.full_name,
        is_active=False,
        mfa_required=False,
    )
    page = client.get(HOME, follow=True).content.decode()
    assert "管理员停用了您的账号" in page


def test_a_password_changed_elsewhere_is_told_why(user):
    mine, other = sign_in(Client(), user), sign_in(Client(), user, ip="10.2.2.3")
    change_password(mine, "Brand-New-Pass9")
    assert "您的密码已在其他地方修改" in other.get(HOME, follow=True).content.decode()


def test_activity_within_30_minutes_keeps_the_session(client, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        for _ in range(3):
            traveller.shift(timedelta(minutes=29))
            assert alive(client)


def test_idle_timeout_follows_the_setting(client, user, settings):
    settings.RENKOU_IDLE_TIMEOUT_MINUTES = 10
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        traveller.shift(timedelta(minutes=10, seconds=1))
        assert not alive(client)


def test_absolute_timeout_after_12_hours_despite_activity(client, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, user)
        key = key_of(client)
        for _ in range(28):  # 28 × 25 min = 11 h 40 min
            traveller.shift(timedelta(minutes=25))
            assert alive(client)
        traveller.shift(timedelta(minutes=19, seconds=59))  # 11:59:59
        assert alive(client)
        traveller.shift(timedelta(seconds=2))  # 12:00:01
        assert not alive(client)
        assert not session_exists(key)


def test_session_key_changes_at_sign_in(client, user):
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    assert session_exists(before)
    sign_in(client, user)
    after = key_of(client)
    assert after != before
    assert not session_exists(before)
    assert UserSession.objects.filter(session_key=after, user=user).exists()


def test_logout_removes_the_server_side_session(client, user):
    sign_in(client, user)
    key = key_of(client)
    assert session_exists(key)
    assert UserSession.objects.filter(session_key=key).count() == 1

    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert Session.objects.filter(session_key=key).count() == 0
    assert UserSession.objects.filter(session_key=key).count() == 0
    assert UserSession.objects.filter(user=user).count() == 0
    assert LoginLog.objects.filter(user=user, result=LoginLog.Result.LOGOUT).count() == 1
    assert not alive(client)


def test_logout_by_get_is_refused(client, user):
    sign_in(client, user)
    key = key_of(client)
    assert client.get(LOGOUT).status_code == 405
    assert session_exists(key)
    assert alive(client)


def test_sessions_kill_ends_every_session_of_the_user(user, personas):
    first, second = sign_in(Client(), user), sign_in(Client(), user, ip="10.2.2.3")
    bystander = sign_in(Client(), personas["township_officer"])
    keys = [key_of(first), key_of(second)]

    ended = services.sessions_kill(user=user, actor=Actor(personas["sec_admin"]))
    assert ended == 2
    assert not any(session_exists(k) for k in keys)
    assert not UserSession.objects.filter(user=user).exists()
    assert not alive(first)
    assert not alive(second)
    assert alive(bystander)


def test_disabling_an_account_ends_its_sessions(user, personas, units):
    first, second = sign_in(Client(), user), sign_in(Client(), user, ip="10.2.2.3")
    keys = [key_of(first), key_of(second)]
    services.user_update(
        actor=Actor(personas["sys_admin"]),
        user=user,
        role=user.role,
        unit=user.unit,
        full_name=user.full_name,
        is_active=False,
        mfa_required=False,
    )
    assert not any(session_exists(k) for k in keys)
    assert not UserSession.objects.filter(user=user).exists()
    assert not alive(first)
    assert not alive(second)


def test_changing_the_role_ends_the_sessions(user, personas):
    client = sign_in(Client(), user)
    key = key_of(client)
    services.user_update(
        actor=Actor(personas["sys_admin"]),
        user=user,
        role="township_officer",
        unit=user.unit,
        full_name=user.full_name,
        is_active=True,
        mfa_required=False,
    )
    assert not session_exists(key)
    assert not alive(client)


def test_editing_the_name_keeps_the_sessions(user, personas):
    client = sign_in(Client(), user)
    services.user_update(
        actor=Actor(personas["sys_admin"]),
        user=user,
        role=user.role,
        unit=user.unit,
        full_name="新名字",
        is_active=True,
        mfa_required=False,
    )
    assert alive(client)


def change_password(client, new):
    return client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password": new, "confirm": new},
    )


def test_own_password_change_ends_other_sessions_only(user):
    mine, other = sign_in(Client(), user), sign_in(Client(), user, ip="10.2.2.3")
    other_key = key_of(other)

    response = change_password(mine, "Brand-New-Pass9")
    assert response.status_code == 302
    # Ended on the server at once, not only when the other device next calls.
    assert not session_exists(other_key)
    assert not UserSession.objects.filter(session_key=other_key).exists()
    assert alive(mine)
    assert not alive(other)


def test_current_session_stays_listed_after_a_password_change(user, personas):
    """The session that changed the password is still an online session, so an administrator
    can still end it."""
    client = sign_in(Client(), user)
    change_password(client, "Brand-New-Pass9")
    key = key_of(client)
    assert UserSession.objects.filter(session_key=key, user=user).exists()
    services.sessions_kill(user=user, actor=Actor(personas["sec_admin"]))
    assert not alive(client)
