"""Import batches (house style rule 10: staging → validate → commit): the writes behind the
import pages, the background tasks and the ``import_persons`` command.

Life of a batch: ``uploaded`` (file stored, being checked) → ``validated`` (counts, first
errors and the error report ready) → confirmed: ``running`` → ``done`` / ``rejected`` (``all``
mode with bad rows: nothing written). A file whose SHA-256 matches a ``done`` batch becomes
``duplicate`` at once, with 0 creates and 0 updates (security.md IN4). The commit writes the
persons, the batch's final status and its audit row in one transaction, so a crash leaves 0
or all of the batch (IN5); a batch left ``running`` by a crash may be confirmed again.

The life cycle is shared: an ``Importer`` names what differs between imports (batch model,
columns, the pass over the rows, tasks, words), and every function takes one, by default the
person import's ``PERSONS``; ``renkou.events.importing`` passes the change events'.
"""

import hashlib
import importlib
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from renkou.accounts.constants import Perm
from renkou.common import audit, jobs, vault
from renkou.common.actors import Actor
from renkou.common.models import JobProgress
from renkou.geo.constants import full_code
from renkou.people.importing import pipeline
from renkou.people.importing.checking import Scope
from renkou.people.importing.columns import PERSONS as PERSON_COLUMNS
from renkou.people.importing.columns import Sheet
from renkou.people.importing.files import CHUNK, FileRefused, Limits, inspect, kind_of, sha256
from renkou.people.importing.pipeline import Options, Outcome
from renkou.people.importing.reading import Table, open_table
from renkou.people.importing.report import write_report
from renkou.people.models import ImportBatch

logger = logging.getLogger(__name__)

IMPORT_DIR = "imports"
UPLOAD_DIR = f"{IMPORT_DIR}/uploads"
INLINE_ROWS = 2000  # larger files are checked by the worker, with progress
STALE_AFTER = timedelta(minutes=15)
Status = ImportBatch.Status


class ImportRefused(Exception):
    """A confirmation that cannot go ahead; the message is for the user."""


def _persons_done(outcome: Outcome) -> str:
    return (
        f"导入完成：新增 {outcome.created} 人，更新 {outcome.updated} 人，"
        f"无变化 {outcome.unchanged} 人"
    )


