"""The service rules of the free pre-pregnancy exam: one free exam per couple and planned
pregnancy, consent and eligibility before the exam, one exam per spouse, the risk assessment's
rules, due dates counted by hand, closing and withdrawing, encryption and audit."""

import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.common import idnumber
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.people.services import person_exit
from renkou.programs import services
from renkou.programs.constants import CloseReason, CoupleStatus, FollowUpKind
from renkou.programs.models import CoupleFile, Exam, ExamItem, FollowUp
from renkou.programs.tests.conftest import (
    add,
    assess,
    confirm,
    examine,
    follow,
    open_file,
    pregnant,
    wed,
)

D = date


@pytest.fixture
def couple_pair(units):
    wife = add("卓玛", "2", D(1996, 4, 2), VILLAGE_A1)
    husband = add("扎西", "1", D(1994, 8, 9), VILLAGE_A1, relationship="10")
    wed(wife, husband)
    return wife, husband


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_one_free_exam_per_couple_and_planned_pregnancy(couple_pair, staff):
    wife, husband = couple_pair
    first = open_file(staff["township_officer"], wife, husband, on=D(2026, 3, 1))
    assert first.status == CoupleStatus.FILED and first.husband_key == f"p{husband.pk}"
    with pytest.raises(ValidationError) as caught:
        open_file(staff["village_admin"], wife, husband, on=D(2026, 3, 2))
    assert "只享受一次免费检查" in messages_of(caught.value)
    assert first.file_no in messages_of(caught.value)
    # Even after the first file is closed, the same planned pregnancy gets no second exam.
    couple_close_after_exam(first, staff)
    with pytest.raises(ValidationError):
        open_file(staff["township_officer"], wife, husband, on=D(2026, 6, 1))
    # The next planned pregnancy (the second child) is a new free exam.
    second = open_file(staff["township_officer"], wife, husband, on=D(2026, 6, 1), sequence=2)
    assert second.sequence == 2
    assert CoupleFile.objects.filter(wife=wife).count() == 2


def couple_close_after_exam(couple, staff):
    from renkou.geo.models import ServicePoint, Unit

    point = ServicePoint.objects.create(
        unit=Unit.objects.get(code="620001000000"), kind="county_centre", name="中心"
    )
    confirm(staff["township_officer"], couple, D(2026, 3, 2))
    examine(staff["technician"], couple, "wife", D(2026, 3, 5), point)
    services.couple_close(
        actor=staff["township_officer"],
        couple=couple,
        on=D(2026, 5, 1),
        reason=CloseReason.MOVED,
        today=D(2026, 5, 1),
    )


def test_a_file_withdrawn_before_the_exam_leaves_the_free_exam_unused(couple_pair, staff):
    wife, husband = couple_pair
    first = open_file(staff["township_officer"], wife, husband, on=D(2026, 3, 1))
    closed = services.couple_close(
        actor=staff["township_officer"],
        couple=first,
        on=D(2026, 3, 3),
        reason=CloseReason.DECLINED,
        today=D(2026, 3, 3),
    )
    assert closed.status == CoupleStatus.WITHDRAWN
    again = open_file(staff["township_officer"], wife, husband, on=D(2026, 4, 1))
    assert again.sequence == first.sequence and again.pk != first.pk


