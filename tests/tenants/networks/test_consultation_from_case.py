"""A consultation started from a case: a link on the case page for its team, the case's coarse codes in the
form, and nothing in the form, what it sends or what is stored that leads back to the case.

The link comes from the platform's page links (the cases part does not import networks); the codes
come through the cases part's `consultation_basis` (its owner's team only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.tenants.cases.service import Actor as CaseActor
from avhopp.tenants.cases.service import ContactSource, NewCase, PersonDetails, open_case
from avhopp.tenants.networks.service import name_representatives
from avhopp.tenants.registry.roles import Role
from tests.platform.idp.conftest import csrf_token
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG_ERSATTARE, person_in
from tests.tenants.cases.api_client import api_for
from tests.tenants.networks.conftest import GOTEBORG_NATVERK, MALMO_NATVERK, TwoCounties

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.service import Actor
    from tests.conftest import SignIn
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

HANDLAGGARE = person_in("kommun-1480", Role.CASE_OFFICER, Role.NETWORK_MEMBER, key="goteborg-arende-och-natverk")
"""A case officer of Göteborg who also represents Göteborg in Västra Götaland's network."""


async def _case(acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine) -> UUID:
    async with acting_as(HANDLAGGARE) as (session, actor):
        case_id = await open_case(
            session,
            SECRET_KEY,
            CaseActor(actor.tenant_id, actor.user_id),
            NewCase(
                ContactSource.PERSON,
                PersonDetails(name="Adam Andersson", personal_number="20080315-9870"),
                deputy_id=GOTEBORG_ERSATTARE.user_id,
            ),
        )
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        await name_representatives(
            session, actor, two_counties.vg_goteborg, [GOTEBORG_NATVERK.user_id, HANDLAGGARE.user_id]
        )
    with owner_engine.begin() as connection:
        connection.execute(
            text("UPDATE case_file SET affiliation = 'mc_gang', needs = '{supported_housing}' WHERE id = :c"),
            {"c": case_id},
        )
    return case_id


async def test_a_consultation_from_the_case_page_keeps_no_link_to_the_case(
    sign_in: SignIn, acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    case_id = await _case(acting_as, two_counties, owner_engine)
    start = f"/natverk/konsultationer/fran-arende/{case_id}"
    officer = await sign_in(HANDLAGGARE)
    case_page = await officer.get(f"/arenden/{case_id}/")
    assert case_page.status_code == 200, case_page.text
    assert f'href="{start}"' in case_page.text
    assert "Ta upp i länsnätverket (anonymt)" in case_page.text

    chooser = await officer.get(start)
    form_path = f"/natverk/{two_counties.vg_space}/konsultationer/ny?arende={case_id}"
    assert (chooser.status_code, chooser.headers["location"]) == (302, form_path)
    form = await officer.get(form_path)
    assert form.status_code == 200, form.text
    for chosen in ('value="mc_gang" selected', 'value="before" selected', 'value="1480" selected'):
        assert chosen in form.text
    # Born in March 2008: eighteen years old today, whatever the day in 2026 or 2027 the test runs.
    assert 'value="18_20" selected' in form.text
    assert 'name="needs" value="supported_housing" checked' in form.text
    # Neither the form nor the page around it names the case.
    assert str(case_id) not in form.text
    sent = await officer.client.post(
        f"/natverk/{two_counties.vg_space}/konsultationer",
        data={
            "_csrf_token": csrf_token(form.text),
            "age_band": "18_20",
            "affiliation": "mc_gang",
            "phase": "before",
            "needs": "supported_housing",
            "place": "1480",
            "question": "Hur ordnar ni ett tryggt boende snabbt när personen just har lämnat gruppen?",
        },
    )
    assert sent.status_code in {302, 303}, sent.text
    with owner_engine.connect() as connection:
        stored = connection.execute(text("SELECT to_jsonb(c)::text FROM network_consultation c")).scalars().all()
    assert len(stored) == 1
    assert str(case_id) not in stored[0]
    assert '"municipality_code": "1480"' in stored[0]


async def test_only_the_case_team_in_a_network_gets_the_link_and_the_codes(
    sign_in: SignIn, acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    case_id = await _case(acting_as, two_counties, owner_engine)
    # On the team but with no role in a network: no link (the page would not open).
    deputy = await sign_in(GOTEBORG_ERSATTARE)
    page = await deputy.get(f"/arenden/{case_id}/")
    assert page.status_code == 200, page.text
    assert "fran-arende" not in page.text
    # In the network but not on the case's team, or in another county: neither the start nor the form opens.
    for outsider in (GOTEBORG_NATVERK, MALMO_NATVERK):
        member = await sign_in(outsider)
        assert (await member.get(f"/natverk/konsultationer/fran-arende/{case_id}")).status_code == 404
        own_space = two_counties.vg_space if outsider == GOTEBORG_NATVERK else two_counties.skane_space
        form = await member.get(f"/natverk/{own_space}/konsultationer/ny?arende={case_id}")
        assert form.status_code == 404


async def test_the_api_gives_the_case_team_the_coarse_codes_and_age_band(
    sign_in: SignIn, acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    case_id = await _case(acting_as, two_counties, owner_engine)
    officer = await api_for(sign_in, HANDLAGGARE)
    basis = await officer.get(f"/api/v1/networks/cases/{case_id}/consultation-basis")
    assert basis.status_code == 200, basis.text
    assert basis.json() == {
        "age_band": "18_20",
        "affiliation": "mc_gang",
        "phase": "before",
        "needs": ["supported_housing"],
        "interventions_tried": [],
        "place": "1480",
    }
    assert str(case_id) not in basis.text
    member = await api_for(sign_in, GOTEBORG_NATVERK)
    assert (await member.get(f"/api/v1/networks/cases/{case_id}/consultation-basis")).status_code == 404
