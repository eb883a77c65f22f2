"""Shared plumbing: the date field county staff type into, the client address behind proxies,
and the log filter that masks personal data (security.md AD5)."""

import io
import logging
from datetime import date

import pytest
from django import forms
from django.test import RequestFactory

from renkou.common.forms import DateField
from renkou.common.logging import ScrubPersonalData
from renkou.common.middleware import client_ip

MARCH_5 = date(2024, 3, 5)


@pytest.mark.parametrize(
    "typed",
    [
        "2024-03-05",
        "2024-3-5",
        "2024/3/5",
        "2024/03/05",
        "2024.03.05",
        "20240305",
        "2024年3月5日",
        "2024年03月05日",
        "２０２４年３月５日",
        "２０２４－０３－０５",
        " 2024 - 03 - 05 ",
    ],
)
def test_date_field_accepts_what_staff_type(typed):
    assert DateField().clean(typed) == MARCH_5


@pytest.mark.parametrize("typed", ["2024-02-30", "2023年2月29日", "20241305", "2024/3", "明天"])
def test_date_field_rejects_impossible_dates_in_chinese(typed):
    with pytest.raises(forms.ValidationError) as error:
        DateField().clean(typed)
    assert error.value.messages == ["请输入有效的日期，如 2024-03-05 或 2024年3月5日"]


def test_date_field_accepts_a_leap_day():
    assert DateField().clean("2024年2月29日") == date(2024, 2, 29)


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.RENKOU_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("10.0.0.5", "203.0.113.9")) == "10.0.0.5"
    assert client_ip(request_from("10.0.0.5")) == "10.0.0.5"


def test_forwarded_for_is_believed_through_one_proxy(settings):
    settings.RENKOU_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # A client-supplied entry in front of the real one is not believed.
    assert client_ip(request_from("10.0.0.1", "198.51.100.66, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("10.0.0.1")) == "10.0.0.1"


def test_forwarded_for_through_two_proxies(settings):
    settings.RENKOU_TRUSTED_PROXY_COUNT = 2
    forwarded = "198.51.100.66, 203.0.113.9, 10.0.0.2"
    assert client_ip(request_from("10.0.0.1", forwarded)) == "203.0.113.9"


ID_NUMBER = "11010519491231002X"
OLD_ID = "110105491231002"
MOBILE = "13912345678"
BANK_CARD = "6222021234567890123"
UNIT_CODE = "620001100201"


def emit(logger: logging.Logger, *args) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubPersonalData())
    logger.addHandler(handler)
    try:
        logger.warning(*args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


@pytest.mark.parametrize(
    "args",
    [
        (f"查询 {ID_NUMBER} 电话 {MOBILE} 卡号 {BANK_CARD} 旧证 {OLD_ID}",),
        ("查询 %s 电话 %s 卡号 %s 旧证 %s", ID_NUMBER, MOBILE, BANK_CARD, OLD_ID),
        (
            "id=%(id)s tel=%(tel)s card=%(card)s old=%(old)s",
            {"id": ID_NUMBER.lower(), "tel": MOBILE, "card": BANK_CARD, "old": OLD_ID},
        ),
    ],
)
def test_log_filter_masks_personal_numbers(args):
    output = emit(logging.getLogger("renkou.test.scrub"), *args)
    for secret in (ID_NUMBER, ID_NUMBER.lower(), MOBILE, BANK_CARD, OLD_ID):
        assert secret not in output
    assert "[已屏蔽]" in output


def test_log_filter_keeps_unit_codes_and_counts():
    output = emit(logging.getLogger("renkou.test.scrub"), "单位 %s 共 %d 人", UNIT_CODE, 1234)
    assert output.strip() == f"单位 {UNIT_CODE} 共 1234 人"


def test_configured_console_handler_masks():
    """The LOGGING setting puts the filter on the console handler."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ScrubPersonalData) for f in h.filters)
    ]
    assert handlers
    handler = handlers[0]
    stream = io.StringIO()
    old_stream = handler.setStream(stream)
    try:
        logging.getLogger("renkou.test").warning("电话 %s", MOBILE)
    finally:
        handler.setStream(old_stream)
    assert "电话" in stream.getvalue()
    assert MOBILE not in stream.getvalue()


def test_today_is_the_county_date_not_the_utc_one(time_machine):
    """At 23:30 UTC on 31 December it is already 1 January in Asia/Shanghai: 今天 on every page
    is the county's date."""
    from datetime import UTC, datetime

    from renkou.common import dates

    time_machine.move_to(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False)
    assert dates.today() == date(2027, 1, 1)
