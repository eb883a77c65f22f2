"""Authorization matrix (security.md AZ1, AZ2, AZ7, AZ8).

Generated from the URL configuration (which includes the API router): for every endpoint ×
every role × every scope position (own unit, child, sibling, other county) × GET and POST, the
response must match the declared policy in ``tests/authz_policy.py``: 0 unexpected allows,
0 unexpected denies. Objects outside the caller's subtree must answer 404, never 403.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import OTHER_COUNTY, OTHER_TOWNSHIP, OTHER_VILLAGE, make_user
from renkou.accounts.constants import COUNTY_WIDE_ROLES, GRANTED_PERSON_ROLES, Role
from renkou.accounts.models import AccountRequest, LoginLog, User, UserSession
from renkou.common.models import DictItem, DictType, JobProgress
from renkou.geo.constants import Level
from renkou.geo.models import Equipment, Licence, ServicePoint, Unit
from renkou.people.models import DuplicateCandidate, Household, ImportBatch, Person
from tests.authz_policy import PERSONAL_OBJECTS, POLICY, PROVIDERS, PUBLIC, Rule

POSITIONS = ("own", "child", "sibling", "other_county")
METHODS = ("GET", "POST")
# 409: the request passed the permission and scope checks and reached the service, which
# refused it as stale (the matrix posts no ``version``; optimistic lock, security.md RL1).
ALLOW = {200, 201, 204, 409}
DENY = {401, 403, 404, 405, 429}
SKIP_PREFIXES = (settings.STATIC_URL,)


@dataclass(frozen=True)
class Endpoint:
    name: str
    kwarg_names: tuple[str, ...]
    callback: object


def _walk(patterns: list, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry
        else:
            yield f"{namespace}<unnamed {entry.pattern}>", entry


def endpoints() -> list[Endpoint]:
    found = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        regex = pattern.pattern.regex
        found[name] = Endpoint(name, tuple(regex.groupindex), pattern.callback)
    return sorted(found.values(), key=lambda e: e.name)


def test_every_endpoint_has_a_declared_policy():
    missing = [e.name for e in endpoints() if e.name not in POLICY]
    assert missing == [], f"endpoints without a declared policy: {missing}"
    stale = sorted(set(POLICY) - {e.name for e in endpoints()})
    assert stale == [], f"policy entries for endpoints that no longer exist: {stale}"


def test_every_view_declares_its_policy_in_code():
    undeclared = [e.name for e in endpoints() if not hasattr(e.callback, "renkou_policy")]
    assert undeclared == [], f"views without a policy decorator: {undeclared}"


# --- the matrix ----------------------------------------------------------------------------


def _position_unit(user, position: str, units: dict) -> Unit | None:
    unit = user.unit
    if user.role in COUNTY_WIDE_ROLES:
        unit = Unit.objects.get(code=unit.code[:6].ljust(12, "0"))
    if position == "own":
        return unit
    if position == "child":
        return unit.children.order_by("code").first()
    if position == "sibling":
        siblings = Unit.objects.filter(level=unit.level).exclude(pk=unit.pk)
        if unit.parent_id:
            siblings = siblings.filter(parent_id=unit.parent_id)
        return siblings.order_by("code").first()
    other = {
        Level.COUNTY: OTHER_COUNTY,
        Level.TOWNSHIP: OTHER_TOWNSHIP,
        Level.VILLAGE: OTHER_VILLAGE,
    }[unit.level]
    return units[other]


def _in_scope(user, unit: Unit) -> bool:
    return unit.prefix.startswith(user.scope_prefix)


def _object_kwargs(rule: Rule, endpoint: Endpoint, unit: Unit, user, position: str) -> dict:
    """URL kwargs naming an object that belongs to ``unit`` (or, for jobs, to the caller at the
    "own" position and to someone else at every other)."""
    key = endpoint.kwarg_names[0]
    if rule.obj == "unit":
        return {key: unit.code}
    if rule.obj == "servicepoint":
        point, _ = ServicePoint.objects.get_or_create(
            unit=unit, kind=ServicePoint.Kind.VILLAGE_ROOM, defaults={"name": f"{unit.name}服务室"}
        )
        return {endpoint.kwarg_names[0]: point.pk}
    if rule.obj in ("equipment", "licence"):
        point, _ = ServicePoint.objects.get_or_create(
            unit=unit, kind=ServicePoint.Kind.VILLAGE_ROOM, defaults={"name": f"{unit.name}服务室"}
        )
        if rule.obj == "equipment":
            row = Equipment.objects.create(
                service_point=point, kind="gyn_bed", status="not_installed"
            )
        else:
            row = Licence.objects.create(
                service_point=point,
                number="测试许可证",
                scope="计划生育技术服务",
                issued_by="县卫健局",
                valid_from=date(2024, 1, 1),
                valid_until=date(2028, 12, 31),
            )
        return {key: row.pk}
    if rule.obj == "user":
        victim = User.objects.filter(username=f"victim_{unit.code}").first() or make_user(
            f"victim_{unit.code}", Role.VILLAGE_ADMIN, unit
        )
        return {key: victim.pk}
    if rule.obj == "dicttype":
        return {key: DictType.objects.get(code="sex").pk}
    if rule.obj == "dictitem":
        return {key: DictItem.objects.get(dict_type__code="sex", value="1").pk}
    if rule.obj == "loginlog":
        row = LoginLog.objects.create(username="someone", ip="10.0.0.9", result="failure")
        return {key: row.pk}
    if rule.obj in ("person", "household"):
        person = _person_in(unit)
        return {key: person.pk if rule.obj == "person" else person.household.pk}
    if rule.obj == "job":
        owner = (
            user
            if position == "own"
            else make_user(f"owner_{user.pk}_{position}", Role.VILLAGE_ADMIN, unit)
        )
        return {key: _finished_job(owner).pk}
    if rule.obj == "importbatch":
        return {key: _import_batch_in(unit).pk}
    if rule.obj == "duplicate":
        return {key: _duplicate_in(unit).pk}
    if rule.obj in ("woman", "child", "episode", "pregnancy"):
        # The card pages (tests/policies/people_cards.py): a woman of ``unit`` with an open card,
        # or a fresh row on that card (a POST that deleted the previous one leaves none).
        from renkou.people.models import Child, ContraceptionEpisode, Pregnancy, WomanCard

        woman = _person_in(unit)
        card, _ = WomanCard.objects.get_or_create(
            person=woman, defaults={"unit_code": unit.code, "opened_on": date(2020, 1, 1)}
        )
        rows = {
            "child": (
                Child,
                {"parity": 1, "name": "测试孩", "sex": "1", "birth_date": date(2015, 3, 1)},
            ),
            "episode": (ContraceptionEpisode, {"method": "03", "start": date(2016, 1, 1)}),
            "pregnancy": (
                Pregnancy,
                {"detected_on": date(2025, 1, 1), "outcome": "1", "outcome_date": date(2025, 9, 1)},
            ),
        }
        if rule.obj == "woman":
            return {key: woman.pk}
        model, values = rows[rule.obj]
        return {key: model.objects.create(card=card, unit_code=unit.code, **values).pk}
    if rule.obj == "session":
        return {key: _live_session_in(unit).pk}
    if rule.obj == "accountrequest":
        return {key: _account_request_in(unit, user).pk}
    if rule.obj in PROVIDERS:
        found = PROVIDERS[rule.obj](unit, user)
        # A provider names several URL arguments with a dict (a scheme and a unit).
        return found if isinstance(found, dict) else {key: found}
    raise AssertionError(f"no object provider for kind {rule.obj!r} ({endpoint.name})")


def _person_in(unit: Unit) -> Person:
    """A person (with a household) managed by ``unit``."""
    rows = Person.objects.filter(unit_code=unit.code, household__isnull=False)
    existing = rows.select_related("household").first()
    if existing:
        return existing
    household = Household.objects.create(code=f"{unit.code}01{Household.objects.count() + 1:04d}")
    return Person.objects.create(
        household=household,
        unit_code=unit.code,
        name="测试人",
        sex="2",
        birth_date=date(1990, 1, 1),
        registered_code=unit.code,
        residence_code=unit.code,
        relationship="02",
        is_head=True,
    )


def _live_session_in(unit: Unit) -> UserSession:
    """A live signed-in session of an account in ``unit`` (a fresh one each call: 强退 ends it)."""
    from django.contrib.sessions.backends.db import SessionStore

    owner = User.objects.filter(username=f"online_{unit.code}").first() or make_user(
        f"online_{unit.code}", Role.VILLAGE_ADMIN, unit
    )
    store = SessionStore()
    store.create()
    return UserSession.objects.create(session_key=store.session_key, user=owner, ip="10.0.0.7")


def _account_request_in(unit: Unit, caller) -> AccountRequest:
    """A pending password reset of a security administrator's account in ``unit``, filed by a
    system administrator (the caller when it is one, so that it may withdraw it)."""
    n = AccountRequest.objects.count() + 1
    target = make_user(f"sec_{unit.code}_{n}", Role.SEC_ADMIN, unit)
    filer = caller if caller.role == Role.SYS_ADMIN else make_user(f"sys_{n}", Role.SYS_ADMIN, unit)
    return AccountRequest.objects.create(
        kind=AccountRequest.Kind.RESET,
        target=target,
        username=target.username,
        role=target.role,
        unit=unit,
        unit_code=unit.code,
        reason="矩阵测试",
        requested_by=filer,
    )


def _duplicate_in(unit: Unit) -> DuplicateCandidate:
    """An open duplicate pair of two persons managed by ``unit`` (a fresh pair every call, so
    a POST that resolves one leaves the next case an open pair)."""
    first = _person_in(unit)
    second = Person.objects.create(
        household=first.household,
        unit_code=unit.code,
        name=first.name,
        sex=first.sex,
        birth_date=first.birth_date,
        registered_code=unit.code,
        residence_code=unit.code,
        relationship="99",
    )
    return DuplicateCandidate.objects.create(
        first=first,
        second=second,
        unit_code=unit.code,
        reason=DuplicateCandidate.Reason.SAME_PINYIN_BIRTH,
    )


def _import_batch_in(unit: Unit) -> ImportBatch:
    """A checked import batch of ``unit`` with an error report on disk."""
    batch = ImportBatch.objects.create(
        file_hash="0" * 64,
        file_name="matrix.xlsx",
        unit_code=unit.code,
        status=ImportBatch.Status.VALIDATED,
        error_report=f"imports/reports/m-{unit.code}.xlsx",
    )
    path = Path(settings.MEDIA_ROOT) / batch.error_report
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 test")
    # and its masked copy, which everyone but the uploader downloads
    path.with_name(path.stem + "-masked.xlsx").write_bytes(b"PK\x03\x04 test")
    return batch


def _finished_job(owner) -> JobProgress:
    job = JobProgress.objects.create(
        kind="test",
        title="测试任务",
        owner_id=owner.pk,
        unit_code=owner.unit.code,
        status=JobProgress.Status.DONE,
        result_file=f"exports/matrix-{owner.pk}.xlsx",
    )
    path = Path(settings.MEDIA_ROOT) / job.result_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 test")
    # and its masked copy, which everyone but the uploader downloads
    path.with_name(path.stem + "-masked.xlsx").write_bytes(b"PK\x03\x04 test")
    return job


def _expected(rule: Rule, user, unit: Unit | None, method: str, position: str) -> str:
    """'allow', 'deny', or 'hidden' (allowed role and method, object out of scope: 404)."""
    if method not in rule.methods:
        return "deny"
    if rule.roles != PUBLIC and user.role not in rule.roles:
        return "deny"
    if rule.obj == "job":
        return "allow" if position == "own" else "hidden"
    if rule.obj and rule.scoped and unit is not None and not _in_scope(user, unit):
        return "hidden"
    if rule.obj in PERSONAL_OBJECTS and user.role in GRANTED_PERSON_ROLES:
        return "hidden"  # no visit, no person (issue 14 item 6; authz_policy.PERSONAL_OBJECTS)
    return "allow"


def _allowed(response, endpoint: Endpoint) -> bool:
    if response.status_code in ALLOW:
        return True
    if response.status_code in (301, 302, 303):
        # Signing out lands on the login page by design; anywhere else it means "not signed in".
        to_login = response["Location"].startswith(reverse(settings.LOGIN_URL))
        return endpoint.name == "accounts:logout" or not to_login
    assert response.status_code in DENY, f"unexpected status {response.status_code}"
    return False


@pytest.mark.parametrize("endpoint", endpoints(), ids=lambda e: e.name)
def test_authorization_matrix(endpoint, personas, units, signed_in_client, client, record_property):
    rule = POLICY[endpoint.name]
    mismatches, cases = [], 0
    for role, user in personas.items():
        for position in POSITIONS:
            unit = _position_unit(user, position, units)
            if unit is None:
                continue
            kwargs = {}
            if endpoint.kwarg_names:
                kwargs = _object_kwargs(rule, endpoint, unit, user, position)
            url = reverse(endpoint.name, kwargs=kwargs)
            for method in METHODS:
                cases += 1
                if "_auth_user_id" not in client.session:  # first case, or signed out
                    signed_in_client(user)
                response = getattr(client, method.lower())(url, REMOTE_ADDR="10.0.0.1")
                expected = _expected(rule, user, unit, method, position)
                allowed = _allowed(response, endpoint)
                wrong = allowed != (expected == "allow")
                # Out of scope must look exactly like a missing object: 404, never 403.
                wrong = wrong or (expected == "hidden" and response.status_code != 404)
                if wrong:
                    mismatches.append((role, position, method, url, response.status_code))
        client.logout()
    record_property("cases", cases)
    assert mismatches == [], (
        f"{endpoint.name}: {len(mismatches)} of {cases} cases wrong: {mismatches}"
    )


def test_matrix_size():
    """The number of (role × position × endpoint × method) cases, for the issue note."""
    roles = len(Role)
    count = len(endpoints()) * roles * len(POSITIONS) * len(METHODS)
    assert count >= 9 * 4 * 2 * len(POLICY)


@pytest.mark.django_db
def test_anonymous_gets_login_or_401(client):
    for endpoint in endpoints():
        rule = POLICY[endpoint.name]
        if rule.roles == PUBLIC or endpoint.kwarg_names:
            continue
        response = client.get(reverse(endpoint.name))
        if endpoint.name.startswith(("unit-", "servicepoint-", "schema")):
            assert response.status_code in (401, 403), endpoint.name
        else:
            assert response.status_code == 302, endpoint.name
            assert response["Location"].startswith(reverse(settings.LOGIN_URL)), endpoint.name
