"""The declared authorization policy, written independently of the code that enforces it.

Entries for each area live here or in ``tests/policies/<area>.py`` (a module-level ``POLICY``
dict merged below), so work on different areas does not collide in one file.

Every URL name of the project must appear here (a meta-test fails otherwise). For each: which
roles may call it, which HTTP methods it answers, and what kind of object (if any) its URL
names, so the matrix can place that object inside or outside the caller's scope.
"""

from dataclasses import dataclass, field

V, T, C = "village_admin", "township_officer", "county_officer"
TECH, INSP, LEAD = "technician", "inspector", "leader"
SYS, SEC, AUD = "sys_admin", "sec_admin", "audit_admin"
FIN = "finance"
ALL = frozenset({V, T, C, TECH, INSP, LEAD, SYS, SEC, AUD, FIN})
WORKERS = frozenset({V, T, C, TECH, INSP})
PUBLIC = "public"
GET_POST = frozenset({"GET", "POST"})
POST = frozenset({"POST"})


# Object kinds whose rows are people's data (a ``ScopedQuerySet`` with ``personal = True``). A
# role in ``GRANTED_PERSON_ROLES`` (the inspector) reads them only under an active visit's
# grant (issue 14 item 6); the matrix plans no visit, so every such object answers it 404, the
# same answer as out of scope, wherever the object sits (renkou/supervision/tests/
# test_inspector_access.py covers the visit itself).
PERSONAL_OBJECTS = frozenset(
    {
        "person",
        "household",
        "woman",
        "rh_woman",
        "child",
        "pregnancy",
        "episode",
        "iud_episode",
        "implant_episode",
        "abortion",
        "event",
        "couple",
        "eligible_couple",
        "examined_couple",
        "exam",
        "followup",
        "rhcheck",
        "treatment",
        "cvisit",
        "supply",
        "benefit_application",
        "benefit_beneficiary",
        "benefit_change",
        "benefit_document",
        "benefit_notice",
        "benefit_roll",
        "duplicate",
        "importbatch",
        "eventimportbatch",
        "exportrequest",
        "approvedexport",
        "sample",
        "floatingrecord",
        "floatingcert",
        "floatingmessage",
    }
)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] | str  # allowed roles, or PUBLIC (anyone, signed in or not)
    methods: frozenset[str] = frozenset({"GET"})
    obj: str | None = None  # kind of object named in the URL: unit, user, job, dicttype, …
    scoped: bool = True  # is the object restricted to the caller's unit subtree?
    notes: str = field(default="", compare=False)


