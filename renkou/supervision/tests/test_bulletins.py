"""Bulletins (通报, issue 14 item 6): generated from the findings, a draft for the inspectors,
published to every township, printed as a PDF."""

from decimal import Decimal

import time_machine
from django.urls import reverse

from renkou.common.actors import Actor
from renkou.supervision import inspections
from renkou.supervision.models import Bulletin
from renkou.supervision.tests.test_inspections import DAY, _visit


def test_a_bulletin_of_the_findings_is_published_to_the_townships_and_prints(
    units, personas, signed_in_client, client
):
    inspector = Actor(personas["inspector"])
    visit = _visit(personas)
    with time_machine.travel(DAY, tick=False):
        inspections.start(actor=inspector, inspection=visit)
        inspections.finding_add(
            actor=inspector,
            inspection=visit,
            topic="",
            severity="serious",
            text="服务站未按要求改造",
            deduction=Decimal(2),
        )
    c = signed_in_client(personas["inspector"])
    form = {
        "title": "督查通报",
        "number": "测卫计督〔2027〕1号",
        "preface": "",
        "last_day": "2027-06-30",
    }
    response = c.post(reverse("supervision:bulletin_create"), {**form, "first_day": "2027-06-11"})
    assert "该期间没有督查发现的问题" in response.content.decode()
    assert not Bulletin.objects.exists()
    c.post(reverse("supervision:bulletin_create"), {**form, "first_day": "2027-06-01"})
    bulletin = Bulletin.objects.get()
    client.logout()
    township = signed_in_client(personas["township_officer"])
    detail = reverse("supervision:bulletin_detail", args=[bulletin.pk])
    assert township.get(detail).status_code == 404  # a draft
    client.logout()
    c = signed_in_client(personas["inspector"])
    c.post(reverse("supervision:bulletin_publish", args=[bulletin.pk]))
    client.logout()
    township = signed_in_client(personas["township_officer"])
    assert "服务站未按要求改造" in township.get(detail).content.decode()
    pdf = township.get(reverse("supervision:bulletin_pdf", args=[bulletin.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert bulletin.findings.count() == 1
