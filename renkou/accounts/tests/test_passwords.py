"""Password profiles (security.md AU2): mlps (等保: 8+, 3 of 4 classes, 90-day expiry, history 5)
and asvs (ASVS 5.0: 12+, common list, no composition rule, no expiry)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from renkou.accounts import services
from renkou.accounts.models import PasswordHistory, User
from renkou.common.actors import Actor

pytestmark = pytest.mark.django_db

PASSWORD_PAGE = reverse("accounts:password")
COMMON = CommonPasswordValidator().passwords


def errors(password: str, user: User | None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@pytest.fixture
def user(personas):
    return personas["village_admin"]  # user name p_village_admin


# (password, words of the one message expected); each case breaks exactly one rule.
MLPS_REJECTED = [
    ("Ab1!xyz", "长度至少 8"),
    ("Ab1!", "长度至少 8"),
    ("kvbrtmqz", "至少 3 类"),
    ("kvbrtmqz12", "至少 3 类"),
    ("KVBRTMQZ!!", "至少 3 类"),
    ("kvbrTMQZxyw", "至少 3 类"),
    ("93847561!@", "至少 3 类"),
    ("xP_VILLAGE_ADMIN1", "用户名"),
    ("1!p_village_adminQ", "用户名"),
    ("P@ssw0rd", "常见"),
    # Issue 19 item 9: a common password with a few characters added passes 3-of-4 classes.
    ("12345678Aa", "常见"),
    ("Password1!", "常见"),
    ("Qwerty123!", "常见"),
    ("Aa123456", "常见"),
    ("A" + "b1!" * 43, "超过 128"),
]
MLPS_ACCEPTED = ["Kq7#mnbv", "zx8.QWER", "Lan-Zhou-2024", "tree HOUSE 42", "高原Sun9!ab"]


@pytest.mark.parametrize(("password", "message"), MLPS_REJECTED)
def test_mlps_rejects(user, password, message):
    found = errors(password, user)
    assert len(found) == 1, found
    assert message in found[0]


def test_common_case_is_on_djangos_list():
    assert "p@ssw0rd" in COMMON


@pytest.mark.parametrize("password", MLPS_ACCEPTED)
def test_mlps_accepts(user, password):
    assert errors(password, user) == []


def test_mlps_refuses_the_last_five_passwords(user):
    chain = [f"Hist-{n}-Passw0rd" for n in range(6)]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for raw in chain:
            traveller.shift(timedelta(days=1, minutes=1))  # past the minimum age each time
            services.password_set(user=user, raw=raw, actor=Actor(user))
        user.refresh_from_db()
        assert user.check_password(chain[-1])
        traveller.shift(timedelta(days=2))
        # current + 4 before it = the last 5; the 6th back is allowed again.
        for raw in chain[1:]:
            with pytest.raises(ValidationError, match="最近 5 次"):
                services.password_set(user=user, raw=raw, actor=Actor(user))
        services.password_set(user=user, raw=chain[0], actor=Actor(user))
    user.refresh_from_db()
    assert user.check_password(chain[0])
    assert PasswordHistory.objects.filter(user=user).count() <= 5


def test_password_set_leaves_password_unchanged_when_rejected(user):
    with pytest.raises(ValidationError):
        services.password_set(user=user, raw="short", actor=Actor(user))
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.fixture
def asvs(settings):
    settings.RENKOU_PASSWORD_PROFILE = "asvs"


ASVS_REJECTED = [
    ("Kq7#mnbvXy1", "长度至少 12"),
    ("kvbrtmqzxy1", "长度至少 12"),
    ("qwertyuiop[]", "常见"),
    ("my p_village_admin pass", "用户名"),
]
ASVS_ACCEPTED = [
    "correcthorsebatterystaple",
    "alllowercase",
    "a quiet river under the old bridge at dawn keeps moving on slowly",
    "123456789012345678901234",
]


@pytest.mark.parametrize(("password", "message"), ASVS_REJECTED)
def test_asvs_rejects(asvs, user, password, message):
    found = errors(password, user)
    assert len(found) == 1, found
    assert message in found[0]


@pytest.mark.parametrize("password", ASVS_ACCEPTED)
def test_asvs_accepts(asvs, user, password):
    assert errors(password, user) == []


def test_asvs_accepts_a_64_character_passphrase(asvs, user):
    phrase = "a quiet river under the old bridge at dawn keeps moving on slowly"
    assert len(phrase) >= 64
    services.password_set(user=user, raw=phrase, actor=Actor(user))
    user.refresh_from_db()
    assert user.check_password(phrase)


def test_asvs_common_case_is_on_djangos_list():
    assert "qwertyuiop[]" in COMMON


def age_password(user: User, days: int) -> None:
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=days)
    )
    user.refresh_from_db()


PAGES = [reverse("home"), reverse("geo:unit_list"), reverse("system:job_list")]


def test_mlps_password_expires_after_90_days(user, signed_in_client):
    age_password(user, 91)
    client = signed_in_client(user)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == PASSWORD_PAGE
    assert client.get(PASSWORD_PAGE).status_code == 200


def test_mlps_password_not_expired_at_89_days(user, signed_in_client):
    age_password(user, 89)
    client = signed_in_client(user)
    for page in PAGES:
        assert client.get(page).status_code == 200, page


def test_asvs_has_no_expiry(asvs, user, signed_in_client):
    age_password(user, 1000)
    assert not user.password_expired()
    assert signed_in_client(user).get(reverse("home")).status_code == 200


def test_initial_password_must_be_changed(user, signed_in_client):
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = signed_in_client(user)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == PASSWORD_PAGE

    new = "Brand-New-Pass9"
    response = client.post(
        PASSWORD_PAGE, {"old_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(new)
    assert user.password_changed_at is not None
    assert client.get(reverse("home")).status_code == 200


def test_password_page_refuses_a_weak_new_password(user, signed_in_client):
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = signed_in_client(user)
    response = client.post(
        PASSWORD_PAGE, {"old_password": PASSWORD, "new_password": "abc", "confirm": "abc"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.must_change_password
    assert user.check_password(PASSWORD)


def test_password_page_needs_the_old_password(user, signed_in_client):
    client = signed_in_client(user)
    new = "Brand-New-Pass9"
    response = client.post(
        PASSWORD_PAGE, {"old_password": "not-it", "new_password": new, "confirm": new}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_admin_set_password_is_initial(personas, units):
    sys_admin = personas["sys_admin"]
    created, raw = services.user_create(
        actor=Actor(sys_admin),
        username="newclerk",
        role="village_admin",
        unit=units["620001100201"],
    )
    assert created.must_change_password
    assert created.check_password(raw)
    assert errors(raw, None) == []


# --- minimum age (issue 19 item 9) ------------------------------------------------------------


def change(client, old: str, new: str):
    return client.post(PASSWORD_PAGE, {"old_password": old, "new_password": new, "confirm": new})


def test_six_changes_in_a_row_cannot_cycle_back_to_the_old_password(user, signed_in_client):
    """The probe: six changes in a row pushed the old password out of the history of 5."""
    age_password(user, 10)
    client = signed_in_client(user)
    current = PASSWORD
    refused = None
    for n in range(6):
        new = f"Cycle-{n}-Passw0rd"
        response = change(client, current, new)
        if response.status_code != 302:
            refused = response
            break
        current = new
    assert current == "Cycle-0-Passw0rd"  # the first change went through, the second did not
    assert "1 天内不能再次修改" in refused.content.decode()
    response = change(client, current, PASSWORD)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("Cycle-0-Passw0rd")
    assert not user.check_password(PASSWORD)


def test_the_own_change_is_allowed_again_after_a_day(user, signed_in_client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_client(user)
        age_password(user, 10)
        assert change(client, PASSWORD, "First-Change-9x").status_code == 302
        traveller.shift(timedelta(hours=23))
        user.refresh_from_db()
        client = signed_in_client(user)
        assert change(client, "First-Change-9x", "Second-Change-9x").status_code == 200
        traveller.shift(timedelta(hours=1, minutes=1))
        client = signed_in_client(user)
        assert change(client, "First-Change-9x", "Second-Change-9x").status_code == 302
    user.refresh_from_db()
    assert user.check_password("Second-Change-9x")


def test_a_forced_change_is_exempt_from_the_minimum_age(user, signed_in_client):
    """The first change after an administrator's reset (or at first sign-in) is never too soon,
    even minutes after the password was set."""
    User.objects.filter(pk=user.pk).update(
        must_change_password=True, password_changed_at=timezone.now()
    )
    client = signed_in_client(user)
    assert change(client, PASSWORD, "Forced-Change-9x").status_code == 302


def test_asvs_has_no_minimum_age(asvs, user, signed_in_client):
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
    client = signed_in_client(user)
    assert change(client, PASSWORD, "a long enough passphrase here").status_code == 302


def test_the_password_page_says_when_a_change_is_possible(user, signed_in_client):
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
    body = signed_in_client(user).get(PASSWORD_PAGE).content.decode()
    assert "1 天内不能再次修改" in body
