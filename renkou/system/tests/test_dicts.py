"""字典管理: seeded national code lists, type/item CRUD, enable/disable, the cached look-ups and
the template helpers."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from renkou.common import dicts
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry, DictItem, DictType
from renkou.system import services

pytestmark = pytest.mark.django_db


def _type(code: str) -> DictType:
    return DictType.objects.get(code=code)


def _item(code: str, value: str) -> DictItem:
    return DictItem.objects.get(dict_type__code=code, value=value)


# --- seed ------------------------------------------------------------------------------------


def test_seed_has_the_sex_codes_and_every_ethnicity():
    assert dict(dicts.choices("sex")) == {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
    ethnicities = dict(dicts.choices("ethnicity"))
    assert len(ethnicities) >= 58
    assert {f"{n:02d}" for n in range(1, 57)} <= set(ethnicities)
    assert (ethnicities["01"], ethnicities["04"], ethnicities["56"]) == ("汉族", "藏族", "基诺族")
    assert ethnicities["97"] == "未识别民族" and ethnicities["98"] == "外国血统中国籍人士"


def test_seed_covers_the_code_lists_with_their_standard():
    relationship = dict(dicts.choices("relationship"))
    assert relationship["21"] == "独生子" and relationship["31"] == "独生女"
    assert {"01", "02", "10", "11", "12", "40", "50", "60", "70", "80", "97", "99"} <= set(
        relationship
    )
    assert [v for v, _ in dicts.choices("marital_status")] == [
        "10",
        "20",
        "21",
        "22",
        "23",
        "30",
        "40",
        "90",
    ]
    assert [v for v, _ in dicts.choices("contraception_method")] == [f"{n:02d}" for n in range(10)]
    assert dicts.label("disability_grade", "1") == "一级"
    assert len(dicts.choices("child_kinship")) == 4
    codes = {
        "sex",
        "ethnicity",
        "marital_status",
        "education",
        "relationship",
        "hukou_type",
        "household_type",
        "residence_status",
        "document_type",
        "contraception_method",
        "pregnancy_outcome",
        "exit_reason",
        "child_health",
        "disability_type",
        "disability_grade",
        "child_kinship",
    }
    seeded = DictType.objects.filter(code__in=codes)
    assert seeded.count() == len(codes)
    assert all(t.source for t in seeded)
    assert _type("sex").source.startswith("GB/T 2261.1")


# --- look-ups and cache ---------------------------------------------------------------------


def test_lookups_are_cached(django_assert_num_queries):
    assert dicts.label("sex", "1") == "男"
    with django_assert_num_queries(0):
        assert dicts.label("sex", 2) == "女"
        assert dicts.choices("sex")[0] == ("0", "未知")
        assert dicts.label("sex", "x") == "x" and dicts.label("sex", None) == ""


def test_every_write_invalidates_the_cache(personas):
    admin = personas["sys_admin"]
    assert dicts.label("sex", "1") == "男"  # cached now
    services.dict_item_update(actor=Actor(admin), item=_item("sex", "1"), label="男性")
    assert dicts.label("sex", "1") == "男性"
    services.dict_item_create(actor=Actor(admin), dict_type=_type("sex"), value="3", label="测试")
    assert ("3", "测试") in dicts.choices("sex")
    services.dict_type_update(actor=Actor(admin), dict_type=_type("sex"), is_active=False)
    assert dicts.choices("sex") == [] and dicts.label("sex", "2") == "女"


def test_a_disabled_item_leaves_the_pickers_but_keeps_its_label(personas):
    services.dict_item_set_active(
        actor=Actor(personas["sys_admin"]), item=_item("sex", "9"), active=False
    )
    assert "9" not in dict(dicts.choices("sex"))
    assert "9" in {e.value for e in dicts.items("sex", include_inactive=True)}
    assert dicts.label("sex", "9") == "未说明"
    rendered = Template('{% load dicts %}{{ v|dict_label:"sex" }}|{% dict_tag "sex" v %}').render(
        Context({"v": "9"})
    )
    assert rendered.startswith("未说明|") and "dict-disabled" in rendered and "已停用" in rendered


def test_dict_tag_colours_by_tag_and_escapes_unknown_values():
    template = Template('{% load dicts %}{% dict_tag "child_health" v %}')
    assert "text-bg-danger" in template.render(Context({"v": "3"}))
    assert template.render(Context({"v": "<b>"})) == "&lt;b&gt;"
    assert template.render(Context({"v": None})) == ""


# --- pages ---------------------------------------------------------------------------------


def test_pages_open_for_sys_admin_only(as_role):
    sex = _type("sex")
    urls = [
        reverse("system:dict_list"),
        reverse("system:dicttype_create"),
        reverse("system:dicttype_edit", args=[sex.pk]),
        reverse("system:dictitem_list", args=[sex.pk]),
        reverse("system:dictitem_create", args=[sex.pk]),
        reverse("system:dictitem_edit", args=[_item("sex", "1").pk]),
    ]
    admin = as_role("sys_admin")
    for url in urls:
        assert admin.get(url).status_code == 200, url
    auditor = as_role("audit_admin")
    for url in urls:
        assert auditor.get(url).status_code == 403, url


def test_list_searches(as_role):
    page = as_role("sys_admin").get(reverse("system:dict_list"), {"q": "民族"}).content.decode()
    assert "ethnicity" in page and "marital_status" not in page


def test_type_and_item_crud_through_the_pages(as_role):
    client = as_role("sys_admin")
    data = {"code": "insurance_status", "name": "投保状态", "source": "本地代码", "is_active": "on"}
    response = client.post(reverse("system:dicttype_create"), data)
    dict_type = _type("insurance_status")
    assert response.status_code == 302
    assert client.post(reverse("system:dicttype_create"), data).status_code == 200  # duplicate
    item_url = reverse("system:dictitem_create", args=[dict_type.pk])
    item = {"value": "1", "label": "已投保", "sort": "1", "tag": "success", "is_active": "on"}
    assert client.post(item_url, item).status_code == 302
    assert "该字典中已有此键值" in client.post(item_url, item).content.decode()
    assert dicts.choices("insurance_status") == [("1", "已投保")]
    edit = reverse("system:dictitem_edit", args=[_item("insurance_status", "1").pk])
    assert client.post(edit, {**item, "value": "9", "label": "已参保"}).status_code == 302
    assert dicts.choices("insurance_status") == [("1", "已参保")]  # value is fixed
    edit_type = reverse("system:dicttype_edit", args=[dict_type.pk])
    client.post(edit_type, {**data, "code": "changed", "name": "参保状态"})
    dict_type.refresh_from_db()
    assert (dict_type.code, dict_type.name) == ("insurance_status", "参保状态")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    expected = {"dict.type_create", "dict.type_update", "dict.item_create", "dict.item_update"}
    assert expected <= actions


def test_enable_and_disable_by_post(as_role):
    client = as_role("sys_admin")
    item = _item("education", "90")
    url = reverse("system:dictitem_set_active", args=[item.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"active": "0"}).status_code == 302
    assert "90" not in dict(dicts.choices("education"))
    assert client.post(url, {"active": "1"}).status_code == 302
    assert "90" in dict(dicts.choices("education"))
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["dict.item_disable", "dict.item_enable"]


def test_only_one_default_per_type(personas):
    admin = personas["sys_admin"]
    services.dict_item_update(actor=Actor(admin), item=_item("hukou_type", "1"), is_default=True)
    services.dict_item_update(actor=Actor(admin), item=_item("hukou_type", "2"), is_default=True)
    defaults = [e.value for e in dicts.items("hukou_type") if e.is_default]
    assert defaults == ["2"]
