"""Routes bound to kinds of tenant: the principal carries its tenant's kind, and the one guard checks it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Request, get
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.platform.app import create_app
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.idp.admin import create_machine_client
from avhopp.platform.scope.principal import principal_of
from avhopp.platform.web.parts import PartWeb
from avhopp.tenants.registry.service import People
from tests.platform.auth.conftest import BASE_URL

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from avhopp.platform.settings import Settings
    from tests.support.postgres import TestDatabase


@get("/prov/granskning", opt={"permission": "directory:review", "tenant_kinds": ("national_coordinator",)})
async def probe(request: Request[Any, Any, Any]) -> str:
    principal = principal_of(request)
    return principal.tenant_kind or "" if principal else ""


async def test_a_machine_client_opens_routes_bound_to_its_own_kind_of_tenant_only(
    product_settings: Settings, database: TestDatabase, owner_engine: Engine
) -> None:
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, product_settings, [])
        placed = create_machine_client(connection, "Granskning", "bra", ["directory_reviewer"])
        # Registered around the rule (as data from before it could be): the role opens nothing bound elsewhere.
        misplaced = create_machine_client(connection, "Fel plats", "kommun-1480", ["case_officer"])
        connection.execute(
            text("UPDATE idp_client SET roles = '{directory_reviewer}' WHERE client_id = :id"), {"id": misplaced[0]}
        )
    app = create_app(product_settings, database.app_url, people=People(), parts=[PartWeb(name="probe", routes=[probe])])
    answers = []
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        for client_id, secret in (placed, misplaced):
            issued = await client.post(
                "/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
            )
            bearer = {"authorization": f"Bearer {issued.json()['access_token']}"}
            answers.append(await client.get("/prov/granskning", headers=bearer))

    assert [answer.status_code for answer in answers] == [200, 404]
    assert answers[0].text == "national_coordinator"
