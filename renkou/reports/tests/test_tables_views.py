"""Table pages: figures and links, name lists (count = cell, scoped, masked), leaders see
numbers only, .xlsx and PDF read back, and submission: lock, county return, re-submission and
the county's list of townships that have not submitted."""

import re
import subprocess
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1
from renkou.common.actors import Actor
from renkou.common.models import AuditEntry
from renkou.events.constants import Kind
from renkou.events.services import record
from renkou.reports.models import TableSubmission
from renkou.reports.tables import engine, pdf
from renkou.reports.tests.test_tables import TODAY, build_county

GR1 = {"table": "gr1", "unit": COUNTY, "period": "2024", "scope": "registered"}
# 国人口统1表, FP 2024, the county (counted by hand in test_tables.py): 合计 first.
GR1_ROWS = [
    ["合计", "12", "7", "0", "3", "1", "2", "2", "0", "0", "1", "0"],
    ["甲镇", "6", "4", "0", "1", "0", "1", "1", "0", "0", "0", "0"],
    ["乙乡", "6", "3", "0", "2", "1", "1", "1", "0", "0", "1", "0"],
]
ROW = re.compile(r'<tr class="stat-(?:total|unit|other)">(.*?)</tr>', re.S)
CELL = re.compile(r"<t[hd][^>]*>(?:<a [^>]*>)?(.*?)(?:</a>)?</t[hd]>", re.S)


@pytest.fixture
def county(units, personas):
    return build_county(personas)


def _url(name, params, *args):
    return f"{reverse(name, args=args)}?{urlencode(params)}"


def _page_rows(html):
    return [[c.strip() for c in CELL.findall(row)] for row in ROW.findall(html)]


def _get(client, signed_in_client, user, name, params, *args):
    signed_in_client(user)
    return client.get(_url(name, params, *args))


def test_the_page_shows_the_hand_counted_table_with_linked_cells(
    county, personas, client, signed_in_client
):
    response = _get(client, signed_in_client, personas["county_officer"], "reports:table_view", GR1)
    html = response.content.decode()
    assert response.status_code == 200
    assert _page_rows(html) == GR1_ROWS
    assert "国人口统1表" in html and "本系统未采集" not in html
    drill = reverse("reports:table_drill", args=[COUNTY])
    assert f'href="{drill}?table=gr1&amp;col=births&amp;period=2024&amp;scope=registered"' in html


def test_the_table_list_says_what_the_role_can_do(county, personas, client, signed_in_client):
    """Issue 11 item 17: leaders get no name lists, and the page must not promise them."""
    leader = _get(client, signed_in_client, personas["leader"], "reports:table_list", {})
    text = leader.content.decode()
    assert "每个数字均可查看名单" not in text and "不显示人员名单" in text
    officer = _get(client, signed_in_client, personas["county_officer"], "reports:table_list", {})
    assert "可查看该数字的人员名单" in officer.content.decode()


def test_leaders_see_the_numbers_without_name_lists(county, personas, client, signed_in_client):
    leader = personas["leader"]
    response = _get(client, signed_in_client, leader, "reports:table_view", GR1)
    assert _page_rows(response.content.decode()) == GR1_ROWS
    assert "/tables/drill/" not in response.content.decode()
    params = {"table": "gr1", "col": "births", "period": "2024"}
    assert (
        _get(client, signed_in_client, leader, "reports:table_drill", params, COUNTY).status_code
        == 403
    )


def test_a_name_list_has_as_many_rows_as_its_cell(county, personas, client, signed_in_client):
    officer = personas["county_officer"]
    params = {"table": "mwcba_parity", "col": "mwcba", "period": "2024", "size": "50"}
    response = _get(client, signed_in_client, officer, "reports:table_drill", params, COUNTY)
    html = response.content.decode()
    assert "共 7 条" in html
    names = {"卓玛", "德吉", "拉姆", "央金", "王芳", "卓嘎", "次仁"}
    assert all(name in html for name in names) and "贡布" not in html
    entry = AuditEntry.objects.filter(action="report.drilldown").latest("seq")
    assert entry.row_count == 7 and "col=mwcba" in entry.summary
    births = {"table": "gr1", "col": "late", "period": "2024"}
    html = _get(
        client, signed_in_client, officer, "reports:table_drill", births, TOWNSHIP_B
    ).content.decode()
    assert "共 1 条" in html and "卓嘎" in html and "2023-09-20" in html


