"""A named person's JSON client for the cases API, signed in with a real session and its CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.idp.admin import create_machine_client
from avhopp.platform.times import swedish_date
from tests.platform.idp.conftest import csrf_token
from tests.support.people import ANONYM, GOTEBORG_ERSATTARE

if TYPE_CHECKING:
    import uuid

    import httpx
    from sqlalchemy import Engine

    from avhopp.platform.settings import Settings
    from tests.conftest import SignIn
    from tests.platform.auth.conftest import Browser
    from tests.support.people import NamedClient, NamedPerson

CASES = "/api/v1/cases"
TODAY = swedish_date()


@dataclass
class Api:
    """One person's calls to the API, as a script in their browser would make them."""

    browser: Browser
    headers: dict[str, str]

    async def get(self, path: str) -> httpx.Response:
        return await self.browser.client.get(path, headers=self.headers)

    async def send(self, method: str, path: str, body: Any = None, *, content: bytes | None = None) -> httpx.Response:
        headers = dict(self.headers)
        if content is not None:
            headers["content-type"] = "application/json"
            return await self.browser.client.request(method, path, content=content, headers=headers)
        return await self.browser.client.request(method, path, json=body, headers=headers)

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.send("POST", path, body)


async def api_for(sign_in: SignIn, person: NamedPerson) -> Api:
    """The person signed in, with the CSRF token every unsafe request of a session needs."""
    browser = await sign_in(person)
    token = csrf_token((await browser.get("/konto")).text)
    return Api(browser, {"accept": "application/json", "x-csrf-token": token})


@dataclass
class Machine:
    """A machine client's calls to the API with a bearer token, and who it is."""

    api: Api
    client_id: str
    account_id: uuid.UUID
    """Its system account: the user its place on a team and the audit name."""


async def machine_for(sign_in: SignIn, owner_engine: Engine, settings: Settings, client: NamedClient) -> Machine:
    """The client registered as `avhopp idp create-client` does, with a token from the token endpoint."""
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, settings, [])
        client_id, secret = create_machine_client(connection, client.name, client.tenant, list(client.roles))
        account_id = connection.execute(
            text("SELECT id FROM app_user WHERE machine_client_id = :client"), {"client": client_id}
        ).scalar_one()
    browser = await sign_in(ANONYM)
    issued = await browser.client.post(
        "/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert issued.status_code == 200, issued.text
    headers = {"authorization": f"Bearer {issued.json()['access_token']}", "accept": "application/json"}
    return Machine(Api(browser, headers), client_id, account_id)


def new_case(name: str = "Adam Andersson", **person: str) -> dict[str, Any]:
    """A case body: the person made contact, the deputy is Göteborg's second officer."""
    return {
        "contact_source": "person",
        "person": {"name": name, "personal_number": "19811228-9874", "phone": "0701234567", **person},
        "intake": {"situation": "Vill lämna gruppen", "motivation": "Hög"},
        "affiliation": "neighbourhood_group",
        "needs": ["protection", "occupation"],
        "deputy_id": str(GOTEBORG_ERSATTARE.user_id),
    }


def consent(
    *organisations: uuid.UUID, categories: list[str], contributors: tuple[uuid.UUID, ...] = ()
) -> dict[str, Any]:
    """A consent body that runs from yesterday for a year."""
    return {
        "organisations": [str(organisation) for organisation in organisations],
        "categories": categories,
        "purpose": "Samordning av stöd och skydd",
        "valid_from": (TODAY - timedelta(days=1)).isoformat(),
        "valid_until": (TODAY + timedelta(days=365)).isoformat(),
        "witnessed_by": "Handläggaren och personen själv",
        "contributors": [str(organisation) for organisation in contributors],
    }


def problem(response: httpx.Response) -> tuple[int, str, dict[str, Any]]:
    """What a client can compare of a refusal: status, content type, body without its request id."""
    body = dict(response.json())
    assert body.pop("request_id"), "every problem names its request"
    return response.status_code, response.headers["content-type"], body


def fields(response: httpx.Response) -> dict[str, str]:
    """The refused fields of a 400 problem and their messages."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "bad_request"
    return {error["field"]: error["message"] for error in response.json()["errors"]}
