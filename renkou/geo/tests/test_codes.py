"""The unit-code helpers of ``renkou.geo.constants`` (GB/T 2260 + the statistical division
code: 6 digits county, 9 township, 12 village), the one place the level lengths live."""

from renkou.geo.constants import (
    COUNTY_LENGTH,
    TOWNSHIP_LENGTH,
    Level,
    county_of,
    full_code,
    level_of,
    prefix_of,
    township_of,
)

VILLAGE = "623022100201"  # 卓尼县 柳林镇 a village


def test_the_prefixes_of_a_village_code():
    assert county_of(VILLAGE) == "623022"
    assert township_of(VILLAGE) == "623022100"
    assert prefix_of(VILLAGE, Level.VILLAGE) == VILLAGE
    assert prefix_of(VILLAGE, Level.PROVINCE) == "62"
    assert (COUNTY_LENGTH, TOWNSHIP_LENGTH) == (6, 9)


def test_a_prefix_back_to_the_unit_it_names():
    assert full_code(township_of(VILLAGE)) == "623022100000"
    assert level_of(full_code(county_of(VILLAGE))) == Level.COUNTY
    assert level_of(full_code(township_of(VILLAGE))) == Level.TOWNSHIP
    assert level_of(VILLAGE) == Level.VILLAGE
