"""The API keeps its schema (security.md IN6; issue 12 item 11): schemathesis runs as
``schemathesis run`` does — every check, every phase (examples, coverage, fuzzing, stateful) —
against the API served over HTTP, as a county officer and as a township officer (token), and
finds nothing: no server error, no response outside the schema, no schema-valid request refused
and no schema-invalid one accepted, 401 without credentials.

The server is a plain WSGI server in a thread over the test database, so the test commits
(``transactional_db``); the suite's URL guard is left out of its middleware because a fuzzer's
query values may look like phone numbers (``page=13912345678``): the guard is for links the
application makes, not for what a client sends.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connections
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

pytestmark = pytest.mark.django_db(transaction=True)
ROLES = ("county_officer", "township_officer")
PHASES = ("coverage", "fuzzing", "stateful")  # the schema has no examples for that phase
SEED = 20261214


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        """No access log on the test's output."""


@pytest.fixture
def api_url(settings, audit_flushable) -> Iterator[str]:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("UrlGuardMiddleware")]
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=_Quiet)

    def serve() -> None:
        try:
            server.serve_forever()
        finally:
            connections.close_all()  # this thread's own, as Django's live server does

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()
    server.server_close()
    thread.join()


def _token(user) -> str:
    out = StringIO()
    call_command("api_token", user=user.username, stdout=out)
    return f"Token {out.getvalue().strip()}"


def _run(api_url: str, token: str) -> tuple[list[str], Counter]:
    """Run schemathesis over the API: the distinct failures (check, operation, the request as a
    curl line, credentials filtered) and the number of requests made in each phase."""
    config = SchemathesisConfig.from_dict(
        {"seed": SEED, "workers": 1, "generation": {"max-examples": 25}}
    )
    schema = schemathesis.openapi.from_url(
        f"{api_url}/schema/",
        headers={"Authorization": token, "Accept": "application/vnd.oai.openapi+json"},
        config=config,
    )
    schema.config.update(headers={"Authorization": token})
    failures: dict[tuple[str, str], str] = {}
    requests: Counter = Counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            requests[event.phase.value] += len(event.recorder.interactions)
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    if node.failure_info is not None:
                        info = node.failure_info
                        text = (
                            f"{node.name} ({event.label}): {info.failure.title}; {info.code_sample}"
                        )
                        failures.setdefault((node.name, str(event.label)), text)
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            failures[("error", str(event))] = f"error: {event.info.title} {event.info.message}"
    return sorted(failures.values()), requests


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_its_schema(api_url, personas, role):
    failures, requests = _run(api_url, _token(personas[role]))
    assert not failures, "\n".join(failures)
    assert all(requests[phase] > 20 for phase in PHASES), requests  # every phase ran
