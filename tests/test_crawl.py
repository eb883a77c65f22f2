"""Crawl every GET page as every role and check the response headers and bodies
(security.md WH2, WH3 part, OP4): CSP scripts from the app only, no 'unsafe-inline',
frame-ancestors 'none', nosniff, Referrer-Policy, no-store on signed-in pages, no traceback or
settings names in any body, and no GET that changes the database."""

import re

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from tests.authz_policy import POLICY, PUBLIC
from tests.test_authz_matrix import endpoints

SCRIPT_WITHOUT_NONCE = re.compile(r"<script(?![^>]*\bnonce=)(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle=\"", re.I)
LEAKS = ("Traceback", "SECRET_KEY", "RENKOU_AUDIT_KEY", "django.db.utils", "SELECT ")


def _row_counts() -> dict[str, int]:
    """Every model's row count, read in one statement (one query per table took 40 ms a page,
    two thirds of this test's time)."""
    models = apps.get_models()
    quote = connection.ops.quote_name
    # Table names come from the models, quoted: no input reaches this statement.
    tables = [quote(m._meta.db_table) for m in models]
    columns = ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")  # noqa: S608
        counts = cursor.fetchone()
    return {m._meta.label: count for m, count in zip(models, counts, strict=True)}


def _pages():
    for e in endpoints():
        if e.kwarg_names or "GET" not in POLICY[e.name].methods:
            continue
        yield e


@pytest.mark.parametrize("role", sorted(POLICY["home"].roles))
def test_every_page_keeps_the_header_and_body_rules(role, personas, signed_in_client, client):
    signed_in_client(personas[role])
    problems = []
    for endpoint in _pages():
        rule = POLICY[endpoint.name]
        if rule.roles != PUBLIC and role not in rule.roles:
            continue
        before = _row_counts()
        response = client.get(reverse(endpoint.name), REMOTE_ADDR="10.0.0.1")
        name = endpoint.name
        # Reading a page may write audit and session rows, nothing else.
        changed = {k for k, v in _row_counts().items() if before[k] != v}
        changed -= {"common.AuditEntry", "common.AuditHead", "sessions.Session"}
        if changed:
            problems.append(f"{name}: GET changed {sorted(changed)}")
        csp = response.get("Content-Security-Policy", "")
        if "text/html" in response.get("Content-Type", ""):
            body = response.content.decode()
            # The nonce appears in the header only on pages that use it; without it the policy
            # is stricter still ('self' only).
            if "script-src 'self'" not in csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
                problems.append(f"{name}: CSP {csp!r}")
            if "frame-ancestors 'none'" not in csp:
                problems.append(f"{name}: no frame-ancestors")
            if SCRIPT_WITHOUT_NONCE.search(body):
                problems.append(f"{name}: inline script without nonce")
            if STYLE_ATTR.search(body):
                problems.append(f"{name}: style attribute (blocked by CSP)")
            if any(leak in body for leak in LEAKS):
                problems.append(f"{name}: leaks internals")
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{name}: no nosniff")
        if response.get("Referrer-Policy") != "same-origin":
            problems.append(f"{name}: referrer policy")
        if response.status_code == 200 and "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"{name}: cacheable while signed in")
    assert problems == []


@pytest.mark.django_db
def test_the_row_counts_see_one_new_row():
    from renkou.common.models import DictType

    before = _row_counts()
    DictType.objects.create(code="crawl_probe", name="探针")
    after = _row_counts()
    assert after["common.DictType"] == before["common.DictType"] + 1
    assert {k for k in after if after[k] != before[k]} == {"common.DictType"}


@pytest.mark.django_db
def test_unsafe_methods_need_a_csrf_token(personas, settings):
    from django.test import Client

    settings.RENKOU_MFA_REQUIRED_ROLES = []
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["county_officer"])
    for endpoint in endpoints():
        if endpoint.kwarg_names or "POST" not in POLICY[endpoint.name].methods:
            continue
        if endpoint.name.startswith(("unit-", "servicepoint-")):
            continue
        response = client.post(reverse(endpoint.name), {})
        assert response.status_code == 403, endpoint.name