@dataclass(frozen=True)
class Importer:
    """What one kind of import brings to the shared life cycle. ``model`` has ImportBatch's
    fields, statuses and modes; ``run`` is one pass over a table (``pipeline.run``'s
    signature); ``tasks`` names the module holding its ``check_import`` and ``commit_import``
    tasks; ``name`` gives the job kind (``<name>_import``), the audit actions
    (``<name>.import``, ``<name>.import_upload``) and the command (``import_<name>s``)."""

    name: str
    title: str  # the job's title, before the file name
    model: Any
    sheet: Sheet
    run: Callable[..., Outcome]
    tasks: str
    permission: str
    done_message: Callable[[Outcome], str]
    inline_rows: int = INLINE_ROWS

    @property
    def object_type(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.{meta.model_name}"

    @property
    def command(self) -> str:
        return f"manage.py import_{self.name}s"

    def open(self, path: Path, name: str) -> Table:
        return open_table(path, name, sheet=self.sheet)


PERSONS = Importer(
    name="person",
    title="人员导入",
    model=ImportBatch,
    sheet=PERSON_COLUMNS,
    run=pipeline.run,
    tasks="renkou.people.importing.tasks",
    permission=Perm.IMPORT_PERSON,
    done_message=_persons_done,
)


# --- files -----------------------------------------------------------------------------------


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def store_upload(upload: Any) -> tuple[str, str]:
    """Store an uploaded file encrypted (``renkou.common.vault``) under a random name in
    MEDIA_ROOT/imports/uploads/, refusing it past the size limit; returns (relative path,
    SHA-256 of the file as uploaded)."""
    limits = Limits.current()
    kind = kind_of(upload.name)
    if upload.size > limits.max_bytes:
        mb = 1024 * 1024
        size = f"{upload.size / mb:.1f} MB"
        raise FileRefused(f"文件过大（{size}），最大 {limits.max_bytes // mb} MB")
    relative = f"{UPLOAD_DIR}/{uuid.uuid4().hex}.{kind}"
    digest = hashlib.sha256()

    def blocks() -> Any:
        for block in upload.chunks(CHUNK):
            digest.update(block)
            yield block

    vault.seal(blocks(), media_path(relative), context=vault.media_context(relative))
    return relative, digest.hexdigest()


@contextmanager
def plain_file(relative: str) -> Any:
    """The decrypted stored file at a private temporary path while the block runs."""
    with vault.plain_copy(
        media_path(relative), context=vault.media_context(relative), suffix=Path(relative).suffix
    ) as path:
        yield path


def forget_upload(batch: Any) -> None:
    """Remove the stored upload once the batch can no longer be imported from it (imported,
    refused, or a file imported before): minimum retention (PIPL Art. 19)."""
    if batch.stored_file:
        media_path(batch.stored_file).unlink(missing_ok=True)
        type(batch).objects.filter(pk=batch.pk).update(stored_file="")
        batch.stored_file = ""


def estimated_rows(path: Path, kind: str) -> int:
    if kind != "csv":
        return path.stat().st_size // 50  # a row of the template is 40–60 bytes zipped
    with path.open("rb") as stream:
        return sum(block.count(b"\n") for block in iter(lambda: stream.read(CHUNK), b""))


def masked_report(relative: str) -> str:
    """Where the masked copy of an error report is kept (for everyone but the uploader)."""
    return relative.removesuffix(".xlsx") + "-masked.xlsx"


def _report_path(batch: Any, importer: Importer) -> str:
    return f"{IMPORT_DIR}/reports/{importer.name}-batch-{batch.pk}-errors.xlsx"


# --- progress --------------------------------------------------------------------------------


class JobSink:
    """Reports rows done to the batch's JobProgress at most once a second. Inside the commit's
    transaction the row would stay invisible until the end, so on PostgreSQL it is written
    through a second connection; on SQLite (one writer) the bar jumps at the end instead."""

    def __init__(self, job_id: int | None, total: int) -> None:
        self.job_id, self.total, self.last = job_id, total, 0.0
        self.side: Any = None

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if self.job_id is None or now - self.last < 1.0:
            return
        self.last = now
        done = min(done, self.total) if self.total else done
        if not connection.in_atomic_block:
            JobProgress.objects.filter(pk=self.job_id).update(done=done, updated_at=timezone.now())
        elif connection.vendor == "postgresql":
            self._side_update(done)

    def _side_update(self, done: int) -> None:
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = self.side.ops.quote_name(JobProgress._meta.db_table)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, updated_at = %s WHERE id = %s",  # noqa: S608 table name from the model
                [done, timezone.now(), self.job_id],
            )

    def __enter__(self) -> "JobSink":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _job(batch: Any, **values: Any) -> None:
    if batch.job_id:
        jobs.progress(batch.job_id, **values)


# --- saving outcomes -------------------------------------------------------------------------


def _save_outcome(batch: Any, outcome: Outcome, **values: Any) -> None:
    batch.total, batch.good, batch.bad = outcome.total, outcome.good, outcome.bad
    batch.to_create, batch.to_update = outcome.to_create, outcome.to_update
    batch.created, batch.updated, batch.unchanged = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
    )
    batch.errors_head = outcome.samples
    batch.notes = outcome.notes[:20]
    for name, value in values.items():
        setattr(batch, name, value)
    batch.save()


def _report(batch: Any, table: Table, outcome: Outcome, importer: Importer) -> str:
    """Write the error report when there are bad rows, encrypted, twice: in full for the
    uploader (who fixes it and uploads it again) and with every number masked for anyone else
    who may open the batch; returns the full one's path ('' if none)."""
    if not outcome.errors and not outcome.warnings:
        return ""
    relative = _report_path(batch, importer)
    for name, masked in ((relative, False), (masked_report(relative), True)):
        target, context = media_path(name), vault.media_context(name)
        with vault.sealed_output(target, context=context, suffix=".xlsx") as plain:
            write_report(table, outcome, plain, masked=masked)
    return relative


