"""The client address the sign-in records (``renkou.common.middleware``: the proxy count
decides which X-Forwarded-For entry is believed; renkou/common/tests/test_dates_and_ip.py tests
the rule itself)."""

from renkou.accounts.models import LoginLog


def test_client_address_reaches_the_request(client, settings, db):
    settings.RENKOU_TRUSTED_PROXY_COUNT = 0
    client.post(
        "/accounts/login/",
        {"username": "nobody", "password": "x"},
        REMOTE_ADDR="10.3.3.3",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert LoginLog.objects.get().ip == "10.3.3.3"
