"""The public page's two forms given bad input: a message, nothing saved, never a 500.

A NUL byte, 100,000 characters, and a personal identity number written with other digits or
dashes than ASCII's (full-width, Arabic-Indic, an en dash, a minus sign) in each text field.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from avhopp.platform.times import STOCKHOLM
from tests.platform.idp.conftest import BROWSER
from tests.support.digests import table_digests
from tests.support.people import ANONYM

if TYPE_CHECKING:
    import httpx
    from sqlalchemy import Engine

    from tests.conftest import SignIn

pytestmark = pytest.mark.usefixtures("seeded")

PERSONAL_IDENTITY_NUMBERS = (
    "１９１２１２１２－１２１２",  # full-width digits and hyphen
    "١٩١٢١٢١٢‐١٢١٢",  # Arabic-Indic digits and a Unicode hyphen
    "121212–1212",  # an en dash
    "19121212−1212",  # a minus sign
)
# The platform's input guard refuses these before any handler, with a page naming the field.
REFUSED_BY_THE_GUARD = {"a NUL byte": "ring\x00 mig", "100,000 characters": "ö" * 100_000}


def local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


def callback_form() -> dict[str, str]:
    now = datetime.now(STOCKHOLM)
    return {
        "phone_number": "070-765 43 21",
        "window_start": local(now + timedelta(hours=1)),
        "window_end": local(now + timedelta(hours=3)),
    }


SEARCH = {"home_municipality_code": "1481", "age": "17"}


def refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.status_code
    assert response.headers["content-type"].startswith("text/html")
    assert "set-cookie" not in response.headers
    assert "Tack. Vi ringer" not in response.text


@pytest.mark.parametrize("value", REFUSED_BY_THE_GUARD.values(), ids=REFUSED_BY_THE_GUARD.keys())
async def test_control_characters_and_endless_text_get_a_message(
    sign_in: SignIn, owner_engine: Engine, value: str
) -> None:
    visitor = (await sign_in(ANONYM)).client
    before = table_digests(owner_engine)
    for path, form, field in (
        ("/hitta-stod", SEARCH | {"text": value}, "text"),
        ("/hitta-stod/ring-mig", callback_form() | {"note": value}, "note"),
        ("/hitta-stod/ring-mig", callback_form() | {"phone_number": value}, "phone_number"),
    ):
        response = await visitor.post(path, data=form, headers=BROWSER)
        refused(response)
        assert f"Fältet ”{field}”" in response.text
    assert table_digests(owner_engine) == before


@pytest.mark.parametrize("number", PERSONAL_IDENTITY_NUMBERS)
async def test_a_personal_identity_number_in_any_digits_is_named_at_its_field(
    sign_in: SignIn, owner_engine: Engine, number: str
) -> None:
    visitor = (await sign_in(ANONYM)).client
    value = f"jag heter Kim {number}"
    before = table_digests(owner_engine)
    for path, form, field in (
        ("/hitta-stod", SEARCH | {"text": value}, "text"),
        ("/hitta-stod/ring-mig", callback_form() | {"note": value}, "callback_note"),
        ("/hitta-stod/ring-mig", callback_form() | {"phone_number": number}, "callback_phone_number"),
    ):
        response = await visitor.post(path, data=form, headers=BROWSER)
        refused(response)
        assert f'href="#{field}"' in response.text, field
    assert table_digests(owner_engine) == before
