"""The cases API, signed in as the named people: the team sees its case, Malmö sees Göteborg's case
exactly as it sees a case that does not exist until a consent names Malmö, only the agreed
categories while it runs, and nothing again once it is revoked; the police record their
assessment; the unit head oversees without identities. Machine clients: test_machine_clients.py."""

from __future__ import annotations

import base64
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import text

from tests.support.people import (
    GOTEBORG,
    GOTEBORG_ENHETSCHEF,
    GOTEBORG_ERSATTARE,
    GOTEBORG_SOCIALSEKRETERARE,
    KC,
    KC_HANDLAGGARE,
    MALMO,
    MALMO_SOCIALSEKRETERARE,
    POLIS_KONTAKT,
)
from tests.tenants.cases.api_client import CASES, TODAY, Api, api_for, consent, fields, new_case, problem

if TYPE_CHECKING:
    from typing import Any

    from sqlalchemy import Engine

    from tests.conftest import SignIn

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


async def opened(officer: Api, name: str = "Adam Andersson") -> dict[str, Any]:
    response = await officer.post(CASES, new_case(name))
    assert response.status_code == 201, response.text
    return dict(response.json())


def audited_reads(owner_engine: Engine, case_id: str) -> list[tuple[str, str | None]]:
    with owner_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT t.slug, e.reason FROM audit_event e JOIN tenant t ON t.id = e.tenant_id"
                " WHERE e.action = 'person.read' AND e.object_id = :case ORDER BY e.id"
            ),
            {"case": case_id},
        )
        return [(slug, reason) for slug, reason in rows]


async def test_an_officer_opens_a_case_and_lists_it_with_initials_only(sign_in: SignIn, owner_engine: Engine) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case = await opened(officer)
    assert (case["phase"], case["owner"], case["role"], case["emergency_access"]) == (
        "draft",
        True,
        "responsible",
        False,
    )
    assert case["categories"] == ["action_plan", "follow_up", "housing", "identity", "threat_assessment"]
    assert case["needs"] == ["occupation", "protection"]

    mine = await officer.get(CASES)
    assert [(line["id"], line["initials"], line["role"]) for line in mine.json()] == [(case["id"], "AA", "responsible")]
    assert "Andersson" not in mine.text
    assert "19811228" not in mine.text

    person = await officer.get(f"{CASES}/{case['id']}/person")
    assert person.status_code == 200
    assert person.json()["name"] == "Adam Andersson"
    assert person.json()["personal_number"] == "19811228-9874"
    assert person.json()["intake"] == {"situation": "Vill lämna gruppen", "motivation": "Hög"}
    assert audited_reads(owner_engine, case["id"]) == [(GOTEBORG, None)]

    deputy = await api_for(sign_in, GOTEBORG_ERSATTARE)
    assert [line["role"] for line in (await deputy.get(CASES)).json()] == ["deputy"]


async def test_a_protected_identity_keeps_no_address_and_says_why(sign_in: SignIn) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    refused = await officer.post(
        CASES, new_case(protected_identity="fictitious_identity", address="Storgatan 1, Göteborg")
    )
    assert list(fields(refused)) == ["person.address"]
    case = (await officer.post(CASES, new_case(protected_identity="fictitious_identity"))).json()
    person = (await officer.get(f"{CASES}/{case['id']}/person")).json()
    assert (person["address"], person["protected_identity_label"]) == ("", "Fingerade personuppgifter")
    assert "ingen adress sparas" in person["address_note"]


