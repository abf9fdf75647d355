"""Onboarding: the national administrator gives a tenant its first administrator; seed entries are confirmed.

Named people: Nina, the national administrator at Brå; Kim, who becomes Kiruna's administrator
(she already works in Malmö); Gösta, Göteborg's administrator, who must not reach other tenants.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.tenants.registry.roles import Role
from avhopp.tenants.registry.rollout import invite_from_file, read_rollout
from tests.platform.auth.conftest import BASE_URL
from tests.platform.idp.conftest import csrf_token
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG, GOTEBORG_ADMIN, NATIONELL_SAMORDNARE, PLATTFORMSADMIN, person_in
from tests.tenants.test_administration import membership_of, tenant_id_of

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.conftest import SignIn
    from tests.platform.auth.conftest import Browser

NINA = person_in("bra", Role.NATIONAL_ADMIN, key="nina-nationell-admin")
KIM = person_in("kommun-1280", Role.CASE_OFFICER, key="kim-blivande-admin")
KIRUNA, LULEA, ALE = "kommun-2584", "kommun-2580", "kommun-1440"
_LINK = re.compile(re.escape(BASE_URL) + r"/inbjudan/([A-Za-z0-9_-]+)")


def _link(page: str) -> str:
    found = _LINK.search(page)
    assert found, "the page shows the link once"
    return found.group(1)


async def _accept(browser: Browser, token: str) -> tuple[int, str]:
    offer = await browser.get(f"/inbjudan/{token}")
    if offer.status_code != 200:
        return offer.status_code, offer.text
    response = await browser.client.post(
        f"/inbjudan/{token}", data={"_csrf_token": csrf_token(offer.text)}, headers={"accept": "text/html"}
    )
    return response.status_code, response.text


def _audit(owner_engine: Engine, tenant: uuid.UUID) -> list[tuple[str, str | None]]:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        rows = connection.execute(
            text(
                "SELECT action, reason FROM audit_event WHERE tenant_id = :t AND object_type = 'onboarding' ORDER BY id"
            ),
            {"t": tenant},
        )
        return [(row.action, row.reason) for row in rows]


def _invitations(owner_engine: Engine, tenant: uuid.UUID) -> int:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
        return int(
            connection.execute(text("SELECT count(*) FROM invitation WHERE tenant_id = :t"), {"t": tenant}).scalar_one()
        )


async def test_the_first_administrator_is_invited_accepts_once_and_a_second_needs_asking(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    nina, kim = await sign_in(NINA), await sign_in(KIM)
    kiruna, national = tenant_id_of(owner_engine, KIRUNA), tenant_id_of(owner_engine, "bra")

    listed = await nina.get("/nationellt/organisationer?sok=Kiruna")
    page = await nina.get(f"/nationellt/organisationer/{kiruna}")
    invited = await nina.post_form(page, f"/nationellt/organisationer/{kiruna}/inbjudan", {"email": "kim@kiruna.se"})
    token = _link(invited.text)
    accepted = await _accept(kim, token)
    replayed = await _accept(kim, token)
    after = await nina.get("/nationellt/organisationer?sok=Kiruna")
    unasked = await nina.post_form(page, f"/nationellt/organisationer/{kiruna}/inbjudan", {"email": "ann@kiruna.se"})
    resent = await nina.post_form(page, f"/nationellt/organisationer/{kiruna}/skicka-igen", {})
    asked = await nina.post_form(
        page, f"/nationellt/organisationer/{kiruna}/inbjudan", {"email": "ann@kiruna.se", "second_admin": "ja"}
    )

    assert listed.status_code == 200
    assert "Kiruna kommun" in listed.text
    assert "Kalix" not in listed.text, "the search narrows the list"
    assert re.search(r"Kiruna kommun</a></td>\s*<td>Kommun</td>\s*<td>Nej</td>", listed.text)
    assert invited.status_code == 200
    assert accepted[0] == 302
    assert membership_of(owner_engine, KIM.user_id, KIRUNA)[1] == [Role.TENANT_ADMIN]
    assert replayed[0] == 404
    assert "Inbjudan gäller inte längre" in replayed[1]
    assert re.search(r"Kiruna kommun</a></td>\s*<td>Kommun</td>\s*<td>Ja</td>", after.text)
    assert unasked.status_code == 400
    assert "redan en aktiv administratör" in unasked.text
    assert resent.status_code == 400, "a re-sent link slips no second administrator past the choice"
    assert "redan en aktiv administratör" in resent.text
    assert asked.status_code == 200
    # From then the tenant administers itself: Kim acts for Kiruna at once and invites a colleague.
    own = await kim.get("/organisation/personer")
    colleague = await kim.post_form(own, "/organisation/inbjudningar", {"roles": Role.CASE_OFFICER})
    assert own.status_code == 200
    assert colleague.status_code == 200
    assert f"{BASE_URL}/inbjudan/" in colleague.text
    assert _audit(owner_engine, kiruna) == [("tenant.invited", "first_admin"), ("tenant.invited", "second_admin")]
    assert _audit(owner_engine, national) == [("tenant.invited", "first_admin"), ("tenant.invited", "second_admin")]


@pytest.mark.parametrize(
    "email",
    [
        "",
        "inte-en-adress",
        "kim@kiruna.se\x00",
        "kim@kirunа.se",
        "k" * 100_000 + "@kiruna.se",
        "kim@kiruna.se\nBcc: alla@example.com",
    ],
    ids=["empty", "no-at", "nul", "look-alike", "huge", "header-injection"],
)
async def test_a_bad_address_is_refused_by_name_and_changes_nothing(
    sign_in: SignIn, owner_engine: Engine, email: str
) -> None:
    nina = await sign_in(NINA)
    ale = tenant_id_of(owner_engine, ALE)
    page = await nina.get(f"/nationellt/organisationer/{ale}")

    refused = await nina.post_form(page, f"/nationellt/organisationer/{ale}/inbjudan", {"email": email})

    assert refused.status_code == 400
    assert "e-post" in refused.text.lower() or "fältet ”email”" in refused.text.lower()
    assert _invitations(owner_engine, ale) == 0


async def test_a_resent_link_replaces_the_old_and_a_revoked_one_stops_working(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    nina, kim = await sign_in(NINA), await sign_in(KIM)
    lulea = tenant_id_of(owner_engine, LULEA)
    page = await nina.get(f"/nationellt/organisationer/{lulea}")
    first = _link(
        (await nina.post_form(page, f"/nationellt/organisationer/{lulea}/inbjudan", {"email": "a@lulea.se"})).text
    )

    resent = await nina.post_form(page, f"/nationellt/organisationer/{lulea}/skicka-igen", {})
    second = _link(resent.text)
    shown = await nina.get(f"/nationellt/organisationer/{lulea}")
    revoked = await nina.post_form(page, f"/nationellt/organisationer/{lulea}/aterkalla", {})
    nothing_left = await nina.post_form(page, f"/nationellt/organisationer/{lulea}/aterkalla", {})

    assert second != first
    assert '<details class="app-confirm">' in shown.text, "revoking asks first"
    assert revoked.status_code == 200
    assert "återkallad" in revoked.text
    assert nothing_left.status_code == 400
    assert "ingen öppen inbjudan" in nothing_left.text
    for token in (first, second):
        status, body = await _accept(kim, token)
        assert status == 404
        assert "Inbjudan gäller inte längre" in body
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(lulea)})
        members = connection.execute(text("SELECT count(*) FROM membership WHERE tenant_id = :t"), {"t": lulea})
        assert members.scalar_one() == 0
    assert [action for action, _ in _audit(owner_engine, lulea)] == [
        "tenant.invited",
        "tenant.invited",
        "tenant.invitation_revoked",
    ]


async def test_an_expired_link_changes_nothing(sign_in: SignIn, owner_engine: Engine) -> None:
    nina, kim = await sign_in(NINA), await sign_in(KIM)
    ale = tenant_id_of(owner_engine, ALE)
    page = await nina.get(f"/nationellt/organisationer/{ale}")
    token = _link(
        (await nina.post_form(page, f"/nationellt/organisationer/{ale}/inbjudan", {"email": "a@ale.se"})).text
    )
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(ale)})
        connection.execute(
            text("UPDATE invitation SET expires_at = :past WHERE tenant_id = :t"),
            {"past": datetime.now(UTC) - timedelta(minutes=1), "t": ale},
        )

    status, body = await _accept(kim, token)

    assert status == 404
    assert "Inbjudan gäller inte längre. Be den som bjöd in dig om en ny." in body
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(ale)})
        assert (
            connection.execute(text("SELECT count(*) FROM membership WHERE tenant_id = :t"), {"t": ale}).scalar_one()
            == 0
        )


async def test_nobody_but_the_national_administrator_onboards(sign_in: SignIn, owner_engine: Engine) -> None:
    malmo = tenant_id_of(owner_engine, "kommun-1280")
    gosta = await sign_in(GOTEBORG_ADMIN)
    platform = await sign_in(PLATTFORMSADMIN)
    # The role held where it may not be granted opens nothing: the routes are the coordinator's.
    misplaced = await sign_in(person_in(GOTEBORG, Role.NATIONAL_ADMIN, key="nationell-admin-i-kommun"))
    own_page = await gosta.get("/organisation/personer")

    answers = []
    for browser in (gosta, platform, misplaced):
        answers.append((await browser.get("/nationellt/organisationer")).status_code)
        answers.append((await browser.get(f"/nationellt/organisationer/{malmo}")).status_code)
        answers.append(
            (
                await browser.post_form(
                    own_page, f"/nationellt/organisationer/{malmo}/inbjudan", {"email": "x@malmo.se"}
                )
            ).status_code
        )
        answers.append(
            (await browser.post_form(own_page, f"/nationellt/organisationer/{malmo}/aterkalla", {})).status_code
        )
    # A tenant's administrator invites into the own tenant only: the form names no tenant at all.
    own = await gosta.post_form(
        own_page, "/organisation/inbjudningar", {"roles": Role.CASE_OFFICER, "tenant_id": str(malmo)}
    )

    assert set(answers) <= {403, 404}
    assert _invitations(owner_engine, malmo) == 0
    assert own.status_code == 200
    assert _invitations(owner_engine, tenant_id_of(owner_engine, GOTEBORG)) == 1


async def test_the_command_line_invites_many_and_reports_bad_lines(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    await sign_in(NINA)
    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE app_user SET email = 'nina@bra.example' WHERE id = :u"), {"u": NINA.user_id})
    csv = "\n".join(
        [
            "tenant,email",
            f"{KIRUNA},kim@kiruna.se",
            f"{LULEA},a@lulea.se,kanske",
            "finns-inte,a@b.se",
            f"{ALE},inte-en-adress",
            "bara-en-kolumn",
            f"{tenant_id_of(owner_engine, ALE)},a@ale.se",
            f"{GOTEBORG},ny@goteborg.se",
        ]
    )
    lines, refused = read_rollout(csv)
    steps: list[int] = []

    outcomes = await invite_from_file(
        sessions,
        lines,
        by="nina@bra.example",
        secret_key=SECRET_KEY,
        public_url=BASE_URL,
        mail=False,
        progress=steps.append,
    )

    by_line = {outcome.number: outcome for outcome in [*refused, *outcomes]}
    assert sum(steps) == len(lines) == 5
    assert by_line[2].ok
    assert by_line[2].link
    assert not by_line[3].ok
    assert "ja eller nej" in by_line[3].message
    assert by_line[4].message == "Organisationen finns inte."
    assert "e-postadress" in by_line[5].message.lower()
    assert not by_line[6].ok
    assert by_line[7].ok
    assert "redan en aktiv administratör" in by_line[8].message
    assert _invitations(owner_engine, tenant_id_of(owner_engine, KIRUNA)) == 1


async def test_an_administrator_confirms_the_seed_through_review(
    sign_in: SignIn,
    owner_engine: Engine,
    seeded: None,  # noqa: ARG001 - Göteborg's social services are in the seed
) -> None:
    gosta, lina, nina = await sign_in(GOTEBORG_ADMIN), await sign_in(NATIONELL_SAMORDNARE), await sign_in(NINA)
    service = seed_service_id("socialtjanst-1480")
    before = await nina.get("/nationellt/organisationer/katalog")

    listed = await gosta.get("/organisation/katalog")
    sent = await gosta.post_form(listed, f"/organisation/katalog/{service}/bekrafta", {})
    twice = await gosta.post_form(listed, f"/organisation/katalog/{service}/bekrafta", {})
    foreign = await gosta.post_form(
        listed, f"/organisation/katalog/{seed_service_id('socialtjanst-1280')}/bekrafta", {}
    )
    with owner_engine.begin() as connection:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id_of(owner_engine, GOTEBORG))}
        )
        revision = connection.execute(
            text("SELECT id FROM directory_revision WHERE subject_id = :s AND status = 'pending'"), {"s": service}
        ).scalar_one()
        still = connection.execute(
            text("SELECT verified_on FROM directory_service WHERE id = :s"), {"s": service}
        ).scalar_one()
    queue = await lina.get(f"/katalog/granskning/{revision}")
    approved = await lina.post_form(queue, f"/katalog/granskning/{revision}", {"decision": "approve"})
    after = await nina.get("/nationellt/organisationer/katalog")
    remaining = await gosta.get("/organisation/katalog")

    assert listed.status_code == 200
    assert "Att bekräfta" in listed.text
    assert "Källa" in listed.text
    assert "Brås kartläggning" in listed.text
    assert sent.status_code == 302
    assert sent.headers["location"].endswith("?skickat=1")
    assert twice.headers["location"].endswith("?fel=1")
    assert foreign.status_code == 404
    assert still is None, "only the review publishes the confirmation"
    assert approved.status_code == 302
    with owner_engine.begin() as connection:
        verified = connection.execute(
            text("SELECT verified_on FROM directory_service WHERE id = :s"), {"s": service}
        ).scalar_one()
    assert verified is not None
    assert str(service) not in remaining.text
    share = re.compile(r"<td>Västra Götalands län</td><td>Kommun</td><td>(\d+)</td><td>(\d+)</td>")
    counted_before, counted_after = share.search(before.text), share.search(after.text)
    assert counted_before
    assert counted_after
    assert int(counted_after.group(2)) == int(counted_before.group(2)) + 1
