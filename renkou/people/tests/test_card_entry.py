"""The card pages: children, contraception episodes and pregnancies of a married woman's card
added, changed and deleted from the web (domain.md §2.5) — history kept, audit rows without
values, encrypted fields encrypted, out of scope 404, a closed card read-only, the card rules
(parity, sterilised + pregnant, 带器妊娠, the mother's age) with Chinese messages."""

import re
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from conftest import VILLAGE_A1, VILLAGE_A2
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.people import card_services, services
from renkou.people.constants import CardStatus
from renkou.people.models import Child, ContraceptionEpisode, Person, Pregnancy, WomanCard
from renkou.people.tests.conftest import TODAY
from renkou.people.tests.page_helpers import make_person, new_id

STYLE_ATTR = re.compile(r"<[^>]+\sstyle=\"", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bnonce=)(?![^>]*\bsrc=)[^>]*>", re.I)
CHILD_BIRTH = date(2015, 3, 1)


@pytest.fixture
def village_admin(personas, signed_in_client):
    return signed_in_client(personas["village_admin"])


@pytest.fixture
def woman() -> Person:
    """A married woman of 36 (born 1990-05-01) in village A1, with an open card."""
    person = make_person(VILLAGE_A1)
    assert person.card.status == CardStatus.OPEN
    return person


def _card(person: Person) -> WomanCard:
    return WomanCard.objects.get(person=person)


def child_data(card: WomanCard, **overrides: str) -> dict[str, str]:
    data = {
        "version": str(card.version),
        "parity": "1",
        "name": "李小明",
        "sex": "1",
        "birth_date": CHILD_BIRTH.isoformat(),
        "id_number": new_id(birth=CHILD_BIRTH, sex="1"),
        "kinship": "1",
        "health": "1",
        "policy_attribute": "1",
        "survival": "alive",
        "death_date": "",
    }
    data.update(overrides)
    return data


def episode_data(card: WomanCard, **overrides: str) -> dict[str, str]:
    data = {
        "version": str(card.version),
        "method": "03",
        "start": "2016-01-10",
        "end": "",
        "no_method_reason": "",
        "institution": "县妇幼保健院",
        "institution_type": "5",
    }
    data.update(overrides)
    return data


def pregnancy_data(card: WomanCard, **overrides: str) -> dict[str, str]:
    data = {
        "version": str(card.version),
        "detected_on": "2025-01-05",
        "weeks": "8",
        "fetuses": "1",
        "outcome": "",
        "outcome_date": "",
        "notes": "早孕反应明显",
    }
    data.update(overrides)
    return data


