"""Masking that holds against everything shown together (issue 19 item 1, docs/masking.md).

The candidate arithmetic of ``tests/masking.py`` is checked against brute force first; then the
probe's attack is replayed on a village administrator's ordinary export of a realistic village
(the demo generator's ~1,400 persons, read back from the .xlsx), and every page layout that
shows a masked number is crawled as each role that reads persons, counting the numbers each
masked value leaves beside everything else on the page.
"""

import re
from datetime import date

import pytest

from renkou.common import crypto, idnumber
from tests import masking

TODAY = date(2026, 6, 15)


def _brute_force(masked: str, region: str, sex: str, born) -> int:
    """Every 18-character number of the region, born on one of the days, of that sex, that the
    mask allows: the definition the helper's arithmetic must agree with."""
    count = 0
    odd = sex == idnumber.MALE
    for day in born:
        for n in range(1000):
            if (n % 2 == 1) != odd:
                continue
            first17 = f"{region}{day:%Y%m%d}{n:03d}"
            number = first17 + idnumber.check_char(first17)
            if all(m == "*" or m == c for m, c in zip(masked, number, strict=True)):
                count += 1
    return count


@pytest.mark.parametrize(
    ("masked", "born"),
    [
        ("6230**********123X", masking.days(date(1990, 1, 1), date(1990, 1, 9))),  # the old mask
        ("6230**************", masking.days(date(1990, 2, 25), date(1990, 3, 2))),
        ("623022************", frozenset({date(1990, 1, 1)})),
        ("6230*************7", masking.days(date(1988, 2, 27), date(1988, 3, 1))),
        ("6230***********4**", masking.days(date(1989, 12, 30), date(1990, 1, 2))),
    ],
)
def test_the_arithmetic_agrees_with_brute_force(masked, born):
    region, sex = "623022", idnumber.FEMALE
    expected = _brute_force(masked, region, sex, sorted(born))
    found = masking.id_candidates(masked, region=region, sex=sex, born=born, today=TODAY)
    assert found == expected


def test_what_each_fact_leaves_beside_the_new_mask():
    """The arithmetic of docs/masking.md: region, sex and the exact birth date leave 500 numbers
    even with the whole sequence hidden, so wherever a number is shown masked the birth date
    is not; an age leaves at least 365 days × 500."""
    number = idnumber.generate(__import__("random").Random(1), birth=date(1990, 1, 1), sex="2")
    masked = crypto.mask(number)
    assert masked == "6230**************"

    def left(born):
        return masking.id_candidates(masked, region="623022", sex="2", born=born, today=TODAY)

    assert left(frozenset({date(1990, 1, 1)})) == 500
    assert left(masking.month_window(1990, 2)) == 28 * 500
    assert left(masking.age_window(36, TODAY)) >= 365 * 500
    old = number[:4] + "*" * 10 + number[-4:]
    assert (
        masking.id_candidates(
            old, region="623022", sex="2", born=masking.age_window(36, TODAY), today=TODAY
        )
        < masking.MIN_CANDIDATES
    )


def test_phone_and_account_masks_leave_enough_on_their_own():
    assert masking.phone_candidates(crypto.mask("13912345678", crypto.PHONE)) >= 10**4
    assert masking.phone_candidates(crypto.mask("0941-1234567", crypto.PHONE)) >= 10**4
    for account in ("623052123456", "6230521234567", "6230521234567894", "6230521234567890123"):
        left = masking.account_candidates(crypto.mask(account, crypto.ACCOUNT))
        assert left >= masking.MIN_CANDIDATES, account
    assert masking.phone_candidates("139****5678") == 1  # the old mask: nothing left to guess


# --- the probe's attack on the ordinary export ---------------------------------------------------

DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE = "623022000000", "623022100000", "623022100201"


@pytest.fixture
def frozen_today():
    import time_machine
    from django.utils import timezone

    moment = timezone.make_aware(
        __import__("datetime").datetime(TODAY.year, TODAY.month, TODAY.day, 10)
    )
    with time_machine.travel(moment, tick=False):
        yield TODAY


