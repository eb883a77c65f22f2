"""The change history of one couple file and its records (django-simple-history), for the couple
page: when, who, which record, and the names of the changed fields — never their values, since
most are health details (the page shows values only where the viewer may see them)."""

from typing import Any

from django.db import models

from renkou.programs.constants import ITEMS_BY_CODE
from renkou.programs.models import CoupleFile, Exam, ExamItem, FollowUp, RiskAssessment

KINDS = {"+": "新增", "~": "修改", "-": "删除"}
NOT_SHOWN = frozenset(
    {"id", "couple", "exam", "unit_code", "version", "husband_key", "created_at", "updated_at"}
)


def _who(record: Any) -> str:
    user = record.history_user
    return (user.full_name or user.username) if user else "系统"


def _what(record: Any) -> str:
    if isinstance(record.instance, CoupleFile):
        return "档案"
    if isinstance(record.instance, Exam):
        return f"{record.instance.get_spouse_display()}检查"
    if isinstance(record.instance, ExamItem):
        item = ITEMS_BY_CODE.get(record.item)
        return f"检查项目 {item.name if item else record.item}"
    if isinstance(record.instance, RiskAssessment):
        return "风险评估"
    return record.instance.get_kind_display()


def _rows(model: type[models.Model], records: list[Any], changes_only: bool) -> list[dict]:
    shown, previous = [], {}
    for rec in records:
        prev = previous.get(rec.id)
        previous[rec.id] = rec
        if changes_only and rec.history_type == "+":
            continue
        changed = rec.diff_against(prev).changed_fields if prev is not None else []
        labels = [str(model._meta.get_field(f).verbose_name) for f in changed if f not in NOT_SHOWN]
        shown.append(
            {
                "when": rec.history_date,
                "who": _who(rec),
                "what": _what(rec),
                "kind": KINDS.get(rec.history_type, ""),
                "fields": labels,
            }
        )
    return shown


def _records(model: type[models.Model], **lookup: Any) -> list[Any]:
    rows = model.history.filter(**lookup).select_related("history_user")  # type: ignore[attr-defined]  # added by simple_history
    return list(rows.order_by("history_date", "history_id"))


def couple_history(couple: CoupleFile) -> list[dict[str, Any]]:
    """Every version of the file, its exams, items (changes after the first entry only: the
    first entry is the exam's), assessments and follow-ups, newest first."""
    exam_ids = list(Exam.history.filter(couple_id=couple.pk).values_list("id", flat=True))  # type: ignore[attr-defined]  # as above
    rows = _rows(CoupleFile, _records(CoupleFile, id=couple.pk), False)
    rows += _rows(Exam, _records(Exam, couple_id=couple.pk), False)
    rows += _rows(ExamItem, _records(ExamItem, exam_id__in=exam_ids), True)
    rows += _rows(RiskAssessment, _records(RiskAssessment, exam_id__in=exam_ids), False)
    rows += _rows(FollowUp, _records(FollowUp, couple_id=couple.pk), False)
    return sorted(rows, key=lambda r: r["when"], reverse=True)
