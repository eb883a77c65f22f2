"""How many numbers a masked value leaves, given everything else shown beside it (issue 19
item 1, docs/masking.md).

The attacker of the probe: a signed-in account reads a page, a list, an export or an API
answer, knows the area code of its own unit, and knows what each column means. For every
masked number shown, these helpers enumerate the numbers consistent with all of it:

- a resident ID (GB 11643): the first 6 digits are known (the area code of the unit, whatever
  the mask shows); the birth date is any day consistent with the person's facts shown on the
  same page or row — the exact date, its year and month, its year, or the age on the day of
  the page (each a set of days, intersected); the sex is known (the name tells it where the
  page does not), which fixes the parity of the 17th digit; every character the mask shows
  must match, and a shown check character must be the ISO 7064 MOD 11-2 one;
- a mobile or fixed-line phone: the first 7 characters are known (the carrier and the area's
  public number blocks); the rest must match what the mask shows;
- a bank account: the issuer's first 6 digits are known (the bank is named beside it) and the
  Luhn check holds.

Which facts a page gives about a person is decided with the ground truth of the test data:
only texts equal to the person's own birth date (in any of the usual formats), year-month,
year or age count, so service dates beside a name do not, and a birth date printed anywhere
on the page does.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from renkou.common import idnumber

MIN_CANDIDATES = 1000  # the floor (renkou.common.crypto.MIN_CANDIDATES)
EARLIEST = date(1900, 1, 1)
WEIGHTS = idnumber.WEIGHTS
CHECK_CHARS = idnumber.CHECK_CHARS
# A run of characters holding at least three mask characters: a masked number.
MASKED = re.compile(r"[0-9A-Za-z]*\*{3,}[0-9A-Za-z*]*(?:-[0-9*]+)?")


def days(start: date, end: date) -> frozenset[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    return frozenset(start + timedelta(n) for n in range((end - start).days + 1))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@lru_cache(maxsize=512)
def age_window(age: int, today: date) -> frozenset[date]:
    """The birth dates of someone aged ``age`` whole years on ``today``."""
    latest = _add_years(today, -age)
    earliest = _add_years(today, -age - 1) + timedelta(1)
    found = days(max(earliest, EARLIEST), min(latest, today))
    return frozenset(d for d in found if age_on(d, today) == age)


@lru_cache(maxsize=512)
def month_window(year: int, month: int) -> frozenset[date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return days(first, following - timedelta(1))


@lru_cache(maxsize=512)
def year_window(year: int) -> frozenset[date]:
    return days(date(year, 1, 1), date(year, 12, 31))


# --- resident IDs ------------------------------------------------------------------------------


def _weighted(digits: str, offset: int) -> int:
    return sum(int(c) * WEIGHTS[offset + i] for i, c in enumerate(digits))


def _agrees(shown: str, text: str) -> bool:
    return all(s == "*" or s.upper() == t.upper() for s, t in zip(shown, text, strict=True))


@lru_cache(maxsize=64)
def _sequences(shown: str, odd: bool) -> tuple[str, ...]:
    """The 3-digit sequences the mask shows as ``shown``, odd for men and even for women."""
    return tuple(
        f"{n:03d}" for n in range(1000) if (n % 2 == 1) == odd and _agrees(shown, f"{n:03d}")
    )


def id_candidates(
    masked: str, *, region: str, sex: str, born: Iterable[date] | None, today: date
) -> int:
    """Resident IDs of the area ``region`` and sex ``sex`` ("1"/"2"), born on one of the days
    ``born`` (``None``: any day from 1900 to ``today``), that the mask ``masked`` allows."""
    if len(masked) not in (15, 18):
        raise ValueError(f"not a masked resident ID: {masked!r}")
    if not _agrees(masked[:6], region):
        return 0
    legacy = len(masked) == 15
    date_part = masked[6:12] if legacy else masked[6:14]
    seq_part = masked[12:15] if legacy else masked[14:17]
    seqs = _sequences(seq_part, sex == idnumber.MALE)
    no_check = legacy or masked[17] == "*"
    if born is None and no_check and set(date_part) == {"*"}:  # any day: count, do not list
        last = min(today, date(1999, 12, 31)) if legacy else today
        return ((last - EARLIEST).days + 1) * len(seqs)
    dates = days(EARLIEST, today) if born is None else frozenset(born)
    if legacy:
        dates = frozenset(d for d in dates if d.year < 2000)
    fmt = "%y%m%d" if legacy else "%Y%m%d"
    if set(date_part) != {"*"}:
        dates = frozenset(d for d in dates if _agrees(date_part, d.strftime(fmt)))
    if no_check:
        return len(dates) * len(seqs)
    by_remainder = [0] * 11
    for s in seqs:
        by_remainder[_weighted(s, 14) % 11] += 1
    head = _weighted(region, 0)
    count = 0
    for d in dates:
        partial = (head + _weighted(f"{d:%Y%m%d}", 6)) % 11
        for remainder, n in enumerate(by_remainder):
            if n and CHECK_CHARS[(partial + remainder) % 11] == masked[17].upper():
                count += n
    return count


# --- phones, accounts, other documents -----------------------------------------------------------


def phone_candidates(masked: str) -> int:
    """The first 7 characters are taken as known (carrier and the area's number blocks)."""
    return 10 ** sum(1 for c in masked[7:] if c == "*")


def account_candidates(masked: str) -> int:
    """The issuer's 6 digits are known; the Luhn check digit follows from the others."""
    hidden = sum(1 for c in masked[6:] if c == "*")
    return 10 ** max(hidden - 1, 0)


def document_candidates(masked: str) -> int:
    """A document number with no link to the birth date (passport, birth certificate): each
    hidden character a digit at least."""
    return 10 ** sum(1 for c in masked if c == "*")


def masked_values(text: str) -> list[str]:
    return [m.group(0) for m in MASKED.finditer(text)]


def looks_like_id(masked: str) -> bool:
    return len(masked) in (15, 18) and masked[:4].isdigit()


def looks_like_phone(masked: str) -> bool:
    return (len(masked) == 11 and masked[:1] == "1") or "-" in masked or masked[:1] == "0"


def unowned_candidates(masked: str, region: str, today: date) -> int:
    """The fewest numbers a masked value leaves on its own, whatever kind it is (for values
    shown without their holder's name, e.g. a husband outside the register), the area code
    being the unit's ``region``."""
    counts = []
    if looks_like_id(masked):
        counts.append(id_candidates(masked, region=region, sex="1", born=None, today=today))
    if looks_like_phone(masked):
        counts.append(phone_candidates(masked))
    if 12 <= len(masked) <= 19 and masked[:4].isdigit():
        counts.append(account_candidates(masked))
    return min(counts) if counts else document_candidates(masked)


# --- what a page says about a person -----------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """The ground truth of one ID number's holder in the test data: the name shown, the number,
    and the birth date and sex the number encodes (what the attacker is after)."""

    name: str
    id_number: str

    @property
    def birth_date(self) -> date:
        return idnumber.derive(self.id_number)[0]

    @property
    def sex(self) -> str:
        return idnumber.derive(self.id_number)[1]


def holders(rows: Iterable[tuple[str, str]]) -> list[Holder]:
    """(name, number) pairs with a readable resident ID."""
    found = []
    for name, number in rows:
        if number and idnumber.validate(number).info is not None:
            found.append(Holder(name, idnumber.validate(number).value))
    return found


def _date_texts(day: date) -> tuple[str, ...]:
    return (
        f"{day:%Y-%m-%d}",
        f"{day:%Y/%m/%d}",
        f"{day:%Y.%m.%d}",
        f"{day:%Y%m%d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y年%m月%d日}",
        f"{day.year}-{day.month}-{day.day}",
    )


def _month_texts(day: date) -> tuple[str, ...]:
    return (f"{day:%Y-%m}", f"{day:%Y/%m}", f"{day.year}年{day.month}月", f"{day:%Y年%m月}")


def birth_facts(holder: Holder, text: str, today: date) -> list[frozenset[date]]:
    """The sets of days that what ``text`` shows about the holder's birth narrows it to."""
    born = holder.birth_date
    facts = []
    if any(t in text for t in _date_texts(born)):
        facts.append(frozenset({born}))
    if any(t in text for t in _month_texts(born)):
        facts.append(month_window(born.year, born.month))
    if re.search(rf"(?<!\d){born.year}(?!\d)", text):
        facts.append(year_window(born.year))
    age = age_on(born, today)
    if re.search(rf"(?<!\d){age}\s*岁", text):
        facts.append(age_window(age, today))
    return facts


def holder_candidates(holder: Holder, masked: str, text: str, today: date) -> int:
    """Numbers left for ``holder`` whose ID is shown as ``masked`` beside ``text``."""
    facts = birth_facts(holder, text, today)
    born: frozenset[date] | None = None
    for fact in facts:
        born = fact if born is None else born & fact
    region, sex = holder.id_number[:6], holder.sex
    return id_candidates(masked, region=region, sex=sex, born=born, today=today)


@dataclass(frozen=True)
class Finding:
    masked: str
    candidates: int
    who: str


def scan(text: str, named: Iterable[Holder], today: date, region: str) -> list[Finding]:
    """Every masked value in ``text`` (a page, or one row of a list or export) with the numbers
    it leaves: for each holder named in the text whose ID masks to a value shown, with the
    facts the text gives about that holder's birth; every masked value also on its own, as a
    number of the area ``region``.
    """
    from renkou.common import crypto

    shown = set(masked_values(text))
    if not shown:
        return []
    findings = []
    for holder in named:
        if not holder.name or holder.name not in text:
            continue
        masked = crypto.mask(holder.id_number)
        if masked in shown and looks_like_id(masked):
            count = holder_candidates(holder, masked, text, today)
            findings.append(Finding(masked, count, holder.name))
    for masked in shown:
        findings.append(Finding(masked, unowned_candidates(masked, region, today), ""))
    return findings
