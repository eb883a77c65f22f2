"""Canonical values of the drill's table checksums (renkou.common.tablesums): the same stored
datum compares equal whichever backend returned it, and different data stays different."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import models

from renkou.common.tablesums import canonical

# SQLite hands back a naive UTC datetime where PostgreSQL gives an aware one.
NAIVE_UTC = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("kind", "one", "other"),
    [
        (models.BooleanField(), 1, True),
        (
            models.DateTimeField(),
            NAIVE_UTC,
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        ),
        (models.DateTimeField(), "2026-01-02 03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (models.DecimalField(max_digits=6, decimal_places=2), Decimal("1.5"), Decimal("1.50")),
        (models.JSONField(), '{"b": 1, "a": [1, 2]}', '{"a":[1,2],"b":1}'),
        (
            models.UUIDField(),
            "12345678123456781234567812345678",
            "12345678-1234-5678-1234-567812345678",
        ),
        (models.DurationField(), 90_000_000, timedelta(seconds=90)),
        (None, memoryview(b"\x01\x02"), b"\x01\x02"),
    ],
)
def test_canonical_values_of_the_two_backends_compare(kind, one, other):
    assert canonical(one, kind) == canonical(other, kind)


@pytest.mark.parametrize(
    ("kind", "one", "other"),
    [
        (models.BooleanField(), 0, True),
        (
            models.DateTimeField(),
            NAIVE_UTC,
            datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC),
        ),
        (models.DecimalField(max_digits=6, decimal_places=2), Decimal("1.5"), Decimal("1.51")),
        (models.JSONField(), '{"a": 1}', '{"a": 2}'),
        (None, "1", 1),
    ],
)
def test_canonical_values_keep_differences(kind, one, other):
    assert canonical(one, kind) != canonical(other, kind)
