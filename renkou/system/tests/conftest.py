"""Fixtures for the system pages' tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dictionary cache is per process; each test starts (and leaves) it empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def as_role(personas, signed_in_client):
    """``as_role("sys_admin")`` signs that persona in and returns the client."""

    def sign_in(role: str):
        return signed_in_client(personas[role])

    return sign_in
