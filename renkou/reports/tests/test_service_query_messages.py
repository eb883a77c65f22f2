"""A statutory table's cells list persons: a service measure over 协查 messages (the floating
reply timeliness) is refused in a table definition, while a person measure is accepted."""

import pytest

from renkou.floating import figures
from renkou.reports.tables.queries import DefinitionError
from renkou.reports.tables.service_queries import ServiceQuery


def test_a_measure_over_messages_is_refused():
    with pytest.raises(DefinitionError, match="不是人员名册"):
        ServiceQuery().check({"measure": figures.TIMELY_CODE})
    ServiceQuery().check({"measure": figures.CODE})  # the check rate lists persons
