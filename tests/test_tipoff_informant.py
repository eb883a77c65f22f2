"""Issue 18 item 1, "Done when": a tip-off's informant appears to no one but its handler. Every
page the role may open (each GET endpoint of the declared policy without an object, the
tip-off's own page, the audit log and its export) is read as every other role, and as the
handler every page but the tip-off's own, looking for the informant's name and phone: 0 hits.
The log lines of the whole walk are searched too. (An .xlsx download is compressed, so a byte
search proves nothing there: the tip-off export is read cell by cell in
renkou/tipoffs/tests/test_privacy.py.)"""

import logging

import pytest
from django.urls import reverse

from conftest import TOWNSHIP_A
from renkou.common.actors import Actor
from renkou.tipoffs import services
from tests.authz_policy import POLICY, PUBLIC
from tests.test_authz_matrix import endpoints

NAME, PHONE = "蔺秋棠", "13765432109"
SLOW = frozenset({"reports:table_pdf", "reports:bigscreen"})


@pytest.fixture
def handled(units, personas):
    tipoff, _code = services.tipoff_receive(
        actor=Actor(personas["township_officer"]),
        unit_code=TOWNSHIP_A,
        channel="phone",
        category="two_non",
        subject="某诊所",
        content="鉴定胎儿性别",
        informant_name=NAME,
        informant_contact=PHONE,
    )
    return services.tipoff_assign(
        actor=Actor(personas["county_officer"]),
        tipoff=tipoff,
        handler=personas["township_officer"],
        version=tipoff.version,
    )


def _pages(role: str):
    for e in endpoints():
        rule = POLICY[e.name]
        if e.kwarg_names or "GET" not in rule.methods or e.name in SLOW:
            continue
        if rule.roles == PUBLIC or role in rule.roles:
            yield reverse(e.name)


@pytest.mark.parametrize(
    "role", ["township_officer", "county_officer", "leader", "finance", "audit_admin"]
)
def test_no_page_shows_the_informant_but_the_handlers_view_of_the_tipoff(
    role, handled, personas, signed_in_client, caplog
):
    caplog.set_level(logging.DEBUG)
    client = signed_in_client(personas[role])
    urls = list(_pages(role))
    if role != "township_officer":  # the handler's own view of the tip-off shows it
        urls.append(reverse("tipoffs:detail", args=[handled.pk]))
    hits = []
    for url in urls:
        response = client.get(url, {"size": "50"})
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace")
        if NAME in body or PHONE in body:
            hits.append(url)
    assert hits == []
    assert NAME not in caplog.text and PHONE not in caplog.text
