"""Policy of the benefit pages (renkou/benefits/views.py, rule_views.py, notice_views.py).

Programmes, rule versions and amounts are county policy without personal data: every worker
and leader reads them (``reports.view_aggregate``); only county officers edit them
(``benefits.manage_rule``). Eligibility, the 全覆盖 list, applications, documents and notices
name people (``people.view_person``: the five worker roles). Filing, correcting, withdrawing
and uploading need ``benefits.apply`` (village admins, township officers); reviewing, notices,
objections and closing need ``benefits.review`` (township and county officers). Objects outside
the caller's subtree are 404; the level rules (only the level now reviewing acts) are refusals
with a message on the application page, tested in renkou/benefits/tests/test_workflow.py.
"""

from datetime import date, timedelta
from itertools import count

from tests.authz_policy import FIN, GET_POST, LEAD, POST, WORKERS, C, Rule, T, V

APPLY = frozenset({V, T})
REVIEW = frozenset({T, C})
COUNTY = frozenset({C})
READERS = WORKERS | {LEAD}
PAY = frozenset({FIN})

POLICY: dict[str, Rule] = {
    "benefits:program_list": Rule(READERS),
    "benefits:program_detail": Rule(READERS, obj="benefit_program", scoped=False),
    "benefits:version_create": Rule(COUNTY, GET_POST, obj="benefit_program", scoped=False),
    "benefits:amount_add": Rule(COUNTY, GET_POST, obj="benefit_program", scoped=False),
    "benefits:version_edit": Rule(COUNTY, GET_POST, obj="benefit_version", scoped=False),
    "benefits:version_test": Rule(COUNTY, GET_POST, obj="benefit_version", scoped=False),
    "benefits:version_activate": Rule(COUNTY, POST, obj="benefit_version", scoped=False),
    "benefits:eligibility_search": Rule(WORKERS, GET_POST),
    "benefits:eligibility": Rule(WORKERS, obj="person"),
    "benefits:screening": Rule(WORKERS),
    "benefits:application_list": Rule(WORKERS),
    "benefits:application_create": Rule(APPLY, GET_POST, obj="person"),
    "benefits:application_detail": Rule(WORKERS, obj="benefit_application"),
    "benefits:application_review": Rule(REVIEW, POST, obj="benefit_application"),
    "benefits:application_withdraw": Rule(APPLY, POST, obj="benefit_application"),
    "benefits:application_correct": Rule(APPLY, GET_POST, obj="benefit_application"),
    "benefits:document_upload": Rule(APPLY, POST, obj="benefit_application"),
    "benefits:application_print": Rule(WORKERS, obj="benefit_application"),
    "benefits:document_download": Rule(WORKERS, obj="benefit_document"),
    "benefits:notice_list": Rule(WORKERS),
    "benefits:notice_create": Rule(REVIEW, GET_POST),
    "benefits:notice_detail": Rule(WORKERS, obj="benefit_notice"),
    "benefits:notice_objection": Rule(REVIEW, POST, obj="benefit_notice"),
    "benefits:notice_close": Rule(REVIEW, POST, obj="benefit_notice"),
    "benefits:notice_export": Rule(WORKERS, obj="benefit_notice"),
    # Beneficiaries and their ledger (workers); accounts recorded by the filing side; rolls,
    # the bank file (POST: it marks the roll sent), results and reconciliation by finance only;
    # the annual re-confirmation by county officers; figures for every aggregate reader, their
    # name lists for workers.
    "benefits:beneficiary_list": Rule(WORKERS),
    "benefits:beneficiary_detail": Rule(WORKERS, obj="benefit_beneficiary"),
    "benefits:beneficiary_account": Rule(APPLY, POST, obj="benefit_beneficiary"),
    "benefits:roll_list": Rule(PAY, GET_POST),
    "benefits:roll_detail": Rule(PAY, obj="benefit_roll"),
    "benefits:roll_lock": Rule(PAY, POST, obj="benefit_roll"),
    "benefits:roll_delete": Rule(PAY, POST, obj="benefit_roll"),
    "benefits:roll_bank_file": Rule(PAY, POST, obj="benefit_roll"),
    "benefits:roll_results": Rule(PAY, GET_POST, obj="benefit_roll"),
    "benefits:roll_reconcile": Rule(PAY, obj="benefit_roll"),
    "benefits:roll_close": Rule(PAY, POST, obj="benefit_roll"),
    "benefits:reconciliation": Rule(PAY),
    "benefits:reconfirmation_list": Rule(COUNTY),
    "benefits:reconfirmation_build": Rule(COUNTY, POST),
    "benefits:reconfirmation_detail": Rule(COUNTY, obj="benefit_reconfirmation"),
    "benefits:reconfirmation_accept_all": Rule(COUNTY, POST, obj="benefit_reconfirmation"),
    "benefits:reconfirmation_apply": Rule(COUNTY, POST, obj="benefit_reconfirmation"),
    "benefits:change_decide": Rule(COUNTY, POST, obj="benefit_change"),
    "benefits:figures": Rule(READERS),
    "benefits:figure_names": Rule(WORKERS, obj="benefit_figure", scoped=False),
}

