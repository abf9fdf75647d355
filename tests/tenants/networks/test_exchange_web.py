"""Threads and anonymised consultations through the API and the pages, as the people use them.

A refused text answers 400 naming the field and what to remove, quotes nothing and saves nothing;
Skåne's representative gets "not found" for every one of Västra Götaland's threads and consultations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from tests.platform.idp.conftest import csrf_token
from tests.tenants.cases.api_client import api_for, fields
from tests.tenants.networks.conftest import GOTEBORG_NATVERK, MALMO_NATVERK, SKANE_SAMORDNARE, VG_SAMORDNARE

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import Engine

    from tests.conftest import SignIn
    from tests.support.people import NamedPerson
    from tests.tenants.cases.api_client import Api

NETWORKS = "/api/v1/networks"
PERSONNUMMER = "Texten innehåller ett personnummer eller samordningsnummer. Ta bort det."
PHONE = "Texten innehåller ett telefonnummer. Ta bort det."
CONSULTATION = {
    "age_band": "18_20",
    "phase": "acute",
    "place": "1480",
    "affiliation": "neighbourhood_group",
    "needs": ["emergency_housing", "protection"],
    "interventions_tried": ["contact_person"],
    "question": "Hur ordnar ni skyddat boende snabbt för en ung person i akut fas?",
}


def exchange_rows(owner_engine: Engine) -> tuple[int, ...]:
    with owner_engine.connect() as connection:
        return tuple(
            connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM network_thread), (SELECT count(*) FROM network_thread_reply),"
                    " (SELECT count(*) FROM network_consultation), (SELECT count(*) FROM network_consultation_reply)"
                )
            ).one()
        )


async def county_space(
    sign_in: SignIn, tenant_ids: dict[str, uuid.UUID], coordinator_person: NamedPerson, member_person: NamedPerson
) -> tuple[Api, Api, str]:
    """A county's space with one member organisation, its person named representative."""
    coordinator = await api_for(sign_in, coordinator_person)
    member = await api_for(sign_in, member_person)
    space = (await coordinator.post(NETWORKS, {"scope": "county", "name": f"Nätverket {member_person.tenant}"})).json()
    invited = await coordinator.post(
        f"{NETWORKS}/{space['space']['id']}/members",
        {
            "tenant_id": str(tenant_ids[member_person.tenant]),
            "network_role": "social_services",
            "contact_function": "Avhopparsamordnare",
        },
    )
    member_id = invited.json()["members"][0]["id"]
    named = await member.send(
        "PUT", f"{NETWORKS}/members/{member_id}/representatives", {"user_ids": [str(member_person.user_id)]}
    )
    assert named.status_code == 204, named.text
    return coordinator, member, space["space"]["id"]


async def test_threads_and_consultations_through_the_api(
    sign_in: SignIn,
    tenant_ids: dict[str, uuid.UUID],
    owner_engine: Engine,
    clean_database: None,  # noqa: ARG001
) -> None:
    coordinator, member, space = await county_space(sign_in, tenant_ids, VG_SAMORDNARE, GOTEBORG_NATVERK)
    following = await member.send("PUT", f"{NETWORKS}/{space}/following", {"following": True})
    assert following.json() == {"following": True}, following.text
    before = exchange_rows(owner_engine)
    refused = await member.post(
        f"{NETWORKS}/{space}/threads", {"title": "Boende", "body": "Han har 811218-9876 och 070-123 45 67."}
    )
    assert refused.status_code == 400
    # One message per kind found, each naming what to remove, none quoting it.
    assert PERSONNUMMER in refused.text
    assert PHONE in refused.text
    # Whole fragments: a short one such as "070" turns up in the response's random request id.
    assert "811218" not in refused.text
    assert "123 45 67" not in refused.text
    assert exchange_rows(owner_engine) == before
    started = await member.post(f"{NETWORKS}/{space}/threads", {"title": "Boende", "body": "Hur gör ni med boende?"})
    assert started.status_code == 201, started.text
    thread = started.json()
    assert thread["question"]["organisation"] == "Göteborgs Stad"
    replied = await coordinator.post(f"{NETWORKS}/threads/{thread['id']}/replies", {"body": "Vi frågar grannlänet."})
    assert [reply["body"] for reply in replied.json()["replies"]] == ["Vi frågar grannlänet."]
    assert [line["replies"] for line in (await member.get(f"{NETWORKS}/{space}/threads")).json()] == [1]

    brought = await member.post(f"{NETWORKS}/{space}/consultations", CONSULTATION)
    assert brought.status_code == 201, brought.text
    consultation = brought.json()
    assert (consultation["place"], consultation["needs"]) == ("Göteborg", ["emergency_housing", "protection"])
    small = await member.post(f"{NETWORKS}/{space}/consultations", CONSULTATION | {"place": "1407"})
    assert small.json()["place"] == "Västra Götalands län"
    refused = await coordinator.post(
        f"{NETWORKS}/consultations/{consultation['id']}/replies", {"body": "Ring ０７０‐１２３ ４５ ６７."}
    )
    assert fields(refused) == {"body": PHONE}
    advice = await coordinator.post(
        f"{NETWORKS}/consultations/{consultation['id']}/replies", {"body": "Samordna tidigt med polisen."}
    )
    assert len(advice.json()["replies"]) == 1
    assert (await member.post(f"{NETWORKS}/consultations/{consultation['id']}/close")).status_code in {403, 404}
    closed = await coordinator.post(f"{NETWORKS}/consultations/{consultation['id']}/close")
    assert closed.json()["closed_at"] is not None
    late = await member.post(f"{NETWORKS}/consultations/{consultation['id']}/replies", {"body": "Tack!"})
    assert late.status_code == 400
    listed = (await member.get(f"{NETWORKS}/{space}/consultations")).json()
    assert {(line["age_band_label"], line["closed"]) for line in listed} == {("18–20 år", True), ("18–20 år", False)}
    schema = (await member.get("/api/docs/openapi.json")).json()
    assert {
        f"{NETWORKS}/{{space_id}}/threads",
        f"{NETWORKS}/threads/{{thread_id}}/replies",
        f"{NETWORKS}/{{space_id}}/consultations",
        f"{NETWORKS}/consultations/{{consultation_id}}/close",
    } <= set(schema["paths"])

    # Skåne's people reach none of it.
    _skane, malmo, skane_space = await county_space(sign_in, tenant_ids, SKANE_SAMORDNARE, MALMO_NATVERK)
    for path in (
        f"{NETWORKS}/{space}/threads",
        f"{NETWORKS}/threads/{thread['id']}",
        f"{NETWORKS}/{space}/consultations",
        f"{NETWORKS}/consultations/{consultation['id']}",
        f"{NETWORKS}/{space}/following",
    ):
        assert (await malmo.get(path)).status_code == 404, path
    assert (await malmo.post(f"{NETWORKS}/threads/{thread['id']}/replies", {"body": "Hej"})).status_code == 404
    assert (await malmo.post(f"{NETWORKS}/{space}/consultations", CONSULTATION)).status_code == 404
    assert (await malmo.get(f"{NETWORKS}/{skane_space}/threads")).json() == []


