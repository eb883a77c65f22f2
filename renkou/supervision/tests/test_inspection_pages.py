"""The inspection pages as the inspector and the township use them (issue 14 item 6): plan,
sample, verify, record a finding, issue a notice; the township responds with a photo; the
re-check closes it. The inspector's home and menu lead there."""

from datetime import date

import time_machine
from django.urls import reverse

from conftest import TOWNSHIP_A
from renkou.supervision.constants import RectStatus
from renkou.supervision.models import Finding, Inspection, Rectification, Sample
from renkou.supervision.tests.conftest import photo
from renkou.supervision.tests.test_inspections import done_items  # noqa: F401 fixture


def test_an_inspection_from_the_plan_to_the_closed_notice(
    done_items,  # noqa: F811
    units,
    personas,
    signed_in_client,
    client,
):
    inspector = personas["inspector"]
    with time_machine.travel(date(2027, 6, 10), tick=False):
        c = signed_in_client(inspector)  # signed in on the visit's day (the session's clock)
        home = c.get(reverse("home")).content.decode()
        assert "我的督查" in home and reverse("supervision:inspection_list") in home
        plan = {
            "kind": "topic",
            "title": "随访服务专项督查",
            "first_day": "2027-06-10",
            "days": "3",
            "every": "0",
            "period_start": "2027-01-01",
            "period_end": "2027-05-31",
            "units": [TOWNSHIP_A],
            "team": [str(inspector.pk)],
        }
        assert c.post(reverse("supervision:inspection_plan"), plan).status_code == 302
        visit = Inspection.objects.get()
        url = reverse("supervision:inspection_detail", args=[visit.pk])
        sizes = {"rh_due": "0", "births": "0", "benefits": "0", "todo_done": "0"}
        c.post(reverse("supervision:inspection_sample", args=[visit.pk]), sizes)
        assert not Sample.objects.exists()  # a sample of nothing is refused
        sizes["todo_done"] = "4"
        c.post(reverse("supervision:inspection_sample", args=[visit.pk]), sizes)
        c.post(reverse("supervision:inspection_start", args=[visit.pk]))
        page = c.get(url).content.decode()
        visit.refresh_from_db()
        assert str(visit.seed) in page and Sample.objects.count() == 4
        row = Sample.objects.first()
        c.post(reverse("supervision:sample_verify", args=[row.pk]), {"outcome": "not_found"})
        c.post(
            reverse("supervision:finding_add", args=[visit.pk]),
            {
                "topic": "todo_done",
                "severity": "major",
                "text": "1例随访查无此人",
                "deduction": "1",
            },
        )
        finding = Finding.objects.get()
        c.post(
            reverse("supervision:notice_issue", args=[finding.pk]),
            {"requirement": "核实并更正随访记录", "deadline": "2027-06-30"},
        )
        client.logout()
    row.refresh_from_db()
    assert row.outcome == "not_found"
    notice = Rectification.objects.get()
    township = signed_in_client(personas["township_officer"])
    respond = reverse("supervision:notice_respond", args=[notice.pk])
    township.post(respond, {"response": "已更正"})
    notice.refresh_from_db()
    assert notice.status == RectStatus.ISSUED  # no photo: refused
    township.post(respond, {"response": "已更正，附入户照片", "photo": photo()})
    notice.refresh_from_db()
    assert notice.status == RectStatus.RESPONDED
    client.logout()
    c = signed_in_client(inspector)
    c.post(reverse("supervision:notice_recheck", args=[notice.pk]), {"passed": "1", "note": "属实"})
    notice.refresh_from_db()
    assert notice.status == RectStatus.CLOSED
    page = c.get(reverse("supervision:notice_detail", args=[notice.pk])).content.decode()
    assert "复查通过，已销号" in page
