"""The professionals' search that helps: the query in the address, services closed to the person grouped,
reasons in the page's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from avhopp.platform.geography.reference import shipped_geography
from tests.support.people import GOTEBORG_SOCIALSEKRETERARE

if TYPE_CHECKING:
    from tests.conftest import SignIn

pytestmark = pytest.mark.usefixtures("seeded")
MOLNDAL_17 = {"home_municipality_code": "1481", "age": "17", "include_not_eligible": "on"}


async def test_the_query_lives_in_the_address(sign_in: SignIn) -> None:
    browser = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await browser.get("/katalog")
    form = page.text.split('id="search-form"', 1)[1].split(">", 1)[0]
    assert 'method="get"' in form
    assert "_csrf_token" not in page.text.split('id="search-form"', 1)[1].split("</form>", 1)[0]
    # A shared link, or Back, brings the same results and the same form.
    shared = await browser.get("/katalog", params=MOLNDAL_17)
    assert shared.status_code == 200
    assert "Socialtjänsten, Mölndals kommun" in shared.text
    assert '<option value="1481" selected>' in shared.text
    assert 'id="include_not_eligible" name="include_not_eligible" value="on" checked' in shared.text
    refused = await browser.get("/katalog", params={"home_municipality_code": "9999", "age": "17"})
    assert refused.status_code == 400
    assert 'href="#home_municipality_code"' in refused.text


async def test_services_closed_to_the_person_are_grouped_not_repeated(sign_in: SignIn) -> None:
    browser = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    others = len(shipped_geography().municipalities) - 1
    results = await browser.get("/katalog", params=MOLNDAL_17)
    assert f"Socialtjänsten i {others} andra kommuner: bara för dem som är folkbokförda där" in results.text
    assert "Socialtjänsten, Göteborgs kommun" not in results.text
    # One that differs from the others is still shown with its own reasons.
    assert "Tar bara emot folkbokförda i Göteborg. Personen är folkbokförd i Mölndal." in results.text
    assert results.text.count('class="ds-card app-stack"') < 40


async def test_reasons_in_the_pages_language(sign_in: SignIn) -> None:
    browser = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    browser.client.cookies.set("avhopp_lang", "en")
    results = await browser.get("/katalog", params=MOLNDAL_17 | {"age": "30"})
    assert "Only takes people registered in Göteborg. The person is registered in Mölndal." in results.text
    assert "Tar bara emot folkbokförda" not in results.text
    assert f"in {len(shipped_geography().municipalities) - 1} other municipalities" in results.text
    assert "Erbjuder" not in results.text
