"""Annual re-confirmation (年审) from a hand-built register: a death in H1, a move out in H2, a
child born to a 奖扶 couple, a new 60-year-old and a new baby without applications, a
continuing beneficiary; the change list is reviewable and only applying it stops anything."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renkou.benefits import reconfirm
from renkou.benefits.constants import BeneficiaryStatus, ChangeKind, ExitReason
from renkou.benefits.models import Beneficiary
from renkou.benefits.tests.conftest import actor, child, couple, person
from renkou.common.models import AuditEntry

AS_OF = date(2026, 9, 1)


def _jiangfu(programs, who, starts=date(2020, 1, 1)):
    return Beneficiary.objects.create(
        program=programs["jiangfu"], person=who, unit_code=who.unit_code, starts_on=starts
    )


@pytest.fixture
def register(programs, units):
    dead_h, dead_w = couple(husband_born=date(1950, 1, 1), wife_born=date(1952, 1, 1))
    child(dead_w, 1, "1", date(1978, 1, 1))
    dead_h.exited_at, dead_h.exit_reason = date(2026, 3, 10), "3"
    dead_h.save()
    moved_h, moved_w = couple(husband_born=date(1951, 1, 1), wife_born=date(1953, 1, 1))
    child(moved_w, 1, "1", date(1979, 1, 1))
    moved_h.exited_at, moved_h.exit_reason = date(2026, 8, 1), "2"
    moved_h.save()
    again_h, again_w = couple(husband_born=date(1955, 1, 1), wife_born=date(1960, 1, 1))
    child(again_w, 1, "1", date(1985, 1, 1))
    child(again_w, 2, "1", date(2025, 5, 1))  # a second son born after the entitlement began
    stay_h, stay_w = couple(husband_born=date(1956, 1, 1), wife_born=date(1958, 1, 1))
    child(stay_w, 1, "2", date(1984, 1, 1))
    new_h, new_w = couple(husband_born=date(1966, 2, 1), wife_born=date(1968, 1, 1))
    child(new_w, 1, "1", date(1990, 1, 1))
    baby = person("小宝", "1", date(2026, 6, 1))
    rows = {
        "dead": _jiangfu(programs, dead_h),
        "moved": _jiangfu(programs, moved_h),
        "again": _jiangfu(programs, again_h, starts=date(2016, 1, 1)),
        "stay": _jiangfu(programs, stay_h),
    }
    return rows, new_h, baby


def test_change_list_then_apply(register, personas):
    rows, new_sixty, baby = register
    county = actor(personas, "county_officer")
    rc = reconfirm.reconfirmation_build(actor=county, prefix="620001", year=2026, as_of=AS_OF)
    found = {(c.kind, c.person_id): c for c in rc.changes.all()}
    dead = found[(ChangeKind.DEATH, rows["dead"].person_id)]
    assert (dead.effective_on, dead.year_fen) == (date(2026, 3, 10), 48000)  # died in H1: half
    moved = found[(ChangeKind.MOVED, rows["moved"].person_id)]
    assert (moved.effective_on, moved.year_fen) == (date(2026, 8, 1), 96000)  # left in H2: whole
    again = found[(ChangeKind.NEW_CHILD, rows["again"].person_id)]
    assert again.effective_on == date(2025, 5, 1) and again.year_fen == 0
    sixty = found[(ChangeKind.NEW_ELIGIBLE, new_sixty.pk)]
    assert sixty.program.code == "jiangfu" and sixty.year_fen == 48000  # from September: H2
    new_baby = found[(ChangeKind.NEW_ELIGIBLE, baby.pk)]
    assert new_baby.program.code == "childcare" and new_baby.year_fen == 7 * 30000  # Jun–Dec
    # 奖扶 is per person: the three wives over 60 without an application are new too; the
    # continuing husband is not listed, the 58-year-old wife of the new 60-year-old is not.
    wives = {rows[k].person.spouse_id for k in ("dead", "moved", "stay")}
    expected = {
        (ChangeKind.DEATH, rows["dead"].person_id),
        (ChangeKind.MOVED, rows["moved"].person_id),
        (ChangeKind.NEW_CHILD, rows["again"].person_id),
        (ChangeKind.NEW_ELIGIBLE, new_sixty.pk),
        (ChangeKind.NEW_ELIGIBLE, baby.pk),
    } | {(ChangeKind.NEW_ELIGIBLE, w) for w in wives}
    assert set(found) == expected
    assert rc.summary["continuing"] == 1 and rc.summary["continuing_fen"] == 96000
    # Nothing took effect yet.
    assert Beneficiary.objects.filter(status=BeneficiaryStatus.ACTIVE).count() == 4
    with pytest.raises(ValidationError, match="未确认"):
        reconfirm.reconfirmation_apply(actor=county, reconfirmation=rc)
    with pytest.raises(ValidationError):
        reconfirm.change_decide(actor=county, change=moved, accept=False)  # reason needed
    reconfirm.change_decide(actor=county, change=moved, accept=False, reason="已核实仍在本县居住")
    reconfirm.change_accept_all(actor=county, reconfirmation=rc)
    assert reconfirm.reconfirmation_apply(actor=county, reconfirmation=rc) == 2  # dead, again
    statuses = {k: Beneficiary.objects.get(pk=b.pk) for k, b in rows.items()}
    assert (statuses["dead"].exit_reason, statuses["dead"].ends_on) == (
        ExitReason.DEATH,
        date(2026, 3, 10),
    )
    assert statuses["again"].exit_reason == ExitReason.NEW_CHILD
    assert statuses["moved"].status == statuses["stay"].status == BeneficiaryStatus.ACTIVE
    assert AuditEntry.objects.filter(action="benefits.reconfirmation_apply").count() == 1
    with pytest.raises(ValidationError):
        reconfirm.reconfirmation_build(actor=county, prefix="620001", year=2026, as_of=AS_OF)


def test_only_county_officers(register, personas):
    with pytest.raises(PermissionDenied):
        reconfirm.reconfirmation_build(
            actor=actor(personas, "township_officer"), prefix="620001100", year=2026, as_of=AS_OF
        )