@pytest.fixture
def demo_village(db, frozen_today):
    """卓尼县 with one township and one village of ~1,400 demo persons (the size of the village
    the probe exported), and its village administrator."""
    from conftest import make_user
    from renkou.accounts.constants import Role
    from renkou.geo.constants import Level
    from renkou.geo.models import Unit
    from renkou.people import demo

    county = Unit.objects.create(code=DEMO_COUNTY, name="卓尼县", level=Level.COUNTY)
    township = Unit.objects.create(
        code=DEMO_TOWNSHIP, name="柳林镇", level=Level.TOWNSHIP, parent=county
    )
    village = Unit.objects.create(
        code=DEMO_VILLAGE, name="上卓村民委员会", level=Level.VILLAGE, parent=township
    )

    class Quiet:
        def update(self, done: int) -> None:
            pass

        def finish(self) -> None:
            pass

    demo.demo_seed(persons=1400, seed=19, today=TODAY, county="623022", progress=Quiet())
    return make_user("cun_probe", Role.VILLAGE_ADMIN, village)


def _export_rows(client) -> tuple[list[str], list[list[str]]]:
    from django.urls import reverse
    from python_calamine import CalamineWorkbook

    response = client.post(reverse("people:person_export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(__import__("io").BytesIO(content)).get_sheet_by_index(0)
    header, *rows = sheet.to_python()
    return [str(h) for h in header], [[str(v) for v in row] for row in rows]


def _probe_rebuild(header: list[str], row: list[str], county: str) -> str:
    """The probe's rebuild: area code + 出生日期 + the last four characters the mask shows."""
    cells = dict(zip(header, row, strict=True))
    shown, born = cells.get("公民身份号码", ""), cells.get("出生日期", "")
    if len(shown) != 18 or not shown[-4:].replace("X", "0").isdigit() or len(born) != 10:
        return ""
    return county + born.replace("-", "") + shown[-4:]


def test_the_ordinary_export_of_a_village_rebuilds_no_number(
    demo_village, signed_in_client, frozen_today
):
    """Issue 19 item 1: the probe rebuilt 1,353 of 1,361 numbers from a village
    administrator's ordinary export as 623022 + 出生日期 + the last four characters. Replayed
    on a demo village of the same size, the literal rebuild and the general one (every number
    consistent with the row: mask, age, sex, area code) find none, and every row leaves at least
    1,000 numbers."""
    from renkou.people.models import Person

    client = signed_in_client(demo_village)
    header, rows = _export_rows(client)
    assert len(rows) >= 1300
    truth: dict[tuple[str, str], list[str]] = {}
    for p in Person.objects.select_related("household").exclude(id_number=""):
        truth.setdefault((p.name, p.household.code if p.household else ""), []).append(p.id_number)
    col = {h: i for i, h in enumerate(header)}
    rebuilt, fewest, counted = 0, None, 0
    for row in rows:
        shown = row[col["公民身份号码"]]
        for number in truth.get((row[col["姓名"]], row[col["户编号"]]), []):
            if crypto.mask(number) != shown or idnumber.validate(number).info is None:
                continue
            if _probe_rebuild(header, row, "623022") == number:
                rebuilt += 1
            holder = masking.Holder(row[col["姓名"]], number)
            text = " | ".join(cells(header, row))
            left = masking.holder_candidates(holder, shown, text, TODAY)
            counted += 1
            fewest = left if fewest is None else min(fewest, left)
    assert counted >= 1200  # the rows holding a readable resident ID
    assert rebuilt == 0
    assert fewest >= masking.MIN_CANDIDATES


def cells(header: list[str], row: list[str]) -> list[str]:
    """The row as the attacker reads it: each value with its column name (an age column's bare
    number is an age, written N岁 for the helper)."""
    out = []
    for name, value in zip(header, row, strict=True):
        if name == "年龄" and value:
            out.append(f"{int(float(value))}岁")
        else:
            out.append(f"{name} {value}")
    return out


# --- every page that shows a masked number -----------------------------------------------------

CRAWL_ROLES = ("village_admin", "township_officer", "county_officer", "technician", "finance")
PER_ROUTE = 1  # pages opened per URL name (the layout is what matters, not each row)
# Signing out would end the crawl. (The bank file, full account numbers by design, is a POST.)
SKIPPED = frozenset({"accounts:logout"})
LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')


@pytest.fixture
def demo_county(db, frozen_today):
    """卓尼县 with two townships of two villages, 500 demo persons and the demo events,
    pre-pregnancy files, RH services, benefits, to-do lists and duplicate queue; an account of
    each role that reads persons, in 柳林镇 and its first village."""
    from conftest import make_user
    from renkou.accounts.constants import Role
    from renkou.benefits.demo import seed_benefits
    from renkou.events.demo import seed_events
    from renkou.geo.constants import Level
    from renkou.geo.models import Unit
    from renkou.people import demo
    from renkou.people.duplicates import duplicates_scan
    from renkou.programs.demo import seed_prepregnancy
    from renkou.programs.rh_demo import seed_services
    from renkou.todo.models import RefreshRun
    from renkou.todo.services import refresh_logged

    county = Unit.objects.create(code=DEMO_COUNTY, name="卓尼县", level=Level.COUNTY)
    places = {}
    for number, township_name in (("100", "柳林镇"), ("101", "木耳镇")):
        township = Unit.objects.create(
            code=f"623022{number}000", name=township_name, level=Level.TOWNSHIP, parent=county
        )
        places[number] = township
        for village in ("201", "202"):
            Unit.objects.create(
                code=f"623022{number}{village}",
                name=f"{township_name[:2]}{village[-1]}村",
                level=Level.VILLAGE,
                parent=township,
            )
    home = {
        "village_admin": Unit.objects.get(code="623022100201"),
        "township_officer": places["100"],
        "county_officer": county,
        "technician": county,
        "finance": county,
    }
    users = {role: make_user(f"crawl_{role}", Role(role), unit) for role, unit in home.items()}

    class Quiet:
        def update(self, done: int) -> None:
            pass

        def finish(self) -> None:
            pass

    demo.demo_seed(persons=500, seed=3, today=TODAY, county="623022", progress=Quiet())
    seed_events(county="623022", today=TODAY, seed=3, reporter=users["township_officer"])
    seed_prepregnancy(county="623022", today=TODAY, seed=3)
    seed_services(county="623022", today=TODAY, seed=3)
    seed_benefits(
        county="623022", today=TODAY, seed=3, users={"xiang_liulin": users["township_officer"]}
    )
    refresh_logged(trigger=RefreshRun.Trigger.COMMAND, prefix="623022", today=TODAY)
    duplicates_scan()
    return users


def _holders() -> list[masking.Holder]:
    from renkou.people.models import Child, Person
    from renkou.programs.models import CoupleFile

    pairs = list(Person.objects.exclude(id_number="").values_list("name", "id_number"))
    pairs += list(Child.objects.exclude(id_number="").values_list("name", "id_number"))
    pairs += [
        (c.husband_name, c.husband_id_number)
        for c in CoupleFile.objects.exclude(husband_id_number="")
    ]
    return masking.holders(pairs)


def _full_numbers() -> set[str]:
    from renkou.benefits.models import Beneficiary
    from renkou.people.models import Household, Person

    numbers = set(Person.objects.exclude(id_number="").values_list("id_number", flat=True))
    numbers |= set(Person.objects.exclude(phone="").values_list("phone", flat=True))
    numbers |= set(Household.objects.exclude(phone="").values_list("phone", flat=True))
    numbers |= set(Beneficiary.objects.exclude(account="").values_list("account", flat=True))
    return {n for n in numbers if len(n) >= 11}


def _start_urls(role: str) -> list[str]:
    from django.urls import reverse

    from tests.authz_policy import POLICY
    from tests.test_authz_matrix import endpoints

    return [
        reverse(e.name)
        for e in endpoints()
        if not e.kwarg_names
        and "GET" in POLICY[e.name].methods
        and role in POLICY[e.name].roles
        and e.name not in SKIPPED
    ]


def _texts(response) -> list[str]:
    """What the response shows, as texts to scan: the page, or each row of a spreadsheet with
    its column names."""
    kind = response.get("Content-Type", "")
    content = getattr(response, "content", None)
    if content is None:
        content = b"".join(response.streaming_content)
    if "spreadsheetml" in kind:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(__import__("io").BytesIO(content))
        table = sheet.get_sheet_by_index(0).to_python()
        header = [str(h) for h in table[0]] if table else []
        return [" | ".join(cells(header, [str(v) for v in row])) for row in table[1:]]
    if "html" in kind or "json" in kind:
        return [content.decode()]
    return []


def _posted(client, role: str, user) -> list[str]:
    """The layouts answering a POST search by ID number (a number of the role's own scope)."""
    from django.urls import reverse

    from renkou.people.models import Person

    number = (
        Person.objects.visible_to(user)
        .filter(sex="2", exited_at__isnull=True)
        .exclude(id_number="")
        .order_by("pk")
        .values_list("id_number", flat=True)
        .first()
    )
    searches = {
        "village_admin": [
            ("people:person_search_id", {"id_number": number}),
            ("events:person_lookup", {"field": "subject", "subject_q": number, "kind": "death"}),
            ("todo:item_list", {"id_number": number}),
            ("benefits:eligibility_search", {"id_number": number}),
        ],
        "technician": [("programs:rh_find", {"id_number": number})],
    }.get(role, [])
    texts = []
    for name, data in searches:
        answer = client.post(reverse(name), data, follow=True)
        # The number typed is in the search box again: the searcher knows it already.
        texts += [text.replace(number, "") for text in _texts(answer)]
    return texts


def _crawl(client, role: str) -> tuple[dict[str, int], list[str]]:
    """Opens the role's pages and the links they show (GET only, ``PER_ROUTE`` per URL name);
    returns the pages opened per URL name and the problems found."""
    from django.urls import Resolver404, resolve

    named, full = _holders(), _full_numbers()
    seen, opened, problems = set(), {}, []
    queue = _start_urls(role)
    while queue:
        url = queue.pop(0)
        try:
            match = resolve(url.split("?")[0])
        except Resolver404:
            continue
        name = match.view_name
        if url in seen or name in SKIPPED or opened.get(name, 0) >= PER_ROUTE:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened[name] = opened.get(name, 0) + 1
        for text in _texts(response):
            for found in masking.scan(text, named, TODAY, region="623022"):
                if found.candidates < masking.MIN_CANDIDATES:
                    problems.append(f"{url}: {found.masked} {found.who} → {found.candidates}")
            problems += [f"{url}: a full number" for n in full if n in text]
            queue += [u.replace("&amp;", "&") for u in LINK.findall(text)]
    return opened, problems


@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_page_with_a_masked_number_leaves_a_thousand_candidates(
    role, demo_county, signed_in_client, client
):
    """Issue 19 item 1: every page layout a role reaches from its menus (lists, person pages,
    card children, couple files, benefit pages, events, duplicates, quality lists,
    pre-pregnancy, RH pages, to-do lists, spreadsheets opened by a link), with the demo
    county's data: each masked number, with everything else the page shows about its holder,
    leaves at least 1,000 numbers; no page shows a full one. The answers to the POST searches
    by ID number are scanned the same way."""
    signed_in_client(demo_county[role])
    opened, problems = _crawl(client, role)
    named = _holders()
    for text in _posted(client, role, demo_county[role]):
        for found in masking.scan(text, named, TODAY, region="623022"):
            if found.candidates < masking.MIN_CANDIDATES:
                problems.append(f"POST search: {found.masked} {found.who} → {found.candidates}")
    assert problems == [], "\n".join(problems)
    # The crawl reached the layouts that show masked numbers to this role.
    expected = {
        "village_admin": {"people:person_list", "people:person_detail", "todo:item_list"},
        "township_officer": {"people:duplicate_detail", "programs:couple_detail"},
        "county_officer": {
            "reports:table_drill",
            "benefits:beneficiary_detail",
            "events:event_detail",
            "people:quality_list",
        },
        "technician": {"programs:rh_person", "programs:rh_check_list"},
        "finance": {"benefits:roll_detail"},
    }[role]
    assert expected <= set(opened), sorted(expected - set(opened))
