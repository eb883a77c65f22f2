"""Dictionary aliases (简称、旧称、常见写法; issue 13 item 6): seeded for the national lists,
maintained on the dictionary page, audited, kept with their history, never ambiguous."""

import pytest
from django.urls import reverse

from renkou.common import dicts
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry, DictItem
from renkou.system import services

pytestmark = pytest.mark.django_db


def _item(code: str, value: str) -> DictItem:
    return DictItem.objects.get(dict_type__code=code, value=value)


def test_the_national_lists_carry_the_aliases_county_sheets_use():
    # The ways named in issue 13 item 6, each read to its national code.
    expected = {
        ("document_type", "身份证"): "01",  # 居民身份证
        ("ethnicity", "藏"): "04",  # 藏族, GB 3304
        ("ethnicity", "汉"): "01",
        ("ethnicity", "基诺"): "56",
        ("hukou_type", "农业户口"): "2",
        ("hukou_type", "非农业户口"): "1",
        ("marital_status", "已婚有配偶"): "20",  # 已婚, GB/T 2261.2
    }
    for (code, written), value in expected.items():
        assert dicts.book(code).find(written) == (value, True), written
    # Every ethnicity of GB 3304 is read with and without 族.
    book = dicts.book("ethnicity")
    for entry in dicts.items("ethnicity"):
        if entry.value <= "56":
            assert book.find(entry.label) == (entry.value, False)
            assert book.find(entry.label.removesuffix("族")) == (entry.value, True)


def test_aliases_are_edited_on_the_item_page_audited_and_kept_in_the_history(as_role):
    client = as_role("sys_admin")
    item = _item("document_type", "04")
    url = reverse("system:dictitem_edit", args=[item.pk])
    form = {"label": "户口簿", "sort": "4", "tag": "secondary", "is_active": "on"}
    response = client.post(url, {**form, "aliases": "户口本，户口簿号码\n户口本"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.aliases == ["户口本", "户口簿号码"]
    assert dicts.book("document_type").find("户口簿号码") == ("04", True)
    entry = AuditEntry.objects.get(action="dict.item_update", object_id=str(item.pk))
    assert "changed=aliases" in entry.summary
    page = client.get(url).content.decode()
    assert "修改记录" in page and "别名：户口本 → 户口本、户口簿号码" in page
    listing = client.get(reverse("system:dictitem_list", args=[item.dict_type_id])).content
    assert "户口本、户口簿号码" in listing.decode()


def test_an_alias_that_names_another_item_is_refused_and_nothing_changes(as_role, personas):
    client = as_role("sys_admin")
    item = _item("hukou_type", "1")  # 非农业
    url = reverse("system:dictitem_edit", args=[item.pk])
    form = {"label": "非农业", "sort": "1", "tag": "secondary", "is_active": "on"}
    page = client.post(url, {**form, "aliases": "城镇户口、农业户口"}).content.decode()
    assert "“农业户口”已是“农业”的键值、标签或别名" in page
    item.refresh_from_db()
    assert item.aliases == ["非农业户口", "城镇户口"]
    assert not AuditEntry.objects.filter(action="dict.item_update").exists()
    # Nor may a label become another item's alias: a typed 农业户口 would name two items.
    with pytest.raises(Exception, match="已是其他项的别名"):
        services.dict_item_update(actor=Actor(personas["sys_admin"]), item=item, label="农业户口")
    assert _item("hukou_type", "1").label == "非农业"
