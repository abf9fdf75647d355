"""Whatever arrives, the provider answers with a refusal, never a server error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.platform.idp.conftest import BROWSER, CLIENT_ID, callback_params

if TYPE_CHECKING:
    from typing import Any

    from tests.platform.idp.conftest import Idp


@pytest.mark.parametrize(
    "query",
    [
        "",
        "response_type=code",
        "response_type=token&client_id=avhopp-web",
        "response_type=code&client_id=avhopp-web&client_id=other",
        "response_type=code&client_id=" + "x" * 5000,
        "response_type=code&client_id=avhopp-web&redirect_uri=javascript:alert(1)",
        "response_type=code&client_id=avhopp-web&redirect_uri=%00",
    ],
)
async def test_broken_authorization_requests_are_refused_without_redirecting(idp: Idp, query: str) -> None:
    response = await idp.client.get(f"/idp/authorize?{query}", headers=BROWSER)

    assert 400 <= response.status_code < 500
    assert "location" not in response.headers


async def test_odd_parameters_of_a_valid_request_go_back_to_the_client_as_errors(idp: Idp) -> None:
    for overrides in ({"prompt": "none login"}, {"response_type": "code id_token"}, {"scope": "openid admin"}):
        response = await idp.start(idp.auth_request(**overrides))
        assert response.status_code in {200, 302}, overrides
        if response.status_code == 302:
            assert response.headers["location"].startswith(idp.callback)


async def test_odd_max_age_and_unknown_steps_are_handled(idp: Idp) -> None:
    page = await idp.start(idp.auth_request(max_age="not-a-number"))
    unknown_step = await idp.post_form(page, {"step": "admin"})
    huge = await idp.password(page, "x" * 10_000, "y" * 10_000)

    assert page.status_code == 200
    assert unknown_step.status_code == 400
    assert huge.status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"grant_type": "authorization_code", "client_id": CLIENT_ID},
        {"grant_type": "authorization_code", "code": "x" * 5000, "client_id": CLIENT_ID, "client_secret": "x"},
        {"grant_type": "password", "username": "a", "password": "b"},
        {"grant_type": "refresh_token", "refresh_token": "x"},
        {"grant_type": "implicit"},
    ],
)
async def test_broken_token_requests_get_oauth_errors(idp: Idp, data: dict[str, str]) -> None:
    response = await idp.client.post("/idp/token", data=data)

    assert 400 <= response.status_code < 500
    assert "error" in response.json()


async def test_token_requests_with_repeated_parameters_or_a_json_body_are_refused(idp: Idp, new_account: Any) -> None:
    auth = idp.auth_request()
    redirect, _ = await idp.sign_in_first_time(auth, new_account())
    code = callback_params(redirect)["code"]

    repeated = await idp.client.post(
        "/idp/token",
        content=f"grant_type=authorization_code&code={code}&code=other&client_id={CLIENT_ID}&client_secret={idp.secret}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    as_json = await idp.client.post("/idp/token", json={"grant_type": "client_credentials"})
    bad_basic = await idp.client.post(
        "/idp/token", data={"grant_type": "client_credentials"}, headers={"authorization": "Basic !!!"}
    )

    assert repeated.status_code == 400
    assert repeated.json()["error"] == "invalid_request"
    assert 400 <= as_json.status_code < 500
    assert 400 <= bad_basic.status_code < 500


async def test_an_id_token_is_not_an_access_token_for_userinfo(idp: Idp, new_account: Any) -> None:
    auth = idp.auth_request()
    redirect, _ = await idp.sign_in_first_time(auth, new_account())
    id_token = (await idp.exchange(auth, callback_params(redirect)["code"])).json()["id_token"]

    response = await idp.client.get("/idp/userinfo", headers={"authorization": f"Bearer {id_token}"})

    assert response.status_code == 401


async def test_garbage_cookies_and_logout_parameters_are_harmless(idp: Idp) -> None:
    idp.client.cookies.set("avhopp_idp_session", "x" * 500, domain="testserver.local", path="/idp")
    idp.client.cookies.set("avhopp_idp_login", "%%%", domain="testserver.local", path="/idp")

    page = await idp.start(idp.auth_request())
    logout = await idp.client.get(
        "/idp/logout?id_token_hint=a.b.c&post_logout_redirect_uri=http://127.0.0.1:8000/&state=%00", headers=BROWSER
    )

    assert page.status_code == 200
    assert logout.status_code == 400  # no client named, so no registered address to go to