def duplicate_of(file_hash: str, importer: Importer = PERSONS) -> Any:
    """The imported (``done``) batch of the same file, if any."""
    return importer.model.objects.filter(file_hash=file_hash, status=Status.DONE).first()


def _mark_duplicate(batch: Any, done: Any) -> None:
    when = timezone.localtime(done.finished_at or done.created_at).strftime("%Y-%m-%d %H:%M")
    batch.status = Status.DUPLICATE
    batch.created = batch.updated = batch.unchanged = 0
    batch.message = f"该文件已导入过（{when}，批次 {done.pk}），本次没有做任何修改"
    batch.finished_at = timezone.now()
    batch.save()
    forget_upload(batch)
    _job(batch, status=JobProgress.Status.DONE, message=batch.message)


# --- checking (preview) ----------------------------------------------------------------------


def check_batch(
    batch: Any, *, scope: Scope, today: date, workers: int = 1, importer: Importer = PERSONS
) -> Outcome:
    """Phase 1: read and check every row, write nothing but the batch, its report and job."""
    with plain_file(batch.stored_file) as path:
        table = importer.open(path, batch.file_name)
        _job(batch, status=JobProgress.Status.RUNNING, done=0, total=table.size_hint)
        options = Options(mode=batch.mode, workers=workers)
        with JobSink(batch.job_id, table.size_hint) as sink:
            outcome = importer.run(table, scope=scope, options=options, today=today, progress=sink)
        report = _report(batch, table, outcome, importer)
    message = f"校验完成：共 {outcome.total} 行，正确 {outcome.good} 行，错误 {outcome.bad} 行"
    _save_outcome(batch, outcome, status=Status.VALIDATED, error_report=report, message=message)
    _job(
        batch,
        status=JobProgress.Status.DONE,
        done=outcome.total,
        total=outcome.total,
        result_file=report,
        message=message + "，请在导入页面确认",
    )
    return outcome


def receive(
    *, actor: Actor, upload: Any, mode: str, today: date | None = None, importer: Importer = PERSONS
) -> Any:
    """Store an upload, refuse a hostile or unusable file (``FileRefused``), record the batch,
    and check it now (small files) or in the worker (over ``importer.inline_rows`` rows)."""
    relative, digest = store_upload(upload)
    with plain_file(relative) as path:
        try:
            kind = inspect(path, upload.name)
        except FileRefused:
            media_path(relative).unlink(missing_ok=True)
            raise
        size, rows = path.stat().st_size, estimated_rows(path, kind)
    user = actor.user
    job = JobProgress.objects.create(
        kind=f"{importer.name}_import",
        title=f"{importer.title}：{upload.name}"[:200],
        owner_id=user.pk,
        unit_code=user.unit_code,
    )
    batch = importer.model.objects.create(
        file_hash=digest,
        file_name=upload.name[:200],
        stored_file=relative,
        mode=mode,
        owner_id=user.pk,
        unit_code=user.unit_code,
        job=job,
    )
    audit.record(
        actor=user,
        ip=actor.ip,
        action=f"{importer.name}.import_upload",
        object_type=importer.object_type,
        object_id=batch.pk,
        summary=f"kind={kind} bytes={size}",
    )
    done = duplicate_of(digest, importer)
    if done is not None:
        _mark_duplicate(batch, done)
    elif rows <= importer.inline_rows:
        _check_now(batch, user_scope(user), today or timezone.localdate(), importer)
    else:
        _enqueue("check_import", batch, importer)
    return batch


def _check_now(batch: Any, scope: Scope, today: date, importer: Importer) -> None:
    try:
        check_batch(batch, scope=scope, today=today, importer=importer)
    except FileRefused as refused:
        fail(batch, str(refused))


