"""Tenant administration: roles in the own tenant only, invitations, tenants by platform admins."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.database import RequestContext, context_session
from avhopp.tenants.registry.administration import AdministrationError, accept_invitation, invite_to_tenant
from avhopp.tenants.registry.roles import Role
from tests.platform.auth.conftest import BASE_URL
from tests.platform.idp.conftest import csrf_token
from tests.support.people import (
    GOTEBORG,
    GOTEBORG_ADMIN,
    GOTEBORG_SOCIALSEKRETERARE,
    LINE_OPERATOR,
    MALMO,
    MALMO_SOCIALSEKRETERARE,
    PLATTFORMSADMIN,
    person_in,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.conftest import SignIn


def membership_of(owner_engine: Engine, user_id: uuid.UUID, tenant: str) -> tuple[uuid.UUID, list[str]]:
    with owner_engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT m.id, m.roles FROM membership m JOIN tenant t ON t.id = m.tenant_id"
                " WHERE m.user_id = :user AND t.slug = :slug"
            ).bindparams(user=user_id, slug=tenant)
        ).one()
    return row.id, list(row.roles)


def tenant_id_of(owner_engine: Engine, slug: str) -> uuid.UUID:
    with owner_engine.connect() as connection:
        found = connection.execute(text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": slug}).scalar_one()
    return uuid.UUID(str(found))


async def test_a_tenant_admin_changes_roles_in_the_own_tenant_only(sign_in: SignIn, owner_engine: Engine) -> None:
    admin = await sign_in(GOTEBORG_ADMIN)
    colleague_id, stranger_id, admin_id = (
        GOTEBORG_SOCIALSEKRETERARE.user_id,
        MALMO_SOCIALSEKRETERARE.user_id,
        GOTEBORG_ADMIN.user_id,
    )
    own, _ = membership_of(owner_engine, colleague_id, GOTEBORG)
    foreign, _ = membership_of(owner_engine, stranger_id, MALMO)
    page = await admin.get("/organisation/personer")

    granted = await admin.post_form(page, f"/organisation/personer/{own}/roller", {"roles": Role.PLACEMENT_COORDINATOR})
    refused = await admin.post_form(page, f"/organisation/personer/{foreign}/roller", {"roles": Role.AUDITOR})
    unknown = await admin.post_form(page, f"/organisation/personer/{uuid.uuid4()}/roller", {"roles": Role.AUDITOR})
    no_role = await admin.post_form(page, f"/organisation/personer/{own}/roller", {"roles": "superhjälte"})
    platform = await admin.post_form(page, f"/organisation/personer/{own}/roller", {"roles": Role.PLATFORM_ADMIN})

    assert page.status_code == 200
    assert GOTEBORG_SOCIALSEKRETERARE.display_name in page.text
    assert MALMO_SOCIALSEKRETERARE.display_name not in page.text
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        actions = [
            row.action
            for row in connection.execute(
                text("SELECT action FROM audit_event WHERE actor_user_id = :a ORDER BY id").bindparams(a=admin_id)
            )
        ]
    assert "person.read" in actions
    assert actions.count("tenant.role_granted") == 1
    assert "tenant.change_refused" in actions
    assert granted.status_code == 302
    assert membership_of(owner_engine, colleague_id, GOTEBORG)[1] == [Role.PLACEMENT_COORDINATOR]
    assert refused.status_code == unknown.status_code == 404
    assert membership_of(owner_engine, stranger_id, MALMO)[1] == [Role.CASE_OFFICER]
    assert no_role.status_code == 400
    assert "Rollen finns inte." in no_role.text
    assert f'href="#m-{own}"' in no_role.text, "the summary leads to the person whose roles were refused"
    assert no_role.text.count("Rollen finns inte.") == 2, "in the summary and at the person, nowhere else"
    assert platform.status_code == 400
    assert "Bara en plattformsadministratör" in platform.text
    colleague = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    assert (await colleague.get("/organisation/personer")).status_code == 403


async def test_taking_a_role_away_or_removing_a_person_ends_all_their_sessions(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    officer = person_in(GOTEBORG, Role.CASE_OFFICER, Role.AUDITOR, key="goteborg-tva-webblasare")
    admin = await sign_in(GOTEBORG_ADMIN)
    at_work, at_home = await sign_in(officer), await sign_in(officer)
    own, _ = membership_of(owner_engine, officer.user_id, GOTEBORG)
    page = await admin.get("/organisation/personer")
    roles = f"/organisation/personer/{own}/roller"

    granted = await admin.post_form(
        page, roles, {"roles": [Role.CASE_OFFICER, Role.AUDITOR, Role.PLACEMENT_COORDINATOR]}
    )
    kept = [(await browser.get("/granskning")).status_code for browser in (at_work, at_home)]
    taken = await admin.post_form(page, roles, {"roles": [Role.CASE_OFFICER, Role.PLACEMENT_COORDINATOR]})
    after_taking = [(await browser.get("/konto")).status_code for browser in (at_work, at_home)]

    at_work, at_home = await sign_in(officer), await sign_in(officer)
    removed = await admin.post_form(page, f"/organisation/personer/{own}/ta-bort", {"bekrafta": "ja"})
    after_removal = [(await browser.get("/konto")).status_code for browser in (at_work, at_home)]

    assert granted.status_code == taken.status_code == removed.status_code == 302
    assert kept == [200, 200], "a role given ends nothing"
    assert after_taking == [302, 302]
    assert after_removal == [302, 302]
    assert (await admin.get("/organisation/personer")).status_code == 200


async def test_a_role_is_granted_only_in_the_kinds_of_tenant_it_makes_sense_in(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    colleague = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    admin = await sign_in(GOTEBORG_ADMIN)
    colleague_id, admin_id = GOTEBORG_SOCIALSEKRETERARE.user_id, GOTEBORG_ADMIN.user_id
    own, _ = membership_of(owner_engine, colleague_id, GOTEBORG)
    page = await admin.get("/organisation/personer")

    # Forged: the page never offers these roles in a municipality.
    forged = await admin.post_form(
        page, f"/organisation/personer/{own}/roller", {"roles": [Role.CASE_OFFICER, Role.DIRECTORY_REVIEWER]}
    )
    line = await admin.post_form(page, f"/organisation/personer/{own}/roller", {"roles": Role.LINE_OPERATOR})
    invited = await admin.post_form(page, "/organisation/inbjudningar", {"roles": Role.NATIONAL_ANALYST})

    offered = set(re.findall(r'name="roles" value="([a-z_]+)"', page.text))
    assert offered >= {Role.CASE_OFFICER, Role.PLACEMENT_COORDINATOR, Role.TENANT_ADMIN}
    assert offered.isdisjoint({Role.DIRECTORY_REVIEWER, Role.NATIONAL_ANALYST, Role.LINE_OPERATOR, Role.PLATFORM_ADMIN})
    for refused in (forged, line, invited):
        assert refused.status_code == 400
        assert "kan inte ges i den här sortens organisation" in refused.text
    assert "Granskare av katalogen (nationell samordnare)" in forged.text
    assert membership_of(owner_engine, colleague_id, GOTEBORG)[1] == [Role.CASE_OFFICER]
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        reasons = (
            connection.execute(
                text(
                    "SELECT reason FROM audit_event WHERE actor_user_id = :a AND action = 'tenant.change_refused'"
                ).bindparams(a=admin_id)
            )
            .scalars()
            .all()
        )
        invitations = connection.execute(
            text("SELECT count(*) FROM invitation WHERE invited_by = :a").bindparams(a=admin_id)
        ).scalar_one()
    assert reasons == ["role_not_for_tenant_kind"] * 3
    assert invitations == 0
    assert (await colleague.get("/katalog/granskning")).status_code == 403


async def test_the_national_coordinator_is_offered_its_own_roles(sign_in: SignIn) -> None:
    admin = await sign_in(person_in("bra", Role.TENANT_ADMIN))

    page = await admin.get("/organisation/personer")

    offered = set(re.findall(r'name="roles" value="([a-z_]+)"', page.text))
    assert {Role.DIRECTORY_REVIEWER, Role.NATIONAL_ANALYST, Role.TENANT_ADMIN, Role.AUDITOR} <= offered
    assert offered.isdisjoint({Role.CASE_OFFICER, Role.LINE_OPERATOR, Role.NETWORK_COORDINATOR, Role.PLATFORM_ADMIN})


async def test_an_invitation_is_used_once(sign_in: SignIn, owner_engine: Engine) -> None:
    admin = await sign_in(GOTEBORG_ADMIN)
    page = await admin.get("/organisation/personer")
    created = await admin.post_form(page, "/organisation/inbjudningar", {"roles": Role.CASE_OFFICER})
    link = created.text.split(f"{BASE_URL}/inbjudan/")[1].split("<")[0].strip()
    empty = await admin.post_form(page, "/organisation/inbjudningar", {})

    invitee, invitee_id = await sign_in(MALMO_SOCIALSEKRETERARE), MALMO_SOCIALSEKRETERARE.user_id
    offer = await invitee.get(f"/inbjudan/{link}")
    accepted = await invitee.client.post(
        f"/inbjudan/{link}", data={"_csrf_token": csrf_token(offer.text)}, headers={"accept": "text/html"}
    )
    again = await invitee.client.post(
        f"/inbjudan/{link}", data={"_csrf_token": csrf_token(offer.text)}, headers={"accept": "text/html"}
    )

    assert created.status_code == 200
    assert empty.status_code == 400
    assert "Välj minst en roll." in empty.text
    assert offer.status_code == 200
    assert accepted.status_code == 302
    assert membership_of(owner_engine, invitee_id, GOTEBORG)[1] == [Role.CASE_OFFICER]
    assert again.status_code == 404
    assert "Inbjudan gäller inte längre" in again.text


async def _until_a_transaction_waits_for_a_lock(sessions: async_sessionmaker[AsyncSession]) -> None:
    deadline = time.monotonic() + 10
    async with sessions() as session:
        while time.monotonic() < deadline:
            waiting = await session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            await session.rollback()
            if waiting:
                return
            await asyncio.sleep(0.02)


async def test_two_people_accepting_one_invitation_at_the_same_time_let_one_in(
    sessions: async_sessionmaker[AsyncSession],
    owner_engine: Engine,
    clean_database: None,  # noqa: ARG001 - the membership and the invitation go when the test ends
) -> None:
    """A leaked link used twice at once: the second acceptance waits for the first, then finds it used."""
    admin, goteborg = GOTEBORG_ADMIN.user_id, tenant_id_of(owner_engine, GOTEBORG)
    async with context_session(sessions, RequestContext(tenant_id=goteborg, user_id=admin)) as session:
        token = await invite_to_tenant(session, goteborg, admin, [Role.CASE_OFFICER])
    first_has_claimed = asyncio.Event()

    async def accept(user_id: uuid.UUID, *, first: bool) -> bool:
        if not first:
            await first_has_claimed.wait()
        try:
            async with context_session(sessions, RequestContext(user_id=user_id)) as session:
                await accept_invitation(session, token, user_id)
                await session.flush()
                if first:
                    first_has_claimed.set()
                    # Commit only once the other acceptance is under way and waiting for this one.
                    await _until_a_transaction_waits_for_a_lock(sessions)
        except AdministrationError:
            return False
        return True

    people = (MALMO_SOCIALSEKRETERARE.user_id, LINE_OPERATOR.user_id)
    accepted = await asyncio.gather(accept(people[0], first=True), accept(people[1], first=False))

    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(goteborg)})
        joined = connection.execute(
            text("SELECT count(*) FROM membership WHERE tenant_id = :t AND user_id = ANY(:people)"),
            {"t": goteborg, "people": list(people)},
        ).scalar_one()
    assert list(accepted) == [True, False]
    assert joined == 1


async def test_platform_admins_add_and_deactivate_tenants(sign_in: SignIn, owner_engine: Engine) -> None:
    admin = await sign_in(PLATTFORMSADMIN)
    member = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await admin.get("/organisationer")
    slug = f"exit-{uuid.uuid4().hex[:6]}"

    created = await admin.post_form(
        page, "/organisationer", {"name": "Exit, Fryshuset", "slug": slug, "kind": "operation"}
    )
    duplicate = await admin.post_form(page, "/organisationer", {"name": "Exit igen", "slug": slug, "kind": "operation"})
    wrong_kind = await admin.post_form(
        page, "/organisationer", {"name": "Kommun X", "slug": f"{slug}-x", "kind": "municipality"}
    )
    with owner_engine.connect() as connection:
        goteborg = connection.execute(text("SELECT id FROM tenant WHERE slug = :s").bindparams(s=GOTEBORG)).scalar_one()
    deactivated = await admin.post_form(
        page, f"/organisationer/{goteborg}/status", {"active": "false", "bekrafta": "ja"}
    )
    member_home = await member.get("/")
    await admin.post_form(page, f"/organisationer/{goteborg}/status", {"active": "true"})

    assert created.status_code == 302
    assert duplicate.status_code == 400
    assert "Det finns redan en organisation med den kortadressen." in duplicate.text
    assert wrong_kind.status_code == 400
    assert deactivated.status_code == 302
    assert "Du har inget uppdrag på plattformen ännu" in member_home.text
    assert (await member.get("/organisationer")).status_code == 403
