"""The networks API and pages as the people use them, and bad input refused naming the field, nothing saved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from avhopp.platform.text_input import TOO_DEEP
from tests.platform.idp.conftest import csrf_token
from tests.tenants.cases.api_client import api_for, fields
from tests.tenants.networks.conftest import GOTEBORG_NATVERK, VG_SAMORDNARE

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.conftest import SignIn

NETWORKS = "/api/v1/networks"
CONTROL = "Fältet ”{field}” innehåller ett tecken som inte är tillåtet (ett styrtecken). Ta bort det och försök igen."
FUNCTION_ONLY = (
    "Ange en funktion, till exempel ”Avhopparsamordnare, socialtjänsten”, utan e-postadress eller telefonnummer."
)
OWN_PEOPLE = "Välj representanter bland er egen organisations personer med en roll i länsnätverket."
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)


def network_rows(owner_engine: Engine) -> tuple[int, ...]:
    with owner_engine.connect() as connection:
        return tuple(
            connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM network_space), (SELECT count(*) FROM network_member),"
                    " (SELECT count(*) FROM network_meeting), (SELECT count(*) FROM network_agenda_item)"
                )
            ).one()
        )


def _nested(depth: int) -> Any:
    junk: Any = "x"
    for _ in range(depth):
        junk = {"a": [junk]}
    return junk


async def test_a_coordinator_and_a_member_through_the_api(
    sign_in: SignIn,
    tenant_ids: dict[str, uuid.UUID],
    clean_database: None,  # noqa: ARG001
) -> None:
    coordinator = await api_for(sign_in, VG_SAMORDNARE)
    opened = await coordinator.post(NETWORKS, {"scope": "county", "name": "Länsnätverket Västra Götaland"})
    assert opened.status_code == 201, opened.text
    space = opened.json()["space"]
    assert space["scope_label"] == "Länets nätverk"
    invited = await coordinator.post(
        f"{NETWORKS}/{space['id']}/members",
        {
            "tenant_id": str(tenant_ids["kommun-1480"]),
            "network_role": "social_services",
            "contact_function": "Avhopparsamordnare",
        },
    )
    assert invited.status_code == 201, invited.text
    member_id = invited.json()["members"][0]["id"]
    planned = await coordinator.post(
        f"{NETWORKS}/{space['id']}/meetings",
        {
            "title": "Höstens nätverksmöte",
            "starts_at": SOON.replace(tzinfo=None).isoformat(),
            "ends_at": (SOON + timedelta(hours=2)).replace(tzinfo=None).isoformat(),
            "video_link": "https://video.example/rum",
            "agenda": [{"title": "Behov i länet", "brought_by": member_id}],
        },
    )
    assert planned.status_code == 201, planned.text
    meeting = planned.json()
    # A time without a zone is Swedish time.
    assert datetime.fromisoformat(meeting["starts_at"]).utcoffset() is not None
    assert meeting["agenda"] == [{"position": 1, "title": "Behov i länet", "brought_by": "Göteborgs Stad"}]

    member = await api_for(sign_in, GOTEBORG_NATVERK)
    assert (await member.get(f"{NETWORKS}/meetings/{meeting['id']}")).status_code == 404
    named = await member.send(
        "PUT", f"{NETWORKS}/members/{member_id}/representatives", {"user_ids": [str(GOTEBORG_NATVERK.user_id)]}
    )
    assert named.status_code == 204, named.text
    mine = (await member.get(NETWORKS)).json()
    assert [(line["name"], line["representative"]) for line in mine] == [("Länsnätverket Västra Götaland", True)]
    answered = await member.post(f"{NETWORKS}/meetings/{meeting['id']}/answer", {"attending": True})
    assert answered.json()["attending"] is True
    assert (await member.post(f"{NETWORKS}/members/{member_id}/end")).status_code == 204
    assert (await member.get(f"{NETWORKS}/{space['id']}")).status_code == 404
    assert (await member.get(f"{NETWORKS}/meetings/{meeting['id']}")).status_code == 404
    schema = (await member.get("/api/docs/openapi.json")).json()
    assert {f"{NETWORKS}/{{space_id}}/meetings", f"{NETWORKS}/meetings/{{meeting_id}}"} <= set(schema["paths"])


async def test_bad_input_names_the_field_and_saves_nothing(
    sign_in: SignIn,
    owner_engine: Engine,
    tenant_ids: dict[str, uuid.UUID],
    clean_database: None,  # noqa: ARG001
) -> None:
    coordinator = await api_for(sign_in, VG_SAMORDNARE)
    space = (await coordinator.post(NETWORKS, {"scope": "cross_county", "name": "Västkustens nätverk"})).json()["space"]
    before = network_rows(owner_engine)
    member = {"tenant_id": str(tenant_ids["kommun-1480"]), "network_role": "police", "contact_function": "Polisen"}
    meeting = {
        "title": "Möte",
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=1)).isoformat(),
        "place": "Sal 1",
    }
    refusals: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        (
            NETWORKS,
            {"scope": "county", "name": "Namn\x00"},
            {"name": CONTROL.format(field="name")},
        ),
        (
            NETWORKS,
            {"scope": "county", "name": "x" * 100_000},
            {"name": "Fältet ”name” får vara högst 10\N{NO-BREAK SPACE}000 tecken långt."},
        ),
        (
            NETWORKS,
            {"scope": "county", "name": _nested(20)},
            {"": TOO_DEEP.message},
        ),
        (NETWORKS, {"scope": "planet", "name": "Jorden"}, {"scope": "Okänt värde. Välj ett av de tillåtna värdena."}),
        (
            f"{NETWORKS}/{space['id']}/members",
            member | {"tenant_id": str(uuid.uuid4())},
            {"tenant_id": "Organisationen finns inte på plattformen. Välj en organisation i listan."},
        ),
        (
            f"{NETWORKS}/{space['id']}/members",
            member | {"contact_function": "ring 070-123 45 67"},
            {"contact_function": FUNCTION_ONLY},
        ),
        (
            f"{NETWORKS}/{space['id']}/members",
            member | {"contact_function": "Ｐolisen\u200b\x1b"},
            {"contact_function": CONTROL.format(field="contact_function")},
        ),
        (
            f"{NETWORKS}/{space['id']}/meetings",
            meeting | {"ends_at": (SOON - timedelta(hours=1)).isoformat()},
            {"ends_at": "Mötet måste sluta efter att det börjar."},
        ),
        (
            f"{NETWORKS}/{space['id']}/meetings",
            meeting | {"place": "", "video_link": "http://osäker.example"},
            {"video_link": "Länken till videomötet ska börja med https://."},
        ),
        (
            f"{NETWORKS}/{space['id']}/meetings",
            meeting | {"place": " "},
            {"place": "Ange en plats eller en länk till videomötet."},
        ),
        (
            f"{NETWORKS}/{space['id']}/meetings",
            meeting | {"agenda": [{"title": "Punkt", "brought_by": str(uuid.uuid4())}]},
            {"agenda.1.brought_by": "Välj en av nätverkets medlemsorganisationer."},
        ),
    ]
    for path, body, expected in refusals:
        assert fields(await coordinator.post(path, body)) == expected, body
    assert network_rows(owner_engine) == before
    member_person = await api_for(sign_in, GOTEBORG_NATVERK)
    invited = await coordinator.post(f"{NETWORKS}/{space['id']}/members", member)
    member_id = invited.json()["members"][0]["id"]
    # A person of another organisation (the coordinator herself) cannot be named Göteborg's representative.
    refused = await member_person.send(
        "PUT", f"{NETWORKS}/members/{member_id}/representatives", {"user_ids": [str(VG_SAMORDNARE.user_id)]}
    )
    assert fields(refused) == {"user_ids": OWN_PEOPLE}
    planned = await coordinator.post(f"{NETWORKS}/{space['id']}/meetings", meeting)
    guest = await coordinator.post(
        f"{NETWORKS}/meetings/{planned.json()['id']}/guests",
        {"tenant_id": str(tenant_ids["polisen-bergslagen"]), "email": "ingen@polisen.example"},
    )
    assert list(fields(guest)) == ["email"]


async def test_the_pages_of_the_coordinator(
    sign_in: SignIn,
    tenant_ids: dict[str, uuid.UUID],
    clean_database: None,  # noqa: ARG001
) -> None:
    browser = await sign_in(VG_SAMORDNARE)
    home = await browser.get("/natverk")
    assert home.status_code == 200
    assert "Öppna ett nätverk" in home.text
    token = csrf_token(home.text)
    refused = await browser.client.post("/natverk/", data={"_csrf_token": token, "scope": "county", "name": "x"})
    assert refused.status_code == 400
    assert "Skriv minst 2 tecken." in refused.text
    opened = await browser.client.post(
        "/natverk/", data={"_csrf_token": token, "scope": "county", "name": "Länsnätverket Västra Götaland"}
    )
    assert opened.status_code in {302, 303}
    space_path = opened.headers["location"]
    invited = await browser.client.post(
        f"{space_path}/medlemmar",
        data={
            "_csrf_token": token,
            "tenant_id": str(tenant_ids["kommun-1490"]),
            "network_role": "social_services",
            "contact_function": "Socialtjänsten, avhopparfrågor",
        },
    )
    assert invited.status_code in {302, 303}
    bad_meeting = await browser.client.post(
        f"{space_path}/moten",
        data={
            "_csrf_token": token,
            "title": "Möte",
            "day": "2026-12-20",
            "starts": "14:00",
            "ends": "13:00",
            "place": "Sal",
        },
    )
    assert bad_meeting.status_code == 400
    assert "Mötet måste sluta efter att det börjar." in bad_meeting.text
    planned = await browser.client.post(
        f"{space_path}/moten",
        data={
            "_csrf_token": token,
            "title": "Julmöte",
            "day": (SOON + timedelta(days=30)).date().isoformat(),
            "starts": "09:00",
            "ends": "11:30",
            "place": "Länsstyrelsen",
            "agenda_1": "Behov i länet",
        },
    )
    assert planned.status_code in {302, 303}, planned.text
    page = await browser.get(planned.headers["location"])
    assert "Behov i länet" in page.text
    assert "09:00" in page.text
    space_page = await browser.get(space_path)
    assert "Borås Stad" in space_page.text or "Borås" in space_page.text


async def test_minutes_through_the_api_and_the_meeting_page(
    sign_in: SignIn,
    tenant_ids: dict[str, uuid.UUID],
    clean_database: None,  # noqa: ARG001
) -> None:
    coordinator = await api_for(sign_in, VG_SAMORDNARE)
    space = (await coordinator.post(NETWORKS, {"scope": "county", "name": "Länsnätverket Västra Götaland"})).json()
    invited = await coordinator.post(
        f"{NETWORKS}/{space['space']['id']}/members",
        {
            "tenant_id": str(tenant_ids["kommun-1480"]),
            "network_role": "social_services",
            "contact_function": "Samordnare",
        },
    )
    member_id = invited.json()["members"][0]["id"]
    meeting = (
        await coordinator.post(
            f"{NETWORKS}/{space['space']['id']}/meetings",
            {
                "title": "Möte",
                "starts_at": SOON.isoformat(),
                "ends_at": (SOON + timedelta(hours=1)).isoformat(),
                "place": "Sal",
            },
        )
    ).json()
    minutes = f"{NETWORKS}/meetings/{meeting['id']}/minutes"
    action = {"kind": "action", "text": "Kartlägga boenden", "responsible": member_id, "due_on": "2027-03-01"}
    drafted = await coordinator.send("PUT", minutes, {"body": "Vi talade om behoven.", "outcomes": [action]})
    assert drafted.json()["status"] == "draft", drafted.text
    assert (await coordinator.post(f"{minutes}/approve")).json()["status"] == "approved"
    published = await coordinator.post(f"{minutes}/publish")
    assert published.json()["status_label"] == "Publicerat"
    calendar = await coordinator.get(f"{NETWORKS}/meetings/{meeting['id']}/calendar.ics")
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in calendar.content
    page = await coordinator.browser.get(f"/natverk/moten/{meeting['id']}")
    assert "Kartlägga boenden" in page.text
    assert "Publicerat" in page.text