def test_one_open_file_per_woman(couple_pair, staff):
    wife, husband = couple_pair
    open_file(staff["township_officer"], wife, husband, on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        open_file(staff["township_officer"], wife, husband, on=D(2026, 3, 1), sequence=2)
    assert "未结案" in messages_of(caught.value)


def test_the_couple_must_be_a_married_woman_and_a_man(units, staff):
    single = add("拉姆", "2", D(2000, 1, 1), VILLAGE_A1, marital_status="10")
    man = add("多杰", "1", D(1998, 1, 1), VILLAGE_A1)
    with pytest.raises(ValidationError) as caught:
        open_file(staff["township_officer"], single, man, on=D(2026, 3, 1))
    assert "已婚" in messages_of(caught.value)
    wife = add("央金", "2", D(1995, 1, 1), VILLAGE_A1)
    other_woman = add("德吉", "2", D(1995, 1, 1), VILLAGE_A1)
    with pytest.raises(ValidationError):
        open_file(staff["township_officer"], wife, other_woman, on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        open_file(staff["township_officer"], wife, None, on=D(2026, 3, 1))
    assert "丈夫身份证号" in messages_of(caught.value)
    number = idnumber.generate(random.Random(3), area="622921", birth=D(1992, 2, 2), sex="1")
    with pytest.raises(ValidationError) as caught:  # not in the register: the name is needed
        open_file(staff["township_officer"], wife, None, on=D(2026, 3, 1), husband_id_number=number)
    assert "请同时填写丈夫姓名" in messages_of(caught.value)


def test_a_husband_outside_the_register_is_kept_by_name_and_encrypted_id(units, staff):
    wife = add("央金", "2", D(1995, 1, 1), VILLAGE_A1)
    number = idnumber.generate(random.Random(5), area="622921", birth=D(1992, 2, 2), sex="1")
    with pytest.raises(ValidationError):
        open_file(
            staff["township_officer"],
            wife,
            on=D(2026, 3, 1),
            husband_name="马福禄",
            husband_id_number=number[:17] + ("0" if number[17] != "0" else "1"),
        )
    couple = open_file(
        staff["township_officer"],
        wife,
        on=D(2026, 3, 1),
        husband_name="马福禄",
        husband_id_number=number,
    )
    assert couple.husband is None and couple.husband_display == "马福禄"
    assert CoupleFile.objects.get(pk=couple.pk).husband_id_number == number
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT husband_id_number FROM programs_couplefile WHERE id = %s", [couple.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and number not in stored
    # Typed again, the same man is the same couple.
    with pytest.raises(ValidationError):
        open_file(
            staff["village_admin"],
            wife,
            on=D(2026, 3, 2),
            husband_name="马福禄",
            husband_id_number=number,
        )


def test_a_husband_typed_by_id_who_is_in_the_register_is_linked(units, staff):
    number = idnumber.generate(random.Random(7), birth=D(1991, 5, 5), sex="1")
    husband = add("才让", "1", D(1991, 5, 5), VILLAGE_A2, id_number=number)
    wife = add("卓措", "2", D(1993, 3, 3), VILLAGE_A1)
    couple = open_file(
        staff["township_officer"], wife, on=D(2026, 3, 1), husband_name="", husband_id_number=number
    )
    assert couple.husband_id == husband.pk and couple.husband_id_number == ""


def test_a_man_registered_outside_the_users_scope_is_not_found_nor_named(units, staff):
    """Issue 19 item 3: a village administrator types the number of a man registered in
    another township: "not found in your area", without his name; given a name, the file keeps
    the typed name and number, not a link to him."""
    number = idnumber.generate(random.Random(9), birth=D(1990, 6, 6), sex="1")
    add("外乡才让", "1", D(1990, 6, 6), VILLAGE_B1, id_number=number)
    wife = add("卓措", "2", D(1993, 3, 3), VILLAGE_A1)
    with pytest.raises(ValidationError) as caught:
        open_file(staff["village_admin"], wife, on=D(2026, 3, 1), husband_id_number=number)
    text = messages_of(caught.value)
    assert "本辖区未找到该身份证号" in text and "外乡才让" not in text
    couple = open_file(
        staff["village_admin"],
        wife,
        on=D(2026, 3, 1),
        husband_name="才让",
        husband_id_number=number,
    )
    assert couple.husband is None and couple.husband_display == "才让"
    assert couple.husband_id_number == number


@pytest.mark.parametrize(
    ("husband", "says"),
    [
        (("小才让", "1", D(2019, 4, 4)), "未满法定婚龄"),  # the probe's 7-year-old boy
        (("扎西", "1", D(2005, 1, 1)), "未满法定婚龄"),  # 21: men marry at 22
        (("德吉", "2", D(1990, 1, 1)), "不是男性"),
    ],
)
def test_a_husband_typed_by_number_must_be_a_man_of_marriage_age(units, staff, husband, says):
    name, sex, born = husband
    number = idnumber.generate(random.Random(11), birth=born, sex=sex)
    add(name, sex, born, VILLAGE_A1, id_number=number, marital_status="10")
    wife = add("卓措", "2", D(1993, 3, 3), VILLAGE_A1)
    for typed_name in ("", name):
        with pytest.raises(ValidationError) as caught:
            open_file(
                staff["village_admin"],
                wife,
                on=D(2026, 3, 1),
                husband_name=typed_name,
                husband_id_number=number,
            )
        assert says in messages_of(caught.value)
    assert not CoupleFile.objects.exists()


def test_the_wife_must_be_of_marriage_age_and_the_husband_alive(units, staff):
    young = add("拉姆", "2", D(2007, 1, 1), VILLAGE_A1)  # 19 on the day: women marry at 20
    man = add("多杰", "1", D(1998, 1, 1), VILLAGE_A1)
    with pytest.raises(ValidationError) as caught:
        open_file(staff["village_admin"], young, man, on=D(2026, 3, 1))
    assert "未满法定婚龄" in messages_of(caught.value)
    wife = add("央金", "2", D(1995, 1, 1), VILLAGE_A1)
    person_exit(actor=Actor(None), person=man, on=D(2026, 2, 1), reason="2")
    man.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        open_file(staff["village_admin"], wife, man, on=D(2026, 3, 1))
    assert "已退出" in messages_of(caught.value)
    assert not CoupleFile.objects.exists()


def test_the_exam_needs_confirmed_eligibility_and_each_spouse_is_examined_once(
    couple_pair, staff, point
):
    wife, husband = couple_pair
    couple = open_file(staff["village_admin"], wife, husband, on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        examine(staff["technician"], couple, "wife", D(2026, 3, 5), point)
    assert "资格尚未确认" in messages_of(caught.value)
    assert not Exam.objects.exists()
    confirm(staff["township_officer"], couple, D(2026, 3, 2))
    with pytest.raises(ValidationError):  # before the confirmation
        examine(staff["technician"], couple, "wife", D(2026, 3, 1), point)
    examine(staff["technician"], couple, "husband", D(2026, 3, 6), point)
    examine(staff["technician"], couple, "wife", D(2026, 3, 5), point, abnormal={5})
    couple.refresh_from_db()
    # The couple counts as examined on the earlier of the two dates.
    assert couple.examined_on == D(2026, 3, 5) and couple.status == CoupleStatus.EXAMINED
    # Recording the wife again corrects her exam: still one exam, 17 items, item 5 abnormal.
    examine(staff["technician"], couple, "wife", D(2026, 3, 4), point, abnormal={5, 17})
    exam = Exam.objects.get(couple=couple, spouse="wife")
    assert Exam.objects.filter(couple=couple).count() == 2
    assert exam.items.count() == 17
    assert set(exam.items.filter(abnormal=True).values_list("item", flat=True)) == {5, 17}
    couple.refresh_from_db()
    assert couple.examined_on == D(2026, 3, 4)
    # The husband gets the men's subset (9 items): item 4 is not his.
    husband_exam = Exam.objects.get(couple=couple, spouse="husband")
    assert husband_exam.items.count() == 9
    with pytest.raises(ValidationError):
        services.exam_record(
            actor=staff["technician"],
            couple=couple,
            spouse="husband",
            examined_on=D(2026, 3, 6),
            service_point=point,
            examiner="李医生",
            items={4: services.ItemValue(False, "—")},
            today=D(2026, 3, 6),
        )


def test_exam_results_are_encrypted_at_rest(couple_pair, staff, point):
    wife, husband = couple_pair
    couple = open_file(staff["village_admin"], wife, husband, on=D(2026, 3, 1))
    confirm(staff["township_officer"], couple, D(2026, 3, 2))
    items = {10: services.ItemValue(True, "HBsAg 阳性", "建议复查")}
    services.exam_record(
        actor=staff["technician"],
        couple=couple,
        spouse="wife",
        examined_on=D(2026, 3, 5),
        service_point=point,
        examiner="李医生",
        items=items,
        today=D(2026, 3, 5),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT result, notes, abnormal FROM programs_examitem")
        result, notes, abnormal = cursor.fetchone()
    assert result.startswith("v1:") and "HBsAg" not in result and "复查" not in notes
    assert abnormal in (True, 1)  # the flag stays plain for statistics
    assert ExamItem.objects.get().result == "HBsAg 阳性"


def test_risk_assessment_rules(couple_pair, staff, point):
    wife, husband = couple_pair
    couple = open_file(staff["village_admin"], wife, husband, on=D(2026, 3, 1))
    confirm(staff["township_officer"], couple, D(2026, 3, 2))
    exam = examine(staff["technician"], couple, "wife", D(2026, 3, 5), point)
    day = D(2026, 3, 10)
    base = {"assessed_on": day, "counselled_on": day, "counselling": "face"}
    cases = [
        ({"category": "high", "factors": []}, "factors"),
        ({"category": "general", "factors": ["3"]}, "factors"),
        ({"category": "high", "factors": ["3"], "counselling": "phone"}, "counselling"),
        ({"category": "high", "factors": ["99"]}, "factors"),
        (
            {"category": "high", "factors": ["3"], "referred": True, "referral_to": ""},
            "referral_to",
        ),
        ({"category": "general", "factors": [], "assessed_on": D(2026, 3, 4)}, "assessed_on"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.assessment_record(
                actor=staff["technician"], exam=exam, values={**base, **values}, today=day
            )
        assert field in caught.value.message_dict, values
    row = assess(staff["technician"], exam, day, factors=["8", "3"])
    assert row.factors == "3,8" and row.category == "high"
    couple.refresh_from_db()
    assert couple.status == CoupleStatus.ASSESSED


def test_due_dates_follow_the_last_menstrual_period(couple_pair, staff, point):
    wife, husband = couple_pair
    couple = open_file(staff["village_admin"], wife, husband, on=D(2025, 12, 1))
    confirm(staff["township_officer"], couple, D(2025, 12, 2))
    exam = examine(staff["technician"], couple, "wife", D(2025, 12, 5), point)
    assess(staff["technician"], exam, D(2025, 12, 8))
    with pytest.raises(ValidationError):  # a last period 43 weeks before the recording
        pregnant(staff["village_admin"], couple, D(2025, 3, 1), D(2026, 1, 1))
    early, outcome = pregnant(staff["village_admin"], couple, D(2026, 1, 10), D(2026, 2, 20))
    # By hand: 12 weeks after 10 January 2026 is 4 April (21 + 28 + 31 + 4 = 84 days); the
    # expected delivery 280 days after it is 17 October, and 6 weeks later 28 November.
    assert early.kind == FollowUpKind.EARLY and early.due_on == D(2026, 4, 4)
    assert outcome.kind == FollowUpKind.OUTCOME and outcome.due_on == D(2026, 11, 28)
    couple.refresh_from_db()
    assert couple.status == CoupleStatus.PREGNANT
    # Before any follow-up is done the dates can be corrected; the rows are re-dated.
    early, outcome = pregnant(staff["village_admin"], couple, D(2026, 1, 17), D(2026, 2, 21))
    assert FollowUp.objects.filter(couple=couple).count() == 2
    assert (early.due_on, outcome.due_on) == (D(2026, 4, 11), D(2026, 12, 5))


def test_follow_ups_record_the_outcome_and_close_the_file(couple_pair, staff, point):
    wife, husband = couple_pair
    couple = open_file(staff["village_admin"], wife, husband, on=D(2025, 12, 1))
    confirm(staff["township_officer"], couple, D(2025, 12, 2))
    examine(staff["technician"], couple, "wife", D(2025, 12, 5), point)
    early, outcome = pregnant(staff["village_admin"], couple, D(2026, 1, 10), D(2026, 2, 20))
    row = follow(staff["village_admin"], early, D(2026, 3, 1))
    assert row.weeks == 7  # 50 days after the last period: 7 whole weeks
    with pytest.raises(ValidationError):  # the pregnancy cannot be re-dated after a follow-up
        pregnant(staff["village_admin"], couple, D(2026, 1, 12), D(2026, 2, 22))
    with pytest.raises(ValidationError) as caught:  # a live birth needs weight and defect
        follow(
            staff["township_officer"],
            outcome,
            D(2026, 9, 10),
            outcome="1",
            outcome_on=D(2026, 9, 1),
        )
    assert "birth_weight" in caught.value.message_dict
    with pytest.raises(ValidationError):
        follow(
            staff["township_officer"],
            outcome,
            D(2026, 9, 10),
            outcome="3",
            outcome_on=D(2026, 9, 1),
            birth_weight=3000,
        )
    done = follow(
        staff["township_officer"],
        outcome,
        D(2026, 9, 10),
        outcome="1",
        outcome_on=D(2026, 9, 1),
        birth_weight=2450,
        birth_defect=False,
    )
    # 1 September is 234 days after 10 January: before 37 weeks (259 days), preterm.
    assert done.preterm is True and done.birth_weight == 2450
    couple.refresh_from_db()
    assert couple.status == CoupleStatus.CLOSED
    assert couple.close_reason == CloseReason.COMPLETED and couple.closed_on == D(2026, 9, 10)
    with pytest.raises(ValidationError):  # a closed file takes no further steps
        services.couple_close(
            actor=staff["township_officer"],
            couple=couple,
            on=D(2026, 9, 11),
            reason=CloseReason.OTHER,
            today=D(2026, 9, 11),
        )


def test_no_step_in_the_future_and_no_pregnancy_before_the_exam(couple_pair, staff, point):
    wife, husband = couple_pair
    couple = open_file(staff["village_admin"], wife, husband, on=D(2026, 3, 1))
    with pytest.raises(ValidationError):
        services.couple_confirm(
            actor=staff["township_officer"],
            couple=couple,
            on=D(2026, 3, 9),
            notice_no="TZ",
            today=D(2026, 3, 8),
        )
    with pytest.raises(ValidationError):
        services.couple_confirm(
            actor=staff["township_officer"],
            couple=couple,
            on=D(2026, 3, 2),
            notice_no=" ",
            today=D(2026, 3, 8),
        )
    confirm(staff["township_officer"], couple, D(2026, 3, 2))
    with pytest.raises(ValidationError) as caught:
        pregnant(staff["village_admin"], couple, D(2026, 3, 1), D(2026, 4, 1))
    assert "尚未检查" in messages_of(caught.value)


def test_every_step_writes_one_audit_row_without_names_or_results(couple_pair, staff, point):
    wife, husband = couple_pair
    before = AuditEntry.objects.count()
    couple = open_file(staff["village_admin"], wife, husband, on=D(2025, 12, 1))
    confirm(staff["township_officer"], couple, D(2025, 12, 2))
    exam = examine(staff["technician"], couple, "wife", D(2025, 12, 5), point, abnormal={10})
    assess(staff["technician"], exam, D(2025, 12, 8), factors=["3"])
    early, _outcome = pregnant(staff["village_admin"], couple, D(2026, 1, 10), D(2026, 2, 20))
    follow(staff["village_admin"], early, D(2026, 3, 1))
    rows = list(AuditEntry.objects.order_by("seq")[before:])
    actions = [r.action for r in rows]
    assert actions == [
        "programs.couple_open",
        "programs.couple_confirm",
        "programs.exam_record",
        "programs.assessment_record",
        "programs.pregnancy_record",
        "programs.followup_record",
    ]
    text = " ".join(f"{r.summary} {r.reason}" for r in rows)
    assert wife.name not in text and husband.name not in text and "未见异常" not in text
    assert rows[2].object_id == str(exam.pk) and rows[2].username == "p_technician"
