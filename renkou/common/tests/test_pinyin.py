"""Pinyin search keys (ecosystem.md §3.3): every reading of the surname finds the person.

Expectations are the readings a clerk would type (现代汉语词典), not strings taken from the
module.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkou.common import pinyin


def variants(text: str) -> set[str]:
    return set(text.split())


def test_common_name():
    assert variants(pinyin.initials("张三")) == {"zs"}
    assert variants(pinyin.full("张三")) == {"zhangsan"}


def test_given_name_is_read_in_context():
    assert "zcj" in variants(pinyin.initials("张长江"))  # 长江 is chang jiang, not zhang jiang


@pytest.mark.parametrize(
    ("surname", "readings"),
    [
        ("单", {"shan", "dan"}),
        ("曾", {"zeng", "ceng"}),
        ("解", {"xie", "jie"}),
        ("仇", {"qiu", "chou"}),
        ("区", {"ou", "qu"}),
        ("朴", {"piao", "pu"}),
        ("查", {"zha", "cha"}),
        ("覃", {"qin", "tan"}),
        ("盖", {"ge", "gai"}),
        ("缪", {"miao", "mou"}),
    ],
)
def test_misread_surnames_keep_the_surname_reading_and_pypinyins(surname, readings):
    name = surname + "小明"
    assert {r + "xiaoming" for r in readings} <= variants(pinyin.full(name))
    assert {r[0] + "xm" for r in readings} <= variants(pinyin.initials(name))


@pytest.mark.parametrize(
    ("surname", "readings"),
    [("乐", {"le", "yue"}), ("翟", {"zhai", "di"}), ("秘", {"mi", "bi"}), ("尉", {"wei", "yu"})],
)
def test_heteronyms_of_surnames_outside_the_table_are_all_kept(surname, readings):
    assert surname not in pinyin.SURNAME_READINGS
    assert {r + "xiaoming" for r in readings} <= variants(pinyin.full(surname + "小明"))


def test_examples_from_the_brief():
    assert {"dtf", "stf"} <= variants(pinyin.initials("单田芳"))
    assert {"cxm", "zxm"} <= variants(pinyin.initials("曾小明"))


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("欧阳修", "ouyangxiu", "oyx"),
        ("司马光", "simaguang", "smg"),
        ("诸葛亮", "zhugeliang", "zgl"),
        ("上官婉儿", "shangguanwaner", "sgwe"),
    ],
)
def test_compound_surnames_are_read_as_one_surname(name, full, initials):
    assert full in variants(pinyin.full(name))
    assert initials in variants(pinyin.initials(name))


def test_full_width_letters_spaces_and_middle_dot():
    assert variants(pinyin.initials(" 王 秀英 ")) >= {"wxy"}
    assert "aw" in variants(pinyin.initials("Ａ伟"))
    assert "ayigulimaimaiti" in variants(pinyin.full("阿依古丽·买买提"))
    assert pinyin.initials("") == pinyin.full("") == pinyin.search_key("") == ""


def test_search_key_holds_initials_and_full_readings():
    key = pinyin.search_key("单田芳")
    assert variants(pinyin.initials("单田芳")) | variants(pinyin.full("单田芳")) == variants(key)
    assert key == key.lower()


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("zs", "张三"),
        ("ZS", "张三"),
        ("zhang", "张三"),
        ("Zhang San", "张三"),
        ("ｚｓ", "张三"),
        ("stf", "单田芳"),
        ("shantian", "单田芳"),
        ("zxm", "曾小明"),
        ("zengxiao", "曾小明"),
        ("zhangsun", "长孙无忌"),
        ("moqi", "万俟卨"),
        ("xiaoming", "曾小明"),
        ("", "张三"),
    ],
)
def test_matches(query, name):
    assert pinyin.matches(query, pinyin.search_key(name))


@pytest.mark.parametrize(
    ("query", "name"),
    [("ls", "张三"), ("sz", "张三"), ("zhangsi", "张三"), ("zsz", "张三"), ("szhang", "张三")],
)
def test_does_not_match(query, name):
    assert not pinyin.matches(query, pinyin.search_key(name))


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@given(st.text(HAN, min_size=1, max_size=4))
def test_every_han_name_gets_one_initial_per_character(name):
    key = pinyin.search_key(name)
    assert key == key.strip() and "  " not in key
    for reading in variants(pinyin.initials(name)):
        assert len(reading) == len(name)
        assert pinyin.matches(reading, key)
    assert pinyin.full(name)


@pytest.fixture
def fresh_cache():
    pinyin._variants.cache_clear()
    yield
    pinyin._variants.cache_clear()


def test_surname_table_adds_readings_pypinyin_lacks(monkeypatch, fresh_cache):
    """The table, not pypinyin's heteronyms, must carry the fix if pypinyin's data changes."""
    table = {**pinyin.SURNAME_READINGS, "王": ("wong",), "欧阳": ("au", "yeung")}
    monkeypatch.setattr(pinyin, "SURNAME_READINGS", table)
    assert {"wangxiaoming", "wongxiaoming"} <= variants(pinyin.full("王小明"))
    assert {"ouyangxiu", "auyeungxiu"} <= variants(pinyin.full("欧阳修"))
    assert "ayx" in variants(pinyin.initials("欧阳修"))
