"""Tenant administration's dangerous actions confirm first; invitations are listed and revoked; authenticators reset.

Each is tried from the attacker's side too: an administrator of Malmö names Göteborg's objects.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import text

from avhopp.platform.auth.sessions import token_hash
from avhopp.platform.idp.admin import create_account
from avhopp.tenants.registry.roles import Role
from tests.platform.auth.conftest import BASE_URL
from tests.platform.idp.conftest import csrf_token
from tests.support.people import GOTEBORG, GOTEBORG_ADMIN, MALMO, NATIONAL, PLATTFORMSADMIN, person_in
from tests.tenants.test_administration import membership_of, tenant_id_of

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.conftest import SignIn

MALMO_ADMIN = person_in(MALMO, Role.TENANT_ADMIN, key="malmo-admin-angripare")
ISSUER = f"{BASE_URL}/idp"


def _open_sessions(owner_engine: Engine, user_id: uuid.UUID) -> int:
    with owner_engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM web_session WHERE user_id = :u AND ended_at IS NULL"), {"u": user_id}
            ).scalar_one()
        )


async def test_removing_a_member_asks_first_and_then_ends_their_sessions(sign_in: SignIn, owner_engine: Engine) -> None:
    officer = person_in(GOTEBORG, Role.CASE_OFFICER, key="goteborg-tas-bort")
    admin, attacker = await sign_in(GOTEBORG_ADMIN), await sign_in(MALMO_ADMIN)
    at_work = await sign_in(officer)
    own, _ = membership_of(owner_engine, officer.user_id, GOTEBORG)
    page = await admin.get("/organisation/personer")
    remove = f"/organisation/personer/{own}/ta-bort"

    asked = await admin.post_form(page, remove, {})
    still_member = membership_of(owner_engine, officer.user_id, GOTEBORG)
    attacker_page = await attacker.get("/organisation/personer")
    foreign_ask = await attacker.post_form(attacker_page, remove, {})
    foreign_confirmed = await attacker.post_form(attacker_page, remove, {"bekrafta": "ja"})
    sessions_before = _open_sessions(owner_engine, officer.user_id)
    removed = await admin.post_form(asked, remove, {"bekrafta": "ja"})
    after = await admin.get(removed.headers["location"])

    assert page.status_code == 200
    assert f'action="{remove}"' in page.text, "the members page offers the removal"
    assert asked.status_code == 200
    assert f"Ta bort {officer.display_name} ur organisationen?" in asked.text
    assert "loggas ut" in asked.text
    assert 'name="bekrafta" value="ja"' in asked.text
    assert still_member[0] == own, "asking removes nobody"
    assert foreign_ask.status_code == foreign_confirmed.status_code == 404
    assert officer.display_name not in foreign_ask.text
    assert sessions_before == 1
    assert removed.status_code == 302
    assert "Personen är borttagen" in after.text
    assert officer.display_name not in after.text.split("Inbjudningar som gäller")[0]
    assert _open_sessions(owner_engine, officer.user_id) == 0
    assert (await at_work.get("/konto")).status_code == 302


async def test_invitations_are_listed_and_revoked_in_the_own_tenant_only(sign_in: SignIn) -> None:
    admin, attacker = await sign_in(GOTEBORG_ADMIN), await sign_in(MALMO_ADMIN)
    page = await admin.get("/organisation/personer")
    created = await admin.post_form(page, "/organisation/inbjudningar", {"roles": Role.CASE_OFFICER})
    token = created.text.split(f"{BASE_URL}/inbjudan/")[1].split("<")[0].strip()
    listed = await admin.get("/organisation/personer")
    invitation_id = token_hash(token)
    revoke = f"/organisation/inbjudningar/{invitation_id}/aterkalla"
    attacker_page = await attacker.get("/organisation/personer")
    foreign = await attacker.post_form(attacker_page, revoke, {})
    malformed = await admin.post_form(listed, "/organisation/inbjudningar/inte-ett-id/aterkalla", {})
    still_open = await admin.get("/organisation/personer")
    revoked = await admin.post_form(listed, revoke, {})
    after = await admin.get(revoked.headers["location"])
    again = await admin.post_form(listed, revoke, {})
    invitee = await sign_in(person_in(MALMO, Role.CASE_OFFICER, key="malmo-inbjuden"))
    offer = await invitee.get(f"/inbjudan/{token}")

    assert f'action="{revoke}"' in listed.text
    assert "Handläggare" in listed.text.split("Inbjudningar som gäller")[1]
    assert f'action="{revoke}"' not in attacker_page.text
    assert foreign.status_code == malformed.status_code == 404
    assert f'action="{revoke}"' in still_open.text, "the attacker revoked nothing"
    assert revoked.status_code == 302
    assert "Inbjudan är återkallad" in after.text
    assert f'action="{revoke}"' not in after.text
    assert "Inga inbjudningar väntar" in after.text
    assert again.status_code == 404
    assert offer.status_code == 404


def _built_in_account(owner_engine: Engine, user_id: uuid.UUID) -> uuid.UUID:
    """A built-in provider's account with an authenticator, vouching for the person; their sessions came from it."""
    with owner_engine.begin() as connection:
        account_id, _ = create_account(connection, f"konto-{uuid.uuid4().hex[:8]}", "Konto", None)
        connection.execute(
            text("UPDATE idp_account SET totp_secret_encrypted = 'x', totp_last_step = 1 WHERE id = :a"),
            {"a": account_id},
        )
        connection.execute(
            text("INSERT INTO user_identity (user_id, issuer, subject) VALUES (:u, :i, :s)"),
            {"u": user_id, "i": ISSUER, "s": str(account_id)},
        )
        connection.execute(
            text("UPDATE web_session SET issuer = :i, subject = :s WHERE user_id = :u"),
            {"i": ISSUER, "s": str(account_id), "u": user_id},
        )
    return account_id


