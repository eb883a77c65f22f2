"""The audit log for its reader (issue 11 items 4, 8, 18): actions, objects and permissions in
Chinese words, the 操作 filter taking those words, the export following an htmx search, and the
chain's 校验 button run on the worker."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from renkou.accounts.models import LoginLog
from renkou.benefits.constants import Action
from renkou.common import audit
from renkou.common.models import AuditEntry, JobProgress
from renkou.system import audit_labels, tasks

pytestmark = pytest.mark.django_db

LIST = reverse("system:audit_list")
VERIFY = reverse("system:audit_verify")
HOME = reverse("home")
ASCII_WORD = re.compile(r"[A-Za-z]")


def _written_actions() -> set[str]:
    """Every audit action code the application writes: the string literals passed as
    ``action=``, as the action of ``audit.record_for(actor, action, obj)`` and of an app's own
    ``_record`` helper (the dynamic codes prefix them: ``assessment.`` + ``quota_delete``)."""
    prefixes = {"renkou/assessment/services.py": "assessment."}
    found = set()
    for path in Path(settings.BASE_DIR, "renkou").rglob("*.py"):
        relative = path.relative_to(settings.BASE_DIR).as_posix()
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                    found.add(keyword.value.value)
            if getattr(node.func, "attr", "") == "record_for" and len(node.args) > 1:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
            name = getattr(node.func, "id", "")
            if name in ("_audit", "_record") and relative in prefixes and len(node.args) > 1:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(prefixes[relative] + arg.value)
    # The codes built from a value (f-strings): their values, as the code forms them.
    found |= {f"auth.{value}" for value in LoginLog.Result.values}
    found |= {f"benefits.application_{value}" for value in Action.values}
    found |= {f"{name}.import{end}" for name in ("person", "event") for end in ("", "_upload")}
    rh = ("rh_check", "treatment", "visit", "supply")
    found |= {f"programs.{kind}_{verb}" for kind in rh for verb in ("record", "update", "void")}
    cards = ("child", "episode", "pregnancy")
    found |= {f"card.{kind}.{verb}" for kind in cards for verb in ("create", "update", "delete")}
    found |= {  # chosen by a condition, or held in a constant
        "programs.exam_record",
        "programs.exam_update",
        "programs.assessment_record",
        "programs.assessment_update",
        "assessment.quota_create",
        "assessment.quota_change",
        "target.create",
        "target.update",
        "crypto.rotate",
    }
    # argparse's own ``action=`` values are not audit actions
    return {a for a in found if isinstance(a, str) and "." in a}


def test_every_action_the_code_writes_has_a_chinese_name():
    actions = _written_actions()
    assert {"person.view", "benefits.roll_lock", "auth.success", "audit.verify"} <= actions
    unnamed = sorted(a for a in actions if not audit_labels.action_label(a))
    assert unnamed == []
    for action in actions:
        assert not ASCII_WORD.search(audit_labels.action_label(action)), action


def test_dynamic_action_codes_are_named_from_their_words():
    assert audit_labels.action_label("benefits.notice_export") == "导出公示"
    assert audit_labels.action_label("programs.rh_check_void") == "作废生殖健康检查"
    assert audit_labels.action_label("card.child.update") == "修改育龄妇女卡子女"
    assert audit_labels.action_label("person.frobnicate") == ""
    assert audit_labels.action_shown("person.frobnicate") == "其他操作"


def test_objects_and_permissions_in_words():
    assert audit_labels.object_shown("people.person", "12") == "人员 #12"
    assert audit_labels.object_shown("view", "people:person_list") == "页面：户籍管理 · 人员管理"
    assert audit_labels.object_shown("benefits.figure", "coverage") == "利益导向指标"
    assert audit_labels.object_shown("", "") == "—"
    shown = audit_labels.summary_shown("缺少权限 people.view_person")
    assert shown == "缺少权限 “查看个人信息（本单位及下级）”"


def test_the_list_shows_words_and_the_action_filter_takes_them(as_role, personas):
    officer = personas["county_officer"]
    audit.record(actor=officer, action="job.download", object_type="common.jobprogress")
    audit.record(actor=officer, action="benefits.document_download", object_id=3)
    audit.record(actor=officer, action="person.view", object_type="people.person", object_id=7)
    audit.record(
        actor=officer,
        action="authz.denied",
        object_type="view",
        object_id="programs:rh_person",
        result="denied",
        summary="缺少权限 people.view_person",
    )
    client = as_role("audit_admin")
    body = client.get(LIST).content.decode()
    for code in ("job.download", "authz.denied", "programs:rh_person", "people.view_person"):
        assert code not in body
    assert "越权访问被拒绝" in body and "查看人员" in body and "人员 #7" in body

    found = [row.action for row in client.get(LIST, {"action": "下载"}).context["page"]]
    assert sorted(found) == ["benefits.document_download", "job.download"]
    coded = [row.action for row in client.get(LIST, {"action": "person."}).context["page"]]
    assert coded == ["person.view"]


def test_the_export_form_is_renewed_by_the_htmx_search(as_role, personas):
    audit.record(actor=personas["leader"], action="report.drilldown")
    client = as_role("audit_admin")
    partial = client.get(LIST, {"username": "p_leader"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert reverse("system:audit_export") in html  # the export form comes with the results
    assert '<input type="hidden" name="username" value="p_leader">' in html
    assert "共 1 条" in html


def test_the_verify_button_checks_the_chain_on_the_worker(
    as_role, personas, django_capture_on_commit_callbacks
):
    audit.record(actor=personas["leader"], action="report.drilldown")
    client = as_role("audit_admin")
    assert "manage.py" not in client.get(HOME).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(VERIFY)
    assert response.status_code == 302 and response["Location"] == HOME
    job = JobProgress.objects.get(kind="audit_verify")
    assert job.status == JobProgress.Status.DONE and job.task_id
    assert job.message.startswith("审计日志完整") and job.total == job.done >= 1
    row = AuditEntry.objects.get(action="audit.verify")
    assert row.result == "ok" and row.row_count == job.done
    panel = client.get(VERIFY).content.decode()
    assert "审计日志完整" in panel and "hx-trigger" not in panel  # finished: no more polling
    assert as_role("sys_admin").post(VERIFY).status_code == 403


def test_a_broken_chain_is_reported_in_words():
    problems = [audit.Problem(5, "edited", "本行内容与哈希不符（被修改或伪造）")]
    message = tasks._verify_message(40, problems)
    assert message.startswith("发现问题（1 处，共 40 条）") and "第 5 条被修改" in message
    assert not tasks.verified_intact(JobProgress(status="done", message=message))


def test_a_running_check_polls_and_cannot_be_started_twice(as_role, personas):
    admin = personas["audit_admin"]
    JobProgress.objects.create(
        kind="audit_verify", title="审计日志校验", owner_id=admin.pk, unit_code=admin.unit_code
    )
    panel = as_role("audit_admin").get(VERIFY).content.decode()
    assert 'hx-trigger="every 2s"' in panel and "disabled" in panel
