"""Schemathesis over the whole OpenAPI, as an attacker and as each role's machine client would call it.

Every operation is called with bodies, parameters and headers generated from its schema, on the
real app over a database of its own: no answer may be a 500, and every answer must be one the
document declares, in the declared shape and media type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.result import Ok

from avhopp.platform.database import create_owner_engine
from avhopp.platform.idp.admin import create_machine_client
from tests.support.live_server import live_server_on

if TYPE_CHECKING:
    from collections.abc import Iterator

    from schemathesis import Case
    from sqlalchemy.engine import URL

    from tests.support.live_server import LiveServer

CALLERS = {
    "anonym": None,
    "handläggare": ("kommun-1480", "case_officer"),
    "enhetschef": ("kommun-1480", "case_unit_head"),
    "polis": ("polisen-bergslagen", "security_officer"),
    "redaktör": ("kc-goteborg", "directory_editor"),
    "granskare": ("bra", "directory_reviewer"),
}
"""Who calls: nobody, and a machine client of each role the API serves, in a tenant where it may be held."""

EXAMPLES_PER_OPERATION = 8
ACCEPTANCE = [positive_data_acceptance]
"""Not checked: the platform refuses more than a schema can say (control characters, look-alike
personnummer, dates in the wrong order), each with a 400 the document declares."""


@pytest.fixture(scope="module")
def api_server(admin_url: URL) -> Iterator[LiveServer]:
    with live_server_on(admin_url, "avhopp_api") as server:
        yield server


@pytest.fixture(scope="module")
def bearers(api_server: LiveServer) -> dict[str, dict[str, str]]:
    """Each caller's headers: a token from the built-in provider for a client of that role, or none."""
    engine = create_owner_engine(api_server.database.owner_url)
    headers: dict[str, dict[str, str]] = {}
    try:
        for name, holder in CALLERS.items():
            if holder is None:
                headers[name] = {}
                continue
            with engine.begin() as connection:
                client_id, secret = create_machine_client(connection, f"Prov {name}", holder[0], [holder[1]])
            issued = httpx.post(
                f"{api_server.url}/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
            )
            headers[name] = {"authorization": f"Bearer {issued.json()['access_token']}"}
    finally:
        engine.dispose()
    return headers


def test_every_operation_answers_as_documented(api_server: LiveServer, bearers: dict[str, dict[str, str]]) -> None:
    # The schema is read from the running app rather than at collection, which would build the app
    # for every run of the suite; each operation then gets its own Hypothesis run.
    schema = schemathesis.openapi.from_url(f"{api_server.url}/api/docs/openapi.json")
    failures: dict[str, str] = {}
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) > 40, "the whole API is in the document"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def answers_as_documented(case: Case[Any]) -> None:
            for headers in bearers.values():
                case.call_and_validate(base_url=api_server.url, headers=headers, excluded_checks=ACCEPTANCE)

        try:
            answers_as_documented()
        except (AssertionError, BaseExceptionGroup) as error:  # every operation's failures, reported together
            failures[operation.label] = str(error)
    assert not failures, "\n\n".join(f"{label}:\n{report}" for label, report in sorted(failures.items()))