def _authenticator(owner_engine: Engine, account_id: uuid.UUID) -> bytes | None:
    with owner_engine.connect() as connection:
        found: bytes | None = connection.execute(
            text("SELECT totp_secret_encrypted FROM idp_account WHERE id = :a"), {"a": account_id}
        ).scalar_one()
    return found


def _reset(owner_engine: Engine, account_id: uuid.UUID) -> Any:
    with owner_engine.connect() as connection:
        return connection.execute(
            text("SELECT kind, token_hash, used_at FROM idp_reset WHERE account_id = :a"), {"a": account_id}
        ).one_or_none()


def _shown_link(page: str) -> str:
    found = re.search(rf"{re.escape(ISSUER)}/aterstall/([A-Za-z0-9_-]+)", page)
    assert found, "no reset link on the page"
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "kind", "heading", "button"),
    [
        ("autentisering", "authenticator", "Koppla en ny autentiseringsapp för", "Ny autentiseringsapp"),
        ("losenord", "password", "Återställa lösenordet för", "Nytt lösenord"),
    ],
)
async def test_an_administrator_starts_a_reset_link_after_confirming_and_sees_no_secret(  # noqa: PLR0913, PLR0917 - the fixtures and one case
    sign_in: SignIn, owner_engine: Engine, path: str, kind: str, heading: str, button: str
) -> None:
    officer = person_in(GOTEBORG, Role.CASE_OFFICER, key=f"goteborg-tappad-{path}")
    outsider = person_in(GOTEBORG, Role.CASE_OFFICER, key=f"goteborg-annan-inloggning-{path}")
    admin, attacker = await sign_in(GOTEBORG_ADMIN), await sign_in(MALMO_ADMIN)
    at_work = await sign_in(officer)
    await sign_in(outsider)
    account_id = _built_in_account(owner_engine, officer.user_id)
    own, _ = membership_of(owner_engine, officer.user_id, GOTEBORG)
    other, _ = membership_of(owner_engine, outsider.user_id, GOTEBORG)
    page = await admin.get("/organisation/personer")
    reset = f"/organisation/personer/{own}/{path}"

    asked = await admin.post_form(page, reset, {})
    nothing_when_asked = _reset(owner_engine, account_id)
    attacker_page = await attacker.get("/organisation/personer")
    foreign = await attacker.post_form(attacker_page, reset, {"bekrafta": "ja"})
    foreign_asked = await attacker.post_form(attacker_page, reset, {})
    nothing_after_attack = _reset(owner_engine, account_id)
    not_built_in = await admin.post_form(page, f"/organisation/personer/{other}/{path}", {"bekrafta": "ja"})
    first = await admin.post_form(asked, reset, {"bekrafta": "ja"})
    first_token = _shown_link(first.text)
    done = await admin.post_form(asked, reset, {"bekrafta": "ja"})
    token = _shown_link(done.text)
    started = _reset(owner_engine, account_id)

    assert f'action="{reset}"' in page.text
    assert button in page.text
    assert asked.status_code == 200
    assert f"{heading} {officer.display_name}?" in asked.text
    assert "två timmar" in asked.text
    assert nothing_when_asked is None, "asking starts nothing"
    assert foreign.status_code == foreign_asked.status_code == 404
    assert officer.display_name not in foreign_asked.text
    assert nothing_after_attack is None, "an administrator of another tenant starts no reset"
    assert not_built_in.status_code == 400
    assert "Personen loggar in hos en annan identitetsleverantör." in not_built_in.text
    assert done.status_code == 200
    assert officer.display_name in done.text.split("app-secret")[0]
    assert started is not None
    assert started.kind == kind
    assert started.token_hash == token_hash(token), "only the newest link is stored, as its hash"
    assert token != first_token
    assert _authenticator(owner_engine, account_id) is not None, "nothing changes until the person completes it"
    assert _open_sessions(owner_engine, officer.user_id) == 1, "the person works on until the reset is completed"
    assert (await at_work.get("/konto")).status_code == 200