async def test_malmo_sees_goteborgs_case_as_nothing_until_a_consent_names_malmo_and_again_after_revocation(
    sign_in: SignIn, tenant_ids: dict[str, uuid.UUID], owner_engine: Engine
) -> None:
    goteborg = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    malmo = await api_for(sign_in, MALMO_SOCIALSEKRETERARE)
    case = await opened(goteborg)
    nowhere = uuid.uuid4()
    doors = ("", "/person", "/consents", "/action-plan", "/follow-ups", "/threat-assessments", "/phases")

    async def as_if_it_did_not_exist() -> None:
        for door in doors:
            foreign, missing = (
                await malmo.get(f"{CASES}/{case['id']}{door}"),
                await malmo.get(f"{CASES}/{nowhere}{door}"),
            )
            assert problem(foreign) == problem(missing), door
            assert foreign.status_code == 404
            assert foreign.headers["content-type"] == "application/problem+json"
        for door, body in (
            ("/join", None),
            ("/phase", {"phase": "acute"}),
            ("/consents", consent(tenant_ids[MALMO], categories=["identity"])),
        ):
            foreign = await malmo.post(f"{CASES}/{case['id']}{door}", body)
            assert problem(foreign) == problem(await malmo.post(f"{CASES}/{nowhere}{door}", body)), door
            assert foreign.status_code == 404
        assert (await malmo.get(f"{CASES}/shared")).json() == []
        assert "Andersson" not in (await malmo.get(CASES)).text

    await as_if_it_did_not_exist()

    recorded = await goteborg.post(
        f"{CASES}/{case['id']}/consents", consent(tenant_ids[MALMO], categories=["identity"])
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["running"] is True
    assert recorded.json()["organisations"] == [{"id": str(tenant_ids[MALMO]), "name": "Malmö stad"}]

    # Shared, but Malmö's officer is not on the team yet: the case itself stays shut.
    shared = (await malmo.get(f"{CASES}/shared")).json()
    assert [(line["id"], line["joined"]) for line in shared] == [(case["id"], False)]
    assert (await malmo.get(f"{CASES}/{case['id']}")).status_code == 404
    joined = await malmo.post(f"{CASES}/{case['id']}/join")
    assert joined.status_code == 200
    assert (joined.json()["owner"], joined.json()["role"], joined.json()["categories"]) == (
        False,
        "member",
        ["identity"],
    )
    person = await malmo.get(f"{CASES}/{case['id']}/person")
    assert (person.json()["name"], person.json()["intake"]) == ("Adam Andersson", None)
    assert audited_reads(owner_engine, case["id"])[-1] == (MALMO, f"grant:{_grant_of(owner_engine, case['id'])}")
    # Only the agreed category: the plan, the follow-ups, the assessments and the consents are not Malmö's.
    for door in ("/action-plan", "/follow-ups", "/threat-assessments", "/consents", "/phases"):
        refused = await malmo.get(f"{CASES}/{case['id']}{door}")
        assert problem(refused) == problem(await malmo.get(f"{CASES}/{nowhere}{door}")), door
    assert (await malmo.post(f"{CASES}/{case['id']}/phase", {"phase": "acute"})).status_code == 404

    revoked = await goteborg.post(f"{CASES}/consents/{recorded.json()['id']}/revoke")
    assert revoked.status_code == 204
    assert (await goteborg.get(f"{CASES}/{case['id']}/consents")).json()[0]["running"] is False
    await as_if_it_did_not_exist()


def _grant_of(owner_engine: Engine, case_id: str) -> str:
    with owner_engine.connect() as connection:
        connection.execute(text("SET row_security = off"))
        return str(
            connection.execute(text("SELECT id FROM case_grant WHERE case_id = :c"), {"c": case_id}).scalar_one()
        )


async def test_the_signed_consent_is_kept_sealed_and_given_back_to_the_team_only(
    sign_in: SignIn, tenant_ids: dict[str, uuid.UUID]
) -> None:
    goteborg = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case = await opened(goteborg)
    body = consent(tenant_ids[MALMO], categories=["identity"]) | {"document": base64.b64encode(PDF).decode()}
    recorded = (await goteborg.post(f"{CASES}/{case['id']}/consents", body)).json()
    assert recorded["document_type"] == "application/pdf"

    document = await goteborg.get(f"{CASES}/consents/{recorded['id']}/document")
    assert document.status_code == 200
    assert document.content == PDF
    assert document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"] == f'attachment; filename="samtycke-{recorded["id"]}.pdf"'

    malmo = await api_for(sign_in, MALMO_SOCIALSEKRETERARE)
    await malmo.post(f"{CASES}/{case['id']}/join")
    foreign = await malmo.get(f"{CASES}/consents/{recorded['id']}/document")
    assert problem(foreign) == problem(await malmo.get(f"{CASES}/consents/{uuid.uuid4()}/document"))
    assert (await malmo.post(f"{CASES}/consents/{recorded['id']}/revoke")).status_code == 404


async def test_the_police_record_the_assessment_asked_of_them(
    sign_in: SignIn, tenant_ids: dict[str, uuid.UUID]
) -> None:
    goteborg = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    police = await api_for(sign_in, POLIS_KONTAKT)
    police_id = tenant_ids[POLIS_KONTAKT.tenant]
    case = await opened(goteborg)
    not_yet = await goteborg.post(f"{CASES}/{case['id']}/threat-assessments", {"police_id": str(police_id)})
    assert list(fields(not_yet)) == ["police_id"]
    await goteborg.post(
        f"{CASES}/{case['id']}/consents",
        consent(police_id, categories=["threat_assessment"], contributors=(police_id,)),
    )
    asked = await goteborg.post(f"{CASES}/{case['id']}/threat-assessments", {"police_id": str(police_id)})
    assert asked.status_code == 201
    assessment = asked.json()
    assert (assessment["recorded_at"], assessment["level"]) == (None, None)

    waiting = (await police.get(f"{CASES}/security/asked")).json()
    assert [(item["id"], item["case_number"], item["joined"]) for item in waiting] == [
        (assessment["id"], case["number"], False)
    ]
    record = f"{CASES}/security/threat-assessments/{assessment['id']}"
    finding = {"level": "serious", "scope": "regional", "area_kind": "county", "areas": ["14"], "police_lead": True}
    assert (await police.send("PUT", record, finding)).status_code == 404  # not on the team yet
    assert (await police.post(f"{CASES}/security/{case['id']}/join")).status_code == 204
    assert list(fields(await police.send("PUT", record, finding | {"areas": ["99"]}))) == ["areas"]
    assert (await police.send("PUT", record, finding)).status_code == 204

    seen = (await goteborg.get(f"{CASES}/{case['id']}/threat-assessments")).json()
    assert [(row["level"], row["scope"], row["areas"], row["police_lead"]) for row in seen] == [
        ("serious", "regional", ["14"], True)
    ]
    assert (await police.get(f"{CASES}/security/{case['id']}/threat-assessments")).json()[0]["level"] == "serious"
    assert (await police.get(f"{CASES}/security/asked")).json() == []
    # The police hold no case permission: the case officers' doors stay shut, the identity with them.
    assert (await police.get(f"{CASES}/{case['id']}/person")).status_code == 403
    assert (await police.get(CASES)).status_code == 403


async def test_an_operation_updates_its_own_interventions_under_the_consent(
    sign_in: SignIn, tenant_ids: dict[str, uuid.UUID]
) -> None:
    goteborg = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case = await opened(goteborg)
    kc = tenant_ids[KC]
    meeting = {
        "held_on": TODAY.isoformat(),
        "person_took_part": True,
        "organisations": [str(kc)],
        "interventions": [
            {
                "intervention": "conversational_support",
                "responsible_tenant_id": str(kc),
                "starts_on": TODAY.isoformat(),
            },
            {
                "intervention": "occupation",
                "responsible_tenant_id": str(tenant_ids[GOTEBORG]),
                "starts_on": TODAY.isoformat(),
            },
        ],
    }
    not_covered = await goteborg.post(f"{CASES}/{case['id']}/meetings", meeting)
    assert fields(not_covered) == {
        "organisations": "Samtycket omfattar inte alla organisationer på mötet.",
        "interventions[0].responsible_tenant_id": "Organisationen omfattas inte av samtycket för handlingsplanen.",
    }
    assert (await goteborg.get(f"{CASES}/{case['id']}/action-plan")).json() == {"meetings": [], "interventions": []}

    await goteborg.post(f"{CASES}/{case['id']}/consents", consent(kc, categories=["action_plan"], contributors=(kc,)))
    plan = await goteborg.post(f"{CASES}/{case['id']}/meetings", meeting)
    assert plan.status_code == 201
    ours, theirs = (
        next(item["id"] for item in plan.json()["interventions"] if item["responsible_tenant_id"] == str(owner))
        for owner in (kc, tenant_ids[GOTEBORG])
    )

    operation = await api_for(sign_in, KC_HANDLAGGARE)
    await operation.post(f"{CASES}/{case['id']}/join")
    assert len((await operation.get(f"{CASES}/{case['id']}/action-plan")).json()["interventions"]) == 2
    assert (await operation.send("PATCH", f"{CASES}/interventions/{ours}", {"status": "ongoing"})).status_code == 204
    assert (await operation.send("PATCH", f"{CASES}/interventions/{theirs}", {"status": "done"})).status_code == 404
    statuses = {
        item["id"]: item["status"]
        for item in (await goteborg.get(f"{CASES}/{case['id']}/action-plan")).json()["interventions"]
    }
    assert statuses == {ours: "ongoing", theirs: "planned"}
    assert (await operation.get(f"{CASES}/{case['id']}/person")).status_code == 404


async def test_phases_start_the_follow_ups_and_refuse_a_step_not_allowed(sign_in: SignIn) -> None:
    goteborg = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case = await opened(goteborg)
    phase = f"{CASES}/{case['id']}/phase"
    assert fields(await goteborg.post(phase, {"phase": "long_term"})) == {
        "phase": "Ärendet kan inte gå från utkast (inledande bedömning) till långsiktigt skede."
    }
    assert list(fields(await goteborg.post(phase, {"phase": "ended_early"}))) == ["reason"]
    assert list(fields(await goteborg.post(phase, {"phase": "dormant"}))) == ["phase"]
    assert [step["to_phase"] for step in (await goteborg.get(f"{CASES}/{case['id']}/phases")).json()] == ["draft"]

    moved = await goteborg.post(phase, {"phase": "acute"})
    assert (moved.status_code, moved.json()["phase"], moved.json()["started_on"]) == (200, "acute", TODAY.isoformat())
    history = (await goteborg.get(f"{CASES}/{case['id']}/phases")).json()
    assert [(step["from_phase"], step["to_phase"]) for step in history] == [(None, "draft"), ("draft", "acute")]

    schedule = (await goteborg.get(f"{CASES}/{case['id']}/follow-ups")).json()
    assert [item["months_after"] for item in schedule["follow_ups"]] == [6, 12, 24, 36, 60, 96]
    first = schedule["follow_ups"][0]["id"]
    answers = dict.fromkeys(schedule["questions"], "unknown")
    today = {"held_on": TODAY.isoformat()}
    wrong = await goteborg.send(
        "PUT", f"{CASES}/follow-ups/{first}", {"answers": answers | {"housing": "castle"}, **today}
    )
    assert list(fields(wrong)) == ["answers.housing"]
    closed = await goteborg.send("PUT", f"{CASES}/follow-ups/{first}", {"answers": answers, **today})
    assert closed.status_code == 204
    again = await goteborg.send("PUT", f"{CASES}/follow-ups/{first}", {"answers": answers, **today})
    assert list(fields(again)) == ["follow_up"]
    done = (await goteborg.get(f"{CASES}/{case['id']}/follow-ups")).json()["follow_ups"][0]
    assert done["answers"] == answers


async def test_the_unit_head_oversees_without_identities_and_opens_a_case_only_in_an_emergency(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    goteborg = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case = await opened(goteborg)
    head = await api_for(sign_in, GOTEBORG_ENHETSCHEF)

    listed = await head.get(f"{CASES}/overview")
    assert [(line["id"], line["responsible"], line["deputies"]) for line in listed.json()] == [
        (case["id"], str(GOTEBORG_SOCIALSEKRETERARE.user_id), [str(GOTEBORG_ERSATTARE.user_id)])
    ]
    assert "Andersson" not in listed.text
    assert "AA" not in listed.text
    assert (await head.get(f"{CASES}/{case['id']}")).status_code == 404
    assert (await head.get(f"{CASES}/{case['id']}/person")).status_code == 404
    assert (await goteborg.get(f"{CASES}/overview")).status_code == 403

    team = f"{CASES}/{case['id']}/team"
    swapped = {"responsible": str(GOTEBORG_ERSATTARE.user_id), "deputies": [str(GOTEBORG_SOCIALSEKRETERARE.user_id)]}
    assert list(fields(await head.send("PUT", team, {"responsible": swapped["responsible"], "deputies": []}))) == [
        "deputies"
    ]
    assert (await head.send("PUT", team, swapped)).status_code == 204
    assert [line["role"] for line in (await goteborg.get(CASES)).json()] == ["deputy"]

    emergency = f"{CASES}/{case['id']}/emergency-access"
    assert list(fields(await head.post(emergency, {"reason": "kort"}))) == ["reason"]
    assert list(fields(await head.post(emergency, {"reason": "Personen\x00 har ringt"}))) == ["reason"]
    opened_now = await head.post(emergency, {"reason": "Personen har ringt och är i fara i natt"})
    assert opened_now.status_code == 201
    assert (opened_now.json()["emergency_access"], opened_now.json()["role"]) == (True, None)
    assert (await head.get(f"{CASES}/{case['id']}/person")).json()["name"] == "Adam Andersson"
    assert audited_reads(owner_engine, case["id"]) == [(GOTEBORG, None)]


async def test_the_national_follow_up_record_through_the_api(sign_in: SignIn) -> None:
    goteborg = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    refused = await goteborg.post(CASES, new_case() | {"situation": {"threat": "mild", "housing": "homeless"}})
    assert fields(refused) == {"situation.threat": "Välj ett av svaren (eller ”Vet inte”)."}
    case = await goteborg.post(CASES, new_case() | {"situation": {"threat": "serious", "addiction": "unknown"}})
    assert (case.json()["situation"], case.json()["situation_version"]) == (
        {"threat": "serious", "addiction": "unknown"},
        2,
    )
    assert (await goteborg.post(f"{CASES}/{case.json()['id']}/phase", {"phase": "acute"})).status_code == 200
    record = (await goteborg.get(f"{CASES}/{case.json()['id']}/follow-ups")).json()
    assert record["schema_version"] == 2
    assert all(
        "unknown" in answers for answers in (*record["questions"].values(), *record["intake_questions"].values())
    )
    first = record["follow_ups"][0]
    assert len(first["missing"]) == len(record["questions"])

    url = f"{CASES}/follow-ups/{first['id']}"
    draft = await goteborg.send("PUT", url, {"answers": {"housing": "sublease"}, "close": False})
    assert draft.status_code == 204
    incomplete = await goteborg.send("PUT", url, {"answers": {"housing": "sublease"}, "held_on": TODAY.isoformat()})
    assert set(fields(incomplete)) == {f"answers.{code}" for code in record["questions"] if code != "housing"}
    early = await goteborg.send("PUT", url, {"answers": {}, "held_on": "2000-01-01", "close": False})
    assert list(fields(early)) == ["held_on"]
    saved = (await goteborg.get(f"{CASES}/{case.json()['id']}/follow-ups")).json()["follow_ups"][0]
    assert (saved["answers"], saved["done_at"], len(saved["missing"])) == ({"housing": "sublease"}, None, 10)

    head = await api_for(sign_in, GOTEBORG_ENHETSCHEF)
    completeness = (await head.get(f"{CASES}/follow-up-completeness")).json()
    assert completeness == {"counted": 0, "on_time": 0, "late": 0, "missing": 0, "share_on_time": None}
    assert (await goteborg.get(f"{CASES}/follow-up-completeness")).status_code == 403
