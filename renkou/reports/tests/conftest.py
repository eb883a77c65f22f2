"""The scenarios of the service tables (test_service_tables.py) come from the apps whose
records they count: the pre-pregnancy files of ``renkou.programs.tests`` and the RH checks and
treatments of ``renkou.assessment.tests``, with the risk-factor dictionary they need."""

from renkou.assessment.tests.conftest import rh, stations  # noqa: F401 — fixtures
from renkou.programs.tests.conftest import (  # noqa: F401 — fixtures
    point,
    risk_dictionary,
    scenario,
    staff,
)
