from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created

_TIGHTENED: set[str] = set()


def owner_only_database(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The SQLite database and its journal files are owner-only (0600), also when an older
    installation created them readable by others; checked once per file and process."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or name in _TIGHTENED:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(name + suffix)
        if path.exists() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    _TIGHTENED.add(name)


class CommonConfig(AppConfig):
    name = "renkou.common"
    label = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        from renkou.common import checks  # noqa: F401 registers the deployment checks

        connection_created.connect(owner_only_database, dispatch_uid="renkou_owner_only_db")

        # Django 6.1 labels the empty choice of select boxes "- Select an option -", a string its
        # Chinese catalogue does not translate yet; Django's own advice is to set the label here.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = "请选择"