async def test_a_consultation_answered_through_the_pages(
    sign_in: SignIn,
    tenant_ids: dict[str, uuid.UUID],
    owner_engine: Engine,
    clean_database: None,  # noqa: ARG001
) -> None:
    coordinator, member, space = await county_space(sign_in, tenant_ids, VG_SAMORDNARE, GOTEBORG_NATVERK)
    browser = member.browser
    space_page = await browser.get(f"/natverk/{space}")
    assert 'id="consultations-link"' in space_page.text
    form = await browser.get(f"/natverk/{space}/konsultationer/ny")
    assert form.status_code == 200
    # The bringer's own municipality is chosen from the start.
    assert '<option value="1480" selected>' in form.text
    token = csrf_token(form.text)
    data = {
        "_csrf_token": token,
        "age_band": "21_25",
        "phase": "stabilising",
        "place": "1480",
        "needs": ["occupation", "debt_counselling"],
        "question": "Johan har fått jobb men skulderna växer. Hur gör ni?",
    }
    before = exchange_rows(owner_engine)
    refused = await browser.client.post(f"/natverk/{space}/konsultationer", data=data)
    assert refused.status_code == 400
    assert "Texten innehåller ett namn." in refused.text
    assert 'id="question-error"' in refused.text
    assert exchange_rows(owner_engine) == before
    brought = await browser.client.post(
        f"/natverk/{space}/konsultationer",
        data=data | {"question": "Personen har fått jobb men skulderna växer. Hur gör ni?"},
    )
    assert brought.status_code in {302, 303}, brought.text
    page_path = brought.headers["location"]

    answerer = coordinator.browser
    page = await answerer.get(page_path)
    assert "21–25 år" in page.text
    assert "Göteborg" in page.text
    answered = await answerer.client.post(
        f"{page_path}/svar",
        data={"_csrf_token": csrf_token(page.text), "body": "Kontakta budget- och skuldrådgivningen."},
    )
    assert answered.status_code in {302, 303}
    page = await answerer.get(page_path)
    assert "Kontakta budget- och skuldrådgivningen." in page.text
    assert "Avsluta konsultationen" in page.text
    closed = await answerer.client.post(f"{page_path}/avsluta", data={"_csrf_token": csrf_token(page.text)})
    assert closed.status_code in {302, 303}
    assert 'id="consultation-closed"' in (await browser.get(page_path)).text

    threads = await browser.get(f"/natverk/{space}/tradar")
    followed = await browser.client.post(
        f"/natverk/{space}/folj", data={"_csrf_token": csrf_token(threads.text), "following": "ja"}
    )
    assert followed.status_code in {302, 303}
    threads = await browser.get(f"/natverk/{space}/tradar")
    assert "Sluta följa nätverket" in threads.text
    started = await browser.client.post(
        f"/natverk/{space}/tradar",
        data={"_csrf_token": csrf_token(threads.text), "title": "Praktikplatser", "body": "Vilka företag tar emot?"},
    )
    assert started.status_code in {302, 303}
    thread_page = await answerer.get(started.headers["location"])
    assert "Vilka företag tar emot?" in thread_page.text
