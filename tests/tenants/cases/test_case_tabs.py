"""The case page's tabs through the app: consents with their document, the police's assessment, the
action plan, phases and follow-ups. Each refusal names its field in Swedish and saves nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from avhopp.tenants.cases.service import MAX_DOCUMENT_BYTES, Category, record_consent
from tests.platform.idp.conftest import BROWSER, csrf_token
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import (
    GOTEBORG,
    GOTEBORG_SOCIALSEKRETERARE,
    KC,
    KC_HANDLAGGARE,
    POLIS_KONTAKT,
)
from tests.tenants.cases.conftest import TODAY, consent_for, open_goteborg_case
from tests.tenants.cases.test_pages import count

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    import httpx
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.conftest import SignIn
    from tests.platform.auth.conftest import Browser
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


async def post_consent(
    browser: Browser, page: httpx.Response, case_id: UUID, fields: dict[str, str | list[str]], document: bytes | None
) -> httpx.Response:
    files = {"document": ("samtycke.pdf", document, "application/pdf")} if document is not None else None
    return await browser.client.post(
        f"/arenden/{case_id}/samtycken",
        data={"_csrf_token": csrf_token(page.text), **fields},
        files=files,
        headers=BROWSER,
    )


def consent_fields(tenant_ids: dict[str, UUID], **changes: str | list[str]) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {
        "organisations": [str(tenant_ids[KC])],
        "categories": ["identity", "action_plan"],
        "purpose": "Samordning av stöd",
        "valid_from": TODAY.isoformat(),
        "valid_until": (TODAY + timedelta(days=365)).isoformat(),
        "witnessed_by": "Gunilla Göteborg",
    }
    return fields | changes


async def test_a_consent_is_recorded_with_its_document_read_audited_and_revoked_after_a_confirmation(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    case_id = await open_goteborg_case(acting_as)
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await officer.get(f"/arenden/{case_id}/samtycken")
    assert "Inga samtycken ännu" in page.text

    recorded = await post_consent(officer, page, case_id, consent_fields(tenant_ids), PDF)
    assert recorded.status_code in {302, 303}, recorded.text
    page = await officer.get(f"/arenden/{case_id}/samtycken")
    assert "Kunskapscentrum mot organiserad brottslighet" in page.text
    assert "Gäller" in page.text
    document_link = re.search(r'href="(/arenden/[^"]+/dokument)"', page.text)
    assert document_link is not None
    document = await officer.get(document_link.group(1))
    assert document.content == PDF
    assert document.headers["content-type"].startswith("application/pdf")
    assert "attachment" in document.headers["content-disposition"]

    revoke_link = re.search(r'href="(/arenden/[^"]+/aterkalla)"', page.text)
    assert revoke_link is not None
    confirm = await officer.get(revoke_link.group(1))
    assert "Återkalla samtycket?" in confirm.text
    assert "upphör genast" in confirm.text
    assert count(owner_engine, "case_grant WHERE revoked_at IS NOT NULL", tenant_ids[GOTEBORG]) == 0
    revoked = await officer.post_form(confirm, revoke_link.group(1), {})
    assert revoked.status_code in {302, 303}
    assert "Återkallat" in (await officer.get(f"/arenden/{case_id}/samtycken")).text


async def test_a_bad_consent_names_its_field_and_saves_nothing(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    case_id = await open_goteborg_case(acting_as)
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await officer.get(f"/arenden/{case_id}/samtycken")

    backwards = await post_consent(
        officer, page, case_id, consent_fields(tenant_ids, valid_until=(TODAY - timedelta(days=1)).isoformat()), None
    )
    assert backwards.status_code == 400
    assert "Samtycket måste sluta efter att det börjar." in backwards.text
    assert 'href="#valid_until"' in backwards.text

    nobody = await post_consent(officer, page, case_id, consent_fields(tenant_ids, organisations=[], purpose=""), None)
    assert "Välj minst en organisation som samtycket gäller." in nobody.text
    assert "Skriv syftet med delningen." in nobody.text  # every problem at once

    too_large = await post_consent(officer, page, case_id, consent_fields(tenant_ids), PDF + b"0" * MAX_DOCUMENT_BYTES)
    assert too_large.status_code == 400
    assert "Dokumentet får vara högst 5 MB." in too_large.text
    assert 'href="#document"' in too_large.text

    wrong_type = await post_consent(officer, page, case_id, consent_fields(tenant_ids), b"MZ\x90\x00 not a pdf")
    assert wrong_type.status_code == 400
    assert "Dokumentet ska vara en PDF, PNG eller JPEG." in wrong_type.text

    not_a_date = await post_consent(officer, page, case_id, consent_fields(tenant_ids, valid_from="3 maj"), None)
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in not_a_date.text

    assert count(owner_engine, "case_consent", tenant_ids[GOTEBORG]) == 0
    assert count(owner_engine, "case_grant", tenant_ids[GOTEBORG]) == 0


async def test_the_police_record_the_assessment_asked_of_them_and_the_case_sees_it(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    police_id = tenant_ids[POLIS_KONTAKT.tenant]
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await officer.get(f"/arenden/{case_id}/hotbedomning")
    assert "Registrera ett sådant samtycke" in page.text
    refused = await officer.post_form(page, f"/arenden/{case_id}/hotbedomning", {"police_id": str(police_id)})
    assert refused.status_code == 400
    assert "Polisen kan bara göra en bedömning när samtycket gäller dem" in refused.text

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await record_consent(
            session,
            actor,
            case_id,
            consent_for(police_id, categories=(Category.THREAT_ASSESSMENT,), contributors=(police_id,)),
            SECRET_KEY,
        )
    page = await officer.get(f"/arenden/{case_id}/hotbedomning")
    asked = await officer.post_form(page, f"/arenden/{case_id}/hotbedomning", {"police_id": str(police_id)})
    assert asked.status_code in {302, 303}
    assert "Polisen har inte gjort bedömningen ännu." in (await officer.get(f"/arenden/{case_id}/hotbedomning")).text

    police = await sign_in(POLIS_KONTAKT)
    listing = await police.get("/arenden/hotbedomningar")
    form_link = re.search(r'href="(/arenden/hotbedomningar/[0-9a-f-]+)"', listing.text)
    assert form_link is not None
    form = await police.get(form_link.group(1))
    assert "checked" not in re.sub(r"<select.*?</select>", "", form.text, flags=re.DOTALL)
    # Municipalities are checkboxes folded by county and searched as one types, not a multiple select.
    assert 'name="areas_municipality" value="1480"' in form.text
    assert " multiple" not in form.text
    assert "choice-filter" in form.text
    nowhere = await police.post_form(form, form_link.group(1), {"level": "serious", "scope": "local"})
    assert nowhere.status_code == 400
    assert "Ange var hotet gäller" in nowhere.text
    assert 'href="#areas"' in nowhere.text
    recorded = await police.post_form(
        form,
        form_link.group(1),
        {
            "level": "serious",
            "scope": "regional",
            "area_kind": "county",
            "areas_county": ["14", "13"],
            "active_in_crime": "on",
            "police_lead": "on",
            "reassess_on": (TODAY + timedelta(days=90)).isoformat(),
        },
    )
    assert recorded.status_code in {302, 303}, recorded.text
    assert "Inga bedömningar väntar på er." in (await police.get("/arenden/hotbedomningar")).text
    assert (await police.get(f"/arenden/{case_id}")).status_code == 403  # the police read no case page

    seen = await officer.get(f"/arenden/{case_id}/hotbedomning")
    assert "Västra Götalands län" in seen.text
    assert "Hallands län" in seen.text
    assert "Polisen har huvudansvaret för personens säkerhet" in (await officer.get(f"/arenden/{case_id}")).text


async def test_an_intervention_for_an_organisation_the_consent_does_not_cover_is_refused_and_nothing_saved(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await record_consent(
            session, actor, case_id, consent_for(tenant_ids[KC], categories=(Category.ACTION_PLAN,)), SECRET_KEY
        )
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await officer.get(f"/arenden/{case_id}/handlingsplan")
    more = await officer.post_form(page, f"/arenden/{case_id}/handlingsplan", {"rows": "3", "more_rows": "1"})
    assert 'name="interventions[3].intervention"' in more.text

    meeting: dict[str, str | list[str]] = {
        "rows": "3",
        "held_on": TODAY.isoformat(),
        "person_took_part": "on",
        "organisations": [str(tenant_ids[GOTEBORG]), str(tenant_ids[KC])],
        # The first row is left blank: the refusal must still point at the row that was filled in.
        "interventions[1].intervention": "emergency_housing",
        "interventions[1].responsible_tenant_id": str(tenant_ids["polisen-bergslagen"]),
        "interventions[1].starts_on": TODAY.isoformat(),
    }
    refused = await officer.post_form(page, f"/arenden/{case_id}/handlingsplan", meeting)
    assert refused.status_code == 400
    assert "Organisationen omfattas inte av samtycket för handlingsplanen." in refused.text
    assert 'href="#interventions[1].responsible_tenant_id"' in refused.text
    assert count(owner_engine, "case_meeting", tenant_ids[GOTEBORG]) == 0
    assert count(owner_engine, "case_intervention", tenant_ids[GOTEBORG]) == 0

    planned = await officer.post_form(
        page,
        f"/arenden/{case_id}/handlingsplan",
        meeting
        | {
            "interventions[1].responsible_tenant_id": str(tenant_ids[KC]),
            "interventions[2].intervention": "conversational_support",
            "interventions[2].responsible_tenant_id": str(tenant_ids[GOTEBORG]),
            "interventions[2].starts_on": TODAY.isoformat(),
        },
    )
    assert planned.status_code in {302, 303}, planned.text

    # The operation updates its own intervention, and only its own.
    kc = await sign_in(KC_HANDLAGGARE)
    shared = await kc.get("/arenden/delade")
    await kc.post_form(shared, f"/arenden/delade/{case_id}", {})
    plan = await kc.get(f"/arenden/{case_id}/handlingsplan")
    forms = re.findall(r'action="(/arenden/[^"]+/insatser/[0-9a-f-]+)"', plan.text)
    assert len(forms) == 1
    updated = await kc.post_form(plan, forms[0], {"status": "ongoing"})
    assert updated.status_code in {302, 303}
    assert "Pågår" in (await kc.get(f"/arenden/{case_id}/handlingsplan")).text
    own = re.findall(
        r'action="(/arenden/[^"]+/insatser/[0-9a-f-]+)"', (await officer.get(f"/arenden/{case_id}/handlingsplan")).text
    )
    others = [action for action in own if action != forms[0]]
    assert (await kc.post_form(plan, others[0], {"status": "done"})).status_code == 404


async def test_phases_change_with_a_reason_closing_asks_first_and_follow_ups_preselect_nothing(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    case_id = await open_goteborg_case(acting_as)
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await officer.get(f"/arenden/{case_id}/skeden")
    not_allowed = await officer.post_form(page, f"/arenden/{case_id}/skeden", {"phase": "long_term"})
    assert not_allowed.status_code == 400
    assert "Ärendet kan inte gå från" in not_allowed.text
    started = await officer.post_form(page, f"/arenden/{case_id}/skeden", {"phase": "acute"})
    assert started.status_code in {302, 303}

    schedule = await officer.get(f"/arenden/{case_id}/uppfoljning")
    assert "6 månader" in schedule.text
    assert "8 år" in schedule.text
    follow_up = re.search(r'href="(/arenden/[^"]+/uppfoljning/[0-9a-f-]+)"', schedule.text)
    assert follow_up is not None
    form = await officer.get(follow_up.group(1))
    assert " checked" not in form.text
    assert form.text.count(">Vet inte<") == 11
    today = TODAY.isoformat()
    partly = await officer.post_form(
        form,
        follow_up.group(1),
        {"housing": "own_lease", "own_view": "unknown", "held_on": today, "action": "close"},
    )
    assert partly.status_code == 400
    assert 'href="#occupation"' in partly.text
    assert 'value="own_lease" checked' in partly.text
    assert count(owner_engine, "case_follow_up WHERE done_at IS NOT NULL", tenant_ids[GOTEBORG]) == 0
    # A draft keeps what is answered so far, and the schedule says what is still missing.
    drafted = await officer.post_form(form, follow_up.group(1), {"housing": "own_lease", "action": "save"})
    assert drafted.status_code in {302, 303}
    assert "10 av 11 frågor obesvarade" in (await officer.get(f"/arenden/{case_id}/uppfoljning")).text
    answered = await officer.post_form(
        form,
        follow_up.group(1),
        {
            "housing": "own_lease",
            "occupation": "unknown",
            "addiction": "unknown",
            "contact_with_group": "none",
            "new_crime": "unknown",
            "threat": "unknown",
            "protected_identity": "none",
            "operation_contact": "ongoing",
            "own_view": "better",
            "own_safety": "unknown",
            "own_support": "unknown",
            "held_on": today,
            "action": "close",
        },
    )
    assert answered.status_code in {302, 303}
    assert "Gjord" in (await officer.get(f"/arenden/{case_id}/uppfoljning")).text

    early = await officer.post_form(
        page, f"/arenden/{case_id}/skeden", {"phase": "ended_early", "reason": "no_contact"}
    )
    assert early.status_code == 200
    assert "Avsluta ärendet?" in early.text
    assert count(owner_engine, "case_file WHERE closed_at IS NOT NULL", tenant_ids[GOTEBORG]) == 0
    closed = await officer.post_form(
        early, f"/arenden/{case_id}/skeden", {"phase": "ended_early", "reason": "no_contact", "confirmed": "yes"}
    )
    assert closed.status_code in {302, 303}
    history = await officer.get(f"/arenden/{case_id}/skeden")
    assert "Kontakten upphörde" in history.text
    assert "Akut skede → Avbrutet" in history.text
