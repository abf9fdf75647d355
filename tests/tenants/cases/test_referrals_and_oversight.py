"""Referrals from the guidance line, answered in the case workspace; the unit head's overview."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.directory.catalogue.seed import seed_service_id
from tests.support.people import (
    GOTEBORG,
    GOTEBORG_ENHETSCHEF,
    GOTEBORG_ERSATTARE,
    GOTEBORG_SOCIALSEKRETERARE,
    LINE_OPERATOR,
)
from tests.tenants.cases.conftest import open_goteborg_case

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.conftest import SignIn
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

SHARED = "Vill lämna ett nätverk, behöver boende."
SAFE = "Sms efter klockan 18."


def referral_to_goteborg(owner_engine: Engine, tenant_ids: dict[str, uuid.UUID]) -> uuid.UUID:
    """A contact on the guidance line and its referral to Göteborg's social services, as the line leaves it."""
    line = tenant_ids["stodlinjen"]
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(line)})
        contact = connection.execute(
            text(
                "INSERT INTO line_contact (tenant_id, operator_id, channel, caller_type)"
                " VALUES (:line, :operator, 'phone', 'person') RETURNING id"
            ),
            {"line": line, "operator": LINE_OPERATOR.user_id},
        ).scalar_one()
        referral = connection.execute(
            text(
                "INSERT INTO line_referral (tenant_id, contact_id, target_tenant_id, service_id, consent_given,"
                " shared_information, safe_contact, sent_by)"
                " VALUES (:line, :contact, :target, :service, true, :shared, :safe, :operator) RETURNING id"
            ),
            {
                "line": line,
                "contact": contact,
                "target": tenant_ids[GOTEBORG],
                "service": seed_service_id("socialtjanst-1480"),
                "shared": SHARED,
                "safe": SAFE,
                "operator": LINE_OPERATOR.user_id,
            },
        ).scalar_one()
    return uuid.UUID(str(referral))


def referral_state(owner_engine: Engine, tenant_ids: dict[str, uuid.UUID], referral_id: uuid.UUID) -> str:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_ids["stodlinjen"])})
        return str(
            connection.execute(
                text("SELECT status FROM line_referral WHERE id = :id"), {"id": referral_id}
            ).scalar_one()
        )


def notices(owner_engine: Engine, tenant_id: uuid.UUID, person: NamedPerson, kind: str) -> list[str]:
    """The links of a person's notifications of one kind (each sees only their own)."""
    with owner_engine.begin() as connection:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :t, true), set_config('app.user_id', :u, true)"),
            {"t": str(tenant_id), "u": str(person.user_id)},
        )
        return list(
            connection.execute(
                text("SELECT link FROM notification WHERE kind = :kind AND user_id = :u"),
                {"kind": kind, "u": person.user_id},
            ).scalars()
        )


async def test_a_referral_is_read_audited_accepted_into_a_draft_and_its_intake_completed(
    sign_in: SignIn, owner_engine: Engine, tenant_ids: dict[str, uuid.UUID]
) -> None:
    referral_id = referral_to_goteborg(owner_engine, tenant_ids)
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    workspace = await officer.get("/arenden")
    assert f'href="/arenden/remisser/{referral_id}"' in workspace.text
    assert SHARED not in workspace.text

    referral = await officer.get(f"/arenden/remisser/{referral_id}")
    assert SHARED in referral.text
    assert SAFE in referral.text
    with owner_engine.connect() as connection:
        reads = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'person.read' AND object_id = :id"),
            {"id": str(referral_id)},
        ).scalar_one()
    assert reads == 1
    assert referral_state(owner_engine, tenant_ids, referral_id) == "opened"

    no_reason = await officer.post_form(referral, f"/arenden/remisser/{referral_id}/avboj", {"decision_reason": ""})
    assert no_reason.status_code == 400
    assert "Skriv varför ni inte kan ta emot personen." in no_reason.text
    assert 'href="#decision_reason"' in no_reason.text
    assert referral_state(owner_engine, tenant_ids, referral_id) == "opened"

    accepted = await officer.post_form(referral, f"/arenden/remisser/{referral_id}/acceptera", {})
    intake_path = accepted.headers["location"]
    assert re.fullmatch(r"/arenden/[0-9a-f-]{36}/bedomning", intake_path)
    case_path = intake_path.removesuffix("/bedomning")
    assert referral_state(owner_engine, tenant_ids, referral_id) == "accepted"
    intake = await officer.get(intake_path)
    assert SAFE in intake.text  # only what the caller agreed to share
    assert SHARED in intake.text

    incomplete = await officer.post_form(intake, intake_path, {"name": "", "safe_contact": SAFE})
    assert incomplete.status_code == 400
    assert "Skriv personens namn." in incomplete.text
    completed = await officer.post_form(
        intake,
        intake_path,
        {
            "name": "Bo Berg",
            "safe_contact": SAFE,
            "protected_identity": "confidentiality_marking",
            "situation": SHARED,
            "affiliation": "neighbourhood_group",
            "needs": ["emergency_housing"],
            "deputy_id": str(GOTEBORG_ERSATTARE.user_id),
        },
    )
    assert completed.headers["location"] == case_path
    overview = await officer.get(case_path)
    assert "Erik Ersättare (test): Ersättare" in overview.text
    assert "Stödlinjen" in overview.text
    assert "Akut boende" in overview.text
    assert "Bo Berg" in (await officer.get(f"{case_path}/person?visa=true")).text
    assert "BB" in (await officer.get("/arenden")).text
    assert "Accepterad" in (await officer.get("/arenden/remisser")).text


