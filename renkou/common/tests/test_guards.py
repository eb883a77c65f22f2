"""The suite-wide guards themselves must catch what they are for."""

import logging

import pytest

from renkou.common.testing import LogSpy, PersonalDataInUrl


@pytest.mark.django_db
def test_an_id_number_in_a_url_fails_the_request(client):
    with pytest.raises(PersonalDataInUrl):
        client.get("/accounts/login/?q=62302219900501722X")
    with pytest.raises(PersonalDataInUrl):
        client.get("/accounts/login/?phone=13912345678")
    assert client.get("/accounts/login/?next=/geo/units/620001100201/").status_code == 200


def test_the_log_spy_sees_an_id_number():
    spy = LogSpy()
    logger = logging.getLogger("renkou.test")
    logger.addHandler(spy)
    try:
        logger.warning("person %s", "62302219900501722X")
        logger.warning("unit 620001100201 ok")
    finally:
        logger.removeHandler(spy)
    assert len(spy.hits) == 1
