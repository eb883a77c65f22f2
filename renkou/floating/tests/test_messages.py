"""协查 messages (issue 16 item 3): the 15/30-day deadline, Chinese messages with nothing
written, the overdue item on the unit's to-do list until the reply, scoping and versions."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import TOWNSHIP_A, make_user
from renkou.accounts.constants import Role
from renkou.common.actors import Actor, ConflictError
from renkou.floating import services
from renkou.floating.models import Message
from renkou.todo import services as todo
from renkou.todo.models import TodoItem

TODAY = date(2027, 6, 1)
VALUES = {
    "way": "in",
    "kind": "request",
    "urgent": True,
    "counterpart": "四川省成都市武侯区某街道",
    "subject": "流入育龄妇女一名",
    "question": "核实现孕情况",
    "dated_on": date(2027, 5, 1),
}


def register(personas, **change) -> Message:
    return services.message_register(
        actor=Actor(personas["township_officer"]),
        unit_code=TOWNSHIP_A,
        values={**VALUES, **change},
        today=TODAY,
    )


def test_urgent_is_due_in_15_days_others_in_30_and_configurable(personas, settings):
    assert register(personas).due_on == date(2027, 5, 16)
    assert register(personas, urgent=False).due_on == date(2027, 5, 31)
    settings.RENKOU_MESSAGE_NORMAL_DAYS = 20
    assert register(personas, urgent=False).due_on == date(2027, 5, 21)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"subject": ""}, "subject", "请填写协查对象"),
        ({"question": " "}, "question", "请填写协查事项"),
        ({"counterpart": ""}, "counterpart", "请填写对方地区或单位"),
        ({"dated_on": date(2027, 7, 1)}, "dated_on", "发出/收到日期不能晚于今天"),
        ({"kind": "xyz"}, "kind", "请选择类别"),
    ],
)
def test_bad_input_writes_nothing(personas, change, field, message):
    with pytest.raises(ValidationError) as caught:
        register(personas, **change)
    assert caught.value.message_dict[field] == [message]
    assert Message.objects.count() == 0


def open_items(on: date) -> list[tuple[int, bool]]:
    todo.refresh(None, on)
    rows = TodoItem.objects.filter(rule__code="floating_message", status="open")
    return [(i.anchor_id, i.overdue_on < on) for i in rows]


def test_overdue_on_the_list_until_the_reply(personas):
    message = register(personas)
    assert open_items(date(2027, 5, 10)) == [(message.pk, False)]
    assert open_items(TODAY) == [(message.pk, True)]  # past 16 May
    item = TodoItem.objects.get(rule__code="floating_message")
    assert item.unit_code == TOWNSHIP_A and item.person_id is None
    services.message_reply(
        actor=Actor(personas["township_officer"]),
        message=message,
        reply="已入户核实",
        replied_on=TODAY,
        version=1,
        today=TODAY,
    )
    assert open_items(TODAY) == []
    item.refresh_from_db()
    assert item.status == "done"


def test_reply_checks_dates_and_the_version(personas):
    message = register(personas)
    who = Actor(personas["township_officer"])
    with pytest.raises(ValidationError) as caught:
        services.message_reply(
            actor=who,
            message=message,
            reply="",
            replied_on=date(2027, 4, 1),
            version=1,
            today=TODAY,
        )
    assert caught.value.message_dict == {
        "reply": ["请填写反馈内容"],
        "replied_on": ["反馈日期不能早于发出/收到日期"],
    }
    services.message_reply(
        actor=who, message=message, reply="已核实", replied_on=TODAY, version=1, today=TODAY
    )
    with pytest.raises(ConflictError):
        services.message_reply(
            actor=who, message=message, reply="再次", replied_on=TODAY, version=1, today=TODAY
        )


def test_pages_scope_and_reply(personas, units, signed_in_client):
    message = register(personas)
    with time_machine.travel(
        datetime(2027, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        officer = signed_in_client(personas["township_officer"])
        page = officer.get(reverse("floating:message_list")).content.decode()
        assert "已逾期" in page and "流入育龄妇女一名" in page
        other = make_user("other_town", Role.TOWNSHIP_OFFICER, units["620001101000"])
        outsider = signed_in_client(other, c=type(officer)())
        detail = reverse("floating:message_detail", args=[message.pk])
        assert outsider.get(detail).status_code == 404
        url = reverse("floating:message_reply", args=[message.pk])
        bad = officer.post(url, {"reply": "", "replied_on": "2027-06-01", "version": "1"})
        assert "请填写反馈内容" in bad.content.decode()
        done = officer.post(url, {"reply": "已核实", "replied_on": "2027-06-01", "version": "1"})
        assert done.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.version) == ("replied", 2)
