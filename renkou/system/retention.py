"""The stored-file retention purge (issue 19 item 5; PIPL Art. 19 and 47, GB/T 35273 6.1):
uploaded import files, error reports and generated exports are deleted
``RENKOU_FILE_RETENTION_DAYS`` (default 30) days after they were written, by the daily job on
the worker (``purge_daily``) and by ``manage.py purge_files``; the rows that named them forget
them, so their pages say the file was cleared instead of failing. The same run ends the
sign-out notices of sessions older than the absolute timeout and takes group and world access
off anything under the var directory (database, keys, media), which must be owner-only.

Benefit application documents (hukou books, certificates) are not transient: they are the
evidence of a benefit decision, kept with the application's record; they are encrypted at rest
and owner-only like the rest, but this purge leaves them alone.
"""

import os
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from renkou.accounts.models import SessionEnd
from renkou.common import audit
from renkou.common.models import JobProgress
from renkou.events.models import EventImportBatch
from renkou.people.models import ImportBatch

TRANSIENT = ("imports", "exports")  # folders under MEDIA_ROOT whose files expire
PARTIAL_AGE = timedelta(days=1)  # a half-written file left by a crash
COMMAND = "manage.py purge_files"


@dataclass
class PurgeReport:
    removed: int = 0
    kept: int = 0
    tightened: int = 0
    notices: int = 0


def _expired(path: Path, cutoff: datetime, partial_cutoff: datetime) -> bool:
    written = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.UTC)
    if path.name.endswith(".part"):
        return written < partial_cutoff
    return written < cutoff


def _forget(removed: list[str]) -> None:
    """Rows naming a removed file now name none (their pages say it was cleared)."""
    for model in (ImportBatch, EventImportBatch):
        model.objects.filter(stored_file__in=removed).update(stored_file="")
        model.objects.filter(error_report__in=removed).update(error_report="")
    JobProgress.objects.filter(result_file__in=removed).update(result_file="")


def tighten(root: Path) -> int:
    """Owner-only modes under ``root``: files 0600, folders 0700; returns how many changed."""
    changed = 0
    if not root.exists():
        return 0
    for folder, names, files in os.walk(root):
        for name in [*names, *files]:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not info.st_mode & 0o077:
                continue
            path.chmod(0o700 if stat.S_ISDIR(info.st_mode) else 0o600)
            changed += 1
    if root.stat().st_mode & 0o077:
        root.chmod(0o700)
        changed += 1
    return changed


def purge(*, days: int | None = None, now: datetime | None = None) -> PurgeReport:
    days = settings.RENKOU_FILE_RETENTION_DAYS if days is None else days
    now = now or timezone.now()
    cutoff, partial_cutoff = now - timedelta(days=days), now - PARTIAL_AGE
    media = Path(settings.MEDIA_ROOT)
    report, removed = PurgeReport(), []
    for folder in TRANSIENT:
        for path in sorted((media / folder).rglob("*")):
            if not path.is_file():
                continue
            if _expired(path, cutoff, partial_cutoff):
                path.unlink(missing_ok=True)
                removed.append(path.relative_to(media).as_posix())
            else:
                report.kept += 1
    report.removed = len(removed)
    _forget(removed)
    too_old = now - timedelta(hours=settings.RENKOU_ABSOLUTE_TIMEOUT_HOURS)
    report.notices, _ = SessionEnd.objects.filter(ended_at__lt=too_old).delete()
    report.tightened = tighten(Path(settings.VAR_DIR))
    if not media.resolve().is_relative_to(Path(settings.VAR_DIR).resolve()):
        report.tightened += tighten(media)
    audit.record(
        actor=None,
        username=COMMAND,
        action="files.purge",
        object_type="media",
        row_count=report.removed,
        summary=f"days={days} kept={report.kept} tightened={report.tightened}",
    )
    return report
