"""Pinyin search keys for personal names (ecosystem.md §3.3).

pypinyin reads common names right but often misreads surnames (单 dan for shan, 曾 ceng for
zeng, …). A clerk types whatever reading they know, so a name's key holds every reading of the
surname: all pypinyin heteronyms of the first character, plus the surname reading from
``SURNAME_READINGS``, each followed by the normal reading of the rest of the name. The key
is stored in one indexed column and matched with ``icontains``; ``matches`` is the same test in
Python.
"""

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

# Surname readings that differ from pypinyin's first choice, and compound surnames read as one
# unit (longest match wins): the list of ecosystem.md §3.3 plus common compound surnames.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "仇": ("qiu",),
    "区": ("ou",),
    "朴": ("piao",),
    "查": ("zha",),
    "覃": ("qin",),
    "盖": ("ge",),
    "缪": ("miao",),
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "诸葛": ("zhu", "ge"),
    "上官": ("shang", "guan"),
    "单于": ("chan", "yu"),
    "令狐": ("ling", "hu"),
    "皇甫": ("huang", "fu"),
    "夏侯": ("xia", "hou"),
    "东方": ("dong", "fang"),
    "慕容": ("mu", "rong"),
    "宇文": ("yu", "wen"),
    "澹台": ("tan", "tai"),
    "公孙": ("gong", "sun"),
    "轩辕": ("xuan", "yuan"),
    "端木": ("duan", "mu"),
    "司徒": ("si", "tu"),
    "司空": ("si", "kong"),
    "呼延": ("hu", "yan"),
    "鲜于": ("xian", "yu"),
    "钟离": ("zhong", "li"),
    "闻人": ("wen", "ren"),
    "赫连": ("he", "lian"),
    "西门": ("xi", "men"),
    "南宫": ("nan", "gong"),
    "独孤": ("du", "gu"),
    "拓跋": ("tuo", "ba"),
}


def _clean(name: str) -> str:
    """NFKC, no whitespace; the middle dot of minority names is dropped by the reader."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _other_chars(chunk: str) -> list[str]:
    """Letters and digits outside the Han range count as one syllable each; the rest is dropped."""
    return [c.lower() for c in chunk if c.isalnum()] or [""]


@lru_cache(maxsize=4096)
def _char_readings(char: str) -> tuple[str, ...]:
    """Every toneless reading of one character (itself, lower-cased, if it is not Han)."""
    readings = pinyin(
        char,
        style=Style.NORMAL,
        heteronym=True,
        errors=_other_chars,  # type: ignore[arg-type]  # pypinyin's stub says str; it takes a list too
    )
    return tuple(dict.fromkeys(r for r in readings[0] if r)) if readings else ()


@lru_cache(maxsize=65536)
def _reading(text: str) -> tuple[str, ...]:
    """The normal reading of a string, in context (长江 is chang jiang); one entry a syllable."""
    words = lazy_pinyin(text, errors=_other_chars)  # type: ignore[arg-type]  # as above
    return tuple(s for s in words if s)


@lru_cache(maxsize=65536)
def _variants(name: str) -> tuple[tuple[str, ...], ...]:
    """Readings of the whole name as syllable tuples, pypinyin's first, without repeats."""
    if not name:
        return ()
    rest = _reading(name[1:])
    found = [(first, *rest) for first in _char_readings(name[0])] or [rest]
    for length in (2, 1):
        if name[:length] in SURNAME_READINGS:
            found.append((*SURNAME_READINGS[name[:length]], *_reading(name[length:])))
            break
    return tuple(dict.fromkeys(found))


def _unique(words: list[str]) -> str:
    return " ".join(dict.fromkeys(w for w in words if w))


def initials(name: str) -> str:
    """Space-separated initials of every reading: 单田芳 → "dtf ctf stf"."""
    return _unique(["".join(s[0] for s in v if s) for v in _variants(_clean(name))])


def full(name: str) -> str:
    """Space-separated full pinyin of every reading: 张三 → "zhangsan"."""
    return _unique(["".join(v) for v in _variants(_clean(name))])


def search_key(name: str) -> str:
    """Initials then full readings, for one indexed column searched with ``icontains``."""
    return _unique([*initials(name).split(), *full(name).split()])


def query(typed: str) -> str:
    """A typed name search as the names and keys are stored: NFKC, every space removed, so
    "丁 秀英", "丁　秀英" and "ding xiu ying" find 丁秀英."""
    return _clean(typed)


def matches(query: str, key: str) -> bool:
    """Whether a typed query (any case, spaces ignored) is part of one reading in ``key``.

    The same test as ``key__icontains=normalised query``: the query has no spaces, so it cannot
    run across two readings. An empty query matches everything, as ``icontains=""`` does.
    """
    return _clean(query).lower() in key
