"""Bad input to the cases API: a problem (400, application/problem+json) that names each field in
Swedish, and nothing saved. Whether the framework refused the body or a service refused the
values, the answer has the same shape."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import text

from avhopp.platform.text_input import TOO_DEEP
from avhopp.tenants.cases.service import MAX_DOCUMENT_BYTES
from tests.support.people import GOTEBORG_SOCIALSEKRETERARE, KC, MALMO
from tests.tenants.cases.api_client import CASES, TODAY, api_for, consent, fields, new_case

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import Engine

    from tests.conftest import SignIn
    from tests.tenants.cases.api_client import Api


def case_rows(owner_engine: Engine) -> tuple[int, int, int]:
    with owner_engine.connect() as connection:
        connection.execute(text("SET row_security = off"))
        return tuple(
            connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM case_file), (SELECT count(*) FROM case_consent),"
                    " (SELECT count(*) FROM case_meeting)"
                )
            ).one()
        )


def _nested(depth: int) -> Any:
    junk: Any = "x"
    for _ in range(depth):
        junk = {"a": [junk]}
    return junk


CONTROL = "Fältet ”{field}” innehåller ett tecken som inte är tillåtet (ett styrtecken). Ta bort det och försök igen."

OPEN_CASE_REFUSALS: list[tuple[str, Any, dict[str, str]]] = [
    (
        "invalid personnummer",
        new_case(personal_number="19811228-9875"),
        {"person.personal_number": "Ange ett personnummer eller samordningsnummer, till exempel ÅÅÅÅMMDD-NNNN."},
    ),
    (
        "control characters",
        new_case(name="Adam\x07 Andersson"),
        {"person.name": CONTROL.format(field="person.name")},
    ),
    ("an over-long name", new_case(name="A" * 5000), {"person.name": "Skriv högst 200 tecken."}),
    (
        "an over-long situation",
        new_case() | {"intake": {"situation": "x" * 100_000}},
        {"intake.situation": "Fältet ”intake.situation” får vara högst 10\N{NO-BREAK SPACE}000 tecken långt."},
    ),
    ("no name", new_case(name="  "), {"person.name": "Skriv personens namn."}),
    ("nested junk", new_case() | {"person": {"name": _nested(20)}}, {"": TOO_DEEP.message}),
    ("an unknown field", new_case() | {"tenant_id": "x"}, {"tenant_id": "Okänt fält. Ta bort det."}),
    ("a missing field", {"person": {"name": "Adam"}}, {"contact_source": "Fältet saknas."}),
    (
        "an unknown code",
        new_case() | {"contact_source": "rumour"},
        {"contact_source": "Okänt värde. Välj ett av de tillåtna värdena."},
    ),
    (
        "a list of junk",
        new_case() | {"needs": [{"a": 1}, 2]},
        {"needs[0]": "Fel sorts värde: ska vara text."},
    ),
    ("a wrong id", new_case() | {"deputy_id": "alice"}, {"deputy_id": "Ska vara ett id (UUID)."}),
    ("not an object", [1, 2, 3], {"body": "Fel sorts värde: ska vara ett objekt."}),
]


@pytest.mark.parametrize(
    ("body", "expected"), [case[1:] for case in OPEN_CASE_REFUSALS], ids=[case[0] for case in OPEN_CASE_REFUSALS]
)
async def test_opening_a_case_refuses_bad_input_naming_the_field(
    sign_in: SignIn,
    owner_engine: Engine,
    body: Any,
    expected: dict[str, str],
) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    before = case_rows(owner_engine)
    response = await officer.post(CASES, body)
    assert fields(response) == expected
    assert case_rows(owner_engine) == before
    assert (await officer.get(CASES)).json() == []


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        (b"{not json", "body", "Innehållet är inte giltig JSON."),
        (b"[" * 100_000 + b"]" * 100_000, "", TOO_DEEP.message),
        (b"", "body", "Skicka uppgifterna som ett JSON-objekt."),
    ],
    ids=["not JSON", "nested beyond the decoder", "empty"],
)
async def test_a_body_that_is_not_json_is_refused_as_the_body(
    sign_in: SignIn, owner_engine: Engine, content: bytes, field: str, message: str
) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    before = case_rows(owner_engine)
    assert fields(await officer.send("POST", CASES, content=content)) == {field: message}
    assert case_rows(owner_engine) == before


async def _case(officer: Api) -> str:
    response = await officer.post(CASES, new_case())
    assert response.status_code == 201
    return str(response.json()["id"])


async def test_a_consent_with_bad_input_names_each_field_and_records_nothing(
    sign_in: SignIn, owner_engine: Engine, tenant_ids: dict[str, uuid.UUID]
) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case_id = await _case(officer)
    good = consent(tenant_ids[MALMO], categories=["identity"])
    before = case_rows(owner_engine)
    refusals: list[tuple[dict[str, Any], dict[str, str]]] = [
        (
            good | {"valid_until": (TODAY - timedelta(days=2)).isoformat()},
            {"valid_until": "Samtycket måste sluta efter att det börjar."},
        ),
        (good | {"organisations": []}, {"organisations": "Välj minst en organisation som samtycket gäller."}),
        ({k: v for k, v in good.items() if k != "organisations"}, {"organisations": "Fältet saknas."}),
        (
            good | {"organisations": [str(tenant_ids[GOTEBORG_SOCIALSEKRETERARE.tenant])]},
            {"organisations": "Samtycket gäller andra organisationer än er egen."},
        ),
        (
            good | {"contributors": [str(tenant_ids[KC])]},
            {"contributors": "Bara organisationer som samtycket gäller kan bidra."},
        ),
        (good | {"categories": ["everything"]}, {"categories[0]": "Okänt värde. Välj ett av de tillåtna värdena."}),
        (good | {"purpose": "p" * 501}, {"purpose": "Skriv högst 500 tecken."}),
        (good | {"witnessed_by": "\x1b[31m"}, {"witnessed_by": CONTROL.format(field="witnessed_by")}),
        (good | {"valid_from": "2026-02-30"}, {"valid_from": "Ska vara ett datum, ÅÅÅÅ-MM-DD."}),
        (
            good | {"document": base64.b64encode(b"GIF89a" + bytes(100)).decode()},
            {"document": "Dokumentet ska vara en PDF, PNG eller JPEG."},
        ),
        (
            good | {"document": base64.b64encode(b"%PDF-" + bytes(MAX_DOCUMENT_BYTES)).decode()},
            {"document": "Dokumentet får vara högst 5 MB."},
        ),
        (good | {"document": "inte base64!"}, {"document": "Ska vara base64-kodat."}),
    ]
    for body, expected in refusals:
        assert fields(await officer.post(f"{CASES}/{case_id}/consents", body)) == expected, expected
    assert case_rows(owner_engine) == before
    assert (await officer.get(f"{CASES}/{case_id}/consents")).json() == []


async def test_many_problems_are_named_together(sign_in: SignIn, tenant_ids: dict[str, uuid.UUID]) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case_id = await _case(officer)
    body = consent(tenant_ids[MALMO], categories=[]) | {"purpose": "", "witnessed_by": ""}
    body["valid_until"] = body["valid_from"]
    assert set(fields(await officer.post(f"{CASES}/{case_id}/consents", body))) == {
        "categories",
        "purpose",
        "witnessed_by",
        "valid_until",
    }


async def test_a_meeting_refuses_an_intervention_in_the_future_past_and_a_plan_without_interventions(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    case_id = await _case(officer)
    before = case_rows(owner_engine)
    meeting = {"held_on": (TODAY + timedelta(days=3)).isoformat(), "person_took_part": "yes", "organisations": []}
    assert fields(await officer.post(f"{CASES}/{case_id}/meetings", meeting | {"interventions": []})) == {
        "person_took_part": "Fel sorts värde: ska vara true eller false."
    }
    refused = await officer.post(
        f"{CASES}/{case_id}/meetings", meeting | {"person_took_part": False, "interventions": []}
    )
    assert fields(refused) == {
        "held_on": "Mötet kan inte ha hållits i framtiden.",
        "interventions": "Handlingsplanen behöver minst en insats.",
    }
    assert case_rows(owner_engine) == before
