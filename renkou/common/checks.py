"""Deployment checks of our own (``manage.py check --deploy``), beside Django's security ones.

W001: the audit chain's HMAC key sits in the database's directory. The chain makes edits to the
audit table detectable only while the key is out of reach of whoever can rewrite the table; a
key file next to the SQLite database (the development layout, var/) or in a PostgreSQL data
directory is read by the same person, who could then recompute a consistent chain.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

AUDIT_KEY_BESIDE_DATABASE = "renkou.W001"


def _database_directories(databases: Any) -> list[Path]:
    found = []
    for alias, config in settings.DATABASES.items():
        if config["ENGINE"].endswith("sqlite3") and str(config["NAME"]) != ":memory:":
            found.append(Path(config["NAME"]).resolve().parent)
        elif config["ENGINE"].endswith("postgresql") and databases and alias in databases:
            found.extend(_postgres_data_directory(alias))
    return found


def _postgres_data_directory(alias: str) -> list[Path]:
    """The server's data directory, when the account may read it (superuser or
    pg_read_all_settings) and the server runs on this machine; else nothing to compare."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT current_setting('data_directory')")
            return [Path(cursor.fetchone()[0]).resolve()]
    except DatabaseError:
        return []


@checks.register(checks.Tags.security, deploy=True)
def audit_key_beside_database(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    key_path = getattr(settings, "RENKOU_AUDIT_KEY_PATH", None)
    if key_path is None:
        return []
    key = Path(key_path).resolve()
    for directory in _database_directories(databases):
        if key.is_relative_to(directory):
            return [
                checks.Warning(
                    f"审计日志的 HMAC 密钥文件 {key} 与数据库在同一目录（{directory}）下。",
                    hint=(
                        "能读写数据库文件的人也能读到密钥，从而重写出一条“完整”的哈希链。"
                        "请用 RENKOU_AUDIT_KEY_FILE 把密钥放到数据库目录以外"
                        "（最好不在数据库服务器上），见 README 的生产部署一节。"
                    ),
                    id=AUDIT_KEY_BESIDE_DATABASE,
                )
            ]
    return []
