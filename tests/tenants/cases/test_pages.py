"""The case workspace through the app: the officer's workspace, opening a case, the case page's tabs.

Bad input gets a Swedish message naming its field, with the error summary linking to it, and
nothing is saved; another municipality's officer finds nothing of the case until a consent
names it, and nothing again once it is revoked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.tenants.cases.service import FOLLOW_UP_QUESTIONS, Category, record_consent, revoke_consent
from avhopp.tenants.cases.web.follow_up_form import QUESTIONS
from avhopp.tenants.registry.roles import Role
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import (
    GOTEBORG,
    GOTEBORG_ERSATTARE,
    GOTEBORG_SOCIALSEKRETERARE,
    MALMO,
    MALMO_SOCIALSEKRETERARE,
    person_in,
)
from tests.tenants.cases.conftest import consent_for, open_goteborg_case

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.conftest import SignIn
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

CASE_PATH = re.compile(r"^/arenden/([0-9a-f-]{36})$")
TABS = ("", "/person", "/person?visa=true", "/samtycken", "/hotbedomning", "/handlingsplan", "/skeden", "/uppfoljning")
FORMS = ("/bedomning", "/samtycken", "/hotbedomning", "/handlingsplan", "/skeden")


def count(owner_engine: Engine, table: str, tenant_id: UUID) -> int:
    """Rows of a table in one tenant, as its owner sees them through row-level security."""
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def audited_reads(owner_engine: Engine, case_id: UUID | str) -> int:
    with owner_engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM audit_event WHERE action = 'person.read' AND object_id = :case"),
                {"case": str(case_id)},
            ).scalar_one()
        )


def new_case_form(**fields: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "contact_source": "person",
        "name": "Adam Andersson",
        "personal_number": "19811228-9874",
        "phone": "0701234567",
        "protected_identity": "none",
        "address": "Storgatan 1, Göteborg",
        "situation": "Vill lämna ett nätverk.",
        "needs": ["protection", "emergency_housing"],
        "deputy_id": str(GOTEBORG_ERSATTARE.user_id),
    }
    return form | fields


async def test_an_officer_opens_a_case_and_reads_the_person_only_when_asked_and_audited(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    workspace = await officer.get("/arenden")
    assert workspace.status_code == 200
    assert "Mina ärenden" in workspace.text
    form = await officer.get("/arenden/nytt")
    assert "Erik Ersättare (test)" in form.text  # the deputy is chosen among the tenant's case officers

    opened = await officer.post_form(form, "/arenden/nytt", new_case_form())
    assert opened.status_code in {302, 303}
    found = CASE_PATH.match(opened.headers["location"])
    assert found is not None
    case_id = found.group(1)

    mine = await officer.get("/arenden")
    assert "AA" in mine.text
    assert "Adam Andersson" not in mine.text  # lists show the number and initials, never the identity
    overview = await officer.get(f"/arenden/{case_id}")
    assert "Erik Ersättare (test): Ersättare" in overview.text
    assert "Adam Andersson" not in overview.text
    gate = await officer.get(f"/arenden/{case_id}/person")
    assert "Adam Andersson" not in gate.text
    assert "loggas" in gate.text
    assert audited_reads(owner_engine, case_id) == 0

    shown = await officer.get(f"/arenden/{case_id}/person?visa=true")
    assert "Adam Andersson" in shown.text
    assert "19811228-9874" in shown.text
    assert "Storgatan 1, Göteborg" in shown.text
    assert audited_reads(owner_engine, case_id) == 1


async def test_bad_input_names_its_field_and_opens_no_case(
    sign_in: SignIn, owner_engine: Engine, tenant_ids: dict[str, UUID]
) -> None:
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    form = await officer.get("/arenden/nytt")

    refused = await officer.post_form(
        form, "/arenden/nytt", new_case_form(personal_number="19811228-9875", contact_source="")
    )

    assert refused.status_code == 400
    assert "Ange ett personnummer eller samordningsnummer" in refused.text
    assert 'href="#personal_number"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert "Välj vem som tog kontakten." in refused.text
    assert 'href="#contact_source"' in refused.text
    assert 'value="Adam Andersson"' in refused.text  # what was typed comes back
    assert count(owner_engine, "case_file", tenant_ids[GOTEBORG]) == 0


async def test_with_a_protected_identity_no_address_is_shown_or_stored_and_the_page_says_why(
    sign_in: SignIn, owner_engine: Engine, tenant_ids: dict[str, UUID]
) -> None:
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    form = await officer.get("/arenden/nytt")
    again = await officer.post_form(
        form, "/arenden/nytt", new_case_form(protected_identity="fictitious_identity", name="")
    )
    assert again.status_code == 400
    assert 'name="address"' not in again.text
    assert "Därför sparas ingen adress" in again.text

    opened = await officer.post_form(form, "/arenden/nytt", new_case_form(protected_identity="fictitious_identity"))
    case_id = opened.headers["location"].rsplit("/", 1)[1]
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_ids[GOTEBORG])})
        connection.execute(
            text("SELECT set_config('app.user_id', :u, true)"), {"u": str(GOTEBORG_SOCIALSEKRETERARE.user_id)}
        )
        address = connection.execute(
            text("SELECT address_sealed FROM case_person WHERE case_id = :case"), {"case": case_id}
        ).scalar_one()
    assert address is None
    shown = await officer.get(f"/arenden/{case_id}/person?visa=true")
    assert "Storgatan" not in shown.text
    assert "Ingen adress sparas: personen har skyddade personuppgifter" in shown.text


async def test_malmo_finds_nothing_of_goteborgs_case_until_a_consent_names_malmo_and_nothing_after_revocation(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    malmo = await sign_in(MALMO_SOCIALSEKRETERARE)
    page = await malmo.get("/arenden")
    for tab in TABS:
        assert (await malmo.get(f"/arenden/{case_id}{tab}")).status_code == 404, tab
    for action in FORMS:
        answer = await malmo.post_form(page, f"/arenden/{case_id}{action}", {"phase": "acute", "police_id": ""})
        assert answer.status_code == 404, action
    assert (await malmo.post_form(page, f"/arenden/delade/{case_id}", {})).status_code == 404
    assert "Adam Andersson" not in (await malmo.get("/arenden/delade")).text

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        consent_id = await record_consent(
            session,
            actor,
            case_id,
            consent_for(tenant_ids[MALMO], categories=(Category.IDENTITY, Category.FOLLOW_UP)),
            SECRET_KEY,
        )

    shared = await malmo.get("/arenden/delade")
    assert "Gå med i teamet" in shared.text
    joined = await malmo.post_form(shared, f"/arenden/delade/{case_id}", {})
    assert joined.headers["location"] == f"/arenden/{case_id}"
    overview = await malmo.get(f"/arenden/{case_id}")
    assert overview.status_code == 200
    assert "Delas av" in overview.text
    assert (await malmo.get(f"/arenden/{case_id}/person?visa=true")).status_code == 200
    assert "Adam Andersson" in (await malmo.get(f"/arenden/{case_id}/person?visa=true")).text
    assert (await malmo.get(f"/arenden/{case_id}/uppfoljning")).status_code == 200
    # Only the tabs the consent's categories allow; the consents and phases stay the owner's.
    for tab in ("/samtycken", "/hotbedomning", "/handlingsplan", "/skeden"):
        assert (await malmo.get(f"/arenden/{case_id}{tab}")).status_code == 404, tab
        assert f'href="/arenden/{case_id}{tab}"' not in overview.text

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await revoke_consent(session, actor, consent_id)

    for tab in TABS:
        assert (await malmo.get(f"/arenden/{case_id}{tab}")).status_code == 404, tab
    assert str(case_id) not in (await malmo.get("/arenden")).text


async def test_a_case_officer_of_the_same_tenant_outside_the_team_finds_nothing(
    sign_in: SignIn, acting_as: ActingAs
) -> None:
    case_id = await open_goteborg_case(acting_as)
    colleague = await sign_in(person_in(GOTEBORG, Role.CASE_OFFICER, key="goteborg-annan-handlaggare"))
    for tab in TABS:
        assert (await colleague.get(f"/arenden/{case_id}{tab}")).status_code == 404, tab
    assert "AA" not in (await colleague.get("/arenden")).text
    deputy = await sign_in(GOTEBORG_ERSATTARE)
    assert (await deputy.get(f"/arenden/{case_id}")).status_code == 200


def test_every_follow_up_answer_has_a_swedish_label_and_vet_inte_is_one() -> None:
    assert {question: set(labels) for question, (_text, labels) in QUESTIONS.items()} == {
        question: set(answers) for question, answers in FOLLOW_UP_QUESTIONS.items()
    }
    assert all(labels["unknown"] == "Vet inte" for _text, labels in QUESTIONS.values())


async def test_the_workspace_and_the_case_page_are_in_english_second(sign_in: SignIn, acting_as: ActingAs) -> None:
    case_id = await open_goteborg_case(acting_as)
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    officer.client.cookies.set("avhopp_lang", "en")

    assert "My cases" in (await officer.get("/arenden")).text
    case_page = await officer.get(f"/arenden/{case_id}")
    assert "Parts of the case" in case_page.text
    assert "Draft (intake assessment)" in case_page.text
