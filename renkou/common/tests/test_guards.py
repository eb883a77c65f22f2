"""The suite-wide guards themselves must catch what they are for."""

import logging

import pytest

from renkou.common.testing import LogSpy, PersonalDataInUrl


@pytest.mark.django_db
def test_an_id_number_in_a_url_fails_the_request_unless_refused(client):
    # The pages refuse such a GET with a redirect that carries no number: the guard lets it by.
    page = client.get("/accounts/login/?q=11010519491231002X")
    assert page.status_code == 302 and "1101" not in page["Location"]
    # The API does not redirect (it answers for itself): an answer to such a URL fails the test.
    with pytest.raises(PersonalDataInUrl):
        client.get("/api/v1/units/?q=11010519491231002X")
    with pytest.raises(PersonalDataInUrl):
        client.get("/api/v1/units/?phone=13912345678")
    assert client.get("/accounts/login/?next=/geo/units/620001100201/").status_code == 200


def test_the_log_spy_sees_an_id_number():
    spy = LogSpy()
    logger = logging.getLogger("renkou.test")
    logger.addHandler(spy)
    try:
        logger.warning("person %s", "11010519491231002X")
        logger.warning("unit 620001100201 ok")
    finally:
        logger.removeHandler(spy)
    assert len(spy.hits) == 1


def test_household_codes_are_not_mistaken_for_id_numbers():
    from renkou.common.testing import has_personal_number

    assert not has_personal_number("/people/households/?q=623022100201010001")
    assert has_personal_number("/x?id=11010519491231002X")  # the standard's example ID