POLICY: dict[str, Rule] = {
    # Sign-in pages.
    "accounts:login": Rule(PUBLIC, GET_POST),
    "accounts:logout": Rule(PUBLIC, POST),
    "accounts:mfa": Rule(ALL, GET_POST),
    "accounts:password": Rule(ALL, GET_POST),
    # Activation by one-time code (issue 19 item 2): reached before any password exists.
    "accounts:activate": Rule(PUBLIC, GET_POST),
    "accounts:activate_set": Rule(PUBLIC, GET_POST),
    "home": Rule(ALL),
    # Units and the service network: everyone who works with the county's data, and the system
    # administrator who maintains units; not the security or audit administrators.
    "geo:unit_list": Rule(WORKERS | {LEAD, SYS}),
    "geo:unit_detail": Rule(WORKERS | {LEAD, SYS}, obj="unit"),
    "geo:servicepoint_list": Rule(WORKERS | {LEAD, SYS}),
    "geo:unit_rename": Rule(frozenset({SYS}), GET_POST, obj="unit"),
    "geo:group_add": Rule(frozenset({SYS}), GET_POST, obj="unit"),
    "geo:servicepoint_add": Rule(frozenset({SYS}), GET_POST, obj="unit"),
    # The network's details (issue 17 item 3): read like the list, kept by county officers.
    "geo:servicepoint_detail": Rule(WORKERS | {LEAD, SYS}, obj="servicepoint"),
    "geo:servicepoint_edit": Rule(frozenset({C}), GET_POST, obj="servicepoint"),
    "geo:equipment_add": Rule(frozenset({C}), GET_POST, obj="servicepoint"),
    "geo:equipment_edit": Rule(frozenset({C}), GET_POST, obj="equipment"),
    "geo:licence_add": Rule(frozenset({C}), GET_POST, obj="servicepoint"),
    "geo:licence_edit": Rule(frozenset({C}), GET_POST, obj="licence"),
    # REST API.
    "unit-list": Rule(WORKERS | {LEAD, SYS}),
    "unit-detail": Rule(WORKERS | {LEAD, SYS}, obj="unit"),
    "servicepoint-list": Rule(WORKERS | {LEAD, SYS}),
    "servicepoint-detail": Rule(WORKERS | {LEAD, SYS}, obj="servicepoint"),
    "schema": Rule(ALL),
    # --- system pages (三员 and the personal centre) ---
    "system:user_list": Rule(frozenset({SYS})),
    "system:user_create": Rule(frozenset({SYS}), GET_POST),
    "system:user_edit": Rule(frozenset({SYS}), GET_POST, obj="user"),
    "system:user_reset_password": Rule(frozenset({SYS}), GET_POST, obj="user"),
    # Account changes that need a second administrator: the system administrator files them,
    # the security administrator (or, for a security administrator's account, the audit
    # administrator) decides. The matrix's request is a reset of a security administrator's
    # account filed by a system administrator, so every approver role may decide it.
    "system:request_list": Rule(frozenset({SYS})),
    "system:request_cancel": Rule(frozenset({SYS}), POST, obj="accountrequest"),
    "system:approval_list": Rule(frozenset({SEC, AUD})),
    "system:request_approve": Rule(frozenset({SEC, AUD}), POST, obj="accountrequest"),
    "system:request_reject": Rule(frozenset({SEC, AUD}), POST, obj="accountrequest"),
    "system:user_kill_sessions": Rule(frozenset({SYS}), POST, obj="user"),
    "system:user_unlock": Rule(frozenset({SYS}), POST, obj="user"),
    "system:dict_list": Rule(frozenset({SYS})),
    "system:dicttype_create": Rule(frozenset({SYS}), GET_POST),
    "system:dicttype_edit": Rule(frozenset({SYS}), GET_POST, obj="dicttype", scoped=False),
    "system:dictitem_list": Rule(frozenset({SYS}), obj="dicttype", scoped=False),
    "system:dictitem_create": Rule(frozenset({SYS}), GET_POST, obj="dicttype", scoped=False),
    "system:dictitem_edit": Rule(frozenset({SYS}), GET_POST, obj="dictitem", scoped=False),
    "system:dictitem_set_active": Rule(frozenset({SYS}), POST, obj="dictitem", scoped=False),
    "system:session_list": Rule(frozenset({SEC})),
    "system:session_kill": Rule(frozenset({SEC}), POST, obj="session"),
    "system:session_kill_user": Rule(frozenset({SEC}), POST, obj="user"),
    "system:loginlog_list": Rule(frozenset({SEC, AUD})),
    "system:loginlog_unlock": Rule(frozenset({SEC}), POST, obj="loginlog", scoped=False),
    "system:audit_list": Rule(frozenset({AUD})),
    "system:audit_export": Rule(frozenset({AUD}), POST),
    "system:audit_verify": Rule(frozenset({AUD}), GET_POST),
    "system:job_list": Rule(ALL),
    # Jobs are private to their owner: the "own" position is the caller's finished job, every
    # other position someone else's (404).
    "system:job_download": Rule(ALL, obj="job"),
}


def _merge_area_policies() -> None:
    import importlib
    import pkgutil

    from tests import policies

    for info in pkgutil.iter_modules(policies.__path__):
        area = importlib.import_module(f"tests.policies.{info.name}")
        duplicated = set(area.POLICY) & set(POLICY)
        assert not duplicated, f"declared twice: {duplicated}"
        POLICY.update(area.POLICY)
        for kind, provider in getattr(area, "PROVIDERS", {}).items():
            assert kind not in PROVIDERS, f"object provider declared twice: {kind}"
            PROVIDERS[kind] = provider


# Object providers an area adds for its own object kinds: ``PROVIDERS = {"kind": fn}`` in its
# policy module, where ``fn(unit, user)`` returns the primary key of such an object inside
# ``unit`` (the matrix places ``unit`` inside or outside the caller's scope).
PROVIDERS: dict = {}

_merge_area_policies()
