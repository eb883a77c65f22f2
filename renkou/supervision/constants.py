"""Codes of the supervision app (督查与重点工作): the dated tasks' workflow and what the pages
show of it (domain.md §8; issue 14 items 5–7)."""

from django.db import models

# Reminders on the to-do lists: 7 and 1 days before the deadline (two to-do rules of the
# population unit_task, lead 7 and 1 days; migration 0002).
TASK_ANCHOR = "task"  # the to-do items' anchor type of an assignment
REMINDER_RULES = ("task_deadline_7d", "task_deadline_1d")  # seeded (migration 0002)
# A rectification notice on the township's list until it responds (population
# unit_rectification; migration 0005).
RECT_ANCHOR = "rectification"
RECT_REMINDER_RULE = "rectification_response"  # seeded (migration 0005)


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


# --- inspections (督查, issue 14 item 6) ------------------------------------------------------


class InspectionKind(models.TextChoices):
    ROTATION = "rotation", "轮流督查"
    TOPIC = "topic", "专项督查"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    VISITING = "visiting", "督查中"
    CLOSED = "closed", "已结束"


INSPECTION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({InspectionStatus.PLANNED}), InspectionStatus.VISITING),
    "close": (frozenset({InspectionStatus.VISITING}), InspectionStatus.CLOSED),
}


class SampleTopic(models.TextChoices):
    """What a visit samples from the inspected township's register and service records, to
    verify the units' work door to door or by phone (never to check on a person)."""

    RH_DUE = "rh_due", "应查生殖健康检查的妇女"
    BIRTHS = "births", "本期出生登记"
    BENEFITS = "benefits", "利益导向享受对象"
    TODO_DONE = "todo_done", "已办结的服务待办"


DEFAULT_SIZES = {
    SampleTopic.RH_DUE: 20,
    SampleTopic.BIRTHS: 10,
    SampleTopic.BENEFITS: 10,
    SampleTopic.TODO_DONE: 10,
}


class Outcome(models.TextChoices):
    PENDING = "", "待核实"
    FOUND = "found", "属实"
    NOT_FOUND = "not_found", "查无此人/此事"
    DIFFERS = "differs", "信息不符"


class Severity(models.TextChoices):
    MINOR = "minor", "一般"
    MAJOR = "major", "较重"
    SERIOUS = "serious", "严重"


class RectStatus(models.TextChoices):
    ISSUED = "issued", "待整改"
    RESPONDED = "responded", "已反馈，待复查"
    CLOSED = "closed", "复查通过，已销号"


RECT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "respond": (frozenset({RectStatus.ISSUED}), RectStatus.RESPONDED),
    "close": (frozenset({RectStatus.RESPONDED}), RectStatus.CLOSED),
    "reopen": (frozenset({RectStatus.RESPONDED}), RectStatus.ISSUED),
}