def fail(batch: Any, message: str) -> None:
    batch.status, batch.message, batch.finished_at = Status.FAILED, message[:500], timezone.now()
    batch.save(update_fields=["status", "message", "finished_at"])
    _job(batch, status=JobProgress.Status.FAILED, message=message[:500])


def _enqueue(name: str, batch: Any, importer: Importer) -> None:
    """Queue a task after commit, so the worker always finds the batch."""
    tasks = importlib.import_module(importer.tasks)  # the tasks import this module

    jobs.enqueue_after_commit(batch.job_id, getattr(tasks, name), batch_id=batch.pk)


def user_scope(user: Any) -> Scope:
    prefix = getattr(user, "scope_prefix", None)
    if not prefix:
        raise ImportRefused("您的账号没有数据范围，不能导入")
    return Scope.of(prefix)


# --- commit ----------------------------------------------------------------------------------


class _Rejected(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def confirmable(batch: Any) -> bool:
    if not batch.stored_file:
        return False  # imported already, or the upload passed its retention period
    if batch.status in (Status.VALIDATED, Status.FAILED) and batch.total:
        return True
    stale = timezone.now() - STALE_AFTER
    return batch.status == Status.RUNNING and (batch.job is None or batch.job.updated_at < stale)


@transaction.atomic
def confirm(*, actor: Actor, batch: Any, mode: str, importer: Importer = PERSONS) -> Any:
    """Queue the commit of a checked batch in ``mode`` (the user may change it here)."""
    locked = importer.model.objects.select_for_update().get(pk=batch.pk)
    if not confirmable(locked):
        raise ImportRefused("该批次当前不能导入（已导入、正在导入或尚未校验完成）")
    done = duplicate_of(locked.file_hash, importer)
    if done is not None:
        _mark_duplicate(locked, done)
        return locked
    locked.mode, locked.status, locked.message = mode, Status.RUNNING, "排队等待导入"
    locked.save(update_fields=["mode", "status", "message"])
    _job(
        locked, status=JobProgress.Status.QUEUED, done=0, total=locked.total, message="排队等待导入"
    )
    _enqueue("commit_import", locked, importer)
    return locked


def commit(
    batch: Any,
    table: Table,
    *,
    scope: Scope,
    today: date,
    user: Any = None,
    ip: str = "",
    workers: int = 1,
    progress: Any = None,
    importer: Importer = PERSONS,
) -> Outcome:
    """Phase 2: check again and write, all in one transaction with the batch's status and its
    audit row. ``all`` mode with a bad row rolls everything back (status ``rejected``)."""
    options = Options(
        mode=batch.mode, write=True, workers=workers, user=user, reason=f"导入批次 {batch.pk}"
    )
    try:
        with transaction.atomic():
            outcome = importer.run(
                table, scope=scope, options=options, today=today, progress=progress
            )
            if outcome.bad and batch.mode == ImportBatch.Mode.ALL:
                raise _Rejected(outcome)
            _finish(batch, outcome, user=user, ip=ip, importer=importer)
    except _Rejected as rejected:
        outcome = rejected.outcome
        _rejected(batch, outcome, user=user, ip=ip, importer=importer)
    except IntegrityError:
        done = duplicate_of(batch.file_hash, importer)
        if done is None:
            raise
        batch.refresh_from_db()
        _mark_duplicate(batch, done)
        return Outcome()
    return outcome


def _finish(batch: Any, outcome: Outcome, *, user: Any, ip: str, importer: Importer) -> None:
    message = importer.done_message(outcome)
    if outcome.bad:
        message += f"；{outcome.bad} 行有错误，未导入"
    _save_outcome(batch, outcome, status=Status.DONE, message=message, finished_at=timezone.now())
    audit.record(
        actor=user,
        ip=ip,
        action=f"{importer.name}.import",
        object_type=importer.object_type,
        object_id=batch.pk,
        row_count=outcome.created + outcome.updated,
        summary=f"mode={batch.mode} created={outcome.created} "
        f"updated={outcome.updated} unchanged={outcome.unchanged} bad={outcome.bad}",
        username="" if user else importer.command,
    )


def _rejected(batch: Any, outcome: Outcome, *, user: Any, ip: str, importer: Importer) -> None:
    outcome.created = outcome.updated = outcome.unchanged = 0
    message = (
        f"有 {outcome.bad} 行错误，按“全部正确才导入”没有导入任何数据；"
        "请下载错误报告，改正后重新上传"
    )
    _save_outcome(
        batch, outcome, status=Status.REJECTED, message=message, finished_at=timezone.now()
    )
    audit.record(
        actor=user,
        ip=ip,
        action=f"{importer.name}.import",
        object_type=importer.object_type,
        object_id=batch.pk,
        row_count=0,
        result="failed",
        summary=f"mode={batch.mode} rejected bad={outcome.bad}",
        username="" if user else importer.command,
    )


def commit_batch(batch: Any, *, user: Any, today: date, importer: Importer = PERSONS) -> Outcome:
    """The commit task's work for a confirmed web batch."""
    if not batch.stored_file or not media_path(batch.stored_file).is_file():
        raise FileRefused("上传的文件已按保留期限删除，请重新上传")
    with plain_file(batch.stored_file) as path:
        table = importer.open(path, batch.file_name)
        _job(
            batch, status=JobProgress.Status.RUNNING, done=0, total=batch.total, message="正在导入"
        )
        with JobSink(batch.job_id, batch.total) as sink:
            outcome = commit(
                batch,
                table,
                scope=user_scope(user),
                today=today,
                user=user,
                progress=sink,
                importer=importer,
            )
        batch.refresh_from_db()
        report = ""
        if batch.status in (Status.DONE, Status.REJECTED):
            report = _report(batch, table, outcome, importer)
    if batch.status in (Status.DONE, Status.REJECTED, Status.DUPLICATE):
        forget_upload(batch)
    if batch.status in (Status.DONE, Status.REJECTED):
        importer.model.objects.filter(pk=batch.pk).update(error_report=report)
        _job(
            batch,
            status=JobProgress.Status.DONE,
            done=outcome.total,
            total=outcome.total,
            result_file=report,
            message=batch.message,
        )
    return outcome


# --- the command -----------------------------------------------------------------------------


@dataclass
class FileResult:
    batch: Any
    outcome: Outcome
    duplicate: bool = False


def import_file(
    path: Path,
    *,
    scope: Scope,
    mode: str,
    today: date,
    preview: bool = False,
    report: Path | None = None,
    workers: int = 1,
    start_progress: Any = None,
    importer: Importer = PERSONS,
) -> FileResult:
    """``manage.py import_persons`` (or the importer's command): the same checks and writes
    as the web, as the system. ``start_progress(rows)`` returns the callback that receives
    rows done."""
    table = importer.open(path, path.name)
    progress = start_progress(table.size_hint) if start_progress else None
    digest = sha256(path)
    batch = importer.model.objects.create(
        file_hash=digest,
        file_name=path.name[:200],
        mode=mode,
        owner_id=None,
        unit_code=full_code(scope.prefix),
        status=Status.UPLOADED if preview else Status.RUNNING,
    )
    done = duplicate_of(digest, importer)
    if done is not None and not preview:
        _mark_duplicate(batch, done)
        return FileResult(batch, Outcome(), duplicate=True)
    if preview:
        options = Options(mode=mode, workers=workers)
        outcome = importer.run(table, scope=scope, options=options, today=today, progress=progress)
        _save_outcome(batch, outcome, status=Status.VALIDATED)
    else:
        outcome = commit(
            batch,
            table,
            scope=scope,
            today=today,
            workers=workers,
            progress=progress,
            importer=importer,
        )
        batch.refresh_from_db()
    if report is not None and (outcome.errors or outcome.warnings):
        write_report(table, outcome, report)
    return FileResult(batch, outcome, duplicate=batch.status == Status.DUPLICATE)
