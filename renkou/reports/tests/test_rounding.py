"""One rounding rule everywhere (issue 12 item 1): a value that lies on a half — 1 of 16 is
6.25 % — is shown, given out by the API and the command, exported and judged against a target
as 6.3 %, never 6.2 % (Python's round and "%.1f" round half to even). These producers rounded
to even before they shared ``renkou.common.figures``."""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from conftest import COUNTY
from renkou.assessment import indicators as service
from renkou.assessment import measures as M
from renkou.assessment.measures import MEASURES
from renkou.assessment.models import TaskQuota
from renkou.assessment.selectors import Progress
from renkou.benefits import figures as benefit_figures
from renkou.common.periods import fp_year
from renkou.geo.models import Unit
from renkou.people.quality import Figures as QualityFigures
from renkou.programs import figures as programs
from renkou.reports.selectors import figure_rows
from renkou.reports.tables.engine import show

TODAY = date(2026, 11, 29)


def test_service_indicators_in_the_api_rows(units, monkeypatch):
    monkeypatch.setattr(M, "counted", lambda *args, **kwargs: (1, 16))
    monkeypatch.setattr(M, "adjustment", lambda *args: 0)
    fig = service.figure("prepreg_coverage", COUNTY[:6], 2026, TODAY)
    assert (fig.value, fig.display) == (6.25, "6.3%")
    unit = Unit.objects.get(code=COUNTY)
    [row] = figure_rows(
        unit, period=fp_year(2026), calendar=False, scope="R", codes=["prepreg_coverage"]
    )
    assert (row["value"], row["value_display"], row["scope"]) == (6.3, "6.3%", "registered")


def test_pre_pregnancy_figures_and_their_target():
    town = "620001100"
    counts = {("early_follow_up", "n"): {town: 1}, ("early_follow_up", "d"): {town: 16}}
    fig = programs.unit_figures(town, 2026, counts)["early_follow_up"]
    assert fig.display == "6.3%" and fig.as_dict()["value"] == 6.3
    assert fig.gap == -73.7  # against the standing 80 % target, on the value as shown


def test_benefit_figures(monkeypatch):
    def counts(prefix, year, today, length):
        out = defaultdict(Counter)
        out[("coverage", "n")][prefix], out[("coverage", "d")][prefix] = 1, 16
        return out

    monkeypatch.setattr(benefit_figures, "_counts", counts)
    monkeypatch.setattr(benefit_figures, "_program_names", dict)
    fig = benefit_figures.evaluate("620001", 2026, TODAY)["coverage"]
    assert fig.display == "6.3%" and fig.rounded == 6.3


def test_quota_forecast_quality_rates_and_table_cells():
    quota = TaskQuota(
        unit_code=COUNTY,
        year=2026,
        measure="treatment",
        target=Decimal(1),
        deadline=date(2026, 9, 30),
    )
    progress = Progress(quota, MEASURES["treatment"], "", "620001", 0, None, 1, 0.25, 0, "behind")
    assert progress.as_dict()["forecast"] == 0.3
    assert QualityFigures.rate(1, 800) == 0.13  # 0.125 %: round gives 0.12
    assert show(6.25) == "6.3"
