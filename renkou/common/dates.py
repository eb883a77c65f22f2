"""Today, in the county's time zone (settings.TIME_ZONE, Asia/Shanghai): the one definition the
pages and services read. Tests move the clock with time-machine rather than patching it."""

from datetime import date

from django.utils import timezone


def today() -> date:
    """The local date now: what a 今天 on any page means."""
    return timezone.localdate()
