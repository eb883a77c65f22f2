"""Production settings (security.md OP3, SE3, WH1): start refuses missing or default secrets, and
``check --deploy`` passes with good ones. Each case starts a fresh interpreter, because the
settings module reads the environment once at import."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
KEYS = ("RENKOU_FIELD_KEY", "RENKOU_INDEX_KEY", "RENKOU_AUDIT_KEY")
SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'renkou.settings'; django.setup()"
)


def good_secrets() -> dict[str, str]:
    values = {"RENKOU_SECRET_KEY": secrets.token_urlsafe(45)}  # 60 characters
    for name in KEYS:
        values[name] = base64.b64encode(secrets.token_bytes(32)).decode()
    return values


def environment(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """A clean environment: nothing inherited from the test run but PATH."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "RENKOU_ENV": "production",
        "RENKOU_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "RENKOU_ALLOWED_HOSTS": "renkou.example",
        **good_secrets(),
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


BAD = [
    pytest.param({"RENKOU_SECRET_KEY": None}, "RENKOU_SECRET_KEY", id="secret-missing"),
    pytest.param({"RENKOU_FIELD_KEY": None}, "RENKOU_FIELD_KEY", id="field-missing"),
    pytest.param({"RENKOU_INDEX_KEY": None}, "RENKOU_INDEX_KEY", id="index-missing"),
    pytest.param({"RENKOU_AUDIT_KEY": None}, "RENKOU_AUDIT_KEY", id="audit-missing"),
    pytest.param(
        {"RENKOU_SECRET_KEY": "django-insecure-" + "x" * 50},
        "RENKOU_SECRET_KEY",
        id="secret-default",
    ),
    pytest.param({"RENKOU_SECRET_KEY": "short-secret"}, "RENKOU_SECRET_KEY", id="secret-short"),
    pytest.param({"RENKOU_FIELD_KEY": "changeme"}, "RENKOU_FIELD_KEY", id="field-default"),
    pytest.param(
        {"RENKOU_INDEX_KEY": "not base64 at all!"}, "RENKOU_INDEX_KEY", id="index-not-base64"
    ),
    pytest.param(
        {"RENKOU_AUDIT_KEY": base64.b64encode(b"k" * 16).decode()},
        "RENKOU_AUDIT_KEY",
        id="audit-too-short",
    ),
]


@pytest.mark.parametrize(("overrides", "name"), BAD)
def test_production_refuses_unsafe_secrets(tmp_path, overrides, name):
    result = run(environment(tmp_path, **overrides), "-c", SETUP)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_production_refuses_when_every_secret_is_missing(tmp_path):
    env = environment(tmp_path, RENKOU_SECRET_KEY=None, **dict.fromkeys(KEYS))
    result = run(env, "-c", SETUP)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert not (tmp_path / "var" / "dev-secrets.json").exists()


def test_production_reads_a_secret_from_a_file(tmp_path):
    key_file = tmp_path / "audit.key"
    key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    env = environment(tmp_path, RENKOU_AUDIT_KEY=None, RENKOU_AUDIT_KEY_FILE=str(key_file))
    result = run(env, "-c", SETUP)
    assert result.returncode == 0, result.stderr


PRINT_SETTINGS = SETUP + (
    "; from django.conf import settings as s; import json; print(json.dumps({k: getattr(s, k) "
    "for k in ['DEBUG', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
    "'SESSION_COOKIE_SAMESITE', 'SESSION_COOKIE_NAME', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_NAME', "
    "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS']}))"
)


