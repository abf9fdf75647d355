"""end_session: only to registered addresses, with the person's consent unless an ID token vouches for the request."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from tests.platform.idp.conftest import BROWSER, CLIENT_ID, callback_params, form_action

if TYPE_CHECKING:
    from typing import Any

    from tests.platform.idp.conftest import Idp


async def signed_in(idp: Idp, new_account: Any) -> str:
    """Sign a new person in; returns their ID token."""
    auth = idp.auth_request()
    redirect, _ = await idp.sign_in_first_time(auth, new_account())
    return str((await idp.exchange(auth, callback_params(redirect)["code"])).json()["id_token"])


async def has_provider_session(idp: Idp) -> bool:
    return (await idp.start(idp.auth_request())).status_code == 302


async def logout(idp: Idp, **params: str) -> Any:
    return await idp.client.get(f"/idp/logout?{urlencode(params)}", headers=BROWSER)


async def test_an_unregistered_post_logout_redirect_uri_is_refused_and_nothing_ends(idp: Idp, new_account: Any) -> None:
    id_token = await signed_in(idp, new_account)

    response = await logout(
        idp, id_token_hint=id_token, post_logout_redirect_uri="https://evil.example/", client_id=CLIENT_ID
    )

    assert response.status_code == 400
    assert "location" not in response.headers
    assert "evil.example" not in response.text
    assert await has_provider_session(idp)


async def test_an_id_token_hint_ends_the_session_and_returns_to_the_registered_address(
    idp: Idp, new_account: Any
) -> None:
    id_token = await signed_in(idp, new_account)
    home = f"{idp.settings.public_url}/"

    response = await logout(idp, id_token_hint=id_token, post_logout_redirect_uri=home, state="abc")

    assert response.status_code == 303
    assert response.headers["location"] == f"{home}?state=abc"
    assert not await has_provider_session(idp)


async def test_without_a_hint_the_person_confirms_first(idp: Idp, new_account: Any) -> None:
    await signed_in(idp, new_account)
    home = f"{idp.settings.public_url}/"

    confirm = await logout(idp, client_id=CLIENT_ID, post_logout_redirect_uri=home)
    assert confirm.status_code == 200
    assert "Vill du logga ut?" in confirm.text
    assert await has_provider_session(idp)

    done = await idp.post_form(confirm, {"client_id": CLIENT_ID, "post_logout_redirect_uri": home})
    assert done.status_code == 303
    assert done.headers["location"] == home
    assert not await has_provider_session(idp)


async def test_an_authorization_header_does_not_spare_the_confirmation_its_csrf_check(
    idp: Idp, new_account: Any
) -> None:
    await signed_in(idp, new_account)
    home = f"{idp.settings.public_url}/"
    confirm = await logout(idp, client_id=CLIENT_ID, post_logout_redirect_uri=home)

    forged = await idp.client.post(
        form_action(confirm.text),
        data={"client_id": CLIENT_ID, "post_logout_redirect_uri": home},
        headers={**BROWSER, "authorization": "Bearer anything"},
    )

    assert forged.status_code == 403
    assert await has_provider_session(idp)


async def test_a_hint_for_another_client_is_refused(idp: Idp, new_account: Any) -> None:
    id_token = await signed_in(idp, new_account)

    response = await logout(idp, id_token_hint=id_token, client_id="someone-else")

    assert response.status_code == 400
    assert await has_provider_session(idp)


async def test_a_forged_hint_does_not_end_the_session_unasked(idp: Idp, new_account: Any) -> None:
    id_token = await signed_in(idp, new_account)
    header, payload, signature = id_token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"

    response = await logout(idp, id_token_hint=forged)

    assert response.status_code == 200
    assert "Vill du logga ut?" in response.text
    assert await has_provider_session(idp)


async def test_logging_out_without_a_session_just_says_so(idp: Idp) -> None:
    response = await logout(idp)

    assert response.status_code == 200
    assert "Du är utloggad" in response.text
