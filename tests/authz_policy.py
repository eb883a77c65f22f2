"""The declared authorization policy, written independently of the code that enforces it.

Every URL name of the project must appear here (a meta-test fails otherwise). For each: which
roles may call it, which HTTP methods it answers, and what kind of object (if any) its URL
names, so the matrix can place that object inside or outside the caller's scope.
"""

from dataclasses import dataclass, field

V, T, C = "village_admin", "township_officer", "county_officer"
TECH, INSP, LEAD = "technician", "inspector", "leader"
SYS, SEC, AUD = "sys_admin", "sec_admin", "audit_admin"
ALL = frozenset({V, T, C, TECH, INSP, LEAD, SYS, SEC, AUD})
WORKERS = frozenset({V, T, C, TECH, INSP})
PUBLIC = "public"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] | str  # allowed roles, or PUBLIC (anyone, signed in or not)
    methods: frozenset[str] = frozenset({"GET"})
    obj: str | None = None  # kind of object named in the URL: unit, user, job, dicttype, …
    scoped: bool = True  # is the object restricted to the caller's unit subtree?
    notes: str = field(default="", compare=False)


POLICY: dict[str, Rule] = {
    # Sign-in pages.
    "accounts:login": Rule(PUBLIC, frozenset({"GET", "POST"})),
    "accounts:logout": Rule(PUBLIC, frozenset({"POST"})),
    "accounts:mfa": Rule(ALL, frozenset({"GET", "POST"})),
    "accounts:password": Rule(ALL, frozenset({"GET", "POST"})),
    "home": Rule(ALL),
    # Units and the service network: everyone who works with the county's data, and the system
    # administrator who maintains units; not the security or audit administrators.
    "geo:unit_list": Rule(WORKERS | {LEAD, SYS}),
    "geo:unit_detail": Rule(WORKERS | {LEAD, SYS}, obj="unit"),
    "geo:servicepoint_list": Rule(WORKERS | {LEAD, SYS}),
    "geo:unit_rename": Rule(frozenset({SYS}), frozenset({"GET", "POST"}), obj="unit"),
    "geo:group_add": Rule(frozenset({SYS}), frozenset({"GET", "POST"}), obj="unit"),
    "geo:servicepoint_add": Rule(frozenset({SYS}), frozenset({"GET", "POST"}), obj="unit"),
    # REST API.
    "unit-list": Rule(WORKERS | {LEAD, SYS}),
    "unit-detail": Rule(WORKERS | {LEAD, SYS}, obj="unit"),
    "servicepoint-list": Rule(WORKERS | {LEAD, SYS}),
    "servicepoint-detail": Rule(WORKERS | {LEAD, SYS}, obj="servicepoint"),
    "schema": Rule(ALL),
    # --- system pages (三员 and the personal centre) ---
    "system:user_list": Rule(frozenset({SYS})),
    "system:dict_list": Rule(frozenset({SYS})),
    "system:session_list": Rule(frozenset({SEC})),
    "system:loginlog_list": Rule(frozenset({SEC, AUD})),
    "system:audit_list": Rule(frozenset({AUD})),
    "system:job_list": Rule(ALL),
}
