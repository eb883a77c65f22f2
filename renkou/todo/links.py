"""The "办理" link of an item: the form that closes it, with ``?next=`` back to the list.

Forms of the reproductive-health module are named by the contract in docs/todo.md; a form the
caller may not use (or one not built yet) gives no link, and the list shows why instead.
"""

from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from renkou.accounts.constants import Perm
from renkou.todo.models import TodoItem
from renkou.todo.populations import POPULATIONS

_CLINICAL_RH = (Perm.RECORD_RH, Perm.VIEW_EXAM_DETAIL)
_CLINICAL_EXAM = (Perm.RECORD_EXAM, Perm.VIEW_EXAM_DETAIL)
# (closed_by, anchor type) → the forms that close it, the first the caller may use wins:
# (permissions the form asks for, url name, whose pk it takes).
_TARGETS = {
    ("visit", "episode"): [((Perm.RECORD_FOLLOWUP,), "programs:visit_for_episode", "anchor")],
    ("visit", "pregnancy"): [((Perm.RECORD_FOLLOWUP,), "programs:visit_for_pregnancy", "anchor")],
    ("rh_check", "card"): [(_CLINICAL_RH, "programs:rh_check_create", "person")],
    ("episode_end", "episode"): [
        ((Perm.EDIT_PERSON,), "people:card_episode_edit", "anchor"),  # village, township
        ((Perm.RECORD_RH,), "programs:implant_removal", "anchor"),  # the technician
    ],
    ("exam", "couple"): [(_CLINICAL_EXAM, "programs:exam_wife", "anchor")],
    ("followup", "followup"): [((Perm.RECORD_FOLLOWUP,), "programs:followup_record", "anchor")],
    # A unit's dated task (renkou.supervision): its page, where the evidence is uploaded.
    ("task", "task"): [((Perm.REPORT_TASK,), "supervision:assignment_detail", "anchor")],
    # A rectification notice (renkou.supervision): its page holds the response form.
    ("rectification", "rectification"): [
        ((Perm.REPORT_TASK,), "supervision:notice_detail", "anchor")
    ],
    # A tip-off (renkou.tipoffs): its page, where the handler logs steps and concludes it.
    ("tipoff", "tipoff"): [((Perm.VIEW_TIPOFF,), "tipoffs:detail", "anchor")],
    # A “两非” case (renkou.cases): its page, where steps, the referral and the outcome go.
    ("case", "case"): [((Perm.VIEW_CASE,), "cases:detail", "anchor")],
    # An inflow woman's 婚育证明 (renkou.floating): record the certificate or its verification.
    ("certificate", "floating"): [((Perm.EDIT_PERSON,), "floating:certificate_add", "anchor")],
    ("certificate", "floatcert"): [((Perm.EDIT_PERSON,), "floating:certificate_edit", "anchor")],
    ("message", "floatmsg"): [((Perm.EDIT_PERSON,), "floating:message_detail", "anchor")],
}
# What to show instead when the caller cannot use the closing form.
_FALLBACK = {
    "episode": ("people:person_detail", "person", "#card"),
    "card": ("people:person_detail", "person", ""),
    "pregnancy": ("people:person_detail", "person", "#card"),
    "couple": ("programs:couple_detail", "anchor", ""),
    "followup": ("people:person_detail", "person", ""),
    "task": ("supervision:assignment_detail", "anchor", ""),
    "rectification": ("supervision:notice_detail", "anchor", ""),
    "tipoff": ("tipoffs:detail", "anchor", ""),
    "case": ("cases:detail", "anchor", ""),
    "floating": ("floating:record_detail", "anchor", ""),
    "floatmsg": ("floating:message_detail", "anchor", ""),
}


def _reverse(name: str, item: TodoItem, which: str) -> str | None:
    pk = item.anchor_id if which == "anchor" else item.person_id
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def close_link(item: TodoItem, user: Any, back: str) -> str | None:
    """The closing form's URL for ``user``, or None when she cannot use it."""
    closed_by = POPULATIONS[item.rule.population].closed_by
    for perms, name, which in _TARGETS.get((closed_by, item.anchor_type), []):
        if all(user.has_perm(p) for p in perms):
            url = _reverse(name, item, which)
            return f"{url}?{urlencode({'next': back})}" if url else None
    return None


def view_link(item: TodoItem) -> str | None:
    """The page that shows the item's record (her card, the couple file)."""
    name, which, anchor = _FALLBACK.get(item.anchor_type, ("people:person_detail", "person", ""))
    url = _reverse(name, item, which)
    return url + anchor if url else None
