"""Card pages: add, change and delete (rows entered by mistake) the children, contraception
episodes and pregnancies of a married woman's card (育龄妇女信息卡, domain.md §2.5), for the
registrar roles (the permissions of ``person_edit``).

Each view: policy decorator → scoped fetch (``get_visible_or_404``: out of scope is 404) → form →
one ``card_services`` call → back to the person page. A closed card is read-only: its pages send
the user back with a notice. Warnings (带器妊娠, the mother's age) do not stop a save; they are
shown on the person page after it.
"""

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from renkou.accounts.constants import Perm
from renkou.common import dates
from renkou.common.actors import Actor, ConflictError
from renkou.common.forms import parse_int
from renkou.common.permissions import require_perm
from renkou.geo.scope import get_visible_or_404
from renkou.people import card_services
from renkou.people.card_forms import CardRowForm, ChildForm, EpisodeForm, PregnancyForm
from renkou.people.constants import CardStatus, Survival
from renkou.people.models import Child, ContraceptionEpisode, Person, Pregnancy, WomanCard

NO_CARD = "该人员没有育龄妇女信息卡（15–49周岁已婚妇女才建卡）"
HISTORY_KINDS = {"+": "新增", "~": "修改", "-": "删除"}
NOT_SHOWN = frozenset({"id", "card", "unit_code", "version"})
LABELS = {"person": "子女的人员信息"}  # fields whose model name is not Chinese


@dataclass(frozen=True)
class Kind:
    """One kind of card row: its model, form, name in messages and URL-name stem."""

    model: type[Child | ContraceptionEpisode | Pregnancy]
    form: type[CardRowForm]
    noun: str
    stem: str
    defaults: tuple[tuple[str, Any], ...] = ()


CHILD = Kind(
    Child,
    ChildForm,
    "子女",
    "child",
    (("kinship", "1"), ("health", "1"), ("survival", Survival.ALIVE)),
)
EPISODE = Kind(ContraceptionEpisode, EpisodeForm, "避孕节育情况", "episode")
PREGNANCY = Kind(Pregnancy, PregnancyForm, "孕情", "pregnancy", (("fetuses", 1),))


def _back(card: WomanCard) -> HttpResponse:
    return redirect(reverse("people:person_detail", args=[card.person_id]) + "#card")


def _closed(request: HttpRequest, card: WomanCard) -> HttpResponse | None:
    """A closed card's rows are read-only: back to the person page with a notice."""
    if card.status == CardStatus.OPEN:
        return None
    messages.warning(request, card_services.CLOSED_MESSAGE)
    return _back(card)


def _who(record: Any) -> str:
    user = record.history_user
    return (user.full_name or user.username) if user else "系统（导入或定时任务）"


def _history(row: Any) -> list[dict[str, Any]]:
    """The row's versions, newest first: when, who, and the names of the changed fields (no
    values: some are encrypted)."""
    records = list(
        row.history.select_related("history_user").order_by("history_date", "history_id")
    )
    shown = []
    for prev, rec in zip([None, *records[:-1]], records, strict=True):
        changed = rec.diff_against(prev).changed_fields if prev is not None else []
        labels = [
            LABELS.get(f) or str(row._meta.get_field(f).verbose_name)
            for f in changed
            if f not in NOT_SHOWN
        ]
        kind = HISTORY_KINDS.get(rec.history_type, "")
        shown.append({"when": rec.history_date, "who": _who(rec), "kind": kind, "fields": labels})
    return shown[::-1]


def _page(
    request: HttpRequest, kind: Kind, form: CardRowForm, row: Any = None, status: int = 200
) -> HttpResponse:
    card = form.card
    context = {
        "form": form,
        "kind": kind,
        "card": card,
        "person": card.person,
        "row": row,
        "title": f"{'修改' if row else '新增'}{kind.noun}",
        "delete_url": reverse(f"people:card_{kind.stem}_delete", args=[row.pk]) if row else "",
        "history": _history(row) if row else [],
    }
    return render(request, "people/card_form.html", context, status=status)


