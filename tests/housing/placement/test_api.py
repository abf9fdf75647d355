"""The placement API as its users' scripts call it: refusals in Swedish, the walk from request to move-out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from tests.housing.placement.conftest import NO_ASSESSMENT, TODAY, case_for_placement
from tests.support.people import GOTEBORG_SOCIALSEKRETERARE, KONSULTATION_PLACERING, MALMO_PLACERING
from tests.tenants.cases.api_client import api_for, fields

if TYPE_CHECKING:
    from typing import Any
    from uuid import UUID

    from sqlalchemy import Engine

    from tests.conftest import SignIn
    from tests.housing.placement.conftest import ActingAs

HOUSING = "/api/v1/housing"


def unit_body(**changes: Any) -> dict[str, Any]:
    return {
        "unit_type": "jourlagenhet",
        "max_household": 3,
        "available_from": TODAY.isoformat(),
        "monthly_cost_sek": 6500,
        "municipality_code": "2480",
        "locality_name": "Umeå",
        "latitude": 63.83,
        "longitude": 20.26,
        "address": "Storgatan 12, lgh 1001",
        **changes,
    }


async def test_a_bad_unit_is_refused_field_by_field_in_swedish_and_nothing_saved(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    staff = await api_for(sign_in, KONSULTATION_PLACERING)
    refused = await staff.post(f"{HOUSING}/units", unit_body(max_household=-2, municipality_code="9999"))
    assert fields(refused) == {
        "max_household": "Ange hur många personer bostaden rymmer, 1–20.",
        "municipality_code": "Okänd kommunkod.",
    }
    wrong_type = await staff.post(f"{HOUSING}/units", unit_body(max_household="tre"))
    assert fields(wrong_type) == {"max_household": "Fel sorts värde: ska vara ett heltal."}
    with owner_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM housing_unit")).scalar_one() == 0


async def test_request_shortlist_decline_accept_address_and_move_out_through_the_api(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    operation = await api_for(sign_in, KONSULTATION_PLACERING)
    in_umea = (await operation.post(f"{HOUSING}/units", unit_body())).json()
    assert in_umea["state"] == "available"
    assert "address" not in in_umea
    malmo = await api_for(sign_in, MALMO_PLACERING)
    in_malmo = (
        await malmo.post(
            f"{HOUSING}/units",
            unit_body(municipality_code="1280", locality_name="Malmö", latitude=55.6, longitude=13.0),
        )
    ).json()
    case_id = await case_for_placement(acting_as, tenant_ids)
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)

    created = await officer.post(
        f"{HOUSING}/requests/",
        {
            "case_id": str(case_id),
            "household_size": 2,
            "earliest_move_in": TODAY.isoformat(),
            "no_assessment_reason": NO_ASSESSMENT,
        },
    )
    assert created.status_code == 201, created.text
    request = created.json()
    assert (request["state"], request["risk_level"]) == ("open", "unknown")

    shortlist = await officer.post(f"{HOUSING}/requests/{request['id']}/shortlist")
    assert shortlist.status_code == 200
    proposals = shortlist.json()["proposals"]
    assert {p["unit_id"] for p in proposals} == {in_umea["id"], in_malmo["id"]}
    for proposal in proposals:
        assert set(proposal) == {"rank", "unit_id", "municipality_code", "unit_type", "scores"}
        assert set(proposal["scores"]) == {"arbetsmarknad", "narhet_till_verksamheten", "avstand_fran_hotet", "kostnad"}

    first = await officer.post(f"{HOUSING}/requests/{request['id']}/offers", {"unit_id": in_malmo["id"]})
    assert first.status_code == 201, first.text
    [pending] = (await malmo.get(f"{HOUSING}/offers/")).json()
    assert (pending["household_size"], pending["risk_level"], pending["status"]) == (2, "unknown", "pending")
    assert "case_id" not in pending
    bad_reason = await malmo.post(f"{HOUSING}/offers/{pending['id']}/decline", {"reason": "for_dyr"})
    assert list(fields(bad_reason)) == ["reason"]
    declined = await malmo.post(f"{HOUSING}/offers/{pending['id']}/decline", {"reason": "capacity"})
    assert declined.status_code == 204

    second = (await officer.post(f"{HOUSING}/requests/{request['id']}/offers", {"unit_id": in_umea["id"]})).json()
    someone_else = await malmo.post(f"{HOUSING}/offers/{second['offer_id']}/accept", {})
    assert someone_else.status_code == 404
    accepted = await operation.post(f"{HOUSING}/offers/{second['offer_id']}/accept", {})
    assert accepted.status_code == 200, accepted.text
    placement_id = accepted.json()["placement_id"]

    address = await officer.get(f"{HOUSING}/placements/{placement_id}/address")
    assert address.json() == {"address": "Storgatan 12, lgh 1001"}
    assert (await malmo.get(f"{HOUSING}/placements/{placement_id}/address")).status_code == 404
    early = await officer.send("POST", f"{HOUSING}/placements/{placement_id}/move-out", {"moved_out_on": "2001-01-01"})
    assert fields(early) == {"moved_out_on": "Utflyttningsdagen kan inte ligga före inflyttningsdagen."}
    moved = await officer.post(f"{HOUSING}/placements/{placement_id}/move-out", {"moved_out_on": TODAY.isoformat()})
    assert moved.status_code == 204
    units = (await operation.get(f"{HOUSING}/units")).json()
    assert [unit["state"] for unit in units] == ["available"]
    with owner_engine.connect() as connection:
        actions = connection.execute(
            text("SELECT action FROM audit_event WHERE action LIKE 'housing.%' ORDER BY id")
        ).scalars()
        assert "housing.shortlist_requested" in set(actions)
