"""三员 by construction (issue 19 item 2): no single administrator can give any account — one
he creates included — access to person data or the audit log.

Each probe of the issue is repeated through the pages: the system administrator creates a
county officer (or an audit administrator) and tries to use it, disables and re-enables the
audit administrator, resets a password, changes an existing account's role. Every one of them
is now a request that a second administrator decides, and a credential reaches only the person,
through an activation code shown once to the approver.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import COUNTY, PASSWORD, make_user
from renkou.accounts.models import AccountRequest, ActivationCode, LoginLog, User
from renkou.common.models import AuditEntry

pytestmark = pytest.mark.django_db

CREATE = reverse("system:user_create")
APPROVALS = reverse("system:approval_list")
ACTIVATE = reverse("accounts:activate")
ACTIVATE_SET = reverse("accounts:activate_set")
NEW_PASSWORD = "Own-Chosen-Pass7"
CODE = re.compile(r'id="activation-code">([A-Z0-9-]+)<')


@pytest.fixture
def admins(personas, signed_in_client, settings):
    """Signed-in clients of the three administrators (two-factor only for the county officer,
    so that the administrators' test sessions need no TOTP)."""
    clients = {
        role: signed_in_client(personas[role], Client())
        for role in ("sys_admin", "sec_admin", "audit_admin")
    }
    settings.RENKOU_MFA_REQUIRED_ROLES = ["county_officer"]
    return clients


def can_sign_in(username: str, password: str) -> bool:
    """Would this password sign the account in (the check the login form makes)?"""
    account = User.objects.get(username=username)
    return account.is_active and account.check_password(password)


class Seen:
    """Every response body one client received, to search for credentials."""

    def __init__(self, client: Client) -> None:
        self.client, self.bodies = client, []

    def get(self, *args, **kwargs):
        response = self.client.get(*args, **kwargs)
        self.bodies.append(response.content.decode())
        return response

    def post(self, *args, **kwargs):
        response = self.client.post(*args, **kwargs)
        self.bodies.append(response.content.decode())
        return response

    def text(self) -> str:
        return "\n".join(self.bodies)


def file_creation(sysadmin: Seen, username: str, role: str, unit) -> AccountRequest:
    data = {
        "username": username,
        "full_name": "新同事",
        "role": role,
        "unit": unit.pk,
        "reason": "任职文件 2026-12",
    }
    sysadmin.post(CREATE, data, follow=True)
    return AccountRequest.objects.get(username=username, status="pending")


def approve(client: Client, filed: AccountRequest, note: str = "") -> tuple[int, str]:
    response = client.post(reverse("system:request_approve", args=[filed.pk]), {"note": note})
    match = CODE.search(response.content.decode())
    return response.status_code, match.group(1) if match else ""


def activate(client: Client, username: str, code: str, *, with_totp: bool):
    response = client.post(ACTIVATE, {"username": username, "code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    if with_totp:
        key = bytes.fromhex(client.session["renkou_activation_totp"])
        data["token"] = f"{totp(key):06d}"
    return client.post(ACTIVATE_SET, data)


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("county_officer", "people:person_list"),
        ("audit_admin", "system:audit_list"),
        ("finance", "benefits:roll_list"),
    ],
)
def test_probe_an_account_the_system_administrator_creates_is_not_his(admins, units, role, page):
    """The probe: create a county officer (or an audit administrator), read the initial
    password off the screen, sign in as it. Now the account exists only after a security
    administrator approves it, has no password until its owner activates it, and the code for
    that goes to the approver alone."""
    sysadmin = Seen(admins["sys_admin"])
    filed = file_creation(sysadmin, "probe_new", role, units[COUNTY])
    assert not User.objects.filter(username="probe_new").exists()

    status, code = approve(admins["sec_admin"], filed)
    assert status == 200 and re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    account = User.objects.get(username="probe_new")
    assert account.role == role and not account.has_usable_password()

    for url in (reverse("system:user_list"), reverse("system:request_list"), CREATE):
        sysadmin.get(url)
    assert code not in sysadmin.text() and code.replace("-", "") not in sysadmin.text()
    # Nothing the system administrator saw signs in as the new account.
    for word in set(re.findall(r"[\w!@#%^*+=-]{8,}", sysadmin.text())):
        assert not can_sign_in("probe_new", word)
    assert not can_sign_in("probe_new", "")

    # The owner, given the code by the approver, sets the password and reaches the page.
    owner = Client()
    response = activate(owner, "probe_new", code, with_totp=role == "county_officer")
    assert response["Location"] == reverse("home")
    assert owner.get(reverse(page)).status_code == 200
    assert can_sign_in("probe_new", NEW_PASSWORD)


def test_the_system_administrator_cannot_approve_his_own_request(admins, units):
    filed = file_creation(Seen(admins["sys_admin"]), "self_ok", "county_officer", units[COUNTY])
    status, code = approve(admins["sys_admin"], filed)
    assert status == 403 and code == ""
    filed.refresh_from_db()
    assert filed.status == "pending" and not User.objects.filter(username="self_ok").exists()


def test_probe_disable_and_re_enable_the_audit_administrator(admins, personas, units):
    """The probe: the system administrator disabled and re-enabled ``auditadmin`` alone."""
    auditor = personas["audit_admin"]
    url = reverse("system:user_edit", args=[auditor.pk])
    data = {"full_name": "审计", "role": "audit_admin", "unit": units[COUNTY].pk}
    response = admins["sys_admin"].post(url, {**data, "reason": "离岗"})
    assert response["Location"] == reverse("system:request_list")
    auditor.refresh_from_db()
    assert auditor.is_active
    assert admins["audit_admin"].get(reverse("system:audit_list")).status_code == 200

    filed = AccountRequest.objects.get(target=auditor, status="pending")
    # The audit administrator cannot decide a request about himself (404, like a missing one).
    assert approve(admins["audit_admin"], filed)[0] == 404
    assert approve(admins["sec_admin"], filed)[0] == 302
    auditor.refresh_from_db()
    assert not auditor.is_active

    admins["sys_admin"].post(url, {**data, "is_active": "on", "reason": "返岗"})
    auditor.refresh_from_db()
    assert not auditor.is_active  # re-enabling waits for approval too
    filed = AccountRequest.objects.get(target=auditor, status="pending")
    assert approve(admins["sec_admin"], filed)[0] == 302
    auditor.refresh_from_db()
    assert auditor.is_active


def test_a_change_to_the_security_administrator_is_decided_by_another_administrator(
    admins, personas, units
):
    secadmin = personas["sec_admin"]
    url = reverse("system:user_edit", args=[secadmin.pk])
    data = {"full_name": "改名", "role": "sec_admin", "unit": units[COUNTY].pk, "is_active": "on"}
    admins["sys_admin"].post(url, {**data, "reason": "更正姓名"})
    secadmin.refresh_from_db()
    assert secadmin.full_name == ""
    filed = AccountRequest.objects.get(target=secadmin)
    assert approve(admins["sec_admin"], filed)[0] == 404
    assert approve(admins["audit_admin"], filed)[0] == 302
    secadmin.refresh_from_db()
    assert secadmin.full_name == "改名"


def test_the_audit_administrator_decides_nothing_else(admins, units):
    filed = file_creation(Seen(admins["sys_admin"]), "not_his", "leader", units[COUNTY])
    assert approve(admins["audit_admin"], filed)[0] == 404
    assert "not_his" not in admins["audit_admin"].get(APPROVALS).content.decode()
    assert "not_his" in admins["sec_admin"].get(APPROVALS).content.decode()


def test_probe_password_reset(admins, personas, signed_in_client):
    """The probe: a reset showed the new password to the system administrator. Now the old
    password works until approval; then it stops, every session ends, and the owner sets a new
    one and binds the authenticator again with the code the approver holds."""
    officer = personas["county_officer"]
    TOTPDevice.objects.create(user=officer, name="旧手机", confirmed=True)
    sysadmin = Seen(admins["sys_admin"])
    url = reverse("system:user_reset_password", args=[officer.pk])
    sysadmin.post(url, {"reason": "本人手机丢失"})
    assert can_sign_in(officer.username, PASSWORD)
    elsewhere = signed_in_client(officer, Client())

    status, code = approve(admins["sec_admin"], AccountRequest.objects.get(target=officer))
    assert status == 200 and code
    sysadmin.get(reverse("system:request_list"))
    assert code not in sysadmin.text()
    assert not can_sign_in(officer.username, PASSWORD)
    assert elsewhere.get(reverse("home")).status_code == 302

    owner = Client()
    assert activate(owner, officer.username, code, with_totp=True)["Location"] == reverse("home")
    assert list(TOTPDevice.objects.filter(user=officer).values_list("name", flat=True)) == [
        "手机验证器"
    ]
    assert owner.get(reverse("people:person_list")).status_code == 200


def test_probe_role_change_of_an_existing_account(admins, personas, units):
    """The probe: leader → county officer by the system administrator alone."""
    leader = personas["leader"]
    url = reverse("system:user_edit", args=[leader.pk])
    data = {"full_name": "领导", "role": "county_officer", "unit": units[COUNTY].pk}
    admins["sys_admin"].post(url, {**data, "is_active": "on", "reason": "岗位调整"})
    leader.refresh_from_db()
    assert leader.role == "leader"
    filed = AccountRequest.objects.get(target=leader)
    assert "县局业务人员" in filed.changes
    assert approve(admins["sec_admin"], filed)[0] == 302
    leader.refresh_from_db()
    assert leader.role == "county_officer"


def test_a_rejected_request_changes_nothing_and_needs_a_reason(admins, personas, units):
    leader = personas["leader"]
    url = reverse("system:user_edit", args=[leader.pk])
    data = {"full_name": "领导", "role": "county_officer", "unit": units[COUNTY].pk}
    admins["sys_admin"].post(url, {**data, "is_active": "on", "reason": "岗位调整"})
    filed = AccountRequest.objects.get(target=leader)
    reject = reverse("system:request_reject", args=[filed.pk])
    response = admins["sec_admin"].post(reject, {"note": ""}, follow=True)
    assert "请填写驳回理由" in response.content.decode()
    admins["sec_admin"].post(reject, {"note": "无任职文件"})
    filed.refresh_from_db()
    leader.refresh_from_db()
    assert (filed.status, filed.decision_note, leader.role) == ("rejected", "无任职文件", "leader")


def test_one_pending_request_per_account(admins, personas):
    leader = personas["leader"]
    url = reverse("system:user_reset_password", args=[leader.pk])
    admins["sys_admin"].post(url, {"reason": "忘记密码"})
    response = admins["sys_admin"].post(url, {"reason": "再次"})
    assert "已有一项待审批的申请" in response.content.decode()
    assert AccountRequest.objects.filter(target=leader).count() == 1


def test_the_filer_may_withdraw_a_pending_request(admins, units):
    filed = file_creation(Seen(admins["sys_admin"]), "withdrawn", "leader", units[COUNTY])
    admins["sys_admin"].post(reverse("system:request_cancel", args=[filed.pk]))
    filed.refresh_from_db()
    assert filed.status == "cancelled"
    assert approve(admins["sec_admin"], filed)[0] == 404


def test_a_change_the_system_administrator_may_make_alone(admins, personas, units):
    """Taking rights away, or a name, needs nobody else."""
    worker = personas["village_admin"]
    url = reverse("system:user_edit", args=[worker.pk])
    data = {"full_name": "停用者", "role": "village_admin", "unit": worker.unit_id}
    assert admins["sys_admin"].post(url, data)["Location"] == reverse("system:user_list")
    worker.refresh_from_db()
    assert not worker.is_active and worker.full_name == "停用者"
    assert not AccountRequest.objects.exists()


# --- activation ------------------------------------------------------------------------------


@pytest.fixture
def issued(admins, units):
    filed = file_creation(Seen(admins["sys_admin"]), "to_activate", "village_admin", units[COUNTY])
    return approve(admins["sec_admin"], filed)[1]


def test_a_wrong_code_is_refused_and_logged(client, issued):
    response = client.post(ACTIVATE, {"username": "to_activate", "code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 200
    assert "激活码不正确" in response.content.decode()
    assert LoginLog.objects.filter(result="act_failure", username="to_activate").count() == 1


def test_five_wrong_codes_lock_the_name(client, issued):
    for _ in range(5):
        client.post(ACTIVATE, {"username": "to_activate", "code": "AAAA-BBBB-CCCC-DDDD"})
    response = client.post(ACTIVATE, {"username": "to_activate", "code": issued})
    assert "尝试次数过多" in response.content.decode()
    assert "renkou_activation" not in client.session


def test_a_code_expires_after_24_hours(client, issued):
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + timezone.timedelta(hours=24, minutes=1)):
        response = client.post(ACTIVATE, {"username": "to_activate", "code": issued})
    assert "已过期" in response.content.decode()


def test_a_code_works_once(issued):
    assert activate(Client(), "to_activate", issued, with_totp=False).status_code == 302
    response = Client().post(ACTIVATE, {"username": "to_activate", "code": issued})
    assert response.status_code == 200 and "已使用" in response.content.decode()


def test_a_weak_password_leaves_the_code_unused(client, issued):
    client.post(ACTIVATE, {"username": "to_activate", "code": issued.lower()})
    response = client.post(ACTIVATE_SET, {"new_password": "12345678Aa", "confirm": "12345678Aa"})
    assert response.status_code == 200 and "常见" in response.content.decode()
    account = User.objects.get(username="to_activate")
    assert not account.has_usable_password()
    assert ActivationCode.objects.get(user=account).used_at is None


def test_a_wrong_totp_code_binds_nothing(admins, units, client):
    filed = file_creation(Seen(admins["sys_admin"]), "needs_totp", "county_officer", units[COUNTY])
    code = approve(admins["sec_admin"], filed)[1]
    client.post(ACTIVATE, {"username": "needs_totp", "code": code})
    body = client.get(ACTIVATE_SET).content.decode()
    assert "<svg" in body and 'id="manual-key"' in body
    data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "token": "000000"}
    response = client.post(ACTIVATE_SET, data)
    assert "动态口令不正确" in response.content.decode()
    account = User.objects.get(username="needs_totp")
    assert not account.has_usable_password()
    assert not TOTPDevice.objects.filter(user=account).exists()


def test_the_second_step_needs_the_first(client):
    assert client.get(ACTIVATE_SET)["Location"] == ACTIVATE


# --- what the audit administrator sees ----------------------------------------------------------


def test_grants_and_activations_are_audited_and_highlighted_for_the_auditor(admins, issued):
    activate(Client(), "to_activate", issued, with_totp=False)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "account.request",
        "account.approve",
        "user.create",
        "account.code_issue",
        "account.activate",
    } <= actions
    for row in AuditEntry.objects.all():
        assert issued not in f"{row.summary}{row.reason}"
    home = admins["audit_admin"].get(reverse("home")).content.decode()
    panel = home[home.index('id="account-changes"') :]
    for label in ("提交授权申请", "批准授权申请", "签发激活码", "激活账号", "新增账号"):
        assert label in panel
    assert "任职文件 2026-12" in panel  # the reason given


