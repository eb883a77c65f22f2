"""A small county with data in every module, for the crawl and the browser tests.

The test county of ``conftest`` (620001: 2 townships × 2 villages) filled by the same
generators as ``make run``'s demo county (``renkou.*.demo``), with a few hundred persons: every
list has rows (more than one page where paging matters), every detail page a link to it, and the
figures are not all zero. One account per role, named after the role (``village_admin`` …).
"""

from datetime import date

from conftest import COUNTY, PERSONA_UNITS, build_units, make_user

COUNTY_PREFIX = COUNTY[:6]
PERSONS = 240


def build_crawl_county(today: date) -> dict:
    """Units, one account per role, and the demo data of every module as of ``today``."""
    from renkou.assessment import demo as assessment_demo
    from renkou.benefits import demo as benefits_demo
    from renkou.cases import demo as cases_demo
    from renkou.events import demo as events_demo
    from renkou.floating import demo as floating_demo
    from renkou.people import demo as people_demo
    from renkou.programs import demo as programs_demo
    from renkou.programs import rh_demo
    from renkou.supervision import demo as supervision_demo
    from renkou.tipoffs import demo as tipoffs_demo
    from renkou.todo.models import RefreshRun
    from renkou.todo.services import refresh_logged

    units = build_units()
    users = {
        role.value: make_user(role.value, role, units[code], full_name=f"{role.label}甲")
        for role, code in PERSONA_UNITS.items()
    }
    people_demo.demo_seed(persons=PERSONS, county=COUNTY_PREFIX, today=today, progress=_Quiet())
    reporter = users["township_officer"]
    events_demo.seed_events(county=COUNTY_PREFIX, today=today, seed=7, reporter=reporter, years=2)
    programs_demo.seed_prepregnancy(county=COUNTY_PREFIX, today=today, seed=7)
    rh_demo.seed_services(county=COUNTY_PREFIX, today=today, seed=7)
    benefits_demo.seed_benefits(
        county=COUNTY_PREFIX, today=today, seed=7, users={"xiang_liulin": reporter}
    )
    assessment_demo.seed_assessment(county=COUNTY_PREFIX, today=today)
    assessment_demo.seed_staff(county=COUNTY_PREFIX, today=today)
    supervision_demo.seed_tasks(county=COUNTY_PREFIX, today=today)
    supervision_demo.seed_inspections(county=COUNTY_PREFIX, today=today)
    tipoffs_demo.seed_tipoffs(county=COUNTY_PREFIX, today=today)
    cases_demo.seed_cases(county=COUNTY_PREFIX, today=today)
    floating_demo.seed_floating(county=COUNTY_PREFIX, today=today)
    refresh_logged(trigger=RefreshRun.Trigger.COMMAND, today=today)
    return {"units": units, "users": users}


class _Quiet:
    """A progress bar that prints nothing."""

    def update(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass
