"""The unit tree: the idempotent loader with history, subtree scoping (the one chokepoint) and
404 + audit for anything outside the caller's subtree (house style rule 4; security.md AZ2)."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from conftest import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_VILLAGE,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    VILLAGE_B2,
)
from renkou.common.models import AuditEntry
from renkou.geo import selectors, services
from renkou.geo.constants import Level
from renkou.geo.models import ServicePoint, Unit
from renkou.geo.scope import get_visible_or_404

pytestmark = pytest.mark.django_db

NEW_COUNTY = "620003"
DAY_1, DAY_2 = date(2024, 1, 1), date(2024, 7, 1)
ROWS = [
    ("620003000000", "新县", Level.COUNTY),
    ("620003100000", "东镇", Level.TOWNSHIP),
    ("620003101000", "西乡", Level.TOWNSHIP),
    ("620003100201", "东一村", Level.VILLAGE),
    ("620003100202", "东二村", Level.VILLAGE),
    ("620003101201", "西一村", Level.VILLAGE),
]


def load(rows, on=DAY_1):
    return services.units_load(rows=rows, county_code=NEW_COUNTY, valid_from=on)


def snapshot():
    return sorted(
        Unit.objects.subtree(NEW_COUNTY).values_list(
            "pk", "code", "name", "level", "parent_id", "valid_from", "valid_to"
        )
    )


def current(code: str) -> Unit:
    return Unit.objects.current().get(code=code)


def test_first_load_creates_the_tree():
    report = load(ROWS)
    assert sorted(report.added) == sorted(code for code, _, _ in ROWS)
    assert current("620003100201").parent == current("620003100000")
    assert current("620003100000").parent == current("620003000000")
    assert current("620003000000").parent is None
    assert current("620003100201").prefix == "620003100201"
    assert current("620003100000").prefix == "620003100"


def test_second_load_changes_nothing():
    load(ROWS)
    before = snapshot()
    report = load(ROWS, on=DAY_2)
    assert report.changed == 0
    assert report.unchanged == len(ROWS)
    assert snapshot() == before


def test_load_is_audited():
    load(ROWS)
    load(ROWS, on=DAY_2)
    entries = list(AuditEntry.objects.filter(action="units.load").order_by("seq"))
    assert [(e.object_id, e.row_count) for e in entries] == [
        (NEW_COUNTY, len(ROWS)),
        (NEW_COUNTY, 0),
    ]


def test_rename_keeps_history_and_moves_the_children():
    load(ROWS)
    old = current("620003100000")
    renamed = [(c, "东街道" if c == "620003100000" else n, lv) for c, n, lv in ROWS]
    report = load(renamed, on=DAY_2)
    assert len(report.renamed) == 1
    assert report.added == [] and report.retired == []

    rows = Unit.objects.filter(code="620003100000").order_by("valid_from")
    assert [(u.name, u.valid_from, u.valid_to) for u in rows] == [
        ("东镇", DAY_1, DAY_2),
        ("东街道", DAY_2, None),
    ]
    new = current("620003100000")
    assert new.pk != old.pk
    assert {u.code for u in new.children.current()} == {"620003100201", "620003100202"}
    assert not old.children.exists()
    assert new.parent == current("620003000000")
    # The unit as it was on a date still resolves to the right name.
    assert Unit.objects.current(on=date(2024, 3, 1)).get(code="620003100000").name == "东镇"
    assert Unit.objects.current(on=DAY_2).get(code="620003100000").name == "东街道"


def test_a_code_no_longer_listed_is_retired_not_deleted():
    load(ROWS)
    village = current("620003101201")
    report = load([r for r in ROWS if r[0] != "620003101201"], on=DAY_2)
    assert report.retired == ["620003101201"]
    village.refresh_from_db()
    assert village.valid_to == DAY_2
    assert not Unit.objects.current().filter(code="620003101201").exists()
    assert Unit.objects.filter(code="620003101201").count() == 1


def test_load_leaves_other_counties_alone(units):
    before = sorted(Unit.objects.subtree("620001").values_list("pk", "name", "valid_to"))
    load(ROWS)
    load(ROWS[:3], on=DAY_2)
    assert sorted(Unit.objects.subtree("620001").values_list("pk", "name", "valid_to")) == before


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


COUNTY_TREE = {COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, VILLAGE_B2}


def test_subtree_is_exactly_the_prefix(units):
    assert codes(Unit.objects.subtree("620001100")) == {TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2}
    assert codes(Unit.objects.subtree("620001")) == COUNTY_TREE
    assert codes(Unit.objects.subtree(VILLAGE_A1)) == {VILLAGE_A1}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("village_admin", {VILLAGE_A1}),
        ("township_officer", {TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2}),
        ("technician", {TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2}),
        ("county_officer", COUNTY_TREE),
        ("leader", COUNTY_TREE),
        ("sys_admin", COUNTY_TREE),
    ],
)
def test_visible_to_is_the_users_subtree(personas, role, expected):
    assert codes(Unit.objects.visible_to(personas[role])) == expected


def test_a_county_wide_role_sees_the_county_wherever_it_sits(personas, units):
    admin = personas["sys_admin"]
    admin.unit = units[VILLAGE_B2]
    admin.save()
    assert codes(Unit.objects.visible_to(admin)) == COUNTY_TREE


def test_disabled_and_anonymous_users_see_nothing(personas):
    from django.contrib.auth.models import AnonymousUser

    user = personas["county_officer"]
    user.is_active = False
    user.save()
    assert not Unit.objects.visible_to(user).exists()
    assert not Unit.objects.visible_to(AnonymousUser()).exists()


def test_get_visible_or_404_returns_a_unit_in_scope(personas, units):
    unit = get_visible_or_404(Unit, personas["village_admin"], code=VILLAGE_A1)
    assert unit == units[VILLAGE_A1]


def test_get_visible_or_404_hides_and_audits_a_unit_outside(personas, units):
    user = personas["village_admin"]
    with pytest.raises(Http404):
        get_visible_or_404(Unit.objects.current(), user, code=VILLAGE_A2)
    entry = AuditEntry.objects.get(action="authz.denied")
    assert (entry.user_id, entry.object_type, entry.object_id, entry.result) == (
        user.pk,
        "geo.unit",
        str(units[VILLAGE_A2].pk),
        "denied",
    )


def test_get_visible_or_404_for_a_missing_unit_writes_no_denial(personas):
    with pytest.raises(Http404):
        get_visible_or_404(Unit, personas["village_admin"], code="999999999999")
    assert not AuditEntry.objects.filter(action="authz.denied").exists()


def detail(code: str) -> str:
    return reverse("geo:unit_detail", args=[code])


def test_village_user_sees_own_village_not_the_sibling(personas, signed_in_client):
    client = signed_in_client(personas["village_admin"])
    assert client.get(detail(VILLAGE_A1)).status_code == 200
    response = client.get(detail(VILLAGE_A2))
    assert response.status_code == 404
    assert "甲二村" not in response.content.decode()
    assert client.get(detail(OTHER_VILLAGE)).status_code == 404
    assert client.get(detail(TOWNSHIP_A)).status_code == 404
    assert AuditEntry.objects.filter(action="authz.denied").count() == 3


def test_township_officer_sees_own_villages_only(personas, signed_in_client):
    client = signed_in_client(personas["township_officer"])
    assert client.get(detail(VILLAGE_A2)).status_code == 200
    assert client.get(detail(VILLAGE_B1)).status_code == 404
    assert client.get(detail(OTHER_COUNTY)).status_code == 404


def test_unit_list_is_ordered_for_paging(personas):
    units = selectors.unit_list(personas["county_officer"])
    assert units.ordered
    listed = [u.code for u in units]
    assert listed == sorted(COUNTY_TREE)


def test_load_divisions_loads_a_real_county():
    out = io.StringIO()
    call_command("load_divisions", "--county", "623022", stdout=out)
    tree = Unit.objects.current().subtree("623022")
    assert tree.filter(level=Level.COUNTY).count() == 1
    assert tree.filter(level=Level.TOWNSHIP).count() == 15
    assert tree.filter(level=Level.VILLAGE).count() == 100
    for village in tree.filter(level=Level.VILLAGE).select_related("parent"):
        assert village.parent.level == Level.TOWNSHIP
        assert village.code.startswith(village.parent.prefix)
    assert ServicePoint.objects.filter(unit__in=tree).count() == 16

    before = sorted(Unit.objects.values_list("pk", "code", "name", "parent_id", "valid_to"))
    points = ServicePoint.objects.count()
    again = io.StringIO()
    call_command("load_divisions", "--county", "623022", stdout=again)
    assert sorted(Unit.objects.values_list("pk", "code", "name", "parent_id", "valid_to")) == before
    assert ServicePoint.objects.count() == points
    last = AuditEntry.objects.filter(action="units.load").order_by("-seq").first()
    assert last.row_count == 0
    assert "新增 0，更名 0，停用 0" in again.getvalue()


# The probe's 13 variants of a bad level (issue 19 item 4): each answered 500.
BAD_LEVELS = [
    "abc",
    "1.5",
    "-1",
    "0",
    "6",
    "99999999999999999999999",
    "５",
    " ",
    "1 OR 1=1",
    "<script>",
    "%00",
    "5' --",
    "x" * 5000,
]


@pytest.mark.parametrize("level", BAD_LEVELS)
def test_a_bad_level_is_no_filter_not_a_server_error(personas, signed_in_client, level):
    client = signed_in_client(personas["township_officer"])
    response = client.get(reverse("geo:unit_list"), {"level": level})
    assert response.status_code == 200
    assert "甲一村" in response.content.decode()  # the whole list, unfiltered


def test_a_good_level_filters(personas, signed_in_client):
    client = signed_in_client(personas["township_officer"])
    everything = client.get(reverse("geo:unit_list")).content.decode()
    body = client.get(reverse("geo:unit_list"), {"level": "5"}).content.decode()
    assert "620001100000" in everything  # the township's own row
    assert "620001100201" in body and "620001100000" not in body