def test_the_security_administrator_home_counts_what_waits(admins, units):
    file_creation(Seen(admins["sys_admin"]), "waiting", "leader", units[COUNTY])
    assert admins["sec_admin"].get(reverse("home")).context["to_decide"] == 1


# --- the server operator's path ---------------------------------------------------------------


def test_the_activation_code_command_creates_the_first_administrators(units, client, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.RENKOU_MFA_REQUIRED_ROLES = []
    out = StringIO()
    call_command("activation_code", user="first_sec", role="sec_admin", unit=COUNTY, stdout=out)
    code = re.search(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", out.getvalue()).group(0)
    account = User.objects.get(username="first_sec")
    assert account.role == "sec_admin" and not account.has_usable_password()
    assert activate(client, "first_sec", code, with_totp=False)["Location"] == reverse("home")
    row = AuditEntry.objects.get(action="account.code_issue")
    assert row.username == "manage.py activation_code"


def test_the_activation_code_command_resets_an_existing_account(personas):
    from io import StringIO

    from django.core.management import call_command

    user = personas["sec_admin"]
    call_command("activation_code", user=user.username, stdout=StringIO())
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_seed_demo_still_writes_the_demo_passwords(units, settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    make_user("placeholder", "leader", units[COUNTY])
    call_command("seed_demo", persons=0, stdout=StringIO())
    path = tmp_path / "demo-accounts.txt"
    assert path.stat().st_mode & 0o077 == 0
    lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    assert {"sysadmin", "secadmin", "auditadmin", "xian_yewu"} <= {name for name, *_ in lines}
    for name, password, *_ in lines:
        assert can_sign_in(name, password)
