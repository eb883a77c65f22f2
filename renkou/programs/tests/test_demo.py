"""The demo pre-pregnancy records: deterministic per seed and day, consistent with the services'
rules, some townships behind the 80 % coverage target, figures equal to their lists."""

import pytest
from django.db.models import Count

from conftest import COUNTY
from renkou.people import demo as people_demo
from renkou.programs import demo, figures, selectors, services
from renkou.programs.models import CoupleFile, Exam, ExamItem, FollowUp, RiskAssessment
from renkou.programs.tests.conftest import TODAY

YEARS = (2026, 2027)  # the last complete FP year and the current one on 2026-11-29


class Quiet:
    def update(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


@pytest.fixture
def population(units):
    people_demo.demo_seed(persons=1200, seed=11, today=TODAY, county=COUNTY[:6], progress=Quiet())


def fingerprint() -> list[tuple]:
    couples = CoupleFile.objects.order_by("file_no").values_list(
        "file_no",
        "wife_id",
        "husband_id",
        "husband_name",
        "sequence",
        "opened_on",
        "eligible_on",
        "examined_on",
        "lmp_on",
        "status",
        "close_reason",
    )
    items = ExamItem.objects.order_by("exam__couple__file_no", "exam__spouse", "item")
    return [
        *couples,
        *items.values_list("exam__couple__file_no", "exam__spouse", "item", "abnormal"),
        *FollowUp.objects.order_by("couple__file_no", "kind").values_list(
            "couple__file_no", "kind", "due_on", "done_on", "outcome"
        ),
    ]


def wipe() -> None:
    FollowUp.objects.all().delete()
    RiskAssessment.objects.all().delete()
    ExamItem.objects.all().delete()
    Exam.objects.all().delete()
    CoupleFile.objects.all().delete()


def test_the_demo_is_deterministic_follows_the_rules_and_has_townships_behind(population, personas):
    report = demo.seed_prepregnancy(county=COUNTY[:6], today=TODAY, seed=5)
    assert report.couples == CoupleFile.objects.count() > 50
    first = fingerprint()
    wipe()
    demo.seed_prepregnancy(county=COUNTY[:6], today=TODAY, seed=5)
    assert fingerprint() == first
    for couple in CoupleFile.objects.prefetch_related("exams", "followups"):
        assert couple.status == services.status_of(couple) or couple.status == "closed"
        assert couple.consent_on <= couple.eligible_on <= couple.examined_on <= TODAY
        assert min(e.examined_on for e in couple.exams.all()) == couple.examined_on
        for row in couple.followups.all():
            due = services.early_due if row.kind == "early" else services.outcome_due
            assert row.due_on == due(couple.lmp_on)
            assert row.done_on is None or couple.lmp_on <= row.done_on <= TODAY
    # One file per woman: nobody was served twice.
    assert not CoupleFile.objects.values("wife").annotate(n=Count("pk")).filter(n__gt=1).exists()
    # Some townships are behind, and the figures equal their lists.
    rows = figures.table(COUNTY[:6], YEARS[0], TODAY, 9)
    coverage = {key: row["coverage"].value for key, row in rows.items()}
    # Test county: township A (1st) reaches 82–96 %, township B (2nd) stays at 60–75 %.
    assert coverage["620001100"] >= 80 > coverage["620001101"] >= 55
    user = personas["county_officer"]
    for year in YEARS:
        for code, figure in figures.evaluate(COUNTY[:6], year, TODAY).items():
            numerator = selectors.names(user, code, "n", COUNTY[:6], year, TODAY).count()
            denominator = selectors.names(user, code, "d", COUNTY[:6], year, TODAY).count()
            assert (numerator, denominator) == (figure.numerator, figure.denominator), code
    high = figures.evaluate(COUNTY[:6], YEARS[0], TODAY)["high_risk"].value
    assert 5 < high < 35
    assert selectors.followups_due(user, TODAY).exists()
