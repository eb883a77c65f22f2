"""Codes of the supervision app (督查与重点工作): the dated tasks' workflow and what the pages
show of it (domain.md §8; issue 14 items 5–7)."""

from django.db import models

# Reminders on the to-do lists: 7 and 1 days before the deadline (two to-do rules of the
# population unit_task, lead 7 and 1 days; migration 0002).
TASK_ANCHOR = "task"  # the to-do items' anchor type of an assignment
REMINDER_RULES = ("task_deadline_7d", "task_deadline_1d")  # seeded (migration 0002)


class Status(models.TextChoices):
    """The workflow of one unit's part of a dated task (stored)."""

    OPEN = "open", "办理中"
    SUBMITTED = "submitted", "已报完成，待县局确认"
    CONFIRMED = "confirmed", "县局已确认完成"


class Action(models.TextChoices):
    SUBMIT = "submit", "报告完成"
    CONFIRM = "confirm", "确认完成"
    RETURN = "return", "退回补充"


# House style rule 8: action → (from states, to state).
ALLOWED_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.SUBMIT: (frozenset({Status.OPEN}), Status.SUBMITTED),
    Action.CONFIRM: (frozenset({Status.SUBMITTED}), Status.CONFIRMED),
    Action.RETURN: (frozenset({Status.SUBMITTED}), Status.OPEN),
}


class Progress(models.TextChoices):
    """What the pages show, computed from the dates, the evidence and the county's
    confirmation (``selectors.progress_of``)."""

    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "已完成"
    OVERDUE = "overdue", "已逾期"


PROGRESS_BADGE = {
    Progress.NOT_STARTED: "text-bg-secondary",
    Progress.IN_PROGRESS: "text-bg-info",
    Progress.DONE: "text-bg-success",
    Progress.OVERDUE: "text-bg-danger",
}


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", "照片"
    DOCUMENT = "document", "文件"
