"""Where the application's secrets come from, and the production refusal to start without them.

Production (``RENKOU_ENV=production``) reads every key from the environment (or ``*_FILE``) and
refuses to start when one is missing, too short, or one of the well-known development values.
Development creates random keys once in ``var/dev-secrets.json`` (mode 600) so that a fresh
clone runs with real, unique keys and nothing secret is ever committed.
"""

import base64
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from renkou.common.env import env_secret

# Names of the secrets and the minimum decoded length of each (bytes, or characters for the
# Django secret key).
SECRET_NAMES = {
    "RENKOU_SECRET_KEY": 50,
    "RENKOU_FIELD_KEY": 32,  # AES-256 / SM4 field-encryption key (base64)
    "RENKOU_INDEX_KEY": 32,  # HMAC key of the blind indexes (base64)
    "RENKOU_AUDIT_KEY": 32,  # HMAC key of the audit hash chain (base64)
}
BASE64_KEYS = {"RENKOU_FIELD_KEY", "RENKOU_INDEX_KEY", "RENKOU_AUDIT_KEY"}
# The key of the encrypted database backups (base64, 32 bytes; renkou.common.backup). Not among
# SECRET_NAMES: the web server never needs it, so production does not refuse to start without it;
# ``backup`` and ``restore`` refuse instead.
BACKUP_KEY = "RENKOU_BACKUP_KEY"
KNOWN_BAD_VALUES = {"", "changeme", "change-me", "secret", "django-insecure", "dev", "test"}


def _check(name: str, value: str) -> None:
    if value.lower() in KNOWN_BAD_VALUES or value.startswith("django-insecure"):
        raise ImproperlyConfigured(f"{name} is missing or a default value; production refuses.")
    length = len(_decode(name, value)) if name in BASE64_KEYS else len(value)
    if length < SECRET_NAMES[name]:
        raise ImproperlyConfigured(f"{name} is shorter than {SECRET_NAMES[name]}; refused.")


def _decode(name: str, value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be base64") from exc


def _dev_secrets(path: Path) -> dict[str, str]:
    if path.exists():
        saved: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return saved
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {
        "_说明": "开发环境的随机密钥，与数据库同在 var/ 目录：能读写本目录的人也能重写审计哈希链。"
        "生产环境请用 RENKOU_*_KEY_FILE 把密钥放在数据库服务器以外（见 README 生产部署）。",
        "RENKOU_SECRET_KEY": secrets.token_urlsafe(60),
    }
    for name in (*BASE64_KEYS, BACKUP_KEY):
        values[name] = _random_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(values, handle)
    return values


def _random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _add_dev_secret(path: Path, name: str) -> str:
    """Add a newly introduced key to a development key file made before it existed."""
    values = _dev_secrets(path)
    if name not in values:
        values[name] = _random_key()
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(values, handle)
        partial.replace(path)
    return values[name]


def load_secrets(*, production: bool, dev_file: Path) -> dict[str, str]:
    """Return every secret by name; raise ``ImproperlyConfigured`` in production when unsafe."""
    values = {name: env_secret(name) for name in SECRET_NAMES}
    if production:
        for name, value in values.items():
            _check(name, value)
        return values
    fallback = _dev_secrets(dev_file)
    return {name: value or fallback[name] for name, value in values.items()}


def load_backup_key(*, production: bool, dev_file: Path) -> str:
    """The backup key from ``RENKOU_BACKUP_KEY`` or the file named by ``RENKOU_BACKUP_KEY_FILE``;
    in development, when unset, the one in the generated key file (so ``make run`` users can
    try ``manage.py backup``); in production '' when unset."""
    value = env_secret(BACKUP_KEY)
    if value or production:
        return value
    return _add_dev_secret(dev_file, BACKUP_KEY)


def secret_file(name: str, *, production: bool, dev_file: Path) -> Path | None:
    """The file a secret is read from: ``NAME_FILE``, or in development the generated key file
    when ``NAME`` is not set; None when the secret comes from the environment itself."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path)
    if production or os.environ.get(name, "").strip():
        return None
    return dev_file


def decode_key(value: str) -> bytes:
    return base64.b64decode(value)
