"""Programme pages: the list, a programme with its rule versions and amount table, and the
county officers' editor (new version, edit a draft, test it against a case, put it in force,
add an amount row). Programmes, versions and amounts are county policy, not personal data."""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.benefits import amounts, eligibility
from renkou.benefits.facts import FACTS
from renkou.benefits.forms import AmountForm, RuleTestForm, RuleVersionForm
from renkou.benefits.models import Program, RuleVersion
from renkou.common import dates, rules
from renkou.common.actors import Actor
from renkou.common.forms import error_text
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.people import selectors as people_selectors


def apply_errors(form: Any, exc: ValidationError) -> None:
    """A service's ValidationError onto the form (field errors where the field exists)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    today = dates.today()
    rows = []
    for program in Program.objects.visible_to(request.user):
        version = eligibility.version_on(program, today)
        amount = amounts.amount_on(program, today)
        rows.append({"program": program, "version": version, "amount": amount})
    return render(request, "benefits/program_list.html", {"rows": rows, "today": today})


@require_perm(Perm.VIEW_AGGREGATE)
@require_GET
def program_detail(request: HttpRequest, code: str) -> HttpResponse:
    program = get_visible_or_404(Program, request.user, code=code)
    today = dates.today()
    current = eligibility.version_on(program, today)
    context = {
        "program": program,
        "versions": program.versions.all(),
        "current": current,
        "rule_rows": eligibility.rule_rows(current.conditions) if current else [],
        "amounts": program.amounts.all(),
        "today": today,
        "can_manage": request.user.has_perm(Perm.MANAGE_BENEFIT_RULE),
        "facts": FACTS,
        "operators": rules.OPERATORS,
    }
    return render(request, "benefits/program_detail.html", context)


@require_perm(Perm.MANAGE_BENEFIT_RULE)
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, code: str) -> HttpResponse:
    """新版本: starts from the conditions in force, as a draft."""
    program = get_visible_or_404(Program, request.user, code=code)
    current = eligibility.version_on(program, dates.today())
    initial = {
        "conditions": json.dumps(
            current.conditions if current else {"all": []}, ensure_ascii=False, indent=2
        )
    }
    form = RuleVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = eligibility.rule_version_create(
                actor=Actor.of(request), program=program, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已保存第{version.number}版草稿，请用案例测试后生效。")
            return redirect("benefits:version_edit", pk=version.pk)
    context = {"form": form, "program": program, "facts": FACTS, "operators": rules.OPERATORS}
    return render(request, "benefits/version_form.html", context)


@require_perm(Perm.MANAGE_BENEFIT_RULE)
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_visible_or_404(RuleVersion.objects.select_related("program"), request.user, pk=pk)
    initial = {
        "effective_from": version.effective_from,
        "note": version.note,
        "source": version.source,
        "conditions": json.dumps(version.conditions, ensure_ascii=False, indent=2),
    }
    form = RuleVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            eligibility.rule_version_update(
                actor=Actor.of(request), version=version, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "草稿已保存，原测试结果作废，请重新测试。")
            return redirect("benefits:version_edit", pk=version.pk)
    test_form = RuleTestForm(initial={"day": dates.today()})
    context = {
        "form": form,
        "program": version.program,
        "version": version,
        "test_form": test_form,
        "facts": FACTS,
        "operators": rules.OPERATORS,
        "test_rows": (
            eligibility.trace_rows(version.test_result["trace"]) if version.test_result else []
        ),
    }
    return render(request, "benefits/version_form.html", context)


@require_perm(Perm.MANAGE_BENEFIT_RULE, Perm.VIEW_PERSON)
@require_http_methods(["GET", "POST"])
def version_test(request: HttpRequest, pk: int) -> HttpResponse:
    """用案例测试: a person found by ID number (POST only) on a chosen day."""
    version = get_visible_or_404(RuleVersion.objects.select_related("program"), request.user, pk=pk)
    form = RuleTestForm(request.POST or None, initial={"day": dates.today()})
    result = None
    if request.method == "POST" and form.is_valid():
        person = people_selectors.person_by_id_number(
            request.user, form.cleaned_data["id_number"]
        ).first()
        if person is None:
            form.add_error("id_number", "本单位范围内未找到该身份证号的人员")
        else:
            result = eligibility.rule_version_test(
                actor=Actor.of(request),
                version=version,
                person=person,
                day=form.cleaned_data["day"],
                declared=form.declared(),
            )
    context = {
        "form": form,
        "version": version,
        "program": version.program,
        "result": result,
        "rows": eligibility.trace_rows(result.trace) if result else [],
        "facts": FACTS,
    }
    return render(request, "benefits/version_test.html", context)


@require_perm(Perm.MANAGE_BENEFIT_RULE)
@require_POST
def version_activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_visible_or_404(RuleVersion, request.user, pk=pk)
    try:
        eligibility.rule_version_activate(actor=Actor.of(request), version=version)
    except ValidationError as exc:
        messages.warning(request, error_text(exc))
        return redirect("benefits:version_edit", pk=version.pk)
    messages.success(request, f"第{version.number}版自 {version.effective_from} 起生效。")
    return redirect("benefits:program_detail", code=version.program.code)


@require_perm(Perm.MANAGE_BENEFIT_RULE)
@require_http_methods(["GET", "POST"])
def amount_add(request: HttpRequest, code: str) -> HttpResponse:
    program = get_visible_or_404(Program, request.user, code=code)
    form = AmountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            eligibility.amount_add(
                actor=Actor.of(request),
                program=program,
                effective_from=data["effective_from"],
                fen=data["yuan"],
                grade=data["grade"],
                source=data["source"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已增加补助标准。")
            return redirect("benefits:program_detail", code=program.code)
    return render(request, "benefits/amount_form.html", {"form": form, "program": program})
