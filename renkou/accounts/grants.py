"""Where a granted role's access to people's data comes from (``GRANTED_PERSON_ROLES``).

An app that assigns such access for a while registers a provider here in its
``AppConfig.ready()`` (``renkou.supervision``: the inspector's visits). ``User.person_grants``
asks every provider; ``renkou.geo.scope`` applies the answer. The registry lives in accounts so
that neither geo nor accounts imports the apps above them (tests/test_architecture.py).
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from renkou.geo.scope import PersonGrant

Provider = Callable[[Any, date], Iterable[PersonGrant]]

_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider (idempotent: ``ready()`` may run more than once in tests)."""
    if provider not in _providers:
        _providers.append(provider)


def collect(user: Any, on: date) -> tuple[PersonGrant, ...]:
    """Every grant the providers give ``user`` on day ``on``."""
    return tuple(grant for provider in _providers for grant in provider(user, on))
