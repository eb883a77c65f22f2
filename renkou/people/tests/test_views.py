"""Register pages: scoping (AZ2), masking (CR3), ID search by POST (CR5), read audit, ID-first
entry, optimistic locking (RL1), moves, exit and restore, phone cards, query budget."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from renkou.common import crypto, idnumber
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.people.models import Household, Person
from renkou.people.tests.page_helpers import make_household, make_person, new_id

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture
def village_admin(personas, signed_in_client):
    return signed_in_client(personas["village_admin"])


def entry(household: Household, **overrides: str) -> dict[str, str]:
    """What a clerk types into the entry form: the ID number and the few fields it cannot give."""
    data = {
        "id_number": new_id(),
        "id_type": "01",
        "name": "李梅",
        "sex": "",
        "birth_date": "",
        "ethnicity": "01",
        "marital_status": "10",
        "education": "",
        "hukou_type": "",
        "household_code": household.code,
        "relationship": "02",
        "registered_code": household.unit_code,
        "residence_code": household.unit_code,
        "residence_status": "1",
        "phone": "",
        "id_override_reason": "",
    }
    data.update(overrides)
    return data


# --- pages and scope ------------------------------------------------------------------------


def test_every_page_answers_in_scope(village_admin):
    person = make_person()
    pk, household = person.pk, person.household_id
    for name, kwargs in [
        ("people:person_list", {}),
        ("people:household_list", {}),
        ("people:person_create", {}),
        ("people:household_create", {}),
        ("people:person_detail", {"pk": pk}),
        ("people:person_edit", {"pk": pk}),
        ("people:person_move", {"pk": pk}),
        ("people:person_exit", {"pk": pk}),
        ("people:household_detail", {"pk": household}),
    ]:
        assert village_admin.get(reverse(name, kwargs=kwargs)).status_code == 200, name


def test_a_person_outside_the_subtree_is_404(village_admin):
    other = make_person(VILLAGE_A2)
    for name in ("person_detail", "person_edit", "person_move", "person_exit"):
        response = village_admin.get(reverse(f"people:{name}", kwargs={"pk": other.pk}))
        assert response.status_code == 404, name
        assert other.name not in response.content.decode()
    for name in ("person_unmask", "person_restore"):
        url = reverse(f"people:{name}", kwargs={"pk": other.pk})
        assert village_admin.post(url, {"field": "id_number"}).status_code == 404
    url = reverse("people:household_detail", kwargs={"pk": other.household_id})
    assert village_admin.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="authz.denied", object_id=str(other.pk)).exists()


def test_leaders_and_administrators_reach_no_person_page(personas, signed_in_client):
    person = make_person()
    for role in ("leader", "sys_admin"):
        client = signed_in_client(personas[role])
        assert client.get(reverse("people:person_list")).status_code == 403
        assert client.get(reverse("people:person_detail", args=[person.pk])).status_code == 403
        assert client.get(reverse("people:household_list")).status_code == 403


def test_township_officer_sees_its_villages_only(personas, signed_in_client):
    mine, theirs = make_person(VILLAGE_A2, name="赵一"), make_person(VILLAGE_B1, name="钱二")
    client = signed_in_client(personas["township_officer"])
    body = client.get(reverse("people:person_list")).content.decode()
    assert mine.name in body and theirs.name not in body
    body = client.get(reverse("people:household_list")).content.decode()
    assert mine.household.code in body and theirs.household.code not in body


# --- masking and unmasking ----------------------------------------------------------------


def test_full_numbers_never_appear_in_a_get_response(village_admin):
    person = make_person(phone="13912345678")
    number = person.id_number
    pages = [
        reverse("people:person_list"),
        reverse("people:household_list"),
        reverse("people:person_detail", args=[person.pk]),
        reverse("people:person_edit", args=[person.pk]),
        reverse("people:person_move", args=[person.pk]),
        reverse("people:person_exit", args=[person.pk]),
        reverse("people:household_detail", args=[person.household_id]),
    ]
    for url in pages:
        body = village_admin.get(url).content.decode()
        assert number not in body and "13912345678" not in body, url
    listing = village_admin.get(reverse("people:person_list")).content.decode()
    assert crypto.mask(number) in listing
    page = village_admin.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert crypto.mask(number) in page and "139********" in page


def test_beside_the_masked_number_the_person_page_gives_the_age_not_the_birth_date(
    village_admin,
):
    """Issue 19 item 1: the exact birth date beside the masked number (and the area code of the
    unit) left 500 candidates at most; the page gives the age, also in the change history, and
    the birth date comes with the audited 显示 like the number."""
    from renkou.people import services

    person = make_person()
    earlier = person.birth_date
    person = services.person_update(  # a corrected birth date: the history has old and new
        actor=Actor(None),
        person=person,
        values={"birth_date": date(1990, 4, 20)},
        version=person.version,
    )
    url = reverse("people:person_detail", args=[person.pk])
    page = village_admin.get(url).content.decode()
    for born in (earlier, person.birth_date):
        for shown in (f"{born:%Y-%m-%d}", f"{born.year}年{born.month}月{born.day}日"):
            assert shown not in page
    assert "（已修改，日期不显示）" in page
    assert "显示出生日期" in page
    unmasked = village_admin.post(
        reverse("people:person_unmask", args=[person.pk]), {"field": "birth_date"}
    ).content.decode()
    assert f"{born:%Y-%m-%d}" in unmasked
    entry_ = AuditEntry.objects.get(action="person.unmask", summary="field=birth_date")
    assert entry_.object_id == str(person.pk)


def test_without_a_number_the_birth_date_is_shown(village_admin):
    person = make_person(id_type="暂无证件", id_number="", birth_date="1990-03-04", sex="女")
    page = village_admin.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert f"{person.birth_date:%Y-%m-%d}" in page and "显示出生日期" not in page


def test_unmask_is_a_post_that_returns_the_number_and_is_audited(village_admin):
    person = make_person(phone="13912345678")
    url = reverse("people:person_unmask", args=[person.pk])
    assert village_admin.get(url).status_code == 405
    response = village_admin.post(url, {"field": "id_number"})
    assert response.status_code == 200 and person.id_number in response.content.decode()
    assert "13912345678" in village_admin.post(url, {"field": "phone"}).content.decode()
    rows = AuditEntry.objects.filter(action="person.unmask", object_id=str(person.pk))
    assert rows.count() == 2 and person.id_number not in "".join(r.summary for r in rows)
    bad = village_admin.post(url, {"field": "name"})
    assert bad.status_code == 200 and rows.count() == 2


def test_roles_without_unmask_cannot_show_numbers(personas, signed_in_client):
    person = make_person()
    client = signed_in_client(personas["technician"])
    page = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert (
        "person_unmask" not in page
        and reverse("people:person_unmask", args=[person.pk]) not in page
    )
    url = reverse("people:person_unmask", args=[person.pk])
    assert client.post(url, {"field": "id_number"}).status_code == 403


def test_the_person_page_is_an_audited_read(village_admin):
    person = make_person()
    village_admin.get(reverse("people:person_detail", args=[person.pk]))
    entry_ = AuditEntry.objects.get(action="person.view")
    assert entry_.object_id == str(person.pk) and entry_.object_type == "people.person"
    assert entry_.summary == "" and person.name not in entry_.reason


# --- search ---------------------------------------------------------------------------------


def _search(client, text):
    return client.post(
        reverse("people:person_search_id"), {"id_number": text}, HTTP_HX_REQUEST="true"
    )


def test_id_search_is_a_post_through_the_blind_index(village_admin):
    number = new_id(ending="X")
    person = make_person(id_number=number)
    make_person(name="李四")
    for typed in (number.lower(), number.translate(FULL_WIDTH), f" {number[:6]} {number[6:]} "):
        body = _search(village_admin, typed).content.decode()
        assert person.name in body and "李四" not in body and "找到 1 人" in body, typed
    assert number not in body  # the result list is masked like any list
    assert AuditEntry.objects.filter(action="person.search", row_count=1).count() == 3
    assert village_admin.get(reverse("people:person_search_id")).status_code == 405


def test_a_fifteen_digit_number_finds_the_upgraded_person(village_admin):
    old = "623022900501002"  # 15 digits: 1990-05-01, sequence 002 (a woman)
    person = make_person(id_number=idnumber.upgrade15(old))
    assert person.name in _search(village_admin, old).content.decode()


def test_id_search_outside_the_subtree_finds_nothing(village_admin):
    other = make_person(VILLAGE_A2, name="孙三")
    body = _search(village_admin, other.id_number).content.decode()
    assert "孙三" not in body and "找到 0 人" in body


def test_paging_and_tree_links_carry_one_question_mark(personas, signed_in_client):
    """Issue 11 items 1, 2: {% querystring %} writes the "?" itself (``??page=2`` was read as
    a parameter named "?page", so 下一页 and the unit tree changed nothing)."""
    for _ in range(11):
        make_person()
    client = signed_in_client(personas["county_officer"])
    body = client.get(reverse("people:person_list"), {"name": "王"}).content.decode()
    assert "??" not in body
    assert 'href="?name=%E7%8E%8B&amp;page=2"' in body
    assert 'href="?name=%E7%8E%8B&amp;unit=620001100"' in body
    second = client.get(reverse("people:person_list"), {"name": "王", "page": "2"})
    assert second.context["page"].number == 2


def test_numbers_typed_into_the_name_box_are_ignored(village_admin):
    make_person()
    response = village_admin.get(reverse("people:person_list"), {"name": "123456"})
    body = response.content.decode()
    assert "按身份证号查询" in body and "已忽略该条件" in body and "王秀英" in body
    assert 'pattern="' in body  # the browser refuses digits before anything is sent


@pytest.mark.parametrize(
    "query",
    ["wxy", "WXY", "wangxiuying", "秀英", "王 秀英", "王　秀英", "wang xiu ying", " w x y "],
)
def test_pinyin_and_name_search(village_admin, query):
    make_person(name="王秀英")
    make_person(name="李四")
    body = village_admin.get(reverse("people:person_list"), {"name": query}).content.decode()
    assert "王秀英" in body and "李四" not in body


def test_households_are_found_by_a_members_name_typed_with_spaces(village_admin):
    make_person(name="丁秀英")
    make_person(name="李四")
    response = village_admin.get(reverse("people:household_list"), {"name": "丁 秀英"})
    assert response.context["page"].paginator.count == 1


def test_a_surname_with_two_readings_is_found_by_both(village_admin):
    make_person(name="曾国强", sex="", id_number=new_id(sex="1"))
    for initials in ("zgq", "cgq"):
        body = village_admin.get(reverse("people:person_list"), {"name": initials}).content.decode()
        assert "曾国强" in body, initials


def test_list_filters(village_admin):
    make_person(name="王秀英")  # married woman, 36: open card
    make_person(
        name="张三", id_number=new_id(sex="1", birth=date(2015, 1, 1)), marital_status="未婚"
    )
    url = reverse("people:person_list")

    def names(**params):
        body = village_admin.get(url, params).content.decode()
        return {n for n in ("王秀英", "张三") if n in body}

    assert names(sex="1") == {"张三"}
    assert names(age_band="0-14") == {"张三"}
    assert names(wcba="1") == {"王秀英"}
    assert names(marital_status="21") == {"王秀英"}
    assert names(unit=VILLAGE_A1) == {"王秀英", "张三"}
    assert names(unit=VILLAGE_A2) == set()


# --- entry ----------------------------------------------------------------------------------


def test_registering_from_the_id_number_alone_fills_birth_date_and_sex(village_admin):
    household = make_household()
    data = entry(household, id_number=new_id(birth=date(1985, 2, 3), sex="1"), name="李明")
    response = village_admin.post(reverse("people:person_create"), data)
    person = Person.objects.get(name="李明")
    assert response.status_code == 302 and response["Location"].endswith(f"/{person.pk}/")
    assert (person.birth_date, person.sex, person.household) == (date(1985, 2, 3), "1", household)
    assert person.is_head and AuditEntry.objects.filter(action="person.create").exists()


def test_save_and_add_another_returns_to_the_household(village_admin):
    household = make_household()
    response = village_admin.post(
        reverse("people:person_create"), {**entry(household), "then": "add"}
    )
    assert response["Location"] == f"{reverse('people:person_create')}?household={household.pk}"
    page = village_admin.get(response["Location"]).content.decode()
    assert household.code in page


def test_a_known_id_number_offers_the_existing_person(village_admin):
    person = make_person()
    data = entry(make_household(), id_number=person.id_number.lower(), name="王秀英")
    response = village_admin.post(reverse("people:person_create"), data)
    body = response.content.decode()
    assert response.status_code == 200 and "该人员已存在，是否查看？" in body
    assert reverse("people:person_detail", args=[person.pk]) in body
    assert Person.objects.count() == 1


def test_a_bad_check_character_needs_a_reason(village_admin):
    good = new_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    household = make_household()
    response = village_admin.post(reverse("people:person_create"), entry(household, id_number=bad))
    body = response.content.decode()
    assert response.status_code == 200 and "校验位错误" in body
    assert 'id="override-row"' in body and 'class="col-md-6 d-none" id="override-row"' not in body
    assert not Person.objects.exists()
    data = entry(household, id_number=bad, id_override_reason="户口簿原号如此")
    assert village_admin.post(reverse("people:person_create"), data).status_code == 302
    person = Person.objects.get()
    assert person.id_number == bad and person.id_override_reason == "户口簿原号如此"


def test_entry_refuses_a_household_or_residence_outside_the_subtree(village_admin):
    foreign = make_household(VILLAGE_A2)
    response = village_admin.post(reverse("people:person_create"), entry(foreign))
    assert "不在本单位范围内" in response.content.decode() and not Person.objects.exists()
    mine = make_household()
    data = entry(mine, residence_code=VILLAGE_A2)
    assert (
        "现居住地须为本单位范围内"
        in village_admin.post(reverse("people:person_create"), data).content.decode()
    )
    assert not Person.objects.exists()


def test_check_id_fragment_derives_and_finds(village_admin):
    url = reverse("people:person_check_id")
    number = new_id(birth=date(1979, 12, 31), sex="1")
    body = village_admin.post(url, {"id_number": number.lower()}).content.decode()
    assert 'data-birth="1979-12-31"' in body and 'data-sex="1"' in body
    assert "该人员已存在" not in body
    person = make_person(id_number=number)
    body = village_admin.post(url, {"id_number": number}).content.decode()
    assert (
        "该人员已存在，是否查看？" in body
        and reverse("people:person_detail", args=[person.pk]) in body
    )
    assert (
        "该人员已存在"
        not in village_admin.post(url, {"id_number": number, "person": person.pk}).content.decode()
    )
    assert village_admin.post(url, {"id_number": number[:10]}).content.strip() == b""
    assert village_admin.get(url).status_code == 405


def test_editing_keeps_hidden_numbers_and_refuses_stale_versions(village_admin):
    person = make_person(phone="13912345678")
    url = reverse("people:person_edit", args=[person.pk])
    data = entry(
        person.household,
        id_number="",
        name="王秀芳",
        sex="2",
        birth_date="1990-05-01",
        marital_status="21",
        relationship="02",
        phone="",
        version=str(person.version),
    )
    assert village_admin.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.name == "王秀芳" and person.phone == "13912345678" and person.id_number
    stale = village_admin.post(url, {**data, "name": "王秀兰"})  # the version read before
    assert (
        stale.status_code == 409
        and "该人员信息已被他人修改，请刷新后重试" in stale.content.decode()
    )
    person.refresh_from_db()
    assert person.name == "王秀芳"


def test_history_shows_who_when_and_old_to_new_without_numbers(village_admin, personas):
    person = make_person()
    old_number = person.id_number
    url = reverse("people:person_edit", args=[person.pk])
    new_number = new_id(birth=date(1990, 5, 1), sex="2")
    data = entry(
        person.household,
        id_number=new_number,
        name="王秀芳",
        sex="2",
        birth_date="1990-05-01",
        marital_status="21",
        relationship="02",
        version=str(person.version),
    )
    assert village_admin.post(url, data).status_code == 302
    page = village_admin.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert "王秀英 → 王秀芳" in page and "公民身份号码：（已修改，号码不显示）" in page
    assert personas["village_admin"].username in page
    assert old_number not in page and new_number not in page and "v1:" not in page
    assert "version" not in page.split("修改记录")[-1]  # the edit counter is not a change


# --- households, moves, exit, restore ---------------------------------------------------------


def test_household_create_is_locked_to_the_village(village_admin):
    page = village_admin.get(reverse("people:household_create")).content.decode()
    assert "甲一村" in page and "甲二村" not in page and 'name="township"' not in page
    response = village_admin.post(
        reverse("people:household_create"), {"village_code": VILLAGE_A2, "group_no": "1"}
    )
    assert response.status_code == 200 and not Household.objects.exists()
    response = village_admin.post(
        reverse("people:household_create"),
        {"village_code": VILLAGE_A1, "group_no": "3", "address": "一组"},
    )
    household = Household.objects.get()
    assert household.code == f"{VILLAGE_A1}030001"
    assert response["Location"] == f"{reverse('people:person_create')}?household={household.pk}"


def test_county_picker_chains_township_to_villages(personas, signed_in_client):
    county = signed_in_client(personas["county_officer"])
    page = county.get(reverse("people:household_create")).content.decode()
    assert 'name="township"' in page and "甲镇" in page and "乙乡" in page
    options = county.get(reverse("people:unit_options"), {"township": "620001100"})
    assert "甲一村" in options.content.decode() and "乙一村" not in options.content.decode()
    village = signed_in_client(personas["village_admin"])
    options = village.get(reverse("people:unit_options"), {"township": "620001100"})
    assert "甲二村" not in options.content.decode()


def test_township_officer_picks_among_its_villages(personas, signed_in_client):
    client = signed_in_client(personas["township_officer"])
    page = client.get(reverse("people:household_create")).content.decode()
    assert "甲一村" in page and "甲二村" in page and "乙一村" not in page
    assert 'name="township"' not in page


def test_move_to_another_household(personas, signed_in_client):
    client = signed_in_client(personas["township_officer"])
    person = make_person()
    target = make_household(VILLAGE_A2)
    make_person(VILLAGE_A2, household=target, name="赵大")
    url = reverse("people:person_move", args=[person.pk])
    assert (
        "户编号不存在"
        in client.post(url, {"household_code": "1" * 18, "relationship": "10"}).content.decode()
    )
    move = {"household_code": target.code, "relationship": "10", "version": person.version}
    response = client.post(url, move)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.household == target and person.relationship == "10"
    # The same page sent again (its version is now stale): 409, the move stays as it was.
    back = make_household(VILLAGE_A1)
    stale = client.post(url, {**move, "household_code": back.code})
    assert stale.status_code == 409 and "该人员信息已被他人修改" in stale.content.decode()
    person.refresh_from_db()
    assert person.household == target
    assert AuditEntry.objects.filter(action="person.move", object_id=str(person.pk)).exists()
    page = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert "迁户" in page


def test_move_into_a_household_outside_the_subtree_is_refused(village_admin):
    person = make_person()
    foreign = make_household(VILLAGE_A2)
    url = reverse("people:person_move", args=[person.pk])
    response = village_admin.post(url, {"household_code": foreign.code, "relationship": "10"})
    assert response.status_code == 200 and "不在本单位范围内" in response.content.decode()
    person.refresh_from_db()
    assert person.household != foreign


def test_exit_and_restore(village_admin):
    person = make_person()
    exit_url = reverse("people:person_exit", args=[person.pk])
    assert village_admin.post(exit_url, {"reason": "2", "on": "2099-01-01"}).status_code == 200
    leave = {"reason": "2", "on": "2026年1月5日", "version": person.version}
    stale = village_admin.post(exit_url, {**leave, "version": person.version - 1})
    assert stale.status_code == 409 and "本次操作未执行" in stale.content.decode()
    person.refresh_from_db()
    assert person.exited_at is None
    response = village_admin.post(exit_url, leave)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.exited_at == date(2026, 1, 5) and person.exit_reason == "2"
    assert "已退出" in village_admin.get(response["Location"]).content.decode()
    listing = village_admin.get(reverse("people:person_list")).content.decode()
    assert "王秀英" not in listing
    exited = village_admin.get(reverse("people:person_list"), {"exited": "1"}).content.decode()
    assert "王秀英" in exited
    page = village_admin.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert "退出（迁出" in page and reverse("people:person_restore", args=[person.pk]) in page
    assert village_admin.get(reverse("people:person_edit", args=[person.pk])).status_code == 302
    restore = reverse("people:person_restore", args=[person.pk])
    assert village_admin.post(restore).status_code == 409  # a page without the version
    person.refresh_from_db()
    assert person.exited_at is not None
    assert village_admin.post(restore, {"version": person.version}).status_code == 302
    person.refresh_from_db()
    assert person.exited_at is None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"person.exit", "person.restore"} <= actions


# --- phones and query budget ------------------------------------------------------------------


def test_the_list_carries_phone_cards(village_admin):
    person = make_person()
    body = village_admin.get(reverse("people:person_list")).content.decode()
    assert 'class="person-card"' in body and "d-none d-sm-block" in body
    assert body.count(crypto.mask(person.id_number)) == 2  # table row and phone card


def test_the_list_has_no_n_plus_one(village_admin, django_assert_max_num_queries):
    url = reverse("people:person_list")
    make_person()
    village_admin.get(url, {"size": "50"})  # warm the dictionary cache

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        village_admin.get(url, {"size": "50"})
    household = make_household()
    for i in range(29):
        make_person(
            household=household,
            name=f"成员{'甲乙丙丁戊己庚辛壬癸'[i % 10]}",
            relationship="子",
            id_number=new_id(birth=date(2000, 1, 1 + i)),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = village_admin.get(url, {"size": "50"})
    assert response.content.decode().count("person-card") >= 30