async def test_a_declined_referral_tells_the_line_why(
    sign_in: SignIn, owner_engine: Engine, tenant_ids: dict[str, uuid.UUID]
) -> None:
    referral_id = referral_to_goteborg(owner_engine, tenant_ids)
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    referral = await officer.get(f"/arenden/remisser/{referral_id}")
    declined = await officer.post_form(
        referral, f"/arenden/remisser/{referral_id}/avboj", {"decision_reason": "Personen bor i en annan kommun."}
    )
    assert declined.headers["location"] == "/arenden/remisser"
    assert referral_state(owner_engine, tenant_ids, referral_id) == "declined"
    assert "Acceptera" not in (await officer.get(f"/arenden/remisser/{referral_id}")).text


async def test_the_line_keeps_its_own_pages_and_no_longer_answers_for_the_receivers(sign_in: SignIn) -> None:
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    assert (await officer.get("/remisser")).status_code == 404
    assert 'href="/remisser"' not in (await officer.get("/")).text


async def test_the_unit_head_oversees_without_identities_assigns_the_team_and_opens_a_case_only_in_an_emergency(
    sign_in: SignIn, acting_as: ActingAs, owner_engine: Engine, tenant_ids: dict[str, uuid.UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    head = await sign_in(GOTEBORG_ENHETSCHEF)
    overview = await head.get("/arenden/oversikt")
    assert overview.status_code == 200
    assert "Gunilla Göteborg (test)" in overview.text
    assert "Erik Ersättare (test)" in overview.text
    assert "Adam Andersson" not in overview.text
    assert "AA" not in re.sub(r"<head>.*?</head>", "", overview.text, flags=re.DOTALL)
    assert (await head.get(f"/arenden/{case_id}")).status_code == 404

    team = await head.get(f"/arenden/oversikt/{case_id}/team")
    alone = await head.post_form(
        team, f"/arenden/oversikt/{case_id}/team", {"responsible": str(GOTEBORG_ERSATTARE.user_id)}
    )
    assert alone.status_code == 400
    assert "Välj minst en ersättare." in alone.text
    assert 'href="#deputies"' in alone.text
    swapped = await head.post_form(
        team,
        f"/arenden/oversikt/{case_id}/team",
        {"responsible": str(GOTEBORG_ERSATTARE.user_id), "deputies": [str(GOTEBORG_SOCIALSEKRETERARE.user_id)]},
    )
    assert swapped.headers["location"] == "/arenden/oversikt"

    confirm = await head.get(f"/arenden/oversikt/{case_id}/nodlage")
    assert "alla i teamet får veta" in confirm.text
    short = await head.post_form(confirm, f"/arenden/oversikt/{case_id}/nodlage", {"reason": "Brådis"})
    assert short.status_code == 400
    assert 'href="#reason"' in short.text
    opened = await head.post_form(
        confirm, f"/arenden/oversikt/{case_id}/nodlage", {"reason": "Polisen ringde om ett akut hot i natt."}
    )
    assert opened.headers["location"] == f"/arenden/{case_id}"
    page = await head.get(f"/arenden/{case_id}")
    assert "Du har öppnat ärendet i nödläge" in page.text
    assert "Adam Andersson" in (await head.get(f"/arenden/{case_id}/person?visa=true")).text
    assert "Byt skede" not in (await head.get(f"/arenden/{case_id}/skeden")).text
    for member in (GOTEBORG_SOCIALSEKRETERARE, GOTEBORG_ERSATTARE):  # the whole team is told
        assert notices(owner_engine, tenant_ids[GOTEBORG], member, "case_emergency_access") == [f"/arenden/{case_id}"]
