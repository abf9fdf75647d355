"""The authorization-code flow end to end, in-process: discovery, login with TOTP enrolment, PKCE, ID token."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pyotp
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.platform.idp.conftest import BROWSER, CLIENT_ID, callback_params, next_code, totp_secret

if TYPE_CHECKING:
    from typing import Any

    from tests.platform.idp.conftest import Idp


async def test_discovery_names_the_endpoints_and_only_s256(idp: Idp) -> None:
    response = await idp.client.get("/idp/.well-known/openid-configuration")

    assert response.status_code == 200
    metadata = response.json()
    assert metadata["issuer"] == "http://127.0.0.1:8000/idp"
    assert metadata["authorization_endpoint"] == f"{idp.issuer}/authorize"
    assert metadata["token_endpoint"] == f"{idp.issuer}/token"
    assert metadata["jwks_uri"] == f"{idp.issuer}/jwks"
    assert metadata["end_session_endpoint"] == f"{idp.issuer}/logout"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(metadata["grant_types_supported"]) == {"authorization_code", "client_credentials"}
    assert metadata["response_types_supported"] == ["code"]


async def test_jwks_publishes_public_keys_only(idp: Idp) -> None:
    keys = (await idp.client.get("/idp/jwks")).json()["keys"]

    assert keys
    for key in keys:
        assert key["kty"] == "RSA"
        assert key["kid"]
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


async def test_first_login_replaces_the_password_enrols_totp_and_the_code_exchange_gives_an_id_token(
    idp: Idp, new_account: Any
) -> None:
    account = new_account(display_name="Anna Andersson", email="anna@example.se")
    auth = idp.auth_request()

    login = await idp.start(auth)
    assert login.status_code == 200
    assert 'autocomplete="username"' in login.text
    assert 'autocomplete="current-password"' in login.text

    choose = await idp.password(login, account.username, account.password)
    assert 'name="step" value="new_password"' in choose.text
    enrol = await idp.new_password(choose, account)
    assert enrol.status_code == 200
    assert "<svg" in enrol.text
    assert 'class="app-secret"' in enrol.text
    assert 'autocomplete="one-time-code"' in enrol.text
    assert "style=" not in enrol.text
    assert "<script>" not in enrol.text

    secret = totp_secret(enrol.text)
    redirect = await idp.post_form(enrol, {"step": "enrol", "code": pyotp.TOTP(secret).now()})

    assert redirect.status_code == 303
    assert redirect.headers["location"].startswith(f"{idp.callback}?")
    params = callback_params(redirect)
    assert params["state"] == auth.query["state"]
    assert params["iss"] == idp.issuer

    tokens = await idp.exchange(auth, params["code"])
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["cache-control"] == "no-store"
    body = tokens.json()
    assert body["token_type"] == "Bearer"  # noqa: S105 - not a secret
    assert body["expires_in"] == 300

    key_set = KeySet.import_key_set((await idp.client.get("/idp/jwks")).json())
    id_token = jwt.decode(body["id_token"], key_set, algorithms=["RS256"])
    claims = id_token.claims
    assert id_token.header["alg"] == "RS256"
    assert id_token.header["kid"]
    assert claims["iss"] == idp.issuer
    assert claims["sub"] == str(account.id)
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == auth.query["nonce"]
    assert claims["amr"] == ["pwd", "otp"]
    assert claims["acr"] == "urn:avhopp:mfa"
    assert claims["name"] == "Anna Andersson"
    assert claims["preferred_username"] == account.username
    assert claims["email"] == "anna@example.se"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["auth_time"] <= claims["iat"]
    assert "at_hash" in claims


async def test_userinfo_answers_for_a_persons_access_token(idp: Idp, new_account: Any) -> None:
    account = new_account(display_name="Anna Andersson", email="anna@example.se")
    auth = idp.auth_request(scope="openid profile")
    redirect, _ = await idp.sign_in_first_time(auth, account)
    access_token = (await idp.exchange(auth, callback_params(redirect)["code"])).json()["access_token"]

    userinfo = await idp.client.get("/idp/userinfo", headers={"authorization": f"Bearer {access_token}"})

    assert userinfo.status_code == 200, userinfo.text
    # Scope profile without email: no email claim.
    assert userinfo.json() == {"sub": str(account.id), "name": "Anna Andersson", "preferred_username": account.username}


async def test_an_enrolled_person_signs_in_with_password_and_code_then_single_sign_on(
    idp: Idp, new_account: Any
) -> None:
    account = new_account()
    _, secret = await idp.sign_in_first_time(idp.auth_request(), account)
    idp.client.cookies.delete("avhopp_idp_session", domain="testserver.local", path="/idp")

    auth = idp.auth_request()
    code_page = await idp.password(await idp.start(auth), account.username, account.password)
    assert code_page.status_code == 200
    assert 'name="step" value="totp"' in code_page.text
    redirect = await idp.post_form(code_page, {"step": "totp", "code": next_code(secret)})
    assert redirect.status_code == 303
    assert (await idp.exchange(auth, callback_params(redirect)["code"])).status_code == 200

    # The provider's own session signs the next request in without a form.
    again = idp.auth_request()
    single_sign_on = await idp.start(again)
    assert single_sign_on.status_code == 302
    assert (await idp.exchange(again, callback_params(single_sign_on)["code"])).status_code == 200

    # prompt=login asks again despite the session.
    forced = await idp.start(idp.auth_request(prompt="login"))
    assert forced.status_code == 200
    assert 'name="step" value="password"' in forced.text


async def test_prompt_none_without_a_session_returns_login_required_to_the_client(idp: Idp) -> None:
    response = await idp.start(idp.auth_request(prompt="none"))

    assert response.status_code == 302
    params = callback_params(response)
    assert params["error"] == "login_required"


async def test_a_code_works_once(idp: Idp, new_account: Any) -> None:
    auth = idp.auth_request()
    redirect, _ = await idp.sign_in_first_time(auth, new_account())
    code = callback_params(redirect)["code"]

    first = await idp.exchange(auth, code)
    second = await idp.exchange(auth, code)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert "access_token" not in second.json()


async def test_pkce_is_required_and_checked(idp: Idp, new_account: Any) -> None:
    without = await idp.start(idp.auth_request(code_challenge=None, code_challenge_method=None))
    assert without.status_code == 302
    assert callback_params(without)["error"] == "invalid_request"

    plain = await idp.start(idp.auth_request(code_challenge_method="plain"))
    assert plain.status_code == 302
    assert callback_params(plain)["error"] == "invalid_request"

    auth = idp.auth_request()
    redirect, _ = await idp.sign_in_first_time(auth, new_account())
    code = callback_params(redirect)["code"]
    missing = await idp.exchange(auth, code, code_verifier=None)
    wrong = await idp.exchange(auth, code, code_verifier="x" * 64)

    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    # A failed attempt does not spend the code; the right verifier still works, once.
    assert (await idp.exchange(auth, code)).status_code == 200


async def test_an_unregistered_redirect_uri_is_refused_without_redirecting(idp: Idp) -> None:
    response = await idp.start(idp.auth_request(redirect_uri="https://evil.example/callback"))

    assert response.status_code == 400
    assert "location" not in response.headers
    assert "evil.example" not in response.text
    assert "Inloggningen kunde inte starta" in response.text


async def test_an_unknown_client_is_refused_without_redirecting(idp: Idp) -> None:
    response = await idp.start(idp.auth_request(client_id="no-such-client"))

    assert response.status_code == 400
    assert "location" not in response.headers


async def test_a_request_without_openid_or_nonce_goes_back_with_an_error(idp: Idp) -> None:
    no_openid = await idp.start(idp.auth_request(scope="profile"))
    no_nonce = await idp.start(idp.auth_request(nonce=None))

    assert callback_params(no_openid)["error"] == "invalid_scope"
    assert callback_params(no_nonce)["error"] == "invalid_request"


async def test_the_code_is_bound_to_its_redirect_uri_and_client_secret(idp: Idp, new_account: Any) -> None:
    auth = idp.auth_request()
    redirect, _ = await idp.sign_in_first_time(auth, new_account())
    code = callback_params(redirect)["code"]

    other_uri = await idp.exchange(auth, code, redirect_uri=f"{idp.settings.public_url}/other")
    wrong_secret = await idp.exchange(auth, code, client_secret="wrong")  # noqa: S106 - a wrong secret on purpose

    assert other_uri.status_code == 400
    assert other_uri.json()["error"] == "invalid_grant"
    assert wrong_secret.status_code in {400, 401}
    assert wrong_secret.json()["error"] == "invalid_client"


async def test_client_secret_basic_works_at_the_token_endpoint(idp: Idp, new_account: Any) -> None:
    auth = idp.auth_request()
    redirect, _ = await idp.sign_in_first_time(auth, new_account())

    response = await idp.client.post(
        "/idp/token",
        data={
            "grant_type": "authorization_code",
            "code": callback_params(redirect)["code"],
            "redirect_uri": idp.callback,
            "code_verifier": auth.verifier,
        },
        auth=(CLIENT_ID, idp.secret),
    )

    assert response.status_code == 200, response.text
    assert json.loads(response.text)["id_token"]


async def test_userinfo_refuses_a_missing_or_foreign_token(idp: Idp) -> None:
    missing = await idp.client.get("/idp/userinfo")
    garbage = await idp.client.get("/idp/userinfo", headers={"authorization": "Bearer not.a.token"})

    assert missing.status_code == 401
    assert garbage.status_code == 401
    assert garbage.headers["www-authenticate"].startswith("Bearer")


async def test_the_login_page_is_swedish_and_posts_with_a_csrf_token(idp: Idp) -> None:
    page = await idp.client.get(idp.auth_request().url, headers=BROWSER)

    assert '<html lang="sv">' in page.text
    assert "Användarnamn" in page.text
    assert "Lösenord" in page.text
    assert 'name="_csrf_token"' in page.text


async def test_the_login_page_speaks_english_when_chosen(idp: Idp) -> None:
    idp.client.cookies.set("avhopp_lang", "en", domain="testserver.local")

    page = await idp.client.get(idp.auth_request().url, headers=BROWSER)

    assert '<html lang="en">' in page.text
    assert "Username" in page.text
    assert "Password" in page.text
