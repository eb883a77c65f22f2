"""To-do pages (服务信息引导): 我的待办 (the caller's items, scoped to her unit subtree and to the
rules that name her role) and the reminder rules (county officers).

Each view: policy decorator → scoped read (``selectors``, ``visible_to``) → render; the rule edit
calls ``services.rule_save``. Filters travel in the URL as codes only; the ID search is a POST,
so a number never sits in a URL or a log. Names are shown with the ID masked; opening the list
writes an audit row with the row count.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from renkou.accounts.constants import Perm
from renkou.common import audit, crypto, dates, dicts
from renkou.common.actors import Actor
from renkou.common.htmx import render_page
from renkou.common.middleware import offers_id_search
from renkou.common.paging import paginate
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.geo.selectors import side_tree, unit_names
from renkou.people import selectors as people_selectors
from renkou.people.forms import IdSearchForm
from renkou.todo import links, selectors, services
from renkou.todo.constants import Filter
from renkou.todo.forms import ItemFilterForm, RuleForm
from renkou.todo.models import RefreshRun, ReminderRule
from renkou.todo.populations import POPULATIONS
from renkou.todo.schedule import describe

ID_SEARCH_LIMIT = 50


def _decorate(request: HttpRequest, rows: list, today: date) -> None:
    """Display values: masked ID, village name, days to/after due, the closing link."""
    names, back = unit_names(r.unit_code for r in rows), reverse("todo:item_list")
    back = request.get_full_path() if request.method == "GET" else back
    for item in rows:
        item.id_masked = crypto.mask(item.person.id_number) if item.person_id else ""
        item.unit_name = names.get(item.unit_code, item.unit_code)
        item.days = (item.due_on - today).days
        item.late = (today - item.overdue_on).days
        item.overdue = item.status == "open" and today > item.overdue_on
        item.left = (item.ends_on - today).days  # days the offer of this cycle still runs
        item.close_url = None
        if item.status == "open":
            item.close_url = links.close_link(item, request.user, back)
        item.view_url = links.view_link(item)


def _ids_found(request: HttpRequest, id_form: IdSearchForm) -> frozenset[int] | None:
    if request.method != "POST":
        return None
    if not id_form.is_valid():
        return frozenset()
    rows = people_selectors.person_by_id_number(request.user, id_form.cleaned_data["id_number"])
    return frozenset(rows.values_list("pk", flat=True)[:ID_SEARCH_LIMIT])


@offers_id_search
@require_perm(Perm.VIEW_PERSON)
@require_http_methods(["GET", "POST"])
def item_list(request: HttpRequest) -> HttpResponse:
    """我的待办: counts per rule, then the items (overdue in red), each with its 办理 link."""
    today, rules = dates.today(), selectors.rules_for(request.user)
    form = ItemFilterForm(request.GET or None, rules=rules)
    id_form = IdSearchForm(request.POST or None)
    flt = form.filter()
    found = _ids_found(request, id_form)
    if found is not None:
        flt = selectors.ItemFilter(state=flt.state, person_ids=found)
    page = paginate(request, selectors.item_list(request.user, flt, today))
    _decorate(request, page.object_list, today)
    audit.record_request(
        request,
        action="todo.list",
        object_type="todo.todoitem",
        row_count=page.paginator.count,
        summary="by=id_number" if found is not None else "",
    )
    counts = selectors.counts_for(request.user, today)
    context = {
        "form": form,
        "rule_shown": next((c for c in counts.rules if c.rule_id == flt.rule), None),
        "id_form": id_form if found is not None else IdSearchForm(),
        "page": page,
        "today": today,
        "counts": counts,
        "tree": side_tree(request.user, flt.unit),
        "unit": flt.unit,
        "id_search": found is not None,
        "last_run": RefreshRun.objects.filter(seconds__isnull=False).first(),
        "done_view": flt.state in (Filter.DONE, Filter.LAPSED),
        "week_view": flt.state == Filter.WEEK and found is None,
    }
    return render_page(request, "todo/item_list.html", context, partial="results")


# --- rules -----------------------------------------------------------------------------------


# The code lists that narrow a population, read back as their names on the rule list.
CODE_DICTS = {"method": "contraception_method", "outcome": "pregnancy_outcome"}
FOLLOWUP_KINDS = {"early": "早孕随访", "outcome": "妊娠结局随访"}


def _codes_shown(rule: ReminderRule) -> str:
    kind = POPULATIONS[rule.population].codes
    if kind == "followup_kind":
        return "、".join(FOLLOWUP_KINDS.get(c, c) for c in rule.code_list)
    if kind in CODE_DICTS:
        return "、".join(f"{c} {dicts.label(CODE_DICTS[kind], c)}" for c in rule.code_list)
    return "、".join(rule.code_list)


def _rule_rows(rules: list[ReminderRule]) -> list[ReminderRule]:
    for rule in rules:
        rule.codes_shown = _codes_shown(rule)
        rule.offsets_shown = describe(rule.offsets)
        rule.repeat_shown = describe(rule.repeat) if rule.repeat else ""
        rule.closed_by = POPULATIONS[rule.population].closed_by
    return rules


@require_perm(Perm.MANAGE_TODO_RULE)
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = _rule_rows(list(ReminderRule.objects.select_related("updated_by")))
    return render(request, "todo/rule_list.html", {"rules": rules})


@require_perm(Perm.MANAGE_TODO_RULE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a rule; 预览 counts the items it would list in the caller's area, without saving."""
    rule = get_visible_or_404(ReminderRule.objects.all(), request.user, pk=pk)
    form = RuleForm(request.POST or None, instance=rule)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "preview":
                preview = services.preview(form.instance, request.user.scope_prefix, dates.today())
            else:
                services.rule_save(actor=Actor.of(request), rule=rule, values=form.values())
                name = form.cleaned_data["name"]
                messages.success(request, f"规则“{name}”已保存，待办将按新规则刷新。")
                return redirect("todo:rule_list")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    history = rule.history.select_related("history_user").order_by("-history_date")[:10]
    context = {"form": form, "rule": rule, "preview": preview, "history": history}
    return render(request, "todo/rule_form.html", context)