def _save(request: HttpRequest, kind: Kind, form: CardRowForm, row: Any = None) -> HttpResponse:
    """A valid form → one service call; a stale form gets 409 (security.md RL1), a rule of the
    card sends the form back with its message."""
    actor, version = Actor.of(request), form.cleaned_data.get("version")
    try:
        if row is None:
            _saved, warnings = card_services.card_row_create(
                actor=actor, card=form.card, model=kind.model, values=form.values, version=version
            )
        else:
            _saved, warnings = card_services.card_row_update(
                actor=actor, row=row, values=form.values, version=version
            )
    except ConflictError as exc:
        form.add_error(None, str(exc))
        return _page(request, kind, form, row, status=409)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _page(request, kind, form, row)
    for warning in warnings:
        messages.warning(request, f"已保存，但请核实：{warning}")
    messages.success(request, f"{kind.noun}信息已保存。")
    if row is None and request.POST.get("then") == "add":
        return redirect(f"people:card_{kind.stem}_create", pk=form.card.person_id)
    return _back(form.card)


def _create(request: HttpRequest, pk: int, kind: Kind) -> HttpResponse:
    person = get_visible_or_404(Person.objects.all(), request.user, pk=pk)
    card = WomanCard.objects.visible_to(request.user).filter(person=person).first()
    if card is None:
        messages.warning(request, NO_CARD)
        return redirect("people:person_detail", pk=person.pk)
    card.person = person
    if closed := _closed(request, card):
        return closed
    initial = dict(kind.defaults)
    if kind is CHILD:
        initial["parity"] = card_services.next_parity(card)
    form = kind.form(request.POST or None, card=card, today=dates.today(), initial=initial)
    if request.method == "POST" and form.is_valid():
        return _save(request, kind, form)
    return _page(request, kind, form)


def _edit(request: HttpRequest, pk: int, kind: Kind) -> HttpResponse:
    rows = kind.model.objects.select_related("card__person")
    row = cast(card_services.CardRow, get_visible_or_404(rows, request.user, pk=pk))
    if closed := _closed(request, row.card):
        return closed
    form = kind.form(request.POST or None, card=row.card, today=dates.today(), row=row)
    if request.method == "POST" and form.is_valid():
        return _save(request, kind, form, row)
    return _page(request, kind, form, row)


def _delete(request: HttpRequest, pk: int, kind: Kind) -> HttpResponse:
    rows = kind.model.objects.select_related("card")
    row = cast(card_services.CardRow, get_visible_or_404(rows, request.user, pk=pk))
    if closed := _closed(request, row.card):
        return closed
    version = request.POST.get("version", "")
    try:
        card_services.card_row_delete(actor=Actor.of(request), row=row, version=parse_int(version))
    except (ConflictError, ValidationError) as exc:
        text = str(exc) if isinstance(exc, ConflictError) else " ".join(exc.messages)
        messages.warning(request, text)
    else:
        messages.success(request, f"已删除该{kind.noun}记录（删除已记入审计日志）。")
    return _back(row.card)


# --- 子女 ------------------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def child_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create(request, pk, CHILD)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, CHILD)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_POST
def child_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, pk, CHILD)


# --- 避孕节育情况 ----------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def episode_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create(request, pk, EPISODE)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def episode_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, EPISODE)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_POST
def episode_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, pk, EPISODE)


# --- 孕情 ------------------------------------------------------------------------------------


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def pregnancy_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _create(request, pk, PREGNANCY)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def pregnancy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, PREGNANCY)


@require_perm(Perm.VIEW_PERSON, Perm.EDIT_PERSON)
@require_POST
def pregnancy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, pk, PREGNANCY)


urlpatterns = [
    path("persons/<int:pk>/card/children/new/", child_create, name="card_child_create"),
    path("card/children/<int:pk>/edit/", child_edit, name="card_child_edit"),
    path("card/children/<int:pk>/delete/", child_delete, name="card_child_delete"),
    path("persons/<int:pk>/card/episodes/new/", episode_create, name="card_episode_create"),
    path("card/episodes/<int:pk>/edit/", episode_edit, name="card_episode_edit"),
    path("card/episodes/<int:pk>/delete/", episode_delete, name="card_episode_delete"),
    path("persons/<int:pk>/card/pregnancies/new/", pregnancy_create, name="card_pregnancy_create"),
    path("card/pregnancies/<int:pk>/edit/", pregnancy_edit, name="card_pregnancy_edit"),
    path("card/pregnancies/<int:pk>/delete/", pregnancy_delete, name="card_pregnancy_delete"),
]
