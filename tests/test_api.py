"""REST API: token and session authentication, scoping through the same chokepoint, schema."""

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from conftest import COUNTY, OTHER_VILLAGE, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2
from renkou.common.models import AuditEntry


def _token(user) -> str:
    from io import StringIO

    out = StringIO()
    call_command("api_token", user=user.username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def api():
    return APIClient()


def test_token_client_sees_exactly_its_subtree(personas, api):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(personas['township_officer'])}")
    response = api.get("/api/v1/units/?page_size=100")
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert codes == {TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2}
    assert api.get(f"/api/v1/units/{VILLAGE_A2}/").status_code == 200
    assert api.get(f"/api/v1/units/{TOWNSHIP_B}/").status_code == 404
    assert api.get(f"/api/v1/units/{OTHER_VILLAGE}/").status_code == 404


def test_denied_roles_get_403_and_an_audit_row(personas, api):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(personas['audit_admin'])}")
    before = AuditEntry.objects.filter(action="authz.denied").count()
    assert api.get("/api/v1/units/").status_code == 403
    assert AuditEntry.objects.filter(action="authz.denied").count() == before + 1


def test_no_or_bad_credentials_is_401_with_the_challenge_not_a_login_redirect(db, api):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Token not-a-token"}):
        response = api.get("/api/v1/units/", **headers)
        assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
        assert "Location" not in response and response.json()["detail"]


def test_the_county_has_no_parent_and_the_schema_says_so(personas, api):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(personas['county_officer'])}")
    county = api.get(f"/api/v1/units/{COUNTY}/").json()
    assert county["parent_code"] is None
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    parent = json.loads(schema.content)["components"]["schemas"]["Unit"]["properties"]
    assert parent["parent_code"]["nullable"] is True


def test_every_not_found_is_json_with_one_chinese_message(personas, api):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(personas['township_officer'])}")
    answers = [
        api.get("/api/v1/units/abc/"),  # no route: Django's own 404 handler
        api.get("/api/v1/service-points/0.5/"),
        api.get("/api/v1/units/%C2%84/indicators/"),
        api.get(f"/api/v1/units/{TOWNSHIP_B}/"),  # exists, outside the subtree
        api.get("/api/v1/units/620001999000/"),  # does not exist
        api.get("/api/v1/service-points/999999/"),
        api.get(f"/api/v1/units/{TOWNSHIP_B}/indicators/"),
    ]
    for response in answers:
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "未找到该记录"}
    assert api.get("/api/v1/units/?page=9").json() == {"detail": "页码超出范围"}


@pytest.mark.parametrize(
    "query",
    ["page=", "page=0", "page=-1", "page=abc", "page=last", "page=%EF%BC%91"],
)
def test_a_page_is_a_whole_number_from_one(personas, api, query):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(personas['township_officer'])}")
    assert api.get("/api/v1/units/?page=1").status_code == 200
    response = api.get(f"/api/v1/units/?{query}")
    assert response.status_code == 400 and "页码" in response.json()["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "calendar=",
        "sub_units=",
        "scope=",
        "period=",
        "calendar=1",
        "sub_units=yes",
        "period=2010",  # FP 2010 began in October 2009, before the statistics (2010-01)
        "period=2100",
        "period=2024-3",
        "period=2024h1",
        "period=2023-10-01..2024-03-31",
    ],
)
def test_the_indicator_query_is_what_the_schema_says(personas, api, query):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(personas['township_officer'])}")
    url = f"/api/v1/units/{TOWNSHIP_A}/indicators/"
    assert api.get(f"{url}?period=2011&calendar=false&indicator=births").status_code == 200
    response = api.get(f"{url}?indicator=births&{query}")
    name = query.split("=")[0]
    assert response.status_code == 400 and response.json()["detail"].startswith(f"{name}：")


def test_a_second_token_needs_rotate_and_rotation_revokes(personas, api):
    user = personas["county_officer"]
    old = _token(user)
    with pytest.raises(Exception, match="--rotate"):
        _token(user)
    from io import StringIO

    out = StringIO()
    call_command("api_token", user=user.username, rotate=True, stdout=out)
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get("/api/v1/units/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    assert api.get("/api/v1/units/").status_code == 200


def test_schema_lists_every_operation(personas, api):
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token(personas['county_officer'])}")
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/units/", "/api/v1/units/{code}/", "/api/v1/service-points/"} <= set(
        schema["paths"]
    )


SCHEMA = "/api/v1/schema/"


@pytest.mark.django_db
def test_schema_waits_for_the_two_factor_step(personas, client, settings):
    """Issue 19 item 10: a password-only session of a role that must use TOTP read the schema."""
    from conftest import PASSWORD

    settings.RENKOU_MFA_REQUIRED_ROLES = ["county_officer"]
    user = personas["county_officer"]
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 302  # the pages send it to the TOTP step
    response = client.get(SCHEMA)
    assert response.status_code == 403
    assert b"openapi" not in response.content

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    assert client.post("/accounts/mfa/", {"token": f"{token:06d}"}).status_code == 302
    assert client.get(SCHEMA).status_code == 200


@pytest.mark.django_db
def test_schema_waits_for_a_forced_password_change(personas, signed_in_client):
    from renkou.accounts.models import User

    user = personas["village_admin"]
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = signed_in_client(user)
    assert client.get(SCHEMA).status_code == 403
