"""Unit levels and the length of the significant code prefix at each level (domain.md §10.2)."""

from django.db import models

# The permissions of the unit pages, named here because geo sits below accounts (an account
# belongs to a unit; docs/adr/0003-layers.md): accounts.constants.Perm refers to these, and the
# roles there grant them.
VIEW_UNIT = "geo.view_unit"
MANAGE_UNIT = "geo.manage_unit"
# The service network's details (opening hours, renovation, devices, licences): county officers.
MANAGE_NETWORK = "geo.manage_network"


class Level(models.IntegerChoices):
    PROVINCE = 1, "省"
    PREFECTURE = 2, "市/州"
    COUNTY = 3, "县"
    TOWNSHIP = 4, "乡镇"
    VILLAGE = 5, "村/居"


PREFIX_LENGTH: dict[int, int] = {
    Level.PROVINCE: 2,
    Level.PREFECTURE: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}


COUNTY_LENGTH = PREFIX_LENGTH[Level.COUNTY]
TOWNSHIP_LENGTH = PREFIX_LENGTH[Level.TOWNSHIP]


def prefix_of(code: str, level: Level) -> str:
    """The significant prefix of ``code`` at ``level``: the county's 6 digits of a village's
    code, a township's 9."""
    return code[: PREFIX_LENGTH[level]]


def county_of(code: str) -> str:
    return prefix_of(code, Level.COUNTY)


def township_of(code: str) -> str:
    return prefix_of(code, Level.TOWNSHIP)


def level_of(code: str) -> Level:
    """The level of a 12-digit code from its trailing zeros."""
    if code[9:] != "000":
        return Level.VILLAGE
    if code[6:9] != "000":
        return Level.TOWNSHIP
    if code[4:6] != "00":
        return Level.COUNTY
    if code[2:4] != "00":
        return Level.PREFECTURE
    return Level.PROVINCE


def full_code(prefix: str) -> str:
    return prefix.ljust(12, "0")