def _stored(model, pk: int, column: str) -> str:
    """The raw column value, as it sits in the database."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 test
        return cursor.fetchone()[0]


def _errors(response) -> str:
    return " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)


def _audit(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


# --- children --------------------------------------------------------------------------------


def test_a_child_is_added_changed_and_deleted_with_history_and_audit(village_admin, woman):
    card = _card(woman)
    create = reverse("people:card_child_create", args=[woman.pk])
    page = village_admin.get(create)
    assert page.status_code == 200 and "新增子女" in page.content.decode()
    assert page.context["form"]["parity"].value() == 1
    data = child_data(card)
    response = village_admin.post(create, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_detail", args=[woman.pk]) + "#card"
    child = Child.objects.get(card=card)
    assert (child.name, child.birth_date, child.unit_code) == ("李小明", CHILD_BIRTH, VILLAGE_A1)
    assert child.id_number == data["id_number"]
    raw = _stored(Child, child.pk, "id_number")
    assert raw and data["id_number"] not in raw  # encrypted at rest
    assert _card(woman).version == card.version + 1
    created = _audit("card.child.create")
    assert (created.object_type, created.object_id) == ("people.child", str(child.pk))
    assert created.summary == f"card={card.pk}" and created.user_id is not None

    edit = reverse("people:card_child_edit", args=[child.pk])
    page = village_admin.get(edit).content.decode()
    # No part of the number beside the birth date the form shows (docs/masking.md).
    assert data["id_number"] not in page and data["id_number"][-4:] not in page
    assert "不修改请留空（当前 已登记）" in page
    changed = child_data(_card(woman), name="李晓明", id_number="")  # empty: keep the number
    assert village_admin.post(edit, changed).status_code == 302
    child.refresh_from_db()
    assert child.name == "李晓明" and child.id_number == data["id_number"]
    updated = _audit("card.child.update")
    assert updated.summary == f"card={card.pk} changed=name"
    assert "李" not in updated.summary + updated.reason

    delete = reverse("people:card_child_delete", args=[child.pk])
    response = village_admin.post(delete, {"version": _card(woman).version}, follow=True)
    assert "已删除该子女记录" in response.content.decode()
    assert not Child.objects.filter(pk=child.pk).exists()
    kinds = list(
        Child.history.filter(id=child.pk)
        .order_by("history_id")
        .values_list("history_type", "history_user__username")
    )
    assert kinds == [("+", "p_village_admin"), ("~", "p_village_admin"), ("-", "p_village_admin")]
    deleted = _audit("card.child.delete")
    assert deleted.object_id == str(child.pk) and deleted.reason == "录入错误"
    assert _card(woman).version == card.version + 3
    assert _card(woman).history.count() == 4  # opened, then one version bump per write


def test_child_checks_refuse_with_chinese_messages(village_admin, woman):
    card = _card(woman)
    url = reverse("people:card_child_create", args=[woman.pk])
    cases = [
        ({"birth_date": "2999-01-01", "id_number": ""}, "出生日期不能晚于今天"),
        ({"birth_date": "2015年13月1日"}, "请输入有效的日期"),
        ({"name": "", "sex": ""}, "请填写姓名"),
        ({"parity": "0"}, "孩次应为1–20"),
        ({"survival": "dead"}, "子女已死亡时请填写死亡日期"),
        ({"death_date": "2016-01-01"}, "存活的子女不填写死亡日期"),
        ({"survival": "dead", "death_date": "2014-01-01"}, "死亡日期不能早于出生日期"),
        ({"id_number": new_id(birth=date(2016, 3, 1), sex="1")}, "出生日期与公民身份号码不一致"),
        ({"id_number": "12345678901234567"}, "公民身份号码应为18位"),
        ({"id_number": "M12"}, "出生医学证明编号应为字母开头的5–20位字母和数字"),
        ({"id_number": "出生证"}, "公民身份号码只能由数字组成"),
    ]
    for overrides, message in cases:
        response = village_admin.post(url, child_data(card, **overrides))
        assert response.status_code == 200, overrides
        assert message in _errors(response), (overrides, _errors(response))
    assert (
        not Child.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="card.").exists()
    )


def test_parity_is_unique_on_the_card_and_the_mothers_age_warns(village_admin, woman):
    url = reverse("people:card_child_create", args=[woman.pk])
    first = village_admin.post(url, {**child_data(_card(woman)), "then": "add"})
    assert first["Location"] == url  # 保存并继续添加
    again = village_admin.post(url, child_data(_card(woman), name="李小红", sex="2", id_number=""))
    assert again.status_code == 200
    assert "孩次 1 已登记（李小明），同一信息卡上孩次不能重复" in _errors(again)
    # Born when the mother (1990-05-01) was 13: kept, with the warning of domain.md §3.
    early = child_data(_card(woman), parity="2", birth_date="2004-01-01", id_number="")
    page = village_admin.post(url, early, follow=True).content.decode()
    assert "母亲生育时 13 岁，不在15–49岁之间" in page
    assert Child.objects.filter(card__person=woman).count() == 2


# --- contraception episodes ------------------------------------------------------------------


def test_an_episode_is_added_changed_and_deleted(village_admin, woman):
    card = _card(woman)
    url = reverse("people:card_episode_create", args=[woman.pk])
    assert village_admin.get(url).status_code == 200
    none = episode_data(
        card, method="00", no_method_reason="1", institution="", institution_type=""
    )
    response = village_admin.post(url, none)
    assert response.status_code == 302
    episode = ContraceptionEpisode.objects.get(card=card)
    assert (episode.method, episode.no_method_reason) == ("00", "1")
    assert _stored(ContraceptionEpisode, episode.pk, "no_method_reason") not in ("", "1")
    edit = reverse("people:card_episode_edit", args=[episode.pk])
    data = episode_data(_card(woman), start="2020-02-01", end="2021-03-01")
    assert village_admin.post(edit, data).status_code == 302
    episode.refresh_from_db()
    assert (episode.method, episode.end, episode.no_method_reason) == ("03", date(2021, 3, 1), "")
    assert episode.institution == "县妇幼保健院"
    assert "县妇幼" not in _stored(ContraceptionEpisode, episode.pk, "institution")
    summary = _audit("card.episode.update").summary
    assert summary == (
        f"card={card.pk} changed=method,start,end,institution,institution_type,no_method_reason"
    )
    delete = reverse("people:card_episode_delete", args=[episode.pk])
    assert village_admin.post(delete, {"version": _card(woman).version}).status_code == 302
    assert not ContraceptionEpisode.objects.exists()
    assert ContraceptionEpisode.history.filter(id=episode.pk).count() == 3
    assert _audit("card.episode.delete").object_type == "people.contraceptionepisode"


def test_episode_checks(village_admin, woman):
    card = _card(woman)
    url = reverse("people:card_episode_create", args=[woman.pk])
    cases = [
        ({"method": "00"}, "避孕方法为“未避孕”时，请选择未避孕原因"),
        ({"no_method_reason": "3"}, "只有避孕方法为“未避孕”时才填写未避孕原因"),
        ({"start": "2020-01-01", "end": "2019-12-31"}, "结束日期不能早于开始日期"),
        ({"start": "2999-01-01"}, "开始日期不能晚于今天"),
        ({"method": ""}, "请选择避孕方法"),
        ({"method": "77"}, "选择一个有效的选项"),  # not in the dictionary
    ]
    for overrides, message in cases:
        response = village_admin.post(url, episode_data(card, **overrides))
        assert message in _errors(response), (overrides, _errors(response))
    assert not ContraceptionEpisode.objects.exists()


# --- pregnancies -----------------------------------------------------------------------------


def test_a_pregnancy_is_added_changed_and_deleted(village_admin, woman):
    card = _card(woman)
    url = reverse("people:card_pregnancy_create", args=[woman.pk])
    assert village_admin.get(url).status_code == 200
    assert village_admin.post(url, pregnancy_data(card)).status_code == 302
    pregnancy = Pregnancy.objects.get(card=card)
    assert pregnancy.notes == "早孕反应明显"
    assert "早孕" not in _stored(Pregnancy, pregnancy.pk, "notes")
    edit = reverse("people:card_pregnancy_edit", args=[pregnancy.pk])
    page = village_admin.get(edit).content.decode()
    assert "修改记录" in page and "新增" in page
    done = pregnancy_data(_card(woman), outcome="1", outcome_date="2025-09-20")
    assert village_admin.post(edit, done).status_code == 302
    pregnancy.refresh_from_db()
    assert (pregnancy.outcome, pregnancy.outcome_date) == ("1", date(2025, 9, 20))
    assert _audit("card.pregnancy.update").summary == f"card={card.pk} changed=outcome,outcome_date"
    delete = reverse("people:card_pregnancy_delete", args=[pregnancy.pk])
    assert village_admin.post(delete, {"version": _card(woman).version}).status_code == 302
    assert not Pregnancy.objects.exists() and Pregnancy.history.count() == 3


def test_pregnancy_checks(village_admin, woman):
    card = _card(woman)
    url = reverse("people:card_pregnancy_create", args=[woman.pk])
    cases = [
        ({"outcome": "4", "outcome_date": "2024-12-31"}, "结局日期不能早于发现日期"),
        ({"outcome": "4"}, "已选择妊娠结局时，请填写结局日期"),
        ({"outcome_date": "2025-03-01"}, "填写了结局日期时，请选择妊娠结局"),
        ({"detected_on": ""}, "请填写发现日期"),
        ({"weeks": "60"}, "孕周应为1–45"),
        ({"fetuses": "0"}, "胎儿数应为1–9"),
    ]
    for overrides, message in cases:
        response = village_admin.post(url, pregnancy_data(card, **overrides))
        assert message in _errors(response), (overrides, _errors(response))
    assert not Pregnancy.objects.exists()


def test_sterilised_and_pregnant_is_refused_both_ways(village_admin, woman):
    card = _card(woman)
    sterilised = village_admin.post(
        reverse("people:card_episode_create", args=[woman.pk]), episode_data(card, method="02")
    )
    assert sterilised.status_code == 302
    url = reverse("people:card_pregnancy_create", args=[woman.pk])
    response = village_admin.post(url, pregnancy_data(_card(woman)))
    assert response.status_code == 200
    assert "该妇女处于绝育状态（男扎或女扎，未填结束日期），不能同时登记为现孕" in _errors(response)
    assert not Pregnancy.objects.exists()
    # A pregnancy that has ended is not "currently pregnant".
    ended = pregnancy_data(_card(woman), outcome="4", outcome_date="2025-02-01")
    assert village_admin.post(url, ended).status_code == 302
    # The other way round: a current pregnancy, then a sterilisation in force.
    ContraceptionEpisode.objects.all().delete()
    assert village_admin.post(url, pregnancy_data(_card(woman))).status_code == 302
    response = village_admin.post(
        reverse("people:card_episode_create", args=[woman.pk]),
        episode_data(_card(woman), method="01"),
    )
    assert "不能同时登记为现孕" in _errors(response)
    assert not ContraceptionEpisode.objects.exists()


def test_iud_and_pregnant_is_kept_with_a_warning(village_admin, woman):
    card = _card(woman)
    village_admin.post(reverse("people:card_episode_create", args=[woman.pk]), episode_data(card))
    url = reverse("people:card_pregnancy_create", args=[woman.pk])
    page = village_admin.post(url, pregnancy_data(_card(woman)), follow=True).content.decode()
    assert "已保存，但请核实：该妇女放置的宫内节育器尚未取出，现孕为带器妊娠" in page
    assert Pregnancy.objects.filter(card=card).count() == 1


# --- scope, closed card, lock, page ----------------------------------------------------------


def _rows_of(person: Person) -> dict[str, int]:
    card = _card(person)
    return {
        "child": Child.objects.create(
            card=card,
            unit_code=card.unit_code,
            parity=1,
            name="王小",
            sex="1",
            birth_date=CHILD_BIRTH,
        ).pk,
        "episode": ContraceptionEpisode.objects.create(
            card=card, unit_code=card.unit_code, method="03", start=date(2016, 1, 1)
        ).pk,
        "pregnancy": Pregnancy.objects.create(
            card=card, unit_code=card.unit_code, detected_on=date(2025, 1, 1)
        ).pk,
    }


def test_out_of_scope_is_404_for_every_card_page(village_admin, units):
    other = make_person(VILLAGE_A2)
    rows = _rows_of(other)
    version = {"version": _card(other).version}
    for kind, pk in rows.items():
        create = reverse(f"people:card_{kind}_create", args=[other.pk])
        assert village_admin.get(create).status_code == 404, kind
        assert village_admin.post(create, {}).status_code == 404, kind
        edit = village_admin.get(reverse(f"people:card_{kind}_edit", args=[pk]))
        assert edit.status_code == 404 and "王小" not in edit.content.decode()
        delete = reverse(f"people:card_{kind}_delete", args=[pk])
        assert village_admin.post(delete, version).status_code == 404, kind
    assert Child.objects.count() == ContraceptionEpisode.objects.count() == 1
    assert Pregnancy.objects.count() == 1
    denials = AuditEntry.objects.filter(action="authz.denied")
    denied = set(denials.values_list("object_type", flat=True))
    assert {"people.child", "people.contraceptionepisode", "people.pregnancy"} <= denied


def test_a_closed_card_refuses_additions_and_changes(village_admin, woman):
    rows = _rows_of(woman)
    card = _card(woman)
    card.status, card.closed_on, card.close_reason = CardStatus.CLOSED, TODAY, "age"
    card.save()
    detail = village_admin.get(reverse("people:person_detail", args=[woman.pk])).content.decode()
    assert "已注销的信息卡只能查看" in detail and "王小" in detail
    assert reverse("people:card_child_create", args=[woman.pk]) not in detail
    assert reverse("people:card_child_edit", args=[rows["child"]]) not in detail
    for kind, pk in rows.items():
        create = reverse(f"people:card_{kind}_create", args=[woman.pk])
        response = village_admin.post(create, child_data(card), follow=True)
        assert "该育龄妇女信息卡已注销" in response.content.decode(), kind
        for action in ("edit", "delete"):
            url = reverse(f"people:card_{kind}_{action}", args=[pk])
            assert village_admin.post(url, {"version": card.version}).status_code == 302
    assert Child.objects.count() == ContraceptionEpisode.objects.count() == 1
    assert Pregnancy.objects.count() == 1 and Child.history.count() == 1  # its creation only
    with pytest.raises(card_services.ValidationError):
        card_services.card_row_create(
            actor=Actor(None), card=card, model=Child, values={}, version=card.version
        )


def test_a_stale_form_gets_409(village_admin, woman):
    card = _card(woman)
    url = reverse("people:card_child_create", args=[woman.pk])
    stale = child_data(card, version=str(card.version - 1))
    response = village_admin.post(url, stale)
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    assert not Child.objects.exists()


def test_pages_keep_the_csp_rules_and_the_person_page_links_them(village_admin, woman):
    rows = _rows_of(woman)
    detail = village_admin.get(reverse("people:person_detail", args=[woman.pk])).content.decode()
    pages = []
    for kind, pk in rows.items():
        for url in (
            reverse(f"people:card_{kind}_create", args=[woman.pk]),
            reverse(f"people:card_{kind}_edit", args=[pk]),
        ):
            assert url in detail
            pages.append(village_admin.get(url))
        assert reverse(f"people:card_{kind}_delete", args=[pk]) in detail
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200 and "data-enter-tab" in body
        assert not STYLE_ATTR.search(body) and not INLINE_SCRIPT.search(body)
        assert "no-store" in page["Cache-Control"]


def test_a_reader_without_edit_rights_sees_no_buttons(personas, signed_in_client, woman):
    technician = signed_in_client(personas["technician"])
    detail = technician.get(reverse("people:person_detail", args=[woman.pk])).content.decode()
    assert "card/children/new" not in detail
    url = reverse("people:card_child_create", args=[woman.pk])
    assert technician.get(url).status_code == 403


def test_a_person_without_a_card_is_sent_back(village_admin, units):
    man = make_person(VILLAGE_A1, sex="男", id_number=new_id(sex="1"), name="张三")
    response = village_admin.get(reverse("people:card_child_create", args=[man.pk]), follow=True)
    assert "该人员没有育龄妇女信息卡" in response.content.decode()


def test_the_rows_follow_the_card_when_the_woman_moves(personas, signed_in_client, woman):
    rows = _rows_of(woman)
    services.person_update(
        actor=Actor(None),
        person=woman,
        version=woman.version,
        values={"residence_code": VILLAGE_A2},
        today=TODAY,
    )
    assert _card(woman).unit_code == VILLAGE_A2
    assert set(Child.objects.values_list("unit_code", flat=True)) == {VILLAGE_A2}
    assert set(Pregnancy.objects.values_list("unit_code", flat=True)) == {VILLAGE_A2}
    old_village = signed_in_client(personas["village_admin"])
    url = reverse("people:card_child_edit", args=[rows["child"]])
    assert old_village.get(url).status_code == 404
    township = signed_in_client(personas["township_officer"])
    assert township.get(url).status_code == 200