_serial = count(1)


def _program():
    from renkou.benefits.models import Program

    program = Program.objects.filter(code="jiangfu").first()
    if program is None:
        import importlib

        from django.apps import apps

        importlib.import_module("renkou.benefits.migrations.0002_seed_programs").forward(apps, None)
        program = Program.objects.get(code="jiangfu")
    return program


def _application(unit, user=None) -> int:
    """A fresh submitted application of a new person managed by ``unit``."""
    from renkou.benefits.models import Application
    from renkou.people.models import Person

    n = next(_serial)
    person = Person.objects.create(
        name=f"申请人{n}",
        sex="1",
        birth_date=date(1960, 1, 1),
        unit_code=unit.code,
        registered_code=unit.code,
        residence_code=unit.code,
        hukou_type="2",
    )
    app = Application.objects.create(
        program=_program(), person=person, unit_code=unit.code, year=2026, filed_on=date(2026, 3, 1)
    )
    return app.pk


def _document(unit, user) -> int:
    from pathlib import Path

    from django.conf import settings

    from renkou.benefits.models import Application, Document

    app = Application.objects.get(pk=_application(unit))
    relative = f"benefits/documents/matrix-{app.pk}.pdf"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 test")
    row = Document.objects.create(
        application=app,
        unit_code=unit.code,
        kind="hukou",
        stored=relative,
        ext="pdf",
        size=13,
        sha256="0" * 64,
    )
    return row.pk


def _notice(unit, user) -> int:
    from django.utils import timezone

    from renkou.benefits.models import Notice

    start = timezone.localdate()
    row = Notice.objects.create(
        program=_program(),
        unit_code=unit.code,
        level="township",
        title="测试公示",
        starts_on=start,
        ends_on=start + timedelta(days=6),
    )
    return row.pk


def _person(unit, label):
    from renkou.people.models import Person

    return Person.objects.create(
        name=f"{label}{next(_serial)}",
        sex="1",
        birth_date=date(1960, 1, 1),
        unit_code=unit.code,
        registered_code=unit.code,
        residence_code=unit.code,
        hukou_type="2",
    )


def _beneficiary(unit, user=None) -> int:
    from renkou.benefits.models import Beneficiary

    row = Beneficiary.objects.create(
        program=_program(),
        person=_person(unit, "享受人"),
        unit_code=unit.code,
        starts_on=date(2020, 1, 1),
    )
    return row.pk


def _roll(unit, user) -> int:
    from renkou.benefits.models import PaymentRoll

    n = next(_serial)
    row = PaymentRoll.objects.create(
        program=_program(),
        period=str(1900 + n),
        starts_on=date(1900 + n, 1, 1),
        ends_on=date(1900 + n, 12, 31),
        unit_code=unit.code,
    )
    return row.pk


def _reconfirmation(unit, user) -> int:
    from renkou.benefits.models import Reconfirmation

    row = Reconfirmation.objects.create(
        unit_code=unit.code, year=1900 + next(_serial), as_of=date(2026, 1, 1)
    )
    return row.pk


def _change(unit, user) -> int:
    from renkou.benefits.models import Change, Reconfirmation

    rc = Reconfirmation.objects.get(pk=_reconfirmation(unit, user))
    row = Change.objects.create(
        reconfirmation=rc,
        kind="death",
        program=_program(),
        person=_person(unit, "变动人"),
        unit_code=unit.code,
    )
    return row.pk


PROVIDERS = {
    "benefit_program": lambda unit, user: _program().code,
    "benefit_version": lambda unit, user: _program().versions.order_by("number").first().pk,
    "benefit_application": _application,
    "benefit_document": _document,
    "benefit_notice": _notice,
    "benefit_beneficiary": _beneficiary,
    "benefit_roll": _roll,
    "benefit_reconfirmation": _reconfirmation,
    "benefit_change": _change,
    "benefit_figure": lambda unit, user: "coverage",
}
