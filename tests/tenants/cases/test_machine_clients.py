"""A machine client that holds the role works cases through the API under the same need-to-know as a
person: it sees only the cases whose team it is on (it opened them, or a unit head put it there),
each read of the person is audited naming it, and row-level security holds it to that by its system
account. Another client of the same tenant, and one of Malmö, see nothing; nobody signs in as it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from avhopp.platform.auth.sign_in_for_tests import TEST_SIGN_IN_PATH
from avhopp.platform.database import RequestContext, context_session
from avhopp.tenants.registry.administration import AdministrationError, set_roles_in_tenant
from tests.support.people import (
    ANONYM,
    GOTEBORG_ADMIN,
    GOTEBORG_ENHETSCHEF,
    GOTEBORG_ERSATTARE,
    GOTEBORG_JOURNALKOPPLING,
    GOTEBORG_LEDNINGSSTOD,
    GOTEBORG_LOGGLASARE,
    GOTEBORG_SOCIALSEKRETERARE,
    GOTEBORG_VERKSAMHETSSYSTEM,
    MALMO_VERKSAMHETSSYSTEM,
)
from tests.tenants.cases.api_client import CASES, Api, Machine, api_for, consent, machine_for, new_case

if TYPE_CHECKING:
    from typing import Any

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings
    from tests.conftest import SignIn

SYSTEM_NAME = f"{GOTEBORG_VERKSAMHETSSYSTEM.name} (system)"


async def opened(api: Api) -> dict[str, Any]:
    response = await api.post(CASES, new_case())
    assert response.status_code == 201, response.text
    return dict(response.json())


def audit_of(owner_engine: Engine, case_id: str) -> list[tuple[str, uuid.UUID | None, str | None]]:
    with owner_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT action, actor_user_id, actor_client_id FROM audit_event"
                " WHERE object_type = 'case' AND object_id = :case ORDER BY id"
            ),
            {"case": case_id},
        )
        return [(action, user, client) for action, user, client in rows]


def tenant_of(owner_engine: Engine, slug: str) -> uuid.UUID:
    with owner_engine.connect() as connection:
        found = connection.execute(text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": slug}).scalar_one()
    return uuid.UUID(str(found))


async def assert_not_found(machine: Machine, case_id: str, *, writes: bool = True) -> None:
    for path in (f"{CASES}/{case_id}", f"{CASES}/{case_id}/person", f"{CASES}/{case_id}/phases"):
        refused = await machine.api.get(path)
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found"), path
    if writes:
        moved = await machine.api.post(f"{CASES}/{case_id}/phase", {"phase": "acute"})
        assert moved.status_code == 404
    assert case_id not in (await machine.api.get(CASES)).text


async def test_a_machine_client_with_the_role_opens_reads_and_lists_its_case_and_every_read_names_it(
    sign_in: SignIn, owner_engine: Engine, test_settings: Settings
) -> None:
    system = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_VERKSAMHETSSYSTEM)
    case = await opened(system.api)
    assert (case["owner"], case["role"], case["emergency_access"]) == (True, "responsible", False)

    mine = (await system.api.get(CASES)).json()
    assert [(line["id"], line["initials"], line["role"]) for line in mine] == [(case["id"], "AA", "responsible")]
    assert (await system.api.get(f"{CASES}/{case['id']}")).json()["number"] == case["number"]
    person = await system.api.get(f"{CASES}/{case['id']}/person")
    assert (person.status_code, person.json()["name"]) == (200, "Adam Andersson")

    # The audit names the client beside its account, for opening the case and for reading the person.
    assert audit_of(owner_engine, case["id"]) == [
        ("case.opened", system.account_id, system.client_id),
        ("person.read", system.account_id, system.client_id),
    ]
    # The deputy it named is on the team as a person is; the unit head sees the client responsible.
    deputy = await api_for(sign_in, GOTEBORG_ERSATTARE)
    assert [line["role"] for line in (await deputy.get(CASES)).json()] == ["deputy"]
    head = await api_for(sign_in, GOTEBORG_ENHETSCHEF)
    overview = (await head.get(f"{CASES}/overview")).json()
    assert [(line["id"], line["responsible"]) for line in overview] == [(case["id"], str(system.account_id))]


async def test_another_client_of_the_tenant_and_one_of_malmo_find_nothing_of_its_case(
    sign_in: SignIn, owner_engine: Engine, test_settings: Settings
) -> None:
    system = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_VERKSAMHETSSYSTEM)
    other = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_JOURNALKOPPLING)
    malmo = await machine_for(sign_in, owner_engine, test_settings, MALMO_VERKSAMHETSSYSTEM)
    case = await opened(system.api)

    for outsider in (other, malmo):
        await assert_not_found(outsider, case["id"])
        assert (await outsider.api.get(CASES)).json() == []
    # Neither of them read the person: no read of it is recorded at all.
    assert [entry for entry in audit_of(owner_engine, case["id"]) if entry[0] == "person.read"] == []


async def test_a_unit_head_puts_the_integration_on_a_team_labelled_as_a_system_and_takes_it_off(
    sign_in: SignIn, owner_engine: Engine, test_settings: Settings
) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case = await opened(officer)
    system = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_VERKSAMHETSSYSTEM)
    malmo = await machine_for(sign_in, owner_engine, test_settings, MALMO_VERKSAMHETSSYSTEM)
    await assert_not_found(system, case["id"])

    head = await api_for(sign_in, GOTEBORG_ENHETSCHEF)
    officers = (await head.get(f"{CASES}/officers")).json()
    assert {"id": str(system.account_id), "name": SYSTEM_NAME, "system": True} in officers
    assert officers[-1]["system"], "people first, then systems"
    assert {officer["id"] for officer in officers if not officer["system"]} >= {
        str(GOTEBORG_SOCIALSEKRETERARE.user_id),
        str(GOTEBORG_ERSATTARE.user_id),
    }
    assert str(malmo.account_id) not in {officer["id"] for officer in officers}
    # The team page offers it, labelled; the case's overview tab names it so too.
    team_page = await head.browser.get(f"/arenden/oversikt/{case['id']}/team")
    assert SYSTEM_NAME in team_page.text

    team = f"{CASES}/{case['id']}/team"
    responsible = str(GOTEBORG_SOCIALSEKRETERARE.user_id)
    foreign = await head.send("PUT", team, {"responsible": responsible, "deputies": [str(malmo.account_id)]})
    assert foreign.status_code == 400
    with_system = {"responsible": responsible, "deputies": [str(GOTEBORG_ERSATTARE.user_id), str(system.account_id)]}
    assert (await head.send("PUT", team, with_system)).status_code == 204

    assert (await system.api.get(f"{CASES}/{case['id']}")).json()["role"] == "deputy"
    assert (await system.api.get(f"{CASES}/{case['id']}/person")).json()["name"] == "Adam Andersson"
    assert [line["id"] for line in (await system.api.get(CASES)).json()] == [case["id"]]
    assert SYSTEM_NAME in (await officer.browser.get(f"/arenden/{case['id']}")).text
    await assert_not_found(malmo, case["id"])
    # Nobody is notified on its behalf: a system account reads no notifications.
    with owner_engine.connect() as connection:
        notified = connection.execute(
            text("SELECT count(*) FROM notification WHERE user_id = :account"), {"account": system.account_id}
        ).scalar_one()
    assert notified == 0

    without = {"responsible": responsible, "deputies": [str(GOTEBORG_ERSATTARE.user_id)]}
    assert (await head.send("PUT", team, without)).status_code == 204
    await assert_not_found(system, case["id"])


async def test_a_client_of_malmo_joins_a_case_shared_with_malmo_only_while_the_consent_runs(
    sign_in: SignIn, owner_engine: Engine, test_settings: Settings
) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case = await opened(officer)
    malmo = await machine_for(sign_in, owner_engine, test_settings, MALMO_VERKSAMHETSSYSTEM)
    assert (await malmo.api.post(f"{CASES}/{case['id']}/join")).status_code == 404

    malmo_id = tenant_of(owner_engine, MALMO_VERKSAMHETSSYSTEM.tenant)
    recorded = await officer.post(f"{CASES}/{case['id']}/consents", consent(malmo_id, categories=["identity"]))
    assert recorded.status_code == 201, recorded.text
    assert [line["joined"] for line in (await malmo.api.get(f"{CASES}/shared")).json()] == [False]
    await assert_not_found(malmo, case["id"])
    joined = await malmo.api.post(f"{CASES}/{case['id']}/join")
    assert (joined.status_code, joined.json()["role"], joined.json()["categories"]) == (200, "member", ["identity"])
    assert (await malmo.api.get(f"{CASES}/{case['id']}/person")).json()["name"] == "Adam Andersson"
    action, account, client = audit_of(owner_engine, case["id"])[-1]
    assert (action, account, client) == ("person.read", malmo.account_id, malmo.client_id)

    assert (await officer.post(f"{CASES}/consents/{recorded.json()['id']}/revoke")).status_code == 204
    await assert_not_found(malmo, case["id"])


async def test_a_machine_client_with_the_unit_heads_role_oversees_but_decides_nobodys_access(
    sign_in: SignIn, owner_engine: Engine, test_settings: Settings
) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case = await opened(officer)
    head = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_LEDNINGSSTOD)
    reader = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_LOGGLASARE)

    # The overview names nobody and needs no team.
    assert [line["id"] for line in (await head.api.get(f"{CASES}/overview")).json()] == [case["id"]]
    team = {"responsible": str(GOTEBORG_ERSATTARE.user_id), "deputies": [str(head.account_id)]}
    assert (await head.api.send("PUT", f"{CASES}/{case['id']}/team", team)).status_code == 404
    emergency = await head.api.post(f"{CASES}/{case['id']}/emergency-access", {"reason": "Integrationen vill läsa"})
    assert emergency.status_code == 404
    await assert_not_found(head, case["id"], writes=False)
    # Without a role of cases, the guard refuses (and the audit records it), as for every route.
    assert (await reader.api.get(CASES)).status_code == 403
    assert [line["role"] for line in (await officer.get(CASES)).json()] == ["responsible"]


async def test_row_level_security_holds_a_system_account_to_its_own_teams(
    sign_in: SignIn,
    owner_engine: Engine,
    test_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    system = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_VERKSAMHETSSYSTEM)
    other = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_JOURNALKOPPLING)
    case = await opened(system.api)
    tenant_id = tenant_of(owner_engine, GOTEBORG_VERKSAMHETSSYSTEM.tenant)
    this_case = {"id": case["id"]}

    async def visible(user_id: uuid.UUID | None) -> tuple[int, int]:
        # As the runtime role, with nothing but the settings the request scope publishes.
        async with context_session(sessions, RequestContext(tenant_id=tenant_id, user_id=user_id)) as session:
            person = await session.scalar(text("SELECT count(*) FROM case_person WHERE case_id = :id"), this_case)
            phases = await session.scalar(text("SELECT count(*) FROM case_phase_change WHERE case_id = :id"), this_case)
        return int(person or 0), int(phases or 0)

    assert await visible(system.account_id) == (1, 1)
    assert await visible(other.account_id) == (0, 0)
    assert await visible(None) == (0, 0)

    # The other client's account cannot put itself on the team: the draft is not its own.
    async with context_session(sessions, RequestContext(tenant_id=tenant_id, user_id=other.account_id)) as session:
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(
                text(
                    "INSERT INTO case_team (case_id, user_id, tenant_id, role, added_by)"
                    " VALUES (:case, :user, :tenant, 'member', :user)"
                ),
                {"case": case["id"], "user": other.account_id, "tenant": tenant_id},
            )


async def test_nobody_signs_in_as_a_system_account_nor_sees_it_among_the_people(
    sign_in: SignIn,
    owner_engine: Engine,
    test_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    system = await machine_for(sign_in, owner_engine, test_settings, GOTEBORG_VERKSAMHETSSYSTEM)
    anyone = (await sign_in(ANONYM)).client
    refused = await anyone.post(TEST_SIGN_IN_PATH, data={"user_id": str(system.account_id)})
    assert refused.status_code == 403

    # Nor by any other way in: the runtime role inserts no identity at all (first logins go through
    # register_first_login), and the database refuses one naming a system account even to the owner.
    identity = text("INSERT INTO user_identity (user_id, issuer, subject) VALUES (:user, 'https://idp.test', 'x')")
    async with context_session(sessions, RequestContext(user_id=system.account_id)) as session:
        with pytest.raises(DBAPIError, match="permission denied"):
            await session.execute(identity, {"user": system.account_id})
    with pytest.raises(IntegrityError, match="system account"), owner_engine.begin() as connection:
        connection.execute(identity, {"user": system.account_id})
    async with context_session(sessions, RequestContext(user_id=system.account_id)) as session:
        with pytest.raises(IntegrityError, match="system account"):
            await session.execute(
                text(
                    "INSERT INTO web_session (token_hash, user_id, issuer, subject, expires_at)"
                    " VALUES (:token, :user, 'https://idp.test', 'x', now() + interval '1 hour')"
                ),
                {"token": "0" * 64, "user": system.account_id},
            )

    # The bearer token does not make it a signed-in person either.
    assert (await system.api.get("/konto")).status_code == 403
    assert (await system.api.get("/notiser")).status_code == 403

    # The tenant's administrator neither sees it among the people nor can give it roles.
    admin = await sign_in(GOTEBORG_ADMIN)
    people = await admin.get("/organisation/personer")
    assert GOTEBORG_ADMIN.display_name in people.text
    assert GOTEBORG_VERKSAMHETSSYSTEM.name not in people.text
    tenant_id = tenant_of(owner_engine, GOTEBORG_VERKSAMHETSSYSTEM.tenant)
    async with context_session(sessions, RequestContext(tenant_id=tenant_id)) as session:
        membership_id = await session.scalar(
            text("SELECT id FROM membership WHERE user_id = :account"), {"account": system.account_id}
        )
        assert membership_id is not None
        with pytest.raises(AdministrationError):
            await set_roles_in_tenant(session, tenant_id, membership_id, ["tenant_admin"])