async def test_deactivating_a_tenant_asks_first_and_says_what_follows(sign_in: SignIn, owner_engine: Engine) -> None:
    admin = await sign_in(PLATTFORMSADMIN)
    page = await admin.get("/organisationer")
    goteborg = tenant_id_of(owner_engine, GOTEBORG)
    status = f"/organisationer/{goteborg}/status"

    asked = await admin.post_form(page, status, {"active": "false"})
    with owner_engine.connect() as connection:
        active_after_asking = connection.execute(
            text("SELECT active FROM tenant WHERE id = :t"), {"t": goteborg}
        ).scalar_one()
    unknown = await admin.post_form(page, f"/organisationer/{uuid.uuid4()}/status", {"active": "false"})
    done = await admin.post_form(asked, status, {"active": "false", "bekrafta": "ja"})
    with owner_engine.connect() as connection:
        active_after = connection.execute(text("SELECT active FROM tenant WHERE id = :t"), {"t": goteborg}).scalar_one()
    reactivated = await admin.post_form(page, status, {"active": "true"})

    assert asked.status_code == 200
    assert "Stänga av Göteborgs" in asked.text
    assert "Ingen kan längre arbeta för organisationen" in asked.text
    assert active_after_asking is True
    assert unknown.status_code == 404
    assert done.status_code == 302
    assert active_after is False
    assert reactivated.status_code == 302, "activating is not dangerous: no confirmation"


async def test_the_organisation_list_is_searched_and_paged(sign_in: SignIn) -> None:
    admin = await sign_in(PLATTFORMSADMIN)

    first = await admin.get("/organisationer")
    second = await admin.get("/organisationer?sida=2")
    found = await admin.get("/organisationer?sok=g%C3%B6teborg")
    nothing = await admin.get("/organisationer?sok=%25_%5C")
    beyond = await admin.get("/organisationer?sida=99999999")
    bad = await admin.get("/organisationer?sida=x")

    assert first.status_code == 200
    assert first.text.count('/status"') == 50
    assert "sida 1 av" in first.text
    assert 'href="/organisationer?sok=&amp;sida=2"' in first.text
    assert "sida 2 av" in second.text
    assert "Göteborgs" in found.text
    assert "Malmö" not in found.text.split("<tbody>")[1]
    assert "Ingen organisation matchar sökningen." in nothing.text
    assert beyond.status_code == 200
    assert bad.status_code == 400
    assert csrf_token(first.text)


async def test_a_tenant_administrator_cannot_reset_a_platform_administrators_sign_in(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    """Through one tenant, a reset would reach every tenant: neither offered nor accepted, even when named."""
    tenant_admin = person_in(NATIONAL, Role.TENANT_ADMIN, key="nationell-admin-aterstaller")
    admin = await sign_in(tenant_admin)
    target = await sign_in(PLATTFORMSADMIN)
    account_id = _built_in_account(owner_engine, PLATTFORMSADMIN.user_id)
    own, _ = membership_of(owner_engine, PLATTFORMSADMIN.user_id, NATIONAL)
    page = await admin.get("/organisation/personer")

    refused = [
        await admin.post_form(page, f"/organisation/personer/{own}/{path}", {"bekrafta": "ja"})
        for path in ("losenord", "autentisering")
    ]

    assert f"/organisation/personer/{own}/ta-bort" in page.text, "the platform administrator is listed"
    assert f"/organisation/personer/{own}/losenord" not in page.text
    assert f"/organisation/personer/{own}/autentisering" not in page.text
    for answer in refused:
        assert answer.status_code == 400
        assert "återställs bara från plattformens kommandorad" in answer.text
    assert _reset(owner_engine, account_id) is None
    assert (await target.get("/konto")).status_code == 200