def test_production_cookies_and_transport(tmp_path):
    result = run(environment(tmp_path), "-c", PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


def test_check_deploy_security_passes(tmp_path):
    result = run(
        environment(tmp_path),
        "manage.py",
        "check",
        "--deploy",
        "--tag",
        "security",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_passes_with_good_secrets(tmp_path):
    result = run(environment(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_creates_private_random_keys(tmp_path):
    env = environment(
        tmp_path, RENKOU_ENV="development", RENKOU_SECRET_KEY=None, **dict.fromkeys(KEYS)
    )
    result = run(env, "-c", SETUP)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "var" / "dev-secrets.json"
    assert path.stat().st_mode & 0o077 == 0
    values = json.loads(path.read_text())
    assert len(base64.b64decode(values["RENKOU_AUDIT_KEY"])) == 32


def test_an_empty_database_url_means_the_default_sqlite_file(tmp_path):
    env = environment(tmp_path, RENKOU_ENV="development", DATABASE_URL="")
    code = SETUP + (
        "; from django.conf import settings as s; import json; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], str(s.DATABASES['default']['NAME'])]))"
    )
    result = run(env, "-c", code)
    assert result.returncode == 0, result.stderr
    engine, name = json.loads(result.stdout.strip().splitlines()[-1])
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "var" / "renkou.sqlite3")


def _deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")


def test_check_deploy_warns_when_the_audit_key_file_sits_beside_the_database(tmp_path):
    """Issue 19 item 8: with file access, a key beside the database lets a rewritten chain
    verify."""
    key_file = tmp_path / "audit.key"  # the database is tmp_path/db.sqlite3
    key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    env = environment(tmp_path, RENKOU_AUDIT_KEY=None, RENKOU_AUDIT_KEY_FILE=str(key_file))
    result = _deploy_check(env)
    assert result.returncode != 0
    assert "renkou.W001" in result.stderr + result.stdout


def test_check_deploy_accepts_an_audit_key_file_elsewhere(tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    key_file = keys / "audit.key"
    key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    data = tmp_path / "data"
    data.mkdir()
    env = environment(
        tmp_path,
        RENKOU_AUDIT_KEY=None,
        RENKOU_AUDIT_KEY_FILE=str(key_file),
        DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
    )
    result = _deploy_check(env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_in_the_development_layout(tmp_path):
    """var/dev-secrets.json holds the audit key next to var/renkou.sqlite3."""
    env = environment(tmp_path, RENKOU_ENV="development", DATABASE_URL="", RENKOU_AUDIT_KEY=None)
    result = run(env, "manage.py", "check", "--deploy", "--tag", "security")
    assert "renkou.W001" in result.stderr + result.stdout
    assert "dev-secrets.json" in result.stderr + result.stdout


CONNECT = SETUP + (
    "; from django.db import connection; c = connection.cursor(); "
    "c.execute('PRAGMA user_version = 7')"  # any write creates the file and its WAL
)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_sqlite_database_and_its_journal_are_owner_only(tmp_path):
    """Issue 19 item 5: the probe found the SQLite database readable by everyone (0644)."""
    env = environment(tmp_path, RENKOU_ENV="development", DATABASE_URL="")
    # The modes are read while the connection is open (SQLite removes the WAL at close).
    code = CONNECT + (
        "; import os, json; from django.conf import settings as s; "
        "print(json.dumps({n: os.stat(s.VAR_DIR / n).st_mode & 0o777 "
        "for n in sorted(os.listdir(s.VAR_DIR))}))"
    )
    result = run(env, "-c", code)
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"renkou.sqlite3", "renkou.sqlite3-wal", "dev-secrets.json"} <= set(modes)
    assert {name: 0o600 for name in modes} == modes
    assert _mode(tmp_path / "var") == 0o700


def test_an_existing_readable_database_is_tightened_at_connection(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    database = var / "renkou.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)
    env = environment(tmp_path, RENKOU_ENV="development", DATABASE_URL="")
    result = run(env, "-c", CONNECT)
    assert result.returncode == 0, result.stderr
    assert _mode(database) == 0o600


PRINT_DEBUG = SETUP + "; from django.conf import settings as s; print(s.DEBUG)"


def test_development_has_no_debug_pages_unless_asked(tmp_path):
    """Issue 19 item 4: make run's default debug page showed 20 full ID and bank numbers."""
    env = environment(tmp_path, RENKOU_ENV="development")
    assert run(env, "-c", PRINT_DEBUG).stdout.strip().splitlines()[-1] == "False"
    env["RENKOU_DEBUG"] = "1"
    assert run(env, "-c", PRINT_DEBUG).stdout.strip().splitlines()[-1] == "True"


def test_make_run_does_not_switch_debug_on():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "RENKOU_DEBUG" not in makefile


def test_static_files_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/css/renkou.css")
    assert response.status_code == 200
    assert b"login-page" in b"".join(response.streaming_content)