def test_name_lists_and_tables_outside_the_scope_are_404(
    county, personas, client, signed_in_client
):
    officer = personas["township_officer"]  # 甲镇
    params = {"table": "gr1", "col": "births", "period": "2024"}
    assert (
        _get(
            client, signed_in_client, officer, "reports:table_drill", params, TOWNSHIP_B
        ).status_code
        == 404
    )
    assert (
        _get(
            client, signed_in_client, officer, "reports:table_view", {**GR1, "unit": TOWNSHIP_B}
        ).status_code
        == 404
    )
    own = _get(client, signed_in_client, officer, "reports:table_view", {**GR1, "unit": TOWNSHIP_A})
    rows = _page_rows(own.content.decode())
    assert [r[:3] for r in rows] == [["合计", "6", "4"], ["甲一村", "5", "3"], ["甲二村", "1", "1"]]


def test_a_period_the_table_does_not_allow_is_explained(county, personas, client, signed_in_client):
    response = _get(
        client,
        signed_in_client,
        personas["county_officer"],
        "reports:table_view",
        {**GR1, "table": "fp_month"},
    )
    assert response.status_code == 200
    assert "只能按月报的期间填报" in response.content.decode()


def test_the_xlsx_holds_the_page_values_as_numbers(county, personas, client, signed_in_client):
    user = personas["county_officer"]
    page = _page_rows(
        _get(client, signed_in_client, user, "reports:table_view", GR1).content.decode()
    )
    response = client.get(_url("reports:table_xlsx", GR1))
    assert response.status_code == 200
    sheet = (
        CalamineWorkbook.from_filelike(BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    first = next(i for i, row in enumerate(sheet) if row[0] == "合计")
    body = sheet[first : first + len(page)]
    assert all(isinstance(v, int | float) for v in body[0][1:] if v != "—")
    as_text = [
        [row[0], *("—" if v == "—" else str(int(v)) for v in row[1 : len(page[0])])] for row in body
    ]
    assert as_text == page == GR1_ROWS
    text = [str(c) for row in sheet for c in row if c != ""]
    assert "年度人口与出生情况" in text and "填报单位：测试县" in text
    # The national form's heading and footer (人口厅函[2008]165号): 有效期, 地区, and
    # 报出日期 / 统计负责人 / 填表人.
    assert "表　　号：国人口统1表" in text and f"填表人：{user}" in text
    assert "批准机关：国家统计局　批准文号：国统制〔2008〕78号" in text
    assert "有效期：2011年8月" in text and "地区" in text and "单位名称" not in text
    assert any(t.startswith("统计负责人：") for t in text)
    assert any(t.startswith("报出日期：") for t in text)


def pdf_by_job(client, params, capture):
    """The PDF as the page gets it: queued on the worker (issue 11 item 10: typesetting takes
    seconds), then downloaded from the 后台任务 page."""
    from renkou.common.models import JobProgress

    with capture(execute=True):
        response = client.post(reverse("reports:table_pdf"), params)
    assert response.status_code == 302 and response["Location"] == reverse("system:job_list")
    job = JobProgress.objects.filter(kind="table_pdf").latest("pk")
    assert job.status == JobProgress.Status.DONE, job.message
    from django.conf import settings

    from renkou.common import vault

    assert vault.is_sealed(Path(settings.MEDIA_ROOT) / job.result_file)  # encrypted at rest
    download = client.get(reverse("system:job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    return b"".join(download.streaming_content)


def test_the_pdf_reads_back_with_heading_values_and_page_numbers(
    county, personas, client, signed_in_client, django_capture_on_commit_callbacks
):
    signed_in_client(personas["county_officer"])
    content = pdf_by_job(
        client, {**GR1, "reviewer": "审核员甲"}, django_capture_on_commit_callbacks
    )
    assert content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert "年度人口与出生情况" in text and "国人口统1表" in text
    assert "填报单位：测试县" in text and "统计负责人：审核员甲" in text and "填表人" in text
    assert "有效期：2011年8月" in text and "报出日期" in text
    assert re.search(r"合计\s+12\s+7\s+0\s+3\s+1\s+2\s+2\s+0\s+0\s+1\s+0", text)
    # pdftotext -layout drops the narrow spaces around the numbers of "第 1 页 共 1 页".
    assert "第1页共1页" in re.sub(r"\s", "", text)


def test_css_strings_cannot_break_out():
    assert str(pdf.css_string('a"b</style>')) == '"a\\22 b\\3c \\2f style\\3e "'


# --- submission --------------------------------------------------------------------------------


def _submit(client, **data):
    values = {"table": "gr1", "period": "2024", "scope": "registered", **data}
    return client.post(reverse("reports:table_submit"), values)


def test_submit_lock_return_and_resubmit(county, personas, client, signed_in_client):
    township = personas["township_officer"]
    signed_in_client(township)
    response = _submit(client, reviewer="审核员乙")
    assert response.status_code == 302
    first = TableSubmission.objects.get(unit_code=TOWNSHIP_A, table="gr1", period="2024")
    assert (first.version, first.status, first.reviewer) == (1, "submitted", "审核员乙")
    frozen = engine.thaw(
        engine.tables()["gr1"],
        first,
        township.unit,
        engine.read_period(engine.tables()["gr1"], "2024"),
    )
    assert frozen.total.values[:4] == [
        6,
        4,
        0,
        1,
    ]  # one-child certificates now counted: none in 甲镇
    # Locked: a second submission is refused until the county returns the first.
    _submit(client)
    assert TableSubmission.objects.filter(unit_code=TOWNSHIP_A).count() == 1
    # A township officer cannot return, not even its own table.
    back = reverse("reports:table_return", args=[first.pk])
    assert client.post(back, {"reason": "自行退回"}).status_code == 403
    # The county sees 甲镇 submitted and 乙乡 missing, then returns 甲镇's version.
    signed_in_client(personas["county_officer"])
    status = client.get(_url("reports:table_status", {"table": "gr1", "period": "2024"}))
    html = status.content.decode()
    assert "已上报 <strong>0</strong>" not in html and "未上报 <strong>2</strong>" in html
    assert html.index("甲镇") < html.index("已上报</span>") < html.index("乙乡")
    assert client.post(back, {"reason": ""}).status_code == 302
    assert TableSubmission.objects.get(pk=first.pk).status == "submitted"  # a reason is needed
    client.post(back, {"reason": "出生数待核实"})
    assert TableSubmission.objects.get(pk=first.pk).status == "returned"
    # Data changes after the first version; the township re-submits version 2.
    record(
        actor=Actor(personas["county_officer"]),
        kind=Kind.DEATH,
        person=county["w2"],
        effective_date=date(2024, 9, 1),
        today=TODAY,
    )
    signed_in_client(township)
    _submit(client)
    second = TableSubmission.objects.get(unit_code=TOWNSHIP_A, version=2)
    assert second.status == "submitted" and second.cells["rows"][-1]["values"][:2] == [5, 3]
    view = client.get(_url("reports:table_view", {**GR1, "unit": TOWNSHIP_A, "version": "1"}))
    assert _page_rows(view.content.decode())[0][:3] == ["合计", "6", "4"]  # frozen, not live
    actions = list(
        AuditEntry.objects.filter(object_type="reports.tablesubmission")
        .order_by("seq")
        .values_list("action", "summary")
    )
    assert [a for a, _s in actions] == [
        "report.submit",
        "authz.denied",
        "report.return",
        "report.submit",
    ]
    assert all("核实" not in s and "table=gr1" in s for a, s in actions if a != "authz.denied")


def test_only_ended_periods_and_submitting_levels_may_submit(
    county, personas, client, signed_in_client
):
    signed_in_client(personas["township_officer"])
    this_month = timezone.localdate().strftime("%Y-%m")
    _submit(client, table="fp_month", period=this_month)
    assert not TableSubmission.objects.exists()
    signed_in_client(personas["village_admin"])
    assert _submit(client).status_code == 403
    assert not TableSubmission.objects.exists()


def test_the_status_page_lists_every_township(county, personas, client, signed_in_client):
    TableSubmission.objects.create(
        unit_code=TOWNSHIP_B,
        table="gr1",
        period="2024",
        scope="R",
        submitted_by=personas["county_officer"],
        submitted_at="2024-10-08T09:00:00+08:00",
    )
    officer = personas["county_officer"]
    html = _get(
        client,
        signed_in_client,
        officer,
        "reports:table_status",
        {"table": "gr1", "period": "2024"},
    ).content.decode()
    assert "已上报 <strong>1</strong>" in html and "未上报 <strong>2</strong>" in html  # 甲镇, 县
    params = {"table": "gr1", "period": "2024"}
    township = _get(
        client, signed_in_client, personas["township_officer"], "reports:table_status", params
    ).content.decode()
    assert "甲镇" in township and "乙乡" not in township and "退回</button>" not in township


def test_a_village_table_is_its_own_row(county, personas, client, signed_in_client):
    html = _get(
        client,
        signed_in_client,
        personas["village_admin"],
        "reports:table_view",
        {**GR1, "unit": VILLAGE_A1},
    ).content.decode()
    assert [r[:3] for r in _page_rows(html)] == [["合计", "5", "3"], ["甲一村", "5", "3"]]
