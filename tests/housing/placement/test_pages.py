"""The placement pages: bad input answers the form again in Swedish, never a 500, and saves nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from tests.support.people import GOTEBORG_SOCIALSEKRETERARE, KONSULTATION_PLACERING, MALMO_PLACERING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.conftest import SignIn


async def test_a_unit_form_with_words_for_numbers_is_answered_in_swedish_and_nothing_saved(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    browser = await sign_in(KONSULTATION_PLACERING)
    page = await browser.get("/placering/bostader")
    assert page.status_code == 200
    answer = await browser.post_form(
        page,
        "/placering/bostader",
        {
            "unit_type": "jourlagenhet",
            "max_household": "tre",
            "available_from": "i morgon",
            "monthly_cost_sek": "-1",
            "municipality_code": "2480",
            "locality_name": "Umeå",
            "latitude": "norr",
            "longitude": "20.26",
            "address": "Storgatan 1",
        },
    )
    assert answer.status_code == 400
    for message in (
        "Ange antalet personer som ett heltal.",
        "Ange ett datum, ÅÅÅÅ-MM-DD.",
        "Ange latituden som ett tal, t.ex. 55.60.",
    ):
        assert message in answer.text
    with owner_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM housing_unit")).scalar_one() == 0


async def test_each_page_opens_for_its_people_only(sign_in: SignIn) -> None:
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    assert (await officer.get("/placering")).status_code == 200
    assert (await officer.get("/placering/erbjudanden")).status_code == 403
    staff = await sign_in(MALMO_PLACERING)
    for path in ("/placering", "/placering/erbjudanden", "/placering/bostader"):
        assert (await staff.get(path)).status_code == 200, path
    empty_request = await officer.post_form(await officer.get("/placering"), "/placering/begaran", {})
    assert empty_request.status_code == 400
    assert "Välj ärendet." in empty_request.text
